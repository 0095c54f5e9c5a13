"""The compose deployment's processes on this machine: the environment docker-compose.yaml gives each
Airflow container, moved from the compose network onto loopback, and the processes themselves.

What differs from the containers, and only this:

- addresses: ``postgres:5432`` → 127.0.0.1:5432 (user ``postgres``, trust auth, a scratch database per
  test), ``redis:6379/0`` → 127.0.0.1:6379/<a free db number>, ``airflow-apiserver:8080`` → 127.0.0.1:<free
  port>; :func:`localize` refuses a value whose host is not the compose service it expects, so a changed
  compose file cannot slip past;
- the image's AIRFLOW_HOME ``/opt/airflow`` → a temporary folder (dags/ and plugins/ are the repository's,
  as the compose file mounts them);
- ports every container has to itself (log servers, scheduler health check, the API's listen address)
  → free loopback ports, and one API worker process instead of the default four (2 cores).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
import sqlalchemy as sa

from tests.support.sinks import free_port
from tests.system.compose import REPO

IMAGE_HOME = "/opt/airflow"
VENV_BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Site:
    """Where the compose services are on this machine."""

    home: Path
    pg_host: str
    pg_port: int
    pg_user: str
    metadata_db: str
    ledger_db: str
    redis_host: str
    redis_port: int
    redis_db: int
    api_port: int = field(default_factory=free_port)
    scheduler_health_port: int = field(default_factory=free_port)
    worker_log_port: int = field(default_factory=free_port)
    triggerer_log_port: int = field(default_factory=free_port)
    receiver_port: int = field(default_factory=free_port)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def receiver_url(self) -> str:
        return f"http://127.0.0.1:{self.receiver_port}"

    def local_only(self) -> dict[str, str]:
        """Settings a container gets from its own image or network namespace, none set by compose."""
        return {
            "AIRFLOW_HOME": str(self.home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(self.api_port),
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_HOST": "127.0.0.1",
            "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT": str(self.scheduler_health_port),
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(self.worker_log_port),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(self.triggerer_log_port),
            "AIRFLOW_UID": str(os.getuid()),
        }

    def container_ports(self) -> dict[int, int]:
        """Container port → port here, for the health checks (the scheduler's default health port)."""
        return {8080: self.api_port, 8974: self.scheduler_health_port, 8090: self.receiver_port}


def _expect_host(key: str, url: str, host: str) -> None:
    actual = urlsplit(url).hostname
    if actual != host:
        raise AssertionError(
            f"{key}: expected the compose service {host!r} as host, found {actual!r} in {url}"
        )


def _rebase_db_url(key: str, value: str, site: Site, database: str) -> str:
    prefix = "db+" if value.startswith("db+") else ""
    url = sa.engine.make_url(value.removeprefix(prefix))
    _expect_host(key, value.removeprefix(prefix), "postgres")
    local = url.set(
        host=site.pg_host, port=site.pg_port, username=site.pg_user, password=None, database=database
    )
    return prefix + local.render_as_string(hide_password=False)


def localize(env: Mapping[str, str], site: Site) -> dict[str, str]:
    """A compose service's (interpolated) environment, moved onto this machine (see the module doc)."""
    out: dict[str, str] = {}
    for key, value in env.items():
        if key == "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN" or key == "AIRFLOW__CELERY__RESULT_BACKEND":
            value = _rebase_db_url(key, value, site, site.metadata_db)
        elif key == "AIRFLOW__CELERY__BROKER_URL":
            _expect_host(key, value, "redis")
            parts = urlsplit(value)
            value = urlunsplit(
                (parts.scheme, f"{site.redis_host}:{site.redis_port}", f"/{site.redis_db}", "", "")
            )
        elif key == "LIGHTSPEED_AFAS_AIRFLOW_URL":  # the webhook receiver's way to the REST API
            _expect_host(key, value, "airflow-apiserver")
            value = site.api_url
        elif key == "AIRFLOW__CORE__EXECUTION_API_SERVER_URL":
            _expect_host(key, value, "airflow-apiserver")
            parts = urlsplit(value)
            value = urlunsplit((parts.scheme, f"127.0.0.1:{site.api_port}", parts.path, "", ""))
        elif key == "AIRFLOW_CONN_LIGHTSPEED_AFAS_LEDGER":
            conn = json.loads(value)
            if conn["host"] != "postgres":
                raise AssertionError(f"{key}: expected host 'postgres', found {conn['host']!r}")
            conn.update(host=site.pg_host, port=site.pg_port, login=site.pg_user, schema=site.ledger_db)
            conn.pop("password", None)
            value = json.dumps(conn)
        value = value.replace(IMAGE_HOME, str(site.home))
        out[key] = value
    local = site.local_only()
    clash = sorted(set(local) & set(env))
    if clash:
        raise AssertionError(f"compose now sets {clash}; the system test would override them, adapt it")
    out.update(local)
    return out


def base_environment() -> dict[str, str]:
    """This process's environment without any Airflow or connector setting (pytest's harness sets some)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("AIRFLOW") and not key.startswith("LIGHTSPEED_AFAS")
    }
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONUNBUFFERED"] = "1"
    return env


# -- processes ------------------------------------------------------------------------------------------


@dataclass
class Component:
    name: str
    argv: list[str]
    log: Path
    process: subprocess.Popen[bytes]

    def alive(self) -> bool:
        return self.process.poll() is None

    def tail(self, lines: int = 40) -> str:
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


class Processes:
    """Processes started in their own process groups; :meth:`stop_all` ends every group, children too."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.components: dict[str, Component] = {}

    def start(self, name: str, argv: list[str], env: Mapping[str, str], cwd: Path) -> Component:
        log = self.log_dir / f"{name}.log"
        with log.open("ab") as handle:
            process = subprocess.Popen(
                argv,
                env=dict(env),
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=handle,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        component = Component(name, argv, log, process)
        self.components[name] = component
        return component

    def check_alive(self) -> None:
        dead = [c for c in self.components.values() if not c.alive()]
        if dead:
            raise AssertionError(
                "\n\n".join(f"{c.name} exited with {c.process.returncode}:\n{c.tail()}" for c in dead)
            )

    def stop_all(self, grace: float = 30.0) -> list[str]:
        """SIGTERM every group, wait, SIGKILL what is left; returns the groups that needed SIGKILL."""
        for component in self.components.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(component.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for component in self.components.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                component.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        killed = []
        for component in self.components.values():
            # The leader may be gone while children of its group live on: kill the group in any case.
            try:
                os.killpg(component.process.pid, signal.SIGKILL)
                killed.append(component.name)
            except ProcessLookupError:
                pass
            with contextlib.suppress(subprocess.TimeoutExpired):
                component.process.wait(timeout=10)
        return killed


class GiveUpError(Exception):
    """Raised by a probe when waiting longer cannot help (a run failed); :func:`wait_for` passes it on."""


def wait_for(
    what: str, probe: Callable[[], Any], timeout: float, processes: Processes, every: float = 1.0
) -> Any:
    """Poll ``probe`` until it returns something truthy; fail early when a component died."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while True:
        processes.check_alive()
        try:
            result = probe()
            if result:
                return result
        except (requests.RequestException, AssertionError, KeyError, ValueError) as exc:
            last_error = exc
        if time.monotonic() > deadline:
            raise AssertionError(
                f"timed out after {timeout:.0f}s waiting for {what} (last error: {last_error})"
            )
        time.sleep(every)


# -- REST API -------------------------------------------------------------------------------------------


class AirflowApi:
    """Airflow's public REST API (/api/v2) with a JWT from the SimpleAuthManager's /auth/token."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.session = requests.Session()

    def login(self, username: str, password: str) -> None:
        answer = requests.post(
            f"{self.base}/auth/token", json={"username": username, "password": password}, timeout=30
        )
        assert answer.status_code == 201, f"/auth/token answered {answer.status_code}: {answer.text}"
        self.session.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        answer = self.session.request(method, f"{self.base}/api/v2{path}", timeout=30, **kwargs)
        if answer.status_code >= 400:
            raise AssertionError(f"{method} /api/v2{path} answered {answer.status_code}: {answer.text}")
        return answer.json() if answer.content else None

    def get(self, path: str, **params: Any) -> Any:
        return self.request("GET", path, params=params)

    def dag_runs(self, dag_id: str) -> list[dict[str, Any]]:
        return self.get(f"/dags/{dag_id}/dagRuns", limit=100, order_by="run_after")["dag_runs"]

    def task_instances(self, dag_id: str, run_id: str) -> list[dict[str, Any]]:
        return self.get(f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances", limit=100)["task_instances"]


def health(api_url: str) -> dict[str, Any]:
    return requests.get(f"{api_url}/api/v2/monitor/health", timeout=10).json()
