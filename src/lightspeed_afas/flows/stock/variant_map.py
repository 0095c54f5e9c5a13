"""The ledger's map of the shop's variants, kept fresh cheaply.

- **Incremental** (most runs): ``variants.json?updated_at_min=<last refresh − overlap>`` — one call when
  nothing changed. A new variant, a changed code or tracking, and the stock flow's own pushes come back.
- **Full** (the first run, every ``full_comparison_hours``, or when asked): every variant, ``ceil(n /
  250)`` calls. It reads every level, so drift made in the shop's back office is corrected (AFAS is
  leading), and a variant the shop no longer has leaves the map.

The refresh stops (``BudgetReservedError``) rather than eat into the orders' share of the key's budget.
A full read that stopped resumes at the page it reached in the next run; an incremental one is simply
repeated from the same cursor. Pages come newest first, so a variant created meanwhile shifts the pages
by one: a page boundary is read twice, never skipped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from lightspeed_afas.domain.stock import Variant, parse_variant
from lightspeed_afas.flows.clients import Hooks
from lightspeed_afas.flows.stock.settings import FLOW, StockRequest, StockSyncSettings
from lightspeed_afas.hooks.errors import LightspeedBudgetExhaustedError
from lightspeed_afas.ledger import Ledger
from lightspeed_afas.ledger.clock import now_utc as ledger_now

log = logging.getLogger(__name__)

REFRESHED = "variants_refreshed_at"  # flow-state keys
FULL_AT = "full_comparison_at"
FULL_PROGRESS = "full_comparison_progress"
FILTER_ZONE = "filter_zone"  # how the shop reads naive filter times, once detected (push_step)


@dataclass
class Refresh:
    kind: str  # incremental, full
    read: int = 0
    complete: bool = True
    stopped_because: str | None = None
    removed: int = 0


def refresh_variant_map(
    settings: StockSyncSettings, request: StockRequest, ledger: Ledger, hooks: Hooks, now: datetime
) -> Refresh:
    """Bring the ledger's variant map up to date (incrementally, or in full when one is due)."""
    state = ledger.flow_state(settings.tenant, FLOW)
    last_full = _time(state.get(FULL_AT))
    if request.full_comparison or full_comparison_due(settings, state, now) or last_full is None:
        return _full(settings, ledger, hooks, now, state.get(FULL_PROGRESS) or None)
    refreshed = _time(state.get(REFRESHED)) or last_full
    zone = ZoneInfo(state[FILTER_ZONE]) if state.get(FILTER_ZONE) else None
    return _incremental(settings, ledger, hooks, now, refreshed - settings.overlap, zone)


def full_comparison_due(settings: StockSyncSettings, state: dict, now: datetime) -> bool:
    """Whether a full read of the shop's variants is due (or one that stopped is to go on)."""
    last_full = _time(state.get(FULL_AT))
    due = last_full is None or now - last_full >= settings.full_comparison_every
    return due or bool(state.get(FULL_PROGRESS))


def _incremental(
    settings: StockSyncSettings,
    ledger: Ledger,
    hooks: Hooks,
    now: datetime,
    since: datetime,
    zone: ZoneInfo | None,
) -> Refresh:
    result = Refresh("incremental")
    try:
        for page in hooks.lightspeed.iter_variant_pages(updated_min=since, zone=zone):
            variants = _parsed(page)
            ledger.save_variants(settings.tenant, variants)
            result.read += len(variants)
    except LightspeedBudgetExhaustedError as exc:
        return _stopped(result, exc)
    ledger.set_flow_state(settings.tenant, FLOW, **{REFRESHED: now.isoformat()})
    return result


def _full(
    settings: StockSyncSettings, ledger: Ledger, hooks: Hooks, now: datetime, progress: dict | None
) -> Refresh:
    started = _time((progress or {}).get("started_at")) or now
    # Which rows this read saw, on the ledger's own clock (the pipeline's may be a test's fake one).
    seen_from = _time((progress or {}).get("seen_from")) or ledger_now()
    first_page = int((progress or {}).get("next_page", 1))
    result = Refresh("full")
    page_number = first_page
    try:
        for page in hooks.lightspeed.iter_variant_pages(first_page=first_page):
            variants = _parsed(page)
            ledger.save_variants(settings.tenant, variants)
            result.read += len(variants)
            page_number += 1
    except LightspeedBudgetExhaustedError as exc:
        progress = {
            "started_at": started.isoformat(),
            "seen_from": seen_from.isoformat(),
            "next_page": page_number,
        }
        ledger.set_flow_state(settings.tenant, FLOW, **{FULL_PROGRESS: progress})
        return _stopped(result, exc)
    result.removed = ledger.remove_variants_not_seen_since(settings.tenant, seen_from)
    stamp = started.isoformat()
    # The shop's reading of filter times is found again after each full read (2 calls a day): a zone
    # that equals UTC in winter (London) cannot be told from UTC until summer.
    ledger.set_flow_state(
        settings.tenant, FLOW, **{FULL_AT: stamp, REFRESHED: stamp, FULL_PROGRESS: None, FILTER_ZONE: None}
    )
    return result


def _stopped(result: Refresh, exc: LightspeedBudgetExhaustedError) -> Refresh:
    result.complete = False
    result.stopped_because = str(exc)
    log.warning("Variant refresh stopped: %s", exc)
    return result


def _parsed(page: list) -> list[Variant]:
    variants = [parse_variant(raw) for raw in page if isinstance(raw, dict)]
    return [v for v in variants if v is not None]


def _time(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None
