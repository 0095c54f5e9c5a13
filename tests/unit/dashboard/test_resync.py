"""Re-sync through the page's API over real HTTP: the dashboard triggers the tenant DAG through Airflow's
own REST API (as the calling user) and the run lands in Airflow's metadata DB with ``order_numbers``."""

from __future__ import annotations

import json

import requests
from airflow.models.dagbundle import DagBundleModel
from airflow.models.dagrun import DagRun
from airflow.utils.session import create_session
from sqlalchemy import select

from emulators.server import serve_in_thread
from tests.dags.test_invalid_tenant_files import parse, persist
from tests.support.dashboard import LEDGER_ENV, make_token
from tests.support.dashboard_seed import TENANT, seed

DAG_ID = f"lightspeed_afas_{TENANT}"


def test_resync_triggers_the_tenant_dag_with_the_order_numbers(airflow_app, tenants, tmp_path, monkeypatch):
    path = tmp_path / "ledger.db"
    monkeypatch.setenv(LEDGER_ENV, json.dumps({"conn_type": "sqlite", "host": str(path)}))
    seed(f"sqlite:///{path}")
    bundle = "dashboard-test"
    with create_session() as session:
        session.merge(DagBundleModel(name=bundle))
    persist(bundle, parse(bundle))  # the tenant DAG as the dag-processor stores it

    with serve_in_thread(airflow_app) as server:
        base = f"http://127.0.0.1:{server.port}"
        response = requests.post(
            f"{base}/lightspeed-afas/api/tenants/{TENANT}/resync",
            json={"order_numbers": ["ORD1003", "ORD1005", "ORD1003"]},
            cookies={"_token": make_token()},
            timeout=60,
        )
        assert response.status_code == 200, response.text
        result = response.json()
        run_id = result["run_id"]
        assert result["order_numbers"] == ["ORD1003", "ORD1005"]
        assert result["url"] == f"/dags/{DAG_ID}/runs/{requests.utils.quote(run_id, safe='')}"
        assert result["state"] == "queued"
        assert result["warning"] == f"{DAG_ID} is paused: the run starts when the DAG is unpaused."
        # the page polls the run through Airflow's REST API with the same cookie
        state = requests.get(
            f"{base}/api/v2/dags/{DAG_ID}/dagRuns/{run_id}", cookies={"_token": make_token()}, timeout=30
        )
        assert state.status_code == 200 and state.json()["conf"] == {"order_numbers": ["ORD1003", "ORD1005"]}

    with create_session() as session:
        run = session.scalars(select(DagRun).where(DagRun.dag_id == DAG_ID, DagRun.run_id == run_id)).one()
        assert run.conf == {"order_numbers": ["ORD1003", "ORD1005"]}
        assert run.run_type == "manual"
        assert run.triggering_user_name == "admin"
