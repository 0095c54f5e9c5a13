"""What the dashboard's Stock section shows, from the ledger (read only): the tenant's last stock run, the
levels that run pushed, and the variants the flow leaves alone, grouped by reason.

Codes and levels only: the stock tables hold no personal data. Times are ISO 8601 strings (UTC), as in
the rest of the dashboard's data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from lightspeed_afas.config.dag_ids import flow_dag_id
from lightspeed_afas.dashboard.record_data import run_view
from lightspeed_afas.ledger.clock import iso
from lightspeed_afas.ledger.flow_runs import FlowRunLog
from lightspeed_afas.ledger.stock import LEFT_ALONE, MappedVariant, StockLog

FLOW = "stock"
SHOWN_PUSHES = 50  # push rows on the page; the CLI lists them all
PUSH_SCAN = 5_000  # push rows read to put the failed ones first (a run's budget allows fewer)
EXAMPLES_PER_REASON = 3
OUTCOME_ORDER = {"failed": 0, "unknown": 1, "gone": 1}  # then pushed; newest first within each
NO_REASON = "no reason recorded"


class StockReader(FlowRunLog, StockLog):
    """The ledger's flow-run and stock reads over one engine (the dashboard calls only the reads)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine


def _push(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "variant_id": int(row["variant_id"]),
        "item_code": row["item_code"],
        "old_level": row["old_level"],
        "new_level": row["new_level"],
        "outcome": row["outcome"],
        "reason": row["reason"],
        "at": iso(row["at"]),
    }


def run_pushes(
    reader: StockLog, tenant: str, run: dict[str, Any], shown: int = SHOWN_PUSHES
) -> tuple[list[dict[str, Any]], int]:
    """(the run's first ``shown`` pushes, failed and gone first, newest first within; how many it has)."""
    rows = reader.stock_pushes(tenant, run_id=run["run_id"], limit=PUSH_SCAN)
    total = len(rows)
    if total >= PUSH_SCAN:  # more than were read: the run's counts know how many
        counts = run["counts"]
        total = max(total, sum(counts.get(k, 0) for k in ("pushed", "failed", "gone")))
    ordered = sorted(rows, key=lambda r: OUTCOME_ORDER.get(str(r["outcome"]), 2))  # stable: newest first
    return [_push(r) for r in ordered[:shown]], total


def codes(variant: Any) -> dict[str, str]:
    """The variant's codes by Lightspeed's names (the ones it has)."""
    found = {"articleCode": variant.article_code, "sku": variant.sku, "ean": variant.ean}
    return {name: value for name, value in found.items() if value}


def left_alone_groups(
    mapped: Mapping[int, MappedVariant], examples: int = EXAMPLES_PER_REASON
) -> list[dict[str, Any]]:
    """The variants left alone, grouped by the kind of their reason (most first), a few examples each."""
    # Imported here: the flows import the hooks (and Airflow); the kinds are the plan step's own.
    from lightspeed_afas.flows.stock.plan_step import reason_kind

    groups: dict[str, dict[str, Any]] = {}
    for vid in sorted(mapped):
        entry = mapped[vid]
        if entry.status != LEFT_ALONE:
            continue
        reason = entry.reason or NO_REASON
        kind = reason_kind(reason)
        group = groups.setdefault(kind, {"kind": kind, "count": 0, "examples": []})
        group["count"] += 1
        if len(group["examples"]) < examples:
            group["examples"].append(
                {
                    "variant_id": vid,
                    "product_id": entry.variant.product_id,
                    "codes": codes(entry.variant),
                    "reason": reason,
                }
            )
    return sorted(groups.values(), key=lambda g: (-g["count"], g["kind"]))


def stock_view(engine: sa.Engine, tenant: str) -> dict[str, Any]:
    """The Stock section of one tenant: last run, its pushes, the variants left alone."""
    reader = StockReader(engine)
    found = reader.flow_runs(tenant, FLOW, 1)
    last = run_view(found[0]) if found else None
    pushes, total = run_pushes(reader, tenant, last) if last else ([], 0)
    mapped = reader.variant_map(tenant)
    groups = left_alone_groups(mapped)
    return {
        "tenant": tenant,
        "dag_id": flow_dag_id(tenant, FLOW),
        "last_run": last,
        "pushes": pushes,
        "pushes_total": total,
        "variants": len(mapped),
        "left_alone": groups,
        "left_alone_total": sum(g["count"] for g in groups),
    }
