"""Step 3 of the credit-notes flow, load_to_afas: insert each credit once, under the tenant's write lease;
record every outcome in the ledger; close the run.

Once means: the credit note's number is AFAS's reference (``RfCs``), looked up again under the lease just
before inserting (a retried task or an overlapping run may have booked it), and looked up after a write
that got no answer instead of sending it again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from lightspeed_afas.afas import lookups as afas_lookups
from lightspeed_afas.afas.reasons import with_sent_values
from lightspeed_afas.flows import afas_side
from lightspeed_afas.flows.clients import Hooks
from lightspeed_afas.flows.credit_notes.settings import FLOW, CreditNoteSyncSettings
from lightspeed_afas.flows.credit_notes.transform_step import CreditOperation
from lightspeed_afas.flows.orders.lease import take_lease
from lightspeed_afas.flows.record_flow import RecordRead, finish_record_run
from lightspeed_afas.flows.request import RunRequest
from lightspeed_afas.hooks.detail import for_order
from lightspeed_afas.hooks.errors import AfasAmbiguousWriteError, AfasValidationError, without_values
from lightspeed_afas.ledger import Ledger
from lightspeed_afas.ledger.flow_items import ItemOutcome

log = logging.getLogger(__name__)


def load_credit_notes(
    settings: CreditNoteSyncSettings,
    request: RunRequest,
    ledger: Ledger,
    hooks: Hooks,
    read: RecordRead,
    operations: list[CreditOperation],
    calls: Callable[[], dict[str, int]],
) -> dict[str, Any]:
    decided = list(read.decided)
    if request.dry_run:
        planned = decided + [
            _outcome(op, "created" if op.op == "insert" else _RECORDED[op.op]) for op in operations
        ]
        log.info("DRY RUN: nothing was written to AFAS or the ledger; the payloads are in transform's log.")
        return finish_record_run(ledger, settings.tenant, FLOW, request, read, planned, calls())
    hooks.afas.keep_waits_in_worker()  # the ledger is written from here: a re-run would record twice
    stored = ledger.record_items(
        settings.tenant, FLOW, request.run_id, decided, settings.max_attempts, at=settings.clock()
    )
    inserts = [op for op in operations if op.op == "insert"]
    if inserts:
        take_lease(ledger, settings.tenant, request.run_id)
    try:
        already = afas_side.find_orders_by_reference(
            hooks.afas, settings.lookups, [op.number for op in inserts]
        )

        def run(op: CreditOperation) -> ItemOutcome:
            with for_order(op.number):
                outcome = _apply(settings, hooks, op, already.get(op.number, []))
            return ledger.record_items(
                settings.tenant, FLOW, request.run_id, [outcome], settings.max_attempts, at=settings.clock()
            )[0]

        with ThreadPoolExecutor(max_workers=max(1, settings.max_parallel_calls)) as pool:
            stored += list(pool.map(run, operations))
    finally:
        if inserts:
            ledger.release_lease(settings.tenant, request.run_id)
    return finish_record_run(ledger, settings.tenant, FLOW, request, read, stored, calls())


_RECORDED = {"wait": "waiting", "fail": "failed"}


def _outcome(op: CreditOperation, action: str, **changes: Any) -> ItemOutcome:
    values = {
        "version": op.version,
        "number": op.number,
        "payload_hash": op.hash,
        "debtor_id": op.debtor_id,
        "order_id": op.order_id,
        "order_number": op.order_number,
        "reason": op.reason,
    }
    values.update(changes)
    return ItemOutcome(op.note_id, action, **values)


def _apply(
    settings: CreditNoteSyncSettings, hooks: Hooks, op: CreditOperation, in_afas: list[afas_side.AfasOrder]
) -> ItemOutcome:
    if op.op != "insert":
        return _outcome(op, _RECORDED[op.op])
    if in_afas:
        return _outcome(
            op,
            "linked",
            afas_id=in_afas[0].order_number,
            reason="already in AFAS (found by reference before inserting)",
        )
    try:
        keys = hooks.afas.insert(op.connector or settings.rules.connector, op.payload or {})
    except AfasValidationError as exc:
        reason = f"AFAS: {with_sent_values(without_values(exc.external_message), op.payload or {})}"
        return _outcome(op, "failed", reason=reason)
    except AfasAmbiguousWriteError:
        found = afas_side.find_orders_by_reference(hooks.afas, settings.lookups, [op.number]).get(
            op.number, []
        )
        if found:
            return _outcome(
                op, "created", afas_id=found[0].order_number, reason="write got no answer; found by reference"
            )
        return _outcome(
            op,
            "failed",
            reason="AFAS gave no answer to the insert and it could not be confirmed; the next run looks it up again",
        )
    number = str(keys.get(afas_lookups.ORDER_NUMBER_KEY) or "") or None
    return _outcome(
        op, "created", afas_id=number, reason=f"booked as AFAS credit {number or '(no number returned)'}"
    )
