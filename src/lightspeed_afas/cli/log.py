"""``python -m lightspeed_afas log <tenant>``: the basic log (and detail log) as tables.

Examples::

    python -m lightspeed_afas log demo                      # the latest bookings, newest first
    python -m lightspeed_afas log demo --order ORD10042     # everything that happened to one order
    python -m lightspeed_afas log demo --status failed --since 2026-11-01
    python -m lightspeed_afas log demo --open               # orders failing or quarantined right now
    python -m lightspeed_afas log demo --runs               # the runs: window, counts, calls, outcome
    python -m lightspeed_afas log demo --order ORD10042 --detail   # what was sent and answered

Reads the ledger through the ``lightspeed_afas_ledger`` connection (the same the DAGs use, also when it is
stored in the UI; without it the SQLite file under ``AIRFLOW_HOME``). It creates nothing: with
``AIRFLOW_HOME`` unset it reads ``~/airflow`` and says so, or refuses when that does not exist (importing
Airflow would create it); a SQLite ledger that does not exist is reported, not created.

Times are shown with their UTC offset in the tenant's time zone (when its file is there, else UTC); the
Airflow UI shows UTC. An ``--order`` that is not an order number exactly is looked up as the end, then a
part, of one (``10028`` → ``ORD10028``), and the command says what it assumed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from lightspeed_afas.cli.registry import arg, subcommand
from lightspeed_afas.ledger.store import ACTIONS

REASON_WIDTH = 90
MAX_CANDIDATES = 20  # order numbers listed when --order matches several
DEMO_ENV_HINT = "after `make demo`: source .demo/env"


def parse_since(value: str, zone: ZoneInfo) -> datetime:
    """``YYYY-MM-DD`` (midnight in the tenant's zone) or an ISO time (naive = the tenant's zone)."""
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), time(0), tzinfo=zone)
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--since {value!r} is not a date (2026-11-01) or a time (2026-11-01T08:00)"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


def render(rows: Sequence[Sequence[str]], headers: Sequence[str]) -> str:
    """A plain fixed-width table; the last column is not padded."""
    table = [tuple(headers), *(tuple(r) for r in rows)]
    widths = [max(len(r[i]) for r in table) for i in range(len(headers))]
    lines = []
    for row in table:
        cells = [v if i == len(row) - 1 else v.ljust(widths[i]) for i, v in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _when(value: Any, zone: ZoneInfo) -> str:
    """``2026-11-20 11:00:00+01:00``: the offset says which zone (and which side of a DST change)."""
    if not isinstance(value, datetime):
        return "-"
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(zone).isoformat(sep=" ", timespec="seconds")


def _header(name: str, zone: ZoneInfo) -> str:
    return f"{name} ({zone.key})"


def _times_note(zone: ZoneInfo, from_tenant_file: bool) -> str:
    where = (
        f"{zone.key}, the tenant's time zone"
        if from_tenant_file
        else "UTC (no tenant file to take a zone from)"
    )
    return f"times in {where}; the Airflow UI shows UTC"


def _cut(text: str | None, wide: bool) -> str:
    text = " ".join((text or "").split())
    return text if wide or len(text) <= REASON_WIDTH else text[: REASON_WIDTH - 1] + "…"


def _zone(tenant: str) -> tuple[ZoneInfo, bool]:
    """The tenant's time zone, and whether its tenant file gave it (else UTC)."""
    from lightspeed_afas.config import ConfigError, load_tenant

    try:
        return ZoneInfo(load_tenant(tenant).timezone), True
    except (ConfigError, OSError, KeyError, ValueError):
        return ZoneInfo("UTC"), False  # a tenant whose file is gone keeps its history


def _print_json(rows: list[dict[str, Any]]) -> None:
    print(json.dumps(rows, default=lambda v: v.isoformat() if isinstance(v, datetime) else str(v), indent=2))


def _say(text: str) -> None:
    """A note or an error: on stderr, so that ``--json`` output stays JSON."""
    print(text, file=sys.stderr)


def airflow_home_problem() -> tuple[str | None, str | None]:
    """(why the command must not run, what it assumed) about ``AIRFLOW_HOME``, before Airflow is imported:
    importing Airflow creates its home (``~/airflow`` when ``AIRFLOW_HOME`` is unset)."""
    configured = os.environ.get("AIRFLOW_HOME")
    if configured:
        if not Path(configured).expanduser().is_dir():
            return (
                f"AIRFLOW_HOME={configured} does not exist. Point AIRFLOW_HOME at the Airflow home whose "
                f"ledger you want to read ({DEMO_ENV_HINT}).",
                None,
            )
        return None, None
    default = Path.home() / "airflow"
    if default.is_dir():
        return None, f"note: AIRFLOW_HOME is not set; using {default} (Airflow's default)."
    return (
        f"AIRFLOW_HOME is not set and {default} does not exist, so there is no Airflow home to find the "
        "ledger in (and this command creates none). Set AIRFLOW_HOME to your Airflow home "
        f"({DEMO_ENV_HINT}).",
        None,
    )


def missing_sqlite_ledger(url: str) -> str | None:
    """The path of a SQLite ledger that does not exist (opening it would create an empty one)."""
    import sqlalchemy as sa

    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return None if Path(parsed.database).exists() else parsed.database


def _open_ledger() -> Any:
    """The ledger, or an exit code after saying why it cannot be read."""
    problem, assumed = airflow_home_problem()
    if problem:
        _say(f"error: {problem}")
        return 2
    if assumed:
        _say(assumed)
    from lightspeed_afas.ledger import Ledger
    from lightspeed_afas.ledger.store import ledger_url_outside_tasks

    url = ledger_url_outside_tasks()
    missing = missing_sqlite_ledger(url)
    if missing:
        _say(
            f"error: the ledger {missing} does not exist: no run has recorded anything there. Is AIRFLOW_HOME "
            f"({os.environ.get('AIRFLOW_HOME') or Path.home() / 'airflow'}) the right one, or is the "
            "lightspeed_afas_ledger connection missing?"
        )
        return 1
    return Ledger(url)


def resolve_order(ledger: Any, tenant: str, wanted: str) -> str | int:
    """The order number ``--order`` means, or an exit code after saying why there is none."""
    from lightspeed_afas.ledger.queries import LedgerQueries

    found = LedgerQueries(ledger.engine).find_order_numbers(tenant, wanted, MAX_CANDIDATES + 1)
    if found == [wanted]:
        return wanted
    if len(found) == 1:
        _say(f"note: no order {wanted!r}; showing {found[0]}.")
        return found[0]
    if not found:
        _say(f"No order {wanted!r} for tenant {tenant!r} in the ledger, and no order number contains it.")
        return 1
    more = len(found) > MAX_CANDIDATES
    shown = ", ".join(found[:MAX_CANDIDATES]) + (", …" if more else "")
    count = f"more than {MAX_CANDIDATES}" if more else str(len(found))
    _say(f"No order {wanted!r}; {count} order numbers end in or contain it: {shown}. Give one with --order.")
    return 1


@subcommand(
    "log",
    "show a tenant's bookings from the ledger: per order, per status, since a date; runs; detail log",
    arg("tenant", help="tenant id (the file name in include/tenants without .yaml)"),
    arg(
        "--order",
        metavar="NUMBER",
        help="only this Lightspeed order number (e.g. ORD10042; 10042 finds it when it is the only match)",
    ),
    arg("--status", choices=ACTIONS, help="only attempts with this action"),
    arg("--since", metavar="DATE", help="only since this date or time (tenant time zone)"),
    arg("--limit", type=int, default=50, help="at most this many rows (default 50)"),
    arg("--open", action="store_true", help="orders failing or quarantined now, with their reasons"),
    arg("--runs", action="store_true", help="the tenant's runs instead of its orders"),
    arg("--detail", action="store_true", help="with --order: the requests and answers of the detail log"),
    arg("--wide", action="store_true", help="do not shorten reasons"),
    arg("--json", action="store_true", help="JSON instead of a table"),
)
def log_command(args: argparse.Namespace) -> int:
    zone, from_file = _zone(args.tenant)
    try:
        since = parse_since(args.since, zone) if args.since else None
    except argparse.ArgumentTypeError as exc:
        _say(f"error: {exc}")
        return 2
    if args.detail and not args.order:
        _say("error: --detail needs --order NUMBER (the detail log is read per order)")
        return 2
    if args.limit < 1:
        _say("error: --limit must be at least 1")
        return 2
    ledger = _open_ledger()
    if isinstance(ledger, int):
        return ledger
    if args.tenant not in ledger.tenants():
        known = ", ".join(ledger.tenants()) or "none yet"
        print(
            f"The ledger ({_safe_url(ledger.url)}) has no entries for tenant {args.tenant!r} (tenants: {known})."
        )
        return 1
    if args.order:
        order = resolve_order(ledger, args.tenant, args.order)
        if isinstance(order, int):
            return order
        args.order = order
    times = _times_note(zone, from_file)
    if args.runs:
        return _runs(ledger, args, zone, since, times)
    if args.open:
        return _open(ledger, args)
    if args.detail:
        return _detail(ledger, args, zone, times)
    return _bookings(ledger, args, zone, since, times)


def _bookings(
    ledger: Any, args: argparse.Namespace, zone: ZoneInfo, since: datetime | None, times: str
) -> int:
    rows = ledger.history(
        args.tenant, order_number=args.order, action=args.status, since=since, limit=args.limit
    )
    if args.json:
        _print_json(rows)
        return 0
    if not rows:
        print("No bookings match.")
        return 0
    print(
        render(
            [
                (
                    _when(r["at"], zone),
                    r["order_number"],
                    r["action"],
                    r["afas_order_number"] or "-",
                    r["debtor_id"] or "-",
                    str(r["attempt"]),
                    r["profit_log_reference"] or "-",
                    r["run_id"],
                    _cut(r["reason"], args.wide),
                )
                for r in rows
            ],
            (
                _header("time", zone),
                "order",
                "action",
                "AFAS order",
                "debtor",
                "try",
                "profitLogReference",
                "run",
                "reason",
            ),
        )
    )
    print(f"{len(rows)} row(s), newest first; {times}.")
    return 0


def _runs(ledger: Any, args: argparse.Namespace, zone: ZoneInfo, since: datetime | None, times: str) -> int:
    runs = [
        r
        for r in ledger.runs(args.tenant, limit=args.limit)
        if since is None or _after(r["started_at"], since)
    ]
    if args.json:
        _print_json(runs)
        return 0
    if not runs:
        print("No runs match.")
        return 0
    rows = []
    for r in runs:
        counts = r.get("counts") or {}
        calls = r.get("calls") or {}
        rows.append(
            (
                _when(r["started_at"], zone),
                r["run_id"],
                r["mode"],
                r["outcome"],
                f"{r['duration_s']:.1f}" if r.get("duration_s") is not None else "-",
                " ".join(f"{k} {v}" for k, v in counts.items() if v) or "-",
                f"LS {calls.get('lightspeed', 0)} / AFAS {calls.get('afas', 0)}; 429s {r.get('rate_limited') or 0}",
                _cut(r.get("message"), args.wide),
            )
        )
    headers = (_header("started", zone), "run", "mode", "outcome", "s", "orders", "calls", "message")
    print(render(rows, headers))
    print(f"{len(runs)} run(s), newest first; {times}.")
    return 0


def _after(value: Any, since: datetime) -> bool:
    if not isinstance(value, datetime):
        return False
    return (value if value.tzinfo else value.replace(tzinfo=UTC)) >= since


def _open(ledger: Any, args: argparse.Namespace) -> int:
    states = ledger.orders_with_status(args.tenant, ["failed", "quarantined"])
    if args.order:
        states = [s for s in states if s.order_number == args.order]
    if args.json:
        _print_json([s.__dict__ for s in states])
        return 0
    if not states:
        print("No open problems: nothing is failing or quarantined.")
        return 0
    print(
        render(
            [
                (
                    s.order_number,
                    s.status,
                    str(s.failures),
                    s.afas_order_number or "-",
                    _cut(s.reason, args.wide),
                )
                for s in states[: args.limit]
            ],
            ("order", "status", "failures", "AFAS order", "reason"),
        )
    )
    print(
        f"{len(states)} open problem(s). Failed orders are retried by every run; quarantined ones wait: fix the "
        f"cause, then re-sync them (trigger lightspeed_afas_{args.tenant} with order_numbers)."
    )
    return 0


def _detail(ledger: Any, args: argparse.Namespace, zone: ZoneInfo, times: str) -> int:
    rows = ledger.detail(args.tenant, order_number=args.order, limit=args.limit)
    if args.json:
        _print_json(rows)
        return 0
    if not rows:
        print(
            f"No detail log for order {args.order}: detail logging is off for {args.tenant}, or its entries "
            "are older than the tenant's detail_log_days."
        )
        return 0
    for r in rows:
        print(
            f"--- {_when(r['at'], zone)}  {r['api']}  {r['method']} {r['url']}  → {r['status']} ({r['run_id']})"
        )
        if r.get("request_body"):
            print(f"sent:     {r['request_body']}")
        if r.get("response_body"):
            print(f"answered: {r['response_body']}")
    print(f"{len(rows)} call(s), oldest first; {times}.")
    return 0


def _safe_url(url: str) -> str:
    import sqlalchemy as sa

    return sa.engine.make_url(url).render_as_string(hide_password=True)
