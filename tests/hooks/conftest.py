"""The hooks against the emulators over loopback, with Airflow connections given as env vars."""

from __future__ import annotations

import json

import pytest

from emulators.afas import DEMO_TOKEN_DATA, AfasConfig
from emulators.afas import create_app as create_afas
from emulators.lightspeed import DEMO_API_KEY, DEMO_API_SECRET, LightspeedConfig
from emulators.lightspeed import create_app as create_lightspeed
from emulators.server import serve_in_thread
from lightspeed_afas.hooks import AfasProfitHook, CallStats, LightspeedEcomHook


def set_connection(monkeypatch, conn_id: str, **fields) -> None:
    monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(fields))


@pytest.fixture
def shop(monkeypatch):
    """Start a Lightspeed emulator and return (server, make_hook)."""
    import contextlib

    stack = contextlib.ExitStack()

    def start(conn_id="ls_test", language="nl", secret=DEMO_API_SECRET, extra=None, **config):
        server = stack.enter_context(serve_in_thread(create_lightspeed(LightspeedConfig(**config))))
        set_connection(
            monkeypatch,
            conn_id,
            conn_type="lightspeed_ecom",
            host=server.url,
            login=DEMO_API_KEY,
            password=secret,
            extra={"language": language, **(extra or {})},
        )
        return server, lambda **kw: LightspeedEcomHook(conn_id, stats=kw.pop("stats", CallStats()), **kw)

    with stack:
        yield start


@pytest.fixture
def afas_env(monkeypatch):
    """An AFAS emulator and a factory for hooks on it (token in either form)."""
    with serve_in_thread(create_afas(AfasConfig())) as server:

        def hook(token=DEMO_TOKEN_DATA, conn_id="afas_test", extra=None, **kw):
            set_connection(
                monkeypatch,
                conn_id,
                conn_type="afas_profit",
                host=f"{server.url}/ProfitRestServices",
                password=token,
                extra={"integration_id": "12345_678900", **(extra or {})},
            )
            return AfasProfitHook(conn_id, stats=kw.pop("stats", CallStats()), **kw)

        yield server, hook
