"""What one run of the orders DAG costs on the Celery topology: an idle run (nothing new in the shop) and
a run with 10 new orders — worker CPU seconds (the worker's whole process group: the Celery worker, its
forks and the task processes they start), wall seconds from queued to done, and the task processes
started (task instances that ran, not skipped).

    python -m bench.bench_run_cost [--idle 5] [--busy 3]

The topology is the system tests' (tests/system/deployment.py), one tenant. To measure an older
commit: check it out elsewhere and run this file from there with PYTHONPATH=<checkout>/src:<checkout>.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.bench_capacity import cpu_of_group

REPO = Path(__file__).resolve().parents[1]
TENANT = "cost"
DAG_ID = f"lightspeed_afas_{TENANT}"


def one_run(dep: Any, worker_pgid: int) -> dict[str, Any]:
    from tests.system.deployment import afas_state, wait_until_settled

    time.sleep(3)  # let the worker go quiet (heartbeats only) before reading its CPU
    before = cpu_of_group(worker_pgid)
    booked_before = len(afas_state(dep.erps[TENANT])["orders"])
    # As the webhook receiver asks for it: the run reads from the watermark up to its own start (a manual
    # run without params would read the last complete quarter-hour, not the orders just placed).
    body = {"logical_date": None, "conf": {"source": "webhook"}}
    run = dep.api.request("POST", f"/dags/{DAG_ID}/dagRuns", json=body)
    wait_until_settled(dep, DAG_ID, run["dag_run_id"])
    after = cpu_of_group(worker_pgid)
    info = dep.api.get(f"/dags/{DAG_ID}/dagRuns/{run['dag_run_id']}")
    tis = dep.api.task_instances(DAG_ID, run["dag_run_id"])
    wall = datetime.fromisoformat(info["end_date"]) - datetime.fromisoformat(info["queued_at"])
    return {
        "cpu": after - before,
        "wall": wall.total_seconds(),
        "started": sum(1 for ti in tis if ti["state"] not in ("skipped", None) and ti["start_date"]),
        "booked": len(afas_state(dep.erps[TENANT])["orders"]) - booked_before,
        "states": {ti["task_id"]: ti["state"] for ti in tis},
    }


def measure(idle: int, busy: int) -> dict[str, Any]:
    from tests.system.deployment import Plan, place_orders, running_deployment, wait_until_settled

    with tempfile.TemporaryDirectory(prefix="lsafas-bench-cost-") as tmp:
        with running_deployment(Path(tmp), Plan(tenants=(TENANT,), orders_per_shop=3)) as dep:
            dep.wait("the DAG", lambda: dep.api.get(f"/dags/{DAG_ID}"), 120)
            dep.api.request("PATCH", f"/dags/{DAG_ID}", json={"is_paused": False})
            first = dep.wait("the first scheduled run", lambda: dep.api.dag_runs(DAG_ID), 120)
            wait_until_settled(dep, DAG_ID, first[0]["dag_run_id"])
            worker = dep.processes.components["airflow-worker"].process.pid
            idle_runs = [one_run(dep, worker) for _ in range(idle)]
            busy_runs = []
            for index in range(busy):
                place_orders(dep.shops[TENANT].url, 10, f"busy{index}x", quantity=2)
                busy_runs.append(one_run(dep, worker))
    return {"idle": idle_runs, "busy": busy_runs}


def report(result: dict[str, Any]) -> str:
    lines = [
        "run | n | orders booked per run | worker CPU s (median, max) | wall s queued → done (median, max) | "
        "task processes | states"
    ]
    for kind, label in (("idle", "idle (nothing new)"), ("busy", "10 new orders")):
        runs = result[kind]
        if not runs:
            continue
        cpu = [r["cpu"] for r in runs]
        wall = [r["wall"] for r in runs]
        started = sorted({r["started"] for r in runs})
        booked = sorted({r["booked"] for r in runs})
        lines.append(
            f"{label} | {len(runs)} | {booked} | {statistics.median(cpu):.1f}, {max(cpu):.1f} | "
            f"{statistics.median(wall):.1f}, {max(wall):.1f} | {started} | {json.dumps(runs[-1]['states'])}"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--idle", type=int, default=5)
    parser.add_argument("--busy", type=int, default=3)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "run_cost.txt")
    args = parser.parse_args()
    result = measure(args.idle, args.busy)
    text = report(result)
    print(text)
    args.out.write_text(text + "\nraw: " + json.dumps(result) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
