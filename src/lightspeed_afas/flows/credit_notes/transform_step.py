"""Step 2 of the credit-notes flow, transform: the debtor of each credit note's original order (the
ledger's, else AFAS's order found by its reference) and the exact AFAS credit to insert — or why it
cannot be booked yet (its order is not in AFAS: ``waiting``) or at all (``failed``)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from lightspeed_afas.domain.booking_rules import BookingError
from lightspeed_afas.domain.credit_booking import build_credit_document
from lightspeed_afas.domain.credit_notes import CreditNote
from lightspeed_afas.flows import afas_side
from lightspeed_afas.flows.clients import Hooks
from lightspeed_afas.flows.credit_notes.settings import CreditNoteSyncSettings
from lightspeed_afas.flows.orders.run_report import counts_text
from lightspeed_afas.flows.record_flow import RecordRead
from lightspeed_afas.flows.request import RunRequest

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CreditOperation:
    """What load_to_afas does for one credit note: ``insert`` its payload, or record why not."""

    note_id: int
    number: str
    version: str
    hash: str
    op: str  # insert, wait, fail
    order_id: int | None = None
    order_number: str | None = None
    debtor_id: str | None = None
    connector: str | None = None
    payload: dict[str, Any] | None = None
    reason: str | None = None

    def to_xcom(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_xcom(cls, data: dict[str, Any]) -> CreditOperation:
        return cls(**data)


def transform_credit_notes(
    settings: CreditNoteSyncSettings, request: RunRequest, hooks: Hooks, read: RecordRead
) -> list[CreditOperation]:
    records = read.records
    missing = sorted({r["order_number"] for r in records if not r.get("debtor_id")})
    found = afas_side.find_orders_by_reference(hooks.afas, settings.lookups, missing) if missing else {}
    operations = [_operation(settings, record, found) for record in records]
    counts: dict[str, int] = {}
    for op in operations:
        counts[op.op] = counts.get(op.op, 0) + 1
    log.info("transform: %s", counts_text(counts, "no credit note to book"))
    if request.dry_run:
        for op in operations:
            log.info("DRY RUN %s %s %s: %s", op.op, op.number, op.connector or "", op.payload or op.reason)
    return operations


def _operation(
    settings: CreditNoteSyncSettings, record: dict[str, Any], found: dict[str, list[afas_side.AfasOrder]]
) -> CreditOperation:
    note = CreditNote.from_json(record["note"])
    order_number = record["order_number"]
    base = CreditOperation(
        note.id, note.number, note.updated_at_raw, record["hash"], "fail", note.order_id, order_number
    )
    debtor = record.get("debtor_id")
    if not debtor:
        matches = found.get(order_number, [])
        if len(matches) > 1:
            return _with(base, reason=f"AFAS holds {len(matches)} orders with reference {order_number}")
        if not matches:
            return _with(
                base,
                op="wait",
                reason=f"its order {order_number} is not in AFAS yet; booked once the order is",
            )
        if not matches[0].debtor_id:
            return _with(
                base,
                reason=f"AFAS's order {matches[0].order_number} (reference {order_number}) shows no debtor "
                f"in {settings.lookups.order_connector}.{settings.lookups.order_debtor_field}; check that "
                "the GetConnector has that field",
            )
        debtor = matches[0].debtor_id
    try:
        document = build_credit_document(
            note, debtor, order_number, settings.rules, settings.credit, record.get("invoice_number")
        )
    except BookingError as exc:
        return _with(base, reason=str(exc), debtor_id=debtor)
    return _with(
        base,
        op="insert",
        connector=settings.rules.connector,
        payload=document.insert_payload(),
        debtor_id=debtor,
    )


def _with(base: CreditOperation, **changes: Any) -> CreditOperation:
    return CreditOperation(**{**base.__dict__, **changes})
