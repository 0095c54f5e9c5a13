"""Waiting frees the worker, end to end: the orders DAG with ``dag.test()`` (which runs a deferred task's
trigger in line and resumes the task as the triggerer would) against both emulators over real HTTP.

- The key's 5-minute window runs out in the middle of extract_orders: the task defers until the window
  resets, resumes, and the run books every order once — and the shop answered every page and every order
  once (its own counts, per URL).
- AFAS is in maintenance when resolve_relations makes its first call: the task defers for AFAS's
  ``retry_after``, resumes, and the run books every order once.

The in-worker line is set to 1 s in the connections (``in_worker_wait_seconds``), so waits of a few
seconds defer; the emulated shop's clock runs 100× (a 5-minute window lasts 3 s).
"""

from __future__ import annotations

import contextlib
import json
import shutil
from collections import Counter
from typing import Any

import pytest
import requests

from emulators.afas import DEMO_TOKEN_DATA, AfasConfig
from emulators.afas import create_app as create_afas
from emulators.demo_catalogue import PRODUCTS
from emulators.lightspeed import DEMO_API_KEY, DEMO_API_SECRET, LightspeedConfig
from emulators.lightspeed import create_app as create_lightspeed
from emulators.server import serve_in_thread
from lightspeed_afas.domain import retry_policy
from lightspeed_afas.orchestration.step_checkpoint import CHECKPOINT_KEY
from tests.conftest import REPO
from tests.e2e.conftest import SyncEnv
from tests.support.answer_log import AnswerLog
from tests.support.fake_clock import FakeClock

ORDERS = 12
WINDOW_BUDGET = 8  # calls per emulated 5 minutes: the list page and 7 orders, then the window is spent


@pytest.fixture
def waiting_env(airflow_db, tmp_path, monkeypatch):
    include = tmp_path / "include"
    (include / "tenants").mkdir(parents=True)
    shutil.copytree(REPO / "include" / "mappings", include / "mappings")
    config = LightspeedConfig(orders=ORDERS, rate_limits=(WINDOW_BUDGET, 3000, 12000), clock_scale=100.0)
    log = AnswerLog(create_lightspeed(config))
    with contextlib.ExitStack() as stack:
        shop = stack.enter_context(serve_in_thread(log))
        afas = stack.enter_context(serve_in_thread(create_afas(AfasConfig())))
        requests.put(
            f"{afas.url}/_admin/catalogue",
            json={"items": {p.afas_item_code: {"type": "2", "units": ["STK"]} for p in PRODUCTS}},
            timeout=10,
        ).raise_for_status()
        quick = {"in_worker_wait_seconds": 1}
        monkeypatch.setenv("LIGHTSPEED_AFAS_INCLUDE_DIR", str(include))
        monkeypatch.setenv(
            "AIRFLOW_CONN_LS_SHOP",
            json.dumps(
                {
                    "conn_type": "lightspeed_ecom",
                    "host": shop.url,
                    "login": DEMO_API_KEY,
                    "password": DEMO_API_SECRET,
                    "extra": {"language": "nl", **quick},
                }
            ),
        )
        monkeypatch.setenv(
            "AIRFLOW_CONN_AFAS_SHOP",
            json.dumps(
                {
                    "conn_type": "afas_profit",
                    "host": f"{afas.url}/ProfitRestServices",
                    "password": DEMO_TOKEN_DATA,
                    "extra": quick,
                }
            ),
        )
        ledger_path = tmp_path / "ledger.db"
        monkeypatch.setenv(
            "AIRFLOW_CONN_LIGHTSPEED_AFAS_LEDGER",
            json.dumps({"conn_type": "sqlite", "host": str(ledger_path)}),
        )
        clock = FakeClock()
        monkeypatch.setattr(retry_policy, "utc_now", clock)
        env = SyncEnv(shop, afas, include, ledger_path, clock)
        env.tenant(detail_logging=True)  # the staged XComs stay: the test reads the checkpoint
        yield env, log
        from lightspeed_afas.ops.staging import staging_root

        shutil.rmtree(staging_root().path + "/lightspeed_afas_shop", ignore_errors=True)


def _xcoms(run: Any, key: str) -> dict[str, Any]:
    from airflow.models.xcom import XComModel
    from airflow.providers.common.io.xcom.backend import XComObjectStorageBackend
    from airflow.utils.session import create_session

    with create_session() as session:
        rows = session.query(XComModel).filter_by(dag_id=run.dag_id, run_id=run.run_id, key=key).all()
        stored = {row.task_id: row.value for row in rows}
    return {
        task: XComObjectStorageBackend.deserialize_value(type("R", (), {"value": value})())
        for task, value in stored.items()
    }


def _booked_once(env: SyncEnv) -> set[str]:
    """Every order the shop has that is not cancelled is in AFAS exactly once (and the ledger says so)."""
    shop = requests.get(f"{env.lightspeed.url}/_admin/state", timeout=10).json()["orders"]
    eligible = {o["number"] for o in shop if o["status"] != "cancelled"}
    booked = Counter(o["fields"]["RfCs"] for o in env.afas_state()["orders"])
    assert set(booked) == eligible and set(booked.values()) == {1}, booked
    states = env.ledger.order_states("shop", [o["id"] for o in shop])
    assert {s.order_number for s in states.values() if s.status == "booked"} == eligible
    return eligible


def test_a_spent_window_mid_extraction_defers_and_the_resumed_task_fetches_nothing_twice(waiting_env):
    env, log = waiting_env
    run = env.run()
    assert run.state == "success"
    eligible = _booked_once(env)

    checkpoint = _xcoms(run, CHECKPOINT_KEY)["extract_orders"]
    assert checkpoint["deferrals"] >= 1 and checkpoint["deferred_s"] > 1
    assert checkpoint["replay"]["count"] >= WINDOW_BUDGET  # what it had fetched before the window ran out
    extracted = _xcoms(run, "return_value")["extract_orders"]
    assert extracted["stats"]["deferred_s"]["lightspeed"] > 1
    fetched = {key: n for key, n in log.answers.items() if key[3] == 200}
    assert fetched and set(fetched.values()) == {1}, "a page or an order was fetched twice"
    assert not [key for key in log.answers if key[3] == 429], "the pacer defers before it would get a 429"
    order_pages = [key for key in fetched if key[1] == "/nl/orders.json"]
    order_reads = [key for key in fetched if key[1].startswith("/nl/orders/")]
    assert len(order_pages) == 1 and len(order_reads) >= len(eligible)
    # The run's summary counts every call, before and after the wait.
    summary = env.summary(run)
    assert summary["calls"]["lightspeed"] == len(fetched) and summary["outcome"] == "success"


def test_afas_maintenance_at_resolve_relations_defers_and_the_run_books_every_order_once(waiting_env):
    env, _ = waiting_env
    env.shop_admin("POST", "/faults", {"rate_limit": {"limits": [1000, 3000, 12000]}})
    env.afas_admin("POST", "/faults", {"unavailable": {"count": 1, "retry_after": 3}})
    run = env.run()
    assert run.state == "success"
    _booked_once(env)
    checkpoints = _xcoms(run, CHECKPOINT_KEY)
    assert set(checkpoints) == {"resolve_relations"}, checkpoints
    assert checkpoints["resolve_relations"]["deferrals"] == 1
    assert checkpoints["resolve_relations"]["deferred_s"] == 3.0
    assert env.afas_admin("GET", "/calls")["unavailable"] == 1
