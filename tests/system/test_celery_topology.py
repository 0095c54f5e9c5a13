"""The compose deployment's topology, run for real on this machine without Docker
(tests/system/deployment.py starts it: PostgreSQL, Redis, api-server, scheduler, dag-processor, triggerer,
Celery worker, with the compose file's environment).

Three tenants, each with its own Lightspeed shop and AFAS environment (emulators over real HTTP), are
unpaused and triggered through the REST API; then a backfill over a past range, also through the API.
A second test runs the compose file's webhook receiver too: orders placed in a shop ring it, and the runs
it asks for go through the scheduler and the Celery worker.
"""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from tests.system.deployment import (
    ARTIFACTS,
    TENANTS,
    Deployment,
    afas_state,
    celery_workloads,
    running_deployment,
    shop_orders,
    wait_until_settled,
)

pytestmark = pytest.mark.system


def check_celery_executed(dep: Deployment, runs: dict[str, list[str]]) -> list[dict[str, Any]]:
    """Every task instance of ``runs`` went through the Celery worker, and PostgreSQL holds the run
    states and the Celery results. Returns the task instances with their Celery task id."""
    task_instances = []
    skipped: list[tuple[str, str, str]] = []
    with dep.metadata.connect() as conn:
        assert conn.dialect.name == "postgresql"
        for dag_id, run_ids in runs.items():
            for run_id in run_ids:
                stored = conn.execute(
                    sa.text("SELECT state FROM dag_run WHERE dag_id = :d AND run_id = :r"),
                    {"d": dag_id, "r": run_id},
                ).scalar_one()
                assert stored == "success", (dag_id, run_id, stored)
                tis = dep.api.task_instances(dag_id, run_id)
                first = next(ti for ti in tis if ti["task_id"] == "extract_orders")
                assert first["state"] == "success", (dag_id, run_id, first)
                for ti in tis:
                    # An idle run (nothing to book) ends after its first step: the rest skipped, unstarted.
                    assert ti["state"] in ("success", "skipped"), (dag_id, run_id, ti["task_id"], ti["state"])
                    assert ti["queue"] == "default", (dag_id, run_id, ti["task_id"])
                    if ti["task_id"] in ("resolve_relations", "load_to_afas"):  # one pool per AFAS env
                        assert ti["pool"] == "afas_" + dag_id.removeprefix("lightspeed_afas_"), ti
                    if ti["state"] == "success":
                        task_instances.append(ti)
                    else:
                        skipped.append((dag_id, run_id, ti["task_id"]))

    def results_stored() -> dict[tuple[str, str, str], str]:
        # The run is marked done through the api-server as the task ends; Celery stores its own result
        # a moment later, when the worker's task function returns.
        workloads = celery_workloads(dep.worker_log)
        with dep.metadata.connect() as conn:
            results = {
                row.task_id: row.status
                for row in conn.execute(sa.text("SELECT task_id, status FROM celery_taskmeta"))
            }
            # The Celery task id the scheduler's CeleryExecutor recorded when it sent the task.
            sent = {
                (row.dag_id, row.run_id, row.task_id): row.external_executor_id
                for row in conn.execute(
                    sa.text("SELECT dag_id, run_id, task_id, external_executor_id FROM task_instance")
                )
            }
        found = {}
        for ti in task_instances:
            key = (ti["dag_id"], ti["dag_run_id"], ti["task_id"])
            celery_id = sent[key]
            assert celery_id in workloads.get(key, []), (
                f"the Celery worker's log does not show {key} as Celery task {celery_id} "
                f"(it shows {workloads.get(key)})"
            )
            assert results.get(celery_id) == "SUCCESS", (
                f"no SUCCESS in celery_taskmeta for {key} ({celery_id})"
            )
            found[key] = celery_id
        return found

    celery_ids = dep.wait("the Celery results in PostgreSQL", results_stored, 60)
    started = celery_workloads(dep.worker_log)
    assert not [key for key in skipped if key in started], "a skipped task still started a worker process"
    for ti in task_instances:
        ti["celery_task_id"] = celery_ids[(ti["dag_id"], ti["dag_run_id"], ti["task_id"])]
    return task_instances


def most_at_once(task_instances: list[dict[str, Any]]) -> tuple[int, int]:
    """The most task instances running at the same moment, and of how many tenants (a figure)."""
    events = []
    for ti in task_instances:
        events.append((ti["start_date"], 1, ti["dag_id"]))
        events.append((ti["end_date"], -1, ti["dag_id"]))
    running: Counter[str] = Counter()
    best = (0, 0)
    for _, step, dag_id in sorted(events, key=lambda e: (e[0], e[1])):
        running[dag_id] += step
        best = max(best, (sum(running.values()), sum(1 for n in running.values() if n > 0)))
    return best


# -- the test --------------------------------------------------------------------------------------------


@pytest.mark.timeout(540)
def test_tenants_sync_on_celery_workers_with_postgresql_and_redis(tmp_path):
    with running_deployment(tmp_path) as dep:
        check_the_deployment(dep)
        write_artifacts(dep)


def check_the_deployment(dep: Deployment) -> None:
    api = dep.api
    dag_ids = {tenant: f"lightspeed_afas_{tenant}" for tenant in TENANTS}

    def dags_loaded() -> bool:
        listed = {d["dag_id"] for d in api.get("/dags", tags="lightspeed-afas", limit=100)["dags"]}
        return set(dag_ids.values()) <= listed

    dep.wait("the dag-processor to load the tenant DAGs", dags_loaded, 120)
    assert api.get("/importErrors")["import_errors"] == []
    pools = {p["name"]: p["slots"] for p in api.get("/pools", limit=100)["pools"]}
    assert {f"afas_{tenant}" for tenant in TENANTS} <= set(pools), f"airflow-init made no AFAS pools: {pools}"

    # Unpause (the scheduler starts the latest interval's run at once) and trigger a run through the API.
    triggered = {}
    for dag_id in dag_ids.values():
        assert api.request("PATCH", f"/dags/{dag_id}", json={"is_paused": False})["is_paused"] is False
        triggered[dag_id] = api.request("POST", f"/dags/{dag_id}/dagRuns", json={"logical_date": None})
    runs = {dag_id: wait_until_settled(dep, dag_id, triggered[dag_id]["dag_run_id"]) for dag_id in triggered}
    dep.lap("tenant runs done")

    # AFAS got every order of every shop, once; the ledger on PostgreSQL says the same, run by run.
    booked: dict[str, Counter[str]] = {}
    for tenant, dag_id in dag_ids.items():
        expected = {o["number"] for o in shop_orders(dep.shops[tenant]) if o["status"] != "cancelled"}
        booked[tenant] = Counter(o["fields"]["RfCs"] for o in afas_state(dep.erps[tenant])["orders"])
        assert expected and set(booked[tenant]) == expected, tenant
        assert max(booked[tenant].values()) == 1, f"{tenant}: an order was booked twice"
        with dep.ledger.connect() as conn:
            created = conn.execute(
                sa.text(
                    "SELECT order_number FROM lsafas_order_attempt WHERE tenant = :t AND action = 'created'"
                ),
                {"t": tenant},
            ).scalars()
            assert Counter(created) == booked[tenant], tenant
            outcomes = dict(
                conn.execute(
                    sa.text("SELECT run_id, outcome FROM lsafas_sync_run WHERE tenant = :t"), {"t": tenant}
                ).all()
            )
        assert {run["dag_run_id"]: outcomes.get(run["dag_run_id"]) for run in runs[dag_id]} == {
            run["dag_run_id"]: "success" for run in runs[dag_id]
        }, tenant

    # The Celery worker executed every task; PostgreSQL holds the runs and the Celery results.
    executed = check_celery_executed(dep, {d: [r["dag_run_id"] for r in runs[d]] for d in runs})
    dep.lap("tenant runs checked")

    # A backfill over a past range, through the API: one run per 15-minute interval, each reading exactly
    # its interval. The orders in it are booked already: the ledger skips them, AFAS gets no second copy.
    tenant, dag_id = TENANTS[0], dag_ids[TENANTS[0]]
    latest = max(datetime.fromisoformat(o["updatedAt"]) for o in shop_orders(dep.shops[tenant]))
    latest = latest.astimezone(UTC)
    start = latest.replace(minute=latest.minute // 15 * 15, second=0, microsecond=0)
    end = start + timedelta(minutes=15)
    body = {
        "dag_id": dag_id,
        "from_date": start.isoformat(),
        "to_date": end.isoformat(),
        "max_active_runs": 2,
    }
    backfill = api.request("POST", "/backfills", json=body)

    def backfill_done() -> dict[str, Any] | None:
        for run in api.dag_runs(dag_id):
            if run["run_type"] == "backfill" and run["state"] == "failed":
                raise dep.failed_run(dag_id, run)
        state = api.get(f"/backfills/{backfill['id']}")
        return state if state["completed_at"] else None

    dep.wait("the backfill to complete", backfill_done, 240, every=2)
    dep.lap("backfill done")
    backfill_runs = [r for r in api.dag_runs(dag_id) if r["run_type"] == "backfill"]
    assert backfill_runs and all(r["state"] == "success" for r in backfill_runs), backfill_runs
    intervals = sorted(
        (datetime.fromisoformat(r["data_interval_start"]), datetime.fromisoformat(r["data_interval_end"]))
        for r in backfill_runs
    )
    assert intervals[0][0] == start and intervals[-1][0] <= end
    for (begin, finish), next_interval in zip(intervals, [*intervals[1:], None], strict=True):
        assert finish - begin == timedelta(minutes=15)
        assert next_interval is None or next_interval[0] == finish
    with dep.ledger.connect() as conn:
        rows = {
            row.run_id: row
            for row in conn.execute(
                sa.text(
                    "SELECT run_id, mode, window_start, window_end, outcome, counts FROM lsafas_sync_run "
                    "WHERE tenant = :t AND mode = 'backfill'"
                ),
                {"t": tenant},
            )
        }
    for run in backfill_runs:
        row = rows[run["dag_run_id"]]
        assert row.outcome == "success"
        assert (row.window_start, row.window_end) == (
            datetime.fromisoformat(run["data_interval_start"]),
            datetime.fromisoformat(run["data_interval_end"]),
        )
    assert Counter(o["fields"]["RfCs"] for o in afas_state(dep.erps[tenant])["orders"]) == booked[tenant]
    idle = check_celery_executed(dep, {dag_id: [r["dag_run_id"] for r in backfill_runs]})
    # Nothing to book in the backfill: each run started one task process, its first step.
    assert sorted(ti["dag_run_id"] for ti in idle) == sorted(r["dag_run_id"] for r in backfill_runs)
    assert {ti["task_id"] for ti in idle} == {"extract_orders"}, idle
    executed += idle
    dep.lap("backfill checked")

    dep.evidence = {
        "executed": executed,
        "backfill": {"id": backfill["id"], "from": body["from_date"], "to": body["to_date"], "ledger": rows},
        "runs": {**runs, "backfill": backfill_runs},
        "booked": {t: sum(c.values()) for t, c in booked.items()},
    }


def durations(task_instances: list[dict[str, Any]]) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for ti in task_instances:
        out.setdefault(ti["task_id"], []).append(float(ti["duration"]))
    return out


def run_durations(runs: dict[str, list[dict[str, Any]]]) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for dag_runs in runs.values():
        for run in dag_runs:
            took = datetime.fromisoformat(run["end_date"]) - datetime.fromisoformat(run["queued_at"])
            out.setdefault(run["run_type"], []).append(took.total_seconds())
    return out


def write_artifacts(dep: Deployment) -> None:
    """test-artifacts/system/summary.txt: where it ran, how long each phase took, what the worker did."""
    evidence = dep.evidence
    if evidence is None:
        return
    site = dep.site
    executed = evidence["executed"]
    at_once, tenants_at_once = most_at_once(executed)
    lines = [
        f"metadata DB: postgresql://{site.pg_host}:{site.pg_port}/{site.metadata_db}; ledger DB: "
        f"{site.ledger_db}; Celery broker: redis://{site.redis_host}:{site.redis_port}/{site.redis_db}",
        "seconds since start: " + ", ".join(f"{k} {v}" for k, v in dep.timings.items()),
        f"orders booked per tenant: {evidence['booked']}",
        f"task instances executed by the Celery worker: {len(executed)}; at most {at_once} running at once, "
        f"of {tenants_at_once} tenants",
        "task duration (s, start to end as Airflow records it): "
        + ", ".join(
            f"{task} median {statistics.median(d):.1f} max {max(d):.1f}"
            for task, d in durations(executed).items()
        ),
        "run duration (s, queued to end): "
        + ", ".join(
            f"{kind} median {statistics.median(d):.1f}" for kind, d in run_durations(evidence["runs"]).items()
        ),
        f"backfill {evidence['backfill']['id']} {evidence['backfill']['from']} → {evidence['backfill']['to']}:",
        *(
            f"  {row.run_id}: {row.mode} {row.window_start:%H:%M}–{row.window_end:%H:%M} {row.outcome} {row.counts}"
            for row in evidence["backfill"]["ledger"].values()
        ),
        "task instances (the Celery task id the scheduler sent, the worker executed and whose result is "
        "SUCCESS in PostgreSQL's celery_taskmeta):",
        *(
            f"  {ti['dag_id']} {ti['dag_run_id']} {ti['task_id']}: celery {ti['celery_task_id']} SUCCESS, "
            f"pool {ti['pool']}, hostname {ti['hostname']}, pid {ti['pid']}"
            for ti in executed
        ),
    ]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "summary.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n" + "\n".join(lines[:5]))
