"""The end of a stock run: counts and outcome in the ledger, the task log's tables, the run summary; and
for a clean run, what an idle run later trusts (``flows.idle``)."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from typing import Any

from lightspeed_afas.flows import idle
from lightspeed_afas.flows.stock.push_step import Pushed
from lightspeed_afas.flows.stock.results import StockPlan, StockRead
from lightspeed_afas.flows.stock.settings import FLOW, StockRequest, StockSyncSettings
from lightspeed_afas.ledger import Ledger
from lightspeed_afas.ledger.stock import earlier_failures
from lightspeed_afas.tables import text_table

log = logging.getLogger(__name__)

LISTED = 50  # pushes listed in the task log (the ledger holds every one)
IDLE_REFRESH = "none (AFAS unchanged)"  # an idle run's refresh: the shop was not read


@dataclass
class StockRun:
    read: StockRead
    plan: StockPlan
    pushed: Pushed
    calls: dict[str, int]


def finish_stock_run(
    settings: StockSyncSettings, request: StockRequest, ledger: Ledger, run: StockRun
) -> dict[str, Any]:
    """Close the run's ledger row, log the tables, and return the summary (new failures listed)."""
    counts = run_counts(run)
    failed = [r for r in run.pushed.results if r.outcome == "failed"]
    known = earlier_failures(ledger, settings.tenant, [r.push.variant_id for r in failed], request.run_id)
    new_failures = [r for r in failed if (r.push.variant_id, r.reason or "") not in known]
    stopped = run.plan.stopped_because or run.pushed.stopped_because
    outcome = run_outcome(request, bool(new_failures) or run.pushed.halted, stopped is not None)
    ledger.finish_flow_run(run.read.run_pk, outcome, counts, run.calls, stopped)
    if outcome == "success" and run.read.unchanged is None:
        remember_if_clean(ledger, settings.tenant, run, counts)
    log.info("Stock levels of this run:\n%s", push_table(run))
    if run.plan.left_alone_examples:
        log.info(
            "Variants left alone (first %d):\n%s",
            len(run.plan.left_alone_examples),
            left_alone_table(run.plan),
        )
    summary = {
        "tenant": settings.tenant,
        "run_id": request.run_id,
        "outcome": outcome,
        "refresh": run.plan.refresh,
        "counts": counts,
        "left_alone": run.plan.left_alone,
        "calls": run.calls,
        "stopped_because": stopped,
        "new_failures": [f"variant {r.push.variant_id}: {r.reason}" for r in new_failures[:20]],
        "halted": run.pushed.halted,
    }
    log.info(
        "Run summary:\n%s", "\n".join(f"  {k.replace('_', ' ')}: {_brief(v)}" for k, v in summary.items())
    )
    return summary


def idle_plan(read: StockRead) -> StockPlan:
    """The plan of an idle run (``read.unchanged``): the last clean plan's counts, nothing to push."""
    last = read.unchanged or {}
    return StockPlan(
        variants=int(last.get("variants", 0)),
        kept=int(last.get("kept", 0)),
        left_alone=dict(last.get("left_alone") or {}),
        refresh=IDLE_REFRESH,
    )


def remember_if_clean(ledger: Ledger, tenant: str, run: StockRun, counts: dict[str, int]) -> None:
    """A run that planned on a whole map and pushed every level it planned: later runs that read the same
    from AFAS have nothing to push (``flows.idle``). What it leaves: every followed variant kept."""
    if not run.plan.complete or counts["failed"] or counts["gone"] or counts["not_pushed"]:
        return
    left: dict[str, Any] = {"variants": run.plan.variants, "kept": run.plan.kept + counts["pushed"]}
    left["left_alone"] = run.plan.left_alone
    idle.remember(ledger, tenant, FLOW, run.read.fingerprint, run.read.read_at, left)


def run_counts(run: StockRun) -> dict[str, int]:
    outcomes = Counter(r.outcome for r in run.pushed.results)
    return {
        "afas_items": len(run.read.quantities),
        "afas_items_unusable": len(run.read.bad_items),
        "variants": run.plan.variants,
        "kept": run.plan.kept,
        "left_alone": sum(run.plan.left_alone.values()),
        "planned": len(run.plan.pushes),
        "pushed": outcomes.get("pushed", 0),
        "failed": outcomes.get("failed", 0),
        "gone": outcomes.get("gone", 0),
        "not_pushed": len(run.pushed.not_pushed),
    }


def run_outcome(request: StockRequest, new_failures: bool, stopped: bool) -> str:
    if request.dry_run:
        return "dry_run"
    if new_failures:
        return "failed"
    return "partial" if stopped else "success"


def push_table(run: StockRun) -> str:
    rows = [
        (
            r.push.variant_id,
            r.push.item_code,
            _level(r.push.old),
            r.push.new,
            r.outcome,
            (r.reason or "")[:90],
        )
        for r in run.pushed.results[:LISTED]
    ]
    label = "planned (dry run)" if not run.pushed.results else "not pushed this run"
    rows += [
        (p.variant_id, p.item_code, _level(p.old), p.new, label, p.note or "")
        for p in run.pushed.not_pushed[:LISTED]
    ]
    if not rows:
        return "(every followed variant already has AFAS's level)"
    total = len(run.pushed.results) + len(run.pushed.not_pushed)
    more = (
        f"\n… and {total - len(rows)} more (python -m lightspeed_afas log <tenant> --flow stock)"
        if total > len(rows)
        else ""
    )
    cells = [tuple(str(c) for c in row) for row in rows]
    return text_table(("variant", "AFAS item", "old", "new", "result", "why"), cells) + more


def left_alone_table(plan: StockPlan) -> str:
    return text_table(
        ("variant", "codes", "why it is left alone"),
        [(str(e["variant_id"]), e["codes"], e["reason"][:100]) for e in plan.left_alone_examples],
    )


def _level(value: int | None) -> str:
    return "?" if value is None else str(value)


def _brief(value: Any) -> str:
    if value in (None, [], {}):
        return "-"
    if isinstance(value, dict):
        return ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in value.items())
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)
