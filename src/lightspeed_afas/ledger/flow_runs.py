"""Runs of the flows beside orders (stock, …) in the ledger, and each flow's small cursors.

One row per DAG run of a flow; a retried first task finds the row its earlier try opened. The cursors
(``flow_state``) are JSON values by key: the stock flow keeps its variant-map refresh time and its last
full comparison there.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from lightspeed_afas.ledger import clock
from lightspeed_afas.ledger import schema as t

RUNNING = "running"


class FlowRunLog:
    """Flow runs and flow state of ``self.engine``'s ledger (a part of ``Ledger``)."""

    engine: sa.Engine

    def start_flow_run(self, tenant: str, flow: str, run_id: str, mode: str) -> int:
        """The run's row: a new one, or the unfinished one an earlier try of the run left."""
        c = t.flow_run.c
        with self.engine.begin() as conn:
            found = conn.execute(
                sa.select(c.id).where(
                    c.tenant == tenant, c.flow == flow, c.run_id == run_id, c.outcome == RUNNING
                )
            ).scalar()
            if found is not None:
                return int(found)
            result = conn.execute(
                t.flow_run.insert().values(
                    tenant=tenant,
                    flow=flow,
                    run_id=run_id,
                    mode=mode,
                    started_at=clock.now_utc(),
                    outcome=RUNNING,
                    counts={},
                    calls={},
                )
            )
            return int(result.inserted_primary_key[0])

    def finish_flow_run(
        self,
        run_pk: int,
        outcome: str,
        counts: dict[str, int],
        calls: dict[str, Any],
        message: str | None = None,
    ) -> None:
        with self.engine.begin() as conn:
            started = conn.execute(
                sa.select(t.flow_run.c.started_at).where(t.flow_run.c.id == run_pk)
            ).scalar()
            _close(conn, run_pk, started, outcome=outcome, counts=counts, calls=calls, message=message)

    def close_unfinished_flow_run(self, tenant: str, flow: str, run_id: str, message: str) -> int:
        """Mark the run's row failed when the run ended before its last task closed it."""
        c = t.flow_run.c
        with self.engine.begin() as conn:
            rows = conn.execute(
                sa.select(c.id, c.started_at).where(
                    c.tenant == tenant, c.flow == flow, c.run_id == run_id, c.outcome == RUNNING
                )
            ).all()
            for pk, started in rows:
                _close(conn, pk, started, outcome="failed", message=message)
            return len(rows)

    def flow_runs(self, tenant: str, flow: str, limit: int = 50) -> list[dict[str, Any]]:
        """The tenant's runs of ``flow``, newest first."""
        c = t.flow_run.c
        query = (
            sa.select(t.flow_run)
            .where(c.tenant == tenant, c.flow == flow)
            .order_by(c.started_at.desc(), c.id.desc())
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [
                dict(r, started_at=clock.aware(r["started_at"]), finished_at=clock.aware(r["finished_at"]))
                for r in conn.execute(query).mappings()
            ]

    # -- cursors ------------------------------------------------------------------------------------

    def flow_state(self, tenant: str, flow: str) -> dict[str, Any]:
        c = t.flow_state.c
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(c.key, c.value).where(c.tenant == tenant, c.flow == flow))
            return {str(key): value for key, value in rows}

    def set_flow_state(self, tenant: str, flow: str, **values: Any) -> None:
        """Set cursors (JSON values); ``None`` removes one."""
        c = t.flow_state.c
        now = clock.now_utc()
        with self.engine.begin() as conn:
            for key, value in sorted(values.items()):
                conn.execute(t.flow_state.delete().where(c.tenant == tenant, c.flow == flow, c.key == key))
                if value is not None:
                    conn.execute(
                        t.flow_state.insert().values(
                            tenant=tenant, flow=flow, key=key, value=value, changed_at=now
                        )
                    )


def _close(conn: sa.Connection, pk: int, started: datetime | None, **values: Any) -> None:
    finished, started = clock.now_utc(), clock.aware(started)
    duration = (finished - started).total_seconds() if started else None
    conn.execute(
        t.flow_run.update()
        .where(t.flow_run.c.id == pk)
        .values(finished_at=finished, duration_s=duration, **values)
    )
