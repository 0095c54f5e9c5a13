"""Worker killed: the load_to_afas task process gets SIGKILL while its writes are in flight.

The task runs in a process of its own (``tests.reliability.load_worker``); the test kills its process
group at a chosen moment, then retries the task as Airflow would (same run, same upstream XCom) and
runs the next scheduled run. AFAS keeps processing requests whose client died, so some orders are in
AFAS that the ledger never heard of: the retry must find them, not book them again.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import REPO

MOMENTS = {
    # One order insert is committed and its answer held back for 5 s: the kill lands in that gap.
    "while a committed insert waits for its answer": {
        "hang_after_commit": {"count": 1, "connector": "FbSales", "verb": "POST", "seconds": 5}
    },
    # Every AFAS call takes 150 ms: the kill lands after two answered inserts, with others in flight.
    "with several inserts in flight": {"latency_ms": 150},
}


def killed(stack, calls) -> bool:
    return calls["hung"] >= 1 or calls["by_status"].get("POST /connectors/FbSales 201", 0) >= 2


@pytest.mark.parametrize("moment", sorted(MOMENTS))
def test_load_killed_mid_write_is_finished_by_the_retry_without_duplicates(stack, tally, tmp_path, moment):
    stack.reset(orders=14)
    request = stack.request()
    upstream = {}
    for step in ("extract_orders", "resolve_relations", "transform"):
        upstream[step] = stack.step(step, request, upstream)
    inserts = [op for op in upstream["transform"]["operations"] if op["op"] == "insert"]
    assert len(inserts) >= 8
    job = tmp_path / "job.json"
    job.write_text(
        json.dumps(
            {
                "tenant": "shop",
                "request": {
                    "run_id": request.run_id,
                    "mode": request.mode,
                    "window_start": request.window_start.isoformat(),
                    "window_end": request.window_end.isoformat(),
                },
                "upstream": upstream,
            }
        ),
        encoding="utf-8",
    )
    stack.afas_admin("POST", "/calls/reset")
    stack.afas_admin("POST", "/faults", MOMENTS[moment])
    worker = subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.load_worker", str(job)],
        cwd=REPO,
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 120
        while not killed(stack, stack.afas_admin("GET", "/calls")):
            assert worker.poll() is None, worker.stdout.read().decode(errors="replace")[-3000:]
            assert time.monotonic() < deadline, "the worker never reached its first write"
            time.sleep(0.02)
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=30)
        worker.stdout.close()
    assert worker.returncode == -signal.SIGKILL
    tally.faults["worker killed (SIGKILL) in load_to_afas"] += 1
    stack.afas_admin("POST", "/faults", {"clear": True})
    time.sleep(0.5)  # requests the dead worker sent are still being processed by AFAS
    in_afas = len(stack.afas_state()["orders"])
    recorded = len(stack.ledger.orders_with_status("shop", ["booked"]))
    assert 0 < in_afas < len(inserts), "the kill should land mid-load"

    # Airflow retries the task: same run, same upstream XCom.
    retry = stack.step("load_to_afas", request, upstream)
    assert retry["outcome"] == "success", retry
    later = stack.run()
    tally.runs["after a killed worker"] += 2
    assert later.state == "success", later.error_text
    tally.runs["after a killed worker, survived"] += 2
    books = stack.books()
    tally.books("worker killed", books)
    assert books.clean, (moment, books, in_afas, recorded)
    # The orders the killed worker had committed were found by reference, not booked again.
    found = [h for h in stack.ledger.history("shop") if "found by reference" in (h["reason"] or "")]
    assert len(found) >= in_afas - recorded
