"""Records the customers and credit-notes flows book into AFAS one by one: each record's state and
every attempt (``schema_flow_items``).

A state's ``status``:

- ``created`` — this connector created it in AFAS (a relation, a credit);
- ``linked`` — AFAS already held it (a customer's relation found by e-mail, a credit found by its
  reference before inserting);
- ``waiting`` — it cannot be booked yet (a credit note whose order is not in AFAS yet); every run
  looks again, and waiting never quarantines;
- ``failed`` — AFAS (or the data) refused it; later runs try again, up to ``max_attempts`` failures;
- ``quarantined`` — failed that often: no run tries it again until it changes in Lightspeed;
- ``skipped`` — nothing to book (a customer who did not confirm their e-mail, when the tenant asks that).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from lightspeed_afas.ledger import clock
from lightspeed_afas.ledger import schema as t

CHUNK = 500
DONE = ("created", "linked")  # nothing left to do for the record at this version
RETRIED = ("failed", "waiting")  # later runs look at these again
STATUSES = ("created", "linked", "waiting", "failed", "quarantined", "skipped")


@dataclass(frozen=True)
class ItemOutcome:
    """What one attempt did with one record."""

    item_id: int
    action: str  # one of STATUSES
    version: str | None = None  # Lightspeed's updatedAt as sent
    number: str | None = None
    payload_hash: str | None = None
    afas_id: str | None = None
    debtor_id: str | None = None
    order_id: int | None = None
    order_number: str | None = None
    reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ItemOutcome:
        return cls(**data)


@dataclass(frozen=True)
class ItemState:
    """Where one record stands."""

    item_id: int
    status: str
    version: str | None
    number: str | None
    payload_hash: str | None
    afas_id: str | None
    debtor_id: str | None
    order_id: int | None
    order_number: str | None
    reason: str | None
    failures: int
    changed_at: datetime | None


class FlowItemLog:
    """States and attempts of the record-by-record flows in ``self.engine``'s ledger (part of ``Ledger``)."""

    engine: sa.Engine

    def item_states(self, tenant: str, flow: str, ids: Iterable[int]) -> dict[int, ItemState]:
        with self.engine.connect() as conn:
            return _states_in(conn, tenant, flow, [int(i) for i in ids])

    def items_to_retry(self, tenant: str, flow: str, limit: int = 250) -> list[ItemState]:
        """Failed and waiting records, oldest change first (a run re-reads them by id)."""
        c = t.flow_item.c
        query = (
            sa.select(t.flow_item)
            .where(c.tenant == tenant, c.flow == flow, c.status.in_(RETRIED))
            .order_by(c.changed_at, c.item_id)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [_state(row) for row in conn.execute(query).mappings()]

    def record_items(
        self,
        tenant: str,
        flow: str,
        run_id: str,
        outcomes: Sequence[ItemOutcome],
        max_failures: int,
        at: datetime | None = None,
    ) -> list[ItemOutcome]:
        """Store one attempt per outcome and each record's new state; returns the outcomes as stored
        (a failure past ``max_failures`` becomes ``quarantined``)."""
        when = at or clock.now_utc()
        stored: list[ItemOutcome] = []
        with self.engine.begin() as conn:
            known = _states_in(conn, tenant, flow, [o.item_id for o in outcomes])
            for outcome in outcomes:
                before = known.get(outcome.item_id)
                failures = (before.failures if before else 0) + 1 if outcome.action == "failed" else 0
                if outcome.action == "waiting" and before is not None:
                    failures = before.failures
                if outcome.action == "failed" and failures >= max_failures:
                    outcome = replace(outcome, action="quarantined")
                _upsert(conn, tenant, flow, outcome, before, failures, when)
                conn.execute(
                    t.flow_item_attempt.insert().values(
                        tenant=tenant,
                        flow=flow,
                        run_id=run_id,
                        item_id=outcome.item_id,
                        number=outcome.number,
                        action=outcome.action,
                        afas_id=outcome.afas_id,
                        reason=outcome.reason,
                        at=when,
                    )
                )
                stored.append(outcome)
        return stored

    def item_counts(self, tenant: str, flow: str) -> dict[str, int]:
        c = t.flow_item.c
        query = (
            sa.select(c.status, sa.func.count()).where(c.tenant == tenant, c.flow == flow).group_by(c.status)
        )
        with self.engine.connect() as conn:
            return {str(status): int(n) for status, n in conn.execute(query)}

    def items(
        self, tenant: str, flow: str, statuses: Sequence[str] | None = None, limit: int = 100
    ) -> list[ItemState]:
        """Records of a flow (of ``statuses``), most recently changed first."""
        c = t.flow_item.c
        query = sa.select(t.flow_item).where(c.tenant == tenant, c.flow == flow)
        if statuses:
            query = query.where(c.status.in_(list(statuses)))
        query = query.order_by(c.changed_at.desc(), c.item_id.desc()).limit(limit)
        with self.engine.connect() as conn:
            return [_state(row) for row in conn.execute(query).mappings()]

    def item_attempts(
        self, tenant: str, flow: str, run_id: str | None = None, limit: int = 200
    ) -> list[dict[str, Any]]:
        """Attempts of a flow (of one run), newest first."""
        c = t.flow_item_attempt.c
        query = sa.select(t.flow_item_attempt).where(c.tenant == tenant, c.flow == flow)
        if run_id is not None:
            query = query.where(c.run_id == run_id)
        query = query.order_by(c.at.desc(), c.id.desc()).limit(limit)
        with self.engine.connect() as conn:
            return [dict(row, at=clock.aware(row["at"])) for row in conn.execute(query).mappings()]


def _states_in(conn: sa.Connection, tenant: str, flow: str, ids: list[int]) -> dict[int, ItemState]:
    c = t.flow_item.c
    found: dict[int, ItemState] = {}
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), CHUNK):
        query = sa.select(t.flow_item).where(
            c.tenant == tenant, c.flow == flow, c.item_id.in_(wanted[start : start + CHUNK])
        )
        for row in conn.execute(query).mappings():
            found[int(row["item_id"])] = _state(row)
    return found


def _upsert(
    conn: sa.Connection,
    tenant: str,
    flow: str,
    outcome: ItemOutcome,
    before: ItemState | None,
    failures: int,
    when: datetime,
) -> None:
    values = {
        "status": outcome.action,
        "version": outcome.version,
        "number": outcome.number,
        "payload_hash": outcome.payload_hash,
        # What an earlier attempt learned stays when this one did not learn it again.
        "afas_id": outcome.afas_id or (before.afas_id if before else None),
        "debtor_id": outcome.debtor_id or (before.debtor_id if before else None),
        "order_id": outcome.order_id or (before.order_id if before else None),
        "order_number": outcome.order_number or (before.order_number if before else None),
        "reason": outcome.reason,
        "failures": failures,
        "changed_at": when,
    }
    c = t.flow_item.c
    if before is None:
        conn.execute(
            t.flow_item.insert().values(
                tenant=tenant, flow=flow, item_id=outcome.item_id, first_seen=when, **values
            )
        )
    else:
        conn.execute(
            t.flow_item.update()
            .where(c.tenant == tenant, c.flow == flow, c.item_id == outcome.item_id)
            .values(**values)
        )


def _state(row: Any) -> ItemState:
    return ItemState(
        item_id=int(row["item_id"]),
        status=str(row["status"]),
        version=row["version"],
        number=row["number"],
        payload_hash=row["payload_hash"],
        afas_id=row["afas_id"],
        debtor_id=row["debtor_id"],
        order_id=None if row["order_id"] is None else int(row["order_id"]),
        order_number=row["order_number"],
        reason=row["reason"],
        failures=int(row["failures"] or 0),
        changed_at=clock.aware(row["changed_at"]),
    )
