"""Orders in the ledger: one attempt row per order per run, and each order's current state."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from lightspeed_afas.domain.vocabulary import PROBLEMS, Action
from lightspeed_afas.ledger import clock
from lightspeed_afas.ledger import schema as t
from lightspeed_afas.ledger.records import STATUS_AFTER, OrderOutcome, OrderState

CHUNK = 500  # values per IN (...) list
# The outcome's fields an attempt row holds as they are.
_ATTEMPT_FIELDS = (
    "order_id",
    "order_number",
    "updated_at",
    "payload_hash",
    "afas_order_number",
    "debtor_id",
    "reason",
    "profit_log_reference",
)


class OrderLog:
    """Attempts and order states of ``self.engine``'s ledger (a part of ``Ledger``)."""

    engine: sa.Engine

    def order_states(self, tenant: str, order_ids: Iterable[int]) -> dict[int, OrderState]:
        """The current state of each of ``order_ids`` the ledger knows, by order id."""
        ids = sorted(set(int(i) for i in order_ids))
        out: dict[int, OrderState] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(ids), CHUNK):
                rows = conn.execute(
                    sa.select(t.order_state).where(
                        t.order_state.c.tenant == tenant,
                        t.order_state.c.order_id.in_(ids[start : start + CHUNK]),
                    )
                ).mappings()
                for r in rows:
                    out[int(r["order_id"])] = OrderState.from_row(r)
        return out

    def orders_with_status(self, tenant: str, statuses: Sequence[str]) -> list[OrderState]:
        """The tenant's orders whose current status is one of ``statuses``, by order id."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(t.order_state)
                .where(t.order_state.c.tenant == tenant, t.order_state.c.status.in_(list(statuses)))
                .order_by(t.order_state.c.order_id)
            ).mappings()
            return [OrderState.from_row(r) for r in rows]

    def record(
        self,
        tenant: str,
        run_id: str,
        outcomes: Sequence[OrderOutcome],
        max_failures: int,
        at: datetime | None = None,
    ) -> list[OrderOutcome]:
        """Record one attempt per order and update its state; a failure past ``max_failures`` quarantines.

        Returns the outcomes as stored (``failed`` may have become ``quarantined``; ``repeated`` says
        whether a failure is the one already recorded). ``at``: the attempts' time (default: now).
        """
        at = (at or clock.now_utc()).astimezone(UTC)
        with self.engine.begin() as conn:
            return [_record_one(conn, tenant, run_id, outcome, max_failures, at) for outcome in outcomes]

    def attempted_versions(self, tenant: str, states: Iterable[OrderState]) -> dict[int, str | None]:
        """Per order, the Lightspeed ``updatedAt`` of its latest recorded attempt (for a failed order:
        the version that failed, which ``OrderState.updated_at`` does not hold)."""
        by_number: dict[str, set[int]] = {}
        for state in states:
            by_number.setdefault(state.order_number, set()).add(state.order_id)
        numbers = sorted(by_number)
        a = t.order_attempt.c
        out: dict[int, str | None] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(numbers), CHUNK):
                latest = (
                    sa.select(sa.func.max(a.id))
                    .where(a.tenant == tenant, a.order_number.in_(numbers[start : start + CHUNK]))
                    .group_by(a.order_id)
                )
                rows = conn.execute(
                    sa.select(a.order_id, a.order_number, a.updated_at).where(a.id.in_(latest))
                )
                for order_id, number, updated_at in rows:
                    if int(order_id) in by_number.get(number, ()):
                        out[int(order_id)] = updated_at
        return out

    def history(
        self,
        tenant: str,
        order_number: str | None = None,
        action: str | None = None,
        since: datetime | None = None,
        limit: int = 200,
    ) -> list[dict[str, Any]]:
        """Order attempts, newest first, for the ``log`` command and the dashboard."""
        a = t.order_attempt.c
        query = sa.select(t.order_attempt).where(a.tenant == tenant)
        if order_number:
            query = query.where(a.order_number == order_number)
        if action:
            query = query.where(a.action == action)
        if since:
            query = query.where(a.at >= since)
        query = query.order_by(a.at.desc(), a.id.desc()).limit(limit)
        with self.engine.connect() as conn:
            return [{**dict(r), "at": clock.aware(r["at"])} for r in conn.execute(query).mappings()]


def _record_one(
    conn: sa.Connection, tenant: str, run_id: str, outcome: OrderOutcome, max_failures: int, at: datetime
) -> OrderOutcome:
    """One order's attempt row and its new state; returns the outcome as stored."""
    key = (t.order_state.c.tenant == tenant, t.order_state.c.order_id == outcome.order_id)
    prev = conn.execute(sa.select(t.order_state).where(*key)).mappings().first()
    action, failures = _next_action(outcome.action, int(prev["failures"]) if prev else 0, max_failures)
    final = replace(outcome, action=action, repeated=_repeats(prev, action, outcome))
    conn.execute(
        t.order_attempt.insert().values(
            tenant=tenant,
            **{name: getattr(final, name) for name in _ATTEMPT_FIELDS},
            action=action,
            attempt=_attempts_before(conn, tenant, outcome.order_id) + 1,
            run_id=run_id,
            at=at,
        )
    )
    values = _state_values(final, prev, failures, run_id, at)
    if prev is None:
        conn.execute(t.order_state.insert().values(tenant=tenant, order_id=outcome.order_id, **values))
    else:
        conn.execute(t.order_state.update().where(*key).values(**values))
    return final


def _attempts_before(conn: sa.Connection, tenant: str, order_id: int) -> int:
    a = t.order_attempt.c
    query = (
        sa.select(sa.func.count())
        .select_from(t.order_attempt)
        .where(a.tenant == tenant, a.order_id == order_id)
    )
    return int(conn.execute(query).scalar() or 0)


def _next_action(action: str, previous_failures: int, max_failures: int) -> tuple[str, int]:
    """The action as stored and the consecutive failures after it: the failure that reaches
    ``max_failures`` quarantines; anything but a problem clears the count."""
    if action == Action.FAILED:
        failures = previous_failures + 1
        return (Action.QUARANTINED.value if failures >= max_failures else action), failures
    if action in PROBLEMS:
        return action, previous_failures
    return action, 0


def _repeats(prev: Any, action: str, outcome: OrderOutcome) -> bool:
    """A failure the ledger already holds: same status and the same reason as last recorded."""
    if prev is None or action not in PROBLEMS:
        return False
    return prev["status"] == action and (prev["reason"] or "") == (outcome.reason or "")


def _state_values(
    outcome: OrderOutcome, prev: Any, failures: int, run_id: str, at: datetime
) -> dict[str, Any]:
    """The order's new state: a failure keeps what was booked before; a booking replaces it."""
    booked = outcome.action not in PROBLEMS

    def previous(key: str) -> Any:
        return prev[key] if prev else None

    return {
        "order_number": outcome.order_number,
        "updated_at": outcome.updated_at if booked else previous("updated_at"),
        "payload_hash": outcome.payload_hash if booked else previous("payload_hash"),
        "afas_order_number": outcome.afas_order_number or previous("afas_order_number"),
        "debtor_id": outcome.debtor_id or previous("debtor_id"),
        "status": STATUS_AFTER[outcome.action],
        "failures": failures,
        "reason": outcome.reason,
        "last_run_id": run_id,
        "changed_at": at,
    }
