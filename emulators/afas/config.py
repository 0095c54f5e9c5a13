"""How an AFAS emulator instance is set up: environment, tokens and what their App Connectors allow,
limits, the custom GetConnectors, seeding, the fixed base time of its clock, the stock rules (what each
one means: ``stock``; they can be changed at run time through ``POST /_admin/stock_rules``), the article
rules (``articles``; ``POST /_admin/article_rules``) and the credit rules (``credits``; ``POST
/_admin/credit_rules``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from emulators.afas.catalogue import Catalogue

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
DEMO_TOKEN_DATA = "0123456789ABCDEF" * 4
DIRECT_INVOICE_CONNECTOR = "Lightspeed_DirectInvoices"
STOCK_CONNECTOR = "LightspeedAfas_Stock"


@dataclass(frozen=True)
class AppConnector:
    """What a token's App Connector allows; ``None`` = every connector the emulator knows."""

    get_connectors: tuple[str, ...] | None = None
    update_connectors: tuple[str, ...] | None = None
    app_name: str = "Lightspeed koppeling"
    group: str = "AuthorizationGroup 101 (12345.WEBSHOP)"

    def allows_get(self, connector: str) -> bool:
        return self.get_connectors is None or connector in self.get_connectors

    def allows_update(self, connector: str) -> bool:
        return self.update_connectors is None or connector in self.update_connectors


@dataclass
class AfasConfig:
    """``tokens`` maps the token's data part (the 64 hex characters) to its App Connector."""

    env_id: str = "12345"
    tokens: dict[str, AppConnector] = field(default_factory=lambda: {DEMO_TOKEN_DATA: AppConnector()})
    # AFAS allows 8 parallel calls (reference §6); above it, strict mode answers 500 "onverwachte fout".
    max_in_flight: int = 8
    strict_parallel: bool = True
    direct_invoice_connector: str = DIRECT_INVOICE_CONNECTOR
    catalogue: Catalogue | None = None  # None = the default demo catalogue
    seed: int = 20261102
    seeded_debtors: int = 0  # existing debtors generated from ``seed`` at start and on reset
    base_time: datetime = datetime(2026, 11, 2, 9, 0, tzinfo=AMSTERDAM)
    clock_scale: float = 1.0  # emulated seconds per real second (for time-window faults)
    # Stock (see ``stock``): physical stock of every catalogue article in its default warehouse at start
    # and on reset, and the rules for what the reference leaves open.
    seeded_stock: int = 40
    stock_connector: str = STOCK_CONNECTOR
    standard_stock_kind: str = "economic"  # In_stock of Profit_Stock_per_Warehouse: economic|free|physical
    stock_connector_has_modified_date: bool = False
    stock_connector_kinds: tuple[str, ...] = ("physical", "free", "economic")
    stock_connector_field_ids: dict[str, str] = field(default_factory=dict)  # contract name → field id
    sales_orders_reserve: bool = True
    # Articles (see ``articles``; ``POST /_admin/article_rules`` changes them at run time): the [U] rules of
    # Profit_Article, Profit_Article_Basic, Profit_Barcode_per_Item and Profit_SalesPrice.
    modified_date_filter_format: str = "strict"  # strict | lenient
    modified_date_bounds: str = "exclusive"  # exclusive | inclusive
    price_change_moves_modified_date: bool = False
    barcode_change_moves_modified_date: bool = False
    sales_price_filters: str = "required"  # required | optional
    sales_price_incl_vat: bool = False
    article_value_sets: str = "codes"  # codes | labels
    basic_stock_kind: str = "physical"  # physical | free | economic
    # Credits (see ``credits``; ``POST /_admin/credit_rules`` changes them at run time): the [U] rules of
    # credits on FbSales/FbDirectInvoice (erp-extras §2.6, §3 item 27). Defaults: AFAS's "Creditregel" examples.
    credit_marking: str = "negative_lines"  # negative_lines | cror_required | cror_flips
    credit_unit_price: str = "positive_only"  # positive_only | any
    mixed_lines: str = "accept"  # accept | refuse
    credit_stock: str = "book_back"  # book_back | none
    negative_rounding: str = "half_away_from_zero"  # half_away_from_zero | half_up
