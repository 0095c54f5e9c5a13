"""Test harness: a throwaway AIRFLOW_HOME on SQLite, migrated once and cached between runs.

The environment is set at import time, before anything imports Airflow, because Airflow reads its
configuration once on first import.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

# Shared fixtures live in tests/support/; a directory's conftest.py may override one of the same name.
pytest_plugins = [
    "tests.support.include",
    "tests.support.ledger",
    "tests.support.hook_env",
    "tests.support.dashboard",
]

REPO = Path(__file__).resolve().parent.parent
CACHE_DIR = REPO / ".cache" / "airflow-test-db"

_HOME = Path(tempfile.mkdtemp(prefix="lsafas-airflow-home-"))
_DB = _HOME / "airflow.db"

TEST_ENV = {
    "AIRFLOW_HOME": str(_HOME),
    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{_DB}",
    "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
    "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
    "AIRFLOW__CORE__UNIT_TEST_MODE": "True",
    "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
    "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
    # Order data between tasks goes to files, never into the metadata DB (as in every deployment).
    "AIRFLOW__CORE__XCOM_BACKEND": "airflow.providers.common.io.xcom.backend.XComObjectStorageBackend",
    "AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_PATH": f"file://{_HOME / 'xcom'}",
    "AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_THRESHOLD": "0",
    "AIRFLOW_CONN_LIGHTSPEED_AFAS_LEDGER": json.dumps(
        {"conn_type": "sqlite", "host": str(_HOME / "ledger.db")}
    ),
}
os.environ.update(TEST_ENV)


def _airflow_version() -> str:
    from importlib.metadata import version

    return version("apache-airflow-core")


def _migrated_db_template() -> Path:
    """Path of a migrated, empty metadata DB for this Airflow version; migrate once when absent."""
    template = CACHE_DIR / f"airflow-{_airflow_version()}.db"
    if template.exists():
        return template
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="lsafas-migrate-"))
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(scratch),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{scratch / 'airflow.db'}",
    }
    airflow_bin = Path(sys.executable).parent / "airflow"
    result = subprocess.run(
        [str(airflow_bin), "db", "migrate"], env=env, capture_output=True, text=True, timeout=600
    )
    if result.returncode != 0:
        raise RuntimeError(f"airflow db migrate failed:\n{result.stdout}\n{result.stderr}")
    partial = template.with_suffix(".partial")
    shutil.copyfile(scratch / "airflow.db", partial)
    partial.replace(template)  # atomic: a concurrent or interrupted run never sees half a file
    shutil.rmtree(scratch, ignore_errors=True)
    return template


@pytest.fixture(scope="session")
def airflow_db() -> Path:
    """A migrated Airflow metadata DB in this session's AIRFLOW_HOME (copied from the cache)."""
    if not _DB.exists():
        shutil.copyfile(_migrated_db_template(), _DB)
    return _DB


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(_HOME, ignore_errors=True)


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config
) -> None:
    """The order's seed again at the end (``-q`` hides the header), to re-run a failure in the same order."""
    seed = getattr(config.option, "randomly_seed", None)
    if seed is not None and config.pluginmanager.has_plugin("randomly"):
        terminalreporter.write_line(f"random test order: re-run it with -p randomly --randomly-seed={seed}")
