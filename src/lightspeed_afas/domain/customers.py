"""A Lightspeed eCom customer as the customers flow sees it (reference erp-extras §1.5): what a new AFAS
sales relation is made of, typed; nothing else is kept, and nothing of it reaches the ledger.

A ``WebshopCustomer`` has the fields ``domain.relations`` reads from an order (``RelationSource``), so
the customers flow finds and creates relations with the order flow's own code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lightspeed_afas.domain.lightspeed_values import identifier, text, timestamp, truthy
from lightspeed_afas.domain.order_parsing import contact_fields
from lightspeed_afas.domain.webshop_order import Address, plain


@dataclass(frozen=True)
class WebshopCustomer:
    id: int
    created_at: datetime
    updated_at: datetime
    updated_at_raw: str
    kind: str  # Lightspeed's ``type``: "registered" (other values are uncertain)
    is_confirmed: bool
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

    @property
    def number(self) -> str:
        """What the task log calls it: the Lightspeed id (no name, no e-mail)."""
        return f"customer {self.id}"

    def to_json(self) -> dict[str, Any]:
        return plain(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> WebshopCustomer:
        d = dict(data)
        for key in ("created_at", "updated_at"):
            d[key] = datetime.fromisoformat(d[key])
        d["billing"] = Address(**d["billing"])
        d["shipping"] = Address(**d["shipping"])
        return cls(**d)


def parse_customer(raw: dict[str, Any]) -> WebshopCustomer:
    """One customer of ``customers.json``; ``OrderDataError`` names the field that is unusable."""
    return WebshopCustomer(
        id=identifier(raw.get("id"), "id"),
        created_at=timestamp(raw.get("createdAt"), "createdAt"),
        updated_at=timestamp(raw.get("updatedAt"), "updatedAt"),
        updated_at_raw=text(raw.get("updatedAt")),
        kind=text(raw.get("type")),
        is_confirmed=truthy(raw.get("isConfirmed")),
        **contact_fields(raw),
    )
