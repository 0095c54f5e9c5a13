"""Every benchmark runs end to end at a tiny size (``python -m bench --smoke``), so none of them rots.

Benchmarks are not tests: nothing here judges a time. What is checked is that each benchmark ran, wrote
its raw output and put its rows in the table, and the counts that are facts rather than speeds (every
order booked once, no AFAS write for an unchanged order).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bench.bench_throughput import budget_floor

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def smoke(tmp_path_factory) -> tuple[str, Path]:
    out = tmp_path_factory.mktemp("bench-results")
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--out-dir", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout, out


def test_the_table_has_a_row_for_every_benchmark(smoke):
    stdout, out = smoke
    summary = (out / "summary.txt").read_text()
    assert summary.strip().splitlines()[-1].startswith("(make bench took")
    for row in (
        r"1\. Lightspeed calls/order, first sync, 20 orders",
        r"AFAS calls/booked order, returning customers, 20",
        r"AFAS writes for unchanged orders, re-sync, 20",
        r"2\. Backlog of 40 orders: wall time",
        r"3\. Transform \+ validation, 200 orders",
        r"4\. DAG parse time, 3 tenant files",
        r"5\. Peak RSS of a task, 20-order first sync\s+\d+ MB",
        r"6\. Stock, first sync of 300 variants",
        r"stock backlog of 60 \(\d+ runs\): least 5-min share left to orders\s+\d+\.\d%",
    ):
        assert re.search(row, summary), row
    assert "cores" in summary and "apache-airflow 3.3.2" in summary  # the machine and versions
    assert summary.split("\n\n")[1] in stdout  # the same table is printed


def test_each_benchmark_writes_its_raw_output(smoke):
    _, out = smoke
    assert {"calls.txt", "parse.txt", "processing.txt", "stock.txt", "throughput.txt", "summary.txt"} <= {
        p.name for p in out.iterdir()
    }
    raw = (out / "throughput.txt").read_text().split("raw:\n", 1)[1].strip()
    figures = json.loads(raw.split(" ", 1)[1])
    assert figures["complete"] is True and figures["fetched"] == 40
    assert figures["calls"] - figures["rate_limited"] == 41  # one list page and one call per order
    assert "run=1 orders_per_s=" in (out / "processing.txt").read_text()


def test_the_sync_books_every_order_once_and_rewrites_none_unchanged(smoke):
    _, out = smoke
    runs = {}
    for line in (out / "calls.txt").read_text().split("raw:\n", 1)[1].strip().splitlines():
        key, _, figures = line.partition(" {")
        runs[key.split(" ")[1]] = json.loads("{" + figures)
    first, resync = runs["run=first"], runs["run=resync"]
    assert first["booked"] == first["orders"] == 20
    assert first["lightspeed"]["GET /{lang}/orders/{id}.json"] == 20
    assert resync["to_book"] == 2  # 10 % changed
    writes = {k: v for k, v in resync["afas"].items() if k.split(" ")[0] in ("POST", "PUT", "DELETE")}
    assert writes == {"PUT /connectors/FbSales": 2}
    assert all(t["maxrss_mb"] > 0 for t in first["tasks"]) and len(first["tasks"]) == 4


def test_budget_floor_follows_the_emulators_fixed_windows():
    # 5,024 calls at 300 / 5 min and 3,000 / h: ten windows, the hour's reset at 60 min, then seven more.
    assert budget_floor(5024, (300, 3000, 12000), scale=1.0) == 90 * 60
    assert budget_floor(5024, (300, 3000, 12000), scale=15.0) == 360.0
    assert budget_floor(300, (300, 3000, 12000), scale=1.0) == 0.0  # one window: no waiting at all
    # With 50 ms per call: the first call's latency (the windows start with it) and the last window's 223 more.
    assert budget_floor(5024, (300, 3000, 12000), 15.0, 0.05) == pytest.approx(360.0 + 224 * 0.05)
