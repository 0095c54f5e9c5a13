"""The end of an articles run: counts and outcome in the ledger, the task log's tables (the diff: item,
field, shop value → AFAS value), the run summary; and for a run that found nothing to write, what an idle
run later trusts (``flows.idle``)."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from typing import Any

from lightspeed_afas.flows import idle
from lightspeed_afas.flows.articles.push_step import Written
from lightspeed_afas.flows.articles.results import ArticlePlan, ArticleRead
from lightspeed_afas.flows.articles.settings import FLOW, ArticleRequest, ArticleSyncSettings
from lightspeed_afas.ledger import Ledger
from lightspeed_afas.tables import text_table

log = logging.getLogger(__name__)

LISTED = 50
IDLE_REFRESH = "none (AFAS unchanged)"  # an idle run's catalogue refresh: the shop was not read
KEPT = ("items", "followed", "unchanged", "field_problems")  # an idle run's counts, from the last plan


@dataclass
class ArticleRun:
    read: ArticleRead
    plan: ArticlePlan
    written: Written
    calls: dict[str, int]


def finish_article_run(
    settings: ArticleSyncSettings, request: ArticleRequest, ledger: Ledger, run: ArticleRun
) -> dict[str, Any]:
    counts = run_counts(run)
    failed = [w for w in run.written.writes if w.outcome == "failed"]
    known = ledger.earlier_article_failures(
        settings.tenant, sorted({w.item_code for w in failed}), request.run_id
    )
    new_failures = [w for w in failed if (w.item_code, w.field, w.reason or "") not in known]
    stopped = run.plan.stopped_because or run.written.stopped_because
    outcome = (
        "dry_run" if request.dry_run else "failed" if new_failures else "partial" if stopped else "success"
    )
    ledger.finish_flow_run(run.read.run_pk, outcome, counts, run.calls, stopped)
    if outcome == "success" and run.read.unchanged is None:
        remember_if_settled(ledger, settings.tenant, run, counts)
    log.info("Fields of this run (shop value → AFAS value):\n%s", diff_table(run, request.dry_run))
    if run.plan.examples:
        log.info("Items left alone or fields skipped (first %d):\n%s", len(run.plan.examples), text_table(
            ("AFAS item", "why"), [(e["item"], e["reason"][:120]) for e in run.plan.examples]
        ))  # fmt: skip
    summary = {
        "tenant": settings.tenant,
        "run_id": request.run_id,
        "outcome": outcome,
        "afas_read": run.read.read,
        "catalogue_refresh": run.plan.refresh,
        "counts": counts,
        "left_alone": run.plan.left_alone,
        "calls": run.calls,
        "stopped_because": stopped,
        "new_failures": [f"item {w.item_code} {w.field}: {w.reason}" for w in new_failures[:20]],
    }
    log.info(
        "Run summary:\n%s", "\n".join(f"  {k.replace('_', ' ')}: {_brief(v)}" for k, v in summary.items())
    )
    return summary


def remember_if_settled(ledger: Ledger, tenant: str, run: ArticleRun, counts: dict[str, int]) -> None:
    """A run that planned on the whole catalogue and found nothing to write or create: a later run that
    reads the same from AFAS has nothing to write either (``flows.idle``). A run that wrote is not
    remembered: the next run's plan is what shows the shop took every value."""
    if not run.plan.complete or run.plan.changes or run.plan.creations or counts["not_written"]:
        return
    kept: dict[str, Any] = {key: getattr(run.plan, key) for key in KEPT}
    kept["left_alone"] = run.plan.left_alone
    idle.remember(ledger, tenant, FLOW, run.read.fingerprint, run.read.read_at, kept)


def idle_plan(read: ArticleRead) -> ArticlePlan:
    """The plan of an idle run (``read.unchanged``): the last plan's counts, nothing to write."""
    last = read.unchanged or {}
    plan = ArticlePlan(refresh=IDLE_REFRESH, left_alone=dict(last.get("left_alone") or {}))
    for key in KEPT:
        setattr(plan, key, int(last.get(key, 0)))
    return plan


def run_counts(run: ArticleRun) -> dict[str, int]:
    outcomes = Counter(w.outcome for w in run.written.writes)
    fields = Counter(w.outcome for w in run.written.writes if w.field != "create")
    return {
        "afas_items": run.plan.items,
        "afas_items_read": run.read.changed_items,
        "items_without_code": run.read.rows_without_code,
        "followed": run.plan.followed,
        "unchanged": run.plan.unchanged,
        "left_alone": sum(run.plan.left_alone.values()),
        "field_problems": run.plan.field_problems,
        "planned_fields": len(run.plan.changes),
        "written": fields.get("written", 0),
        "failed": outcomes.get("failed", 0),
        "gone": outcomes.get("gone", 0),
        "unknown": outcomes.get("unknown", 0),
        "created": outcomes.get("created", 0),
        "not_written": len(run.written.not_written),
        "not_created": len(run.written.not_created),
    }


def diff_table(run: ArticleRun, dry_run: bool) -> str:
    rows = [
        (w.item_code, _field(w.field, w.lang), _value(w.old), _value(w.new), w.outcome, (w.reason or "")[:80])
        for w in run.written.writes[:LISTED]
    ]
    label = "planned (dry run)" if dry_run else "not written this run"
    rows += [
        (c.item_code, _field(c.field, c.lang), _value(c.old), _value(c.new), label, "")
        for c in run.written.not_written[:LISTED]
    ]
    rows += [
        (code, "create product", "-", _value(run.plan.targets.get(code, {}).get("title")), label, "")
        for code in run.written.not_created[:LISTED]
    ]
    if not rows:
        return "(the shop already shows what AFAS holds)"
    total = len(run.written.writes) + len(run.written.not_written) + len(run.written.not_created)
    more = (
        f"\n… and {total - len(rows)} more (python -m lightspeed_afas log <tenant> --flow articles)"
        if total > len(rows)
        else ""
    )
    return text_table(("AFAS item", "field", "shop", "AFAS", "result", "why"), rows) + more


def _field(name: str, lang: str | None) -> str:
    return f"{name} ({lang})" if lang else name


def _value(value: Any) -> str:
    if value is None:
        return "-"
    text = str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _brief(value: Any) -> str:
    if value in (None, [], {}):
        return "-"
    if isinstance(value, dict):
        return ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in value.items())
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)
