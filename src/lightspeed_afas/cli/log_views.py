"""What ``log`` prints: a tenant's bookings, runs, open problems or one order's detail log; with ``--flow
stock`` the stock runs, their pushes and the variants left alone; as a table
(``lightspeed_afas.tables.text_table``) or as JSON.

Times are shown with their UTC offset in the tenant's time zone; reasons are cut to ``REASON_WIDTH``
characters unless ``--wide``.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from lightspeed_afas.cli.log_source import say
from lightspeed_afas.config.dag_ids import DAG_PREFIX
from lightspeed_afas.domain.retry_policy import backoff_text, next_retry_at
from lightspeed_afas.tables import text_table

REASON_WIDTH = 90


def _when(value: Any, zone: ZoneInfo) -> str:
    """``2026-11-20 11:00:00+01:00``: the offset says which zone (and which side of a DST change)."""
    if not isinstance(value, datetime):
        return "-"
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(zone).isoformat(sep=" ", timespec="seconds")


def _header(name: str, zone: ZoneInfo) -> str:
    return f"{name} ({zone.key})"


def _cut(text: str | None, wide: bool) -> str:
    text = " ".join((text or "").split())
    return text if wide or len(text) <= REASON_WIDTH else text[: REASON_WIDTH - 1] + "…"


def _print_json(rows: Any) -> None:
    print(json.dumps(rows, default=lambda v: v.isoformat() if isinstance(v, datetime) else str(v), indent=2))


def bookings(
    ledger: Any, args: argparse.Namespace, zone: ZoneInfo, since: datetime | None, times: str
) -> int:
    """The order attempts, newest first (``--order``, ``--status``, ``--since`` narrow them)."""
    rows = ledger.history(
        args.tenant, order_number=args.order, action=args.status, since=since, limit=args.limit
    )
    if args.json:
        _print_json(rows)
        return 0
    if not rows:
        print("No bookings match.")
        return 0
    header = (
        _header("time", zone),
        "order",
        "action",
        "AFAS order",
        "debtor",
        "try",
        "profitLogReference",
        "run",
        "reason",
    )
    cells = [
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
    ]
    print(text_table(header, cells, rule=True))
    print(f"{len(rows)} row(s), newest first; {times}.")
    return 0


def _after(value: Any, since: datetime) -> bool:
    if not isinstance(value, datetime):
        return False
    return (value if value.tzinfo else value.replace(tzinfo=UTC)) >= since


def _run_row(r: dict[str, Any], zone: ZoneInfo, wide: bool) -> tuple[str, ...]:
    counts = r.get("counts") or {}
    calls = r.get("calls") or {}
    return (
        _when(r["started_at"], zone),
        r["run_id"],
        r["mode"],
        r["outcome"],
        f"{r['duration_s']:.1f}" if r.get("duration_s") is not None else "-",
        " ".join(f"{k} {v}" for k, v in counts.items() if v) or "-",
        f"LS {calls.get('lightspeed', 0)} / AFAS {calls.get('afas', 0)}; 429s {r.get('rate_limited') or 0}",
        _cut(r.get("message"), wide),
    )


def runs(ledger: Any, args: argparse.Namespace, zone: ZoneInfo, since: datetime | None, times: str) -> int:
    """The tenant's runs, newest first: window, counts, calls, outcome."""
    found = [
        r
        for r in ledger.runs(args.tenant, limit=args.limit)
        if since is None or _after(r["started_at"], since)
    ]
    if args.json:
        _print_json(found)
        return 0
    if not found:
        print("No runs match.")
        return 0
    header = (_header("started", zone), "run", "mode", "outcome", "s", "orders", "calls", "message")
    print(text_table(header, [_run_row(r, zone, args.wide) for r in found], rule=True))
    print(f"{len(found)} run(s), newest first; {times}.")
    return 0


def open_problems(ledger: Any, args: argparse.Namespace, zone: ZoneInfo) -> int:
    """The orders failing or quarantined now, with their reasons and when a failed one is tried again."""
    states = ledger.orders_with_status(args.tenant, ["failed", "quarantined"])
    if args.order:
        states = [s for s in states if s.order_number == args.order]
    if args.json:
        _print_json([s.__dict__ for s in states])
        return 0
    if not states:
        print("No open problems: nothing is failing or quarantined.")
        return 0
    cells = [
        (
            s.order_number,
            s.status,
            str(s.failures),
            _when(next_retry_at(s), zone),
            s.afas_order_number or "-",
            _cut(s.reason, args.wide),
        )
        for s in states[: args.limit]
    ]
    header = ("order", "status", "failures", _header("next retry", zone), "AFAS order", "reason")
    print(text_table(header, cells, rule=True))
    print(
        f"{len(states)} open problem(s). A failed order is tried again after a backoff ({backoff_text()}, the "
        "last step repeating) or as soon as it changes in the webshop; a quarantined one waits: fix the "
        f"cause, then re-sync it (trigger {DAG_PREFIX}{args.tenant} with order_numbers)."
    )
    return 0


def detail(ledger: Any, args: argparse.Namespace, zone: ZoneInfo, times: str) -> int:
    """One order's requests and answers from the detail log, oldest first."""
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


# -- --flow stock ------------------------------------------------------------------------------------------

STOCK_RUNS_SHOWN = 10  # runs above the pushes (--runs lists --limit of them)
STOCK_COUNTS = ("pushed", "planned", "not_pushed", "failed", "left_alone")


def _stock_run_row(r: dict[str, Any], zone: ZoneInfo, wide: bool) -> tuple[str, ...]:
    counts, calls = r.get("counts") or {}, r.get("calls") or {}
    return (
        _when(r["started_at"], zone),
        r["run_id"],
        r["outcome"],
        *(str(counts.get(key, 0)) for key in STOCK_COUNTS),
        f"LS {calls.get('lightspeed', 0)} / AFAS {calls.get('afas', 0)}",
        _cut(r.get("message"), wide),
    )


def _stock_pushes(ledger: Any, args: argparse.Namespace, zone: ZoneInfo, run_id: str) -> None:
    pushes = ledger.stock_pushes(args.tenant, run_id=run_id, limit=args.limit + 1)
    if not pushes:
        print(f"Run {run_id} pushed no level (a dry run, or every followed variant had AFAS's level).")
        return
    cells = [
        (
            _when(p["at"], zone),
            str(p["variant_id"]),
            p["item_code"] or "-",
            "?" if p["old_level"] is None else str(p["old_level"]),
            str(p["new_level"]),
            p["outcome"],
            _cut(p["reason"], args.wide),
        )
        for p in pushes[: args.limit]
    ]
    header = (_header("time", zone), "variant", "AFAS item", "old", "new", "outcome", "reason")
    print(text_table(header, cells, rule=True))
    more = f"; more than {args.limit}: raise --limit" if len(pushes) > args.limit else ""
    print(f"{len(cells)} push(es) of run {run_id}, newest first{more}.")


def _known_run(ledger: Any, tenant: str, run_id: str, runs: list[dict[str, Any]]) -> bool:
    """Whether ``run_id`` is one of the stock runs read, or has pushes in the ledger (an older run)."""
    return run_id in {r["run_id"] for r in runs} or bool(ledger.stock_pushes(tenant, run_id=run_id, limit=1))


def stock(ledger: Any, args: argparse.Namespace, zone: ZoneInfo, since: datetime | None, times: str) -> int:
    """``--flow stock``: the stock runs and the pushes of ``--run`` (or the newest run); ``--runs`` only
    the runs; ``--open`` the variants left alone."""
    if args.open:
        return stock_left_alone(ledger, args)
    runs = ledger.flow_runs(args.tenant, "stock", limit=args.limit)
    found = [r for r in runs if since is None or _after(r["started_at"], since)]
    shown = found if args.runs else found[:STOCK_RUNS_SHOWN]
    run_id = args.run_id or (found[0]["run_id"] if found else None)
    if args.run_id and not _known_run(ledger, args.tenant, args.run_id, runs):
        say(
            f"No stock run {args.run_id!r} for tenant {args.tenant!r} (not among its last {args.limit} runs, and no push of it is recorded)."
        )
        return 1
    if args.json:
        pushes = [] if args.runs or not run_id else ledger.stock_pushes(args.tenant, run_id, args.limit)
        _print_json(shown if args.runs else {"runs": shown, "run_id": run_id, "pushes": pushes})
        return 0
    if not shown and not args.run_id:
        print(f"No stock runs{' match' if since else ''} for {args.tenant}.")
        return 0
    if shown:
        header = (_header("started", zone), "run", "outcome", "pushed", "planned", "not pushed", "failed")
        header += ("left alone", "calls", "message")
        print(text_table(header, [_stock_run_row(r, zone, args.wide) for r in shown], rule=True))
        more = "" if args.runs or len(found) <= len(shown) else " (--runs for more)"
        print(f"{len(shown)} stock run(s), newest first{more}; {times}.")
    if run_id and not args.runs:
        print()
        _stock_pushes(ledger, args, zone, run_id)
    return 0


def _codes(variant: Any) -> str:
    found = (("articleCode", variant.article_code), ("sku", variant.sku), ("ean", variant.ean))
    return " ".join(f"{name}={value}" for name, value in found if value) or "-"


def stock_left_alone(ledger: Any, args: argparse.Namespace) -> int:
    """The variants the stock flow leaves alone now, by kind of reason, with the reason."""
    from lightspeed_afas.flows.stock.plan_step import reason_kind  # imports the hooks (and Airflow)

    mapped = ledger.variant_map(args.tenant)
    alone = sorted(
        ((reason_kind(m.reason or ""), vid, m) for vid, m in mapped.items() if m.status == "left_alone"),
        key=lambda found: found[:2],
    )
    if args.json:
        _print_json([{"kind": k, **m.variant.__dict__, "reason": m.reason} for k, _, m in alone])
        return 0
    if not alone:
        print(f"No variant is left alone: all {len(mapped)} in the map follow an AFAS item.")
        return 0
    cells = [
        (str(vid), str(m.variant.product_id or "-"), _codes(m.variant), kind, _cut(m.reason, args.wide))
        for kind, vid, m in alone[: args.limit]
    ]
    print(text_table(("variant", "product", "codes", "kind", "why it is left alone"), cells, rule=True))
    kinds = Counter(kind for kind, _, _ in alone)
    more = f"; {len(alone) - len(cells)} more: raise --limit" if len(alone) > len(cells) else ""
    print(
        f"{len(alone)} of {len(mapped)} variant(s) left alone ({', '.join(f'{k} {n}' for k, n in kinds.items())})"
        f"{more}. The stock flow never writes their level; fix the cause in the shop or in AFAS."
    )
    return 0
