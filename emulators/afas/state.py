"""The AFAS environment's data: sales relations (debtors), persons and organisations, sales orders
with their lines, direct invoices, and the environment log of refusals (omgevingslogboek)."""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from emulators.afas.catalogue import Catalogue

CENT = Decimal("0.01")
STATUS_TEXT = {"open": "Open", "delivered": "Geleverd", "invoiced": "Gefactureerd"}


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


def guid() -> str:
    return "{" + str(uuid.uuid4()).upper() + "}"


@dataclass
class Debtor:
    debtor_id: str
    kind: str  # "person" | "organisation"
    bcco: str
    name: str
    search_name: str
    email: str
    phone: str
    vat_number: str
    coc_number: str
    currency: str
    payment_condition: str
    address_line: str
    created: datetime
    contact_person: str | None = None


@dataclass
class SalesLine:
    guid: str
    seq: int
    fields: dict[str, Any]


@dataclass
class SalesOrder:
    connector: str  # FbSales | FbDirectInvoice
    order_number: str
    fields: dict[str, Any]
    lines: list[SalesLine]
    state: str  # open | delivered | invoiced
    created: datetime
    modified: datetime
    invoice_number: str | None = None

    def line_amounts(self, vat_rates: dict[str, Decimal]) -> list[tuple[SalesLine, Decimal, Decimal]]:
        """(line, amount incl. VAT, VAT) per line; amounts rounded half-up to cents per line."""
        incl_vat = bool(self.fields.get("InVa"))
        out = []
        for line in self.lines:
            amount = cents(Decimal(line.fields.get("QuUn") or 0) * Decimal(line.fields.get("Upri") or 0))
            rate = vat_rates.get(str(line.fields.get("VaRc") or ""), Decimal("0"))
            if incl_vat:
                total = amount
                vat = amount - cents(amount / (1 + rate))
            else:
                total = cents(amount * (1 + rate))
                vat = total - amount
            out.append((line, total, vat))
        return out

    def totals(self, vat_rates: dict[str, Decimal]) -> dict[str, Decimal]:
        amounts = self.line_amounts(vat_rates)
        total = sum((a for _, a, _ in amounts), Decimal("0"))
        vat = sum((v for _, _, v in amounts), Decimal("0"))
        return {"TotalAmount": total, "VAT": vat, "Gross": total - vat, "InvoiceTotal": total}


@dataclass
class AfasState:
    catalogue: Catalogue = field(default_factory=Catalogue)
    debtors: dict[str, Debtor] = field(default_factory=dict)
    orders: dict[str, SalesOrder] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    next_debtor: int = 10000
    next_person: int = 1000000
    next_order: int = 60000000
    next_packing_slip: int = 70000000
    next_invoice: int = 80000000
    lock: threading.RLock = field(default_factory=threading.RLock)

    def new_debtor_id(self) -> str:
        while True:
            self.next_debtor += 1
            if str(self.next_debtor) not in self.debtors:
                return str(self.next_debtor)

    def new_bcco(self) -> str:
        self.next_person += 1
        return str(self.next_person)

    def new_order_number(self, connector: str) -> str:
        if connector == "FbDirectInvoice":
            self.next_packing_slip += 1
            return str(self.next_packing_slip)
        self.next_order += 1
        return str(self.next_order)

    def new_invoice_number(self) -> str:
        self.next_invoice += 1
        return str(self.next_invoice)
