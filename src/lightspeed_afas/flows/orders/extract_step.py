"""Step 1, extract_orders: open the run's ledger row, read the window (or the order numbers asked
for), add the failed orders whose retry is due, and keep what may need booking (``extract`` does the
reading and the choosing)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from lightspeed_afas.flows.clients import Hooks
from lightspeed_afas.flows.orders.extract import (
    find_by_numbers,
    retry_candidates,
    scan_window,
    select_and_fetch,
)
from lightspeed_afas.flows.orders.results import Extracted
from lightspeed_afas.flows.orders.run_report import counts_text
from lightspeed_afas.flows.orders.settings import SyncSettings
from lightspeed_afas.flows.record_flow import read_window
from lightspeed_afas.flows.request import RunMode, RunRequest
from lightspeed_afas.hooks.errors import LightspeedBudgetExhaustedError
from lightspeed_afas.ledger import Ledger

log = logging.getLogger(__name__)


def effective_window(
    settings: SyncSettings, request: RunRequest, watermark: datetime | None, now: datetime | None = None
) -> tuple[datetime, datetime]:
    """The window actually scanned: overlapped, and for scheduled runs continued from the watermark
    (``flows.record_flow.read_window``, which every flow from Lightspeed shares); ``now`` defaults to the
    wall clock."""
    return read_window(request, watermark, settings.start_date, settings.overlap, now or datetime.now(UTC))


def extract_orders(settings: SyncSettings, request: RunRequest, ledger: Ledger, hooks: Hooks) -> Extracted:
    """Start the run in the ledger and find the orders it books; a spent Lightspeed budget ends the
    extraction early (the result says so and is booked as far as it got)."""
    result = Extracted()
    result.run_pk = ledger.start_run(
        settings.tenant, request.run_id, request.mode, request.window_start, request.window_end
    )
    forced, now = request.mode == RunMode.ORDERS, settings.clock()
    try:
        candidates = _candidates(settings, request, ledger, hooks, result)
        result.count("seen", len(candidates))
        due = [] if forced else retry_candidates(ledger, settings.tenant, set(candidates), now)
        for state in due:
            candidates[state.order_id] = {"id": state.order_id, "number": state.order_number}
            result.count("retrying")
        select_and_fetch(
            hooks.lightspeed,
            ledger,
            settings.tenant,
            candidates,
            settings.eligibility,
            forced=forced,
            result=result,
            now=now,
        )
    except LightspeedBudgetExhaustedError as exc:
        result.complete = False
        result.stopped_because = str(exc)
    if not result.complete:
        log.warning("Extraction stopped early: %s", result.stopped_because)
    log.info("extract_orders: %s", counts_text(result.counts, "nothing in the window"))
    return result


def _candidates(
    settings: SyncSettings, request: RunRequest, ledger: Ledger, hooks: Hooks, result: Extracted
) -> dict[int, dict[str, Any]]:
    """The order summaries of the window, or of the numbers a re-sync names; sets ``result.window``."""
    if request.mode == RunMode.ORDERS:
        return find_by_numbers(hooks.lightspeed, list(request.order_numbers), result)
    # A step resumed after waiting in the triggerer reads the window its first attempt read (its pages
    # are in the hook's replay): "now" is when that attempt began (``hooks.replay``).
    replay = hooks.lightspeed.replay
    now = replay.started_at if replay is not None else None
    result.window = start, end = effective_window(settings, request, ledger.watermark(settings.tenant), now)
    log.info("Reading orders changed from %s to %s (UTC).", start.isoformat(), end.isoformat())
    return scan_window(hooks.lightspeed, start, end, result)
