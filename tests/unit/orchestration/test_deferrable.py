"""The step operator's defer/resume path (``orchestration.deferrable``), without a scheduler: a step that
must wait long defers with a ``DateTimeTrigger`` at the moment the wait ends and leaves its checkpoint in
XCom; resumed, the step runs again inside that checkpoint and finishes — its Lightspeed answers replayed,
its call statistics carried, nothing asked twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
import requests
from airflow.providers.standard.triggers.temporal import DateTimeTrigger
from airflow.sdk.exceptions import TaskDeferred

from lightspeed_afas.hooks.errors import MustWaitError
from lightspeed_afas.orchestration import step_checkpoint
from lightspeed_afas.orchestration.deferrable import RESUME, TRIGGER_TIMEOUT_MARGIN, StepOperator
from lightspeed_afas.orchestration.step_checkpoint import CHECKPOINT_KEY
from lightspeed_afas.orchestration.step_session import StepSession


class FakeTi:
    """The task instance's XCom, as the Task SDK's runtime one keeps it for one try."""

    task_id = "extract_orders"

    def __init__(self) -> None:
        self.xcoms: dict[str, Any] = {}

    def xcom_push(self, key: str, value: Any) -> None:
        self.xcoms[key] = value

    def xcom_pull(self, task_ids: str, key: str) -> Any:
        assert task_ids == self.task_id
        return self.xcoms.get(key)


def _context(ti: FakeTi) -> dict[str, Any]:
    return {"ti": ti, "task_instance": ti}


def test_a_long_wait_defers_with_a_trigger_at_its_end_and_the_resume_finishes():
    seen: list[step_checkpoint.StepCheckpoint] = []

    def step(**_: Any) -> str:
        running = step_checkpoint.current()
        assert running is not None
        seen.append(running.checkpoint)
        if len(seen) == 1:
            raise MustWaitError("lightspeed", 45.0, "429 from Lightspeed, Retry-After 45 s")
        return "booked"

    operator = StepOperator(task_id="extract_orders", python_callable=step)
    ti = FakeTi()
    with pytest.raises(TaskDeferred) as info:
        operator.execute(_context(ti))
    deferred = info.value
    assert isinstance(deferred.trigger, DateTimeTrigger) and deferred.method_name == RESUME
    assert timedelta(seconds=43) < deferred.trigger.moment - datetime.now(UTC) <= timedelta(seconds=45)
    assert deferred.timeout == timedelta(seconds=45) + TRIGGER_TIMEOUT_MARGIN
    stored = ti.xcoms[CHECKPOINT_KEY]
    assert stored["deferrals"] == 1 and stored["deferred_s"] == 45.0

    # The triggerer fired: the worker calls the method the deferral named, with the trigger's event.
    assert getattr(operator, deferred.method_name)(_context(ti), event=deferred.trigger.moment) == "booked"
    assert len(seen) == 2 and seen[1].deferrals == 1 and seen[1].started_at == seen[0].started_at
    assert step_checkpoint.current() is None


def test_a_step_that_does_not_wait_runs_as_under_a_python_operator():
    operator = StepOperator(task_id="extract_orders", python_callable=lambda **_: {"n": 1})
    ti = FakeTi()
    assert operator.execute(_context(ti)) == {"n": 1}
    assert ti.xcoms == {}


def test_outside_the_operator_a_session_cannot_defer(monkeypatch):
    _connections(monkeypatch, "http://127.0.0.1:9")
    session = StepSession(_settings(), SimpleNamespace(run_id="r"), ledger=None)
    assert session.hooks.lightspeed.defer_budget is None and session.hooks.lightspeed.replay is None
    assert session.hooks.afas.defer_budget is None


def test_a_resumed_step_replays_its_lightspeed_answers_and_keeps_its_call_counts(shop, monkeypatch):
    server, _ = shop(orders=3)
    _connections(monkeypatch, server.url)
    attempts: list[dict[str, Any]] = []

    def step(**_: Any) -> dict[str, Any]:
        session = StepSession(_settings(), SimpleNamespace(run_id="r"), ledger=None, replay=True)
        try:
            first_page = session.hooks.lightspeed.get_json("orders", [("page", "1")], endpoint="orders")
            if not attempts:
                attempts.append({})
                raise MustWaitError("lightspeed", 30.0, "budget spent")
            session.hooks.lightspeed.get_shop()
            attempts.append(session.stats.summary())
            return {"orders": len(first_page["orders"])}
        finally:
            session.close()

    operator = StepOperator(task_id="extract_orders", python_callable=step)
    ti = FakeTi()
    with pytest.raises(TaskDeferred):
        operator.execute(_context(ti))
    assert _calls(server) == {"GET /{lang}/orders.json": 1}
    assert operator.resume_step(_context(ti), event=None) == {"orders": 3}
    assert _calls(server) == {"GET /{lang}/orders.json": 1, "GET /{lang}/shop.json": 1}  # page 1 once
    summary = attempts[-1]
    assert summary["calls"] == {"lightspeed": 2} and summary["deferred_s"] == {"lightspeed": 30.0}


@pytest.mark.parametrize("reserve", [0.4, 0.0])
def test_another_flow_gets_no_replay_and_its_lightspeed_waits_stay_as_before(monkeypatch, reserve):
    """Only the orders flow's Lightspeed waits defer (its one Lightspeed step only reads); the other flows'
    steps write between their reads, so they wait as before, even with ``reserve_for_orders: 0``."""
    _connections(monkeypatch, "http://127.0.0.1:9")
    with step_checkpoint.deferrable_step(step_checkpoint.StepCheckpoint(deferred_s=600.0)):
        session = StepSession(_settings(), SimpleNamespace(run_id="r"), ledger=None, reserve=reserve)
    assert session.hooks.lightspeed.replay is None and not session.hooks.lightspeed.can_defer()
    assert session.hooks.afas.defer_budget == 3000.0 and session.hooks.afas.can_defer()


def test_the_orders_flow_s_steps_get_a_replay(monkeypatch):
    from lightspeed_afas.config import load_mapping, load_tenant
    from lightspeed_afas.flows.orders.tenant_settings import sync_settings

    _connections(monkeypatch, "http://127.0.0.1:9")
    tenant = load_tenant("demo")
    settings = sync_settings(tenant, load_mapping(tenant.mapping, tenant.mapping_overrides))
    checkpoint = step_checkpoint.StepCheckpoint()
    with step_checkpoint.deferrable_step(checkpoint):
        session = StepSession(settings, SimpleNamespace(run_id="r"), ledger=None)
    assert session.hooks.lightspeed.replay is not None and session.hooks.lightspeed.can_defer()
    assert session.hooks.lightspeed.replay.started_at == checkpoint.started_at


# -- helpers ----------------------------------------------------------------------------------------


def _settings() -> SimpleNamespace:
    return SimpleNamespace(tenant="t", lightspeed_conn_id="ls_t", afas_conn_id="afas_t", detail_logging=False)


def _connections(monkeypatch: Any, url: str) -> None:
    from emulators.afas import DEMO_TOKEN_DATA
    from emulators.lightspeed import DEMO_API_KEY, DEMO_API_SECRET
    from tests.support.hook_env import afas_connection, lightspeed_connection

    lightspeed_connection(monkeypatch, "ls_t", url, DEMO_API_KEY, DEMO_API_SECRET)
    afas_connection(monkeypatch, "afas_t", "http://127.0.0.1:9", DEMO_TOKEN_DATA)


def _calls(server: Any) -> dict[str, int]:
    calls = requests.get(f"{server.url}/_admin/calls", timeout=10).json()["calls"]
    return {route: n for route, n in calls.items() if n}
