"""The bridge between Airflow and the order flow's steps: settings, hooks, ledger, XCom, and the run summary.

A run with nothing to book ends in extract_orders (``end_here``; ``orchestration.idle`` skips the rest)."""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from lightspeed_afas.domain.vocabulary import ORDER_STEPS, Action
from lightspeed_afas.flows import orders
from lightspeed_afas.flows.orders import run_report
from lightspeed_afas.flows.orders.results import Extracted, Resolved, Transformed
from lightspeed_afas.flows.orders.settings import SyncSettings
from lightspeed_afas.flows.request import RunRequest
from lightspeed_afas.hooks.metrics import CallStats, calls_per_api
from lightspeed_afas.ledger import Ledger, OrderOutcome
from lightspeed_afas.orchestration.idle import idle_value, summary_if_ended
from lightspeed_afas.orchestration.step_session import StepSession
from lightspeed_afas.orchestration.task_failures import ExpectedTaskFailure
from lightspeed_afas.tables import text_table

log = logging.getLogger(__name__)

STEPS = ORDER_STEPS
LISTED_FAILURES = 20  # new failures listed in the task log (the ledger holds them all)
SHOWN_NUMBERS = 5  # order numbers named in the failure's one-line message
RUN_ACTIONS = (
    Action.CREATED,
    Action.UPDATED,
    Action.DELETED,
    Action.SKIPPED,
    Action.FAILED,
    Action.QUARANTINED,
)


class NewFailuresError(ExpectedTaskFailure):
    """The run recorded new failed or quarantined orders: it ends red without task retries (retrying
    repeats the same refusal); later runs retry the orders."""


@dataclass
class RunInputs:
    """What the end of a run reads: the steps' results and the outcomes load_to_afas stored."""

    extracted: Extracted
    resolved: Resolved
    transformed: Transformed
    stored: list[OrderOutcome]


def execute(
    step: str, settings: SyncSettings, request: RunRequest, ledger: Ledger, upstream: dict[str, Any]
) -> dict[str, Any]:
    """Run one step; ``upstream`` holds the earlier steps' XCom values by task id, and the step's own
    XCom value is returned (for load_to_afas, the run summary; for an extract_orders that found nothing
    to book, its value with the run summary: the run ended there)."""
    if step not in STEPS:
        raise ValueError(f"unknown step {step!r}; the steps are {', '.join(STEPS)}")
    ended = summary_if_ended(step, STEPS[0], upstream)
    if ended is not None:
        return ended
    session = StepSession(settings, request, ledger)
    started = time.monotonic()
    try:
        if step == "load_to_afas":
            return _load(settings, request, ledger, session, upstream, started)
        result: Extracted | Resolved | Transformed
        if step == "extract_orders":
            result = orders.extract_orders(settings, request, ledger, session.hooks)
            if result.nothing_to_book():
                result.stats = session.stats.summary()
                return end_here(settings, request, ledger, session, result, started)
        elif step == "resolve_relations":
            extracted = Extracted.from_xcom(upstream["extract_orders"])
            result = orders.resolve_relations(settings, request, ledger, session.hooks, extracted)
        else:
            extracted = Extracted.from_xcom(upstream["extract_orders"])
            resolved = Resolved.from_xcom(upstream["resolve_relations"])
            result = orders.transform(settings, request, extracted, resolved)
        result.stats = session.stats.summary()
        return result.to_xcom()
    finally:
        session.close()


def _load(
    settings: SyncSettings,
    request: RunRequest,
    ledger: Ledger,
    session: StepSession,
    upstream: dict[str, Any],
    started: float,
) -> dict[str, Any]:
    """load_to_afas, the lease released whatever happens, then the end of the run."""
    try:
        extracted = Extracted.from_xcom(upstream["extract_orders"])
        transformed = Transformed.from_xcom(upstream["transform"])
        stored = orders.load_to_afas(settings, request, ledger, session.hooks, extracted, transformed)
    finally:
        ledger.release_lease(settings.tenant, request.run_id)
    resolved = Resolved.from_xcom(upstream.get("resolve_relations") or {})
    done = RunInputs(extracted, resolved, transformed, stored)
    return finish_run(settings, request, ledger, done, session.stats, time.monotonic() - started)


def end_here(
    settings: SyncSettings,
    request: RunRequest,
    ledger: Ledger,
    session: StepSession,
    extracted: Extracted,
    started: float,
) -> dict[str, Any]:
    """The end of a run with nothing to book, in extract_orders: what load_to_afas and ``finish_run``
    do with no operation (record extract's decisions, close the ledger row, move the watermark, log the
    summary), without an AFAS call; returns extract's XCom value with the run summary."""
    nothing = Transformed()
    stored = orders.load_to_afas(settings, request, ledger, session.hooks, extracted, nothing)
    done = RunInputs(extracted, Resolved(), nothing, stored)
    summary = finish_run(settings, request, ledger, done, CallStats(), time.monotonic() - started)
    return idle_value(extracted.to_xcom(), summary, "nothing to book")


def finish_run(
    settings: SyncSettings,
    request: RunRequest,
    ledger: Ledger,
    run: RunInputs,
    load_stats: CallStats,
    load_seconds: float,
) -> dict[str, Any]:
    """Close the run in the ledger, move the watermark, log the table, and return the run summary."""
    extracted = run.extracted
    counts = run_counts(extracted, run.stored)
    step_stats = [extracted.stats, run.resolved.stats, load_stats.summary()]
    calls = calls_per_api(step_stats)
    rate_limited = sum(s.get("rate_limited", {}).get("lightspeed", 0) for s in step_stats)
    report = run_report.build_report(request, ledger, settings.tenant, extracted, run.transformed, run.stored)
    new_failures = report.new_problems  # a known failure met again does not fail the run
    outcome = run_outcome(request, extracted, bool(new_failures))
    message = extracted.stopped_because
    ledger.finish_run(extracted.run_pk, outcome, counts, calls, rate_limited, message)
    watermark = None
    if request.mode == "scheduled" and extracted.complete and extracted.window and not request.dry_run:
        watermark = ledger.advance_watermark(settings.tenant, extracted.window[1], request.run_id).isoformat()
    if not request.dry_run:  # load_to_afas logged what a dry run would do
        log.info("Bookings of this run:\n%s", outcome_table(run.stored))
    report.log()
    summary = {
        "tenant": settings.tenant,
        "run_id": request.run_id,
        "mode": request.mode,
        "outcome": outcome,
        "window": extracted.window_text(),
        "counts": counts,
        "calls": calls,
        "rate_limited": rate_limited,
        "relations_created": run.resolved.relations_created,
        "watermark": watermark,
        "stopped_because": message,
        "load_seconds": round(load_seconds, 2),
        **report.summary_fields(),
    }
    log.info("Run summary:\n%s", summary_text(summary))
    if new_failures and not request.dry_run:
        raise new_failures_error(settings.tenant, new_failures)
    return summary


def run_counts(extracted: Extracted, stored: list[OrderOutcome]) -> dict[str, int]:
    """The run's counts for the ledger and the summary: what extract saw, and each action recorded."""
    actions = Counter(o.action for o in stored)
    return {
        "seen": extracted.counts.get("seen", 0),
        "unchanged": extracted.counts.get("unchanged", 0),
        "ineligible": extracted.counts.get("ineligible", 0),
        **{a.value: actions.get(a, 0) for a in RUN_ACTIONS},
    }


def run_outcome(request: RunRequest, extracted: Extracted, new_failures: bool) -> str:
    """``dry_run``, ``failed`` (new problems), ``partial`` (extraction stopped early) or ``success``."""
    if request.dry_run:
        return "dry_run"
    if new_failures:
        return "failed"
    return "success" if extracted.complete else "partial"


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
    return text_table(
        ("order", "AFAS order", "debtor", "action", "reason"),
        [
            (o.order_number, o.afas_order_number or "-", o.debtor_id or "-", o.action, (o.reason or "")[:80])
            for o in outcomes
        ],
    )
