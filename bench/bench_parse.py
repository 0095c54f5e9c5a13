"""Parse time of the tenant DAG file for 10 / 100 / 500 / 1,000 tenant files.

Each measurement runs in a fresh Python process with Airflow already imported (as in the dag-processor,
which parses every file in a new process) and times ``DagBag`` over ``dags/lightspeed_afas_tenants.py``
with ``LIGHTSPEED_AFAS_INCLUDE_DIR`` pointing at generated tenant files. It also times the parse a
worker does when a task starts (``get_parsing_context`` names one DAG).

    python -m bench.bench_parse            # full run, writes bench/results/parse.txt
    python -m bench.bench_parse --smoke    # a tiny run (used by the tests)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
DAG_FILE = REPO / "dags" / "lightspeed_afas_tenants.py"
TARGET_SECONDS = 5.0

_MEASURE = r"""
import json, os, sys, time
from airflow.dag_processing.dagbag import DagBag
import airflow.sdk, airflow.providers.standard.operators.python  # pre-imported, as the dag-processor does
t0 = time.perf_counter()
bag = DagBag(dag_folder=sys.argv[1])
print(json.dumps({"seconds": time.perf_counter() - t0, "dags": len(bag.dags), "errors": len(bag.import_errors)}))
"""


def make_include(root: Path, tenants: int) -> Path:
    """``root/include`` with the repo's mappings and ``tenants`` tenant files made from the demo tenant."""
    include = root / "include"
    shutil.copytree(REPO / "include" / "mappings", include / "mappings")
    (include / "tenants").mkdir(parents=True)
    demo = yaml.safe_load((REPO / "include" / "tenants" / "demo.yaml").read_text())
    for i in range(tenants):
        tenant_id = f"shop_{i:04d}"
        data = {**demo, "tenant": tenant_id, "name": f"Shop {i:04d}"}
        # One DAG per tenant: the figures stay comparable with earlier runs.
        for flow in ("stock", "articles", "customers", "credit_notes"):
            data.pop(flow, None)
        data["lightspeed"] = {**demo["lightspeed"], "conn_id": f"lightspeed_{tenant_id}"}
        data["afas"] = {**demo["afas"], "conn_id": f"afas_env_{i % 20:02d}"}  # 20 AFAS environments
        (include / "tenants" / f"{tenant_id}.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    return include


def measure(include: Path, dag_id: str | None = None) -> dict[str, float]:
    env = {**os.environ, "LIGHTSPEED_AFAS_INCLUDE_DIR": str(include)}
    env.pop("_AIRFLOW_PARSING_CONTEXT_DAG_ID", None)
    if dag_id:
        env["_AIRFLOW_PARSING_CONTEXT_DAG_ID"] = dag_id
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(DAG_FILE)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(sizes: list[int], repetitions: int, out: Path) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    raw: list[str] = []
    with tempfile.TemporaryDirectory(prefix="lsafas-bench-") as tmp:
        for size in sizes:
            include = make_include(Path(tmp) / str(size), size)
            full = [measure(include) for _ in range(repetitions)]
            task = [measure(include, "lightspeed_afas_shop_0000") for _ in range(repetitions)]
            for kind, results in (("full", full), ("task", task)):
                for r, result in enumerate(results, 1):
                    raw.append(f"tenants={size} parse={kind} rep={r} " + json.dumps(result, sort_keys=True))
            if any(r["dags"] != size or r["errors"] for r in full):
                raise SystemExit(f"{size} tenants: expected {size} DAGs and no errors, got {full}")
            seconds = [float(r["seconds"]) for r in full]
            task_seconds = [float(r["seconds"]) for r in task]
            rows.append(
                {
                    "tenants": size,
                    "median": statistics.median(seconds),
                    "min": min(seconds),
                    "max": max(seconds),
                    "task_median": statistics.median(task_seconds),
                }
            )
    table = format_table(rows, repetitions)
    print(table)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(table + "\n\nraw measurements:\n" + "\n".join(raw) + "\n")
    return rows


def format_table(rows: list[dict[str, object]], repetitions: int) -> str:
    lines = [
        f"Parse time of {DAG_FILE.relative_to(REPO)} ({repetitions} runs each; target: 1,000 tenants < "
        f"{TARGET_SECONDS:.0f} s)",
        f"{'tenants':>8} {'median s':>9} {'min s':>7} {'max s':>7} {'spread s':>9} {'task start s':>13}",
    ]
    for row in rows:
        lines.append(
            f"{row['tenants']:>8} {row['median']:>9.3f} {row['min']:>7.3f} {row['max']:>7.3f} "
            f"{float(row['max']) - float(row['min']):>9.3f} {row['task_median']:>13.3f}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="3 tenants, one run: proves the bench works")
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "parse.txt")
    args = parser.parse_args(argv)
    if args.smoke:
        run([3], 1, args.out)
    else:
        run([10, 100, 500, 1000], args.repetitions, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
