"""Everything one tenant's sync needs to know, flattened from the tenant file and its mapping rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from lightspeed_afas.afas.relation_payloads import RelationDefaults
from lightspeed_afas.domain.booking import BookingRules
from lightspeed_afas.domain.retry_policy import Clock, utc_now
from lightspeed_afas.flows.afas_side import AfasLookups
from lightspeed_afas.flows.orders.extract import Eligibility


@dataclass(frozen=True)
class SyncSettings:
    tenant: str
    lightspeed_conn_id: str
    afas_conn_id: str
    start_date: datetime
    overlap: timedelta
    eligibility: Eligibility
    rules: BookingRules
    lookups: AfasLookups
    countries: dict[str, str]
    relation_defaults: RelationDefaults
    guest_debtor: str | None
    duplicate_debtors: str
    cancelled_orders: str  # ignore | delete_if_open
    processed_statuses: tuple[str, ...]
    max_parallel_calls: int
    max_attempts: int
    detail_logging: bool
    hold_unbooked: bool = False  # record what unbooked orders hold (the tenant's stock flow subtracts it)
    # Where the retry backoff and the recorded attempt times take "now" from (tests pass a fake one).
    clock: Clock = field(default=utc_now, compare=False)
