"""extract_orders: read the orders changed in the run's window, and only fetch what may need booking.

Windows overlap (the filter's time zone is ambiguous, pages drift while orders change); the ledger
makes the overlap cheap: an order already booked at the same ``updatedAt`` costs no further call, and
one whose content hash is unchanged costs no AFAS call. A failed order is tried again when its retry
backoff (``retry_policy``) has passed or it changed in the webshop, not once per run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lightspeed_afas.domain.order_parsing import OrderDataError, parse_order
from lightspeed_afas.domain.retry_policy import retry_due
from lightspeed_afas.domain.vocabulary import Action
from lightspeed_afas.flows.orders.results import Extracted, ToBook
from lightspeed_afas.hooks.errors import LightspeedBudgetExhaustedError, LightspeedNotFoundError
from lightspeed_afas.hooks.lightspeed import PAGE_SIZE, LightspeedEcomHook
from lightspeed_afas.ledger import Ledger, OrderOutcome, OrderState

log = logging.getLogger(__name__)

BOOKED = ("booked", "skipped", "deleted")
MAX_RESCANS = 2
MAX_RETRIES_PER_RUN = 200


@dataclass
class Eligibility:
    order_statuses: tuple[str, ...]
    payment_statuses: tuple[str, ...]

    def reason_excluded(self, status: str, payment_status: str) -> str | None:
        if self.order_statuses:
            if status not in self.order_statuses:
                return f"order status {status!r} is not in the tenant's order_statuses"
        elif status == "cancelled":
            return "cancelled in the webshop before it was booked"
        if self.payment_statuses and payment_status not in self.payment_statuses:
            return f"payment status {payment_status!r} is not in the tenant's payment_statuses"
        return None


def scan_window(
    hook: LightspeedEcomHook, start: datetime, end: datetime, result: Extracted
) -> dict[int, dict[str, Any]]:
    """Every order changed in [start, end], deduplicated by id (newest ``updatedAt`` wins).

    Page-number paging drifts when an order changes mid-scan (it leaves the window and later pages
    shift up by one, so one order is never seen). When the scan spans several pages, the count taken
    first is compared with what was seen, and the window is scanned again until they agree.
    """
    seen: dict[int, dict[str, Any]] = {}
    expected: int | None = None
    for attempt in range(MAX_RESCANS + 1):
        pages = 0
        for page in hook.iter_order_pages(start, end):
            pages += 1
            if pages == 2 and expected is None:
                expected = hook.count_orders(start, end)
            for raw in page:
                _keep_newest(seen, raw)
        result.count("pages", pages)
        if expected is None or len(seen) >= expected:
            return seen
        log.warning(
            "Scan %d of the window saw %d orders but the shop counted %d: pages drifted, scanning again.",
            attempt + 1,
            len(seen),
            expected,
        )
        result.count("rescans")
    return seen


def _keep_newest(seen: dict[int, dict[str, Any]], raw: dict[str, Any]) -> None:
    try:
        order_id = int(raw["id"])
    except (KeyError, TypeError, ValueError):
        # The ledger keys orders by id: without one there is nothing to book or record. Say so.
        log.warning(
            "An order in the list has no usable id (%r, number %r): skipped; check it in the webshop.",
            raw.get("id"),
            raw.get("number"),
        )
        return
    current = seen.get(order_id)
    if current is None or str(raw.get("updatedAt") or "") >= str(current.get("updatedAt") or ""):
        seen[order_id] = raw


def find_by_numbers(
    hook: LightspeedEcomHook, numbers: list[str], result: Extracted
) -> dict[int, dict[str, Any]]:
    seen: dict[int, dict[str, Any]] = {}
    for number in numbers:
        found = [o for o in hook.find_orders_by_number(number) if str(o.get("number")) == number]
        if not found:
            result.count("not_found")
            result.note(number, "not found", "Lightspeed has no order with this number")
            log.warning("Order %s does not exist in the webshop; nothing to re-sync for it.", number)
        for raw in found:
            _keep_newest(seen, raw)
    return seen


def select_and_fetch(
    hook: LightspeedEcomHook,
    ledger: Ledger,
    tenant: str,
    candidates: dict[int, dict[str, Any]],
    eligibility: Eligibility,
    forced: bool,
    result: Extracted,
    now: datetime,
) -> None:
    """Decide per candidate whether it needs booking; fetch the full order only when it may.

    ``forced`` (a re-sync by number) ignores what the ledger says and the retry backoff."""
    states = ledger.order_states(tenant, candidates)
    waiting = [s for s in states.values() if not forced and not retry_due(s, now)]
    failed_versions = ledger.attempted_versions(tenant, waiting) if waiting else {}
    for order_id in sorted(candidates):
        if not result.complete:
            return
        summary = candidates[order_id]
        state = states.get(order_id)
        updated_raw = str(summary.get("updatedAt") or "")
        number = str(summary.get("number") or order_id)
        if state and state.status in BOOKED and state.updated_at == updated_raw and not forced:
            result.count("unchanged")
            continue
        if state and state.status == "quarantined" and not forced:
            result.count("quarantined_waiting")
            continue
        if order_id in failed_versions and failed_versions[order_id] == updated_raw:
            result.count("retry_later")  # a known failure, unchanged since: its backoff has not passed
            continue
        booked = bool(
            state and state.afas_order_number and state.status in ("booked", "failed", "quarantined")
        )
        if "status" in summary and _excluded(summary, eligibility, booked):
            _note_ineligible(result, number, summary, eligibility, forced)
            continue
        try:
            raw = hook.get_order(order_id)
        except LightspeedBudgetExhaustedError as exc:
            result.complete = False
            result.stopped_because = str(exc)
            return
        except LightspeedNotFoundError:
            result.count("gone")
            log.warning("Order %s (id %s) vanished from the webshop during the run.", number, order_id)
            result.outcomes.append(OrderOutcome(order_id, number, updated_raw, Action.FAILED, reason="Lightspeed answered 404 for the order through every retry (deleted, or a 404 storm); later runs ask again"))  # fmt: skip
            continue
        if _excluded(raw, eligibility, booked):  # statuses may have moved since the list was read
            _note_ineligible(result, number, raw, eligibility, forced)
            continue
        _classify(raw, state, booked and raw.get("status") == "cancelled", forced, result)


def _excluded(raw: dict[str, Any], eligibility: Eligibility, booked: bool) -> bool:
    """Outside the tenant's filters — except a booked order that was cancelled: its policy applies."""
    status, payment_status = str(raw.get("status") or ""), str(raw.get("paymentStatus") or "")
    if status == "cancelled" and booked:
        return False
    return eligibility.reason_excluded(status, payment_status) is not None


def _note_ineligible(
    result: Extracted, number: str, raw: dict[str, Any], eligibility: Eligibility, forced: bool
) -> None:
    result.count("ineligible")
    if not forced:
        return
    status = str(raw.get("status") or "")
    reason = eligibility.reason_excluded(status, str(raw.get("paymentStatus") or "")) or ""
    kind = "cancelled" if status == "cancelled" else "outside the status filters"
    result.note(number, kind, reason)


def _classify(
    raw: dict[str, Any], state: OrderState | None, cancel: bool, forced: bool, result: Extracted
) -> None:
    order_id, number = int(raw["id"]), str(raw.get("number") or raw["id"])
    try:
        order = parse_order(raw)
    except OrderDataError as exc:
        result.outcomes.append(
            OrderOutcome(
                order_id,
                number,
                str(raw.get("updatedAt") or ""),
                Action.FAILED,
                reason=f"webshop data: {exc}",
            )
        )
        result.count("unreadable")
        return
    content = order.content_hash()
    if state and state.status == "booked" and state.payload_hash == content and not cancel and not forced:
        # Only statuses moved: nothing AFAS holds changes. Remember the new updatedAt so the next
        # overlapping window does not fetch it again.
        result.outcomes.append(
            OrderOutcome(
                order_id,
                number,
                order.updated_at_raw,
                Action.UNCHANGED,
                payload_hash=content,
                afas_order_number=state.afas_order_number,
                debtor_id=state.debtor_id,
                reason="status-only change",
            )
        )
        result.count("unchanged")
        return
    if forced and state and state.status == "booked" and state.payload_hash == content and not cancel:
        intent = "verify"  # booked at this content already: checked in AFAS, written only when missing
    else:
        intent = "cancel" if cancel else ("change" if state and state.afas_order_number else "new")
    result.to_book.append(ToBook.of(order, content, intent))
    result.count(f"to_{intent}")


def retry_candidates(ledger: Ledger, tenant: str, already: set[int], now: datetime) -> list[OrderState]:
    """Failed (not quarantined) orders outside this window whose retry backoff has passed."""
    failed = [
        s
        for s in ledger.orders_with_status(tenant, ["failed"])
        if s.order_id not in already and retry_due(s, now)
    ]
    return failed[:MAX_RETRIES_PER_RUN]


__all__ = [
    "PAGE_SIZE",
    "Eligibility",
    "Extracted",
    "find_by_numbers",
    "retry_candidates",
    "scan_window",
    "select_and_fetch",
]
