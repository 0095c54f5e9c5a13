"""What the two record-by-record flows from Lightspeed into AFAS share — customers and credit notes: the
window a run reads, the cursor it continues from, the first step's result, and the end of the run.

**Windows.** A scheduled run reads from the flow's cursor (``flow_state`` ``extracted_until``; the first
run from the tenant's ``start_date``) minus the overlap up to the end of its data interval, so a run
after downtime covers every missed window. A backfill reads its data interval (minus the overlap), a
manual run with ``since``/``until`` exactly that. Only a scheduled run whose reading was complete moves
the cursor, and never back; a dry run moves nothing. The ledger makes re-reading free.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from lightspeed_afas.flows.request import RunMode, RunRequest
from lightspeed_afas.ledger import Ledger
from lightspeed_afas.ledger.flow_items import ItemOutcome
from lightspeed_afas.tables import text_table

log = logging.getLogger(__name__)

CURSOR = "extracted_until"
LISTED = 50  # records listed in the task log (the ledger holds every one)


def read_window(
    request: RunRequest, cursor: datetime | None, start_date: datetime, overlap: timedelta, now: datetime
) -> tuple[datetime, datetime]:
    """The window a run reads (see the module)."""
    end = min(request.window_end or now, now)
    if request.mode == RunMode.SCHEDULED:
        start = cursor or start_date
        if request.window_start is not None and cursor is not None:
            start = min(start, request.window_start)
        return start - overlap, end
    start = request.window_start or start_date
    return (start - overlap if request.mode == RunMode.BACKFILL else start), end


def open_read(
    ledger: Ledger,
    tenant: str,
    flow: str,
    request: RunRequest,
    start_date: datetime,
    overlap: timedelta,
    what: str,
) -> tuple[RecordRead, datetime, datetime]:
    """The first step's start: the run's ledger row, and the window it reads (``what``: for the log)."""
    read = RecordRead()
    read.run_pk = ledger.start_flow_run(tenant, flow, request.run_id, request.mode)
    # As the orders flow: the window ends at the wall clock, the shop's clock, not the pipeline's.
    start, end = read_window(request, cursor_of(ledger, tenant, flow), start_date, overlap, datetime.now(UTC))
    read.window = (start.isoformat(), end.isoformat())
    log.info(
        "Reading %s changed from %s to %s (UTC).", what, start.astimezone(UTC).isoformat(), end.isoformat()
    )
    return read, start, end


def cursor_of(ledger: Ledger, tenant: str, flow: str) -> datetime | None:
    value = ledger.flow_state(tenant, flow).get(CURSOR)
    return datetime.fromisoformat(value) if value else None


def advance_cursor(ledger: Ledger, tenant: str, flow: str, request: RunRequest, read: RecordRead) -> None:
    """After a complete scheduled run: the cursor to the end of its window (never back)."""
    if request.dry_run or request.mode != RunMode.SCHEDULED or not read.complete or not read.window:
        return
    end = datetime.fromisoformat(read.window[1])
    current = cursor_of(ledger, tenant, flow)
    if current is None or end > current:
        ledger.set_flow_state(tenant, flow, **{CURSOR: end.isoformat()})


@dataclass
class RecordRead:
    """The first step's result: the records to book (JSON), what it decided itself, and how far it got."""

    run_pk: int = 0
    window: tuple[str, str] | None = None
    complete: bool = True
    stopped_because: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    records: list[dict[str, Any]] = field(default_factory=list)
    decided: list[ItemOutcome] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)
    # Within the first step only (not in XCom): what the shop answered once, e.g. order numbers by id.
    order_numbers: dict[int, str] = field(default_factory=dict)

    def count(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def nothing_to_book(self) -> bool:
        """No record for the later steps and no failure decided here: the run can end in the first step."""
        return not self.records and not any(o.action in ("failed", "quarantined") for o in self.decided)

    def to_xcom(self) -> dict[str, Any]:
        return {
            "run_pk": self.run_pk,
            "window": list(self.window) if self.window else None,
            "complete": self.complete,
            "stopped_because": self.stopped_because,
            "counts": self.counts,
            "records": self.records,
            "decided": [o.to_json() for o in self.decided],
            "stats": self.stats,
        }

    @classmethod
    def from_xcom(cls, data: dict[str, Any]) -> RecordRead:
        window = data.get("window")
        return cls(
            run_pk=int(data["run_pk"]),
            window=(window[0], window[1]) if window else None,
            complete=bool(data["complete"]),
            stopped_because=data.get("stopped_because"),
            counts=dict(data.get("counts") or {}),
            records=list(data.get("records") or []),
            decided=[ItemOutcome.from_json(o) for o in data.get("decided") or []],
            stats=dict(data.get("stats") or {}),
        )


def finish_record_run(
    ledger: Ledger,
    tenant: str,
    flow: str,
    request: RunRequest,
    read: RecordRead,
    stored: list[ItemOutcome],
    calls: dict[str, int],
) -> dict[str, Any]:
    """Close the run's ledger row, move the cursor, log the records' table; returns the run summary."""
    counts = dict(read.counts)
    counts.update(Counter(o.action for o in stored))
    failed = [o for o in stored if o.action in ("failed", "quarantined")]
    outcome = (
        "dry_run"
        if request.dry_run
        else "failed"
        if failed
        else "partial"
        if not read.complete
        else "success"
    )
    ledger.finish_flow_run(read.run_pk, outcome, counts, calls, read.stopped_because)
    advance_cursor(ledger, tenant, flow, request, read)  # not for a dry run
    shown = [o for o in stored if o.action != "skipped"][:LISTED]
    if shown:
        log.info("Records of this run (first %d):\n%s", len(shown), outcome_table(shown))
    summary = {
        "tenant": tenant,
        "flow": flow,
        "run_id": request.run_id,
        "outcome": outcome,
        "window": list(read.window) if read.window else None,
        "counts": counts,
        "calls": calls,
        "stopped_because": read.stopped_because,
        "failures": [f"{o.number or o.item_id}: {o.reason}" for o in failed[:20]],
    }
    log.info(
        "Run summary (%s): %s; calls %s%s",
        outcome,
        ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "nothing to do",
        ", ".join(f"{k} {v}" for k, v in sorted(calls.items())) or "none",
        f"; stopped early: {read.stopped_because}" if read.stopped_because else "",
    )
    return summary


def outcome_table(outcomes: list[ItemOutcome]) -> str:
    rows = [
        (str(o.item_id), o.number or "-", o.action, o.afas_id or "-", (o.reason or "")[:90]) for o in outcomes
    ]
    return text_table(("id", "number", "outcome", "AFAS", "reason"), rows)
