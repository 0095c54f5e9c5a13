"""What the dashboard's Webhooks section shows, from the receiver's log in the ledger (``lsafas_webhook``,
read only): the last 24 hours' webhooks by outcome and the run requests they led to, the latest refusals
with the HTTP status answered and why, and the latest runs the receiver asked Airflow for.

The receiver writes one row per webhook it answered (outcome queued, joined, ignored or refused) and one
per run decision (action ``run``: triggered, joined or failed). Ids and outcomes only: the rows hold no
body and no personal data (an order is its Lightspeed id). Times are ISO 8601 strings (UTC), as in the
rest of the dashboard's data.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from lightspeed_afas.config.dag_ids import flow_dag_id
from lightspeed_afas.ledger import schema as t
from lightspeed_afas.ledger.clock import iso

RUN = "run"  # the action of a run-decision row
WINDOW = timedelta(hours=24)  # the counts' window
WEBHOOK_OUTCOMES = ("queued", "joined", "ignored", "refused")  # what the receiver answered a webhook
RUN_OUTCOMES = ("triggered", "joined", "failed")  # what became of a run request
SHOWN_RUN_OUTCOMES = ("triggered", "failed")  # the run requests listed (a joined one started nothing)
SHOWN_REFUSALS = 20
SHOWN_RUNS = 15


def row_view(row: Mapping[str, Any]) -> dict[str, Any]:
    """A ``lsafas_webhook`` row as the dashboard shows it (no id, no tenant)."""
    return {
        "at": iso(row["at"]),
        "item_group": row["item_group"],
        "action": row["action"],
        "item_id": row["item_id"],
        "status": int(row["status"]),
        "outcome": row["outcome"],
        "run_id": row["run_id"],
        "reason": row["reason"],
    }


def _is_run() -> Any:
    return sa.func.coalesce(t.webhook.c.action, "") == RUN


def _counts(conn: sa.Connection, tenant: str, since: datetime) -> tuple[dict[str, int], dict[str, int]]:
    """(webhooks by outcome, run decisions by outcome) since ``since``; every known outcome present."""
    c = t.webhook.c
    kind = sa.case((_is_run(), RUN), else_="webhook").label("kind")
    query = (
        sa.select(kind, c.outcome, sa.func.count())
        .where(c.tenant == tenant, c.at >= since)
        .group_by(kind, c.outcome)
    )
    webhooks = dict.fromkeys(WEBHOOK_OUTCOMES, 0)
    runs = dict.fromkeys(RUN_OUTCOMES, 0)
    for found, outcome, n in conn.execute(query):
        target = runs if found == RUN else webhooks
        target[str(outcome)] = target.get(str(outcome), 0) + int(n)
    return webhooks, runs


def _latest(conn: sa.Connection, tenant: str, where: Any, limit: int) -> list[dict[str, Any]]:
    c = t.webhook.c
    query = (
        sa.select(t.webhook).where(c.tenant == tenant, where).order_by(c.at.desc(), c.id.desc()).limit(limit)
    )
    return [row_view(r) for r in conn.execute(query).mappings()]


def webhook_view(engine: sa.Engine, tenant: str, now: datetime) -> dict[str, Any]:
    """The Webhooks section of one tenant (one with a ``webhooks:`` block)."""
    c = t.webhook.c
    since = now - WINDOW
    with engine.connect() as conn:
        webhooks, runs = _counts(conn, tenant, since)
        last = conn.execute(sa.select(sa.func.max(c.at)).where(c.tenant == tenant, ~_is_run())).scalar()
        refusals = _latest(conn, tenant, c.outcome == "refused", SHOWN_REFUSALS)
        asked = _latest(conn, tenant, _is_run() & c.outcome.in_(SHOWN_RUN_OUTCOMES), SHOWN_RUNS)
    return {
        "tenant": tenant,
        "dag_id": flow_dag_id(tenant),  # the runs the webhooks ask for are the orders DAG's
        "since": iso(since),
        "received": sum(webhooks.values()),
        "webhooks": webhooks,
        "runs": runs,
        "last_received_at": iso(last),
        "refusals": refusals,
        "run_requests": asked,
    }
