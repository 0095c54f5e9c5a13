"""Invoices, credit notes and their items: state per shop, rendering, the public routes and their admin
API (erp-extras §1.6, §1.10, §3 items 11–12).

Public (the order routes' auth, rate limits, language and faults):
  GET  /{lang}/invoices.json                 page (1-based), limit (default 50, max 250), order, customer,
                                             fields (+ updated_at_min/max, created_at_min/max per
                                             ``invoice_date_filters``, isCreditNote per
                                             ``invoice_credit_filter``) → {"invoices": […]}, newest id first
  GET  /{lang}/invoices/count.json           the same filters → {"count": n}
  GET  /{lang}/invoices/{id}.json            {"invoice": …}; unknown: 404 "Invoice not found"
  GET  /{lang}/invoices/{id}/items.json      page, limit → {<``invoice_items_root``>: […]}
  GET  /{lang}/invoices/{id}/items/count.json  {"count": n}
  GET  /{lang}/invoices/{id}/items/{itemId}.json  {"invoiceItem": …}; not of that invoice: 404
  POST /{lang}/orders/{id}/credit.json       {"credit": {creditPayment, creditShipment, notifyNew,
                                             updateStock (bools, default false), orderProducts: [{id:
                                             <order line id>, quantity}]}} → ``create_status`` (201)
                                             {<``credit_response``>: the new credit note}
``order`` and ``customer`` take an id (anything else: 400); ``order`` is [V], ``customer`` [D]. The date
filters take the order filters' format and time zone. A ``drop_after_post`` fault loses the credit's
answer after it was applied.

Invoices (state in ``InvoiceBook``, one per shop, dropped by a reseed): an order gets its invoice when
asked (``POST /_admin/orders/{id}/invoice``) or when it is first credited; ids count up from 1742001,
items from 7041101, numbers "INV00001", "INV00002", … shared by invoices and credit notes.
- An invoice has one ``product`` item per order line (``orderProductId`` the line id, the line's
  codes, ``title`` its productTitle, ``variant`` its variantTitle), a shipping item unless the order is
  picked up (title ``"_shipmentcosts_"`` [U], ``variant`` the shipment title) and always a payment item
  (title ``"_paymentcosts_"`` [D], ``variant`` the payment title; 0 when the method is free, as in the
  doc example). ``status`` "paid" when the order's paymentStatus is "paid", else "not_paid".
- Item money follows the order lines (``money``): ``basePrice*`` the unit price, ``priceIncl =
  quantity × basePriceIncl − discountIncl`` exactly; ``priceExcl`` is the line's excl. total (VAT per
  line, so it can differ a cent from ``quantity × basePriceExcl``) minus ``discountExcl``. The order
  discount is spread over the product items (per VAT rate as ``money`` does, then over the rate's lines
  pro rata, the last line taking the remainder), so Σ items = the order's ``priceIncl``/``priceExcl``.
  Items are always line totals (``line_price_semantics`` only concerns order lines).
- A credit (``credit_order``) checks strictly: unknown order 404; a body that is not ``{"credit":
  {…}}`` with the fields above (unknown fields, wrong types, duplicate or non-positive ids, quantity < 1)
  400; an id that is not a line of the order (or not on its invoice) 400 naming it; more than ordered −
  already refunded 400; nothing to credit 400. It makes the order's invoice if it has none, then a
  credit note: ``isCreditNote`` true, ``invoice`` a link to the original, ``order``/``customer`` the
  original's, status "not_paid", ``doNotifyNew`` = notifyNew, one item per credited line (quantity n,
  amounts n/ordered of the invoiced line's — gross and discount, incl. and excl., each rounded to cents;
  the credit that takes the last units takes the remainder, so several credits sum exactly to the
  line), the shipping item when creditShipment and its cost (> 0) was not credited yet, the payment
  item likewise with creditPayment. Header ``priceExcl``/``priceIncl`` = Σ items, positive. The line's
  ``quantityRefunded`` goes up and the order's ``updatedAt`` moves to now (at least +1 s); its
  statuses stay. ``updateStock`` is accepted and recorded; stock does not move ([U]).
- Webhook events (``webhooks``): a new invoice or credit note is ``invoices``/``created``; an admin PUT,
  or a credit under ``credited_invoice_link`` "link", ``invoices``/``updated`` of that invoice; a credit
  is also ``orders``/``updated``.

Rules (``VariantRules`` in ``config``; ``POST /_admin/variant_rules``; first value = default):
- ``invoice_date_filters`` apply|ignore|refuse: ``updated_at_*``/``created_at_*`` on the list are
  applied | not read at all (the whole list comes back) | a 400 "Unknown filter: …". The default is
  "apply", not the strictest: see ``config``.
- ``invoice_credit_filter`` ignore|apply|refuse: ``isCreditNote`` (true/false/1/0) is not read |
  applied | a 400.
- ``invoice_items_root`` invoiceItems|invoiceItem|items: the items list's root key (NT's plural | the
  single item's key | the link's last segment).
- ``invoice_item_types`` product/shipment/payment | product/shipping/payment: the items' ``type`` per
  kind of line ("payment" is [D]; the others [U]).
- ``credit_item_signs`` positive|negative: a credit note's item money (base prices, prices, discounts)
  as positive amounts | negated (quantity stays positive, so price = quantity × basePrice − discount
  still holds); the header is positive either way, as in the doc example.
- ``credited_invoice_link`` false|link: an original invoice's ``creditNote`` stays false (both doc
  examples) | is a link to its latest credit note, and a credit then bumps the original's ``updatedAt``.
- ``credit_response`` credit|invoice: the root key of the credit POST's answer.

Admin (no auth, not rate-limited; also in ``admin``):
  POST /_admin/orders/{id}/invoice   {createdAt?, status?} → {"invoice": …, "created": bool} (the
                                     order's existing invoice, or a new one)
  POST /_admin/orders/{id}/credit    the credit POST's body → {"credit": the credit note}
  PUT  /_admin/invoices/{id}         {status ("paid"|"not_paid"), isVatShifted, doNotifyNew, doNotifyPaid,
                                     updatedAt} (all optional) → {"invoice": …}; bumps updatedAt to
                                     now (at least +1 s) unless "updatedAt" is given
Admin answers embed the items under ``items.resource.embedded``; bad input 400 ``{"error"}``, an
unknown order or invoice 404.

``seed_erp_demo(shop, now, rules=None)`` (not called by default) adds a registered customer without orders and
credits one unit of a line of a seeded order (see there).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from emulators.lightspeed import serialize
from emulators.lightspeed.admin_body import read_json
from emulators.lightspeed.catalog_put import parse_body
from emulators.lightspeed.config import VariantRules
from emulators.lightspeed.demo import Customer
from emulators.lightspeed.emulator import (
    ApiError,
    LightspeedEmulator,
    base_url,
    filter_bound,
    page_window,
    requested_fields,
)
from emulators.lightspeed.money import COST_VAT, ZERO, cents, excl, totals
from emulators.lightspeed.serialize import link, num, only_fields, stamp
from emulators.lightspeed.store import AdminError, ShopState, parse_moment

CREDIT_FLAGS = ("creditPayment", "creditShipment", "notifyNew", "updateStock")
TYPES = {
    "product/shipment/payment": {"product": "product", "shipping": "shipment", "payment": "payment"},
    "product/shipping/payment": {"product": "product", "shipping": "shipping", "payment": "payment"},
}
STATUSES = ("not_paid", "paid")
DATE_FILTERS = {
    "updated_at_min": ("updated", False),
    "updated_at_max": ("updated", True),
    "created_at_min": ("created", False),
    "created_at_max": ("created", True),
}


@dataclass
class Item:
    """One invoice line; money as positive Decimals (signs are the renderer's business)."""

    id: int
    kind: str  # "product" | "shipping" | "payment"
    title: str
    variant: str
    order_product_id: int | None
    article_code: str
    ean: str
    sku: str
    tax_rate: Decimal
    quantity: int
    base_incl: Decimal
    base_excl: Decimal
    discount_incl: Decimal
    discount_excl: Decimal
    price_incl: Decimal
    price_excl: Decimal


@dataclass
class Invoice:
    id: int
    number: str
    order_id: int
    customer_id: int | None
    created: datetime
    updated: datetime
    status: str
    is_credit_note: bool
    original_id: int | None  # on a credit note: the invoice it credits
    items: list[Item]
    is_vat_shifted: bool = False
    notify_new: bool = False
    notify_paid: bool = False
    update_stock: bool = False  # what the credit asked for (recorded only)
    credit_ids: list[int] = field(default_factory=list)  # on an original: its credit notes, oldest first

    @property
    def price_incl(self) -> Decimal:
        return sum((i.price_incl for i in self.items), ZERO)

    @property
    def price_excl(self) -> Decimal:
        return sum((i.price_excl for i in self.items), ZERO)


class InvoiceBook:
    """The shop's invoices; every use holds the shop's lock."""

    def __init__(self) -> None:
        self.invoices: dict[int, Invoice] = {}
        self.by_order: dict[int, int] = {}  # order id → its (original) invoice id
        self.next_id, self.next_item, self.next_number = 1742001, 7041101, 1

    def new_invoice(self, order: dict[str, Any], moment: datetime, **values: Any) -> Invoice:
        customer: Customer | None = order["customer"]
        invoice = Invoice(
            id=self.next_id,
            number=f"INV{self.next_number:05d}",
            order_id=order["id"],
            customer_id=customer.id if customer else None,
            created=moment,
            updated=moment,
            **values,
        )
        self.next_id += 1
        self.next_number += 1
        self.invoices[invoice.id] = invoice
        return invoice

    def item_id(self) -> int:
        self.next_item += 1
        return self.next_item - 1

    def credit_notes(self, order_id: int) -> list[Invoice]:
        return [i for i in self.invoices.values() if i.is_credit_note and i.order_id == order_id]

    def find_item(self, item_id: int) -> tuple[Invoice, Item] | None:
        for invoice in self.invoices.values():
            for item in invoice.items:
                if item.id == item_id:
                    return invoice, item
        return None


def book(shop: ShopState) -> InvoiceBook:
    """The shop's invoice book (made on first use; a reseed drops it with ``shop.extras``)."""
    with shop.lock:
        return shop.extras.setdefault("invoices", InvoiceBook())


# --- making invoices ---------------------------------------------------------------------------------


def _discount_shares(order: dict[str, Any]) -> list[tuple[Decimal, Decimal]]:
    """Each line's share of the order discount (incl., excl.): per VAT rate exactly as ``money.totals``
    splits it, then over the rate's lines pro rata to their totals, the last line taking the rest."""
    t = totals(order)
    rates = [Decimal(line["taxRate"]) for line in order["lines"]]
    goods: dict[Decimal, Decimal] = {}
    for rate, amounts in zip(rates, t.lines, strict=True):
        goods[rate] = goods.get(rate, ZERO) + amounts.total_incl
    shares = [(ZERO, ZERO)] * len(rates)
    if not t.discount_incl or not t.goods_incl:
        return shares
    left = t.discount_incl
    ordered = sorted(goods, reverse=True)
    for n, rate in enumerate(ordered):
        share = left if n == len(ordered) - 1 else cents(t.discount_incl * goods[rate] / t.goods_incl)
        left -= share
        share_excl = excl(share, rate)
        members = [i for i, r in enumerate(rates) if r == rate]
        rest_incl, rest_excl = share, share_excl
        for k, i in enumerate(members):
            weight = t.lines[i].total_incl
            if k == len(members) - 1:
                part = (rest_incl, rest_excl)
            elif goods[rate]:
                part = (cents(share * weight / goods[rate]), cents(share_excl * weight / goods[rate]))
            else:
                part = (ZERO, ZERO)
            rest_incl, rest_excl = rest_incl - part[0], rest_excl - part[1]
            shares[i] = part
    assert sum((s[0] for s in shares), ZERO) == t.discount_incl
    assert sum((s[1] for s in shares), ZERO) == t.discount_excl
    return shares


def _cost_item(ledger: InvoiceBook, kind: str, title: str, variant: str, incl: Decimal) -> Item:
    amount_excl = excl(incl, COST_VAT)
    return Item(
        id=ledger.item_id(),
        kind=kind,
        title=title,
        variant=variant,
        order_product_id=None,
        article_code="",
        ean="",
        sku="",
        tax_rate=COST_VAT,
        quantity=1,
        base_incl=incl,
        base_excl=amount_excl,
        discount_incl=ZERO,
        discount_excl=ZERO,
        price_incl=incl,
        price_excl=amount_excl,
    )


def order_items(ledger: InvoiceBook, order: dict[str, Any]) -> list[Item]:
    """The items of the order's invoice (see the module)."""
    t = totals(order)
    items = []
    for line, amounts, (off_incl, off_excl) in zip(
        order["lines"], t.lines, _discount_shares(order), strict=True
    ):
        items.append(
            Item(
                id=ledger.item_id(),
                kind="product",
                title=line["productTitle"],
                variant=line.get("variantTitle", ""),
                order_product_id=line["id"],
                article_code=line.get("articleCode", ""),
                ean=line.get("ean", ""),
                sku=line.get("sku", ""),
                tax_rate=Decimal(line["taxRate"]),
                quantity=line["quantityOrdered"],
                base_incl=amounts.unit_incl,
                base_excl=amounts.unit_excl,
                discount_incl=off_incl,
                discount_excl=off_excl,
                price_incl=amounts.total_incl - off_incl,
                price_excl=amounts.total_excl - off_excl,
            )
        )
    if order.get("ship_to", "billing") is not None:
        title = serialize.shipment_title(order)
        items.append(_cost_item(ledger, "shipping", "_shipmentcosts_", title, t.shipping_incl))
    items.append(_cost_item(ledger, "payment", "_paymentcosts_", order["payment_title"], t.payment_incl))
    return items


def invoice_for(
    shop: ShopState,
    order: dict[str, Any],
    now: datetime,
    created: datetime | None = None,
    status: str | None = None,
) -> tuple[Invoice, bool]:
    """The order's invoice, made now (or at ``created``) if it has none; (invoice, whether new)."""
    with shop.lock:
        ledger = book(shop)
        if order["id"] in ledger.by_order:
            return ledger.invoices[ledger.by_order[order["id"]]], False
        paid = "paid" if order["paymentStatus"] == "paid" else "not_paid"
        invoice = ledger.new_invoice(
            order,
            created or now,
            status=status or paid,
            is_credit_note=False,
            original_id=None,
            items=order_items(ledger, order),
        )
        ledger.by_order[order["id"]] = invoice.id
        for line in order["lines"]:
            line["quantityInvoiced"] = line["quantityOrdered"]
        shop.notify("invoices", "created", invoice)
        return invoice, True


# --- crediting ---------------------------------------------------------------------------------------


def _flag(credit: dict[str, Any], name: str) -> bool:
    value = credit.get(name, False)
    if not isinstance(value, bool):
        raise ApiError(400, f"Invalid value for credit.{name}: expected true or false, got {value!r}")
    return value


def _positive(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ApiError(400, f"Invalid value for {where}: expected a positive integer, got {value!r}")
    return value


def checked_credit(credit: dict[str, Any]) -> tuple[dict[str, bool], list[tuple[int, int]]]:
    """The flags and (line id, quantity) pairs of a credit body's ``credit`` object, or the 400."""
    unknown = sorted(set(credit) - {*CREDIT_FLAGS, "orderProducts"})
    if unknown:
        raise ApiError(400, f"Unknown field credit.{unknown[0]}")
    flags = {name: _flag(credit, name) for name in CREDIT_FLAGS}
    lines = credit.get("orderProducts", [])
    if not isinstance(lines, list):
        raise ApiError(400, f"Invalid value for credit.orderProducts: expected a list, got {lines!r}")
    wanted: list[tuple[int, int]] = []
    for n, entry in enumerate(lines):
        where = f"credit.orderProducts[{n}]"
        if not isinstance(entry, dict):
            raise ApiError(400, f"Invalid value for {where}: expected {{id, quantity}}, got {entry!r}")
        extra = sorted(set(entry) - {"id", "quantity"})
        if extra:
            raise ApiError(400, f"Unknown field {where}.{extra[0]}")
        for key in ("id", "quantity"):
            if key not in entry:
                raise ApiError(400, f"Missing field {where}.{key}")
        line_id, quantity = (
            _positive(entry["id"], f"{where}.id"),
            _positive(entry["quantity"], f"{where}.quantity"),
        )
        if any(line_id == seen for seen, _ in wanted):
            raise ApiError(400, f"Order product {line_id} is listed twice in credit.orderProducts")
        wanted.append((line_id, quantity))
    return flags, wanted


def _credited(notes: list[Invoice], line_id: int) -> tuple[int, Decimal, Decimal, Decimal, Decimal]:
    """What the credit notes took of a line so far: quantity, gross incl./excl., discount incl./excl."""
    items = [i for note in notes for i in note.items if i.kind == "product" and i.order_product_id == line_id]
    return (
        sum(i.quantity for i in items),
        sum((i.price_incl + i.discount_incl for i in items), ZERO),
        sum((i.price_excl + i.discount_excl for i in items), ZERO),
        sum((i.discount_incl for i in items), ZERO),
        sum((i.discount_excl for i in items), ZERO),
    )


def _credit_line(ledger: InvoiceBook, source: Item, notes: list[Invoice], quantity: int) -> Item:
    done, gross_incl_done, gross_excl_done, off_incl_done, off_excl_done = _credited(
        notes, source.order_product_id or 0
    )
    full = (
        source.price_incl + source.discount_incl,
        source.price_excl + source.discount_excl,
        source.discount_incl,
        source.discount_excl,
    )
    if done + quantity == source.quantity:  # the last units take what is left
        parts = [
            full[0] - gross_incl_done,
            full[1] - gross_excl_done,
            full[2] - off_incl_done,
            full[3] - off_excl_done,
        ]
    else:
        parts = [cents(amount * quantity / source.quantity) for amount in full]
    gross_incl, gross_excl, off_incl, off_excl = parts
    return Item(
        id=ledger.item_id(),
        kind="product",
        title=source.title,
        variant=source.variant,
        order_product_id=source.order_product_id,
        article_code=source.article_code,
        ean=source.ean,
        sku=source.sku,
        tax_rate=source.tax_rate,
        quantity=quantity,
        base_incl=source.base_incl,
        base_excl=source.base_excl,
        discount_incl=off_incl,
        discount_excl=off_excl,
        price_incl=gross_incl - off_incl,
        price_excl=gross_excl - off_excl,
    )


def _copy_cost(ledger: InvoiceBook, source: Item) -> Item:
    return Item(**{**source.__dict__, "id": ledger.item_id()})


def credit_order(
    shop: ShopState, order: dict[str, Any], credit: dict[str, Any], now: datetime, rules: VariantRules
) -> Invoice:
    """Apply a credit (the ``credit`` object of the body) to ``order``: its credit note, or ApiError."""
    flags, wanted = checked_credit(credit)
    with shop.lock:
        lines = {line["id"]: line for line in order["lines"]}
        for line_id, _ in wanted:
            if line_id not in lines:
                raise ApiError(400, f"Unknown order product {line_id}: not a line of order {order['id']}")
        ledger = book(shop)
        existing = ledger.invoices.get(ledger.by_order.get(order["id"], 0))
        sources = {i.order_product_id: i for i in existing.items if i.kind == "product"} if existing else {}
        notes = ledger.credit_notes(order["id"])
        for line_id, quantity in wanted:
            if existing is not None and line_id not in sources:
                raise ApiError(
                    400, f"Order product {line_id} is not on the order's invoice {existing.number}"
                )
            ordered = sources[line_id].quantity if existing else lines[line_id]["quantityOrdered"]
            left = ordered - _credited(notes, line_id)[0]
            if quantity > left:
                raise ApiError(
                    400,
                    f"Cannot credit {quantity} of order product {line_id}: {left} of {ordered} left to credit",
                )
        costs = [
            kind
            for kind, asked in (("shipping", flags["creditShipment"]), ("payment", flags["creditPayment"]))
            if asked and _cost_left(existing, notes, kind, order)
        ]
        if not wanted and not costs:
            raise ApiError(400, "Nothing to credit: no order products, and no shipment or payment costs left")
        original, _ = invoice_for(shop, order, now)
        sources = {i.order_product_id: i for i in original.items if i.kind == "product"}
        items = [_credit_line(ledger, sources[lid], notes, qty) for lid, qty in wanted]
        for kind in costs:
            items.append(_copy_cost(ledger, next(i for i in original.items if i.kind == kind)))
        note = ledger.new_invoice(
            order,
            now,
            status="not_paid",
            is_credit_note=True,
            original_id=original.id,
            items=items,
            is_vat_shifted=original.is_vat_shifted,
            notify_new=flags["notifyNew"],
            update_stock=flags["updateStock"],
        )
        original.credit_ids.append(note.id)
        if rules.credited_invoice_link == "link":
            original.updated = max(now, original.updated + timedelta(seconds=1))
        notes.append(note)
        for line_id, _ in wanted:
            lines[line_id]["quantityRefunded"] = _credited(notes, line_id)[0]
        order["updated"] = max(now, order["updated"] + timedelta(seconds=1))
        shop.notify("invoices", "created", note)
        if rules.credited_invoice_link == "link":
            shop.notify("invoices", "updated", original)
        shop.notify("orders", "updated", order)
        return note


def _cost_left(existing: Invoice | None, notes: list[Invoice], kind: str, order: dict[str, Any]) -> bool:
    """Whether the order still has a cost of ``kind`` (> 0) that no credit note took."""
    if any(i.kind == kind for note in notes for i in note.items):
        return False
    if existing is not None:
        return any(i.kind == kind and i.price_incl > 0 for i in existing.items)
    t = totals(order)
    if kind == "shipping":
        return order.get("ship_to", "billing") is not None and t.shipping_incl > 0
    return t.payment_incl > 0


# --- rendering ---------------------------------------------------------------------------------------


def render_item(item: Item, invoice: Invoice, rules: VariantRules) -> dict[str, Any]:
    sign = -1 if invoice.is_credit_note and rules.credit_item_signs == "negative" else 1

    def amount(value: Decimal) -> float | int:
        return num(value * sign)

    return {
        "id": item.id,
        "type": TYPES[rules.invoice_item_types][item.kind],
        "title": item.title,
        "variant": item.variant,
        "orderProductId": item.order_product_id,
        "articleCode": item.article_code,
        "ean": item.ean,
        "sku": item.sku,
        "taxRate": num(item.tax_rate),
        "basePriceExcl": amount(item.base_excl),
        "basePriceIncl": amount(item.base_incl),
        "priceExcl": amount(item.price_excl),
        "priceIncl": amount(item.price_incl),
        "discountExcl": amount(item.discount_excl),
        "discountIncl": amount(item.discount_incl),
        "quantity": item.quantity,
    }


def render_invoice(
    invoice: Invoice, base: str, lang: str, rules: VariantRules, embed: bool = False
) -> dict[str, Any]:
    iid = invoice.id
    credited = invoice.credit_ids and rules.credited_invoice_link == "link"
    body: dict[str, Any] = {
        "id": iid,
        "createdAt": stamp(invoice.created),
        "updatedAt": stamp(invoice.updated),
        "number": invoice.number,
        "status": invoice.status,
        "isVatShifted": invoice.is_vat_shifted,
        "priceExcl": num(invoice.price_excl),
        "priceIncl": num(invoice.price_incl),
        "doNotifyNew": invoice.notify_new,
        "doNotifyPaid": invoice.notify_paid,
        "invoice": link(base, lang, f"invoices/{invoice.original_id}", invoice.original_id)
        if invoice.original_id
        else False,
        "isCreditNote": invoice.is_credit_note,
        "creditNote": link(base, lang, f"invoices/{invoice.credit_ids[-1]}", invoice.credit_ids[-1])
        if credited
        else False,
        "order": link(base, lang, f"orders/{invoice.order_id}", invoice.order_id),
        "customer": link(base, lang, f"customers/{invoice.customer_id}", invoice.customer_id)
        if invoice.customer_id
        else False,
        "items": link(base, lang, f"invoices/{iid}/items"),
        "metafields": link(base, lang, f"invoices/{iid}/metafields"),
        "events": link(base, lang, f"orders/events?invoice={iid}"),
    }
    if embed:
        body["items"]["resource"]["embedded"] = [render_item(i, invoice, rules) for i in invoice.items]
    return body


def render_all(emu: LightspeedEmulator, base: str, lang: str) -> list[dict[str, Any]]:
    """Every invoice by id, items embedded (for ``/_admin/state``)."""
    with emu.shop.lock:
        ledger = book(emu.shop)
        return [
            render_invoice(ledger.invoices[i], base, lang, emu.catalog.rules, True)
            for i in sorted(ledger.invoices)
        ]


# --- routes ------------------------------------------------------------------------------------------


def _id_param(request: Request, name: str) -> int | None:
    value = request.query_params.get(name)
    if value is None:
        return None
    if not value.isdigit():
        raise ApiError(400, f"Invalid value for {name}: expected an id, got {value!r}")
    return int(value)


def filtered_invoices(emu: LightspeedEmulator, request: Request) -> list[Invoice]:
    rules, params = emu.catalog.rules, request.query_params
    order, customer = _id_param(request, "order"), _id_param(request, "customer")
    bounds = []
    for name, (attr, is_max) in DATE_FILTERS.items():
        if name in params and rules.invoice_date_filters == "refuse":
            raise ApiError(400, f"Unknown filter: {name}")
        if rules.invoice_date_filters == "apply":
            bound = filter_bound(request, name, emu)
            if bound is not None:
                bounds.append((attr, is_max, bound))
    credit_note = None
    if "isCreditNote" in params and rules.invoice_credit_filter == "refuse":
        raise ApiError(400, "Unknown filter: isCreditNote")
    if "isCreditNote" in params and rules.invoice_credit_filter == "apply":
        value = params["isCreditNote"].lower()
        if value not in ("true", "false", "1", "0"):
            raise ApiError(400, f"Invalid value for isCreditNote: expected true or false, got {value!r}")
        credit_note = value in ("true", "1")
    with emu.shop.lock:
        invoices = sorted(book(emu.shop).invoices.values(), key=lambda i: i.id, reverse=True)
    return [
        i
        for i in invoices
        if (order is None or i.order_id == order)
        and (customer is None or i.customer_id == customer)
        and (credit_note is None or i.is_credit_note == credit_note)
        and not any((getattr(i, a) > b) if is_max else (getattr(i, a) < b) for a, is_max, b in bounds)
    ]


def invoice_routes(app: FastAPI) -> None:
    """The public invoice routes and the credit POST."""

    def emu() -> LightspeedEmulator:
        return app.state.emulator

    def invoice_or_404(invoice_id: str) -> Invoice:
        invoice = book(emu().shop).invoices.get(int(invoice_id)) if invoice_id.isdigit() else None
        if invoice is None:
            raise ApiError(404, "Invoice not found")
        return invoice

    @app.get("/{lang}/invoices.json")
    def list_invoices(lang: str, request: Request) -> Any:
        start, stop = page_window(request)
        chosen = filtered_invoices(emu(), request)[start:stop]
        fields, rules = requested_fields(request), emu().catalog.rules
        with emu().shop.lock:
            rendered = [render_invoice(i, base_url(request), lang, rules) for i in chosen]
        return {"invoices": [only_fields(i, fields) for i in rendered]}

    @app.get("/{lang}/invoices/count.json")
    def count_invoices(lang: str, request: Request) -> Any:
        return {"count": len(filtered_invoices(emu(), request))}

    @app.get("/{lang}/invoices/{invoice_id}.json")
    def get_invoice(lang: str, invoice_id: str, request: Request) -> Any:
        with emu().shop.lock:
            body = render_invoice(invoice_or_404(invoice_id), base_url(request), lang, emu().catalog.rules)
        return {"invoice": only_fields(body, requested_fields(request))}

    @app.get("/{lang}/invoices/{invoice_id}/items.json")
    def list_items(lang: str, invoice_id: str, request: Request) -> Any:
        start, stop = page_window(request)
        rules = emu().catalog.rules
        with emu().shop.lock:
            invoice = invoice_or_404(invoice_id)
            items = [render_item(i, invoice, rules) for i in invoice.items[start:stop]]
        return {rules.invoice_items_root: items}

    @app.get("/{lang}/invoices/{invoice_id}/items/count.json")
    def count_items(lang: str, invoice_id: str) -> Any:
        with emu().shop.lock:
            return {"count": len(invoice_or_404(invoice_id).items)}

    @app.get("/{lang}/invoices/{invoice_id}/items/{item_id}.json")
    def get_item(lang: str, invoice_id: str, item_id: str) -> Any:
        with emu().shop.lock:
            invoice = invoice_or_404(invoice_id)
            item = next((i for i in invoice.items if str(i.id) == item_id), None)
            if item is None:
                raise ApiError(404, "Invoice item not found")
            return {"invoiceItem": render_item(item, invoice, emu().catalog.rules)}

    @app.post("/{lang}/orders/{order_id}/credit.json")
    async def credit(lang: str, order_id: str, request: Request) -> Any:
        raw, emulator = await request.body(), emu()
        rules = emulator.catalog.rules
        with emulator.shop.lock:
            order = emulator.shop.orders.get(int(order_id)) if order_id.isdigit() else None
            if order is None:
                raise ApiError(404, "Order not found")
            note = credit_order(emulator.shop, order, parse_body(raw, "credit"), emulator.clock.now(), rules)
            root = rules.credit_response
            body = {root: render_invoice(note, base_url(request), lang, rules)}
        with emulator.lock:
            request.state.drop_connection = emulator.faults.take_drop("POST") and root
        return JSONResponse(body, status_code=rules.create_status)


def invoice_admin_routes(app: FastAPI) -> None:
    def emu() -> LightspeedEmulator:
        return app.state.emulator

    def rendered(invoice: Invoice, request: Request) -> dict[str, Any]:
        lang = emu().config.languages[0]
        return render_invoice(invoice, base_url(request), lang, emu().catalog.rules, embed=True)

    def no_order(order_id: int) -> JSONResponse:
        return JSONResponse({"error": f"no order {order_id}"}, status_code=404)

    @app.post("/_admin/orders/{order_id}/invoice")
    async def make_invoice(order_id: int, request: Request) -> Any:
        body, emulator = await read_json(request), emu()
        unknown = sorted(set(body) - {"createdAt", "status"})
        if unknown:
            raise AdminError(f"unknown keys: {unknown}")
        status = body.get("status")
        if status is not None and status not in STATUSES:
            raise AdminError(f"status: one of {', '.join(STATUSES)}, got {status!r}")
        created = parse_moment(body["createdAt"], "createdAt") if "createdAt" in body else None
        with emulator.shop.lock:
            order = emulator.shop.orders.get(order_id)
            if order is None:
                return no_order(order_id)
            invoice, new = invoice_for(emulator.shop, order, emulator.clock.now(), created, status)
            return {"invoice": rendered(invoice, request), "created": new}

    @app.post("/_admin/orders/{order_id}/credit")
    async def admin_credit(order_id: int, request: Request) -> Any:
        raw, emulator = await request.body(), emu()
        with emulator.shop.lock:
            order = emulator.shop.orders.get(order_id)
            if order is None:
                return no_order(order_id)
            try:
                credit = parse_body(raw, "credit")
                note = credit_order(
                    emulator.shop, order, credit, emulator.clock.now(), emulator.catalog.rules
                )
            except ApiError as exc:
                return JSONResponse({"error": exc.message}, status_code=exc.status)
            return {"credit": rendered(note, request)}

    @app.put("/_admin/invoices/{invoice_id}")
    async def put_invoice(invoice_id: int, request: Request) -> Any:
        body, emulator = await read_json(request), emu()
        flags = {"isVatShifted": "is_vat_shifted", "doNotifyNew": "notify_new", "doNotifyPaid": "notify_paid"}
        unknown = sorted(set(body) - {"status", "updatedAt", *flags})
        if unknown:
            raise AdminError(f"unknown keys: {unknown}")
        if "status" in body and body["status"] not in STATUSES:
            raise AdminError(f"status: one of {', '.join(STATUSES)}, got {body['status']!r}")
        for name in flags:
            if name in body and not isinstance(body[name], bool):
                raise AdminError(f"{name}: true or false, got {body[name]!r}")
        updated = parse_moment(body["updatedAt"], "updatedAt") if "updatedAt" in body else None
        with emulator.shop.lock:
            invoice = book(emulator.shop).invoices.get(invoice_id)
            if invoice is None:
                return JSONResponse({"error": f"no invoice {invoice_id}"}, status_code=404)
            invoice.status = body.get("status", invoice.status)
            for name, attr in flags.items():
                if name in body:
                    setattr(invoice, attr, body[name])
            now = emulator.clock.now()
            invoice.updated = updated or max(now, invoice.updated + timedelta(seconds=1))
            emulator.shop.notify("invoices", "updated", invoice)
            return {"invoice": rendered(invoice, request)}


# --- demo data ---------------------------------------------------------------------------------------


def seed_erp_demo(shop: ShopState, now: datetime, rules: VariantRules | None = None) -> dict[str, int | None]:
    """The ERP flows' demo data on top of a seeded shop (not called by default):

    - a registered, unconfirmed customer without orders (Lieke van Dam, ``lieke.vandam@example.nl``,
      female, born 1991-04-12, Utrecht; id = the highest customer id + 1), created and updated 30 minutes
      before ``now``, never online;
    - one seeded order credited partly: the newest paid, not cancelled order of a registered customer
      with a line of two or more units (else the newest such order with two lines or more); its invoice
      is made 5 minutes after the order was created (if it has none), and a credit note at ``now``
      takes one unit of that line (or the whole first line), without shipping or payment costs.

    ``rules`` (the shop's, default the defaults) only matter for ``credited_invoice_link``. Returns
    ``{"customer", "order", "invoice", "creditNote"}`` (ids; the last three None when no seeded order
    fits)."""
    with shop.lock:
        customer = Customer(
            id=max(shop.customers, default=6855999) + 1,
            email="lieke.vandam@example.nl",
            firstname="Lieke",
            middlename="van",
            lastname="Dam",
            country="nl",
            street="Oudegracht",
            number="112",
            extension="bis",
            zipcode="3511 AB",
            city="Utrecht",
            phone="0301234567",
            company=None,
            created_at=now - timedelta(minutes=30),
            mobile="0612345678",
            gender="female",
            birth_date="1991-04-12",
            is_confirmed=False,
        )
        shop.customers[customer.id] = customer
        result: dict[str, int | None] = {
            "customer": customer.id,
            "order": None,
            "invoice": None,
            "creditNote": None,
        }
        candidates = [
            o
            for o in sorted(shop.orders.values(), key=lambda o: o["id"], reverse=True)
            if o["customer"] is not None and o["paymentStatus"] == "paid" and o["status"] != "cancelled"
        ]
        pick = next(((o, ln) for o in candidates for ln in o["lines"] if ln["quantityOrdered"] >= 2), None)
        if pick is None:
            pick = next(((o, o["lines"][0]) for o in candidates if len(o["lines"]) >= 2), None)
        if pick is None:
            return result
        order, line = pick
        invoice, _ = invoice_for(shop, order, now, created=order["created"] + timedelta(minutes=5))
        quantity = 1 if line["quantityOrdered"] >= 2 else line["quantityOrdered"]
        credit = {"orderProducts": [{"id": line["id"], "quantity": quantity}]}
        note = credit_order(shop, order, credit, now, rules or VariantRules())
        result.update(order=order["id"], invoice=invoice.id, creditNote=note.id)
        return result
