"""What the dashboard's Customers and Credit notes sections show, from the ledger (read only): the flow's
last runs (outcome, counts, calls), its records by status, the records failing, waiting or quarantined
now with their reasons, and the records booked lately. One view for both record-by-record flows
(``ledger.flow_items``), ``flow`` saying which.

Numbers and ids only: a customer is its Lightspeed id and its AFAS debtor number; a credit note its id,
its number, its original order's number, its debtor and the AFAS document it became
(``ledger.schema_flow_items`` holds no names or e-mail addresses). Times are ISO 8601 strings (UTC), as
in the rest of the dashboard's data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from lightspeed_afas.config.dag_ids import flow_dag_id
from lightspeed_afas.ledger.clock import iso
from lightspeed_afas.ledger.flow_items import DONE, STATUSES, FlowItemLog, ItemState
from lightspeed_afas.ledger.flow_runs import FlowRunLog

FLOWS = ("customers", "credit_notes")  # the flows that book Lightspeed records into AFAS one by one
OPEN = ("quarantined", "failed", "waiting")  # not in AFAS now; listed in this order, newest first within
SHOWN_RUNS = 10
SHOWN_OPEN = 50  # open records on the page; the CLI lists them all
SHOWN_BOOKED = 20


class RecordReader(FlowRunLog, FlowItemLog):
    """The ledger's flow-run and flow-item reads over one engine (the dashboard calls only the reads)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine


def run_view(row: Mapping[str, Any]) -> dict[str, Any]:
    """A ``flow_run`` row as the dashboard shows it (any flow beside orders): times in ISO, counts as ints."""
    return {
        "run_id": row["run_id"],
        "mode": row["mode"],
        "outcome": row["outcome"],
        "started_at": iso(row["started_at"]),
        "finished_at": iso(row["finished_at"]),
        "duration_s": row["duration_s"],
        "counts": {str(k): int(v or 0) for k, v in (row["counts"] or {}).items()},
        "calls": dict(row["calls"] or {}),
        "message": row["message"],
    }


def record(state: ItemState) -> dict[str, Any]:
    """One record's state: its ids and numbers, status, failures and reason (no payload hash, no version)."""
    return {
        "item_id": state.item_id,
        "number": state.number,
        "status": state.status,
        "afas_id": state.afas_id,
        "debtor_id": state.debtor_id,
        "order_id": state.order_id,
        "order_number": state.order_number,
        "reason": state.reason,
        "failures": state.failures,
        "changed_at": iso(state.changed_at),
    }


def open_records(reader: FlowItemLog, tenant: str, flow: str, shown: int = SHOWN_OPEN) -> list[ItemState]:
    """The first ``shown`` records not in AFAS now: quarantined, then failed, then waiting; newest first
    within each (one read per status, so many waiting ones never hide a quarantined one)."""
    found: list[ItemState] = []
    for status in OPEN:
        if len(found) < shown:
            found += reader.items(tenant, flow, (status,), shown - len(found))
    return found


def record_view(engine: sa.Engine, tenant: str, flow: str) -> dict[str, Any]:
    """The section of one record flow of one tenant: its runs, its records by status, the open ones and
    the ones booked lately."""
    if flow not in FLOWS:
        raise ValueError(f"{flow!r} is not a record flow ({', '.join(FLOWS)})")
    reader = RecordReader(engine)
    runs = [run_view(r) for r in reader.flow_runs(tenant, flow, SHOWN_RUNS)]
    counts = reader.item_counts(tenant, flow)
    return {
        "tenant": tenant,
        "flow": flow,
        "dag_id": flow_dag_id(tenant, flow),
        "last_run": runs[0] if runs else None,
        "runs": runs,
        "items": {status: counts.get(status, 0) for status in STATUSES} | counts,
        "items_total": sum(counts.values()),
        "open": [record(s) for s in open_records(reader, tenant, flow)],
        "open_total": sum(counts.get(status, 0) for status in OPEN),
        "booked": [record(s) for s in reader.items(tenant, flow, DONE, SHOWN_BOOKED)],
        "booked_total": sum(counts.get(status, 0) for status in DONE),
    }
