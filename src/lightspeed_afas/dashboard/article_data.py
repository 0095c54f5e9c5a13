"""What the dashboard's Articles section shows, from the ledger (read only): the tenant's last articles
run, the fields written lately (shop value → AFAS value), the AFAS items the flow leaves alone grouped by
the kind of their reason, the fields it skips, and the writes that failed and were not written since.

Catalogue data only (item codes, texts, prices): the articles tables hold no personal data. Times are
ISO 8601 strings (UTC), as in the rest of the dashboard's data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa

from lightspeed_afas.config.dag_ids import flow_dag_id
from lightspeed_afas.dashboard.record_data import run_view
from lightspeed_afas.ledger import schema as t
from lightspeed_afas.ledger.articles import ArticleLog
from lightspeed_afas.ledger.clock import iso
from lightspeed_afas.ledger.flow_runs import FlowRunLog

FLOW = "articles"
SHOWN_WRITES = 50  # write rows on the page; the CLI lists them all
WRITE_SCAN = 5_000  # write rows read to find the failures no later write settled
SHOWN_FAILURES = 20
EXAMPLES_PER_REASON = 3
OPEN_OUTCOMES = ("failed", "unknown")  # a write that did not go through (gone: the target left the shop)
STATUSES = ("followed", "left_alone", "missing", "creating", "created")
NO_REASON = "no reason recorded"


class ArticleReader(FlowRunLog, ArticleLog):
    """The ledger's flow-run and articles reads over one engine (the dashboard calls only the reads)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine


def _write(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "item_code": row["item_code"],
        "target": row["target"],
        "target_id": row["target_id"],
        "field": row["field"],
        "lang": row["lang"],
        "old_value": row["old_value"],
        "new_value": row["new_value"],
        "outcome": row["outcome"],
        "reason": row["reason"],
        "run_id": row["run_id"],
        "at": iso(row["at"]),
    }


def write_key(row: Mapping[str, Any]) -> tuple[Any, ...]:
    """One field of one shop target (in one language): the writes of it settle each other."""
    return (row["item_code"], row["target"], row["target_id"], row["field"], row["lang"])


def open_failures(rows: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Of writes read newest first: the failed or unanswered ones no later write of that field settled."""
    seen: set[tuple[Any, ...]] = set()
    found = []
    for row in rows:
        key = write_key(row)
        if key in seen:
            continue
        seen.add(key)
        if row["outcome"] in OPEN_OUTCOMES:
            found.append(row)
    return found


def _items(engine: sa.Engine, tenant: str) -> tuple[dict[str, int], list[Mapping[str, Any]]]:
    """(items per status; the items left alone or followed with a reason), without AFAS's values."""
    c = t.article_item.c
    with engine.connect() as conn:
        counts = conn.execute(
            sa.select(c.status, sa.func.count()).where(c.tenant == tenant).group_by(c.status)
        ).all()
        noted = conn.execute(
            sa.select(c.item_code, c.status, c.reason, c.variant_id, c.product_id)
            .where(c.tenant == tenant, c.reason.is_not(None))
            .order_by(c.item_code)
        ).mappings()
        return {str(s): int(n) for s, n in counts}, [dict(r) for r in noted]


def _example(row: Mapping[str, Any], reason: str) -> dict[str, Any]:
    return {
        "item_code": row["item_code"],
        "variant_id": row["variant_id"],
        "product_id": row["product_id"],
        "reason": reason,
    }


def _grouped(found: Iterable[tuple[str, Mapping[str, Any], str]], examples: int) -> list[dict[str, Any]]:
    """(kind, item row, reason) → per kind its count and a few examples, the most first."""
    groups: dict[str, dict[str, Any]] = {}
    for kind, row, reason in found:
        group = groups.setdefault(kind, {"kind": kind, "count": 0, "examples": []})
        group["count"] += 1
        if len(group["examples"]) < examples:
            group["examples"].append(_example(row, reason))
    return sorted(groups.values(), key=lambda g: (-g["count"], g["kind"]))


def left_alone_groups(
    noted: Iterable[Mapping[str, Any]], examples: int = EXAMPLES_PER_REASON
) -> list[dict[str, Any]]:
    """The items left alone, grouped by the kind of their reason (most first), a few examples each."""
    # Imported here: the flows import the hooks (and Airflow); the kinds are the plan step's own.
    from lightspeed_afas.flows.articles.plan_step import reason_kind

    found = []
    for row in noted:
        if row["status"] == "left_alone":
            reason = row["reason"] or NO_REASON
            found.append((reason_kind(reason), row, reason))
    return _grouped(found, examples)


def skipped_groups(
    noted: Iterable[Mapping[str, Any]], examples: int = EXAMPLES_PER_REASON
) -> list[dict[str, Any]]:
    """The fields skipped on followed items (AFAS gives no usable value), grouped by field."""
    found = []
    for row in noted:
        if row["status"] != "followed" or not row["reason"]:
            continue
        fields = {part.partition(": ")[0] for part in str(row["reason"]).split("; ") if ": " in part}
        found += [(field, row, str(row["reason"])) for field in sorted(fields) or ["other"]]
    return _grouped(found, examples)


def article_view(engine: sa.Engine, tenant: str) -> dict[str, Any]:
    """The Articles section of one tenant: last run, the latest writes, failures, items left alone."""
    reader = ArticleReader(engine)
    found = reader.flow_runs(tenant, FLOW, 1)
    rows = reader.article_writes(tenant, limit=WRITE_SCAN)
    failures = open_failures(rows)
    statuses, noted = _items(engine, tenant)
    groups, skipped = left_alone_groups(noted), skipped_groups(noted)
    return {
        "tenant": tenant,
        "dag_id": flow_dag_id(tenant, FLOW),
        "last_run": run_view(found[0]) if found else None,
        "writes": [_write(r) for r in rows[:SHOWN_WRITES]],
        "writes_more": len(rows) > SHOWN_WRITES,
        "failures": [_write(r) for r in failures[:SHOWN_FAILURES]],
        "failures_total": len(failures),
        "items": {status: statuses.get(status, 0) for status in STATUSES} | statuses,
        "items_total": sum(statuses.values()),
        "left_alone": groups,
        "left_alone_total": sum(g["count"] for g in groups),
        "skipped": skipped,
        "skipped_total": sum(1 for r in noted if r["status"] == "followed"),  # items, not fields
    }
