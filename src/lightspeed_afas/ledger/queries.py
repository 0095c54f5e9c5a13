"""Read-only ledger queries for the dashboard and the notifications.

Nothing here writes to the ledger's own tables. Every query is per tenant and works the same on SQLite
and PostgreSQL. Days and weeks are counted in the tenant's time zone (the shop's day, not UTC).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from lightspeed_afas.ledger import schema as t

BOOKED_ACTIONS = ("created", "updated")
FAILED_ACTIONS = ("failed", "quarantined")
PROBLEM_STATUSES = ("failed", "quarantined")
ORDER_STATUSES = ("booked", "skipped", "deleted", "failed", "quarantined")
LIGHTSPEED_DAY_BUDGET = 12_000  # requests per API key per day (Lightspeed eCom's published limit)


def _aware(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything the ledger stores is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def _iso(value: datetime | None) -> str | None:
    value = _aware(value)
    return value.isoformat() if value else None


def _first_day(now: datetime, zone: ZoneInfo, days: int) -> tuple[date, datetime]:
    """The first of the ``days`` days up to today in ``zone``, and its midnight in UTC."""
    first = now.astimezone(zone).date() - timedelta(days=days - 1)
    return first, datetime(first.year, first.month, first.day, tzinfo=zone).astimezone(UTC)


def week_start(moment: datetime, zone: ZoneInfo) -> datetime:
    """Monday 00:00 of ``moment``'s ISO week in ``zone``, as an aware UTC datetime."""
    local = moment.astimezone(zone)
    monday = local.date() - timedelta(days=local.weekday())
    return datetime(monday.year, monday.month, monday.day, tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True)
class DayCount:
    day: date
    booked: int
    failed: int

    def as_dict(self) -> dict[str, Any]:
        return {"day": self.day.isoformat(), "booked": self.booked, "failed": self.failed}


class LedgerQueries:
    """Read-only views over one ledger database (give it ``Ledger.engine`` or any engine on it)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    # -- tenants and runs ------------------------------------------------------------------------

    def tenants(self) -> list[str]:
        """Every tenant the ledger has a run or an order for, sorted."""
        with self.engine.connect() as conn:
            runs = conn.execute(sa.select(t.sync_run.c.tenant).distinct()).scalars().all()
            orders = conn.execute(sa.select(t.order_state.c.tenant).distinct()).scalars().all()
        return sorted(set(runs) | set(orders))

    def runs(self, tenant: str, limit: int = 20) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(t.sync_run)
                .where(t.sync_run.c.tenant == tenant)
                .order_by(t.sync_run.c.started_at.desc(), t.sync_run.c.id.desc())
                .limit(limit)
            ).mappings()
            return [_run(r) for r in rows]

    # -- counts ----------------------------------------------------------------------------------

    def status_counts(self, tenant: str) -> dict[str, int]:
        """How many orders are in each status now (booked, skipped, deleted, failed, quarantined)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(t.order_state.c.status, sa.func.count())
                .where(t.order_state.c.tenant == tenant)
                .group_by(t.order_state.c.status)
            ).all()
        counts = {status: 0 for status in ORDER_STATUSES}
        counts.update({status: int(n) for status, n in rows})
        return counts

    # -- every tenant at once (the overview) -----------------------------------------------------

    def summaries(
        self, zones: dict[str, ZoneInfo], now: datetime, days: int = 30
    ) -> dict[str, dict[str, Any]]:
        """Per tenant: the last run, bookings today and this week, orders per status now, Lightspeed calls
        in the last 24 hours and bookings / failed attempts per day; five queries for all tenants together."""
        tenants = sorted(zones)
        out: dict[str, dict[str, Any]] = {
            tenant: {
                "last_run": None,
                "booked_today": 0,
                "booked_this_week": 0,
                "status_counts": {status: 0 for status in ORDER_STATUSES},
                "lightspeed_calls_24h": 0,
                "daily": [],
            }
            for tenant in tenants
        }
        if not tenants:
            return out
        run, attempt, state = t.sync_run, t.order_attempt, t.order_state
        latest = (
            sa.select(run.c.tenant, sa.func.max(run.c.id).label("id"))
            .where(run.c.tenant.in_(tenants))
            .group_by(run.c.tenant)
            .subquery()
        )
        firsts = {tenant: _first_day(now, zones[tenant], days) for tenant in tenants}
        since = min(first for _, first in firsts.values())
        with self.engine.connect() as conn:
            for row in conn.execute(sa.select(run).join(latest, run.c.id == latest.c.id)).mappings():
                out[row["tenant"]]["last_run"] = _run(row)
            for tenant, status, n in conn.execute(
                sa.select(state.c.tenant, state.c.status, sa.func.count())
                .where(state.c.tenant.in_(tenants))
                .group_by(state.c.tenant, state.c.status)
            ):
                out[tenant]["status_counts"][status] = int(n)
            for tenant, calls in conn.execute(
                sa.select(run.c.tenant, run.c.calls).where(
                    run.c.tenant.in_(tenants), run.c.started_at >= now - timedelta(hours=24)
                )
            ):
                out[tenant]["lightspeed_calls_24h"] += int((calls or {}).get("lightspeed", 0) or 0)
            buckets: dict[str, tuple[Counter[date], Counter[date]]] = {
                t_: (Counter(), Counter()) for t_ in tenants
            }
            for tenant, at, action in conn.execute(
                sa.select(attempt.c.tenant, attempt.c.at, attempt.c.action).where(
                    attempt.c.tenant.in_(tenants),
                    attempt.c.at >= since,
                    attempt.c.action.in_(BOOKED_ACTIONS + FAILED_ACTIONS),
                )
            ):
                booked, failed = buckets[tenant]
                (booked if action in BOOKED_ACTIONS else failed)[
                    _aware(at).astimezone(zones[tenant]).date()
                ] += 1
        for tenant in tenants:
            zone = zones[tenant]
            first, first_utc = firsts[tenant]
            booked, failed = buckets[tenant]
            today = now.astimezone(zone).date()
            monday = week_start(now, zone).astimezone(zone).date()
            out[tenant]["daily"] = [
                DayCount(
                    first + timedelta(days=i),
                    booked[first + timedelta(days=i)],
                    failed[first + timedelta(days=i)],
                )
                for i in range(days)
            ]
            # Days after ``now`` (a clock ahead in another process) count as today, as a ``>= midnight`` filter would.
            out[tenant]["booked_today"] = sum(n for day, n in booked.items() if day >= today)
            out[tenant]["booked_this_week"] = sum(n for day, n in booked.items() if day >= monday)
        return out

    # -- orders ----------------------------------------------------------------------------------

    def orders(
        self,
        tenant: str,
        statuses: Sequence[str] | None = None,
        search: str | None = None,
        limit: int = 200,
    ) -> list[dict[str, Any]]:
        """Orders in their current state with their latest attempt, most recently changed first.

        ``statuses`` filters on the current status; ``search`` matches part of the order number.
        """
        latest = (
            sa.select(sa.func.max(t.order_attempt.c.id).label("id"))
            .where(t.order_attempt.c.tenant == tenant)
            .group_by(t.order_attempt.c.order_id)
            .subquery()
        )
        attempt = (
            sa.select(t.order_attempt).join(latest, t.order_attempt.c.id == latest.c.id).subquery("attempt")
        )
        state = t.order_state
        query = (
            sa.select(
                state.c.order_id,
                state.c.order_number,
                state.c.afas_order_number,
                state.c.debtor_id,
                state.c.status,
                state.c.failures,
                state.c.reason,
                state.c.last_run_id,
                state.c.changed_at,
                attempt.c.action,
                attempt.c.profit_log_reference,
                attempt.c.attempt,
                attempt.c.run_id,
                attempt.c.at,
            )
            .select_from(
                state.outerjoin(
                    attempt,
                    sa.and_(attempt.c.tenant == state.c.tenant, attempt.c.order_id == state.c.order_id),
                )
            )
            .where(state.c.tenant == tenant)
        )
        if statuses:
            query = query.where(state.c.status.in_(list(statuses)))
        if search:
            query = query.where(state.c.order_number.ilike(f"%{_escape_like(search.strip())}%", escape="\\"))
        query = query.order_by(state.c.changed_at.desc(), state.c.order_id.desc()).limit(limit)
        with self.engine.connect() as conn:
            return [_order(r) for r in conn.execute(query).mappings()]

    def problems(self, tenant: str, limit: int = 500) -> list[dict[str, Any]]:
        """The open problems: orders failed or quarantined now."""
        return self.orders(tenant, PROBLEM_STATUSES, limit=limit)

    def latest_bookings(self, tenant: str, limit: int = 50) -> list[dict[str, Any]]:
        """The most recent booking attempts (created, updated, deleted), newest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(t.order_attempt)
                .where(
                    t.order_attempt.c.tenant == tenant,
                    t.order_attempt.c.action.in_(BOOKED_ACTIONS + ("deleted",)),
                )
                .order_by(t.order_attempt.c.at.desc(), t.order_attempt.c.id.desc())
                .limit(limit)
            ).mappings()
            return [_attempt(r) for r in rows]

    def find_order_numbers(self, tenant: str, text: str, limit: int = 20) -> list[str]:
        """The order numbers the ledger knows for ``text``: ``[text]`` when it is one exactly, else the
        numbers ending in it, else those containing it (case-insensitive; ``10028`` finds ``ORD10028``),
        sorted, at most ``limit``. Attempts and states both count: either may outlive the other."""
        text = text.strip()
        if not text:
            return []
        pattern = _escape_like(text.lower())
        for condition in (
            lambda c: c == text,
            lambda c: sa.func.lower(c).like(f"%{pattern}", escape="\\"),
            lambda c: sa.func.lower(c).like(f"%{pattern}%", escape="\\"),
        ):
            numbers = sa.union(
                *(
                    sa.select(table.c.order_number).where(
                        table.c.tenant == tenant, condition(table.c.order_number)
                    )
                    for table in (t.order_state, t.order_attempt)
                )
            ).subquery()
            with self.engine.connect() as conn:
                found = (
                    conn.execute(
                        sa.select(numbers.c.order_number).order_by(numbers.c.order_number).limit(limit)
                    )
                    .scalars()
                    .all()
                )
            if found:
                return list(found)
        return []

    def order_statuses(self, tenant: str, order_numbers: Iterable[str]) -> dict[str, str]:
        """Current status by order number, for the given numbers (absent numbers are left out)."""
        numbers = sorted(set(order_numbers))
        out: dict[str, str] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(numbers), 500):
                chunk = numbers[start : start + 500]
                rows = conn.execute(
                    sa.select(t.order_state.c.order_number, t.order_state.c.status).where(
                        t.order_state.c.tenant == tenant, t.order_state.c.order_number.in_(chunk)
                    )
                )
                out.update({number: status for number, status in rows})
        return out


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _run(row: Any) -> dict[str, Any]:
    return {
        "run_id": row["run_id"],
        "mode": row["mode"],
        "outcome": row["outcome"],
        "started_at": _iso(row["started_at"]),
        "finished_at": _iso(row["finished_at"]),
        "window_start": _iso(row["window_start"]),
        "window_end": _iso(row["window_end"]),
        "counts": dict(row["counts"] or {}),
        "calls": dict(row["calls"] or {}),
        "rate_limited": int(row["rate_limited"] or 0),
        "duration_s": row["duration_s"],
        "message": row["message"],
    }


def _order(row: Any) -> dict[str, Any]:
    return {
        "order_id": int(row["order_id"]),
        "order_number": row["order_number"],
        "afas_order_number": row["afas_order_number"],
        "debtor_id": row["debtor_id"],
        "status": row["status"],
        "failures": int(row["failures"] or 0),
        "reason": row["reason"],
        "action": row["action"],
        "profit_log_reference": row["profit_log_reference"],
        "attempts": int(row["attempt"] or 0),
        "run_id": row["run_id"] or row["last_run_id"],
        "at": _iso(row["at"] or row["changed_at"]),
    }


def _attempt(row: Any) -> dict[str, Any]:
    return {
        "order_id": int(row["order_id"]),
        "order_number": row["order_number"],
        "afas_order_number": row["afas_order_number"],
        "debtor_id": row["debtor_id"],
        "action": row["action"],
        "reason": row["reason"],
        "profit_log_reference": row["profit_log_reference"],
        "attempts": int(row["attempt"]),
        "run_id": row["run_id"],
        "at": _iso(row["at"]),
    }
