"""A Lightspeed eCom order as the pipeline sees it: typed, Decimal money, aware times, quirks undone.

The API says "not set" with ``false``, ``""`` or ``[]``, sends some numbers as strings, and gives times
with the shop's offset. ``parse_order`` turns one raw order (lines embedded, as ``GET /orders/{id}.json``
returns it) into a ``WebshopOrder`` or raises ``OrderDataError`` naming the field that is unusable.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class OrderDataError(ValueError):
    """The webshop order itself is unusable; the message names the field and the problem."""


def unset(value: Any) -> bool:
    """Lightspeed's many ways of saying 'not set'."""
    return value is None or value is False or value == "" or value == [] or value == {}


def text(value: Any) -> str:
    """A string field: '' when unset, control characters removed, whitespace trimmed."""
    if unset(value) or value is True:
        return ""
    return _CONTROL.sub("", str(value)).strip()


def money(value: Any, field_name: str, default: Decimal | None = Decimal("0")) -> Decimal:
    """A JSON float, int or numeric string as Decimal (via ``str`` so 0.1 stays 0.1)."""
    if unset(value):
        if default is None:
            raise OrderDataError(f"{field_name} is missing")
        return default
    if isinstance(value, bool):
        raise OrderDataError(f"{field_name} is {value!r}, not an amount")
    raw = str(value).strip()
    if not re.fullmatch(r"-?\d+(\.\d+)?([eE][-+]?\d+)?", raw):
        raise OrderDataError(f"{field_name} is {raw!r}, not an amount with a '.' decimal point")
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        raise OrderDataError(f"{field_name} is {raw!r}, not an amount") from None
    if not amount.is_finite():
        raise OrderDataError(f"{field_name} is {raw!r}, not a finite amount")
    return amount


def quantity(value: Any, field_name: str) -> int:
    amount = money(value, field_name, default=None)
    if amount != amount.to_integral_value():
        raise OrderDataError(f"{field_name} is {value!r}, not a whole number")
    return int(amount)


def timestamp(value: Any, field_name: str) -> datetime:
    if unset(value):
        raise OrderDataError(f"{field_name} is missing")
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise OrderDataError(f"{field_name} is {value!r}, not an ISO-8601 time") from None
    if moment.tzinfo is None:
        raise OrderDataError(f"{field_name} is {value!r}, without a UTC offset")
    return moment


def normalise_email(value: Any) -> str:
    """Trimmed and lower-cased; '' when unset."""
    return text(value).lower()


@dataclass(frozen=True)
class Address:
    name: str = ""
    company: str = ""
    street: str = ""
    street2: str = ""
    number: str = ""
    extension: str = ""
    zipcode: str = ""
    city: str = ""
    region: str = ""
    country: str = ""  # ISO alpha-2, lower-case as Lightspeed sends it; '' when unset

    @property
    def is_empty(self) -> bool:
        return not (self.street or self.city or self.zipcode)


@dataclass(frozen=True)
class OrderLine:
    id: int
    article_code: str
    sku: str
    ean: str
    title: str
    variant: str
    quantity: int
    tax_rate: Decimal
    base_price_incl: Decimal
    base_price_excl: Decimal
    price_incl: Decimal
    price_excl: Decimal
    discount_incl: Decimal

    @property
    def description(self) -> str:
        return f"{self.title} - {self.variant}" if self.variant else self.title


@dataclass(frozen=True)
class WebshopOrder:
    """Everything the booking needs from one order; nothing else is kept."""

    id: int
    number: str
    created_at: datetime
    updated_at: datetime
    updated_at_raw: str
    status: str
    payment_status: str
    shipment_status: str
    customer_id: int | None
    email: str
    firstname: str
    middlename: str
    lastname: str
    phone: str
    is_company: bool
    company_name: str
    coc_number: str
    vat_number: str
    billing: Address
    shipping: Address
    comment: str
    payment_id: str
    payment_title: str
    price_incl: Decimal
    price_excl: Decimal
    shipment_title: str
    shipment_price_incl: Decimal
    shipment_price_excl: Decimal
    shipment_tax_rate: Decimal
    payment_price_incl: Decimal
    payment_price_excl: Decimal
    payment_tax_rate: Decimal
    discount_amount: Decimal
    discount_code: str
    lines: tuple[OrderLine, ...] = field(default_factory=tuple)

    @property
    def is_guest(self) -> bool:
        return self.customer_id is None

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.firstname, self.middlename, self.lastname) if p)

    def content_hash(self) -> str:
        """Hash of what the booking depends on — not statuses, so a status-only change costs nothing.

        The ledger compares it across releases: its input must stay byte for byte what it was."""
        content = plain(self)
        for volatile in ("updated_at", "updated_at_raw", "status", "payment_status", "shipment_status"):
            content.pop(volatile)
        content["cancelled"] = self.status == "cancelled"
        blob = json.dumps(content, sort_keys=True, default=str, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def to_json(self) -> dict[str, Any]:
        """A JSON-safe dict (Decimals and times as strings) for XCom; ``from_json`` reverses it."""
        return plain(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> WebshopOrder:
        d = dict(data)
        for key in ("created_at", "updated_at"):
            d[key] = datetime.fromisoformat(d[key])
        for key in _MONEY_FIELDS:
            d[key] = Decimal(d[key])
        d["billing"] = Address(**d["billing"])
        d["shipping"] = Address(**d["shipping"])
        d["lines"] = tuple(
            OrderLine(**{k: (Decimal(v) if k in _LINE_MONEY else v) for k, v in line.items()})
            for line in d["lines"]
        )
        return cls(**d)


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def plain(value: Any) -> Any:
    """``value`` as JSON-native data, exactly as ``json.loads(json.dumps(asdict(value), default=str))``
    gives it — dataclasses as dicts, tuples as lists, Decimals and times as ``str()`` — without
    ``asdict``'s deep copies (most of the cost of handling an order)."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    kind = type(value)
    names = _FIELD_NAMES.get(kind)
    if names is None and is_dataclass(value):
        names = _FIELD_NAMES[kind] = tuple(f.name for f in fields(value))
    if names is not None:
        return {name: plain(getattr(value, name)) for name in names}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return str(value)


_MONEY_FIELDS = (
    "price_incl",
    "price_excl",
    "shipment_price_incl",
    "shipment_price_excl",
    "shipment_tax_rate",
    "payment_price_incl",
    "payment_price_excl",
    "payment_tax_rate",
    "discount_amount",
)
_LINE_MONEY = {"tax_rate", "base_price_incl", "base_price_excl", "price_incl", "price_excl", "discount_incl"}


def _country(value: Any, field_name: str) -> str:
    if unset(value):
        return ""
    if isinstance(value, dict):
        code = text(value.get("code"))
    else:
        code = text(value)
    if code and not re.fullmatch(r"[A-Za-z]{2}", code):
        raise OrderDataError(f"{field_name} has code {code!r}, not a two-letter ISO country code")
    return code.lower()


def _address(raw: dict[str, Any], kind: str) -> Address:
    p = f"address{kind}"
    return Address(
        name=text(raw.get(f"{p}Name")),
        company=text(raw.get(f"{p}Company")),
        street=text(raw.get(f"{p}Street")),
        street2=text(raw.get(f"{p}Street2")),
        number=text(raw.get(f"{p}Number")),
        extension=text(raw.get(f"{p}Extension")),
        zipcode=text(raw.get(f"{p}Zipcode")),
        city=text(raw.get(f"{p}City")),
        region=text(raw.get(f"{p}Region")),
        country=_country(raw.get(f"{p}Country"), f"{p}Country"),
    )


def _resource_id(value: Any) -> int | None:
    if unset(value) or not isinstance(value, dict):
        return None
    resource = value.get("resource")
    if not isinstance(resource, dict) or unset(resource.get("id")):
        return None
    try:
        return int(resource["id"])
    except (TypeError, ValueError):
        return None


def embedded_lines(raw: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The lines a single-order GET embeds under ``products.resource.embedded`` (None when absent)."""
    products = raw.get("products")
    if isinstance(products, dict):
        resource = products.get("resource")
        if isinstance(resource, dict) and isinstance(resource.get("embedded"), list):
            return resource["embedded"]
    return None


def parse_line(raw: dict[str, Any], index: int) -> OrderLine:
    where = f"line {index + 1}"
    try:
        line_id = int(raw.get("id"))
    except (TypeError, ValueError):
        raise OrderDataError(f"{where}: id is {raw.get('id')!r}, not a number") from None
    return OrderLine(
        id=line_id,
        article_code=text(raw.get("articleCode")),
        sku=text(raw.get("sku")),
        ean=text(raw.get("ean")),
        title=text(raw.get("productTitle")),
        variant=text(raw.get("variantTitle")),
        quantity=quantity(raw.get("quantityOrdered"), f"{where}: quantityOrdered"),
        tax_rate=money(raw.get("taxRate"), f"{where}: taxRate"),
        base_price_incl=money(raw.get("basePriceIncl"), f"{where}: basePriceIncl"),
        base_price_excl=money(raw.get("basePriceExcl"), f"{where}: basePriceExcl"),
        price_incl=money(raw.get("priceIncl"), f"{where}: priceIncl", default=None),
        price_excl=money(raw.get("priceExcl"), f"{where}: priceExcl"),
        discount_incl=money(raw.get("discountIncl"), f"{where}: discountIncl"),
    )


def parse_order(raw: dict[str, Any], lines: list[dict[str, Any]] | None = None) -> WebshopOrder:
    """Parse one raw order; ``lines`` defaults to the lines embedded in it."""
    try:
        order_id = int(raw.get("id"))
    except (TypeError, ValueError):
        raise OrderDataError(f"id is {raw.get('id')!r}, not a number") from None
    raw_lines = lines if lines is not None else embedded_lines(raw)
    if raw_lines is None:
        raise OrderDataError("the order lines are missing (products.resource.embedded)")
    updated_raw = text(raw.get("updatedAt"))
    return WebshopOrder(
        id=order_id,
        number=text(raw.get("number")) or str(order_id),
        created_at=timestamp(raw.get("createdAt"), "createdAt"),
        updated_at=timestamp(raw.get("updatedAt"), "updatedAt"),
        updated_at_raw=updated_raw,
        status=text(raw.get("status")),
        payment_status=text(raw.get("paymentStatus")),
        shipment_status=text(raw.get("shipmentStatus")),
        customer_id=_resource_id(raw.get("customer")),
        email=normalise_email(raw.get("email")),
        firstname=text(raw.get("firstname")),
        middlename=text(raw.get("middlename")),
        lastname=text(raw.get("lastname")),
        phone=text(raw.get("phone")) or text(raw.get("mobile")),
        is_company=raw.get("isCompany") in (True, "true", "1", 1),
        company_name=text(raw.get("companyName")),
        coc_number=text(raw.get("companyCoCNumber")),
        vat_number=text(raw.get("companyVatNumber")),
        billing=_address(raw, "Billing"),
        shipping=_address(raw, "Shipping"),
        comment=text(raw.get("comment")),
        payment_id=text(raw.get("paymentId")),
        payment_title=text(raw.get("paymentTitle")),
        price_incl=money(raw.get("priceIncl"), "priceIncl", default=None),
        price_excl=money(raw.get("priceExcl"), "priceExcl"),
        shipment_title=text(raw.get("shipmentTitle")),
        shipment_price_incl=money(raw.get("shipmentPriceIncl"), "shipmentPriceIncl"),
        shipment_price_excl=money(raw.get("shipmentPriceExcl"), "shipmentPriceExcl"),
        shipment_tax_rate=money(raw.get("shipmentTaxRate"), "shipmentTaxRate"),
        payment_price_incl=money(raw.get("paymentPriceIncl"), "paymentPriceIncl"),
        payment_price_excl=money(raw.get("paymentPriceExcl"), "paymentPriceExcl"),
        payment_tax_rate=money(raw.get("paymentTaxRate"), "paymentTaxRate"),
        discount_amount=money(raw.get("discountAmount"), "discountAmount"),
        discount_code=text(raw.get("discountCouponCode")),
        lines=tuple(parse_line(line, i) for i, line in enumerate(raw_lines)),
    )
