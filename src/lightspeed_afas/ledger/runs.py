"""A tenant's sync runs in the ledger: the run rows, the watermark (how far extraction got) and the
lease (which loader may write to AFAS now)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from lightspeed_afas.ledger import clock
from lightspeed_afas.ledger import schema as t

RUNNING = "running"


def latest_runs(tenant: str, limit: int) -> sa.Select[Any]:
    """The tenant's run rows, newest first (for the ``log`` command and the dashboard)."""
    return (
        sa.select(t.sync_run)
        .where(t.sync_run.c.tenant == tenant)
        .order_by(t.sync_run.c.started_at.desc(), t.sync_run.c.id.desc())
        .limit(limit)
    )


class RunLog:
    """Run rows, the watermark and the lease of ``self.engine``'s ledger (a part of ``Ledger``)."""

    engine: sa.Engine

    # -- runs -------------------------------------------------------------------------------------

    def start_run(
        self, tenant: str, run_id: str, mode: str, window_start: datetime | None, window_end: datetime | None
    ) -> int:
        """The run's row: a new one, or the unfinished one a retried ``extract_orders`` left behind."""
        window = {"mode": mode, "window_start": window_start, "window_end": window_end}
        with self.engine.begin() as conn:
            unfinished = conn.execute(
                sa.select(t.sync_run.c.id)
                .where(*_unfinished(tenant, run_id))
                .order_by(t.sync_run.c.id.desc())
            ).first()
            if unfinished is not None:
                conn.execute(t.sync_run.update().where(t.sync_run.c.id == unfinished[0]).values(**window))
                return int(unfinished[0])
            result = conn.execute(
                t.sync_run.insert().values(
                    tenant=tenant,
                    run_id=run_id,
                    **window,
                    started_at=clock.now_utc(),
                    outcome=RUNNING,
                    counts={},
                    calls={},
                    rate_limited=0,
                )
            )
            return int(result.inserted_primary_key[0])

    def finish_run(
        self,
        run_pk: int,
        outcome: str,
        counts: dict[str, int],
        calls: dict[str, Any],
        rate_limited: int,
        message: str | None = None,
    ) -> None:
        """Close the run's row with its outcome, counts and API calls."""
        with self.engine.begin() as conn:
            started = conn.execute(
                sa.select(t.sync_run.c.started_at).where(t.sync_run.c.id == run_pk)
            ).scalar()
            _close(
                conn,
                run_pk,
                started,
                outcome=outcome,
                counts=counts,
                calls=calls,
                rate_limited=rate_limited,
                message=message,
            )

    def close_unfinished_run(self, tenant: str, run_id: str, message: str) -> int:
        """Mark the run's row failed when the run ended before ``load_to_afas`` closed it (a step failed
        or was killed); returns how many rows it closed (0 when the run had finished properly)."""
        with self.engine.begin() as conn:
            rows = conn.execute(
                sa.select(t.sync_run.c.id, t.sync_run.c.started_at).where(*_unfinished(tenant, run_id))
            ).all()
            for pk, started in rows:
                _close(conn, pk, started, outcome="failed", message=message)
            return len(rows)

    def runs(self, tenant: str, limit: int = 50) -> list[dict[str, Any]]:
        """The tenant's run rows as stored, newest first."""
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(latest_runs(tenant, limit)).mappings()]

    # -- watermark --------------------------------------------------------------------------------

    def watermark(self, tenant: str) -> datetime | None:
        """How far the tenant's extraction got (None: never)."""
        with self.engine.connect() as conn:
            return clock.aware(conn.execute(_watermark_of(tenant)).scalar())

    def advance_watermark(self, tenant: str, until: datetime, run_id: str) -> datetime:
        """Move the watermark forward to ``until`` (never back); returns the watermark now stored."""
        until = until.astimezone(UTC)
        values = {"extracted_until": until, "run_id": run_id, "changed_at": clock.now_utc()}
        with self.engine.begin() as conn:
            current = clock.aware(conn.execute(_watermark_of(tenant).with_for_update()).scalar())
            if current is None:
                conn.execute(t.watermark.insert().values(tenant=tenant, **values))
                return until
            if until <= current:
                return current
            conn.execute(t.watermark.update().where(t.watermark.c.tenant == tenant).values(**values))
            return until

    # -- lease: one loader per tenant at a time ---------------------------------------------------

    def acquire_lease(self, tenant: str, holder: str, ttl: timedelta) -> str | None:
        """Take the tenant's lease for ``holder``; returns None, or the holder that has it now."""
        at = clock.now_utc()
        with self.engine.begin() as conn:
            row = (
                conn.execute(sa.select(t.lease).where(t.lease.c.tenant == tenant).with_for_update())
                .mappings()
                .first()
            )
            if row is None:
                try:
                    with conn.begin_nested():
                        conn.execute(
                            t.lease.insert().values(tenant=tenant, holder=holder, expires_at=at + ttl)
                        )
                except sa.exc.IntegrityError:
                    current = conn.execute(
                        sa.select(t.lease.c.holder).where(t.lease.c.tenant == tenant)
                    ).scalar()
                    return str(current)
                return None
            if row["holder"] != holder and clock.aware(row["expires_at"]) > at:
                return str(row["holder"])
            conn.execute(
                t.lease.update().where(t.lease.c.tenant == tenant).values(holder=holder, expires_at=at + ttl)
            )
            return None

    def release_lease(self, tenant: str, holder: str) -> None:
        """Give the tenant's lease back (only ``holder``'s own)."""
        with self.engine.begin() as conn:
            conn.execute(t.lease.delete().where(t.lease.c.tenant == tenant, t.lease.c.holder == holder))


def _unfinished(tenant: str, run_id: str) -> tuple[sa.ColumnElement[bool], ...]:
    """The conditions of a run's rows that are still running."""
    c = t.sync_run.c
    return (c.tenant == tenant, c.run_id == run_id, c.outcome == RUNNING)


def _close(conn: sa.Connection, pk: int, started: datetime | None, **values: Any) -> None:
    """Close one run row now: its finish time, its duration since ``started`` and ``values``."""
    finished, started = clock.now_utc(), clock.aware(started)
    duration = (finished - started).total_seconds() if started else None
    conn.execute(
        t.sync_run.update()
        .where(t.sync_run.c.id == pk)
        .values(finished_at=finished, duration_s=duration, **values)
    )


def _watermark_of(tenant: str) -> sa.Select[Any]:
    return sa.select(t.watermark.c.extracted_until).where(t.watermark.c.tenant == tenant)
