"""AFAS sales documents (``FbSales`` sales orders and ``FbDirectInvoice`` direct invoices), header and lines.

Each field's AFAS code stands next to its readable name. ``insert_payload`` is the POST body of a new
document, ``update_payload`` the PUT body that replaces the lines of one AFAS already has.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from lightspeed_afas.afas.field_values import amount, cents, present

SalesConnector = Literal["FbSales", "FbDirectInvoice"]
LINES_OF: dict[str, str] = {"FbSales": "FbSalesLines", "FbDirectInvoice": "FbDirectInvoiceLines"}

# AFAS VaIt (item type) values, from the FbSalesLines OpenAPI enum (their labels: refusal_labels).
ItemType = Literal["1", "2", "3", "4", "5", "6", "7", "8", "10", "11", "14"]
ARTICLE: ItemType = "2"
COST_ITEM: ItemType = "6"
# The defaults the mapping rules start from: AFAS's own examples book articles per piece and cost items
# with the unit "*****".
ARTICLE_UNIT = "STK"
COST_UNIT = "*****"
LINE_ITEM_TYPES: dict[str, ItemType] = {
    "product": ARTICLE,
    "discount": COST_ITEM,
    "shipping": COST_ITEM,
    "payment_fee": COST_ITEM,
    "rounding": COST_ITEM,
}


@dataclass(frozen=True)
class SalesLine:
    """One line of a sales document."""

    kind: str  # product, discount, shipping, payment_fee, rounding (ours; not sent)
    item_type: str  # VaIt
    item_code: str  # ItCd
    description: str  # Ds
    unit: str  # BiUn
    quantity: Decimal  # QuUn
    unit_price: Decimal  # Upri
    vat_code: str  # VaRc

    def fields(self) -> dict[str, Any]:
        return {
            "VaIt": self.item_type,
            "ItCd": self.item_code,
            "Ds": self.description,
            "BiUn": self.unit,
            "QuUn": amount(self.quantity),
            "Upri": amount(self.unit_price),
            "VaRc": self.vat_code,
        }


@dataclass(frozen=True)
class SalesDocument:
    """A sales order or direct invoice, header and lines."""

    connector: SalesConnector
    debtor_id: str  # DbId
    order_date: date  # OrDa
    reference: str  # RfCs — the Lightspeed order number, the idempotency key
    administration: int  # Unit
    prices_incl_vat: bool  # InVa
    remark: str  # Re
    journal: str | None = None  # JoCo
    project: str | None = None  # PrId
    warehouse: str | None = None  # War
    payment_type: str | None = None  # PaTp
    currency: str | None = None  # CuId
    lines: tuple[SalesLine, ...] = field(default_factory=tuple)
    credit: bool = False  # CrOr ("credit order"); sent only when true (credit_notes.credit_marking)
    invoice_reference: str | None = None  # Fref, at most 32: a credit's original Lightspeed invoice

    def header_fields(self, with_debtor: bool = True) -> dict[str, Any]:
        fields: dict[str, Any] = {"DbId": self.debtor_id} if with_debtor else {}
        fields.update(
            {
                "OrDa": self.order_date.isoformat(),
                "RfCs": self.reference,
                "Unit": self.administration,
                "InVa": self.prices_incl_vat,
            }
        )
        optional = {
            "JoCo": self.journal,
            "PrId": self.project,
            "War": self.warehouse,
            "PaTp": self.payment_type,
            "CuId": self.currency,
            "Re": self.remark,
            "CrOr": self.credit,
            "Fref": self.invoice_reference,
        }
        return {**fields, **present(optional)}

    def _payload(self, header: dict[str, Any], lines: list[dict[str, Any]]) -> dict[str, Any]:
        lines_object = {LINES_OF[self.connector]: {"Element": lines}}
        return {self.connector: {"Element": {"Fields": header, "Objects": [lines_object]}}}

    def insert_payload(self) -> dict[str, Any]:
        """POST body; never an ``OrNu`` — AFAS autonumbering assigns it."""
        return self._payload(self.header_fields(), [{"Fields": ln.fields()} for ln in self.lines])

    def update_payload(self, order_number: str, existing_line_guids: list[str]) -> dict[str, Any]:
        """PUT body for an order AFAS already has: header in place, old lines deleted, new lines inserted.

        The debtor is not touched (AFAS is leading). Lines are replaced rather than matched one by one:
        a webshop edit can reorder, split or merge lines, and replacing is the one reading that cannot
        leave a stale line behind. Both happen in one transactional PUT.
        """
        header = {"OrNu": order_number, **self.header_fields(with_debtor=False)}
        elements = [{"Fields": {"GuLi": guid, "@Action": "delete"}} for guid in existing_line_guids]
        elements += [{"Fields": {**ln.fields(), "@Action": "insert"}} for ln in self.lines]
        return self._payload(header, elements)

    def total_incl(self, vat_rates: dict[str, Decimal]) -> Decimal:
        """The document total incl. VAT as AFAS computes it: per line, rounded half-up to cents."""
        total = Decimal("0")
        for ln in self.lines:
            line_amount = cents(ln.quantity * ln.unit_price)
            if not self.prices_incl_vat:
                line_amount = cents(line_amount * (1 + vat_rates[ln.vat_code]))
            total += line_amount
        return total
