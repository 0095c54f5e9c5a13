"""The skip of an idle run in every DAG, with ``dag.test()`` and stand-in steps: a first step whose value
holds the run summary ends the run — its XCom pushed, every later task and the teardown ``skipped``
without being run, the run ``success`` — and any other first step lets every task run as before.
The steps themselves (when a run is idle, at which calls) are tests/e2e/test_idle_runs.py."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from airflow.utils.state import DagRunState

from lightspeed_afas.config import load_tenants
from lightspeed_afas.config.dag_ids import flow_dag_id
from lightspeed_afas.domain.vocabulary import (
    ARTICLE_STEPS,
    CREDIT_NOTE_STEPS,
    CUSTOMER_STEPS,
    ORDER_STEPS,
    STOCK_STEPS,
)
from lightspeed_afas.ops import staging
from lightspeed_afas.orchestration import entry
from lightspeed_afas.orchestration.dag_factory import build_dags
from lightspeed_afas.orchestration.dag_parts import TEARDOWN
from lightspeed_afas.orchestration.idle import RUN_SUMMARY, idle_value

FLOWS = {
    "orders": ORDER_STEPS,
    "stock": STOCK_STEPS,
    "articles": ARTICLE_STEPS,
    "customers": CUSTOMER_STEPS,
    "credit_notes": CREDIT_NOTE_STEPS,
}
SUMMARY = {"outcome": "success", "counts": {"seen": 0}}


class Steps:
    """Stand-ins for every flow's steps: what ran, and whether the first step finds nothing to do."""

    def __init__(self) -> None:
        self.ran: list[str] = []
        self.idle = True

    def execute(self, step: str, steps: tuple[str, ...]) -> dict[str, Any]:
        self.ran.append(step)
        if step == steps[0] and self.idle:
            return idle_value({"step": step}, SUMMARY, "nothing to book")
        return {"step": step}


@pytest.fixture
def stand_ins(monkeypatch) -> Steps:
    steps = Steps()
    monkeypatch.setattr(
        entry, "execute_in_task", lambda step, tenant_id, context: steps.execute(step, ORDER_STEPS)
    )

    def parts(flow: str, tenant: Any, context: dict[str, Any]) -> tuple[Any, ...]:
        request = SimpleNamespace(run_id=str(context["run_id"]), mode="scheduled", dry_run=False)
        return FLOWS[flow], None, request, lambda step, *_: steps.execute(step, FLOWS[flow])

    monkeypatch.setattr(entry, "_flow_parts", parts)
    monkeypatch.setattr(staging, "purge_run", lambda dag_id, run_id: steps.ran.append(TEARDOWN) or 0)
    return steps


def pushed(run: Any, task_id: str) -> Any:
    """The XCom value ``task_id`` pushed in ``run`` (read through the object-storage backend)."""
    from airflow.models.xcom import XComModel
    from airflow.providers.common.io.xcom.backend import XComObjectStorageBackend
    from airflow.utils.session import create_session

    with create_session() as session:
        row = (
            session.query(XComModel)
            .filter_by(dag_id=run.dag_id, run_id=run.run_id, task_id=task_id, key="return_value")
            .one()
        )
        return XComObjectStorageBackend.deserialize_value(type("R", (), {"value": row.value})())


def states(run: Any) -> dict[str, str]:
    return {ti.task_id: str(ti.state) for ti in run.get_task_instances()}


@pytest.mark.parametrize("flow", list(FLOWS))
def test_a_first_step_with_nothing_to_do_skips_every_later_task_and_the_teardown(
    airflow_db, include, stand_ins, flow
):
    include.tenant("idle", {"detail_logging": False})
    dag = build_dags(load_tenants())[flow_dag_id("idle", flow)]
    run = dag.test()
    steps = FLOWS[flow]
    assert run.state == DagRunState.SUCCESS
    assert stand_ins.ran == [steps[0]], "no later task and no teardown ran"
    assert states(run) == {steps[0]: "success", **dict.fromkeys([*steps[1:], TEARDOWN], "skipped")}
    assert pushed(run, steps[0])[RUN_SUMMARY] == SUMMARY, "the first step's XCom is pushed, summary and all"


@pytest.mark.parametrize("flow", list(FLOWS))
def test_a_first_step_with_work_lets_every_task_run(airflow_db, include, stand_ins, flow):
    stand_ins.idle = False
    include.tenant("busy", {"detail_logging": False})
    run = build_dags(load_tenants())[flow_dag_id("busy", flow)].test()
    assert run.state == DagRunState.SUCCESS
    assert stand_ins.ran == [*FLOWS[flow], TEARDOWN]
    assert set(states(run).values()) == {"success"}


def test_a_later_step_finds_the_run_ended_in_the_first_one_and_needs_nothing_else():
    """A skipped task cleared and run by hand: the first step's value is enough (the skipped steps pushed
    nothing), and the executors return the summary without opening a session."""
    from lightspeed_afas.orchestration.articles_task import execute_articles
    from lightspeed_afas.orchestration.record_task import execute_record_step
    from lightspeed_afas.orchestration.stock_task import execute_stock
    from lightspeed_afas.orchestration.task import execute

    first = idle_value({"step": "extract_orders"}, SUMMARY, "nothing to book")
    values = {"extract_orders": first}
    ti = SimpleNamespace(xcom_pull=lambda task_ids: values.get(task_ids))
    upstream = entry.pull_upstream({"ti": ti}, "load_to_afas", ORDER_STEPS[:3])
    assert upstream == {"extract_orders": first}
    assert execute("load_to_afas", None, None, None, upstream) == SUMMARY  # type: ignore[arg-type]
    assert execute_stock("push_stock", None, None, None, {"read_afas_stock": first}) == SUMMARY  # type: ignore[arg-type]
    assert execute_articles("push_articles", None, None, None, {"read_afas_articles": first}) == SUMMARY  # type: ignore[arg-type]
    for flow, steps in (("customers", CUSTOMER_STEPS), ("credit_notes", CREDIT_NOTE_STEPS)):
        assert execute_record_step(flow, steps[-1], None, None, None, {steps[0]: first}) == SUMMARY

    with pytest.raises(RuntimeError, match="no output from resolve_relations"):
        entry.pull_upstream({"ti": SimpleNamespace(xcom_pull=lambda task_ids: {"x": 1} if task_ids == "extract_orders" else None)}, "transform", ORDER_STEPS[:2])  # fmt: skip
