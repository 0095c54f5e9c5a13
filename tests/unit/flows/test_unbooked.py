"""What the orders a run could not book still hold, for the stock flow's ``subtract_unbooked``."""

from __future__ import annotations

from lightspeed_afas.domain.order_parsing import parse_order
from lightspeed_afas.domain.vocabulary import Action
from lightspeed_afas.flows.orders.results import Extracted, ToBook
from lightspeed_afas.flows.orders.unbooked import holds_after_run, order_holds
from lightspeed_afas.ledger import OrderOutcome
from tests.support.builders import raw_line, raw_order
from tests.unit.domain.test_booking import rules


def order(order_id: int, status: str = "processing_awaiting_shipment", lines=None):
    return parse_order(raw_order(lines=lines, id=order_id, number=f"ORD{order_id}", status=status))


def test_an_order_holds_its_item_quantities_by_the_code_the_booking_uses():
    lines = [
        raw_line(id=1, articleCode=" art-1 ", quantityOrdered=2),
        raw_line(id=2, articleCode="ART-1", quantityOrdered=1),
        raw_line(id=3, articleCode="", sku="", ean="871", quantityOrdered=4),
    ]
    assert order_holds(order(1, lines=lines), rules()) == {"ART-1": 3, "871": 4}


def test_a_cancelled_order_holds_nothing():
    assert order_holds(order(1, status="cancelled"), rules()) == {}


def test_failed_orders_hold_booked_ones_release_and_unchanged_ones_are_left_as_they_are():
    extracted = Extracted()
    for oid in (1, 2, 3, 4):
        extracted.to_book.append(ToBook.of(order(oid), f"h{oid}", "insert"))
    stored = [
        OrderOutcome(1, "ORD1", "u", Action.FAILED, "h1", reason="AFAS said no"),
        OrderOutcome(2, "ORD2", "u", Action.CREATED, "h2"),
        OrderOutcome(3, "ORD3", "u", Action.QUARANTINED, "h3", reason="again"),
        OrderOutcome(4, "ORD4", "u", Action.UNCHANGED, "h4"),
    ]
    holds = holds_after_run(extracted, stored, rules())
    assert set(holds) == {1, 2, 3}
    assert holds[2] == {} and holds[1] and holds[3] == holds[1]
