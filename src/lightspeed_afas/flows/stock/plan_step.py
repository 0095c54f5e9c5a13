"""Step 2, plan_stock: refresh the variant map, match variants to AFAS items, and list the levels that
differ from what the shop holds.

A variant is left alone, with its reason, when its stock tracking is disabled, its codes match no AFAS
item, it shares its code with another variant, or AFAS gave its item no usable quantity. The plan is
recorded in the map (which item each variant follows, or why not), so the dashboard shows it.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime

from lightspeed_afas.domain.stock import Push, Variant, match_variants, plan_pushes
from lightspeed_afas.flows.clients import Hooks
from lightspeed_afas.flows.stock.results import StockPlan, StockRead
from lightspeed_afas.flows.stock.settings import StockRequest, StockSyncSettings
from lightspeed_afas.flows.stock.variant_map import refresh_variant_map
from lightspeed_afas.ledger import Ledger

log = logging.getLogger(__name__)

EXAMPLES = 20  # left-alone variants named in the log (the ledger and the dashboard hold them all)


def plan_stock(
    settings: StockSyncSettings,
    request: StockRequest,
    ledger: Ledger,
    hooks: Hooks,
    read: StockRead,
    now: datetime,
) -> StockPlan:
    """Refresh the map, decide per variant, and return the pushes (most urgent first)."""
    refresh = refresh_variant_map(settings, request, ledger, hooks, now)
    confirmed = ledger.confirm_unknown_pushes(settings.tenant)
    if confirmed:
        log.info("%d push(es) whose answer was lost are confirmed by the shop's levels.", confirmed)
    mapped = ledger.variant_map(settings.tenant)
    variants = [m.variant for m in mapped.values()]
    known_items = set(read.quantities) | set(read.bad_items)
    matching = match_variants(variants, known_items, settings.match_on)
    for vid, code in list(matching.items.items()):
        if code in read.bad_items:
            del matching.items[vid]
            matching.left_alone[vid] = f"AFAS item {code}: {read.bad_items[code]}"
    ledger.set_decisions(settings.tenant, matching.items, matching.left_alone)
    unbooked = ledger.unbooked_quantities(settings.tenant) if settings.subtract_unbooked else {}
    levels = {vid: m.shop_level for vid, m in mapped.items()}
    pushes = urgent_first(plan_pushes(matching.items, levels, read.quantities, unbooked))
    plan = StockPlan(
        pushes=pushes,
        variants=len(mapped),
        kept=len(matching.items) - len(pushes),
        left_alone=dict(Counter(reason_kind(r) for r in matching.left_alone.values())),
        left_alone_examples=[
            {"variant_id": vid, "codes": _codes(mapped[vid].variant), "reason": reason}
            for vid, reason in sorted(matching.left_alone.items())[:EXAMPLES]
        ],
        refresh=refresh.kind,
        complete=refresh.complete,
        stopped_because=refresh.stopped_because,
    )
    log.info(
        "Variant map: %d variants (%s refresh read %d, removed %d); %d follow an AFAS item, %d left alone; "
        "%d level(s) to push.",
        plan.variants,
        refresh.kind,
        refresh.read,
        refresh.removed,
        len(matching.items),
        len(matching.left_alone),
        len(pushes),
    )
    return plan


def urgent_first(pushes: list[Push]) -> list[Push]:
    """Sold-out first (a level going to 0), then the biggest drops, then rises: when the budget ends a
    run early, what it did not push yet is the least likely to oversell."""

    def key(push: Push) -> tuple[int, int, int]:
        old = push.old if push.old is not None else push.new + 1
        return (0 if push.new == 0 and old > 0 else 1, push.new - old, push.variant_id)

    return sorted(pushes, key=key)


def reason_kind(reason: str) -> str:
    """A reason's kind, for counts: tracking disabled, no match, shared code, bad AFAS quantity, …"""
    if reason.startswith("stockTracking"):
        return "tracking disabled"
    if reason.startswith("no AFAS item") or reason.startswith("it has no code"):
        return "no matching AFAS item"
    if reason.startswith("variants "):
        return "code shared by several variants"
    if reason.startswith("AFAS item"):
        return "AFAS quantity unusable"
    return "other"


def _codes(variant: Variant) -> str:
    parts = [f"{n}={variant.code(n)}" for n in ("articleCode", "sku", "ean") if variant.code(n)]
    return " ".join(parts) or "-"
