"""Retention in the ledger: delete (or count) rows older than a cutoff, and log each purge."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from lightspeed_afas.ledger import clock
from lightspeed_afas.ledger import schema as t

# What ``purge_before`` can purge: each kind's table and the column its age is read from.
RETAINED = {
    "detail_log": (t.detail_log, t.detail_log.c.at),
    "order_attempt": (t.order_attempt, t.order_attempt.c.at),
    "sync_run": (t.sync_run, t.sync_run.c.started_at),
    "order_state": (t.order_state, t.order_state.c.changed_at),
    "retention_run": (t.retention_run, t.retention_run.c.at),
    "flow_run": (t.flow_run, t.flow_run.c.started_at),
    "stock_push": (t.stock_push, t.stock_push.c.at),
    "article_write": (t.article_write, t.article_write.c.at),
    "flow_item": (t.flow_item, t.flow_item.c.changed_at),
    "flow_item_attempt": (t.flow_item_attempt, t.flow_item_attempt.c.at),
    "webhook": (t.webhook, t.webhook.c.at),
}
BASIC_LOG_TABLES = (
    "order_attempt",
    "sync_run",
    "order_state",
    "retention_run",
    "flow_run",
    "stock_push",
    "article_write",
    "flow_item",
    "flow_item_attempt",
    "webhook",
)


class Purges:
    """Retention of ``self.engine``'s ledger (a part of ``Ledger``)."""

    engine: sa.Engine

    def tenants(self) -> list[str]:
        """Every tenant the ledger knows (also those whose tenant file is gone)."""
        with self.engine.connect() as conn:
            found: set[str] = set()
            for table in (t.sync_run, t.order_attempt, t.order_state, t.detail_log, t.flow_run):
                found.update(conn.execute(sa.select(table.c.tenant).distinct()).scalars())
        return sorted(found)

    def purge_before(
        self, kind: str, cutoff: datetime, tenant: str | None = None, dry_run: bool = False
    ) -> tuple[int, datetime | None]:
        """Delete (or with ``dry_run`` count) the rows of ``kind`` older than ``cutoff``.

        ``kind`` is ``detail_log`` (request/response bodies) or one of the basic log's tables:
        ``order_attempt``, ``sync_run``, ``order_state``, ``retention_run``. Returns the number of rows
        and the oldest time kept. A row exactly at the cutoff is kept.
        """
        table, column = RETAINED[kind]
        of_tenant = [table.c.tenant == tenant] if tenant is not None else []
        older = [column < cutoff, *of_tenant]
        with self.engine.begin() as conn:
            if dry_run:
                count = int(
                    conn.execute(sa.select(sa.func.count()).select_from(table).where(*older)).scalar()
                )
            else:
                count = int(conn.execute(table.delete().where(*older)).rowcount or 0)
            oldest = conn.execute(sa.select(sa.func.min(column)).where(column >= cutoff, *of_tenant)).scalar()
        return count, clock.aware(oldest)

    def record_retention(
        self,
        run_id: str,
        kind: str,
        cutoff: datetime,
        deleted: int,
        oldest_kept: datetime | None,
        dry_run: bool,
    ) -> None:
        """Log one purge (or dry run) of the retention DAG."""
        with self.engine.begin() as conn:
            conn.execute(
                t.retention_run.insert().values(
                    run_id=run_id,
                    kind=kind,
                    cutoff=cutoff,
                    deleted=deleted,
                    oldest_kept=oldest_kept,
                    dry_run=dry_run,
                    at=clock.now_utc(),
                )
            )

    def retention_runs(self, limit: int = 50) -> list[dict[str, Any]]:
        """The latest purges, newest first."""
        query = sa.select(t.retention_run).order_by(t.retention_run.c.id.desc()).limit(limit)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]
