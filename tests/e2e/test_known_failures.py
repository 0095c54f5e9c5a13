"""Known failures and the retry backoff, through ``dag.test()`` against both emulators: a run fails for a
new problem only, a failing order is retried on its backoff (not once per run, not 5× in a backfill),
and a re-sync by ``order_numbers`` bypasses the backoff and says what became of each number."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from lightspeed_afas.orchestration import run_request
from tests.e2e.test_order_cases import MUG, booked, empty_shop, order
from tests.e2e.test_order_sync import recently

UNKNOWN = {"articleCode": "ART-8888", "productTitle": "Onbekend", "quantityOrdered": 1, "basePriceIncl": "5.00", "taxRate": "0.21"}  # fmt: skip
OTHER_UNKNOWN = {**UNKNOWN, "articleCode": "ART-7777"}


def attempts(env: Any, number: str) -> list[dict[str, Any]]:
    return env.ledger.history("shop", order_number=number)


def two_orders(env: Any) -> tuple[str, dict[str, Any]]:
    """A good order and one AFAS refuses (an item it does not know); returns the bad one's number."""
    env.tenant(detail_logging=True)  # keeps the run summaries (XCom files) for the test to read
    orders = empty_shop(
        env,
        order(email="goed@example.nl"),
        order(email="fout@example.nl", lines=[UNKNOWN], at="2026-11-20T10:05:00+01:00"),
    )
    _, bad = orders  # in the order given
    return bad, orders[bad]


def test_a_known_failure_does_not_fail_later_runs_and_is_retried_on_its_backoff(sync_env):
    bad, _ = two_orders(sync_env)
    assert sync_env.run().state == "failed", "an order's first failure is a new problem"

    second = sync_env.run()  # the clock stands still: the order's 15 minutes have not passed
    assert second.state == "success"
    assert len(attempts(sync_env, bad)) == 1, "not retried before its backoff passed"
    (listed,) = sync_env.summary(second)["open_failures"]
    first_at = attempts(sync_env, bad)[0]["at"]
    assert (listed["order"], listed["status"], listed["failures"]) == (bad, "failed", 1)
    assert listed["next_retry"] == (first_at + timedelta(minutes=15)).strftime("%Y-%m-%d %H:%M")
    assert "bestaat niet" in listed["reason"]

    sync_env.clock.advance(timedelta(minutes=16))
    third = sync_env.run()
    assert third.state == "success", "the same failure again is known, not new"
    assert [a["action"] for a in attempts(sync_env, bad)] == ["failed", "failed"]
    summary = sync_env.summary(third)
    assert summary["known_failures_retried"] == [bad] and summary["new_problems"] == []
    assert summary["open_failures"][0]["failures"] == 2


def test_a_failure_with_a_new_reason_fails_the_run_at_once(sync_env):
    bad, spec = two_orders(sync_env)
    assert sync_env.run().state == "failed"
    # Changed in the webshop since it failed: tried again at once, whatever its backoff says.
    sync_env.shop_admin("PATCH", f"/orders/{spec['id']}", {"lines": [OTHER_UNKNOWN], "updatedAt": recently()})
    run = sync_env.run()
    assert run.state == "failed", "a different reason is a new problem"
    first, second = reversed(attempts(sync_env, bad))
    assert "ART-8888" in first["reason"] and "ART-7777" in second["reason"]


@pytest.fixture
def as_backfill(monkeypatch):
    """Runs with a data interval behave as runs of ``airflow backfill create`` (dag.test() makes manual
    runs; the pipeline tells a backfill by its run type)."""
    original = run_request.resolve_run_request

    def resolve(context: Any, tenant: Any = None) -> run_request.RunRequest:
        request = original(context, tenant)
        return (
            request
            if request.mode != "scheduled"
            else run_request.RunRequest(
                request.run_id, "backfill", request.window_start, request.window_end, (), request.dry_run
            )
        )

    monkeypatch.setattr(run_request, "resolve_run_request", resolve)


def test_a_backfill_spends_one_attempt_per_backoff_step_not_one_per_run(sync_env, as_backfill):
    bad, _ = two_orders(sync_env)
    start = datetime(2026, 11, 20, 9, 15, tzinfo=UTC)  # the bad order is in each window's overlap
    states = [sync_env.run(logical_date=start + timedelta(minutes=15 * i)).state for i in range(4)]
    assert states == ["failed", "success", "success", "success"]
    assert len(attempts(sync_env, bad)) == 1

    sync_env.clock.advance(timedelta(minutes=15))  # the first step of the backoff has passed
    states = [sync_env.run(logical_date=start + timedelta(minutes=15 * i)).state for i in range(4, 6)]
    assert states == ["success", "success"]
    assert len(attempts(sync_env, bad)) == 2
    state = sync_env.ledger.order_states("shop", [attempts(sync_env, bad)[0]["order_id"]])
    assert [s.status for s in state.values()] == ["failed"], "far from quarantine"
    assert len(booked(sync_env)) == 1


def resync_rows(log_text: str, numbers: list[str]) -> dict[str, str]:
    """The rows of the last "What became of the orders asked for" table in the task log."""
    lines = log_text.rsplit("What became of the orders asked for:", 1)[1].splitlines()
    return {n: next(ln for ln in lines if ln.startswith(n + " ")) for n in numbers}


def test_a_resync_by_number_bypasses_the_backoff_and_says_what_became_of_each_number(sync_env, caplog):
    orders = empty_shop(
        sync_env,
        order(email="goed@example.nl"),
        order(email="fout@example.nl", lines=[UNKNOWN]),
        order(email="weg@example.nl", status="cancelled", paymentStatus="cancelled"),
        order(email="open@example.nl", lines=[MUG], paymentStatus="not_paid"),
    )
    good, bad, cancelled, unpaid = orders
    sync_env.tenant(lightspeed={"payment_statuses": ["paid"]}, detail_logging=True)
    assert sync_env.run().state == "failed"

    numbers = [bad, good, cancelled, unpaid, "ORD99999"]
    run = sync_env.run(order_numbers=numbers)
    assert run.state == "failed", "a re-sync reports a failure of an order it was asked for"
    assert len(attempts(sync_env, bad)) == 2, "the backoff does not hold back a re-sync"
    rows = resync_rows(caplog.text, numbers)  # a failed task returns no summary: its log says it
    afas_number = booked(sync_env)[good]["OrNu"]
    assert re.match(rf"{bad}\s+failed\s+-\s+AFAS: .*ART-8888", rows[bad])
    assert re.match(rf"{good}\s+already booked, unchanged\s+{afas_number}\s", rows[good])
    assert re.match(rf"{cancelled}\s+cancelled\s+-\s+cancelled in the webshop", rows[cancelled])
    assert re.match(rf"{unpaid}\s+outside the status filters\s+-\s+payment status", rows[unpaid])
    assert re.match(r"ORD99999\s+not found\s+-\s+Lightspeed has no order", rows["ORD99999"])

    sync_env.afas_admin("PUT", "/catalogue", {"items": {"ART-8888": {"type": "2", "units": ["STK"]}}})
    fixed = sync_env.run(order_numbers=[bad])
    assert fixed.state == "success"
    (row,) = sync_env.summary(fixed)["order_numbers"]
    assert (row["order"], row["result"]) == (bad, "booked")
    assert bad in booked(sync_env)


def test_the_readme_resync_example_works_on_the_demo_shop(sync_env):
    """README, "Backfill and re-sync": ORD10028 fails on purpose, ORD10040 is booked, ORD10042 cancelled."""
    sync_env.shop_admin("POST", "/reset", {"seed": "demo", "orders": 60})  # the shop `make demo` serves
    sync_env.tenant(detail_logging=True)
    assert sync_env.run().state == "failed"
    assert sync_env.ledger.history("shop", order_number="ORD10028")[0]["action"] == "failed"

    sync_env.afas_admin("PUT", "/catalogue", {"items": {"ART-9001": {"type": "2", "units": ["STK"]}}})
    run = sync_env.run(order_numbers=["ORD10028", "ORD10040", "ORD10042"])
    assert run.state == "success"
    results = {r["order"]: r["result"] for r in sync_env.summary(run)["order_numbers"]}
    assert results == {
        "ORD10028": "booked",
        "ORD10040": "already booked, unchanged",
        "ORD10042": "cancelled",
    }


def test_a_dry_run_says_so_and_where_its_payloads_are(sync_env, caplog):
    empty_shop(sync_env, order(email="droog@example.nl"))
    assert sync_env.run(dry_run=True).state == "success"
    load_log = caplog.text.split("load_to_afas (mode scheduled, dry run)", 1)[1]
    assert "DRY RUN: nothing was written to AFAS or the ledger. A real run would do: insert 1." in load_log
    assert "in this run's log of the task transform" in load_log
    assert "(no orders needed booking)" not in load_log
    assert sync_env.afas_state()["orders"] == []
