"""What ``log --flow articles`` prints: the articles runs, the fields one run wrote (shop value → AFAS
value), and the open problems (the items left alone, the fields skipped, the writes whose last try failed);
as a table or as JSON. Catalogue data only: the articles tables hold no personal data."""

from __future__ import annotations

import argparse
from collections import Counter
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from lightspeed_afas.cli.log_source import say
from lightspeed_afas.cli.log_views import _after, _cut, _header, _print_json, _when
from lightspeed_afas.tables import text_table

FLOW = "articles"
RUNS_SHOWN = 10  # runs above the writes (--runs lists --limit of them)
RUN_COUNTS = ("written", "created", "left_alone", "failed", "not_written")
VALUE_WIDTH = 40
WRITE_SCAN = 100_000  # writes read to find the failures no later write settled
OPEN_OUTCOMES = ("failed", "unknown")


def _value(value: Any, wide: bool) -> str:
    if value is None:
        return "-"
    text = " ".join(str(value).split())
    return text if wide or len(text) <= VALUE_WIDTH else text[: VALUE_WIDTH - 1] + "…"


def _field(w: dict[str, Any]) -> str:
    return f"{w['field']} ({w['lang']})" if w.get("lang") else str(w["field"])


def _target(w: dict[str, Any]) -> str:
    return f"{w['target']} {w['target_id']}" if w.get("target_id") is not None else f"new {w['target']}"


def _run_row(r: dict[str, Any], zone: ZoneInfo, wide: bool) -> tuple[str, ...]:
    counts, calls = r.get("counts") or {}, r.get("calls") or {}
    return (
        _when(r["started_at"], zone),
        r["run_id"],
        r["outcome"],
        *(str(counts.get(key, 0)) for key in RUN_COUNTS),
        f"LS {calls.get('lightspeed', 0)} / AFAS {calls.get('afas', 0)}",
        _cut(r.get("message"), wide),
    )


def _write_cells(
    writes: list[dict[str, Any]], zone: ZoneInfo, wide: bool, run: bool
) -> list[tuple[str, ...]]:
    return [
        (
            _when(w["at"], zone),
            w["item_code"],
            _field(w),
            _target(w),
            f"{_value(w['old_value'], wide)} → {_value(w['new_value'], wide)}",
            w["outcome"],
            *(() if run else (w["run_id"],)),
            _cut(w["reason"], wide),
        )
        for w in writes
    ]


def _writes(ledger: Any, args: argparse.Namespace, zone: ZoneInfo, run_id: str) -> None:
    writes = ledger.article_writes(args.tenant, run_id=run_id, limit=args.limit + 1)
    if not writes:
        print(f"Run {run_id} wrote no field (a dry run, or the shop already showed what AFAS holds).")
        return
    header = (_header("time", zone), "AFAS item", "field", "target", "shop → AFAS", "outcome", "reason")
    print(text_table(header, _write_cells(writes[: args.limit], zone, args.wide, run=True), rule=True))
    outcomes = Counter(w["outcome"] for w in writes[: args.limit])
    more = f"; more than {args.limit}: raise --limit" if len(writes) > args.limit else ""
    print(
        f"{min(len(writes), args.limit)} field(s) of run {run_id} "
        f"({', '.join(f'{k} {n}' for k, n in outcomes.items())}), newest first{more}."
    )


def _known_run(ledger: Any, tenant: str, run_id: str, runs: list[dict[str, Any]]) -> bool:
    """Whether ``run_id`` is one of the articles runs read, or wrote fields (an older run)."""
    return run_id in {r["run_id"] for r in runs} or bool(
        ledger.article_writes(tenant, run_id=run_id, limit=1)
    )


def articles(
    ledger: Any, args: argparse.Namespace, zone: ZoneInfo, since: datetime | None, times: str
) -> int:
    """``--flow articles``: the articles runs and the fields ``--run`` (or the newest run) wrote; ``--runs``
    only the runs; ``--open`` the items left alone and the writes failing now."""
    if args.open:
        return open_problems(ledger, args, zone, times)
    runs = ledger.flow_runs(args.tenant, FLOW, limit=args.limit)
    found = [r for r in runs if since is None or _after(r["started_at"], since)]
    shown = found if args.runs else found[:RUNS_SHOWN]
    run_id = args.run_id or (found[0]["run_id"] if found else None)
    if args.run_id and not _known_run(ledger, args.tenant, args.run_id, runs):
        say(
            f"No articles run {args.run_id!r} for tenant {args.tenant!r} (not among its last {args.limit} "
            "runs, and no field written by it is recorded)."
        )
        return 1
    if args.json:
        writes = [] if args.runs or not run_id else ledger.article_writes(args.tenant, run_id, args.limit)
        _print_json(shown if args.runs else {"runs": shown, "run_id": run_id, "writes": writes})
        return 0
    if not shown and not args.run_id:
        print(f"No articles runs{' match' if since else ''} for {args.tenant}.")
        return 0
    if shown:
        header = (_header("started", zone), "run", "outcome", "written", "created", "left alone", "failed")
        header += ("not written", "calls", "message")
        print(text_table(header, [_run_row(r, zone, args.wide) for r in shown], rule=True))
        more = "" if args.runs or len(found) <= len(shown) else " (--runs for more)"
        print(f"{len(shown)} articles run(s), newest first{more}; {times}.")
    if run_id and not args.runs:
        print()
        _writes(ledger, args, zone, run_id)
    return 0


# -- --open ------------------------------------------------------------------------------------------------


def failing_writes(ledger: Any, tenant: str) -> list[dict[str, Any]]:
    """The writes whose field's last try failed or got no answer (a later write settles one), newest first."""
    seen: set[tuple[Any, ...]] = set()
    found = []
    for w in ledger.article_writes(tenant, limit=WRITE_SCAN):
        key = (w["item_code"], w["target"], w["target_id"], w["field"], w["lang"])
        if key not in seen:
            seen.add(key)
            if w["outcome"] in OPEN_OUTCOMES:
                found.append(w)
    return found


def _noted_items(items: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """(kind, code, item) of the items left alone and the followed items with fields skipped."""
    from lightspeed_afas.flows.articles.plan_step import reason_kind  # imports the hooks (and Airflow)

    found = []
    for code, item in items.items():
        if item.status == "left_alone":
            found.append((reason_kind(item.reason or ""), code, item))
        elif item.status == "followed" and item.reason:
            found.append(("fields skipped", code, item))
    return sorted(found, key=lambda f: (f[0] == "fields skipped", f[0], f[1]))


def _items_table(noted: list[tuple[str, str, Any]], args: argparse.Namespace, total: int) -> None:
    cells = [
        (
            code,
            item.status,
            str(item.variant_id or "-"),
            str(item.product_id or "-"),
            kind,
            _cut(item.reason, args.wide),
        )
        for kind, code, item in noted[: args.limit]
    ]
    print(text_table(("AFAS item", "status", "variant", "product", "kind", "why"), cells, rule=True))
    kinds = Counter(kind for kind, _, _ in noted)
    more = f"; {len(noted) - len(cells)} more: raise --limit" if len(noted) > len(cells) else ""
    print(
        f"{len(noted)} of {total} AFAS item(s) ({', '.join(f'{k} {n}' for k, n in kinds.items())}){more}. "
        "The flow writes nothing of an item left alone, and skips a field AFAS gives no usable value for; "
        "fix the cause in the shop or in AFAS."
    )


def open_problems(ledger: Any, args: argparse.Namespace, zone: ZoneInfo, times: str) -> int:
    """The items left alone (and the fields skipped) now, by kind of reason; the writes failing now."""
    items = ledger.article_items(args.tenant)
    noted = _noted_items(items)
    failing = failing_writes(ledger, args.tenant)
    if args.json:
        alone = [
            {
                "kind": k,
                "item_code": c,
                "status": i.status,
                "variant_id": i.variant_id,
                "product_id": i.product_id,
            }
            | {"reason": i.reason}
            for k, c, i in noted
        ]
        _print_json({"items": alone, "failing_writes": failing})
        return 0
    if noted:
        _items_table(noted, args, len(items))
    else:
        print(f"No AFAS item is left alone: all {len(items)} follow AFAS or wait to be matched.")
    print()
    if not failing:
        print("No write is failing: the last write of every field went through.")
        return 0
    header = (
        _header("time", zone),
        "AFAS item",
        "field",
        "target",
        "shop → AFAS",
        "outcome",
        "run",
        "reason",
    )
    print(text_table(header, _write_cells(failing[: args.limit], zone, args.wide, run=False), rule=True))
    more = f"; {len(failing) - args.limit} more: raise --limit" if len(failing) > args.limit else ""
    print(
        f"{len(failing)} write(s) failing now, newest first{more}; {times}. The next run compares these "
        "fields again; a refused value needs a fix in AFAS (or the shop) first."
    )
    return 0
