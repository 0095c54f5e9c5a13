"""The parse benchmark runs end to end and reports figures (the test never judges a time)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_smoke_run_prints_a_table_and_writes_raw_figures(tmp_path):
    out = tmp_path / "parse.txt"
    done = subprocess.run(
        [sys.executable, "-m", "bench.bench_parse", "--smoke", "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert re.search(
        r"^\s+3\s+\d+\.\d{3}\s+\d+\.\d{3}\s+\d+\.\d{3}\s+\d+\.\d{3}\s+\d+\.\d{3}$", done.stdout, re.M
    )
    raw = out.read_text()
    assert 'tenants=3 parse=full rep=1 {"dags": 3, "errors": 0, "seconds": ' in raw
    assert 'tenants=3 parse=task rep=1 {"dags": 1, "errors": 0, "seconds": ' in raw
