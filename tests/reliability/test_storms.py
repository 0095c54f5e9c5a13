"""Storms and outages: Lightspeed 429s for minutes, AFAS maintenance (503) for 30 minutes,
transient 404s, the Lightspeed day budget running out mid-run, and a 404 storm longer than the
client's retries. Clocks are compressed (Lightspeed's runs 100× fast; AFAS's jumps 15 minutes between
runs, as the schedule would), and new orders keep arriving while it lasts. Afterwards the backlog must
be booked, once, and the ledger must account for every order.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from emulators.lightspeed import LightspeedConfig
from tests.reliability.conftest import now_utc, running_stack, stamp


@pytest.fixture
def storm_stack(airflow_db, tmp_path, monkeypatch):
    shop = LightspeedConfig(orders=30, rate_limits=(60, 3000, 12000))
    with running_stack(tmp_path, monkeypatch, shop=shop) as env:
        yield env


def arrive(stack, n: int, tag: str) -> None:
    """``n`` new orders, placed a moment ago (explicit times: the shop's clock runs fast)."""
    moment = stamp(now_utc() - timedelta(seconds=30))
    stack.shop_admin(
        "POST",
        "/orders",
        {
            "orders": [
                {
                    "customer": False,
                    "email": f"storm-{tag}-{i}@example.nl",
                    "lastname": "Storm",
                    "createdAt": moment,
                    "updatedAt": moment,
                }
                for i in range(n)
            ]
        },
    )


def test_backlog_catches_up_after_429s_afas_maintenance_and_transient_404s(storm_stack, tally):
    stack = storm_stack
    stack.shop_admin("POST", "/clock", {"scale": 100})  # a 5-minute rate-limit window lasts 3 s
    stack.afas_admin("POST", "/faults", {"unavailable": {"seconds": 1800}})  # 30 minutes of maintenance
    outcomes = []
    for n in range(6):
        arrive(stack, 3, str(n))
        # Every run starts into 5 minutes of Lightspeed 429s and meets transient 404s; the 60-call
        # window makes the client pace itself in between.
        stack.shop_admin("POST", "/faults", {"exhaust": "5min"})
        stack.shop_admin("POST", "/faults", {"transient_404": {"count": 3, "paths": "order"}})
        result = stack.run()
        outcomes.append(result.state)
        tally.runs["in a storm"] += 1
        if result.state == "error":
            # AFAS is down: the run stops with the typed error, as designed; a later run continues.
            assert "AfasUnavailableError" in result.error_text and "maintenance" in result.error_text
            tally.runs["in a storm: stopped cleanly while AFAS was down"] += 1
        tally.runs["in a storm, survived"] += 1
        stack.afas_admin("POST", "/clock", {"advance_seconds": 900})  # the next quarter-hour
    shop_calls, afas_calls = stack.shop_admin("GET", "/calls"), stack.afas_admin("GET", "/calls")
    tally.faults["Lightspeed 429"] += shop_calls["rate_limited"]
    tally.faults["Lightspeed transient 404"] += shop_calls["statuses"].get("404", 0)
    tally.faults["AFAS 503 (maintenance)"] += afas_calls["unavailable"]
    assert outcomes[:2] == ["error", "error"], outcomes  # AFAS down: the runs stop, nothing is lost
    assert outcomes[-1] == "success", outcomes
    assert shop_calls["rate_limited"] >= 1 and afas_calls["unavailable"] >= 2
    books = stack.books()
    tally.books("storms", books)
    assert books.clean, books
    assert books.accounted == len(stack.shop_orders())
    # Runs the outage stopped are visible as such; none moved the watermark past unbooked orders.
    runs = stack.ledger.runs("shop")
    assert sum(1 for r in runs if r["outcome"] == "success") >= 1


def test_a_404_storm_longer_than_the_retries_loses_no_order(storm_stack, tally):
    stack = storm_stack
    stack.shop_admin("POST", "/faults", {"rate_limit": {"limits": [10**6, 10**6, 10**6]}})
    # The single-order endpoint answers 404 four times in a row: more than the client retries.
    stack.shop_admin("POST", "/faults", {"transient_404": {"count": 4, "paths": "order"}})
    first = stack.run()
    tally.faults["Lightspeed 404 storm (beyond the retries)"] += 4
    tally.runs["in a storm"] += 1
    if first.state != "error":
        tally.runs["in a storm, survived"] += 1
    for _ in range(3):
        stack.run()
    books = stack.books()
    tally.books("404 storm", books)
    assert books.clean, books


def test_day_budget_spent_mid_run_resumes_exactly_where_it_stopped_the_next_day(
    airflow_db, tmp_path, monkeypatch, tally
):
    shop = LightspeedConfig(orders=30, rate_limits=(300, 3000, 18))
    with running_stack(tmp_path, monkeypatch, shop=shop) as stack:
        eligible = [o for o in stack.shop_orders() if o["status"] != "cancelled"]
        day1 = stack.run()
        tally.faults["Lightspeed day budget exhausted"] += 1
        assert day1.state == "success", day1.error_text
        assert day1.summary["outcome"] == "partial" and "day" in day1.summary["stopped_because"]
        booked_day1 = {s.order_id for s in stack.ledger.orders_with_status("shop", ["booked"])}
        assert 0 < len(booked_day1) < len(eligible)
        same_day = stack.run()  # the budget is still spent: the run stops at once, books nothing
        assert same_day.summary["outcome"] == "partial"
        assert {s.order_id for s in stack.ledger.orders_with_status("shop", ["booked"])} == booked_day1

        stack.shop_admin("POST", "/clock", {"advance_seconds": 86400})  # the next day
        stack.shop_admin("POST", "/calls/reset")
        stack.afas_admin("POST", "/calls/reset")
        day2 = stack.run()
        tally.runs["after the budget ran out"] += 3
        tally.runs["after the budget ran out, survived"] += 3
        assert day2.summary["outcome"] == "success", day2.summary
        shop_calls, afas_calls = stack.shop_admin("GET", "/calls"), stack.afas_admin("GET", "/calls")
        left = len(eligible) - len(booked_day1)
        # Exactly where it stopped: only the orders not booked yet are fetched and written.
        assert shop_calls["calls"].get("GET /{lang}/orders/{id}.json", 0) == left
        assert afas_calls["calls"].get("POST /connectors/FbSales", 0) == left
        assert afas_calls["calls"].get("PUT /connectors/FbSales", 0) == 0
        books = stack.books()
        tally.books("day budget", books)
        assert books.clean, books
