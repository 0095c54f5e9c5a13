"""A real ``airflow api-server`` in a process group of its own, on a free port, with its own
AIRFLOW_HOME (a copy of the cached migrated metadata DB), our DAG file, plugin and a given ledger."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import requests

from tests.conftest import REPO, _migrated_db_template
from tests.support.sinks import free_port

AIRFLOW = str(Path(sys.executable).parent / "airflow")


@dataclass(frozen=True)
class LiveAirflow:
    url: str
    home: Path
    env: dict[str, str]
    username: str
    password: str

    def token(self) -> str:
        response = requests.post(
            f"{self.url}/auth/token", json={"username": self.username, "password": self.password}, timeout=30
        )
        response.raise_for_status()
        return response.json()["access_token"]


def _env(home: Path, port: int, include: Path, ledger_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW__", "AIRFLOW_CONN_"))}
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(port),
            "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}",
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
            "LIGHTSPEED_AFAS_INCLUDE_DIR": str(include),
            "AIRFLOW_CONN_LIGHTSPEED_AFAS_LEDGER": json.dumps(
                {"conn_type": "sqlite", "host": str(ledger_path)}
            ),
            "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
        }
    )
    return env


def _stop(process: subprocess.Popen) -> None:
    """End the whole process group: the api-server's workers included."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pass
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)


@contextlib.contextmanager
def live_api_server(home: Path, include: Path, ledger_path: Path) -> Iterator[LiveAirflow]:
    """Serialize the tenant DAGs into a fresh metadata DB, then serve the API server until the block ends."""
    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_migrated_db_template(), home / "airflow.db")
    port = free_port()
    env = _env(home, port, include, ledger_path)
    # The simple auth manager reads existing passwords from this file instead of generating them.
    password = "browser-test-password"
    passwords = home / "passwords.json"
    passwords.write_text(json.dumps({"admin": password}))
    env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"] = str(passwords)
    subprocess.run(
        [AIRFLOW, "dags", "reserialize"], env=env, check=True, capture_output=True, text=True, timeout=300
    )
    log_path = home / "api-server.log"
    with open(log_path, "wb") as log_file:
        process = subprocess.Popen(
            [AIRFLOW, "api-server", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 180
        while True:
            if process.poll() is not None:
                raise RuntimeError(
                    f"airflow api-server exited ({process.returncode}):\n{log_path.read_text()[-3000:]}"
                )
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{url}/api/v2/monitor/health", timeout=2).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"airflow api-server did not answer in 180 s:\n{log_path.read_text()[-3000:]}"
                )
            time.sleep(0.5)
        yield LiveAirflow(url, home, env, "admin", password)
    finally:
        _stop(process)
