"""What ``log --flow customers`` and ``log --flow credit_notes`` print: the flow's runs, what one run did to
each record (its attempts), and the records not in AFAS now (failed, waiting, quarantined) with their
reasons; as a table or as JSON. One module for both record-by-record flows (``ledger.flow_items``).

Numbers and ids only: a customer is its Lightspeed id and its AFAS debtor number; a credit note its id,
its number, its original order's number and the AFAS document it became (the ledger holds no names or
e-mail addresses).
"""

from __future__ import annotations

import argparse
from collections import Counter
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from lightspeed_afas.cli.log_source import say
from lightspeed_afas.cli.log_views import _after, _cut, _header, _print_json, _when
from lightspeed_afas.config.dag_ids import flow_dag_id
from lightspeed_afas.tables import text_table

RUNS_SHOWN = 10  # runs above the attempts (--runs lists --limit of them)
OPEN = ("quarantined", "failed", "waiting")  # listed in this order, newest first within each
# Per flow: the run counts in the runs table, what a record is called, and the AFAS number's name.
RUN_COUNTS = {
    "customers": ("created", "linked", "failed", "quarantined", "skipped"),
    "credit_notes": ("created", "linked", "waiting", "failed", "quarantined", "skipped"),
}
RECORD = {"customers": "customer", "credit_notes": "credit note"}
AFAS_NUMBER = {"customers": "debtor", "credit_notes": "AFAS document"}


def _what(flow: str) -> str:
    return flow.replace("_", "-")


def _run_row(r: dict[str, Any], flow: str, zone: ZoneInfo, wide: bool) -> tuple[str, ...]:
    counts, calls = r.get("counts") or {}, r.get("calls") or {}
    return (
        _when(r["started_at"], zone),
        r["run_id"],
        r["mode"],
        r["outcome"],
        *(str(counts.get(key, 0)) for key in RUN_COUNTS[flow]),
        f"LS {calls.get('lightspeed', 0)} / AFAS {calls.get('afas', 0)}",
        _cut(r.get("message"), wide),
    )


def _record(flow: str, item_id: int, number: str | None, order_number: str | None) -> tuple[str, ...]:
    """The record's identity cells: a customer's id; a credit note's number, id and order."""
    if flow == "customers":
        return (str(item_id),)
    return (number or "-", str(item_id), order_number or "-")


def _record_head(flow: str) -> tuple[str, ...]:
    return ("customer",) if flow == "customers" else ("credit note", "id", "order")


def _attempts(ledger: Any, args: argparse.Namespace, zone: ZoneInfo, run_id: str) -> None:
    flow = args.flow
    attempts = ledger.item_attempts(args.tenant, flow, run_id=run_id, limit=args.limit + 1)
    if not attempts:
        print(f"Run {run_id} recorded no {RECORD[flow]} (a dry run, or nothing new in its window).")
        return
    shown = attempts[: args.limit]
    orders = {}
    if flow == "credit_notes":  # the attempt has no order number; the record's state has it
        states = ledger.item_states(args.tenant, flow, {a["item_id"] for a in shown})
        orders = {item_id: s.order_number for item_id, s in states.items()}
    cells = [
        (
            _when(a["at"], zone),
            *_record(flow, a["item_id"], a["number"], orders.get(a["item_id"])),
            a["action"],
            a["afas_id"] or "-",
            _cut(a["reason"], args.wide),
        )
        for a in shown
    ]
    header = (_header("time", zone), *_record_head(flow), "action", AFAS_NUMBER[flow], "reason")
    print(text_table(header, cells, rule=True))
    actions = Counter(a["action"] for a in shown)
    more = f"; more than {args.limit}: raise --limit" if len(attempts) > args.limit else ""
    print(
        f"{len(shown)} {RECORD[flow]}(s) of run {run_id} "
        f"({', '.join(f'{k} {n}' for k, n in sorted(actions.items()))}), newest first{more}."
    )


def _known_run(ledger: Any, args: argparse.Namespace, runs: list[dict[str, Any]]) -> bool:
    """Whether ``--run`` is one of the runs read, or recorded an attempt (an older run)."""
    return args.run_id in {r["run_id"] for r in runs} or bool(
        ledger.item_attempts(args.tenant, args.flow, run_id=args.run_id, limit=1)
    )


def records(ledger: Any, args: argparse.Namespace, zone: ZoneInfo, since: datetime | None, times: str) -> int:
    """``--flow customers|credit_notes``: the flow's runs and the attempts of ``--run`` (or the newest
    run); ``--runs`` only the runs; ``--open`` the records failing, waiting or quarantined now."""
    if args.open:
        return open_records(ledger, args, zone, times)
    flow, what = args.flow, _what(args.flow)
    runs = ledger.flow_runs(args.tenant, flow, limit=args.limit)
    found = [r for r in runs if since is None or _after(r["started_at"], since)]
    shown = found if args.runs else found[:RUNS_SHOWN]
    run_id = args.run_id or (found[0]["run_id"] if found else None)
    if args.run_id and not _known_run(ledger, args, runs):
        say(
            f"No {what} run {args.run_id!r} for tenant {args.tenant!r} (not among its last {args.limit} "
            f"runs, and no attempt of it is recorded)."
        )
        return 1
    if args.json:
        attempts = (
            [] if args.runs or not run_id else ledger.item_attempts(args.tenant, flow, run_id, args.limit)
        )
        _print_json(shown if args.runs else {"runs": shown, "run_id": run_id, "attempts": attempts})
        return 0
    if not shown and not args.run_id:
        print(f"No {what} runs{' match' if since else ''} for {args.tenant}.")
        return 0
    if shown:
        header = (_header("started", zone), "run", "mode", "outcome")
        header += (*(key.replace("_", " ") for key in RUN_COUNTS[flow]), "calls", "message")
        print(text_table(header, [_run_row(r, flow, zone, args.wide) for r in shown], rule=True))
        more = "" if args.runs or len(found) <= len(shown) else " (--runs for more)"
        print(f"{len(shown)} {what} run(s), newest first{more}; {times}.")
    if run_id and not args.runs:
        print()
        _attempts(ledger, args, zone, run_id)
    return 0


# -- --open ------------------------------------------------------------------------------------------------


def _open_states(ledger: Any, tenant: str, flow: str, limit: int) -> list[Any]:
    """Up to ``limit`` open records: quarantined, then failed, then waiting; newest first within each."""
    found: list[Any] = []
    for status in OPEN:
        if len(found) < limit:
            found += ledger.items(tenant, flow, (status,), limit - len(found))
    return found


def _next_step(flow: str, tenant: str) -> str:
    waiting = (
        " A waiting credit note's order is not in AFAS yet; every run looks again."
        if flow != "customers"
        else ""
    )
    return (
        f"A failed {RECORD[flow]} is tried again by every run, until it has failed max_attempts times and is "
        f"quarantined; a quarantined one waits: fix the cause, then change it in Lightspeed or trigger "
        f"{flow_dag_id(tenant, flow)} with since/until over its time.{waiting}"
    )


def open_records(ledger: Any, args: argparse.Namespace, zone: ZoneInfo, times: str) -> int:
    """The records not in AFAS now, with their reasons and how often they failed."""
    flow = args.flow
    counts = ledger.item_counts(args.tenant, flow)
    total = sum(counts.get(status, 0) for status in OPEN)
    states = _open_states(ledger, args.tenant, flow, args.limit)
    if args.json:
        _print_json({"counts": counts, "open": [s.__dict__ for s in states]})
        return 0
    if not total:
        print(
            f"No {RECORD[flow]} is failing, waiting or quarantined: all {sum(counts.values())} in the ledger "
            "are in AFAS, or have nothing to book."
        )
        return 0
    cells = [
        (
            *_record(flow, s.item_id, s.number, s.order_number),
            s.status,
            str(s.failures),
            _when(s.changed_at, zone),
            s.debtor_id or "-",
            _cut(s.reason, args.wide),
        )
        for s in states
    ]
    header = (*_record_head(flow), "status", "failures", _header("changed", zone), "debtor", "reason")
    print(text_table(header, cells, rule=True))
    found = ", ".join(f"{status} {counts[status]}" for status in OPEN if counts.get(status))
    more = f"; {total - len(cells)} more: raise --limit" if total > len(cells) else ""
    print(f"{total} of {sum(counts.values())} {RECORD[flow]}(s) not in AFAS ({found}){more}; {times}.")
    print(_next_step(flow, args.tenant))
    return 0
