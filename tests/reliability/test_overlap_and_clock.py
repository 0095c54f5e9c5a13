"""Overlap and clock: two runs of one tenant forced to overlap (a manual run started while the
scheduled one is writing), and a night of scheduled runs across the end of summer time in
Europe/Amsterdam (2026-10-25: 02:00–03:00 local happens twice, and the API's filters take local times
without an offset)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

from tests.reliability.conftest import stamp


def test_a_manual_run_during_a_scheduled_one_books_nothing_twice(stack, tally):
    stack.reset(orders=16)
    # The scheduled run's first order insert is committed and then answered only 4 s later.
    stack.afas_admin(
        "POST", "/faults", {"hang_after_commit": {"count": 1, "connector": "FbSales", "seconds": 4}}
    )
    results = {}
    waits: list[str] = []

    def scheduled() -> None:
        results["scheduled"] = stack.run(lease_wait=60)

    first = threading.Thread(target=scheduled)
    first.start()
    try:
        deadline = time.monotonic() + 60
        while stack.afas_admin("GET", "/calls")["hung"] < 1:
            assert first.is_alive() and time.monotonic() < deadline, "the scheduled run never wrote"
            time.sleep(0.02)
        # The manual run starts while the scheduled run holds the lease and is writing orders.
        results["manual"] = stack.run(
            stack.request(run_id="manual__overlap"), lease_wait=60, lease_waits=waits
        )
    finally:
        first.join(timeout=120)
    stack.afas_admin("POST", "/faults", {"clear": True})
    tally.faults["overlapping runs"] += 1
    tally.runs["overlapping"] += 2
    assert results["scheduled"].state == "success", results["scheduled"].error_text
    assert results["manual"].state == "success", results["manual"].error_text
    tally.runs["overlapping, survived"] += 2
    assert waits, "the manual run should have had to wait for the scheduled run's lease"
    books = stack.books()
    tally.books("overlap", books)
    assert books.clean, books
    calls = stack.afas_admin("GET", "/calls")["calls"]
    booked = len(stack.afas_state()["orders"])
    assert calls.get("POST /connectors/FbSales", 0) == booked
    # The waiting run re-checks the ledger under the lease: nothing the other run booked is sent again.
    assert calls.get("PUT /connectors/FbSales", 0) == 0


def _night_orders() -> list[dict]:
    """An order every 10 minutes from 00:00 to 04:30 local on 2026-10-25, the repeated hour included."""
    start = datetime(2026, 10, 24, 22, 0, tzinfo=UTC)  # 00:00 +02:00
    out = []
    for i in range(28):
        moment = stamp(start + timedelta(minutes=10 * i))
        out.append(
            {
                "customer": False,
                "email": f"nacht{i % 7}@example.nl",
                "lastname": "Nacht",
                "createdAt": moment,
                "updatedAt": moment,
            }
        )
    return out


def test_runs_across_the_end_of_summer_time_miss_and_double_nothing(stack, tally):
    stack.tenant(start_date="2026-10-24T23:00:00+02:00")
    stack.reset(orders=0)
    created = stack.shop_admin("POST", "/orders", {"orders": _night_orders()})["orders"]
    offsets = {o["updatedAt"][-6:] for o in created}
    assert offsets == {"+02:00", "+01:00"}
    repeated = [o for o in created if "T02:" in o["updatedAt"]]
    assert len(repeated) == 12  # 02:00–02:50 local, twice
    # The scheduler's quarter-hours from 00:15 to 05:00 local, each run reading up to its interval's end.
    end = datetime(2026, 10, 24, 22, 15, tzinfo=UTC)
    run_ends = {}
    while end <= datetime(2026, 10, 25, 4, 0, tzinfo=UTC):
        result = stack.run(window_end=end, window_start=end - timedelta(minutes=15))
        assert result.state == "success", (end, result.error_text)
        run_ends[result.run_id] = end
        end += timedelta(minutes=15)
    runs = len(run_ends)
    tally.faults["DST change crossed (runs)"] += runs
    tally.runs["across the DST change"] += runs
    tally.runs["across the DST change, survived"] += runs
    books = stack.books()
    tally.books("DST", books)
    assert books.clean, books
    # Doubles nothing: one booking per order, made by one run.
    created_attempts = [h for h in stack.ledger.history("shop", limit=1000) if h["action"] == "created"]
    assert sorted(h["order_number"] for h in created_attempts) == sorted(o["number"] for o in created)
    # The filter's local times are ambiguous in the repeated hour (the API reads 02:30 as its first
    # occurrence), so orders of the second 02:xx wait for the 03:00 run; the overlap catches them all.
    updated = {o["number"]: datetime.fromisoformat(o["updatedAt"]) for o in created}
    waits = {h["order_number"]: run_ends[h["run_id"]] - updated[h["order_number"]] for h in created_attempts}
    assert max(waits.values()) <= timedelta(minutes=70), waits
    assert all(w <= timedelta(minutes=15) for n, w in waits.items() if "T02:" not in updated_raw(created, n))


def updated_raw(created: list[dict], number: str) -> str:
    return next(o["updatedAt"] for o in created if o["number"] == number)
