"""Step 4, load_to_afas: write every operation to AFAS under the tenant's lease and record each outcome
in the ledger as it lands; a dry run writes nothing and says what a real run would do."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

from lightspeed_afas.afas import lookups as afas_lookups
from lightspeed_afas.afas.reasons import with_sent_values
from lightspeed_afas.domain.vocabulary import WRITES, Action, Operation
from lightspeed_afas.flows import afas_side
from lightspeed_afas.flows.clients import Hooks
from lightspeed_afas.flows.orders.lease import take_lease
from lightspeed_afas.flows.orders.results import Extracted, OrderOperation, Transformed
from lightspeed_afas.flows.orders.run_report import counts_text
from lightspeed_afas.flows.orders.settings import SyncSettings
from lightspeed_afas.flows.orders.unbooked import holds_after_run
from lightspeed_afas.flows.request import RunRequest
from lightspeed_afas.hooks.detail import for_order
from lightspeed_afas.hooks.errors import AfasAmbiguousWriteError, AfasValidationError, without_values
from lightspeed_afas.ledger import Ledger, OrderOutcome
from lightspeed_afas.tables import text_table

log = logging.getLogger(__name__)

DRY_RUN_WHERE = (
    "The exact AFAS payloads are in this run's log of the task transform (lines 'DRY RUN insert|update|"
    "delete <order> <connector>: <payload>'); relations it would create are in the log of the task "
    "resolve_relations ('DRY RUN would create'). Run it without dry_run to book."
)
RECORDED = {  # what an operation that sends nothing records
    Operation.FAIL: Action.FAILED,
    Operation.SKIP: Action.SKIPPED,
    Operation.SETTLED: Action.UNCHANGED,
    Operation.UNCHANGED: Action.UNCHANGED,
}


def load_to_afas(
    settings: SyncSettings,
    request: RunRequest,
    ledger: Ledger,
    hooks: Hooks,
    extracted: Extracted,
    transformed: Transformed,
) -> list[OrderOutcome]:
    """Write every operation, record each outcome as it lands; returns the outcomes as stored.

    A dry run writes nothing, to AFAS or to the ledger's order state, and returns extract's outcomes
    unrecorded."""
    decided = list(extracted.outcomes)
    operations = transformed.operations
    if request.dry_run:
        log_dry_run(transformed, decided)
        return decided
    # The ledger is written from here on: a wait for AFAS stays in the worker (a re-run of this step
    # would record extract's decisions twice). Waits for AFAS defer in resolve_relations, which met it first.
    hooks.afas.keep_waits_in_worker()
    stored = ledger.record(
        settings.tenant, request.run_id, decided, settings.max_attempts, at=settings.clock()
    )
    if any(op.op in WRITES for op in operations):
        take_lease(ledger, settings.tenant, request.run_id)
        operations = _recheck_inserts(settings, hooks, operations)

    def run(op: OrderOperation) -> OrderOutcome:
        with for_order(op.number):
            outcome = _apply(settings, hooks, op)
        return ledger.record(
            settings.tenant, request.run_id, [outcome], settings.max_attempts, at=settings.clock()
        )[0]

    with ThreadPoolExecutor(max_workers=max(1, settings.max_parallel_calls)) as pool:
        stored += list(pool.map(run, operations))
    if settings.hold_unbooked:
        ledger.hold_unbooked(settings.tenant, holds_after_run(extracted, stored, settings.rules))
    return stored


def log_dry_run(transformed: Transformed, decided: list[OrderOutcome]) -> None:
    """Say that this was a dry run, what a real run would do, and where its payloads are."""
    rows: list[tuple[str, ...]] = [
        (op.number, op.op, op.connector or "-", op.afas_order_number or "-", (op.reason or "")[:80])
        for op in transformed.operations
    ]
    rows += [(o.order_number, o.action, "-", "-", (o.reason or "")[:80]) for o in decided]
    table = text_table(("order", "would", "connector", "AFAS order", "reason"), rows)
    log.info(
        "DRY RUN: nothing was written to AFAS or the ledger. A real run would do: %s.\n%s\n%s",
        counts_text(transformed.counts(), "nothing (no order needs booking)"),
        DRY_RUN_WHERE,
        table if rows else "(no orders in this run)",
    )


def _recheck_inserts(
    settings: SyncSettings, hooks: Hooks, operations: list[OrderOperation]
) -> list[OrderOperation]:
    """Look the inserts up by reference once more under the lease: a retried task or an overlapping run
    may have booked them since resolve_relations looked. Those become ``exists``."""
    numbers = [op.number for op in operations if op.op == Operation.INSERT]
    if not numbers:
        return operations
    found = afas_side.find_orders_by_reference(hooks.afas, settings.lookups, numbers)

    def rechecked(op: OrderOperation) -> OrderOperation:
        matches = found.get(op.number) if op.op == Operation.INSERT else None
        if not matches:
            return op
        return replace(
            op, op=Operation.EXISTS, afas_order_number=matches[0].order_number, debtor_id=matches[0].debtor_id
        )

    return [rechecked(op) for op in operations]


def _apply(settings: SyncSettings, hooks: Hooks, op: OrderOperation) -> OrderOutcome:
    def outcome(action: Action, **kw: Any) -> OrderOutcome:
        values = {
            "payload_hash": op.hash,
            "afas_order_number": op.afas_order_number,
            "debtor_id": op.debtor_id,
            "reason": op.reason,
        }
        values.update(kw)
        return OrderOutcome(op.order_id, op.number, op.updated_at, action, **values)

    if op.op in RECORDED:
        return outcome(RECORDED[op.op])
    if op.op == Operation.EXISTS:
        return outcome(Action.CREATED, reason="already in AFAS (found by reference before inserting)")
    try:
        if op.op == Operation.INSERT:
            keys = hooks.afas.insert(op.connector, op.payload)
            return outcome(
                Action.CREATED, afas_order_number=str(keys.get(afas_lookups.ORDER_NUMBER_KEY) or "") or None
            )
        if op.op == Operation.UPDATE:
            hooks.afas.update(op.connector, op.payload)
            return outcome(Action.UPDATED)
        if op.op == Operation.DELETE:
            hooks.afas.delete(op.connector, afas_lookups.ORDER_NUMBER_KEY, op.afas_order_number)
            return outcome(Action.DELETED, reason="cancelled in the webshop; deleted the open AFAS order")
    except AfasValidationError as exc:
        return outcome(
            Action.FAILED,
            reason=f"AFAS: {with_sent_values(without_values(exc.external_message), op.payload)}",
            profit_log_reference=exc.profit_log_reference,
        )
    except AfasAmbiguousWriteError:
        return _after_ambiguous_write(settings, hooks, op, outcome)
    raise ValueError(f"unknown operation {op.op!r}")


def _after_ambiguous_write(
    settings: SyncSettings, hooks: Hooks, op: OrderOperation, outcome: Any
) -> OrderOutcome:
    """No answer came: look the order up by reference before anything else; never write again blindly."""
    found = afas_side.find_orders_by_reference(hooks.afas, settings.lookups, [op.number]).get(op.number, [])
    if op.op == Operation.INSERT and found:
        return outcome(
            Action.CREATED,
            afas_order_number=found[0].order_number,
            reason="write got no answer; found by reference",
        )
    return outcome(
        Action.FAILED,
        reason=f"AFAS gave no answer to the {op.op} and it could not be confirmed; the next run looks it up again",
    )
