"""What a run says when it ends, besides its bookings: which failures are new (they fail the run),
which are known (listed, with when they are tried again), and, for a re-sync by ``order_numbers``,
what became of each number.

A run fails for a *new* problem only: an order's first failure, a failure whose reason differs from
the one last recorded, or a quarantine. A known failure met again is listed, not raised again; the
retry backoff (``retry_policy``) decides when it is tried. A re-sync by number fails for any failure
of the orders it names: someone asked for exactly those. ``counts_text`` is the one-line tally the
steps log.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lightspeed_afas.domain.retry_policy import next_retry_at
from lightspeed_afas.flows.orders.results import Extracted, Transformed
from lightspeed_afas.flows.request import RunMode, RunRequest
from lightspeed_afas.ledger import Ledger, OrderOutcome
from lightspeed_afas.tables import text_table

log = logging.getLogger(__name__)

FAILED = ("failed", "quarantined")
MAX_LISTED = 20  # open failures in the summary and the log; the ledger holds them all
RESULTS = {  # ledger action -> what a re-sync by number says became of the order
    "created": "booked",
    "updated": "updated",
    "unchanged": "already booked, unchanged",
    "deleted": "deleted in AFAS (cancelled in the webshop)",
    "skipped": "skipped",
    "failed": "failed",
    "quarantined": "quarantined",
}
DRY_RUN_RESULTS = {  # transform operation -> the same, for a dry run
    "insert": "would be booked (dry run)",
    "update": "would be updated (dry run)",
    "delete": "would be deleted in AFAS (dry run)",
    "unchanged": "already booked, unchanged",
    "settled": "already booked, unchanged",
    "skip": "skipped",
    "fail": "failed",
}


@dataclass
class RunReport:
    new_problems: list[OrderOutcome]
    known_failures: list[OrderOutcome]  # failed again in this run, as already recorded
    open_failures: list[dict[str, Any]]  # the tenant's failed and quarantined orders now (first few)
    open_total: int
    requested: list[dict[str, str]]  # a re-sync by number: one row per number asked for

    def summary_fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "new_problems": [_brief(o) for o in self.new_problems[:MAX_LISTED]],
            "known_failures_retried": [o.order_number for o in self.known_failures[:MAX_LISTED]],
            "open_failures": self.open_failures,
            "open_failures_total": self.open_total,
        }
        if self.requested:
            fields["order_numbers"] = self.requested
        return fields

    def log(self) -> None:
        if self.requested:
            log.info("What became of the orders asked for:\n%s", requested_table(self.requested))
        if self.open_total:
            log.info(
                "Open failures of this tenant: %d (%d new in this run; a known one does not fail the run "
                "again and is retried on the schedule below):\n%s",
                self.open_total,
                len(self.new_problems),
                open_failures_table(self.open_failures, self.open_total),
            )


def build_report(
    request: RunRequest,
    ledger: Ledger,
    tenant: str,
    extracted: Extracted,
    transformed: Transformed | None,
    stored: list[OrderOutcome],
) -> RunReport:
    """The report of a run whose outcomes ``stored`` were just recorded."""
    failures = [o for o in stored if o.action in FAILED]
    if request.mode == RunMode.ORDERS:
        new, known = failures, []
    else:
        new = [o for o in failures if not o.repeated]
        known = [o for o in failures if o.repeated]
    open_states = ledger.orders_with_status(tenant, list(FAILED))
    listed = sorted(open_states, key=lambda s: (s.status, s.order_number))[:MAX_LISTED]
    open_failures = [
        {
            "order": s.order_number,
            "status": s.status,
            "failures": s.failures,
            "reason": (s.reason or "")[:200],
            "next_retry": _when(next_retry_at(s)),
        }
        for s in listed
    ]
    requested = (
        requested_results(request, extracted, transformed, stored) if request.mode == RunMode.ORDERS else []
    )
    return RunReport(new, known, open_failures, len(open_states), requested)


def requested_results(
    request: RunRequest, extracted: Extracted, transformed: Transformed | None, stored: list[OrderOutcome]
) -> list[dict[str, str]]:
    """Per order number asked for: its result, the AFAS order and the reason."""
    by_number: dict[str, dict[str, str]] = {}
    for number, noted in extracted.requested.items():
        by_number[number] = {"result": noted["result"], "afas_order": "-", "reason": noted["reason"]}
    if request.dry_run and transformed is not None:
        for op in transformed.operations:
            by_number[op.number] = _row(DRY_RUN_RESULTS.get(op.op, op.op), op.afas_order_number, op.reason)
    for o in stored:
        by_number[o.order_number] = _row(RESULTS[o.action], o.afas_order_number, o.reason)
    rows = []
    for number in request.order_numbers:
        row = by_number.get(number)
        if row is None and not extracted.complete:
            row = {"result": "not reached", "afas_order": "-", "reason": extracted.stopped_because or ""}
        elif row is None:
            row = {"result": "not processed", "afas_order": "-", "reason": "see the log of extract_orders"}
        rows.append({"order": number, **row})
    return rows


def _row(result: str, afas_order: str | None, reason: str | None) -> dict[str, str]:
    reason = reason or ""
    if result == "skipped" and "cancelled" in reason:
        result = "cancelled"
    return {"result": result, "afas_order": afas_order or "-", "reason": reason}


def requested_table(rows: list[dict[str, str]]) -> str:
    return text_table(
        ("order", "result", "AFAS order", "reason"),
        [(r["order"], r["result"], r["afas_order"], r["reason"][:100]) for r in rows],
    )


def open_failures_table(rows: list[dict[str, Any]], total: int) -> str:
    table = text_table(
        ("order", "status", "failures", "next retry (UTC)", "reason"),
        [
            (
                r["order"],
                r["status"],
                str(r["failures"]),
                r["next_retry"] or "none: re-sync it by order_numbers once fixed",
                r["reason"][:100],
            )
            for r in rows
        ],
    )
    more = f"\n… and {total - len(rows)} more (python -m lightspeed_afas log <tenant> --open)"
    return table + (more if total > len(rows) else "")


def _brief(o: OrderOutcome) -> dict[str, str | None]:
    return {"order": o.order_number, "status": o.action, "reason": o.reason}


def _when(moment: datetime | None) -> str | None:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else None


def counts_text(counts: dict[str, int], empty: str) -> str:
    """``created 3, failed 1`` for a step's log line (by name); ``empty`` when there are none."""
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or empty
