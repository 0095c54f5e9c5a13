"""The AFAS environment's data: persons and organisations (contacts, by ``BcCo``), sales relations
(debtors), sales orders and direct invoices with their lines, the environment log (omgevingslogboek), and
the number ranges and GUIDs, drawn from a seeded ``random.Random`` so a run is reproducible, the stock
per item and warehouse (``stock``), and the articles with their barcodes and prices (``articles``).

Number ranges: debtors from 10000, persons/organisations from 1000001, sales orders from 60000001,
packing slips (direct invoices' ``OrNu``) from 70000001, invoice numbers from 80000001.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from emulators.afas.articles import ArticleBook
from emulators.afas.catalogue import Catalogue
from emulators.afas.credits import CreditRules
from emulators.afas.stock import StockBook
from emulators.afas.totals import HALF_AWAY_FROM_ZERO, LineAmounts, line_amounts, order_totals
from emulators.clock import EmulatorClock

# Processing state → Profit_Salesorders.Status text (AFAS-like; the pipeline treats "Geleverd" and
# "Gefactureerd" as processed).
STATUS_TEXT = {"open": "Open", "delivered": "Geleverd", "invoiced": "Gefactureerd"}
LINE_STATUS = {"open": "0", "delivered": "1", "invoiced": "2"}


@dataclass
class Contact:
    """A person (``KnPerson``) or organisation (``KnOrganisation``) with its addresses."""

    bcco: str
    kind: str  # "person" | "organisation"
    fields: dict[str, Any]
    addresses: dict[str, dict[str, Any]]  # KnBasicAddressAdr / KnBasicAddressPad → fields
    created: datetime
    modified: datetime
    contact_persons: list[dict[str, Any]] = field(default_factory=list)  # KnContact fields (organisations)
    bank_accounts: list[dict[str, Any]] = field(default_factory=list)

    @property
    def name(self) -> str:
        f = self.fields
        if self.kind == "organisation":
            return str(f.get("Nm") or "")
        first = f.get("CaNm") or f.get("FiNm") or f.get("In")
        return " ".join(str(p) for p in (first, f.get("Is"), f.get("LaNm")) if p)


@dataclass
class Debtor:
    debtor_id: str
    kind: str
    bcco: str
    fields: dict[str, Any]
    created: datetime
    modified: datetime


@dataclass
class SalesLine:
    guid: str
    seq: int
    fields: dict[str, Any]


@dataclass
class SalesOrder:
    connector: str  # FbSales | FbDirectInvoice
    number: str
    fields: dict[str, Any]
    lines: list[SalesLine]
    state: str  # open | delivered | invoiced
    created: datetime
    modified: datetime
    invoice_number: str | None = None
    rounding: str = HALF_AWAY_FROM_ZERO  # the credit rule negative_rounding when booked (``totals``)

    def amounts(self, catalogue: Catalogue) -> list[tuple[SalesLine, LineAmounts]]:
        incl = bool(self.fields.get("InVa"))
        out = []
        for line in self.lines:
            f = line.fields
            item = catalogue.item(f.get("ItCd"), f.get("VaIt")) or {}
            rate = catalogue.vat_codes.get(str(f.get("VaRc") or item.get("vat_code") or ""), Decimal("0"))
            out.append(
                (
                    line,
                    line_amounts(
                        Decimal(f.get("QuUn") or 0),
                        Decimal(f.get("Upri") or 0),
                        rate,
                        incl,
                        f.get("PRDc"),
                        f.get("ARDc"),
                        self.rounding,
                    ),
                )
            )
        return out

    def totals(self, catalogue: Catalogue) -> dict[str, Decimal]:
        return order_totals(a for _, a in self.amounts(catalogue))


@dataclass
class AfasState:
    catalogue: Catalogue
    rng: random.Random
    clock: EmulatorClock
    base_time: datetime
    contacts: dict[str, Contact] = field(default_factory=dict)
    debtors: dict[str, Debtor] = field(default_factory=dict)
    orders: dict[str, SalesOrder] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    stock: StockBook = field(default_factory=StockBook)  # filled by ``stock.configure``
    articles: ArticleBook = field(default_factory=ArticleBook)  # filled by ``articles.configure``
    credits: CreditRules = field(default_factory=CreditRules)  # set by ``credits.configure``
    next_debtor: int = 10000
    next_contact: int = 1000001
    next_order: int = 60000001
    next_packing_slip: int = 70000001
    next_invoice: int = 80000001

    def now(self) -> datetime:
        """Emulator time: the configured base time plus the emulated seconds since start."""
        return self.base_time + timedelta(seconds=self.clock.seconds())

    def guid(self) -> str:
        """A line GUID as Profit writes it: ``{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}``, upper case."""
        return "{" + str(uuid.UUID(int=self.rng.getrandbits(128), version=4)).upper() + "}"

    def log_reference(self) -> str:
        return f"{self.rng.getrandbits(128):032X}"

    def new_debtor_id(self) -> str:
        while str(self.next_debtor) in self.debtors:
            self.next_debtor += 1
        self.next_debtor += 1
        return str(self.next_debtor - 1)

    def new_bcco(self) -> str:
        while str(self.next_contact) in self.contacts:
            self.next_contact += 1
        self.next_contact += 1
        return str(self.next_contact - 1)

    def new_order_number(self, connector: str) -> str:
        if connector == "FbDirectInvoice":
            self.next_packing_slip += 1
            return str(self.next_packing_slip - 1)
        self.next_order += 1
        return str(self.next_order - 1)

    def new_invoice_number(self) -> str:
        taken = {o.invoice_number for o in self.orders.values()}
        while str(self.next_invoice) in taken:
            self.next_invoice += 1
        self.next_invoice += 1
        return str(self.next_invoice - 1)

    def debtor_contact(self, debtor: Debtor) -> Contact | None:
        return self.contacts.get(debtor.bcco)
