"""The shop's state: orders and customers in an internal form, and the admin changes to them.

An order (internal form) is a dict: ``id``, ``number``, ``created``/``updated`` (aware, UTC),
``customer`` (a ``Customer`` or None for a guest), contact and billing address (``email``,
``firstname``, ``middlename``, ``lastname``, ``phone``, ``street``, ``number_addr``, ``extension``,
``zipcode``, ``city``, ``country`` as a lower-case ISO code), ``company`` ((name, vat, coc) or None),
``ship_to`` ("billing", None for a pick-up without a shipping address, or an address dict),
``comment``, ``memo``, ``payment_id``, ``payment_title``, ``payment_fee`` and ``shipping`` (Decimal,
incl. VAT), ``discount`` ({kind: percentage|amount|None, value, code}), ``status``, ``paymentStatus``,
``shipmentStatus``, ``lines`` and ``raw`` (verbatim overrides of the rendered JSON). A line: ``id``,
``articleCode``, ``sku``, ``ean``, ``productTitle``, ``variantTitle``, ``brandTitle``,
``quantityOrdered``, ``basePriceIncl`` (unit, Decimal), ``taxRate`` (fraction, Decimal), ``raw``.

Every change is also an event for the webhooks (``on_event(group, action, resource)``, called with the
lock held; ``webhooks`` delivers them): a new order (added or generated) is ``orders``/``created``; an
admin change is ``orders``/``updated``; either one is also ``paid`` when the order's ``paymentStatus``
becomes "paid" and ``shipped`` when its ``shipmentStatus`` becomes "shipped"; a deleted order is
``orders``/``deleted`` (sent as it was last); a registered customer an order brings in is
``customers``/``created``. ``invoices`` and ``customers`` report their own changes through ``notify``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from emulators.demo_catalogue import PRODUCTS
from emulators.lightspeed import demo
from emulators.lightspeed.demo import Customer

SIMPLE_FIELDS = (
    "number",
    "email",
    "firstname",
    "middlename",
    "lastname",
    "phone",
    "country",
    "street",
    "number_addr",
    "extension",
    "zipcode",
    "city",
    "comment",
    "memo",
    "status",
    "paymentStatus",
    "shipmentStatus",
    "payment_id",
    "payment_title",
    "raw",
)
# The same fields under the names the API renders them with.
API_ALIASES = {
    "addressBillingStreet": "street",
    "addressBillingNumber": "number_addr",
    "addressBillingExtension": "extension",
    "addressBillingZipcode": "zipcode",
    "addressBillingCity": "city",
    "addressBillingCountry": "country",
    "paymentId": "payment_id",
    "paymentTitle": "payment_title",
    "paymentPriceIncl": "payment_fee",
    "shipmentPriceIncl": "shipping",
    "shipping_address": "ship_to",
}
PRODUCTS_BY_CODE = {code: p for p in PRODUCTS for code in (p.article_code, p.sku, p.ean) if code}


class AdminError(ValueError):
    """An admin request the emulator cannot apply (answered with 400)."""


def parse_moment(value: str, name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise AdminError(f"{name}: expected an ISO-8601 timestamp with offset, got {value!r}") from exc
    if moment.tzinfo is None:
        raise AdminError(f"{name}: the timestamp needs an offset, got {value!r}")
    return moment.astimezone(UTC)


def money(value: Any, name: str) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise AdminError(f"{name}: not an amount: {value!r}") from exc


class ShopState:
    """Orders and customers; every method that touches them holds ``lock``."""

    def __init__(self, base_time: datetime) -> None:
        self.base_time = base_time
        self.lock = threading.RLock()
        self.orders: dict[int, dict[str, Any]] = {}
        self.customers: dict[int, Customer] = {}
        self.next_id = 218240000
        self.next_number = 10001
        self.next_line = 90000001
        self.generated_batches = 0
        self.on_new_orders: Callable[[list[dict[str, Any]]], None] = lambda orders: None  # added, generated
        self.on_event: Callable[[str, str, Any], None] = lambda group, action, resource: None
        # Per-shop state of add-on modules (the invoices' book: ``invoices.book``); a reseed drops it.
        self.extras: dict[str, Any] = {}

    def notify(self, group: str, action: str, resource: Any) -> None:
        """An event for the webhooks: ``resource`` (an order dict, a ``Customer``, an invoice) changed."""
        with self.lock:
            self.on_event(group, action, resource)

    def _order_events(self, order: dict[str, Any], action: str, before: tuple[Any, Any] | None) -> None:
        """``action`` for ``order``, then ``paid``/``shipped`` if its statuses became so (``before``:
        its (paymentStatus, shipmentStatus) before the change; None for a new order)."""
        was_paid, was_shipped = before or (None, None)
        self.notify("orders", action, order)
        if order["paymentStatus"] == "paid" and was_paid != "paid":
            self.notify("orders", "paid", order)
        if order["shipmentStatus"] == "shipped" and was_shipped != "shipped":
            self.notify("orders", "shipped", order)

    def reseed(self, seed: str, count: int) -> None:
        shop = demo.generate_orders(seed, count, self.base_time)
        with self.lock:
            self.orders = {o["id"]: o for o in shop.orders}
            self.customers = {c.id: c for c in shop.customers}
            self._renumber_counters()
            self.generated_batches = 0
            self.extras.clear()

    def _renumber_counters(self) -> None:
        self.next_id = max(self.orders, default=218240000 - 7) + 7
        self.next_number = len(self.orders) + 10001
        self.next_line = (
            max((ln["id"] for o in self.orders.values() for ln in o["lines"]), default=90000000) + 1
        )

    def generate(self, count: int, now: datetime, span: timedelta) -> list[dict[str, Any]]:
        """Append ``count`` generated orders created within ``span`` before ``now``, from the same
        customer pool."""
        with self.lock:
            self.generated_batches += 1
            shop = demo.generate_orders(
                f"extra-{self.generated_batches}",
                count,
                now,
                customers=list(self.customers.values()),
                span=span,
                first_id=self.next_id,
                first_number=self.next_number,
                first_line_id=self.next_line,
            )
            for order in shop.orders:
                self.orders[order["id"]] = order
            self._renumber_counters()
            self.on_new_orders(shop.orders)
            for order in shop.orders:
                self._order_events(order, "created", None)
            return shop.orders

    def add_order(self, spec: dict[str, Any], now: datetime) -> dict[str, Any]:
        """A new order from a partial spec; what it leaves out is a plain paid order of one product
        by the first customer of the pool (or the given guest), without costs or discount."""
        with self.lock:
            order_id = int(spec.get("id") or self.next_id)
            if order_id in self.orders:
                raise AdminError(f"order {order_id} exists")
            pool = list(self.customers.values())
            wanted = spec.get("customer", pool[0].id if pool else False)
            template = None if wanted in (False, None) else self.customers.get(int(wanted))
            order: dict[str, Any] = {
                "id": order_id,
                "number": f"ORD{self.next_number:05d}",
                "created": now,
                "updated": now,
                "customer": None,
                "email": "klant@example.nl",
                "firstname": "Jan",
                "middlename": "",
                "lastname": "Jansen",
                "phone": "",
                "country": "nl",
                "street": "Markt",
                "number_addr": "1",
                "extension": "",
                "zipcode": "3833 LC",
                "city": "Leusden",
                "company": None,
                "ship_to": "billing",
                "comment": "",
                "memo": "",
                "payment_id": "ideal",
                "payment_title": "iDEAL",
                "payment_fee": Decimal("0"),
                "shipping": Decimal("0"),
                "discount": {"kind": None},
                "status": "processing_awaiting_shipment",
                "paymentStatus": "paid",
                "shipmentStatus": "not_shipped",
                "lines": [],
                "raw": {},
            }
            if template is not None:
                order.update(
                    customer=template,
                    email=template.email,
                    firstname=template.firstname,
                    middlename=template.middlename,
                    lastname=template.lastname,
                    phone=template.phone,
                    country=template.country,
                    street=template.street,
                    number_addr=template.number,
                    extension=template.extension,
                    zipcode=template.zipcode,
                    city=template.city,
                    company=template.company,
                )
            self.apply_changes(order, spec, now, bump=False)
            if not order["lines"]:
                order["lines"] = [demo.line_from_product(PRODUCTS[0], 1, self._line_id())]
            self.orders[order_id] = order
            self.next_id = max(self.next_id, order_id + 7)
            self.next_number += 1
            self.on_new_orders([order])
            self._order_events(order, "created", None)
            return order

    def apply_changes(self, order: dict[str, Any], spec: dict[str, Any], now: datetime, bump: bool) -> None:
        """Change an order; with ``bump`` its ``updatedAt`` moves to now (or the given ``updatedAt``) and
        the change is an ``updated`` event (without: the caller reports it)."""
        with self.lock:
            before = (order["paymentStatus"], order["shipmentStatus"])
            spec = {API_ALIASES.get(key, key): value for key, value in spec.items()}
            for key in SIMPLE_FIELDS:
                if key in spec:
                    order[key] = spec[key]
            if isinstance(order["country"], dict):
                order["country"] = order["country"].get("code", "")
            for key in ("payment_fee", "shipping"):
                if key in spec:
                    order[key] = money(spec[key], key)
            self._apply_discount(order, spec)
            self._apply_company(order, spec)
            if "ship_to" in spec:
                ship_to = spec["ship_to"]
                order["ship_to"] = None if ship_to is False or ship_to is None else ship_to
            if "customer" in spec:
                order["customer"] = self._customer_for(order, spec["customer"])
            if "lines" in spec:
                order["lines"] = [self._line(raw) for raw in spec["lines"]]
            if "createdAt" in spec:
                order["created"] = parse_moment(spec["createdAt"], "createdAt")
            if "updatedAt" in spec:
                order["updated"] = parse_moment(spec["updatedAt"], "updatedAt")
            elif bump:
                order["updated"] = max(now, order["updated"] + timedelta(seconds=1))
            if bump:
                self._order_events(order, "updated", before)

    @staticmethod
    def _apply_discount(order: dict[str, Any], spec: dict[str, Any]) -> None:
        if "discount" in spec:
            order["discount"] = dict(spec["discount"] or {"kind": None})
        if "discountAmount" in spec:
            order["discount"] = {"kind": "amount", "value": money(spec["discountAmount"], "discountAmount")}
        if "discountPercentage" in spec:
            value = money(spec["discountPercentage"], "discountPercentage")
            order["discount"] = {"kind": "percentage", "value": value}
        if "discountCouponCode" in spec:
            order["discount"] = {**order["discount"], "code": spec["discountCouponCode"]}

    @staticmethod
    def _apply_company(order: dict[str, Any], spec: dict[str, Any]) -> None:
        if "company" in spec:
            company = spec["company"]
            order["company"] = (
                (company["name"], company.get("vat", ""), company.get("coc", "")) if company else None
            )
        api_names = ("companyName", "companyVatNumber", "companyCoCNumber")
        if any(name in spec for name in api_names):
            name, vat, coc = order["company"] or ("", "", "")
            order["company"] = (
                spec.get("companyName", name),
                spec.get("companyVatNumber", vat),
                spec.get("companyCoCNumber", coc),
            )
        if spec.get("isCompany") is False:
            order["company"] = None

    def _customer_for(self, order: dict[str, Any], value: Any) -> Customer | None:
        if value is False or value is None:
            return None
        customer_id = int(value)
        if customer_id not in self.customers:  # a new registered customer with the order's details
            self.customers[customer_id] = Customer(
                id=customer_id,
                email=order["email"].strip().lower(),
                firstname=order["firstname"],
                middlename=order["middlename"],
                lastname=order["lastname"],
                country=order["country"],
                street=order["street"],
                number=str(order["number_addr"]),
                extension=order["extension"],
                zipcode=order["zipcode"],
                city=order["city"],
                phone=order["phone"],
                company=order["company"],
                created_at=order["created"],
                last_online_at=order["created"],
            )
            self.notify("customers", "created", self.customers[customer_id])
        return self.customers[customer_id]

    def _line_id(self) -> int:
        self.next_line += 1
        return self.next_line - 1

    def _line(self, spec: dict[str, Any]) -> dict[str, Any]:
        """A line from a partial spec; a known ``articleCode``/``sku``/``ean`` fills in the product."""
        codes = (spec.get("articleCode"), spec.get("sku"), spec.get("ean"))
        product = next((PRODUCTS_BY_CODE[c] for c in codes if c in PRODUCTS_BY_CODE), None)
        known = demo.line_from_product(product, 1, 0) if product else {}
        line = {
            "id": int(spec.get("id") or self._line_id()),
            "articleCode": spec.get("articleCode", known.get("articleCode", "")),
            "sku": spec.get("sku", known.get("sku", "")),
            "ean": spec.get("ean", known.get("ean", "")),
            "productTitle": spec.get("productTitle", known.get("productTitle", "Artikel")),
            "variantTitle": spec.get("variantTitle", known.get("variantTitle", "")),
            "brandTitle": spec.get("brandTitle", known.get("brandTitle", "")),
            "quantityOrdered": int(spec.get("quantityOrdered", 1)),
            "basePriceIncl": money(
                spec.get("basePriceIncl", known.get("basePriceIncl", "1.00")), "basePriceIncl"
            ),
            "taxRate": money(spec.get("taxRate", known.get("taxRate", "0.21")), "taxRate"),
            "raw": spec.get("raw", {}),
        }
        if line["taxRate"] > 1:
            raise AdminError(f"taxRate is a fraction (0.21), got {line['taxRate']}")
        return line

    def delete_order(self, order_id: int) -> bool:
        with self.lock:
            order = self.orders.get(order_id)
            if order is None:
                return False
            self.notify("orders", "deleted", order)
            del self.orders[order_id]
            return True
