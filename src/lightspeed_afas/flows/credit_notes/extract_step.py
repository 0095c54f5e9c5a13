"""Step 1 of the credit-notes flow, extract_credit_notes: open the run's ledger row, read the invoices of
the window, keep the credit notes not booked yet (and the ones that failed or waited before), and read
each one's items and its original order's number.

The invoice list's filters and page order are uncertain (``hooks.lightspeed_sales``): rows are checked
against the window here, and when the shop ignores the filter (rows outside the window) and pages come
newest first, reading stops at the first full page that lies wholly before the window.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from lightspeed_afas.domain.credit_notes import CreditNoteError, is_credit_note, parse_credit_note
from lightspeed_afas.domain.lightspeed_values import OrderDataError, identifier, resource_id, timestamp
from lightspeed_afas.flows.clients import Hooks
from lightspeed_afas.flows.credit_notes.settings import FLOW, CreditNoteSyncSettings
from lightspeed_afas.flows.orders.extract import BOOKED
from lightspeed_afas.flows.orders.run_report import counts_text
from lightspeed_afas.flows.record_flow import RecordRead, open_read
from lightspeed_afas.flows.request import RunRequest
from lightspeed_afas.hooks.errors import LightspeedBudgetExhaustedError, LightspeedNotFoundError
from lightspeed_afas.hooks.lightspeed_sales import PAGE
from lightspeed_afas.ledger import Ledger
from lightspeed_afas.ledger.flow_items import DONE, ItemOutcome

log = logging.getLogger(__name__)

RETRIED_PER_RUN = 50  # failed or waiting credit notes outside the window re-read by id per run


def extract_credit_notes(
    settings: CreditNoteSyncSettings, request: RunRequest, ledger: Ledger, hooks: Hooks
) -> RecordRead:
    read, start, end = open_read(
        ledger, settings.tenant, FLOW, request, settings.start_date, settings.overlap, "credit notes"
    )
    try:
        notes = _credit_notes_in_window(hooks, start, end, read)
        notes.update(_to_retry(settings, ledger, hooks, set(notes), read))
        done = ledger.item_states(settings.tenant, FLOW, notes)
        for note_id, raw in sorted(notes.items()):
            state = done.get(note_id)
            if state is not None and state.status in DONE:
                read.count("already booked")
                continue
            if state is not None and state.status == "quarantined" and state.version == raw.get("updatedAt"):
                read.count("quarantined")  # until it changes in the shop
                continue
            _read_note(settings, ledger, hooks, raw, read)
    except LightspeedBudgetExhaustedError as exc:
        read.complete, read.stopped_because = False, str(exc)
        log.warning("Reading credit notes stopped early: %s", exc)
    log.info("extract_credit_notes: %s", counts_text(read.counts, "no credit note in the window"))
    return read


def _credit_notes_in_window(
    hooks: Hooks, start: datetime, end: datetime, read: RecordRead
) -> dict[int, dict[str, Any]]:
    found: dict[int, dict[str, Any]] = {}
    ignored_filter = False
    for page in hooks.lightspeed.iter_invoice_pages(start, end):
        moments = [_updated(row) for row in page]
        inside = [m is not None and start <= m <= end for m in moments]
        ignored_filter = ignored_filter or not all(inside)
        for row, keep in zip(page, inside, strict=True):
            if keep and is_credit_note(row) and isinstance(row.get("id"), int):
                found[row["id"]] = row
        read.count("invoices read", len(page))
        ids = [row.get("id") for row in page if isinstance(row.get("id"), int)]
        newest_first = ids == sorted(ids, reverse=True)
        if ignored_filter and newest_first and len(page) == PAGE and all(m and m < start for m in moments):
            log.info(
                "The shop ignores the invoices' date filter; stopped at the first page before the window."
            )
            break
    read.count("credit notes in window", len(found))
    return found


def _updated(row: dict[str, Any]) -> datetime | None:
    try:
        return timestamp(row.get("updatedAt"), "updatedAt")
    except OrderDataError:
        return None


def _to_retry(
    settings: CreditNoteSyncSettings, ledger: Ledger, hooks: Hooks, seen: set[int], read: RecordRead
) -> dict[int, dict[str, Any]]:
    again: dict[int, dict[str, Any]] = {}
    for state in ledger.items_to_retry(settings.tenant, FLOW, limit=RETRIED_PER_RUN):
        if state.item_id in seen:
            continue
        try:
            again[state.item_id] = hooks.lightspeed.get_invoice(state.item_id)
            read.count("retrying")
        except LightspeedNotFoundError:
            read.decided.append(
                ItemOutcome(state.item_id, "skipped", number=state.number, reason="no longer in the shop")
            )
    return again


def _read_note(
    settings: CreditNoteSyncSettings, ledger: Ledger, hooks: Hooks, raw: dict[str, Any], read: RecordRead
) -> None:
    """The credit note's items and its order's number and debtor (the ledger's, else the shop's number)."""
    note_id, number = raw["id"], str(raw.get("number") or raw["id"])
    try:
        note = parse_credit_note(raw, hooks.lightspeed.get_invoice_items(note_id))
        if note.order_id is None:
            raise CreditNoteError("the credit note names no order, so its debtor cannot be known")
        order_number, debtor = _order_of(settings, ledger, hooks, note.order_id, read)
        invoice_number = None
        if settings.credit.invoice_reference == "original_invoice" and note.invoice_id:
            invoice_number = str(hooks.lightspeed.get_invoice(note.invoice_id).get("number") or "") or None
    except (OrderDataError, CreditNoteError) as exc:
        version = str(raw.get("updatedAt") or "")
        order_id = resource_id(raw.get("order"))
        read.decided.append(
            ItemOutcome(note_id, "failed", version=version, number=number, order_id=order_id, reason=str(exc))
        )
        return
    except LightspeedNotFoundError as exc:
        read.decided.append(
            ItemOutcome(note_id, "failed", number=number, reason=f"not found in the shop: {exc}")
        )
        return
    read.records.append(
        {
            "note": note.to_json(),
            "hash": note.content_hash(),
            "order_number": order_number,
            "debtor_id": debtor,
            "invoice_number": invoice_number,
        }
    )
    read.count("to book")


def _order_of(
    settings: CreditNoteSyncSettings, ledger: Ledger, hooks: Hooks, order_id: int, read: RecordRead
) -> tuple[str, str | None]:
    """The original order's number and, when the ledger booked it, its debtor; an order the ledger lacks
    is read from the shop once per run, however many of its credit notes the run has."""
    state = ledger.order_states(settings.tenant, [order_id]).get(order_id)
    if state is not None and state.order_number:
        return state.order_number, state.debtor_id if state.status in BOOKED else None
    if order_id not in read.order_numbers:
        order = hooks.lightspeed.get_order(identifier(order_id, "order"))
        read.order_numbers[order_id] = str(order.get("number") or order_id)
    return read.order_numbers[order_id], None
