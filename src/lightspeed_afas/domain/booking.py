"""Turning a webshop order into an AFAS sales document, to the cent.

``BookingRules`` is everything the mapping rules and the tenant decide, flattened; ``build_document``
applies it to one ``WebshopOrder`` and returns the document or raises ``BookingError`` with a reason
the data team can act on. Pure: no network, no Airflow — so it is fast and tested on its own.
"""

from __future__ import annotations

import string
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from lightspeed_afas.afas.payloads import SalesDocument, SalesLine
from lightspeed_afas.domain.webshop_order import OrderLine, WebshopOrder

CENT = Decimal("0.01")
# AFAS's field lengths for what comes from the webshop unshortened (schema of FbSales / FbDirectInvoice):
# cutting either would book under another item or another reference, so the order fails instead.
MAX_REFERENCE = 100  # RfCs
MAX_ITEM_CODE = 40  # ItCd
# The placeholders render_remark fills; the mapping rules allow exactly these in remark_template.
REMARK_FIELDS = ("number", "comment", "payment_title", "shipment_title", "discount_code", "customer_name")
ITEM_CODE_FIELDS = {"articleCode": "article_code", "sku": "sku", "ean": "ean"}


class BookingError(ValueError):
    """The order cannot be booked as it is; the message says why and what to fix."""


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


def rate_key(rate: Decimal) -> Decimal:
    """Tax rates as the mapping keys them: a fraction normalised (0.210 == 0.21, 0 == 0.00)."""
    return rate.normalize() if rate else Decimal("0")


@dataclass(frozen=True)
class BookingRules:
    document: str  # "sales_order" | "direct_invoice"
    administration: int
    journal: str | None
    project: str | None
    warehouse: str | None
    currency: str | None
    items: dict[str, str | None]  # line kind -> item code (discount, shipping, payment_fee, rounding)
    item_code_fields: tuple[str, ...] = ("articleCode", "sku", "ean")
    article_unit: str = "STK"
    cost_unit: str = "*****"
    item_types: dict[str, str] = field(
        default_factory=lambda: {
            "product": "2",
            "discount": "6",
            "shipping": "6",
            "payment_fee": "6",
            "rounding": "6",
        }
    )
    vat_codes: dict[Decimal, str] = field(default_factory=dict)  # rate (fraction) -> VaRc
    payment_types: dict[str, str] = field(default_factory=dict)  # keyword in paymentId/title -> PaTp
    prices_incl_vat: bool = True
    order_date_source: str = "createdAt"  # or updatedAt
    remark_template: str = "Webshop order {number}\n{comment}"
    line_price_semantics: str = "auto"  # auto | unit | line_total
    rounding_mode: str = "book_line"  # book_line | fail
    rounding_tolerance: Decimal = Decimal("0.02")

    @property
    def connector(self) -> str:
        return "FbDirectInvoice" if self.document == "direct_invoice" else "FbSales"

    def vat_code(self, rate: Decimal, what: str) -> str:
        code = self.vat_codes.get(rate_key(rate))
        if code is None:
            known = ", ".join(str(r) for r in sorted(self.vat_codes)) or "none"
            raise BookingError(
                f"{what}: VAT rate {rate} has no AFAS VAT code in the mapping rules (known rates: {known}). "
                "Add it under vat_codes."
            )
        return code


def item_code(line: OrderLine, rules: BookingRules) -> str:
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


def _excl_total(line: OrderLine, semantics: str) -> Decimal:
    return cents(line.price_excl * line.quantity) if semantics == "unit" else cents(line.price_excl)


def _line_totals(order: WebshopOrder, semantics: str) -> list[Decimal]:
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
        if sum(_line_totals(order, semantics), Decimal("0")) == target:
            return semantics
    return "line_total"  # neither adds up: the total check below reports the difference


def _split_discount(order: WebshopOrder, line_totals: list[Decimal]) -> dict[Decimal, Decimal]:
    """The order discount per VAT rate, in proportion to the goods at that rate (Dutch VAT practice)."""
    by_rate: dict[Decimal, Decimal] = defaultdict(Decimal)
    for line, total in zip(order.lines, line_totals, strict=True):
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


def _unit_price(total: Decimal, quantity: int, what: str) -> Decimal:
    unit = (total / quantity).quantize(Decimal("0.0001"), ROUND_HALF_UP)
    if cents(unit * quantity) != total:
        raise BookingError(f"{what}: line total {total} cannot be split over quantity {quantity} to the cent")
    return unit


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
    totals = _line_totals(order, semantics)
    lines: list[SalesLine] = []
    for line, total in zip(order.lines, totals, strict=True):
        what = f"line '{line.description}'"
        if line.quantity <= 0:
            raise BookingError(f"{what}: quantity {line.quantity} is not positive")
        if total < 0:
            raise BookingError(f"{what}: negative amount {total}")
        lines.append(
            SalesLine(
                kind="product",
                item_type=rules.item_types["product"],
                item_code=item_code(line, rules),
                description=line.description[:255],
                unit=rules.article_unit,
                quantity=Decimal(line.quantity),
                unit_price=_unit_price(
                    total if rules.prices_incl_vat else _excl_total(line, semantics), line.quantity, what
                ),
                vat_code=rules.vat_code(line.tax_rate, what),
            )
        )
    if order.discount_amount < 0:
        raise BookingError(f"discountAmount {order.discount_amount} is negative")
    if order.discount_amount:
        code = _cost_item(rules, "discount", "order discount")
        for rate, share in sorted(_split_discount(order, totals).items(), reverse=True):
            label = f"Korting {order.discount_code}".strip() if order.discount_code else "Korting"
            lines.append(_cost_line(rules, "discount", code, label, -share, rate, "order discount"))
    if order.shipment_price_incl:
        code = _cost_item(rules, "shipping", "shipping costs")
        title = order.shipment_title or "Verzendkosten"
        lines.append(
            _cost_line(
                rules, "shipping", code, title, order.shipment_price_incl, order.shipment_tax_rate, "shipping"
            )
        )
    if order.payment_price_incl:
        code = _cost_item(rules, "payment_fee", "payment costs")
        title = order.payment_title or "Betaalkosten"
        lines.append(
            _cost_line(
                rules, "payment_fee", code, title, order.payment_price_incl, order.payment_tax_rate, "payment"
            )
        )
    document = _document(order, debtor_id, rules, lines)
    return _balance(order, document, rules)


def _cost_item(rules: BookingRules, kind: str, what: str) -> str:
    code = rules.items.get(kind)
    if not code:
        raise BookingError(
            f"the order has {what} but the tenant sets no item code for them (afas.items.{kind})"
        )
    return code


def _cost_line(
    rules: BookingRules,
    kind: str,
    code: str,
    title: str,
    total: Decimal,
    rate: Decimal,
    what: str,
) -> SalesLine:
    """A cost line of one unit; in excl. VAT mode its price is the incl. amount without VAT."""
    price = cents(total) if rules.prices_incl_vat else cents(total / (1 + rate))
    return SalesLine(
        kind=kind,
        item_type=rules.item_types[kind],
        item_code=code,
        description=title[:255],
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
        line = SalesLine(
            kind="rounding",
            item_type=rules.item_types["rounding"],
            item_code=rounding_item,
            description="Afrondingsverschil btw",
            unit=rules.cost_unit,
            quantity=Decimal(1),
            unit_price=difference,
            vat_code=rules.vat_code(Decimal("0"), "rounding line"),
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
    haystack = f"{order.payment_id} {order.payment_title}".lower()
    for keyword, code in rules.payment_types.items():
        if keyword.lower() in haystack:
            return code
    return None


def render_remark(template: str, order: WebshopOrder) -> str:
    values = {
        "number": order.number,
        "comment": order.comment,
        "payment_title": order.payment_title,
        "shipment_title": order.shipment_title,
        "discount_code": order.discount_code,
        "customer_name": order.company_name or order.full_name,
    }
    return string.Formatter().vformat(template, (), values).strip()
