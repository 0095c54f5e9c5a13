"""``make bench``: every benchmark in ``bench/``, then one table (also in ``bench/results/summary.txt``).

    python -m bench                 # the full run (about 16 minutes on 2 cores)
    python -m bench --smoke         # every benchmark at a tiny size (the tests run this)

Raw output of each benchmark goes to ``bench/results/`` (or ``--out-dir``); where a time target is
missed, a pyinstrument profile of it goes next to it (``profile-*.txt``).
"""

from __future__ import annotations

import argparse
import atexit
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import common


def main(argv: list[str] | None = None) -> int:
    common.airflow_env()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="every benchmark at a tiny size, one run each")
    parser.add_argument("--out-dir", type=Path, default=common.RESULTS)
    args = parser.parse_args(argv)
    out: Path = args.out_dir
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()

    import tempfile

    from bench import (
        bench_articles,
        bench_calls,
        bench_parse,
        bench_processing,
        bench_stock,
        bench_throughput,
    )

    tenant_dir = Path(tempfile.mkdtemp(prefix="lsafas-bench-tenant-"))
    atexit.register(shutil.rmtree, tenant_dir, ignore_errors=True)
    common.tenant_files(tenant_dir)
    heading = common.header("lightspeed-afas benchmarks" + (" (smoke run: tiny sizes)" if args.smoke else ""))
    print(heading, flush=True)

    print("\n[3] processing without the network", flush=True)
    if args.smoke:
        processing = bench_processing.run(200, 1, out / "processing.txt", profile=False)
    else:
        processing = bench_processing.run(10_000, 3, out / "processing.txt")

    print("\n[4] DAG parse time", flush=True)
    parse_sizes, parse_reps = ([3], 1) if args.smoke else ([10, 100, 500, 1000], 3)
    parse = bench_parse.run(parse_sizes, parse_reps, out / "parse.txt")

    print("\n[1, 5] calls per order; peak RSS of the tasks at the largest size", flush=True)
    if args.smoke:
        calls = bench_calls.run([20], 1, 1, out / "calls.txt", subprocess_from=20)
    else:
        calls = bench_calls.run([100, 1000, 5000], 3, 1, out / "calls.txt")

    print("\n[6] the stock flow: calls, peak RSS, the budget shared with orders", flush=True)
    stock = bench_stock.run(bench_stock.SMOKE if args.smoke else bench_stock.FULL, out / "stock.txt")

    print("\n[7] the articles flow: calls, writes, the budget shared with orders", flush=True)
    articles = bench_articles.run(
        bench_articles.SMOKE if args.smoke else bench_articles.FULL, out / "articles.txt"
    )

    print("\n[2] throughput against the Lightspeed rate limit", flush=True)
    if args.smoke:
        throughput = bench_throughput.run(40, 300.0, (25, 1000, 10000), 5.0, 1, out / "throughput.txt")
    else:
        throughput = bench_throughput.run(5000, 15.0, common.REAL_LIMITS, 50.0, 1, out / "throughput.txt")
        if throughput["ratio"].median > bench_throughput.TARGET_RATIO:
            print("  target missed: profiling a 1,000-order run", flush=True)
            bench_throughput.run(
                1000, 15.0, common.REAL_LIMITS, 50.0, 1, None, profile=out / "profile-throughput.txt"
            )

    table = summary_table(
        processing,
        parse,
        bench_calls.summary(calls),
        throughput,
        args.smoke,
        bench_stock.summary_rows(stock) + bench_articles.summary_rows(articles),
    )
    minutes = (time.perf_counter() - started) / 60
    text = f"{heading}\n\n{table}\n\n(make bench took {minutes:.1f} minutes)"
    print("\n" + text)
    common.write_result("summary.txt", text, out)
    return 0


def summary_table(
    processing: dict[str, Any],
    parse: list[dict[str, Any]],
    calls: dict[str, Any],
    throughput: dict[str, Any],
    smoke: bool,
    stock: Sequence[tuple[str, str, str, str]] = (),
) -> str:
    rows: list[tuple[str, str, str, str]] = []

    def verdict(ok: bool) -> str:
        return "met" if ok else "MISSED"

    for size, r in calls["rows"].items():
        runs = f"{r['runs']} run{'s' * (r['runs'] > 1)}"
        rows.append(
            (
                f"1. Lightspeed calls/order, first sync, {size:,} orders ({runs})",
                r["ls_first"].fmt(3),
                f"{r['ls_first_floor']:.3f}",
                f"≤ 1.01: {verdict(r['ls_first'].median <= 1.01)}",
            )
        )
        rows.append(
            (
                f"   AFAS calls/booked order, first sync, {size:,} (mix)",
                r["afas_first"].fmt(3),
                f"{r['afas_first_floor']:.3f}",
                "(incl. new relations)",
            )
        )
        rows.append(
            (
                f"   AFAS calls/booked order, returning customers, {size:,}",
                r["afas_returning"].fmt(3),
                f"{r['afas_returning_floor']:.3f}",
                f"≤ 1.15: {verdict(r['afas_returning'].median <= 1.15)}",
            )
        )
        rows.append(
            (
                f"   Lightspeed calls/order, re-sync (10 % changed), {size:,}",
                r["ls_resync"].fmt(3),
                f"{r['ls_resync_floor']:.3f}",
                "",
            )
        )
        rows.append(
            (
                f"   AFAS calls/changed order, re-sync, {size:,}",
                r["afas_resync"].fmt(3),
                f"{r['afas_resync_floor']:.3f}",
                "",
            )
        )
        rows.append(
            (
                f"   AFAS writes for unchanged orders, re-sync, {size:,}",
                r["unchanged_writes"].fmt(0),
                "0",
                f"0: {verdict(r['unchanged_writes'].high == 0)}",
            )
        )
    last = throughput["runs"][-1]
    rows.append(
        (
            f"2. Backlog of {last['orders']:,} orders: wall time (clock ×{last['scale']:g}, "
            f"{last['latency_ms']:g} ms/call, {len(throughput['runs'])} run)",
            throughput["wall"].fmt(1, " s"),
            f"{last['rate_floor']:.1f} s",
            f"≤ 1.1× floor: {throughput['ratio'].fmt(3, '×')} {verdict(throughput['ratio'].median <= 1.1)}",
        )
    )
    rows.append(
        (
            "   same, against an ideal sequential client (floor + latency)",
            throughput["wall"].fmt(1, " s"),
            f"{last['ideal_floor']:.1f} s",
            f"{throughput['ideal_ratio'].fmt(3, '×')}",
        )
    )
    rate = processing["rate"]
    rows.append(
        (
            f"3. Transform + validation, {processing['orders']:,} orders ({processing['runs']} runs)",
            rate.fmt(0, " orders/s"),
            "",
            f"≥ 2,000/s: {verdict(rate.median >= 2000)}",
        )
    )
    rows.append(
        (
            "   peak memory of that pass (tracemalloc)",
            f"{processing['peak_alloc_mb']:.0f} MB",
            "",
            "",
        )
    )
    for row in parse:
        tenants = int(row["tenants"])
        spread = common.Spread(
            float(row["median"]), float(row["min"]), float(row["max"]), 3 if not smoke else 1
        )
        rows.append(
            (
                f"4. DAG parse time, {tenants:,} tenant files",
                spread.fmt(2, " s"),
                "",
                f"≤ 5 s: {verdict(spread.median <= 5)}" if tenants >= 1000 else "",
            )
        )
    biggest = max(calls["rows"])
    for label, key in (("first sync", "first_tasks"), ("re-sync", "resync_tasks")):
        tasks = [t for run in calls["rows"][biggest][key] for t in run]
        if not tasks:
            continue
        top = max(tasks, key=lambda t: t["maxrss_mb"])
        per_task = ", ".join(f"{t['step']} {t['maxrss_mb']:.0f}" for t in calls["rows"][biggest][key][-1])
        rows.append(
            (
                f"5. Peak RSS of a task, {biggest:,}-order {label}",
                f"{top['maxrss_mb']:.0f} MB",
                "",
                f"≤ 500 MB: {verdict(top['maxrss_mb'] <= 500)}",
            )
        )
        rows.append((f"   per task (MB): {per_task}", "", "", ""))
    rows.extend(stock)  # benchmarks 6 and 7: the stock and articles flows (``summary_rows`` of each)
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    names = ("benchmark", "measured: median (low–high)", "floor", "target")
    widths = [max(w, len(n)) for w, n in zip(widths, names, strict=True)]
    lines = ["  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for r in rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
