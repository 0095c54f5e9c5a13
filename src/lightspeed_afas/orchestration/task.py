"""The bridge between Airflow and the pipeline steps: settings, hooks, ledger, XCom, and the run summary."""

from __future__ import annotations

import logging
import time
from collections import Counter
from datetime import datetime
from typing import Any

from lightspeed_afas.flows.orders import run_report, steps
from lightspeed_afas.flows.orders.settings import SyncSettings
from lightspeed_afas.flows.orders.steps import Hooks, RunRequest
from lightspeed_afas.hooks.afas import AfasProfitHook
from lightspeed_afas.hooks.detail import Exchange
from lightspeed_afas.hooks.lightspeed import LightspeedEcomHook
from lightspeed_afas.hooks.metrics import CallStats
from lightspeed_afas.ledger import Ledger, OrderOutcome
from lightspeed_afas.orchestration.task_failures import ExpectedTaskFailure

log = logging.getLogger(__name__)

STEPS = ("extract_orders", "resolve_relations", "transform", "load_to_afas")
LISTED_FAILURES = 20  # new failures listed in the task log (the ledger holds them all)
SHOWN_NUMBERS = 5  # order numbers named in the failure's one-line message


class NewFailuresError(ExpectedTaskFailure):
    """The run recorded new failed or quarantined orders: it ends red without task retries (retrying
    repeats the same refusal); later runs retry the orders."""


class StepSession:
    """One task's hooks, call statistics and (when the tenant wants it) detail-log buffer."""

    def __init__(self, settings: SyncSettings, request: RunRequest, ledger: Ledger) -> None:
        self.settings = settings
        self.request = request
        self.ledger = ledger
        self.stats = CallStats()
        self.exchanges: list[Exchange] = []
        sink = self.exchanges.append if settings.detail_logging else None
        self.hooks = Hooks(
            lightspeed=LightspeedEcomHook(settings.lightspeed_conn_id, stats=self.stats, detail_sink=sink),
            afas=AfasProfitHook(settings.afas_conn_id, stats=self.stats, detail_sink=sink),
        )

    def close(self) -> None:
        self.hooks.lightspeed.close()
        self.hooks.afas.close()
        if self.exchanges:
            self.ledger.add_detail(
                self.settings.tenant, self.request.run_id, [e.as_dict() for e in self.exchanges]
            )
            self.exchanges.clear()


def execute(
    step: str, settings: SyncSettings, request: RunRequest, ledger: Ledger, upstream: dict[str, Any]
) -> dict[str, Any]:
    """Run one step; ``upstream`` holds the earlier steps' outputs by task id."""
    if step not in STEPS:
        raise ValueError(f"unknown step {step!r}; the steps are {', '.join(STEPS)}")
    session = StepSession(settings, request, ledger)
    started = time.monotonic()
    try:
        if step == "extract_orders":
            out = steps.extract_orders(settings, request, ledger, session.hooks)
        elif step == "resolve_relations":
            out = steps.resolve_relations(
                settings, request, ledger, session.hooks, upstream["extract_orders"]
            )
        elif step == "transform":
            out = steps.transform(
                settings, request, upstream["extract_orders"], upstream["resolve_relations"]
            )
        else:
            try:
                stored = steps.load_to_afas(
                    settings,
                    request,
                    ledger,
                    session.hooks,
                    upstream["extract_orders"],
                    upstream["transform"],
                )
            finally:
                ledger.release_lease(settings.tenant, request.run_id)
            return finish_run(
                settings, request, ledger, upstream, stored, session.stats, time.monotonic() - started
            )
        out["stats"] = session.stats.summary()
        return out
    finally:
        session.close()


def finish_run(
    settings: SyncSettings,
    request: RunRequest,
    ledger: Ledger,
    upstream: dict[str, Any],
    stored: list[OrderOutcome],
    load_stats: CallStats,
    load_seconds: float,
) -> dict[str, Any]:
    """Close the run in the ledger, move the watermark, log the table, and return the run summary."""
    extracted = upstream["extract_orders"]
    actions = Counter(o.action for o in stored)
    counts = {
        "seen": extracted["counts"].get("seen", 0),
        "unchanged": extracted["counts"].get("unchanged", 0),
        "ineligible": extracted["counts"].get("ineligible", 0),
        **{
            a: actions.get(a, 0)
            for a in ("created", "updated", "deleted", "skipped", "failed", "quarantined")
        },
    }
    step_stats = [upstream.get(s, {}).get("stats", {}) for s in ("extract_orders", "resolve_relations")]
    step_stats.append(load_stats.summary())
    calls = {api: sum(s.get("calls", {}).get(api, 0) for s in step_stats) for api in ("lightspeed", "afas")}
    rate_limited = sum(s.get("rate_limited", {}).get("lightspeed", 0) for s in step_stats)
    report = run_report.build_report(request, ledger, settings.tenant, upstream, stored)
    new_failures = report.new_problems  # a known failure met again does not fail the run
    if request.dry_run:
        outcome = "dry_run"
    elif new_failures:
        outcome = "failed"
    elif not extracted["complete"]:
        outcome = "partial"
    else:
        outcome = "success"
    message = extracted.get("stopped_because")
    ledger.finish_run(extracted["run_pk"], outcome, counts, calls, rate_limited, message)
    watermark = None
    if request.mode == "scheduled" and extracted["complete"] and extracted["window"] and not request.dry_run:
        watermark = ledger.advance_watermark(
            settings.tenant, datetime.fromisoformat(extracted["window"][1]), request.run_id
        ).isoformat()
    if not request.dry_run:  # load_to_afas logged what a dry run would do
        log.info("Bookings of this run:\n%s", outcome_table(stored))
    report.log()
    summary = {
        "tenant": settings.tenant,
        "run_id": request.run_id,
        "mode": request.mode,
        "outcome": outcome,
        "window": extracted["window"],
        "counts": counts,
        "calls": calls,
        "rate_limited": rate_limited,
        "relations_created": upstream.get("resolve_relations", {}).get("relations_created", 0),
        "watermark": watermark,
        "stopped_because": message,
        "load_seconds": round(load_seconds, 2),
        **report.summary_fields(),
    }
    log.info("Run summary:\n%s", summary_text(summary))
    if new_failures and not request.dry_run:
        raise new_failures_error(settings.tenant, new_failures)
    return summary


def new_failures_error(tenant: str, failures: list[OrderOutcome]) -> NewFailuresError:
    """Log the run's new failures, one short line each, and the error that ends the task with them."""
    listed = failures[:LISTED_FAILURES]
    lines = [f"  {o.order_number}  {o.action}: {(o.reason or 'no reason recorded')[:160]}" for o in listed]
    if len(failures) > len(listed):
        lines.append(f"  … and {len(failures) - len(listed)} more")
    log.error("New problems in this run (%d):\n%s", len(failures), "\n".join(lines))
    numbers = ", ".join(o.order_number for o in failures[:SHOWN_NUMBERS])
    if len(failures) > SHOWN_NUMBERS:
        numbers += ", …"
    return NewFailuresError(
        f"{len(failures)} order(s) could not be booked ({numbers}); the reasons are listed above and "
        f"in the ledger: python -m lightspeed_afas log {tenant} --open. Fix the cause: later runs retry "
        "failed orders; re-sync quarantined ones with order_numbers."
    )


def summary_text(summary: dict[str, Any]) -> str:
    """The run summary as one short ``key: value`` line per field, for the task log (XCom keeps the dict)."""
    return "\n".join(f"  {key.replace('_', ' ')}: {_brief(key, value)}" for key, value in summary.items())


def _brief(key: str, value: Any) -> str:
    if value is None or value == [] or value == {}:
        return "-"
    if isinstance(value, dict):
        return ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in value.items())
    if isinstance(value, list | tuple):
        if not all(isinstance(v, str) for v in value):
            return f"{len(value)} (listed above)"
        if key == "window" and len(value) == 2:
            return f"{value[0]} → {value[1]}"
        shown = ", ".join(value[:SHOWN_NUMBERS])
        return shown + (f", … ({len(value)} in all)" if len(value) > SHOWN_NUMBERS else "")
    text = str(value)
    return text if len(text) <= 200 else text[:199] + "…"


def outcome_table(outcomes: list[OrderOutcome]) -> str:
    """``order → AFAS order / debtor → action`` as a fixed-width table for the task log."""
    if not outcomes:
        return "(no orders needed booking)"
    rows = [("order", "AFAS order", "debtor", "action", "reason")]
    for o in outcomes:
        rows.append(
            (o.order_number, o.afas_order_number or "-", o.debtor_id or "-", o.action, (o.reason or "")[:80])
        )
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    return "\n".join(
        "  ".join(value.ljust(widths[i]) if i < 4 else value for i, value in enumerate(row)).rstrip()
        for row in rows
    )
