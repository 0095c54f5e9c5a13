"""Fixtures for the dashboard tests: Airflow's own API server app (with our plugin mounted), tokens from
Airflow's auth manager, a seeded ledger on SQLite or PostgreSQL, and the tenant files."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.dashboard_seed import TENANT, Seeded, seed
from tests.support.include import Include
from tests.support.pg import PG_HOST, PG_PORT, PG_USER, scratch_database

LEDGER_ENV = "AIRFLOW_CONN_LIGHTSPEED_AFAS_LEDGER"


@pytest.fixture(scope="session")
def airflow_app(airflow_db):
    """The API server's FastAPI app as ``airflow api-server`` builds it, plugins included."""
    from airflow.api_fastapi.app import create_app

    return create_app()


def make_token(username: str = "admin", role: str = "ADMIN") -> str:
    """A JWT signed by Airflow's auth manager, as the login would issue it."""
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser

    return get_auth_manager().generate_jwt(SimpleAuthManagerUser(username=username, role=role))


@pytest.fixture
def client(airflow_app):
    from fastapi.testclient import TestClient

    with TestClient(airflow_app) as test_client:
        yield test_client


@pytest.fixture
def admin_cookies(airflow_app) -> dict[str, str]:
    return {"_token": make_token()}


@pytest.fixture
def tenants(include: Include) -> Include:
    include.tenant(TENANT, {"name": "Acme Dashboard Shop"})
    return include


@pytest.fixture(params=["sqlite", "postgres"])
def seeded(request, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tenants: Include) -> Iterator[Seeded]:
    """The ledger the API server finds through the ``lightspeed_afas_ledger`` connection, seeded."""
    if request.param == "sqlite":
        path = tmp_path / "ledger.db"
        monkeypatch.setenv(LEDGER_ENV, json.dumps({"conn_type": "sqlite", "host": str(path)}))
        yield seed(f"sqlite:///{path}")
        return
    with scratch_database("lsafas_dash") as url:
        database = url.rsplit("/", 1)[1]
        monkeypatch.setenv(
            LEDGER_ENV,
            json.dumps(
                {
                    "conn_type": "postgres",
                    "host": PG_HOST,
                    "port": PG_PORT,
                    "login": PG_USER,
                    "schema": database,
                }
            ),
        )
        yield seed(url)
        from lightspeed_afas.dashboard import access

        access._ledgers.pop(url, None)
