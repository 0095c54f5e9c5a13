"""Step 3, push_stock: write the planned levels (``PUT /variants/{id}.json``, ``stockLevel`` only), within
the key's budget, and record each push.

- The budget: the hook leaves ``lightspeed.reserve_for_orders`` of every window to the orders flow and
  raises ``BudgetReservedError`` before the call that would not; the run stops there, ``partial``, and
  the next run plans the rest again (nothing is lost: a plan is always "AFAS now vs. the shop now").
- A level is absolute, so a PUT whose answer was lost is sent again by the hook; a task retry skips the
  pushes the ledger already has. A PUT the hook gave up on is recorded ``unknown`` (the task then fails
  and is retried); the next read of the shop turns it into ``pushed`` when the shop has that level.
- 404: the variant was deleted since the map was read; it leaves the map. 400: recorded with Lightspeed's
  message.
- An answer whose ``stockLevel`` is not the level sent means the shop reads the field differently (as a
  delta, say): every further push would make it worse, so the flow **halts** — this run stops, and later
  runs push nothing until someone has looked and triggers the stock DAG with ``resume``.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from lightspeed_afas.domain.stock import Push
from lightspeed_afas.flows.clients import Hooks
from lightspeed_afas.flows.stock.results import StockPlan
from lightspeed_afas.flows.stock.settings import FLOW, StockRequest, StockSyncSettings
from lightspeed_afas.flows.stock.variant_map import FILTER_ZONE
from lightspeed_afas.hooks.errors import (
    LightspeedBadRequestError,
    LightspeedBudgetExhaustedError,
    LightspeedNotFoundError,
    LightspeedUnavailableError,
)
from lightspeed_afas.ledger import Ledger
from lightspeed_afas.ledger.stock import PushResult

log = logging.getLogger(__name__)

RECORD_EVERY = 50  # pushes recorded per ledger transaction
HALTED = "halted"  # flow-state key: why pushing stopped until a run with resume
UNKNOWN = "unknown"  # a PUT that got no answer: a later read of the shop decides what it did
UNANSWERED = "Lightspeed gave no answer to the PUT; a later read of the shop settles it"
MISMATCH = "Lightspeed answered stockLevel"


class Pushed:
    """What push_stock did: each result, the pushes it did not get to, and why it stopped."""

    def __init__(self) -> None:
        self.results: list[PushResult] = []
        self.not_pushed: list[Push] = []
        self.stopped_because: str | None = None
        self.halted = False  # pushing is halted for this tenant (see the module's docstring)


def push_stock(
    settings: StockSyncSettings, request: StockRequest, ledger: Ledger, hooks: Hooks, plan: StockPlan
) -> Pushed:
    """Push the plan's levels in its order; a dry run pushes nothing."""
    done = Pushed()
    todo = still_to_push(ledger, settings.tenant, plan.pushes)
    halted = ledger.flow_state(settings.tenant, FLOW).get(HALTED)
    if halted and request.resume and not request.dry_run:
        ledger.set_flow_state(settings.tenant, FLOW, **{HALTED: None})
        log.warning("Pushing resumes (trigger param resume); it was halted: %s", halted["reason"])
    elif halted:
        done.not_pushed = todo
        done.stopped_because = halt_message(halted)
        done.halted = True
        return done
    if settings.max_pushes is not None and len(todo) > settings.max_pushes:
        done.not_pushed = todo[settings.max_pushes :]
        done.stopped_because = f"stock.max_pushes_per_run ({settings.max_pushes}) reached"
        todo = todo[: settings.max_pushes]
    if request.dry_run:
        done.not_pushed = todo + done.not_pushed
        return done
    _push_all(settings, request, ledger, hooks, todo, done)
    return done


def _push_all(
    settings: StockSyncSettings,
    request: StockRequest,
    ledger: Ledger,
    hooks: Hooks,
    todo: list[Push],
    done: Pushed,
) -> None:
    """The PUTs, in order, recorded in batches; stops at the budget's reserve or on a halt."""
    pending: list[PushResult] = []
    learn_zone = FILTER_ZONE not in ledger.flow_state(settings.tenant, FLOW)
    try:
        for index, push in enumerate(todo):
            try:
                result = push_one(hooks, push)
            except LightspeedBudgetExhaustedError as exc:
                done.not_pushed = todo[index:] + done.not_pushed
                done.stopped_because = str(exc)
                break
            except LightspeedUnavailableError as exc:
                # Perhaps applied, perhaps not: say so; the next read of the shop confirms or corrects.
                pending.append(PushResult(push, UNKNOWN, reason=f"{UNANSWERED}: {exc}"[:500]))
                raise
            pending.append(result)
            if result.reason and result.reason.startswith(MISMATCH):
                done.not_pushed = todo[index + 1 :] + done.not_pushed
                done.stopped_because = halt_message(halt(ledger, settings, result))
                done.halted = True
                break
            if learn_zone and result.updated_at:
                learn_zone = False  # one try per run
                learn_filter_zone(ledger, settings, hooks, result.updated_at)
            if len(pending) >= RECORD_EVERY:
                _record(ledger, settings, request, pending, done)
    finally:
        _record(ledger, settings, request, pending, done)


def learn_filter_zone(ledger: Ledger, settings: StockSyncSettings, hooks: Hooks, changed: str) -> None:
    """Once per tenant, right after a level was pushed: find how the shop reads naive filter times from
    that variant's new ``updatedAt`` (two calls), so later refreshes need no hour of overlap for the
    doubt. A short budget or an undecided answer leaves it to a later run."""
    try:
        zone = hooks.lightspeed.detect_filter_zone(datetime.fromisoformat(changed))
    except (LightspeedBudgetExhaustedError, ValueError):
        return
    if zone is not None:
        ledger.set_flow_state(settings.tenant, FLOW, **{FILTER_ZONE: zone})
        log.info("The shop reads filter times as %s: later refreshes are written in that zone.", zone)


def push_one(hooks: Hooks, push: Push) -> PushResult:
    """One PUT, and what it means."""
    try:
        answer = hooks.lightspeed.put_stock_level(push.variant_id, push.new)
    except LightspeedNotFoundError:
        return PushResult(push, "gone", reason="the variant is no longer in the shop (404); left the map")
    except LightspeedBadRequestError as exc:
        return PushResult(push, "failed", reason=str(exc)[:500])
    level = answer.get("stockLevel")
    if level != push.new:
        return PushResult(
            push,
            "failed",
            level=level if isinstance(level, int) and not isinstance(level, bool) else None,
            reason=f"{MISMATCH} {level!r} to a PUT of {push.new}: the shop does not take the level as "
            "sent (is stockLevel a delta there, or is its stock tracking off?)",
        )
    updated = answer.get("updatedAt")
    return PushResult(
        push, "pushed", level=push.new, updated_at=updated if isinstance(updated, str) else None
    )


def halt(ledger: Ledger, settings: StockSyncSettings, result: PushResult) -> dict[str, str]:
    """Stop pushing for this tenant until a run with ``resume``; returns what the ledger keeps of it."""
    halted = {
        "at": datetime.now(UTC).isoformat(),
        "reason": f"variant {result.push.variant_id}: {result.reason}",
    }
    ledger.set_flow_state(settings.tenant, FLOW, **{HALTED: halted})
    log.error("Pushing is halted: %s", halted["reason"])
    return halted


def halt_message(halted: dict) -> str:
    return (
        f"Pushing stock is halted since {halted.get('at', '?')[:19]} UTC: {halted.get('reason')}. Check the "
        "variant's stock in the shop (and the shop's stock settings), then trigger the stock DAG with "
        '{"resume": true}.'
    )


def still_to_push(ledger: Ledger, tenant: str, pushes: list[Push]) -> list[Push]:
    """The planned pushes the shop does not have yet (a retried task skips what its first try did)."""
    mapped = ledger.variant_map(tenant)
    return [p for p in pushes if p.variant_id in mapped and mapped[p.variant_id].shop_level != p.new]


def _record(
    ledger: Ledger,
    settings: StockSyncSettings,
    request: StockRequest,
    pending: list[PushResult],
    done: Pushed,
) -> None:
    if pending:
        ledger.record_pushes(settings.tenant, request.run_id, pending)
        done.results.extend(pending)
        pending.clear()
