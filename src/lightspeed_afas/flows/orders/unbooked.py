"""What the orders a run could not book still hold, for the stock flow: item code and quantity per order.

The AFAS stock figure cannot know a webshop order that is not in AFAS yet; the stock flow subtracts
these holds (``stock.subtract_unbooked``). An order that failed or is quarantined holds its lines; one
that was booked, deleted, skipped or cancelled releases them. Codes are the AFAS item codes the booking
would use, normalised the way the stock flow compares them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from lightspeed_afas.domain.booking import BookingError, BookingRules, item_code
from lightspeed_afas.domain.stock import normalise_code
from lightspeed_afas.domain.vocabulary import PROBLEMS, Action
from lightspeed_afas.domain.webshop_order import WebshopOrder
from lightspeed_afas.flows.orders.results import Extracted
from lightspeed_afas.ledger import OrderOutcome

RELEASES = frozenset({Action.CREATED, Action.UPDATED, Action.DELETED, Action.SKIPPED})


def order_holds(order: WebshopOrder, rules: BookingRules) -> dict[str, int]:
    """The quantity per item code ``order`` holds in the shop (none when it is cancelled)."""
    if order.status == "cancelled":
        return {}
    holds: dict[str, int] = defaultdict(int)
    for line in order.lines:
        try:
            code = normalise_code(item_code(line, rules))
        except BookingError:
            code = next((normalise_code(c) for c in (line.article_code, line.sku, line.ean) if c), None)
        if code and line.quantity > 0:
            holds[code] += line.quantity
    return dict(holds)


def holds_after_run(
    extracted: Extracted, stored: Sequence[OrderOutcome], rules: BookingRules
) -> dict[int, dict[str, int]]:
    """Per order id that this run settled one way or the other: what it holds now ({} = released)."""
    orders = {item.order.id: item.order for item in extracted.to_book}
    holds: dict[int, dict[str, int]] = {}
    for outcome in stored:
        order = orders.get(outcome.order_id)
        if outcome.action in PROBLEMS and order is not None:
            holds[outcome.order_id] = order_holds(order, rules)
        elif outcome.action in RELEASES:
            holds[outcome.order_id] = {}
    return holds
