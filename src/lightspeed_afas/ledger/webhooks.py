"""Webhooks in the ledger: one row per webhook the receiver answered (``lsafas_webhook``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from lightspeed_afas.ledger import clock
from lightspeed_afas.ledger import schema as t


class WebhookLog:
    """The receiver's log in ``self.engine``'s ledger (a part of ``Ledger``)."""

    engine: sa.Engine

    def record_webhook(self, tenant: str, status: int, outcome: str, **values: Any) -> None:
        """One webhook: ``item_group``, ``action``, ``item_id``, ``run_id``, ``reason`` as known."""
        with self.engine.begin() as conn:
            conn.execute(
                t.webhook.insert().values(
                    tenant=tenant,
                    at=values.pop("at", None) or clock.now_utc(),
                    status=status,
                    outcome=outcome,
                    **values,
                )
            )

    def webhooks(self, tenant: str, since: datetime | None = None, limit: int = 200) -> list[dict[str, Any]]:
        """The tenant's webhooks, newest first."""
        c = t.webhook.c
        query = sa.select(t.webhook).where(c.tenant == tenant)
        if since is not None:
            query = query.where(c.at >= since)
        query = query.order_by(c.at.desc(), c.id.desc()).limit(limit)
        with self.engine.connect() as conn:
            return [dict(row, at=clock.aware(row["at"])) for row in conn.execute(query).mappings()]

    def webhook_counts(self, tenant: str, since: datetime) -> dict[str, int]:
        """Webhooks by outcome since ``since``."""
        c = t.webhook.c
        query = (
            sa.select(c.outcome, sa.func.count()).where(c.tenant == tenant, c.at >= since).group_by(c.outcome)
        )
        with self.engine.connect() as conn:
            return {str(outcome): int(n) for outcome, n in conn.execute(query)}
