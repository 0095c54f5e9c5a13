"""The receiver's side of Airflow's REST API against a real ``airflow api-server``: it logs in with its
own credentials, triggers a run of the tenant's orders DAG with the webhook conf, finds that run queued
and joins it instead of starting a second one."""

from __future__ import annotations

import shutil

import pytest
import requests

from lightspeed_afas.webhooks.airflow_api import AirflowApi, AirflowApiError
from lightspeed_afas.webhooks.trigger import CONF, RunTrigger
from tests.support.include import REPO_INCLUDE
from tests.support.live_airflow import live_api_server

DAG_ID = "lightspeed_afas_demo"


@pytest.fixture(scope="module")
def airflow(tmp_path_factory):
    """One api-server for the module, serving the repo's tenant files (the demo tenant)."""
    root = tmp_path_factory.mktemp("hooks-airflow")
    shutil.copytree(REPO_INCLUDE, root / "include")
    with live_api_server(root / "airflow-home", root / "include", root / "ledger.db") as live:
        yield live


def test_a_webhook_triggers_one_run_with_its_conf_and_the_next_joins_it_while_it_is_queued(airflow):
    api = AirflowApi(airflow.url, airflow.username, airflow.password)
    trigger = RunTrigger(api, debounce_seconds=lambda tenant: 0.0)
    first = trigger.decide("demo")
    assert first.outcome == "triggered" and first.run_id
    second = trigger.decide("demo")  # no scheduler here: the run stays queued
    assert (second.outcome, second.run_id) == ("joined", first.run_id)
    token = airflow.token()
    run = requests.get(
        f"{airflow.url}/api/v2/dags/{DAG_ID}/dagRuns/{first.run_id}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    ).json()
    assert run["conf"] == CONF and run["state"] == "queued" and run["run_type"] == "manual"


def test_wrong_credentials_say_which_setting_to_fix(airflow):
    api = AirflowApi(airflow.url, "admin", "not-the-password")
    with pytest.raises(AirflowApiError, match="LIGHTSPEED_AFAS_AIRFLOW_PASSWORD"):
        api.waiting_run(DAG_ID)
