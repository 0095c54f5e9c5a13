"""What the credit-notes flow of one tenant needs to know, flattened from the tenant file and its mapping."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from lightspeed_afas.domain import retry_policy
from lightspeed_afas.domain.booking_rules import BookingRules
from lightspeed_afas.domain.credit_booking import CreditRules
from lightspeed_afas.domain.retry_policy import Clock, utc_now
from lightspeed_afas.flows.afas_side import AfasLookups

FLOW = "credit_notes"


@dataclass(frozen=True)
class CreditNoteSyncSettings:
    tenant: str
    lightspeed_conn_id: str
    afas_conn_id: str
    start_date: datetime
    overlap: timedelta
    rules: BookingRules  # the order flow's: document type, item codes, VAT codes, rounding
    credit: CreditRules
    lookups: AfasLookups
    max_attempts: int
    max_parallel_calls: int
    reserve_for_orders: float
    detail_logging: bool
    clock: Clock = field(default=utc_now, compare=False)


def credit_note_settings(tenant: Any, mapping: Any, clock: Clock | None = None) -> CreditNoteSyncSettings:
    """The tenant's ``credit_notes:`` block with the order flow's booking rules and look-ups."""
    from lightspeed_afas.flows.orders.tenant_settings import booking_rules

    block = tenant.credit_notes
    if block is None:
        raise ValueError(f"tenant {tenant.tenant} has no credit_notes block: its credit-notes flow is off")
    overlap = (
        block.overlap_minutes if block.overlap_minutes is not None else tenant.lightspeed.overlap_minutes
    )
    return CreditNoteSyncSettings(
        tenant=tenant.tenant,
        lightspeed_conn_id=tenant.lightspeed.conn_id,
        afas_conn_id=tenant.afas.conn_id,
        start_date=tenant.start_date,
        overlap=timedelta(minutes=overlap),
        rules=booking_rules(tenant.afas, mapping),
        credit=CreditRules(block.credit_marking, block.remark_template, block.invoice_reference),
        lookups=AfasLookups.configured(tenant.afas.lookups, tenant.afas.document),
        max_attempts=tenant.max_attempts,
        max_parallel_calls=tenant.afas.max_parallel_calls,
        reserve_for_orders=tenant.lightspeed.reserve_for_orders,
        detail_logging=tenant.detail_logging,
        clock=clock or retry_policy.utc_now,
    )
