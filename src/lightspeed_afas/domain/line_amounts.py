"""The amounts of an order's lines, to the cent: which reading of a line price adds up, the unit price
of a line total, and the order discount split over the VAT rates."""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from lightspeed_afas.afas.field_values import cents
from lightspeed_afas.domain.booking_rules import BookingError, BookingRules, rate_key
from lightspeed_afas.domain.webshop_order import OrderLine, WebshopOrder

UNIT_PRICE = Decimal("0.0001")


def excl_total(line: OrderLine, semantics: str) -> Decimal:
    """The line's amount excl. VAT under ``semantics`` (``unit`` or ``line_total``)."""
    return cents(line.price_excl * line.quantity) if semantics == "unit" else cents(line.price_excl)


def line_totals(order: WebshopOrder, semantics: str) -> list[Decimal]:
    """Each line's amount incl. VAT under ``semantics`` (``unit`` or ``line_total``)."""
    if semantics == "unit":
        return [cents(ln.price_incl * ln.quantity) for ln in order.lines]
    return [cents(ln.price_incl) for ln in order.lines]


def _expected_without_lines(order: WebshopOrder) -> Decimal:
    return order.shipment_price_incl + order.payment_price_incl - order.discount_amount


def choose_line_semantics(order: WebshopOrder, rules: BookingRules) -> str:
    """Whether a line's ``priceIncl`` is the line total or the unit price, per the rules or the total.

    The reference leaves it open; with ``auto`` the order's own total decides (both readings agree when
    every quantity is 1).
    """
    if rules.line_price_semantics != "auto":
        return rules.line_price_semantics
    target = cents(order.price_incl) - _expected_without_lines(order)
    for semantics in ("line_total", "unit"):
        if sum(line_totals(order, semantics), Decimal("0")) == target:
            return semantics
    return "line_total"  # neither adds up: the total check reports the difference


def split_discount(order: WebshopOrder, totals: list[Decimal]) -> dict[Decimal, Decimal]:
    """The order discount per VAT rate, in proportion to the goods at that rate (Dutch VAT practice)."""
    by_rate: dict[Decimal, Decimal] = defaultdict(Decimal)
    for line, total in zip(order.lines, totals, strict=True):
        by_rate[rate_key(line.tax_rate)] += total
    goods = sum(by_rate.values(), Decimal("0"))
    if goods <= 0:
        raise BookingError(f"order discount {order.discount_amount} on an order without goods to discount")
    shares: dict[Decimal, Decimal] = {}
    remaining = order.discount_amount
    rates = sorted(by_rate, reverse=True)
    for rate in rates[:-1]:
        share = cents(order.discount_amount * by_rate[rate] / goods)
        shares[rate] = share
        remaining -= share
    shares[rates[-1]] = remaining
    return {r: s for r, s in shares.items() if s}


def unit_price(total: Decimal, quantity: int, what: str) -> Decimal:
    """``total`` over ``quantity`` to four decimals; BookingError when that does not give back the cent."""
    unit = (total / quantity).quantize(UNIT_PRICE, ROUND_HALF_UP)
    if cents(unit * quantity) != total:
        raise BookingError(f"{what}: line total {total} cannot be split over quantity {quantity} to the cent")
    return unit
