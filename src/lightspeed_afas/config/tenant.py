"""The tenant file model (``include/tenants/<tenant>.yaml``): one webshop synced to one AFAS administration.

Keys as in DESIGN.md, plus the options issue 4 adds. Every model forbids unknown keys. Choices where the
reference is uncertain:

- ``lightspeed.overlap_minutes`` (default 120): the ``updated_at`` filter takes naive times and whether the
  shop reads them as UTC or shop-local time is undocumented, so every window starts this much earlier;
  the ledger makes the overlap cost no AFAS calls.
- ``afas.processed_statuses``: the ``Status`` texts of ``Profit_Salesorders`` that mean AFAS has already
  processed the order (delivered or invoiced), after which the sync never updates or deletes it. AFAS does
  not document the full list; the default covers the Dutch texts of a standard environment.
- ``afas.duplicate_debtors`` (default ``fail``): several debtors with the same e-mail is a data problem in
  AFAS; the sync never picks one silently unless the tenant says how.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator

from lightspeed_afas.afas import lookups
from lightspeed_afas.config.articles import ArticleSettings
from lightspeed_afas.config.credit_notes import CreditNoteSettings
from lightspeed_afas.config.customers import CustomerSettings
from lightspeed_afas.config.dag_ids import FLOW_SEPARATOR, flow_dag_id
from lightspeed_afas.config.fields import (
    Code6,
    Code15,
    Code16,
    Code40,
    ConnectorId,
    ConnId,
    FieldId,
    Strict,
    checked_cron,
)
from lightspeed_afas.config.notifications import Notifications
from lightspeed_afas.config.relation_defaults import NewRelation
from lightspeed_afas.config.stock import StockSettings
from lightspeed_afas.config.webhooks import WebhookSettings

# \A…\Z, not ^…$: with re.match, "$" also matches before a trailing newline ("acme\n").
TENANT_ID = re.compile(r"\A[a-z0-9_]+\Z")
OrderStatus = Literal[
    "new",
    "offer",
    "on_hold",
    "processing",
    "processing_awaiting_payment",
    "processing_awaiting_shipment",
    "processing_awaiting_pickup",
    "processing_partially_paid",
    "processing_partially_shipped",
    "processing_partially_picked_up",
    "completed",
    "completed_shipped",
    "completed_picked_up",
    "cancelled",
]
PaymentStatus = Literal["not_paid", "partially_paid", "paid", "cancelled"]
DEFAULT_PROCESSED_STATUSES = (
    "Geleverd",
    "Gedeeltelijk geleverd",
    "Gefactureerd",
    "Gedeeltelijk gefactureerd",
    "Afgehandeld",
)


class LightspeedSettings(Strict):
    """The webshop side."""

    conn_id: ConnId = Field(description="Airflow connection of type lightspeed_ecom")
    order_statuses: list[OrderStatus] = Field(
        default_factory=list, description="order statuses to book; empty = every status except cancelled"
    )
    payment_statuses: list[PaymentStatus] = Field(
        default_factory=list, description="payment statuses to book; empty = any"
    )
    overlap_minutes: int = Field(120, ge=0, le=1440, description="each window starts this much earlier")
    reserve_for_orders: float = Field(
        0.4,
        ge=0.0,
        le=0.9,
        description="share of every rate-limit window the other flows leave to the orders flow",
    )
    pool: str | None = Field(
        None,
        min_length=1,
        max_length=256,
        description="Airflow pool of the non-order flows of this key; default lightspeed_<conn_id>",
    )

    @model_validator(mode="after")
    def _pool_default(self) -> LightspeedSettings:
        if self.pool is None:
            name = self.conn_id if self.conn_id.startswith("lightspeed_") else f"lightspeed_{self.conn_id}"
            object.__setattr__(self, "pool", name)
        return self


class ItemCodes(Strict):
    """AFAS item codes (ItCd) for the lines that are not webshop products."""

    discount: Code40 = Field(description="order discounts")
    shipping: Code40 = Field(description="shipping costs")
    payment_fee: Code40 | None = Field(
        None, description="payment costs; orders with payment costs fail without it"
    )
    rounding: Code40 | None = Field(None, description="VAT rounding cents (mapping rounding.mode book_line)")


class DebtorLookup(Strict):
    """The debtor look-up by e-mail."""

    connector: ConnectorId = lookups.DEBTOR_CONNECTOR
    email_field: FieldId = lookups.DEBTOR_EMAIL_FIELD
    debtor_id_field: FieldId = lookups.DEBTOR_ID_FIELD


class OrderLookup(Strict):
    """The look-up of orders (or direct invoices) by reference."""

    connector: ConnectorId = lookups.ORDER_CONNECTOR
    reference_field: FieldId = lookups.ORDER_REFERENCE_FIELD
    order_number_field: FieldId = lookups.ORDER_NUMBER_FIELD
    status_field: FieldId = lookups.ORDER_STATUS_FIELD


class Lookups(Strict):
    """GetConnectors and field ids for look-ups; change them for environments with custom connectors."""

    debtor: DebtorLookup = Field(default_factory=DebtorLookup)
    order: OrderLookup = Field(default_factory=OrderLookup)
    direct_invoice: OrderLookup = Field(
        default_factory=lambda: OrderLookup(connector=lookups.DIRECT_INVOICE_CONNECTOR)
    )


class AfasSettings(Strict):
    """The AFAS side: where and how orders are booked."""

    conn_id: ConnId = Field(description="Airflow connection of type afas_profit")
    document: Literal["sales_order", "direct_invoice"] = Field(
        "sales_order", description="FbSales (sales order) or FbDirectInvoice"
    )
    administration: int = Field(ge=1, description="Unit")
    sales_journal: Code6 | None = Field(None, description="JoCo")
    project: Code15 | None = Field(None, description="PrId")
    warehouse: Code15 | None = Field(None, description="War")
    items: ItemCodes
    new_relation: NewRelation = Field(default_factory=NewRelation)
    cancelled_orders: Literal["ignore", "delete_if_open"] = "ignore"
    guest_debtor: Code16 | None = Field(None, description="collective debtor for guest orders")
    duplicate_debtors: Literal["fail", "lowest_debtor_id", "most_recent"] = "fail"
    lookups: Lookups = Field(default_factory=Lookups)
    processed_statuses: list[str] = Field(default_factory=lambda: list(DEFAULT_PROCESSED_STATUSES))
    max_parallel_calls: int = Field(4, ge=1, le=8, description="AFAS calls in flight from one task")
    pool: str | None = Field(
        None,
        min_length=1,
        max_length=256,
        description="Airflow pool; default afas_<conn_id> (the conn_id itself when it starts with afas_)",
    )
    pool_slots: int | None = Field(
        None, ge=1, le=8, description="pool slots a task holds; default max_parallel_calls"
    )

    @model_validator(mode="after")
    def _pool_defaults(self) -> AfasSettings:
        # frozen model: fill the derived defaults once, here.
        if self.pool is None:
            pool = self.conn_id if self.conn_id.startswith("afas_") else f"afas_{self.conn_id}"
            object.__setattr__(self, "pool", pool)
        if self.pool_slots is None:
            object.__setattr__(self, "pool_slots", self.max_parallel_calls)
        elif self.pool_slots > self.max_parallel_calls:
            raise ValueError(
                f"pool_slots ({self.pool_slots}) is more than max_parallel_calls ({self.max_parallel_calls}); "
                "the pool has max_parallel_calls slots, so the task would never start"
            )
        return self


class TenantConfig(Strict):
    """One tenant file."""

    tenant: str = Field(min_length=1, max_length=200, description="[a-z0-9_]+, equal to the file name")
    name: str = Field(min_length=1, max_length=200)
    enabled: bool = True
    start_date: datetime = Field(description="time-zone aware ISO date-time of the first interval")
    schedule: str = Field("*/15 * * * *", description="cron expression")
    timezone: str = Field("Europe/Amsterdam", description="IANA zone the cron expression is read in")
    lightspeed: LightspeedSettings
    afas: AfasSettings
    mapping: str = Field("default", pattern=r"^[A-Za-z0-9_-]+$", description="include/mappings/<name>.yaml")
    mapping_overrides: dict[str, Any] = Field(
        default_factory=dict, description="rules merged over the mapping"
    )
    detail_logging: bool = False
    detail_log_days: int = Field(14, ge=1, le=14)
    max_attempts: int = Field(5, ge=1, le=100, description="failed attempts before an order is quarantined")
    owner: str = Field("data-team", min_length=1, max_length=100)
    notifications: Notifications = Field(default_factory=Notifications)
    stock: StockSettings | None = Field(None, description="the stock flow (AFAS → Lightspeed); absent = off")
    articles: ArticleSettings | None = Field(
        None, description="the articles flow (AFAS → Lightspeed); absent = off"
    )
    customers: CustomerSettings | None = Field(
        None, description="the customers flow (Lightspeed → AFAS relations); absent = off"
    )
    credit_notes: CreditNoteSettings | None = Field(
        None, description="the credit-notes flow (Lightspeed → AFAS credits); absent = off"
    )
    webhooks: WebhookSettings | None = Field(
        None, description="Lightspeed order webhooks trigger the orders DAG; absent = polling only"
    )

    @property
    def dag_id(self) -> str:
        return flow_dag_id(self.tenant)

    @field_validator("tenant")
    @classmethod
    def _tenant_id(cls, value: str) -> str:
        if not TENANT_ID.fullmatch(value):
            raise ValueError(f"{value!r} is not a tenant id: use lower-case letters, digits and _ only")
        if FLOW_SEPARATOR in value:
            raise ValueError(
                f"{value!r} contains '__', which separates a tenant from its flow in DAG ids "
                "(lightspeed_afas_<tenant>__stock); use a single _"
            )
        return value

    def flows(self) -> tuple[str, ...]:
        """The flows this tenant runs: orders, and each flow whose block is in the file."""
        optional = {
            "stock": self.stock,
            "articles": self.articles,
            "customers": self.customers,
            "credit_notes": self.credit_notes,
        }
        return ("orders",) + tuple(flow for flow, block in optional.items() if block is not None)

    @field_validator("start_date", mode="before")
    @classmethod
    def _aware_start(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                raise ValueError(
                    f"{value!r} is not an ISO date-time like 2026-11-01T00:00:00+01:00"
                ) from None
        if isinstance(value, datetime) and value.tzinfo is None:
            raise ValueError("start_date needs a UTC offset, like 2026-11-01T00:00:00+01:00")
        return value

    @field_validator("schedule")
    @classmethod
    def _cron(cls, value: str) -> str:
        return checked_cron(value)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone like Europe/Amsterdam") from None
        return value
