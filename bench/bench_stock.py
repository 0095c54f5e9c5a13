"""The stock flow (AFAS → Lightspeed): calls against the floor, peak RSS per task, and the key's budget
shared with the orders flow.

Both emulators run in threads of this process. The shop holds exactly 10,000 variants ``GEN-000001…``
(articleCode = sku), all at stock 0 and last changed long ago; AFAS holds 8,000 generated items
``GEN-000001…GEN-008000`` (so 2,000 variants have no AFAS item and are left alone). The floors are
computed from the emulators' data just before each run (``stock_scenarios``). Runs are 15 minutes apart
(the DAG's default schedule): the shop emulator's clock and the pipeline's "now" move together.

1. The first sync with the generous reading of the budgets (1,000 / 12,000 / 288,000): stock may use
   60 % of a 5-minute window, so the first run stops ``partial`` at the reserve and the next runs push the
   rest. Its first run has each step in a process of its own (5: peak RSS).
2. Quiet runs (AFAS unchanged): the next run (its incremental refresh reaches the sync's own pushes, which
   moved ``updatedAt``, within the overlap and the filter's time-zone doubt), one 75 minutes later (past
   both), and the steady state after it.
3. 1 % of the AFAS items change quantity. 4. A full comparison after back-office changes in the shop.
6. A backlog of 2,000 levels with the real budget (300 / 3,000 / 12,000): a stock run every 15 minutes,
   each followed in its 5-minute window by an orders run of a few new orders (the orders flow, in-process).

    python -m bench.bench_stock              # the sizes above (a few minutes)
    python -m bench.bench_stock --smoke      # 300 variants / 240 items; a backlog of 60 at 25/250/1,000
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench import common
from bench.stock_scenarios import (
    PAGE,
    SCHEDULE_S,
    Bench,
    StockRun,
    change_afas,
    check_levels,
    code,
    drift,
    measure,
    orders_run,
    seed_afas,
    seed_shop,
    sync,
)


@dataclass(frozen=True)
class Sizes:
    variants: int
    items: int
    changed: int  # AFAS items whose quantity changes (1 %)
    drifted: int  # back-office level changes before the full comparison
    limits: tuple[int, int, int]
    backlog: int
    backlog_limits: tuple[int, int, int]
    orders_per_run: int
    max_runs: int = 60


FULL = Sizes(10_000, 8_000, 80, 50, common.GENEROUS_LIMITS, 2_000, common.REAL_LIMITS, 4)
SMOKE = Sizes(300, 240, 2, 5, common.GENEROUS_LIMITS, 60, (25, 250, 1000), 3)


def stock_share(limit: int, reserve: float) -> int:
    """The calls of one window the stock flow may make: all but ``ceil(reserve × limit)``."""
    return limit - math.ceil(reserve * limit)


def calls_scenario(workdir: Path, sizes: Sizes) -> dict[str, Any]:
    with common.emulator_stack(workdir, rate_limits=sizes.limits, stock=True) as stack:
        seed_shop(stack, sizes.variants)
        seed_afas(stack, sizes.items)
        bench = Bench.open(stack, "stock-calls")
        first = sync(bench, "first sync, run", sizes.max_runs, first_in_subprocesses=True)
        followed = check_levels(stack, "after the first sync")
        stack.advance(SCHEDULE_S)
        quiet = [measure(bench, "quiet, next run")]
        stack.advance(bench.settings.overlap.total_seconds() + 3900)  # past the overlap and the zone doubt
        quiet.append(measure(bench, "quiet, 75 min later"))
        stack.advance(SCHEDULE_S)
        quiet.append(measure(bench, "quiet, steady state"))
        changed = change_afas(stack, sizes.changed)
        stack.advance(SCHEDULE_S)
        one_pct = measure(bench, "1 % changed")
        check_levels(stack, "after 1 % changed")
        drifted = drift(stack, sizes.drifted)
        stack.advance(SCHEDULE_S)
        full = measure(bench, "full comparison", full_comparison=True)
        check_levels(stack, "after the full comparison")
        reserve, take = bench.settings.reserve_for_orders, bench.take
    return {
        "first": first,
        "quiet": quiet,
        "changed": one_pct,
        "full": full,
        "followed": followed,
        "changed_items": len(changed),
        "drifted": len(drifted),
        "share": stock_share(sizes.limits[0], reserve),
        "take": take,
    }


def backlog_scenario(workdir: Path, sizes: Sizes) -> dict[str, Any]:
    rows = [{"item": code(i), "warehouse": "01", "physical": 5 + i % 50} for i in range(1, sizes.backlog + 1)]
    windows: list[dict[str, Any]] = []
    with common.emulator_stack(workdir, rate_limits=sizes.backlog_limits, stock=True) as stack:
        seed_shop(stack, sizes.backlog)
        seed_afas(stack, sizes.backlog, rows)
        bench = Bench.open(stack, "stock-backlog")
        for number in range(1, sizes.max_runs + 1):
            run = measure(bench, f"backlog run {number}")
            orders = orders_run(bench, number, sizes.orders_per_run)
            used = stack.shop("GET", "/state")["rate_limits"][common.LS_KEY]
            windows.append({"stock": run, "orders": orders, "used": used[0]["used"], "hour": used[1]["used"]})
            if run.outcome == "success" and not run.counts.get("not_pushed"):
                break
            stack.advance(SCHEDULE_S)
        check_levels(stack, "after the backlog")
        reserve = bench.settings.reserve_for_orders
    assert all(w["used"] == w["stock"].ls_calls + w["orders"]["calls"] for w in windows), "windows crossed"
    assert all(w["orders"]["rate_limited"] == 0 for w in windows), "an orders run met a 429"
    assert all(w["orders"]["booked"] == sizes.orders_per_run for w in windows), "orders not booked"
    limit = sizes.backlog_limits[0]
    share = stock_share(limit, reserve)
    return {
        "windows": windows,
        "limit": limit,
        "share": share,
        "runs_floor": math.ceil((sizes.backlog + math.ceil(sizes.backlog / PAGE)) / share),
        "least_left": min(1 - w["stock"].ls_calls / limit for w in windows),
    }


def ratio(measured: float, floor: float) -> str:
    if floor == 0:
        return "-" if measured == 0 else f"+{measured:,.0f}"
    return f"{measured / floor:.3f}×"


QUIET = (  # the quiet runs: the row with their reads, the row with their PUTs
    ("2. Quiet, the next run: GET /variants.json", "   the next run: PUTs"),
    ("   quiet, 75 min later: GET /variants.json", "   75 min later: PUTs"),
    ("   quiet, steady state: GET /variants.json", "   steady state: PUTs"),
)
Row = tuple[str, str, str, str, str]  # figure, measured, floor, ratio, note; a heading has only a figure


def row(label: str, measured: float, floor: float, note: str = "") -> Row:
    return (label, f"{measured:,.0f}", f"{floor:,.0f}", ratio(measured, floor), note)


def heading(text: str) -> Row:
    return (text, "", "", "", "")


def calls_rows(sizes: Sizes, calls: dict[str, Any]) -> list[Row]:
    first: list[StockRun] = calls["first"]
    f0, lim, share = first[0], sizes.limits, calls["share"]
    needed = f0.floor.reads + f0.floor.puts
    rule = sum(r.floor.reads for r in first)
    stopped = "partial: stopped at the reserve" if f0.outcome == "partial" else f0.outcome
    out = [
        heading(
            f"1. First sync, {sizes.variants:,} variants / {sizes.items:,} AFAS items, generous budget "
            f"{lim[0]:,}/{lim[1]:,}/{lim[2]:,}, a run every 15 min (stock may use {share} calls a 5-min window)"
        ),
        row("   runs until every level is pushed", len(first), math.ceil(needed / share)),
        row("   first run: Lightspeed calls", f0.ls_calls, min(share, needed), f"{f0.reads} reads + {f0.puts} PUTs; {stopped}"),
        row("   first run: Lightspeed GET /variants.json (full)", f0.reads, f0.floor.reads),
        row("   all runs: Lightspeed GET /variants.json", sum(r.reads for r in first), f0.floor.reads, f"the flow's rule: {rule}" + (" (it re-reads its own pushes)" if rule > f0.floor.reads else "")),
        row("   all runs: Lightspeed PUT /variants/{id}.json", sum(r.puts for r in first), f0.floor.puts, f"{calls['followed']:,} follow AFAS; the others' AFAS quantity floors to 0"),
        row("   first run: AFAS calls", f0.afas, f0.floor.afas, f"1 metainfo + ceil({sizes.items:,} / {calls['take']:,}); {sum(r.afas for r in first)} over all runs"),
        row("   429s met", sum(r.rate_limited for r in first), 0),
    ]  # fmt: skip
    for (reads_label, puts_label), q in zip(QUIET, calls["quiet"], strict=True):
        reach = f"{q.floor.reached:,} variants changed since the last refresh − overlap"
        reach += " (the flow's own pushes)" if q.floor.reached else ""
        out.append(row(reads_label, q.reads, q.floor.reads, reach))
        out.append(row(puts_label, q.puts, q.floor.puts))
    steady, c, f = calls["quiet"][-1], calls["changed"], calls["full"]
    out += [
        row("   quiet: AFAS calls per run", steady.afas, steady.floor.afas),
        row(f"3. {calls['changed_items']} AFAS items changed (1 %): PUTs", c.puts, c.floor.puts),
        row("   GET /variants.json (incremental)", c.reads, c.floor.reads),
        row(f"4. Full comparison after {calls['drifted']} back-office changes: GET /variants.json", f.reads, f.floor.reads),
        row("   PUTs (the changed variants back to AFAS's level)", f.puts, f.floor.puts),
    ]  # fmt: skip
    for t in f0.tasks:
        out.append((f"5. Peak RSS, first run, {t['step']}", f"{t['maxrss_mb']:.0f} MB", "", "", f"own process, {t['seconds']:.1f} s"))  # fmt: skip
    return out


def backlog_rows(sizes: Sizes, backlog: dict[str, Any]) -> list[Row]:
    w, lim, least = backlog["windows"], sizes.backlog_limits, backlog["least_left"]
    return [
        heading(
            f"6. Backlog of {sizes.backlog:,} levels, real budget {lim[0]}/{lim[1]:,}/{lim[2]:,}: a stock run every "
            f"15 min, then an orders run of {sizes.orders_per_run} new orders in the same 5-min window"
        ),
        row("   runs until the backlog is pushed", len(w), backlog["runs_floor"], f"stock may use {backlog['share']} of {backlog['limit']} calls a window"),
        ("   least share of a 5-min window left to orders", f"{least:.1%}", "", "", f"target ≥ 40 %: {'met' if least >= 0.4 else 'MISSED'}"),
        row("   429s met by orders", sum(x["orders"]["rate_limited"] for x in w), 0),
        row("   429s met by stock", sum(x["stock"].rate_limited for x in w), 0),
    ]  # fmt: skip


def window_table(backlog: dict[str, Any]) -> str:
    from lightspeed_afas.tables import text_table

    limit = backlog["limit"]
    header = ("run", "stock calls", "reads", "PUTs", "orders calls", "window used", "share left")
    header += ("left to orders", "orders 429s", "hour used", "stock run")
    cells = []
    for i, w in enumerate(backlog["windows"], 1):
        s, o = w["stock"], w["orders"]
        cells.append(
            (str(i), str(s.ls_calls), str(s.reads), str(s.puts), str(o["calls"]), f"{w['used']} / {limit}")
            + (f"{1 - w['used'] / limit:.1%}", f"{1 - s.ls_calls / limit:.1%}", str(o["rate_limited"]))
            + (str(w["hour"]), s.outcome)
        )
    title = "per 5-minute window (a stock run, then an orders run; the window starts with the stock run):"
    return title + "\n" + text_table(header, cells, rule=True)


def format_table(rows: list[Row]) -> str:
    names = ("figure", "measured", "floor", "ratio", "note")
    body = [r for r in rows if r[1]]
    widths = [max([len(n)] + [len(r[i]) for r in body]) for i, n in enumerate(names)]
    lines = ["  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for r in rows:
        if not r[1]:
            lines.append(r[0])
            continue
        cells = [r[0].ljust(widths[0]), *(c.rjust(w) for c, w in zip(r[1:4], widths[1:4], strict=True)), r[4]]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def run(sizes: Sizes, out: Path | None) -> dict[str, Any]:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="lsafas-bench-stock-") as tmp:
        (Path(tmp) / "calls").mkdir()
        (Path(tmp) / "backlog").mkdir()
        calls = calls_scenario(Path(tmp) / "calls", sizes)
        print(f"  stock: calls scenario done ({time.perf_counter() - started:.0f} s)", flush=True)
        backlog = backlog_scenario(Path(tmp) / "backlog", sizes)
    rows = calls_rows(sizes, calls) + backlog_rows(sizes, backlog)
    table = format_table(rows) + "\n\n" + window_table(backlog)
    seconds = time.perf_counter() - started
    print(table + f"\n\n(the stock benchmark took {seconds / 60:.1f} minutes)", flush=True)
    if out is not None:
        runs = [*calls["first"], *calls["quiet"], calls["changed"], calls["full"]]
        raw = [json.dumps(asdict(r), sort_keys=True, default=str) for r in runs]
        raw += [json.dumps({**w, "stock": asdict(w["stock"])}, sort_keys=True, default=str) for w in backlog["windows"]]  # fmt: skip
        text = common.header("Stock flow: calls, peak RSS, budget shared with orders") + "\n\n" + table
        common.write_result(
            out.name, text + f"\n\n({seconds / 60:.1f} minutes)\n\nraw:\n" + "\n".join(raw), out.parent
        )
    return {"sizes": sizes, "calls": calls, "backlog": backlog}


def summary_rows(result: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """Rows for the combined table (``python -m bench``): benchmark, measured, floor, target."""
    sizes, calls, backlog = result["sizes"], result["calls"], result["backlog"]
    first, steady, changed, full = calls["first"], calls["quiet"][-1], calls["changed"], calls["full"]
    f0 = first[0]
    sync_calls = sum(r.ls_calls for r in first)
    top = max(f0.tasks, key=lambda t: t["maxrss_mb"])
    least = backlog["least_left"]
    orders_429 = sum(w["orders"]["rate_limited"] for w in backlog["windows"])
    return [
        (f"6. Stock, first sync of {sizes.variants:,} variants ({len(first)} runs): Lightspeed calls", f"{sync_calls:,}", f"{f0.floor.reads + f0.floor.puts:,}", ratio(sync_calls, f0.floor.reads + f0.floor.puts)),
        ("   stock, quiet run in steady state: Lightspeed calls", f"{steady.ls_calls}", f"{steady.floor.reads + steady.floor.puts}", ratio(steady.ls_calls, steady.floor.reads + steady.floor.puts)),
        (f"   stock, {calls['changed_items']} AFAS items changed: PUTs", f"{changed.puts}", f"{changed.floor.puts}", ratio(changed.puts, changed.floor.puts)),
        ("   stock, full comparison: Lightspeed calls", f"{full.ls_calls}", f"{full.floor.reads + full.floor.puts}", ratio(full.ls_calls, full.floor.reads + full.floor.puts)),
        (f"   stock, peak RSS of a task (first run: {top['step']})", f"{top['maxrss_mb']:.0f} MB", "", ""),
        (f"   stock backlog of {sizes.backlog:,} ({len(backlog['windows'])} runs): least 5-min share left to orders", f"{least:.1%}", "", f"≥ 40 %: {'met' if least >= 0.4 else 'MISSED'}"),
        ("   orders' 429s during the stock backlog", f"{orders_429}", "0", f"0: {'met' if orders_429 == 0 else 'MISSED'}"),
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    common.airflow_env()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: proves the bench works")
    parser.add_argument("--out", type=Path, default=common.RESULTS / "stock.txt")
    args = parser.parse_args(argv)
    run(SMOKE if args.smoke else FULL, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
