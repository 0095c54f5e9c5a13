"""``python -m lightspeed_afas log <tenant>``: the basic log (and detail log) as tables.

Examples::

    python -m lightspeed_afas log demo                      # the latest bookings, newest first
    python -m lightspeed_afas log demo --order ORD10042     # everything that happened to one order
    python -m lightspeed_afas log demo --status failed --since 2026-11-01
    python -m lightspeed_afas log demo --open               # orders failing or quarantined right now
    python -m lightspeed_afas log demo --runs               # the runs: window, counts, calls, outcome
    python -m lightspeed_afas log demo --order ORD10042 --detail   # what was sent and answered
    python -m lightspeed_afas log demo --flow stock         # the stock runs, and the newest one's pushes
    python -m lightspeed_afas log demo --flow stock --run scheduled__2026-11-23T10:15:00+00:00
    python -m lightspeed_afas log demo --flow stock --runs  # only the stock runs
    python -m lightspeed_afas log demo --flow stock --open  # the variants the stock flow leaves alone, and why
    python -m lightspeed_afas log demo --flow articles      # the articles runs, and the newest one's fields
    python -m lightspeed_afas log demo --flow articles --run scheduled__2026-11-23T10:00:00+00:00
    python -m lightspeed_afas log demo --flow articles --open   # items left alone, writes failing now
    python -m lightspeed_afas log demo --flow customers     # the customers runs, and the newest one's records
    python -m lightspeed_afas log demo --flow credit_notes --run scheduled__2026-11-23T10:15:00+00:00
    python -m lightspeed_afas log demo --flow credit_notes --open   # failed, waiting, quarantined now
    python -m lightspeed_afas log demo --webhooks            # the webhooks the receiver answered, its runs
    python -m lightspeed_afas log demo --webhooks --since 2026-11-23 --json

Reads the ledger through the ``lightspeed_afas_ledger`` connection (the same the DAGs use, also when it is
stored in the UI; without it the SQLite file under ``AIRFLOW_HOME``). It creates nothing: with
``AIRFLOW_HOME`` unset it reads ``~/airflow`` and says so, or refuses when that does not exist (importing
Airflow would create it); a SQLite ledger that does not exist is reported, not created.

Times are shown with their UTC offset in the tenant's time zone (when its file is there, else UTC); the
Airflow UI shows UTC. An ``--order`` that is not an order number exactly is looked up as the end, then a
part, of one (``10028`` → ``ORD10028``), and the command says what it assumed.

This module is the command (its options and checks); ``cli.log_source`` finds the ledger and the order,
``cli.log_views`` prints what was asked for (``cli.log_articles`` for ``--flow articles``, ``cli.log_records``
for ``--flow customers`` and ``--flow credit_notes``, ``cli.log_webhooks`` for ``--webhooks``).
"""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from lightspeed_afas.cli import log_articles, log_records, log_webhooks
from lightspeed_afas.cli import log_views as views
from lightspeed_afas.cli.log_source import open_ledger, resolve_order, safe_url, say
from lightspeed_afas.cli.registry import arg, subcommand
from lightspeed_afas.config.dag_ids import FLOWS
from lightspeed_afas.domain.vocabulary import Action


def parse_since(value: str, zone: ZoneInfo) -> datetime:
    """``YYYY-MM-DD`` (midnight in the tenant's zone) or an ISO time (naive = the tenant's zone), as UTC:
    SQLite keeps the ledger's UTC times without their offset, and compares a bound's wall time with them."""
    try:
        if len(value) == 10:
            parsed = datetime.combine(date.fromisoformat(value), time(0), tzinfo=zone)
        else:
            parsed = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--since {value!r} is not a date (2026-11-01) or a time (2026-11-01T08:00)"
        ) from None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)).astimezone(UTC)


def _times_note(zone: ZoneInfo, from_tenant_file: bool) -> str:
    where = (
        f"{zone.key}, the tenant's time zone"
        if from_tenant_file
        else "UTC (no tenant file to take a zone from)"
    )
    return f"times in {where}; the Airflow UI shows UTC"


def _flow_problem(args: argparse.Namespace) -> str | None:
    """Why the options do not fit the flow asked for (or ``--webhooks``), or None."""
    if args.webhooks:
        return log_webhooks.problem(args)
    if args.flow == "orders":
        flows = " or --flow ".join(FLOWS[1:])
        return f"--run needs --flow {flows} (for orders use --runs or --order)" if args.run_id else None
    if args.order or args.status or args.detail:
        return (
            f"--order, --status and --detail are for the orders flow; with --flow {args.flow} use --run, "
            "--runs or --open"
        )
    return None


def _zone(tenant: str) -> tuple[ZoneInfo, bool]:
    """The tenant's time zone, and whether its tenant file gave it (else UTC)."""
    from lightspeed_afas.config import ConfigError, load_tenant

    try:
        return ZoneInfo(load_tenant(tenant).timezone), True
    except (ConfigError, OSError, KeyError, ValueError):
        return ZoneInfo("UTC"), False  # a tenant whose file is gone keeps its history


@subcommand(
    "log",
    "show a tenant's bookings from the ledger: per order, per status, since a date; runs; detail log",
    arg("tenant", help="tenant id (the file name in include/tenants without .yaml)"),
    arg(
        "--order",
        metavar="NUMBER",
        help="only this Lightspeed order number (e.g. ORD10042; 10042 finds it when it is the only match)",
    ),
    arg("--status", choices=[str(action) for action in Action], help="only attempts with this action"),
    arg("--since", metavar="DATE", help="only since this date or time (tenant time zone)"),
    arg("--limit", type=int, default=50, help="at most this many rows (default 50)"),
    arg(
        "--open",
        action="store_true",
        help="orders failing or quarantined now, with their reasons (--flow stock: the variants left alone; "
        "--flow articles: the items left alone and the writes failing now; --flow customers or credit_notes: "
        "the records failing, waiting or quarantined now)",
    ),
    arg(
        "--runs",
        action="store_true",
        help="only the runs (not the orders; with another --flow not the pushes, writes or records)",
    ),
    arg("--detail", action="store_true", help="with --order: the requests and answers of the detail log"),
    arg("--wide", action="store_true", help="do not shorten reasons"),
    arg("--json", action="store_true", help="JSON instead of a table"),
    arg(
        "--flow",
        choices=FLOWS,
        default="orders",
        help="which flow's log: orders (default), stock, articles, customers or credit_notes",
    ),
    # dest run_id: the registry keeps the command's function in ``args.run``.
    arg(
        "--run",
        dest="run_id",
        metavar="RUN_ID",
        help="with another --flow than orders: the pushes, writes or records of this run (default: the "
        "newest)",
    ),
    arg(
        "--webhooks",
        action="store_true",
        help="the webhooks the receiver answered (group, action, order id, status, outcome) and the runs it "
        "asked for (run id), with --since, --limit, --json",
    ),
)
def log_command(args: argparse.Namespace) -> int:
    """Check the options, open the ledger, find the order, then print the view asked for."""
    zone, from_file = _zone(args.tenant)
    try:
        since = parse_since(args.since, zone) if args.since else None
    except argparse.ArgumentTypeError as exc:
        say(f"error: {exc}")
        return 2
    if args.detail and not args.order:
        say("error: --detail needs --order NUMBER (the detail log is read per order)")
        return 2
    if args.limit < 1:
        say("error: --limit must be at least 1")
        return 2
    problem = _flow_problem(args)
    if problem:
        say(f"error: {problem}")
        return 2
    ledger = open_ledger()
    if isinstance(ledger, int):
        return ledger
    if args.tenant not in ledger.tenants() and not (
        args.webhooks and log_webhooks.recorded(ledger, args.tenant)
    ):
        known = ", ".join(ledger.tenants()) or "none yet"
        print(
            f"The ledger ({safe_url(ledger.url)}) has no entries for tenant {args.tenant!r} (tenants: {known})."
        )
        return 1
    if args.order:
        order = resolve_order(ledger, args.tenant, args.order)
        if isinstance(order, int):
            return order
        args.order = order
    times = _times_note(zone, from_file)
    if args.webhooks:
        return log_webhooks.webhooks(ledger, args, zone, since, times)
    if args.flow == "stock":
        return views.stock(ledger, args, zone, since, times)
    if args.flow == "articles":
        return log_articles.articles(ledger, args, zone, since, times)
    if args.flow in log_records.RUN_COUNTS:
        return log_records.records(ledger, args, zone, since, times)
    if args.runs:
        return views.runs(ledger, args, zone, since, times)
    if args.open:
        return views.open_problems(ledger, args, zone)
    if args.detail:
        return views.detail(ledger, args, zone, times)
    return views.bookings(ledger, args, zone, since, times)
