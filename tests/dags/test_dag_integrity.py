"""The DAG file over dags/: no import errors, one well-formed DAG per enabled tenant, deterministic."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from airflow.dag_processing.dagbag import DagBag
from airflow.sdk import CronDataIntervalTimetable
from airflow.sdk.definitions.param import ParamValidationError
from airflow.serialization.serialized_objects import DagSerialization

from lightspeed_afas.config import clear_cache
from lightspeed_afas.orchestration.dag_factory import STEPS
from lightspeed_afas.orchestration.dag_parts import TEARDOWN

DAGS = Path(__file__).resolve().parents[2] / "dags"
PARSING_DAG_ID_ENV = "_AIRFLOW_PARSING_CONTEXT_DAG_ID"


def dagbag() -> DagBag:
    clear_cache()
    return DagBag(dag_folder=str(DAGS))


@pytest.fixture
def bag(include) -> DagBag:
    include.tenant("acme", {"name": "Acme", "afas.conn_id": "afas_acme", "afas.max_parallel_calls": 2})
    include.tenant("beta", {"owner": "shop-team", "afas.document": "direct_invoice"})
    include.tenant("paused", {"enabled": False})
    return dagbag()


def test_repo_dags_folder_imports_cleanly():
    bag = dagbag()
    assert bag.import_errors == {}
    assert "lightspeed_afas_demo" in bag.dag_ids


def test_one_dag_per_enabled_tenant(bag):
    assert bag.import_errors == {}
    assert sorted(bag.dag_ids) == [
        "lightspeed_afas_acme",
        "lightspeed_afas_acme__articles",  # the tenants here copy the demo tenant: its flows are on
        "lightspeed_afas_acme__credit_notes",
        "lightspeed_afas_acme__customers",
        "lightspeed_afas_acme__stock",
        "lightspeed_afas_beta",
        "lightspeed_afas_beta__articles",
        "lightspeed_afas_beta__credit_notes",
        "lightspeed_afas_beta__customers",
        "lightspeed_afas_beta__stock",
        "lightspeed_afas_demo",
        "lightspeed_afas_demo__articles",
        "lightspeed_afas_demo__credit_notes",
        "lightspeed_afas_demo__customers",
        "lightspeed_afas_demo__stock",
        "lightspeed_afas_log_retention",
    ]


def test_retention_dag_purges_reports_and_reconciles_each_enabled_tenant(bag):
    dag = bag.dags["lightspeed_afas_log_retention"]
    purges = {"purge_detail_log", "purge_basic_log", "purge_task_logs", "purge_staged_data"}
    assert {t.task_id for t in dag.tasks} == purges | {"report", "reconcile"}
    assert dag.get_task("report").upstream_task_ids == purges
    assert dag.get_task("report").trigger_rule == "all_done"
    reconcile = dag.get_task("reconcile")
    assert [kw["tenant_id"] for kw in reconcile.expand_input.value["op_kwargs"]] == ["acme", "beta", "demo"]
    assert set(dag.params) == {"dry_run", "reconcile_date"} and dag.params["dry_run"] is False
    assert dag.max_active_runs == 1 and not dag.catchup


@pytest.mark.parametrize("tenant", ["acme", "beta", "demo"])
def test_dag_shape_and_settings(bag, tenant):
    dag = bag.dags[f"lightspeed_afas_{tenant}"]
    chain = [dag.get_task(step) for step in STEPS]
    for upstream, downstream in zip(chain, chain[1:], strict=False):
        assert upstream.downstream_task_ids - {TEARDOWN} == {downstream.task_id}
    assert chain[0].upstream_task_ids == set()
    purge = dag.get_task(TEARDOWN)
    assert purge.is_teardown and purge.upstream_task_ids == {"extract_orders", "load_to_afas"}
    assert set(dag.task_ids) == {*STEPS, TEARDOWN}

    assert dag.tags == {"lightspeed-afas", tenant}
    assert dag.max_active_runs == 1 and dag.catchup is False
    assert dag.dagrun_timeout == timedelta(hours=4)
    assert isinstance(dag.timetable, CronDataIntervalTimetable)
    assert (dag.timetable.expression, str(dag.timetable.timezone)) == ("*/15 * * * *", "Europe/Amsterdam")
    for task in chain:
        assert task.retries == 3
        assert task.retry_exponential_backoff
        assert task.retry_delay == timedelta(minutes=1)
        assert task.max_retry_delay == timedelta(minutes=15)
        assert task.owner == ("shop-team" if tenant == "beta" else "data-team")
    pool = "afas_acme" if tenant == "acme" else "afas_demo"
    slots = 2 if tenant == "acme" else 4
    for step in ("resolve_relations", "load_to_afas"):
        assert (dag.get_task(step).pool, dag.get_task(step).pool_slots) == (pool, slots)
    for step in ("extract_orders", "transform"):
        assert dag.get_task(step).pool == "default_pool"
    assert {k: dag.params[k] for k in dag.params} == {
        "since": None,
        "until": None,
        "order_numbers": [],
        "dry_run": False,
    }


def test_doc_md_says_what_goes_where(bag):
    doc = bag.dags["lightspeed_afas_beta"].doc_md
    for text in (
        "`lightspeed_demo`",
        "`afas_demo`",
        "direct invoice (FbDirectInvoice)",
        "| administration (Unit) | 1 |",
        "| sales journal (JoCo) | VK |",
        "every status except cancelled",
        "discount `KORTING`, shipping `VERZEND`",
        "`include/mappings/default.yaml`",
        "include/tenants/beta.yaml",
    ):
        assert text in doc


def test_trigger_params_validate_their_types(bag):
    params = bag.dags["lightspeed_afas_demo"].params
    assert params.validate() == {"since": None, "until": None, "order_numbers": [], "dry_run": False}
    assert params.get_param("since").resolve("2026-11-01T00:00:00+01:00") == "2026-11-01T00:00:00+01:00"
    assert params.get_param("since").schema["format"] == "date-time"  # the form shows a date-time picker
    # jsonschema checks "format" only with rfc3339-validator installed, which Airflow does not require:
    # lightspeed_afas.orchestration.run_request parses since/until and rejects bad values (see test_run_request).
    with pytest.raises(ParamValidationError):
        params.get_param("order_numbers").resolve("ORD1")
    assert params.get_param("order_numbers").resolve(["ORD1", "ORD2"]) == ["ORD1", "ORD2"]
    with pytest.raises(ParamValidationError):
        params.get_param("dry_run").resolve("yes")


def test_parsing_context_builds_only_the_requested_dag(include, monkeypatch):
    include.tenant("acme")
    include.tenant("broken", drop=("afas.items.shipping",))
    monkeypatch.setenv(PARSING_DAG_ID_ENV, "lightspeed_afas_acme")
    bag = dagbag()
    assert bag.dag_ids == ["lightspeed_afas_acme"]
    assert bag.import_errors == {}  # a task start is not the place to report other files
    monkeypatch.setenv(PARSING_DAG_ID_ENV, "some_other_dag")
    assert dagbag().dag_ids == []


def _serialized(bag: DagBag, dag_id: str) -> str:
    return json.dumps(DagSerialization.to_dict(bag.dags[dag_id]), sort_keys=True, default=str)


def test_serialization_is_identical_across_parses(bag):
    first = {dag_id: _serialized(bag, dag_id) for dag_id in bag.dag_ids}
    again = dagbag()
    assert {dag_id: _serialized(again, dag_id) for dag_id in again.dag_ids} == first
