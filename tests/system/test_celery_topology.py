"""The compose deployment's topology, run for real on this machine without Docker.

PostgreSQL (127.0.0.1:5432) holds Airflow's metadata DB, the Celery results and the ledger; Redis
(127.0.0.1:6379, a database number of its own) is the Celery broker; `airflow-init`'s own script sets up,
then api-server, scheduler, dag-processor, triggerer and one Celery worker run with the environment
docker-compose.yaml gives their containers (tests/system/topology.py says what is moved onto loopback).
Three tenants, each with its own Lightspeed shop and AFAS environment (emulators over real HTTP), are
unpaused and triggered through the REST API; then a backfill over a past range, also through the API.

PostgreSQL or Redis missing is a failure that names which, never a skip. Every process is stopped and
every database dropped, pass or fail.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa
import yaml
from cryptography.fernet import Fernet

from emulators.afas import DEMO_TOKEN_DATA, AfasConfig
from emulators.afas import create_app as create_afas
from emulators.demo_catalogue import PRODUCTS
from emulators.demo_catalogue import tenant_file as demo_tenant_file
from emulators.lightspeed import DEMO_API_KEY, DEMO_API_SECRET, LightspeedConfig
from emulators.lightspeed import create_app as create_lightspeed
from emulators.server import RunningServer, serve_in_thread
from tests.support import pg
from tests.system import compose
from tests.system.compose import AIRFLOW_COMMANDS, REPO
from tests.system.topology import (
    AirflowApi,
    GiveUpError,
    Processes,
    Site,
    base_environment,
    health,
    localize,
    wait_for,
)

pytestmark = pytest.mark.system

REDIS_HOST = os.environ.get("LSAFAS_TEST_REDIS_HOST", "127.0.0.1")
REDIS_PORT = int(os.environ.get("LSAFAS_TEST_REDIS_PORT", "6379"))
REDIS_CLAIM = "lsafas:system-test:claim"
TENANTS = ("alpha", "bravo", "charlie")
ORDERS_PER_SHOP = 8
ARTIFACTS = REPO / "test-artifacts" / "system"


# -- the two servers the compose file brings as containers ---------------------------------------------


def require_postgresql() -> None:
    engine = sa.create_engine(pg.admin_url(), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as exc:
        pytest.fail(
            f"PostgreSQL is not reachable on {pg.PG_HOST}:{pg.PG_PORT} as {pg.PG_USER} ({exc.orig}). The "
            "system test runs Airflow's metadata DB and the ledger on it: start it (see README, 'Tests').",
            pytrace=False,
        )
    finally:
        engine.dispose()


@contextlib.contextmanager
def redis_database() -> Iterator[int]:
    """Claim an empty Redis database number for the broker; flush only that one afterwards."""
    import redis

    try:
        redis.Redis(host=REDIS_HOST, port=REDIS_PORT, socket_connect_timeout=5).ping()
    except redis.RedisError as exc:
        pytest.fail(
            f"Redis is not reachable on {REDIS_HOST}:{REDIS_PORT} ({exc}). The system test uses it as the "
            "Celery broker: start it (`redis-server --daemonize yes`, or the distribution's service).",
            pytrace=False,
        )
    token = uuid.uuid4().hex
    for number in range(15, 0, -1):
        client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=number)
        if client.dbsize() == 0 and client.set(REDIS_CLAIM, token, nx=True, ex=3600):
            break
    else:
        pytest.fail("Redis has no empty database among 1-15 for the Celery broker", pytrace=False)
    try:
        yield number
    finally:
        client.flushdb()
        client.close()


@contextlib.contextmanager
def dropped_afterwards(database: str) -> Iterator[str]:
    """A database someone else creates (airflow-init creates the ledger's); dropped when the block ends."""
    try:
        yield database
    finally:
        engine = sa.create_engine(pg.admin_url(), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        engine.dispose()


# -- tenants and their APIs --------------------------------------------------------------------------------


def tenant_file(tenant: str) -> dict[str, Any]:
    return demo_tenant_file(tenant, f"Systeemtest {tenant}", f"ls_{tenant}", f"afas_{tenant}")


def connection_env(tenant: str, shop: RunningServer, erp: RunningServer) -> dict[str, str]:
    """The tenant's two connections as `.env` lines would give them to every Airflow container."""
    return {
        f"AIRFLOW_CONN_LS_{tenant.upper()}": json.dumps(
            {
                "conn_type": "lightspeed_ecom",
                "host": shop.url,
                "login": DEMO_API_KEY,
                "password": DEMO_API_SECRET,
                "extra": {"language": "nl"},
            }
        ),
        f"AIRFLOW_CONN_AFAS_{tenant.upper()}": json.dumps(
            {"conn_type": "afas_profit", "host": f"{erp.url}/ProfitRestServices", "password": DEMO_TOKEN_DATA}
        ),
    }


def afas_state(erp: RunningServer) -> dict[str, Any]:
    return requests.get(f"{erp.url}/_admin/state", timeout=10).json()


def shop_orders(shop: RunningServer) -> list[dict[str, Any]]:
    return requests.get(f"{shop.url}/_admin/state", timeout=10).json()["orders"]


# -- evidence from the logs ------------------------------------------------------------------------------

WORKLOAD = re.compile(
    r"\[(?P<celery_id>[0-9a-f-]{36})\] Executing workload in Celery: .*?"
    r"task_id='(?P<task_id>[^']+)', dag_id='(?P<dag_id>[^']+)', run_id='(?P<run_id>[^']+)'"
)


def celery_workloads(worker_log: Path) -> dict[tuple[str, str, str], list[str]]:
    """(dag_id, run_id, task_id) → the Celery task ids the worker executed it under."""
    found: dict[tuple[str, str, str], list[str]] = {}
    for match in WORKLOAD.finditer(worker_log.read_text(encoding="utf-8", errors="replace")):
        key = (match["dag_id"], match["run_id"], match["task_id"])
        found.setdefault(key, []).append(match["celery_id"])
    return found


def task_log_tails(home: Path, run_id: str, lines: int = 30) -> str:
    out = []
    for path in sorted((home / "logs").rglob("*.log")):
        if f"run_id={run_id}" in str(path):
            text = path.read_text(encoding="utf-8", errors="replace").splitlines()
            out.append(f"--- {path.relative_to(home)}\n" + "\n".join(text[-lines:]))
    return "\n".join(out)


# -- the deployment ----------------------------------------------------------------------------------------


@dataclass
class Deployment:
    site: Site
    processes: Processes
    api: AirflowApi
    shops: dict[str, RunningServer]
    erps: dict[str, RunningServer]
    metadata: sa.Engine
    ledger: sa.Engine
    timings: dict[str, float]
    started: float = field(default_factory=time.monotonic)
    evidence: dict[str, Any] | None = None  # what the test saw, for test-artifacts/system/summary.txt

    @property
    def worker_log(self) -> Path:
        return self.processes.components["airflow-worker"].log

    def lap(self, name: str) -> None:
        self.timings[name] = round(time.monotonic() - self.started, 1)

    def wait(self, what: str, probe: Any, timeout: float, every: float = 1.0) -> Any:
        return wait_for(what, probe, timeout, self.processes, every)

    def failed_run(self, dag_id: str, run: dict[str, Any]) -> GiveUpError:
        logs = task_log_tails(self.site.home, run["dag_run_id"])
        return GiveUpError(f"{dag_id} {run['dag_run_id']} failed:\n{logs}")


@contextlib.contextmanager
def running_deployment(tmp_path: Path) -> Iterator[Deployment]:
    """PostgreSQL and Redis checked and claimed, airflow-init run, the five services up and healthy.
    (A context manager, not a fixture: a missing PostgreSQL or Redis is then a failure of the test.)"""
    started = time.monotonic()
    require_postgresql()
    home = tmp_path / "airflow-home"
    include = tmp_path / "include"
    (include / "tenants").mkdir(parents=True)
    shutil.copytree(REPO / "include" / "mappings", include / "mappings")
    log_dir = tmp_path / "process-logs"
    log_dir.mkdir()
    processes = Processes(log_dir)

    with contextlib.ExitStack() as stack:
        redis_db = stack.enter_context(redis_database())
        metadata_url = stack.enter_context(pg.scratch_database("lsafas_system_meta"))
        ledger_db = stack.enter_context(dropped_afterwards(f"lsafas_system_ledger_{uuid.uuid4().hex[:10]}"))
        site = Site(
            home=home,
            pg_host=pg.PG_HOST,
            pg_port=pg.PG_PORT,
            pg_user=pg.PG_USER,
            metadata_db=sa.engine.make_url(metadata_url).database,
            ledger_db=ledger_db,
            redis_host=REDIS_HOST,
            redis_port=REDIS_PORT,
            redis_db=redis_db,
        )
        # Registered after the databases, so it runs before they are dropped.
        stack.callback(stop_and_keep_logs, processes, log_dir)

        # Per tenant a shop and an AFAS environment that knows every product (so runs succeed).
        shops: dict[str, RunningServer] = {}
        erps: dict[str, RunningServer] = {}
        connections: dict[str, str] = {}
        catalogue = {"items": {p.afas_item_code: {"type": "2", "units": ["STK"]} for p in PRODUCTS}}
        for index, tenant in enumerate(TENANTS):
            config = LightspeedConfig(seed=f"system-{index}", orders=ORDERS_PER_SHOP)
            shops[tenant] = stack.enter_context(serve_in_thread(create_lightspeed(config)))
            erps[tenant] = stack.enter_context(serve_in_thread(create_afas(AfasConfig())))
            answer = requests.put(f"{erps[tenant].url}/_admin/catalogue", json=catalogue, timeout=10)
            answer.raise_for_status()
            (include / "tenants" / f"{tenant}.yaml").write_text(yaml.safe_dump(tenant_file(tenant)), "utf-8")
            connections.update(connection_env(tenant, shops[tenant], erps[tenant]))

        # What a user's .env holds: the secrets and the admin password (+ the connections above).
        variables = {
            "AIRFLOW_FERNET_KEY": Fernet.generate_key().decode(),
            "AIRFLOW_JWT_SECRET": secrets.token_hex(32),
            "AIRFLOW_API_SECRET_KEY": secrets.token_hex(32),
            "POSTGRES_PASSWORD": secrets.token_hex(12),  # unused: the local server trusts its postgres user
            "AIRFLOW_ADMIN_PASSWORD": secrets.token_hex(12),
        }
        spec = compose.load(variables)

        def service_env(name: str) -> dict[str, str]:
            env = localize(compose.environment(spec["services"][name]), site)
            env["LIGHTSPEED_AFAS_INCLUDE_DIR"] = str(include)  # the mount of ./include: here a copy
            return {**base_environment(), **env, **connections}

        # airflow-init: its own script, as the compose file has it.
        init = spec["services"]["airflow-init"]
        assert init["entrypoint"] == "/bin/bash"
        result = subprocess.run(
            ["/bin/bash", *init["command"]],
            env=service_env("airflow-init"),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=240,
        )
        (log_dir / "airflow-init.log").write_text(result.stdout + result.stderr, encoding="utf-8")
        assert result.returncode == 0, (
            f"airflow-init failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
        timings = {"airflow-init": round(time.monotonic() - started, 1)}

        # The long-running services, with their compose commands.
        for name, command in AIRFLOW_COMMANDS.items():
            assert compose.command_text(spec["services"][name]) == command
            processes.start(name, ["airflow", *command.split()], service_env(name), cwd=tmp_path)

        def all_healthy() -> bool:
            status = health(site.api_url)
            return all(
                status[part]["status"] == "healthy"
                for part in ("metadatabase", "scheduler", "triggerer", "dag_processor")
            )

        wait_for("the api-server to report every component healthy", all_healthy, 150, processes)
        run_health_checks(spec, site, service_env, processes)
        timings["services healthy"] = round(time.monotonic() - started, 1)

        api = AirflowApi(site.api_url)
        api.login("admin", variables["AIRFLOW_ADMIN_PASSWORD"])
        metadata = stack.enter_context(disposing(sa.create_engine(metadata_url)))
        ledger_url = sa.engine.URL.create(
            "postgresql+psycopg2",
            username=site.pg_user,
            host=site.pg_host,
            port=site.pg_port,
            database=ledger_db,
        )
        ledger = stack.enter_context(disposing(sa.create_engine(ledger_url)))
        deployment = Deployment(site, processes, api, shops, erps, metadata, ledger, timings, started)
        yield deployment
        write_artifacts(deployment)


@contextlib.contextmanager
def disposing(engine: sa.Engine) -> Iterator[sa.Engine]:
    try:
        yield engine
    finally:
        engine.dispose()


def run_health_checks(spec: dict, site: Site, service_env: Any, processes: Processes) -> None:
    """Each long-running service's compose health check, run here (in parallel) against its process."""
    from airflow.utils.net import get_hostname

    hostnames = {  # in a container both names are the container's; here they could differ
        "airflow-dag-processor": get_hostname(),  # the hostname Airflow records for its jobs
        "airflow-triggerer": get_hostname(),
        "airflow-worker": socket.gethostname(),  # Celery's node name: celery@<hostname>
    }

    def check(name: str) -> None:
        test = spec["services"][name]["healthcheck"]["test"]
        kind, args = test[0], test[1:]
        for container_port, port in site.container_ports().items():
            args = [arg.replace(f"localhost:{container_port}", f"127.0.0.1:{port}") for arg in args]
        argv = args if kind == "CMD" else ["/bin/bash", "-c", args[0]]
        env = {**service_env(name), "HOSTNAME": hostnames.get(name, socket.gethostname())}

        def passes() -> bool:
            done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
            assert done.returncode == 0, f"exit {done.returncode}: {(done.stdout + done.stderr)[-1500:]}"
            return True

        wait_for(f"the health check of {name}: {' '.join(test[1:])}", passes, 120, processes, 3)

    with ThreadPoolExecutor(max_workers=len(AIRFLOW_COMMANDS)) as pool:
        for future in [pool.submit(check, name) for name in AIRFLOW_COMMANDS]:
            future.result()


def stop_and_keep_logs(processes: Processes, log_dir: Path) -> None:
    """Stop every process (pass or fail) and keep their logs under test-artifacts/system/."""
    killed = processes.stop_all()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for log in log_dir.glob("*.log"):
        shutil.copyfile(log, ARTIFACTS / log.name)
    if killed:
        print(f"process groups that needed SIGKILL after SIGTERM: {killed}")


# -- checks ----------------------------------------------------------------------------------------------


def wait_until_settled(dep: Deployment, dag_id: str, must_include: str) -> list[dict[str, Any]]:
    """All runs of the DAG succeeded (``must_include`` among them); a failed run ends the wait."""

    def settled() -> list[dict[str, Any]] | None:
        runs = dep.api.dag_runs(dag_id)
        for run in runs:
            if run["state"] == "failed":
                raise dep.failed_run(dag_id, run)
        done = all(run["state"] == "success" for run in runs)
        return runs if done and must_include in {r["dag_run_id"] for r in runs} else None

    return dep.wait(f"the runs of {dag_id} to succeed", settled, 240, every=2)


def check_celery_executed(dep: Deployment, runs: dict[str, list[str]]) -> list[dict[str, Any]]:
    """Every task instance of ``runs`` went through the Celery worker, and PostgreSQL holds the run
    states and the Celery results. Returns the task instances with their Celery task id."""
    task_instances = []
    with dep.metadata.connect() as conn:
        assert conn.dialect.name == "postgresql"
        for dag_id, run_ids in runs.items():
            for run_id in run_ids:
                stored = conn.execute(
                    sa.text("SELECT state FROM dag_run WHERE dag_id = :d AND run_id = :r"),
                    {"d": dag_id, "r": run_id},
                ).scalar_one()
                assert stored == "success", (dag_id, run_id, stored)
                for ti in dep.api.task_instances(dag_id, run_id):
                    assert ti["state"] == "success", (dag_id, run_id, ti["task_id"])
                    assert ti["queue"] == "default", (dag_id, run_id, ti["task_id"])
                    if ti["task_id"] in ("resolve_relations", "load_to_afas"):  # one pool per AFAS env
                        assert ti["pool"] == "afas_" + dag_id.removeprefix("lightspeed_afas_"), ti
                    task_instances.append(ti)

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
    executed += check_celery_executed(dep, {dag_id: [r["dag_run_id"] for r in backfill_runs]})
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
