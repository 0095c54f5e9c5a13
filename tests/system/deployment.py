"""The compose deployment on this machine without Docker, for the system tests and the benchmarks that
need the real topology (bench/bench_webhook_latency.py --celery).

PostgreSQL (127.0.0.1:5432) holds Airflow's metadata DB, the Celery results and the ledger; Redis
(127.0.0.1:6379, a database number of its own) is the Celery broker; `airflow-init`'s own script sets up,
then api-server, scheduler, dag-processor, triggerer and one Celery worker run with the environment
docker-compose.yaml gives their containers (tests/system/topology.py says what is moved onto loopback),
and, when planned, the webhook receiver with the environment of the compose `webhook-receiver` service.
Each tenant has its own Lightspeed shop and AFAS environment (emulators over real HTTP, in this process).

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
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
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
from tests.system.compose import AIRFLOW_COMMANDS, RECEIVER, RECEIVER_COMMAND, REPO
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


def tenant_file(tenant: str, receiver_url: str | None = None) -> dict[str, Any]:
    content = demo_tenant_file(tenant, f"Systeemtest {tenant}", f"ls_{tenant}", f"afas_{tenant}")
    if receiver_url:
        content["webhooks"] = {"public_url": receiver_url, "actions": ["created", "updated", "paid"]}
    return content


@dataclass(frozen=True)
class Endpoint:
    """An API somebody else serves (the capacity benchmark's many-shops emulator)."""

    url: str
    login: str = DEMO_API_KEY
    password: str = DEMO_API_SECRET


def connection_env(
    tenant: str, shop: RunningServer | Endpoint, erp: RunningServer | Endpoint
) -> dict[str, str]:
    """The tenant's two connections as `.env` lines would give them to every Airflow container."""
    login, password = (
        (shop.login, shop.password) if isinstance(shop, Endpoint) else (DEMO_API_KEY, DEMO_API_SECRET)
    )
    return {
        f"AIRFLOW_CONN_LS_{tenant.upper()}": json.dumps(
            {
                "conn_type": "lightspeed_ecom",
                "host": shop.url,
                "login": login,
                "password": password,
                "extra": {"language": "nl"},
            }
        ),
        f"AIRFLOW_CONN_AFAS_{tenant.upper()}": json.dumps(
            {"conn_type": "afas_profit", "host": f"{erp.url}/ProfitRestServices", "password": DEMO_TOKEN_DATA}
        ),
    }


def place_orders(shop_url: str, count: int, tag: str, quantity: int = 1) -> list[str]:
    """``count`` new orders in the shop, created now (its webhooks, if any, ring); their numbers."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    specs = [
        {
            "email": f"{tag}{i}@example.nl", "lastname": f"{tag.title()}{i}", "createdAt": now, "updatedAt": now,
            "lines": [{"articleCode": "ART-1001", "productTitle": "Koffiebonen 1 kg", "quantityOrdered": quantity,
                       "basePriceIncl": "12.95", "taxRate": "0.09"}],
        }
        for i in range(count)
    ]  # fmt: skip
    answer = requests.post(f"{shop_url}/_admin/orders", json={"orders": specs}, timeout=30)
    answer.raise_for_status()
    return [str(made["number"]) for made in answer.json()["orders"]]


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
    variables: dict[str, str]  # the .env the deployment runs with
    service_env: Callable[[str], dict[str, str]]  # a compose service's environment, here
    shops: dict[str, Any]  # RunningServer or Endpoint: .url
    erps: dict[str, Any]
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


@dataclass(frozen=True)
class Plan:
    """What to deploy: the tenants (each with its own shop and AFAS environment), their orders, and
    whether the webhook receiver runs (then every tenant file gets a ``webhooks:`` block pointing at it
    and the shops deliver signed webhooks)."""

    tenants: tuple[str, ...] = TENANTS
    orders_per_shop: int = ORDERS_PER_SHOP
    receiver: bool = False
    worker_concurrency: int = 8
    extra_settings: tuple[tuple[str, str], ...] = ()  # AIRFLOW__… lines of .env
    # Tenant → (its shop, its AFAS environment) served elsewhere; None: an emulator pair per tenant here.
    endpoints: Callable[[str], tuple[Endpoint, Endpoint]] | None = None
    tenant_extras: dict[str, Any] | None = None  # more tenant-file blocks (stock: …) for every tenant


@contextlib.contextmanager
def running_deployment(tmp_path: Path, plan: Plan = Plan()) -> Iterator[Deployment]:
    """PostgreSQL and Redis checked and claimed, airflow-init run, the five services (and the receiver,
    when planned) up and healthy. (A context manager, not a fixture: a missing PostgreSQL or Redis is then
    a failure of the test.)"""
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
        shops: dict[str, Any] = {}  # RunningServer or Endpoint: .url
        erps: dict[str, Any] = {}
        connections: dict[str, str] = {}
        catalogue = {"items": {p.afas_item_code: {"type": "2", "units": ["STK"]} for p in PRODUCTS}}
        for index, tenant in enumerate(plan.tenants):
            if plan.endpoints is not None:
                shops[tenant], erps[tenant] = plan.endpoints(tenant)
            else:
                config = LightspeedConfig(seed=f"system-{index}", orders=plan.orders_per_shop)
                shops[tenant] = stack.enter_context(serve_in_thread(create_lightspeed(config)))
                erps[tenant] = stack.enter_context(serve_in_thread(create_afas(AfasConfig())))
                answer = requests.put(f"{erps[tenant].url}/_admin/catalogue", json=catalogue, timeout=10)
                answer.raise_for_status()
            content = {
                **tenant_file(tenant, site.receiver_url if plan.receiver else None),
                **(plan.tenant_extras or {}),
            }
            (include / "tenants" / f"{tenant}.yaml").write_text(yaml.safe_dump(content), "utf-8")
            connections.update(connection_env(tenant, shops[tenant], erps[tenant]))

        # What a user's .env holds: the secrets and the admin password (+ the connections above).
        variables = {
            "AIRFLOW_FERNET_KEY": Fernet.generate_key().decode(),
            "AIRFLOW_JWT_SECRET": secrets.token_hex(32),
            "AIRFLOW_API_SECRET_KEY": secrets.token_hex(32),
            "POSTGRES_PASSWORD": secrets.token_hex(12),  # unused: the local server trusts its postgres user
            "AIRFLOW_ADMIN_PASSWORD": secrets.token_hex(12),
            "AIRFLOW_WEBHOOKS_PASSWORD": secrets.token_hex(12),
            "AIRFLOW_WORKER_CONCURRENCY": str(plan.worker_concurrency),
        }
        spec = compose.load(variables)
        dotenv = dict(plan.extra_settings)

        def service_env(name: str) -> dict[str, str]:
            env = localize(compose.environment(spec["services"][name]), site)
            env["LIGHTSPEED_AFAS_INCLUDE_DIR"] = str(include)  # the mount of ./include: here a copy
            return {**base_environment(), **dotenv, **env, **connections}

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
        if plan.receiver:
            start_receiver(spec, site, service_env, processes, tmp_path)
        run_health_checks(spec, site, service_env, processes, plan.receiver)
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
        yield Deployment(
            site, processes, api, variables, service_env, shops, erps, metadata, ledger, timings, started
        )


@contextlib.contextmanager
def disposing(engine: sa.Engine) -> Iterator[sa.Engine]:
    try:
        yield engine
    finally:
        engine.dispose()


def start_receiver(spec: dict, site: Site, service_env: Any, processes: Processes, cwd: Path) -> None:
    """The webhook-receiver service: its compose command on the receiver's loopback port."""
    command = compose.command_text(spec["services"][RECEIVER])
    assert command == RECEIVER_COMMAND, command
    argv = [sys.executable, *command.split()[1:]]
    argv[argv.index("--host") + 1] = "127.0.0.1"
    argv[argv.index("--port") + 1] = str(site.receiver_port)
    processes.start(RECEIVER, argv, service_env(RECEIVER), cwd=cwd)


def run_health_checks(
    spec: dict, site: Site, service_env: Any, processes: Processes, receiver: bool = False
) -> None:
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

    names = [*AIRFLOW_COMMANDS, *([RECEIVER] if receiver else [])]
    with ThreadPoolExecutor(max_workers=len(names)) as pool:
        for future in [pool.submit(check, name) for name in names]:
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
