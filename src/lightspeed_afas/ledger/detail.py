"""The detail log: each request to Lightspeed or AFAS with its response, for tracing one order.

Unlike the basic log it holds order contents (request and response bodies), so retention keeps it short.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from lightspeed_afas.ledger import schema as t
from lightspeed_afas.ledger.records import NUMBER_WIDTH, clip


class DetailLog:
    """The detail log of ``self.engine``'s ledger (a part of ``Ledger``)."""

    engine: sa.Engine

    def add_detail(self, tenant: str, run_id: str | None, exchanges: Sequence[dict[str, Any]]) -> None:
        """Store the exchanges (``at`` as ISO 8601) of one task."""
        if not exchanges:
            return
        with self.engine.begin() as conn:
            conn.execute(t.detail_log.insert(), [_row(tenant, run_id, e) for e in exchanges])

    def detail(self, tenant: str, order_number: str | None = None, limit: int = 500) -> list[dict[str, Any]]:
        """The tenant's exchanges (of one order), oldest first."""
        query = sa.select(t.detail_log).where(t.detail_log.c.tenant == tenant)
        if order_number:
            query = query.where(t.detail_log.c.order_number == order_number)
        query = query.order_by(t.detail_log.c.at, t.detail_log.c.id).limit(limit)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]


def _row(tenant: str, run_id: str | None, exchange: dict[str, Any]) -> dict[str, Any]:
    return {
        "tenant": tenant,
        "run_id": run_id,
        "order_number": clip(exchange.get("order_number"), NUMBER_WIDTH),
        "at": datetime.fromisoformat(exchange["at"]),
        "api": exchange["api"],
        "method": exchange["method"],
        "url": exchange["url"],
        "status": exchange["status"],
        "request_body": exchange.get("request_body"),
        "response_body": exchange.get("response_body"),
        "duration_ms": exchange.get("duration_ms"),
    }
