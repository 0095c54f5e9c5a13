"""Read-only ledger queries for the dashboard and the notifications.

Nothing here writes to the ledger's own tables. Every query is per tenant and works the same on SQLite
and PostgreSQL. Days and weeks are counted in the tenant's time zone (the shop's day, not UTC).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from lightspeed_afas.domain.vocabulary import BOOKED, PROBLEMS, Action
from lightspeed_afas.ledger import schema as t
from lightspeed_afas.ledger.overview import status_counts, summaries, week_start
from lightspeed_afas.ledger.records import ORDER_STATUSES
from lightspeed_afas.ledger.rows import attempt_row, order_row, run_row
from lightspeed_afas.ledger.runs import latest_runs

__all__ = [
    "LIGHTSPEED_DAY_BUDGET",
    "ORDER_STATUSES",
    "PROBLEM_STATUSES",
    "LedgerQueries",
    "week_start",
]

PROBLEM_STATUSES = tuple(
    sorted(str(status) for status in PROBLEMS)
)  # failed, quarantined (the dashboard's filter)
LIGHTSPEED_DAY_BUDGET = 12_000  # requests per API key per day (Lightspeed eCom's published limit)
_BOOKINGS = sorted(str(action) for action in BOOKED | {Action.DELETED})


class LedgerQueries:
    """Read-only views over one ledger database (give it ``Ledger.engine`` or any engine on it)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def tenants(self) -> list[str]:
        """Every tenant the ledger has a run or an order for, sorted."""
        with self.engine.connect() as conn:
            runs = conn.execute(sa.select(t.sync_run.c.tenant).distinct()).scalars().all()
            orders = conn.execute(sa.select(t.order_state.c.tenant).distinct()).scalars().all()
        return sorted(set(runs) | set(orders))

    def runs(self, tenant: str, limit: int = 20) -> list[dict[str, Any]]:
        """The tenant's latest runs, newest first, with their times in ISO 8601."""
        with self.engine.connect() as conn:
            return [run_row(r) for r in conn.execute(latest_runs(tenant, limit)).mappings()]

    def status_counts(self, tenant: str) -> dict[str, int]:
        """How many orders are in each status now (booked, skipped, deleted, failed, quarantined)."""
        with self.engine.connect() as conn:
            return status_counts(conn, [tenant])[tenant]

    def summaries(
        self, zones: dict[str, ZoneInfo], now: datetime, days: int = 30
    ) -> dict[str, dict[str, Any]]:
        """Per tenant: the last run, bookings today and this week, orders per status now, Lightspeed calls
        in the last 24 hours and bookings / failed attempts per day; five queries for all tenants together."""
        with self.engine.connect() as conn:
            return summaries(conn, zones, now, days)

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
        state, attempt = t.order_state, _latest_attempts(tenant)
        query = (
            sa.select(
                *(state.c[name] for name in ("order_id", "order_number", "afas_order_number", "debtor_id")),
                *(state.c[name] for name in ("status", "failures", "reason", "last_run_id", "changed_at")),
                *(attempt.c[name] for name in ("action", "profit_log_reference", "attempt", "run_id", "at")),
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
            return [order_row(r) for r in conn.execute(query).mappings()]

    def problems(self, tenant: str, limit: int = 500) -> list[dict[str, Any]]:
        """The open problems: orders failed or quarantined now."""
        return self.orders(tenant, PROBLEM_STATUSES, limit=limit)

    def latest_bookings(self, tenant: str, limit: int = 50) -> list[dict[str, Any]]:
        """The most recent booking attempts (created, updated, deleted), newest first."""
        a = t.order_attempt.c
        query = (
            sa.select(t.order_attempt)
            .where(a.tenant == tenant, a.action.in_(_BOOKINGS))
            .order_by(a.at.desc(), a.id.desc())
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [attempt_row(r) for r in conn.execute(query).mappings()]

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
            query = sa.select(numbers.c.order_number).order_by(numbers.c.order_number).limit(limit)
            with self.engine.connect() as conn:
                found = conn.execute(query).scalars().all()
            if found:
                return list(found)
        return []

    def order_statuses(self, tenant: str, order_numbers: Iterable[str]) -> dict[str, str]:
        """Current status by order number, for the given numbers (absent numbers are left out)."""
        numbers = sorted(set(order_numbers))
        s = t.order_state.c
        out: dict[str, str] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(numbers), 500):
                chunk = numbers[start : start + 500]
                rows = conn.execute(
                    sa.select(s.order_number, s.status).where(s.tenant == tenant, s.order_number.in_(chunk))
                )
                out.update({number: status for number, status in rows})
        return out


def _latest_attempts(tenant: str) -> sa.Subquery:
    """Each of the tenant's orders' latest attempt row."""
    latest = (
        sa.select(sa.func.max(t.order_attempt.c.id).label("id"))
        .where(t.order_attempt.c.tenant == tenant)
        .group_by(t.order_attempt.c.order_id)
        .subquery()
    )
    return sa.select(t.order_attempt).join(latest, t.order_attempt.c.id == latest.c.id).subquery("attempt")


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
