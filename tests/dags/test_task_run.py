"""A triggered run executes every task through lightspeed_afas.orchestration.entry with the trigger params."""

from __future__ import annotations

import pytest
from airflow.utils.state import DagRunState

from lightspeed_afas.config import load_tenants
from lightspeed_afas.ledger import Ledger
from lightspeed_afas.orchestration import entry
from lightspeed_afas.orchestration.dag_factory import STEPS, build_dags
from lightspeed_afas.orchestration.dag_parts import TEARDOWN


@pytest.fixture
def recorded(monkeypatch):
    calls = []

    def run_step(step, tenant_id, context):
        from lightspeed_afas.orchestration.run_request import resolve_run_request

        calls.append((step, tenant_id, resolve_run_request(context)))
        return {"step": step}

    monkeypatch.setattr(entry, "execute_in_task", run_step)
    # the teardown always releases the run's lease first
    monkeypatch.setattr(
        Ledger, "release_lease", lambda self, tenant, run_id: calls.append((TEARDOWN, tenant))
    )
    return calls


def test_dry_run_for_named_orders_reaches_every_step(airflow_db, include, recorded):
    include.tenant("taskrun")
    dag = build_dags(load_tenants())["lightspeed_afas_taskrun"]
    run = dag.test(run_conf={"order_numbers": ["ORD1001"], "dry_run": True})
    assert run.state == DagRunState.SUCCESS
    assert [c[0] for c in recorded] == [*STEPS, TEARDOWN]
    for _step, tenant_id, request in recorded[:4]:
        assert tenant_id == "taskrun"
        assert (request.mode, request.order_numbers, request.dry_run) == ("orders", ("ORD1001",), True)


def test_contradicting_params_fail_the_run(airflow_db, include, monkeypatch):
    def run_step(step, tenant_id, context):
        from lightspeed_afas.orchestration.run_request import resolve_run_request

        resolve_run_request(context)
        return {}

    monkeypatch.setattr(entry, "execute_in_task", run_step)
    include.tenant("badparams")
    dag = build_dags(load_tenants())["lightspeed_afas_badparams"]
    run = dag.test(run_conf={"until": "2026-11-01T00:00:00Z"})
    assert run.state == DagRunState.FAILED
