"""The bridge between Airflow and the steps of the two record-by-record flows into AFAS (customers,
credit notes): settings, hooks, ledger, XCom, and the end of the run.

Their Lightspeed reads keep ``lightspeed.reserve_for_orders`` of every rate-limit window free, as the
other non-order flows do. A run whose records AFAS refused fails its last task (with what failed),
so the data team sees it; the records are retried by later runs, not by retrying the task. A run with
nothing to book ends in its first step (``end_here``; ``orchestration.idle`` skips the rest).
"""

from __future__ import annotations

import logging
from typing import Any

from lightspeed_afas.domain.vocabulary import CREDIT_NOTE_STEPS, CUSTOMER_STEPS
from lightspeed_afas.flows.record_flow import RecordRead
from lightspeed_afas.flows.request import RunRequest
from lightspeed_afas.hooks.metrics import calls_per_api
from lightspeed_afas.ledger import Ledger
from lightspeed_afas.orchestration.idle import idle_value, summary_if_ended
from lightspeed_afas.orchestration.step_session import StepSession
from lightspeed_afas.orchestration.task_failures import ExpectedTaskFailure

log = logging.getLogger(__name__)

STEPS = {"customers": CUSTOMER_STEPS, "credit_notes": CREDIT_NOTE_STEPS}


class RecordsRefusedError(ExpectedTaskFailure):
    """AFAS (or the data) refused records; later runs try them again."""


def execute_record_step(
    flow: str, step: str, settings: Any, request: RunRequest, ledger: Ledger, upstream: dict[str, Any]
) -> dict[str, Any]:
    """Run one step of ``flow``; ``upstream`` holds the earlier steps' XCom values by task id."""
    if step not in STEPS.get(flow, ()):
        raise ValueError(f"unknown {flow} step {step!r}; the steps are {', '.join(STEPS.get(flow, ()))}")
    ended = summary_if_ended(step, STEPS[flow][0], upstream)
    if ended is not None:
        return ended
    session = StepSession(settings, request, ledger, reserve=settings.reserve_for_orders)
    try:
        if step == STEPS[flow][0]:
            read = _first_step(flow, settings, request, ledger, session)
            read.stats = session.stats.summary()
            if read.nothing_to_book():
                return end_here(flow, settings, request, ledger, session, read)
            return read.to_xcom()
        read = RecordRead.from_xcom(upstream[STEPS[flow][0]])

        def calls() -> dict[str, int]:
            return calls_per_api(
                [read.stats, *(u.get("stats", {}) for u in _later(upstream, flow)), session.stats.summary()]
            )

        summary = _later_step(flow, step, settings, request, ledger, session, read, upstream, calls)
    finally:
        session.close()
    if summary.get("failures") and not request.dry_run and step == STEPS[flow][-1]:
        raise RecordsRefusedError(
            f"{len(summary['failures'])} record(s) failed (listed above and in the ledger: python -m "
            f"lightspeed_afas log {settings.tenant} --flow {flow}). Later runs try them again."
        )
    return summary


def end_here(
    flow: str, settings: Any, request: RunRequest, ledger: Ledger, session: StepSession, read: RecordRead
) -> dict[str, Any]:
    """The end of a run with nothing to book, in its first step: the last step with no record (it
    records the first step's decisions and closes the run; no lease, no AFAS call); returns the first
    step's XCom value with the run summary."""
    nothing = {"transform": {"operations": []}}  # credit notes: transform's value with no operation

    def calls() -> dict[str, int]:
        return calls_per_api([read.stats])

    summary = _later_step(flow, STEPS[flow][-1], settings, request, ledger, session, read, nothing, calls)
    return idle_value(read.to_xcom(), summary, "nothing to book")


def _later(upstream: dict[str, Any], flow: str) -> list[dict[str, Any]]:
    return [v for k, v in upstream.items() if k != STEPS[flow][0] and isinstance(v, dict)]


def _first_step(
    flow: str, settings: Any, request: RunRequest, ledger: Ledger, session: StepSession
) -> RecordRead:
    if flow == "customers":
        from lightspeed_afas.flows.customers import extract_customers

        return extract_customers(settings, request, ledger, session.hooks)
    from lightspeed_afas.flows.credit_notes import extract_credit_notes

    return extract_credit_notes(settings, request, ledger, session.hooks)


def _later_step(
    flow: str,
    step: str,
    settings: Any,
    request: RunRequest,
    ledger: Ledger,
    session: StepSession,
    read: RecordRead,
    upstream: dict[str, Any],
    calls: Any,
) -> dict[str, Any]:
    if flow == "customers":
        from lightspeed_afas.flows.customers import resolve_customer_relations

        return resolve_customer_relations(settings, request, ledger, session.hooks, read, calls)
    from lightspeed_afas.flows.credit_notes import CreditOperation, load_credit_notes, transform_credit_notes

    if step == "transform":
        operations = transform_credit_notes(settings, request, session.hooks, read)
        return {"operations": [op.to_xcom() for op in operations], "stats": session.stats.summary()}
    operations = [CreditOperation.from_xcom(op) for op in upstream["transform"]["operations"]]
    return load_credit_notes(settings, request, ledger, session.hooks, read, operations, calls)
