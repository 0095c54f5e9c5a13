"""Throughput against the Lightspeed rate limit: a 5,000-order backlog, wall time next to the floor.

The Lightspeed emulator enforces the real budgets (300 requests per 5 minutes, 3,000 per hour, 12,000 per
day per key) on a compressed clock (``POST /_admin/clock {"scale": f}``: f emulated seconds per real
second, printed) and answers every call 50 ms late (``faults latency_ms``). Its rate-limit headers give
the resets in *real* seconds, so the hook's pacing works unchanged on the compressed clock.

The backlog is read by ``extract_orders`` in a process of its own, as a worker runs the task: every
Lightspeed call of a run happens in that task (resolve, transform and load only talk to AFAS, which
has no request budget — only 8 calls in flight; ``bench_calls`` counts those calls).

Two floors, both computed for the number of calls the run made, with the emulator's fixed windows (a
window starts with the first request after the previous one ended):

- *rate-limit floor*: when the last call may be made at the earliest if calls took no time — the time
  the budgets themselves impose. The target is a wall time ≤ 1.1× this floor.
- *ideal sequential client*: the same with every call taking exactly the 50 ms latency, never waiting
  a moment longer than the budget requires (what a perfect pacer with one connection would achieve).

The scale is chosen so that the budget, not the latency, bounds the run (a 5-minute window is 20 real
seconds at scale 15, and 300 calls at 50 ms take 15 s), as on the real clock (300 s per window).

    python -m bench.bench_throughput                  # 5,000 orders, scale 15 (about 6½ minutes)
    python -m bench.bench_throughput --smoke          # 40 orders, budgets of 25 per window, scale 300
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import common

WINDOW_SECONDS = (300, 3600, 86400)
TARGET_RATIO = 1.1


def budget_floor(calls: int, limits: tuple[int, int, int], scale: float, latency_s: float = 0.0) -> float:
    """Real seconds from the first call until the last call is answered, for a client that sends each
    call the moment the budget allows it (and the previous one was answered). Mirrors the emulator's
    windows: fixed, starting with the first request after the previous window ended."""
    # Emulated seconds throughout (so a reset lands exactly on the window's end), real seconds at the end.
    started: list[float | None] = [None, None, None]
    used = [0, 0, 0]
    t = 0.0
    for _ in range(calls):
        now = t + latency_s * scale
        while True:
            for i in range(3):
                start = started[i]
                if start is None or now >= start + WINDOW_SECONDS[i]:
                    started[i], used[i] = now, 0
            blocked = [i for i in range(3) if used[i] >= limits[i]]
            if not blocked:
                break
            now = max(float(started[i] or 0.0) + WINDOW_SECONDS[i] for i in blocked)
        for i in range(3):
            used[i] += 1
        t = now
    return t / scale


def run_once(
    workdir: Path,
    orders: int,
    scale: float,
    limits: tuple[int, int, int],
    latency_ms: float,
    profile: Path | None = None,
) -> dict[str, Any]:
    with common.emulator_stack(workdir, rate_limits=limits) as stack:
        mix = common.order_mix(orders, "throughput")
        stack.seed(mix)
        stack.shop("POST", "/faults", {"latency_ms": latency_ms})
        clock = stack.shop("POST", "/clock", {"scale": scale})
        ledger_url = stack.new_ledger("throughput")
        stack.reset_calls()
        started = time.perf_counter()
        out, tasks = common.run_in_subprocesses(
            ledger_url,
            "throughput",
            mix.window,
            workdir,
            steps=("extract_orders",),
            profile={"extract_orders": profile} if profile else None,
        )
        process_wall = time.perf_counter() - started
        calls = stack.shop("GET", "/calls")
    answered = calls["total"] - calls["rate_limited"]
    task = tasks[0]
    stats = out.get("stats", {})
    return {
        "orders": orders,
        "scale": clock["scale"],
        "limits": list(limits),
        "latency_ms": latency_ms,
        "calls": calls["total"],
        "rate_limited": calls["rate_limited"],
        "complete": out.get("complete"),
        "fetched": out.get("counts", {}).get("to_new", 0),
        "task_seconds": task.seconds,
        "process_seconds": process_wall,
        "maxrss_mb": task.maxrss_mb,
        "waited_s": stats.get("waited_s", {}).get("lightspeed", 0.0),
        "latency_p50_ms": stats.get("latency_ms", {}).get("lightspeed", {}).get("p50"),
        "rate_floor": budget_floor(answered, limits, clock["scale"]),
        "ideal_floor": budget_floor(answered, limits, clock["scale"], latency_ms / 1000),
        "latency_floor": answered * latency_ms / 1000,
    }


def run(
    orders: int,
    scale: float,
    limits: tuple[int, int, int],
    latency_ms: float,
    repetitions: int,
    out: Path | None,
    profile: Path | None = None,
) -> dict[str, Any]:
    results = []
    with tempfile.TemporaryDirectory(prefix="lsafas-bench-thr-") as tmp:
        for rep in range(1, repetitions + 1):
            workdir = Path(tmp) / str(rep)
            workdir.mkdir()
            result = run_once(
                workdir, orders, scale, limits, latency_ms, profile if rep == repetitions else None
            )
            results.append(result)
            print(
                f"  throughput: run {rep}/{repetitions}: {result['task_seconds']:.1f} s for "
                f"{result['calls']} calls (floor {result['rate_floor']:.1f} s)",
                flush=True,
            )
    figures = {
        "runs": results,
        "wall": common.Spread.of([r["task_seconds"] for r in results]),
        "ratio": common.Spread.of([r["task_seconds"] / r["rate_floor"] for r in results if r["rate_floor"]]),
        "ideal_ratio": common.Spread.of(
            [r["task_seconds"] / r["ideal_floor"] for r in results if r["ideal_floor"]]
        ),
    }
    table = format_table(figures)
    print(table)
    if out is not None:
        raw = "\n".join(f"rep={i} " + json.dumps(r, sort_keys=True) for i, r in enumerate(results, 1))
        common.write_result(
            out.name,
            common.header("Throughput against the Lightspeed rate limit")
            + "\n\n"
            + table
            + "\n\nraw:\n"
            + raw,
            out.parent,
        )
    return figures


def format_table(f: dict[str, Any]) -> str:
    last = f["runs"][-1]
    ratio = f["ratio"]
    verdict = "met" if ratio.median <= TARGET_RATIO else "MISSED"
    per_window = last["limits"][0]
    emulated = last["rate_floor"] * last["scale"]
    return "\n".join(
        [
            f"Throughput: {last['orders']:,}-order backlog, Lightspeed budgets {'/'.join(map(str, last['limits']))} "
            f"per 5 min/hour/day, clock scale {last['scale']:g} (a 5-minute window = "
            f"{300 / last['scale']:.1f} real s), {last['latency_ms']:g} ms latency per call "
            f"({len(f['runs'])} run{'s' * (len(f['runs']) > 1)}; target ≤ {TARGET_RATIO}× the rate-limit floor: {verdict})",
            f"  Lightspeed calls           {last['calls']:,} ({last['rate_limited']} answered 429; "
            f"{math.ceil(last['calls'] / per_window)} windows of {per_window})",
            f"  wall time (extract task)   {f['wall'].fmt(1, ' s')}",
            f"  rate-limit floor           {last['rate_floor']:.1f} s ({emulated / 60:.0f} emulated minutes)",
            f"  ideal sequential client    {last['ideal_floor']:.1f} s (floor + {last['latency_ms']:g} ms per call)",
            f"  wall / rate-limit floor    {ratio.fmt(3, '×')}",
            f"  wall / ideal client        {f['ideal_ratio'].fmt(3, '×')}",
            f"  waited for the budget      {last['waited_s']:.1f} s; call latency p50 {last['latency_p50_ms']} ms; "
            f"orders fetched {last['fetched']:,}; run complete: {last['complete']}",
            f"  peak RSS of the task       {last['maxrss_mb']:.0f} MB",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    common.airflow_env()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="40 orders, budgets of 25, scale 300, one run")
    parser.add_argument("--orders", type=int, default=5000)
    parser.add_argument("--scale", type=float, default=15.0)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--repetitions", type=int, default=1, help="runs (each about 6½ minutes at 5,000)")
    parser.add_argument("--profile", type=Path, default=None, help="write a pyinstrument profile of the task")
    parser.add_argument("--out", type=Path, default=common.RESULTS / "throughput.txt")
    args = parser.parse_args(argv)
    if args.smoke:
        run(40, 300.0, (25, 1000, 10000), 5.0, 1, args.out, args.profile)
    else:
        run(
            args.orders,
            args.scale,
            common.REAL_LIMITS,
            args.latency_ms,
            args.repetitions,
            args.out,
            args.profile,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
