"""Step 3, transform: one operation per order (insert, update, delete, skip, …) with its exact AFAS
payload. It reads the two earlier steps' results and calls nothing."""

from __future__ import annotations

import logging
from dataclasses import replace

from lightspeed_afas.domain.booking import BookingError, build_document
from lightspeed_afas.domain.vocabulary import Operation
from lightspeed_afas.domain.webshop_order import WebshopOrder
from lightspeed_afas.flows.afas_side import AfasOrder
from lightspeed_afas.flows.orders.results import Extracted, OrderOperation, Resolved, ToBook, Transformed
from lightspeed_afas.flows.orders.run_report import counts_text
from lightspeed_afas.flows.orders.settings import SyncSettings
from lightspeed_afas.flows.request import RunRequest

log = logging.getLogger(__name__)


def transform(
    settings: SyncSettings, request: RunRequest, extracted: Extracted, resolved: Resolved
) -> Transformed:
    """One operation per order: insert, update, delete or skip, with its exact AFAS payload."""
    result = Transformed([_planned(settings, item, resolved) for item in extracted.to_book])
    log.info("transform: %s", counts_text(result.counts(), "nothing to book"))
    if request.dry_run:
        for op in result.operations:
            log.info("DRY RUN %s %s %s: %s", op.op, op.number, op.connector or "", op.payload or op.reason)
    return result


def _planned(settings: SyncSettings, item: ToBook, resolved: Resolved) -> OrderOperation:
    order = item.order
    key = str(order.id)
    failed = OrderOperation(order.id, order.number, order.updated_at_raw, item.hash, Operation.FAIL)
    if key in resolved.failures:
        return replace(failed, reason=resolved.failures[key])
    if key in resolved.settled:
        settled = resolved.settled[key]
        return _in_afas(
            failed, settled.afas_order_number, settled.debtor_id, Operation.SETTLED, settled.reason
        )
    existing = resolved.afas_orders.get(key)
    if existing is None:
        return _for_new(settings, order, resolved.debtors.get(key), failed)
    if item.intent == "verify":
        # A re-sync of an order booked at this very content, and AFAS still holds it: nothing to send.
        why = f"already booked as AFAS order {existing.order_number}, unchanged since; nothing sent"
        return _in_afas(failed, existing.order_number, existing.debtor_id, Operation.UNCHANGED, why)
    return _for_existing(
        settings, order, existing, _in_afas(failed, existing.order_number, existing.debtor_id)
    )


def _in_afas(
    base: OrderOperation,
    afas_order: str | None,
    debtor: str | None,
    op: Operation = Operation.FAIL,
    reason: str | None = None,
) -> OrderOperation:
    """``base`` as an operation on an order AFAS holds (or an overlapping run booked)."""
    return replace(base, op=op, reason=reason, afas_order_number=afas_order, debtor_id=debtor, in_afas=True)


def _for_existing(
    settings: SyncSettings, order: WebshopOrder, existing: AfasOrder, failed: OrderOperation
) -> OrderOperation:
    """An order AFAS already holds: update it, delete it (cancelled and still open), or leave it."""
    rules = settings.rules
    if order.status == "cancelled":
        if settings.cancelled_orders == "delete_if_open" and not _processed(settings, existing):
            return replace(failed, op=Operation.DELETE, connector=rules.connector)
        why = (
            "AFAS already processed it"
            if settings.cancelled_orders == "delete_if_open"
            else "policy is ignore"
        )
        return replace(failed, op=Operation.SKIP, reason=f"cancelled in the webshop; left in AFAS ({why})")
    if rules.document == "direct_invoice":
        return replace(
            failed, op=Operation.SKIP, reason="already invoiced in AFAS (direct invoices are final)"
        )
    if _processed(settings, existing):
        why = f"AFAS already processed it (status {existing.status!r}); AFAS is leading"
        return replace(failed, op=Operation.SKIP, reason=why)
    try:
        document = build_document(order, existing.debtor_id or "", rules)
    except BookingError as exc:
        return replace(failed, reason=str(exc))
    payload = document.update_payload(existing.order_number, existing.line_guids)
    return replace(failed, op=Operation.UPDATE, connector=rules.connector, payload=payload)


def _for_new(
    settings: SyncSettings, order: WebshopOrder, debtor: str | None, failed: OrderOperation
) -> OrderOperation:
    """An order AFAS does not hold: insert it with its debtor, or say why not."""
    if order.status == "cancelled":
        return replace(failed, op=Operation.SKIP, reason="cancelled in the webshop and not in AFAS")
    if debtor is None:
        return replace(failed, reason="no debtor was resolved for the order")
    try:
        document = build_document(order, debtor, settings.rules)
    except BookingError as exc:
        return replace(failed, reason=str(exc), debtor_id=debtor)
    payload = document.insert_payload()
    return replace(
        failed, op=Operation.INSERT, connector=settings.rules.connector, payload=payload, debtor_id=debtor
    )


def _processed(settings: SyncSettings, existing: AfasOrder) -> bool:
    status = (existing.status or "").strip().lower()
    return status in {s.lower() for s in settings.processed_statuses}
