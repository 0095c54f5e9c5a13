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


# -- the customers and credit-notes benchmark (``python -m bench.bench_records --smoke``, run by ``make bench``
# after the others) -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def records_smoke(tmp_path_factory) -> tuple[str, Path]:
    out = tmp_path_factory.mktemp("bench-records") / "records.txt"
    done = subprocess.run(
        [sys.executable, "-m", "bench.bench_records", "--smoke", "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout, out


def records_raw(out: Path) -> dict[str, dict]:
    lines = out.read_text().split("raw:\n", 1)[1].strip().splitlines()
    return {figures["run"]: figures for figures in map(json.loads, lines)}


def test_the_records_benchmark_prints_its_table_and_writes_it(records_smoke):
    stdout, out = records_smoke
    for figure in (
        r"1\. Customers, first sync: 40 new customers",
        r"2\. Customers, quiet run",
        r"3\. Customers, 2 changed \(2 %\), include: new_and_changed",
        r"4\. Credit notes, first sync: 20 credit notes over \d+ booked orders",
        r"5\. Credit notes, quiet run",
        r"e-mails with two AFAS relations\s+0\s+0",
        r"credit notes booked twice\s+0\s+0",
        r"credits whose total is not −priceIncl to the cent\s+0\s+0",
    ):
        assert re.search(figure, stdout), figure
    text = out.read_text()
    assert "cores" in text and text.split("\n\n")[1] in stdout  # the machine, and the same table


def test_the_records_benchmark_makes_nothing_twice_and_its_quiet_runs_cost_one_page(records_smoke):
    _, out = records_smoke
    runs = records_raw(out)
    first, quiet, changed = (
        runs["customers/first sync"],
        runs["customers/quiet"],
        runs["customers/2 % changed"],
    )
    inserts = {k: v for k, v in first["afas"].items() if k.startswith("POST")}
    assert sum(inserts.values()) == first["floor"]["afas_inserts"] == first["counts"]["created"]
    assert first["counts"]["created"] + first["counts"]["linked"] == 40
    assert changed["counts"] == {**changed["counts"], "created": 1, "linked": 1}
    books = runs["books"]
    assert books["customers"] == {**books["customers"], "duplicates": 0, "without_one": 0, "ledger_off": 0}
    credits = books["credit_notes"]
    assert (credits["booked"], credits["twice"], credits["lost"], credits["off_by_a_cent"]) == (20, 0, 0, 0)
    notes = runs["credit_notes/first sync"]
    assert notes["afas"]["POST /connectors/FbSales"] == 20 and notes["ls"]["items"] == 20
    for quiet_run in (quiet, runs["credit_notes/quiet"]):
        assert sum(quiet_run["ls"].values()) == 1 and quiet_run["afas"] == {}
