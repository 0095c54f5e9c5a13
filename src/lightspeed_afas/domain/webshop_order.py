"""A Lightspeed eCom order as the booking sees it: typed, Decimal money, aware times, nothing else kept.

``WebshopOrder`` is the model; ``lightspeed_afas.domain.order_parsing.parse_order`` builds it from the
API's JSON. ``to_json``/``from_json`` carry it through XCom, and ``content_hash`` tells the ledger whether
anything the booking depends on changed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class Address:
    """A billing or shipping address as the order gives it."""

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
    """One product line: its item codes, quantity, VAT rate and prices incl. and excl. VAT."""

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
