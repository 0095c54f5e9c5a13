"""Capacity: how many tenants one Celery worker holds at a 15-minute cadence.

For each tenant count, the compose topology (tests/system/deployment.py: PostgreSQL, Redis, api-server,
scheduler, dag-processor, triggerer, one Celery worker with the compose file's settings) is started with
that many generated tenant files, each with a shop and an AFAS environment of its own (two many-shops
emulator processes, bench/emulator_mux.py) and a few orders. All DAGs are unpaused at once: the scheduler
starts every tenant's run of the latest quarter-hour at that moment, as at a quarter-hour boundary.

Measured: whether all those runs finish inside the quarter (the makespan), the scheduling lag (unpause →
run started, → first task started), run durations, the worker's CPU seconds (its whole process group, task
processes included), the emulators' CPU, the metadata DB's growth (per run, and per day at 96 runs per
DAG), the dag-processor's parse time of the tenants' DAG file, and the task states.

    python -m bench.bench_capacity [--tenants 100 300 1000] [--orders 3] [--stock] [--concurrency 8]

Each size takes its makespan (or ``--quarter`` seconds at most) plus about two minutes to start.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psutil
import requests
import sqlalchemy as sa

REPO = Path(__file__).resolve().parents[1]
PATTERN = "lightspeed_afas_t0%"  # the generated tenants t0000… (their stock DAGs too)
STOCK_BLOCK = {
    "schedule": "*/15 * * * *",
    "connector": "Profit_Stock_per_Warehouse",
    "fields": {"item_code": "Item_code", "quantity": "In_stock", "warehouse": None},
    "warehouses": [],
    "match_on": ["articleCode", "sku", "ean"],
}


def cpu_of_group(leader: int) -> float:
    """User + system seconds of every live process in ``leader``'s session, with the children they
    reaped (the task processes Airflow's supervisor starts get a process group of their own, not a
    session: they are counted while they live and, once reaped, in their parent's children times)."""
    session = os.getsid(leader)
    total = 0.0
    for proc in psutil.process_iter():
        with contextlib.suppress(psutil.Error, ProcessLookupError):
            if os.getsid(proc.pid) == session:
                t = proc.cpu_times()
                total += t.user + t.system + t.children_user + t.children_system
    return total


@contextlib.contextmanager
def emulators(orders: int) -> Iterator[tuple[str, str, list[subprocess.Popen[bytes]]]]:
    from tests.support.sinks import free_port

    procs, urls = [], []
    for api in ("lightspeed", "afas"):
        port = free_port()
        argv = [sys.executable, "-m", "bench.emulator_mux", api, "--port", str(port), "--orders", str(orders)]
        procs.append(subprocess.Popen(argv, cwd=REPO, start_new_session=True))
        urls.append(f"http://127.0.0.1:{port}")
    try:
        for url in urls:
            deadline = time.monotonic() + 30
            while True:
                try:
                    requests.get(f"{url}/t/0/", timeout=2)
                    break
                except requests.RequestException:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
        yield urls[0], urls[1], procs
    finally:
        for proc in procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, 15)
            proc.wait(timeout=30)


def parse_seconds(include: Path, env: dict[str, str]) -> float:
    """Seconds to parse dags/lightspeed_afas_tenants.py once, as a dag-processor loop does (median of 3)."""
    code = (
        "import time, runpy; t = time.perf_counter(); "
        f"runpy.run_path({str(REPO / 'dags' / 'lightspeed_afas_tenants.py')!r}); "
        "print(time.perf_counter() - t)"
    )
    seen = []
    for _ in range(3):
        done = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=900
        )
        if done.returncode:
            raise SystemExit(f"parsing the DAG file failed:\n{done.stderr[-2000:]}")
        seen.append(float(done.stdout.strip().splitlines()[-1]))
    return statistics.median(seen)


def db_size(metadata: sa.Engine) -> int:
    with metadata.connect() as conn:
        return int(conn.execute(sa.text("SELECT pg_database_size(current_database())")).scalar_one())


def run_rows(metadata: sa.Engine, since: datetime) -> list[Any]:
    """The generated tenants' runs queued from ``since`` on."""
    with metadata.connect() as conn:
        return list(
            conn.execute(
                sa.text(
                    "SELECT r.dag_id, r.run_id, r.state, r.queued_at, r.start_date, r.end_date, "
                    "(SELECT min(ti.start_date) FROM task_instance ti WHERE ti.dag_id = r.dag_id "
                    " AND ti.run_id = r.run_id) AS first_task FROM dag_run r WHERE r.dag_id LIKE :p "
                    "AND r.queued_at >= :since"
                ),
                {"p": PATTERN, "since": since - timedelta(seconds=1)},
            )
        )


def settle(dep: Any, t0: datetime, expected: int, limit: float) -> tuple[list[Any], datetime | None]:
    """Wait until the ``expected`` runs queued since ``t0`` are done, ``limit`` seconds at most."""
    while (datetime.now(UTC) - t0).total_seconds() < limit:
        rows = run_rows(dep.metadata, t0)
        done = [r for r in rows if r.state in ("success", "failed")]
        if len(rows) >= expected and len(done) == len(rows):
            return rows, max(r.end_date for r in done)
        dep.processes.check_alive()
        time.sleep(5)
    return run_rows(dep.metadata, t0), None


def figures(rows: list[Any], t0: datetime, finished_at: datetime | None) -> dict[str, Any]:
    done = [r for r in rows if r.state in ("success", "failed")]
    return {
        "runs": len(rows),
        "succeeded": sum(r.state == "success" for r in rows),
        "failed": sum(r.state == "failed" for r in rows),
        "makespan": (finished_at - t0).total_seconds() if finished_at else None,
        "waited": (datetime.now(UTC) - t0).total_seconds(),
        "inside_quarter": bool(finished_at and (finished_at - t0).total_seconds() <= 900),
        "done_in_quarter": sum(1 for r in done if r.end_date and (r.end_date - t0).total_seconds() <= 900),
        "start_lag": [(r.start_date - t0).total_seconds() for r in rows if r.start_date],
        "first_task_lag": [(r.first_task - t0).total_seconds() for r in rows if r.first_task],
        "duration": [(r.end_date - r.start_date).total_seconds() for r in done if r.start_date],
    }


def idle_quarter(dep: Any, names: tuple[str, ...], worker_pgid: int, limit: float) -> dict[str, Any]:
    """Every orders DAG asked for a run again, with nothing new in its shop: the cost of a quiet quarter."""
    cpu_before = cpu_of_group(worker_pgid)
    t0 = datetime.now(UTC)
    for tenant in names:  # as the receiver asks: the run reads up to its own start
        body = {"logical_date": None, "conf": {"source": "webhook"}}
        dep.api.request("POST", f"/dags/lightspeed_afas_{tenant}/dagRuns", json=body)
    rows, finished_at = settle(dep, t0, len(names), limit)
    return {**figures(rows, t0, finished_at), "worker_cpu": cpu_of_group(worker_pgid) - cpu_before}


def task_states(metadata: sa.Engine) -> dict[str, int]:
    with metadata.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT state, count(*) FROM task_instance WHERE dag_id LIKE :p GROUP BY state"),
            {"p": PATTERN},
        )
        return {str(state): int(n) for state, n in rows}


def percentiles(values: list[float]) -> str:
    if not values:
        return "-"
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"{statistics.median(ordered):.0f} / {p95:.0f} / {ordered[-1]:.0f}"


def quarter(tenants: int, orders: int, stock: bool, concurrency: int, limit: float) -> dict[str, Any]:
    """One size: start the topology, unpause every DAG at once, wait for the runs (``limit`` at most)."""
    from bench.emulator_mux import shop_credentials
    from tests.system.deployment import Endpoint, Plan, running_deployment

    names = tuple(f"t{i:04d}" for i in range(tenants))
    with (
        emulators(orders) as (shop_url, afas_url, emulator_procs),
        tempfile.TemporaryDirectory(prefix="lsafas-bench-capacity-") as tmp,
    ):

        def endpoints(tenant: str) -> tuple[Endpoint, Endpoint]:
            n = int(tenant[1:])
            return Endpoint(f"{shop_url}/t/{n}", *shop_credentials(n)), Endpoint(f"{afas_url}/t/{n}")

        plan = Plan(
            tenants=names,
            worker_concurrency=concurrency,
            endpoints=endpoints,
            tenant_extras={"stock": STOCK_BLOCK} if stock else None,
        )
        started = time.monotonic()
        with running_deployment(Path(tmp), plan) as dep:
            dags_per_tenant = 2 if stock else 1

            def all_loaded() -> bool:
                listed = dep.api.get("/dags", dag_id_pattern="lightspeed_afas_t0", limit=1)["total_entries"]
                return listed >= tenants * dags_per_tenant

            dep.wait(f"the dag-processor to load {tenants * dags_per_tenant} DAGs", all_loaded, 1800, every=5)
            loaded = time.monotonic() - started
            parse = parse_seconds(Path(tmp) / "include", dep.service_env("airflow-dag-processor"))
            worker_pgid = dep.processes.components["airflow-worker"].process.pid
            size_before, cpu_before = db_size(dep.metadata), cpu_of_group(worker_pgid)
            emu_before = sum(cpu_of_group(p.pid) for p in emulator_procs)
            machine_before = sum(psutil.cpu_times()[:3])
            # All at one moment, as at a quarter-hour boundary (the API's bulk PATCH pages by 100).
            with dep.metadata.begin() as conn:
                conn.execute(sa.text("UPDATE dag SET is_paused = false WHERE dag_id LIKE :p"), {"p": PATTERN})
            t0 = datetime.now(UTC)
            expected = tenants * dags_per_tenant
            rows, finished_at = settle(dep, t0, expected, limit)
            cpu = cpu_of_group(worker_pgid) - cpu_before
            emu_cpu = sum(cpu_of_group(p.pid) for p in emulator_procs) - emu_before
            machine = sum(psutil.cpu_times()[:3]) - machine_before
            growth = db_size(dep.metadata) - size_before
            with dep.ledger.connect() as conn:
                booked = conn.execute(
                    sa.text("SELECT count(*) FROM lsafas_order_attempt WHERE action = 'created'")
                ).scalar_one()
            quarter_one = figures(rows, t0, finished_at)
            quiet = idle_quarter(dep, names, worker_pgid, limit) if finished_at else None
            states = task_states(dep.metadata)
    return {
        "tenants": tenants,
        "dags": expected,
        **quarter_one,
        "worker_cpu": cpu,
        "emulator_cpu": emu_cpu,
        "machine_cpu": machine,
        "db_growth_bytes": growth,
        "parse_seconds": parse,
        "loaded_after": loaded,
        "orders_booked": int(booked),
        "task_states": states,
        "concurrency": concurrency,
        "idle": quiet,
    }


def idle_text(result: dict[str, Any]) -> str:
    idle = result.get("idle")
    if not idle:
        return "-"
    span = f"{idle['makespan']:.0f}" if idle["makespan"] else f"not done after {idle['waited']:.0f}"
    return f"{span}, {idle['worker_cpu'] / max(1, idle['runs']):.1f}"


def report(results: list[dict[str, Any]]) -> str:
    lines = [
        "tenants | DAGs | runs done (ok/failed) | makespan s (≤ 900?) | lag to run start p50/p95/max s | "
        "to first task | run s p50/p95/max | worker CPU s (per run) | emulators CPU s | DB growth per run / "
        "per day | parse s | orders booked | task states | idle quarter after: makespan s, worker CPU s per run",
        "---|---|---|---|---|---|---|---|---|---|---|---|---|---",
    ]
    for r in results:
        span = (
            f"{r['makespan']:.0f} ({'yes' if r['inside_quarter'] else 'no'})"
            if r["makespan"]
            else f"not done after {r['waited']:.0f}"
        )
        if not r["inside_quarter"]:
            span += f"; {r.get('done_in_quarter', 0)} done in 900"
        runs = max(1, r["runs"])
        per_run = r["db_growth_bytes"] / runs
        per_day = per_run * 96 * r["dags"]
        lines.append(
            f"{r['tenants']} | {r['dags']} | {r['succeeded'] + r['failed']} ({r['succeeded']}/{r['failed']}) "
            f"of {r['runs']} | {span} | {percentiles(r['start_lag'])} | {percentiles(r['first_task_lag'])} | "
            f"{percentiles(r['duration'])} | {r['worker_cpu']:.0f} ({r['worker_cpu'] / runs:.1f}) | "
            f"{r['emulator_cpu']:.0f} | {per_run / 1024:.0f} KiB / {per_day / 2**30:.2f} GiB | "
            f"{r['parse_seconds']:.1f} | {r['orders_booked']} | {json.dumps(r['task_states'])} | {idle_text(r)}"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, nargs="+", default=[100, 300, 1000])
    parser.add_argument("--orders", type=int, default=3, help="orders per shop in the quarter")
    parser.add_argument("--stock", action="store_true", help="every tenant with the stock flow too")
    parser.add_argument("--concurrency", type=int, default=8, help="the worker's task slots")
    parser.add_argument("--quarter", type=float, default=1200, help="stop waiting after this many seconds")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    results = []
    for count in args.tenants:
        print(f"== {count} tenants{' with stock' if args.stock else ''} ...", flush=True)
        results.append(quarter(count, args.orders, args.stock, args.concurrency, args.quarter))
        print(report(results[-1:]), flush=True)
    text = report(results)
    print(text)
    out = args.out or REPO / "bench" / "results" / ("capacity_stock.txt" if args.stock else "capacity.txt")
    out.write_text(text + "\nraw: " + json.dumps(results, default=str) + "\n", encoding="utf-8")
    return 0 if all(r["failed"] == 0 for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
