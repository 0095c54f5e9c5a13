"""What ``log <tenant> --webhooks`` prints: the receiver's log (``lsafas_webhook``), newest first — one row
per webhook it answered (outcome queued, joined, ignored or refused, with the HTTP status) and one per run
decision (action ``run``: triggered, joined or failed, with the run id); as a table or as JSON.

Ids and outcomes only: the rows hold no body and no personal data (an order is its Lightspeed id).
``--since`` and ``--limit`` narrow them as in the other views.
"""

from __future__ import annotations

import argparse
from collections import Counter
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from lightspeed_afas.cli.log_views import _cut, _header, _print_json, _when
from lightspeed_afas.tables import text_table

RUN = "run"  # the action of a run-decision row
OTHER_OPTIONS = ("order", "status", "detail", "open", "runs", "run_id")  # not with --webhooks


def problem(args: argparse.Namespace) -> str | None:
    """Why the options do not go with ``--webhooks``, or None."""
    given = [name for name in OTHER_OPTIONS if getattr(args, name, None)]
    if args.flow != "orders" or given:
        return (
            "--webhooks lists the receiver's log on its own: it takes --since, --limit, --wide and --json "
            "(not --flow, --order, --status, --detail, --open, --runs or --run)"
        )
    return None


def recorded(ledger: Any, tenant: str) -> bool:
    """Whether the receiver logged anything for the tenant (it may have no run or order yet)."""
    return bool(ledger.webhooks(tenant, limit=1))


def _row(r: dict[str, Any], zone: ZoneInfo, wide: bool) -> tuple[str, ...]:
    return (
        _when(r["at"], zone),
        r["item_group"] or "-",
        r["action"] or "-",
        str(r["item_id"]) if r["item_id"] is not None else "-",
        str(r["status"]),
        r["outcome"],
        r["run_id"] or "-",
        _cut(r["reason"], wide),
    )


def _summary(rows: list[dict[str, Any]]) -> str:
    """``3 webhook(s) (queued 2, refused 1), 1 run decision(s) (triggered 1)``."""
    parts = []
    for label, mine in (
        ("webhook(s)", [r for r in rows if r["action"] != RUN]),
        ("run decision(s)", [r for r in rows if r["action"] == RUN]),
    ):
        if mine:
            outcomes = Counter(r["outcome"] for r in mine)
            parts.append(
                f"{len(mine)} {label} ({', '.join(f'{k} {n}' for k, n in sorted(outcomes.items()))})"
            )
    return ", ".join(parts)


def webhooks(
    ledger: Any, args: argparse.Namespace, zone: ZoneInfo, since: datetime | None, times: str
) -> int:
    """The tenant's webhooks and run decisions, newest first."""
    found = ledger.webhooks(args.tenant, since, args.limit + 1)
    rows = found[: args.limit]
    if args.json:
        _print_json(rows)
        return 0
    if not rows:
        when = f" since {_when(since, zone)}" if since else ""
        print(
            f"No webhooks{when} for {args.tenant}: is its webhooks: block there, has `python -m lightspeed_afas "
            f"webhooks install {args.tenant}` run, and does Lightspeed reach the receiver?"
        )
        return 0
    header = (_header("time", zone), "group", "action", "order id", "status", "outcome", "run", "reason")
    print(text_table(header, [_row(r, zone, args.wide) for r in rows], rule=True))
    more = f"; more than {args.limit}: raise --limit" if len(found) > args.limit else ""
    print(f"{len(rows)} row(s), newest first: {_summary(rows)}{more}; {times}.")
    print(
        "A webhook row is what the receiver answered (status: 202 accepted, 200 ignored, 4xx refused); a run "
        "row (action run) what became of its request for a run of the orders DAG."
    )
    return 0
