"""Every tenant at once, for the dashboard's overview: last run, bookings per day, orders per status.

Five queries for all tenants together, however many there are. Days and weeks are counted in each
tenant's time zone (the shop's day, not UTC).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from lightspeed_afas.domain.vocabulary import BOOKED, PROBLEMS
from lightspeed_afas.ledger import clock
from lightspeed_afas.ledger import schema as t
from lightspeed_afas.ledger.records import ORDER_STATUSES
from lightspeed_afas.ledger.rows import run_row

_COUNTED = sorted(str(action) for action in BOOKED | PROBLEMS)  # the attempts the daily bars count


@dataclass(frozen=True)
class DayCount:
    """One day's bar: bookings and failed attempts."""

    day: date
    booked: int
    failed: int

    def as_dict(self) -> dict[str, Any]:
        return {"day": self.day.isoformat(), "booked": self.booked, "failed": self.failed}


def week_start(moment: datetime, zone: ZoneInfo) -> datetime:
    """Monday 00:00 of ``moment``'s ISO week in ``zone``, as an aware UTC datetime."""
    local = moment.astimezone(zone)
    monday = local.date() - timedelta(days=local.weekday())
    return datetime(monday.year, monday.month, monday.day, tzinfo=zone).astimezone(UTC)


def status_counts(conn: sa.Connection, tenants: Sequence[str]) -> dict[str, dict[str, int]]:
    """Per tenant, how many orders are in each status now (every status, 0 where none)."""
    state = t.order_state
    out = {tenant: {status: 0 for status in ORDER_STATUSES} for tenant in tenants}
    for tenant, status, n in conn.execute(
        sa.select(state.c.tenant, state.c.status, sa.func.count())
        .where(state.c.tenant.in_(list(tenants)))
        .group_by(state.c.tenant, state.c.status)
    ):
        out[tenant][status] = int(n)
    return out


def summaries(
    conn: sa.Connection, zones: dict[str, ZoneInfo], now: datetime, days: int = 30
) -> dict[str, dict[str, Any]]:
    """Per tenant of ``zones``: ``last_run``, ``booked_today``, ``booked_this_week``, ``status_counts``,
    ``lightspeed_calls_24h`` and ``daily`` (``days`` ``DayCount``s up to today)."""
    tenants = sorted(zones)
    if not tenants:
        return {}
    runs = _last_runs(conn, tenants)
    counts = status_counts(conn, tenants)
    calls = _lightspeed_calls(conn, tenants, now - timedelta(hours=24))
    firsts = {tenant: _first_day(now, zones[tenant], days) for tenant in tenants}
    buckets = _attempts_per_day(conn, zones, min(first for _, first in firsts.values()))
    out: dict[str, dict[str, Any]] = {}
    for tenant in tenants:
        zone, (first, _) = zones[tenant], firsts[tenant]
        booked, failed = buckets[tenant]
        today = now.astimezone(zone).date()
        monday = week_start(now, zone).astimezone(zone).date()
        out[tenant] = {
            "last_run": runs.get(tenant),
            # Days after ``now`` (a clock ahead in another process) count as today, as ``>= midnight`` would.
            "booked_today": sum(n for day, n in booked.items() if day >= today),
            "booked_this_week": sum(n for day, n in booked.items() if day >= monday),
            "status_counts": counts[tenant],
            "lightspeed_calls_24h": calls[tenant],
            "daily": [
                DayCount(day, booked[day], failed[day])
                for day in (first + timedelta(days=i) for i in range(days))
            ],
        }
    return out


def _first_day(now: datetime, zone: ZoneInfo, days: int) -> tuple[date, datetime]:
    """The first of the ``days`` days up to today in ``zone``, and its midnight in UTC."""
    first = now.astimezone(zone).date() - timedelta(days=days - 1)
    return first, datetime(first.year, first.month, first.day, tzinfo=zone).astimezone(UTC)


def _last_runs(conn: sa.Connection, tenants: list[str]) -> dict[str, dict[str, Any]]:
    run = t.sync_run
    latest = (
        sa.select(run.c.tenant, sa.func.max(run.c.id).label("id"))
        .where(run.c.tenant.in_(tenants))
        .group_by(run.c.tenant)
        .subquery()
    )
    rows = conn.execute(sa.select(run).join(latest, run.c.id == latest.c.id)).mappings()
    return {row["tenant"]: run_row(row) for row in rows}


def _lightspeed_calls(conn: sa.Connection, tenants: list[str], since: datetime) -> dict[str, int]:
    run = t.sync_run
    out = dict.fromkeys(tenants, 0)
    query = sa.select(run.c.tenant, run.c.calls).where(run.c.tenant.in_(tenants), run.c.started_at >= since)
    for tenant, calls in conn.execute(query):
        out[tenant] += int((calls or {}).get("lightspeed", 0) or 0)
    return out


def _attempts_per_day(
    conn: sa.Connection, zones: dict[str, ZoneInfo], since: datetime
) -> dict[str, tuple[Counter[date], Counter[date]]]:
    """Per tenant, bookings and failed attempts since ``since`` by day in the tenant's zone."""
    attempt = t.order_attempt
    out: dict[str, tuple[Counter[date], Counter[date]]] = {tenant: (Counter(), Counter()) for tenant in zones}
    for tenant, at, action in conn.execute(
        sa.select(attempt.c.tenant, attempt.c.at, attempt.c.action).where(
            attempt.c.tenant.in_(sorted(zones)), attempt.c.at >= since, attempt.c.action.in_(_COUNTED)
        )
    ):
        booked, failed = out[tenant]
        (booked if action in BOOKED else failed)[clock.aware(at).astimezone(zones[tenant]).date()] += 1
    return out
