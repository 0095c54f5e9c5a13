"""The capacity benchmark's parts that need no topology: the many-shops emulator keeps tenants apart, the
CPU reading counts a session's processes, and the report says whether a quarter's runs fit."""

from __future__ import annotations

import os
import subprocess
import sys

import requests

from bench.bench_capacity import cpu_of_group, report
from bench.emulator_mux import Mux, afas_factory, lightspeed_factory, shop_credentials
from emulators.server import serve_in_thread


def test_each_tenant_has_a_shop_of_its_own_with_its_own_key():
    with serve_in_thread(Mux(lightspeed_factory(orders=2))) as server:
        one, two = (f"{server.url}/t/{n}/nl/orders.json" for n in (1, 2))
        first = requests.get(one, auth=shop_credentials(1), timeout=10)
        assert first.status_code == 200 and len(first.json()["orders"]) == 2
        assert requests.get(two, auth=shop_credentials(1), timeout=10).status_code == 401
        second = requests.get(two, auth=shop_credentials(2), timeout=10).json()["orders"]
        assert {o["id"] for o in second} and second != first.json()["orders"]
        assert requests.get(f"{server.url}/nl/orders.json", timeout=10).status_code == 404


def test_each_afas_environment_knows_the_demo_articles_and_keeps_its_own_orders():
    with serve_in_thread(Mux(afas_factory())) as server:
        states = [requests.get(f"{server.url}/t/{n}/_admin/state", timeout=10).json() for n in (1, 2)]
        assert all("ART-1001" in state["catalogue"]["items"] for state in states)
        assert states[0]["orders"] == [] == states[1]["orders"]


CHILD = """
import resource, subprocess, sys
subprocess.run([sys.executable, "-c", "sum(i * i for i in range(3_000_000))"], check=True)
used = resource.getrusage(resource.RUSAGE_CHILDREN)
print(used.ru_utime + used.ru_stime, flush=True)
sys.stdin.read()
"""


def test_cpu_of_a_session_counts_the_children_its_processes_reaped():
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        reaped = float(child.stdout.readline())
        counted = cpu_of_group(child.pid)
    finally:
        child.stdin.close()
        child.wait(timeout=30)
    assert reaped > 0.05  # the grandchild's loop, gone by now
    # Its seconds, in the child's children times, plus the child's own. /proc counts in clock ticks,
    # getrusage in microseconds: the two may differ by a tick per field (user, system).
    tick = 1 / os.sysconf("SC_CLK_TCK")
    assert counted >= reaped - 2 * tick


def test_the_report_says_whether_the_quarter_held_the_runs():
    result = {
        "tenants": 100, "dags": 100, "runs": 100, "succeeded": 100, "failed": 0, "makespan": 420.0,
        "waited": 421.0, "inside_quarter": True, "start_lag": [1.0, 200.0], "first_task_lag": [2.0, 210.0],
        "duration": [10.0, 30.0], "worker_cpu": 900.0, "emulator_cpu": 30.0, "machine_cpu": 1500.0,
        "db_growth_bytes": 100 * 40960, "parse_seconds": 3.2, "loaded_after": 60.0, "orders_booked": 300,
        "task_states": {"success": 500}, "concurrency": 8,
    }  # fmt: skip
    row = report([result]).splitlines()[2]
    assert row.startswith("100 | 100 | 100 (100/0) of 100 | 420 (yes) |")
    assert "| 900 (9.0) |" in row and "| 40 KiB / 0.37 GiB |" in row and row.endswith("| -")
    quiet = {"makespan": 95.0, "waited": 96.0, "runs": 100, "worker_cpu": 70.0}
    assert report([{**result, "idle": quiet}]).splitlines()[2].endswith("| 95, 0.7")
    late = report([{**result, "makespan": None, "inside_quarter": False, "waited": 1200.0}])
    assert "not done after 1200" in late
