"""A Lightspeed credit note (an invoice with ``isCreditNote``) as the credit-notes flow sees it, read from
``invoices/{id}.json`` and its ``items`` (reference erp-extras §1.6).

What the reference leaves open, and how this reads it whatever the shop does:

- **Signs.** The doc example's header amounts are positive; the items' signs are uncertain. Here a
  credit is always in *refund* orientation: a product, shipping or payment line refunds a positive
  amount, a discount line a negative one. The readings tried: items as sent, discount items turned,
  every item turned (the shop sent them negative), both; the first whose items add up to the header
  total wins. When none does, the credit note fails with both figures.
- **Item types.** ``product`` lines carry item codes (and an ``orderProductId``); the shipping and payment
  lines are known by their ``type`` (``shipment``/``shipping``, ``payment``) or their placeholder title
  (``_shipmentcosts_``, ``_paymentcosts_``); ``discount`` lines by type or title. Any other type fails
  the credit note, naming it — never booked as a guess.
- **Amounts.** ``priceIncl``/``priceExcl`` of an item are its line total (quantity × base price − line
  discount), as on order lines.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from lightspeed_afas.domain.lightspeed_values import (
    OrderDataError,
    identifier,
    money,
    resource_id,
    text,
    timestamp,
    truthy,
)
from lightspeed_afas.domain.webshop_order import plain

KINDS = ("product", "shipping", "payment", "discount")
_TYPE_KINDS = {
    "product": "product",
    "products": "product",
    "shipment": "shipping",
    "shipping": "shipping",
    "shipmentcosts": "shipping",
    "payment": "payment",
    "paymentcosts": "payment",
    "discount": "discount",
}
_TITLE_KINDS = {
    "_shipmentcosts_": "shipping",
    "_shippingcosts_": "shipping",
    "_paymentcosts_": "payment",
    "_discount_": "discount",
}


class CreditNoteError(ValueError):
    """The credit note cannot be booked as the shop gives it; the message says why."""


@dataclass(frozen=True)
class CreditLine:
    """One item of a credit note, in refund orientation (see the module)."""

    id: int
    kind: str  # product, shipping, payment, discount
    title: str
    variant: str
    article_code: str
    sku: str
    ean: str
    quantity: int
    tax_rate: Decimal
    price_incl: Decimal  # line total
    price_excl: Decimal
    order_line_id: int | None = None

    @property
    def description(self) -> str:
        return f"{self.title} - {self.variant}" if self.variant else self.title


@dataclass(frozen=True)
class CreditNote:
    id: int
    number: str
    created_at: datetime
    updated_at: datetime
    updated_at_raw: str
    order_id: int | None
    invoice_id: int | None  # the original invoice
    price_incl: Decimal  # the refund, positive
    price_excl: Decimal
    vat_shifted: bool
    lines: tuple[CreditLine, ...] = field(default_factory=tuple)
    turned: bool = False  # the shop sent the items negative

    def content_hash(self) -> str:
        """Hash of what the booking depends on (not ``updatedAt``, not the status)."""
        content = plain(self)
        for volatile in ("updated_at", "updated_at_raw"):
            content.pop(volatile)
        blob = json.dumps(content, sort_keys=True, default=str, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()

    def to_json(self) -> dict[str, Any]:
        return plain(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CreditNote:
        d = dict(data)
        for key in ("created_at", "updated_at"):
            d[key] = datetime.fromisoformat(d[key])
        for key in ("price_incl", "price_excl"):
            d[key] = Decimal(d[key])
        d["lines"] = tuple(
            CreditLine(
                **{
                    k: (Decimal(v) if k in ("tax_rate", "price_incl", "price_excl") else v)
                    for k, v in ln.items()
                }
            )
            for ln in d["lines"]
        )
        return cls(**d)


def is_credit_note(raw: dict[str, Any]) -> bool:
    return truthy(raw.get("isCreditNote"))


def parse_credit_note(raw: dict[str, Any], items: list[dict[str, Any]]) -> CreditNote:
    """The credit note of ``invoices/{id}.json`` and its items; ``OrderDataError`` names an unusable
    field, ``CreditNoteError`` says why the items do not make a credit."""
    note_id = identifier(raw.get("id"), "id")
    if not is_credit_note(raw):
        raise CreditNoteError(f"invoice {note_id} is not a credit note (isCreditNote is not true)")
    lines = tuple(_line(item, i) for i, item in enumerate(items))
    note = CreditNote(
        id=note_id,
        number=text(raw.get("number")) or str(note_id),
        created_at=timestamp(raw.get("createdAt"), "createdAt"),
        updated_at=timestamp(raw.get("updatedAt"), "updatedAt"),
        updated_at_raw=text(raw.get("updatedAt")),
        order_id=resource_id(raw.get("order")),
        invoice_id=resource_id(raw.get("invoice")),
        price_incl=abs(money(raw.get("priceIncl"), "priceIncl", default=None)),
        price_excl=abs(money(raw.get("priceExcl"), "priceExcl")),
        vat_shifted=truthy(raw.get("isVatShifted")),
        lines=lines,
    )
    return _oriented(note)


def _line(raw: dict[str, Any], index: int) -> CreditLine:
    where = f"item {index + 1}"
    kind = _kind(raw, where)
    quantity = money(raw.get("quantity"), f"{where}: quantity")
    if quantity != quantity.to_integral_value():
        raise OrderDataError(f"{where}: quantity {quantity} is not a whole number")
    order_line = raw.get("orderProductId")
    return CreditLine(
        id=identifier(raw.get("id"), f"{where}: id"),
        kind=kind,
        title=text(raw.get("title")),
        variant=text(raw.get("variant")),
        article_code=text(raw.get("articleCode")),
        sku=text(raw.get("sku")),
        ean=text(raw.get("ean")),
        quantity=int(quantity),
        tax_rate=money(raw.get("taxRate"), f"{where}: taxRate"),
        price_incl=money(raw.get("priceIncl"), f"{where}: priceIncl", default=None),
        price_excl=money(raw.get("priceExcl"), f"{where}: priceExcl"),
        order_line_id=identifier(order_line, f"{where}: orderProductId") if order_line else None,
    )


def _kind(raw: dict[str, Any], where: str) -> str:
    kind_text = text(raw.get("type")).strip().lower()
    title = text(raw.get("title")).strip().lower()
    if title in _TITLE_KINDS:
        return _TITLE_KINDS[title]
    if kind_text in _TYPE_KINDS:
        return _TYPE_KINDS[kind_text]
    if not kind_text and raw.get("orderProductId"):
        return "product"
    raise CreditNoteError(
        f"{where} has type {kind_text or '(none)'!r}, which the connector does not know how to book "
        f"(known: product, shipment, payment, discount); nothing was booked"
    )


# The readings of the items' signs tried, in order: (all items' sign, discount items' own sign).
_READINGS = ((1, 1), (1, -1), (-1, 1), (-1, -1))


def _oriented(note: CreditNote) -> CreditNote:
    """The note with its items in refund orientation (a refund positive, a discount negative), under
    the first reading of the signs whose items add up to the total; CreditNoteError when none does."""
    if not note.lines:
        raise CreditNoteError("the credit note has no items")
    for all_sign, discount_sign in _READINGS:
        signs = [all_sign * (discount_sign if ln.kind == "discount" else 1) for ln in note.lines]
        if sum(sign * ln.price_incl for sign, ln in zip(signs, note.lines, strict=True)) == note.price_incl:
            lines = tuple(_turned(ln, sign) for sign, ln in zip(signs, note.lines, strict=True))
            return replace(note, lines=lines, turned=all_sign < 0)
    raise CreditNoteError(
        f"the credit note's items add up to {sum(ln.price_incl for ln in note.lines)} but its total "
        f"(priceIncl) is {note.price_incl}; it is not booked until they agree"
    )


def _turned(line: CreditLine, sign: int) -> CreditLine:
    turned = replace(
        line,
        quantity=abs(line.quantity),
        price_incl=sign * line.price_incl,
        price_excl=sign * line.price_excl,
    )
    wrong = turned.price_incl > 0 if line.kind == "discount" else turned.price_incl < 0
    if wrong:
        raise CreditNoteError(
            f"item {line.id} ({line.kind}) would {'add' if line.kind == 'discount' else 'take off'} "
            f"{abs(turned.price_incl)}: its sign contradicts the rest of the credit note"
        )
    return turned
