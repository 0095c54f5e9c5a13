"""Turning a webshop order into an AFAS sales document, to the cent.

``build_document`` applies a tenant's ``BookingRules`` to one ``WebshopOrder`` and returns the document
or raises ``BookingError`` with a reason the data team can act on: product lines, then one cost line per
kind (the order discount split per VAT rate, shipping, payment costs), then a rounding line when per-line
VAT rounding leaves a cent. Pure: no network, no Airflow — so it is fast and tested on its own.
"""

from __future__ import annotations

import string
from collections.abc import Iterator
from decimal import Decimal

from lightspeed_afas.afas.field_values import cents
from lightspeed_afas.afas.sales_documents import SalesDocument, SalesLine
from lightspeed_afas.domain.booking_rules import (
    ITEM_CODE_FIELDS,
    REMARK_FIELDS,
    BookingError,
    BookingRules,
)
from lightspeed_afas.domain.line_amounts import (
    choose_line_semantics,
    excl_total,
    line_totals,
    split_discount,
    unit_price,
)
from lightspeed_afas.domain.webshop_order import OrderLine, WebshopOrder

__all__ = ["REMARK_FIELDS", "BookingError", "BookingRules", "build_document", "render_remark"]

# AFAS's field lengths for what comes from the webshop unshortened (schema of FbSales / FbDirectInvoice):
# cutting either would book under another item or another reference, so the order fails instead.
MAX_REFERENCE = 100  # RfCs
MAX_ITEM_CODE = 40  # ItCd
MAX_DESCRIPTION = 255  # Ds
# Per cost kind: what an error calls the costs, and what a VAT-code error calls the line.
COST_NAMES = {
    "discount": ("order discount", "order discount"),
    "shipping": ("shipping costs", "shipping"),
    "payment_fee": ("payment costs", "payment"),
}


def item_code(line: OrderLine, rules: BookingRules) -> str:
    """The line's AFAS item code: the first of the rules' item-code fields the webshop filled."""
    for name in rules.item_code_fields:
        value = getattr(line, ITEM_CODE_FIELDS[name])
        if value:
            if len(value) > MAX_ITEM_CODE:
                raise BookingError(
                    f"line '{line.description}' (id {line.id}): its item code ({name}) is {len(value)} "
                    f"characters long; AFAS item codes have at most {MAX_ITEM_CODE}"
                )
            return value
    raise BookingError(
        f"line '{line.description}' (id {line.id}) has no item code: "
        f"{', '.join(rules.item_code_fields)} are all empty in the webshop."
    )


def build_document(order: WebshopOrder, debtor_id: str, rules: BookingRules) -> SalesDocument:
    """The AFAS document for ``order`` on ``debtor_id``, checked against the webshop total to the cent."""
    if not order.lines:
        raise BookingError("the order has no lines")
    if len(order.number) > MAX_REFERENCE:
        raise BookingError(
            f"the order number is {len(order.number)} characters long; AFAS's reference field (RfCs) "
            f"holds at most {MAX_REFERENCE}"
        )
    semantics = choose_line_semantics(order, rules)
    totals = line_totals(order, semantics)
    lines = _product_lines(order, rules, semantics, totals)
    lines += _cost_lines(order, rules, totals)
    return _balance(order, _document(order, debtor_id, rules, lines), rules)


def _product_lines(
    order: WebshopOrder, rules: BookingRules, semantics: str, totals: list[Decimal]
) -> list[SalesLine]:
    lines: list[SalesLine] = []
    for line, total in zip(order.lines, totals, strict=True):
        what = f"line '{line.description}'"
        if line.quantity <= 0:
            raise BookingError(f"{what}: quantity {line.quantity} is not positive")
        if total < 0:
            raise BookingError(f"{what}: negative amount {total}")
        booked = total if rules.prices_incl_vat else excl_total(line, semantics)
        lines.append(
            SalesLine(
                kind="product",
                item_type=rules.item_types["product"],
                item_code=item_code(line, rules),
                description=line.description[:MAX_DESCRIPTION],
                unit=rules.article_unit,
                quantity=Decimal(line.quantity),
                unit_price=unit_price(booked, line.quantity, what),
                vat_code=rules.vat_code(line.tax_rate, what),
            )
        )
    return lines


def _costs(
    order: WebshopOrder, rules: BookingRules, totals: list[Decimal]
) -> Iterator[tuple[str, str, str, Decimal, Decimal]]:
    """The order's costs as (kind, item code, title, amount incl. VAT, VAT rate), the discount once per
    VAT rate. Lazily, so the errors come in the order of the lines: a kind's item code, then its VAT code."""
    if order.discount_amount < 0:
        raise BookingError(f"discountAmount {order.discount_amount} is negative")
    if order.discount_amount:
        code = rules.cost_item("discount", COST_NAMES["discount"][0])
        title = f"Korting {order.discount_code}".strip() if order.discount_code else "Korting"
        for rate, share in sorted(split_discount(order, totals).items(), reverse=True):
            yield "discount", code, title, -share, rate
    for kind, title, total, rate in (
        (
            "shipping",
            order.shipment_title or "Verzendkosten",
            order.shipment_price_incl,
            order.shipment_tax_rate,
        ),
        (
            "payment_fee",
            order.payment_title or "Betaalkosten",
            order.payment_price_incl,
            order.payment_tax_rate,
        ),
    ):
        if total:
            yield kind, rules.cost_item(kind, COST_NAMES[kind][0]), title, total, rate


def _cost_lines(order: WebshopOrder, rules: BookingRules, totals: list[Decimal]) -> list[SalesLine]:
    return [
        _cost_line(rules, kind, code, title, total, rate, COST_NAMES[kind][1])
        for kind, code, title, total, rate in _costs(order, rules, totals)
    ]


def _cost_line(
    rules: BookingRules, kind: str, code: str, title: str, total: Decimal, rate: Decimal, what: str
) -> SalesLine:
    """A cost line of one unit; in excl. VAT mode its price is the incl. amount without VAT."""
    price = cents(total) if rules.prices_incl_vat else cents(total / (1 + rate))
    return SalesLine(
        kind=kind,
        item_type=rules.item_types[kind],
        item_code=code,
        description=title[:MAX_DESCRIPTION],
        unit=rules.cost_unit,
        quantity=Decimal(1),
        unit_price=price,
        vat_code=rules.vat_code(rate, what),
    )


def _document(
    order: WebshopOrder, debtor_id: str, rules: BookingRules, lines: list[SalesLine]
) -> SalesDocument:
    when = order.updated_at if rules.order_date_source == "updatedAt" else order.created_at
    return SalesDocument(
        connector=rules.connector,  # type: ignore[arg-type]
        debtor_id=debtor_id,
        order_date=when.date(),
        reference=order.number,
        administration=rules.administration,
        prices_incl_vat=rules.prices_incl_vat,
        remark=render_remark(rules.remark_template, order),
        journal=rules.journal,
        project=rules.project,
        warehouse=rules.warehouse,
        payment_type=payment_type(order, rules),
        currency=rules.currency,
        lines=tuple(lines),
    )


def _balance(order: WebshopOrder, document: SalesDocument, rules: BookingRules) -> SalesDocument:
    rates = {code: rate for rate, code in rules.vat_codes.items()}
    booked = document.total_incl(rates)
    expected = cents(order.price_incl)
    difference = expected - booked
    if not difference:
        return document
    rounding_item = rules.items.get("rounding")
    if rules.rounding_mode == "book_line" and rounding_item and abs(difference) <= rules.rounding_tolerance:
        # VAT rate 0: the price is the difference itself, in both VAT modes.
        line = _cost_line(
            rules,
            "rounding",
            rounding_item,
            "Afrondingsverschil btw",
            difference,
            Decimal(0),
            "rounding line",
        )
        return SalesDocument(**{**document.__dict__, "lines": (*document.lines, line)})
    raise BookingError(
        f"the AFAS lines add up to {booked} but the webshop total is {expected} (difference {difference}). "
        + (
            "The difference exceeds the rounding tolerance."
            if abs(difference) > rules.rounding_tolerance
            else "Set afas.items.rounding and rounding.mode book_line to book it as a rounding line."
        )
    )


def payment_type(order: WebshopOrder, rules: BookingRules) -> str | None:
    """The AFAS payment type of the first keyword found in the order's payment id or title."""
    haystack = f"{order.payment_id} {order.payment_title}".lower()
    for keyword, code in rules.payment_types.items():
        if keyword.lower() in haystack:
            return code
    return None


def render_remark(template: str, order: WebshopOrder) -> str:
    """The order remark (Re): ``template`` with the ``REMARK_FIELDS`` placeholders filled."""
    values = {
        "number": order.number,
        "comment": order.comment,
        "payment_title": order.payment_title,
        "shipment_title": order.shipment_title,
        "discount_code": order.discount_code,
        "customer_name": order.company_name or order.full_name,
    }
    return string.Formatter().vformat(template, (), values).strip()
