"""The end-of-run report: new versus known failures, and a re-sync's result per order number."""

from __future__ import annotations

from lightspeed_afas.domain.vocabulary import Operation
from lightspeed_afas.flows.orders.results import Extracted, OrderOperation, Transformed
from lightspeed_afas.flows.orders.run_report import requested_results
from lightspeed_afas.flows.request import RunRequest
from lightspeed_afas.ledger import OrderOutcome


def resync(*numbers: str, dry_run: bool = False) -> RunRequest:
    return RunRequest("manual__1", "orders", None, None, numbers, dry_run)


def test_each_number_asked_for_gets_a_row_in_the_order_asked():
    extracted = Extracted(
        complete=False,
        stopped_because="the Lightspeed day budget is spent",
        requested={"ORD9": {"result": "not found", "reason": "Lightspeed has no order with this number"}},
    )
    stored = [
        OrderOutcome(1, "ORD1", "u", "skipped", reason="cancelled in the webshop and not in AFAS"),
        OrderOutcome(2, "ORD2", "u", "created", afas_order_number="6001"),
    ]
    rows = requested_results(resync("ORD2", "ORD1", "ORD9", "ORD3"), extracted, None, stored)
    assert [(r["order"], r["result"], r["afas_order"]) for r in rows] == [
        ("ORD2", "booked", "6001"),
        ("ORD1", "cancelled", "-"),
        ("ORD9", "not found", "-"),
        ("ORD3", "not reached", "-"),
    ]
    assert rows[3]["reason"] == "the Lightspeed day budget is spent"


def test_a_dry_run_says_what_would_happen():
    transformed = Transformed([OrderOperation(1, "ORD1", "u", "h", Operation.INSERT)])
    (row,) = requested_results(resync("ORD1", dry_run=True), Extracted(), transformed, [])
    assert row["result"] == "would be booked (dry run)"
