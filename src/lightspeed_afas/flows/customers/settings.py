"""What the customers flow of one tenant needs to know, flattened from the tenant file and its mapping."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from lightspeed_afas.afas.relation_payloads import RelationDefaults
from lightspeed_afas.domain import retry_policy
from lightspeed_afas.domain.retry_policy import Clock, utc_now
from lightspeed_afas.flows.afas_side import AfasLookups

FLOW = "customers"


@dataclass(frozen=True)
class CustomerSyncSettings:
    tenant: str
    lightspeed_conn_id: str
    afas_conn_id: str
    start_date: datetime
    overlap: timedelta
    include: str  # new | new_and_changed
    confirmed_only: bool
    lookups: AfasLookups
    countries: dict[str, str]
    relation_defaults: RelationDefaults
    duplicate_debtors: str
    max_attempts: int
    reserve_for_orders: float
    detail_logging: bool
    clock: Clock = field(default=utc_now, compare=False)


def customer_settings(tenant: Any, mapping: Any, clock: Clock | None = None) -> CustomerSyncSettings:
    """The tenant's ``customers:`` block, with the order flow's look-ups, countries and relation defaults
    (the block's own ``new_relation`` when it has one)."""
    from lightspeed_afas.flows.orders.tenant_settings import relation_defaults

    block = tenant.customers
    if block is None:
        raise ValueError(f"tenant {tenant.tenant} has no customers block: its customers flow is off")
    overlap = (
        block.overlap_minutes if block.overlap_minutes is not None else tenant.lightspeed.overlap_minutes
    )
    return CustomerSyncSettings(
        tenant=tenant.tenant,
        lightspeed_conn_id=tenant.lightspeed.conn_id,
        afas_conn_id=tenant.afas.conn_id,
        start_date=tenant.start_date,
        overlap=timedelta(minutes=overlap),
        include=block.include,
        confirmed_only=block.confirmed_only,
        lookups=AfasLookups.configured(tenant.afas.lookups, tenant.afas.document),
        countries={k.lower(): v for k, v in mapping.countries.items()},
        relation_defaults=relation_defaults(block.new_relation or tenant.afas.new_relation),
        duplicate_debtors=tenant.afas.duplicate_debtors,
        max_attempts=tenant.max_attempts,
        reserve_for_orders=tenant.lightspeed.reserve_for_orders,
        detail_logging=tenant.detail_logging,
        clock=clock or retry_policy.utc_now,
    )
