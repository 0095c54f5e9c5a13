"""The hooks against the emulators over loopback, with Airflow connections given as env vars."""

from __future__ import annotations

import json

import pytest

from emulators.afas import DEMO_TOKEN_DATA, AfasConfig
from emulators.afas import create_app as create_afas
from emulators.clock import EmulatorClock
from emulators.lightspeed import DEMO_API_KEY, DEMO_API_SECRET, LightspeedConfig
from emulators.lightspeed import create_app as create_lightspeed
from emulators.server import serve_in_thread
from lightspeed_afas.hooks import AfasProfitHook, CallStats, LightspeedEcomHook


def set_connection(monkeypatch, conn_id: str, **fields) -> None:
    monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(fields))


def lightspeed_connection(monkeypatch, conn_id: str, url: str, key: str, secret: str, **extra) -> None:
    """A ``lightspeed_ecom`` connection to ``url`` (extra defaults to language nl)."""
    set_connection(
        monkeypatch,
        conn_id,
        conn_type="lightspeed_ecom",
        host=url,
        login=key,
        password=secret,
        extra={"language": "nl", **extra},
    )


def afas_connection(monkeypatch, conn_id: str, url: str, token: str, **extra) -> None:
    """An ``afas_profit`` connection to the emulator (or server) at ``url``."""
    set_connection(
        monkeypatch,
        conn_id,
        conn_type="afas_profit",
        host=f"{url}/ProfitRestServices",
        password=token,
        **({"extra": extra} if extra else {}),
    )


@pytest.fixture
def shop(monkeypatch):
    """Start a Lightspeed emulator and return (server, make_hook).

    With ``real_time=ManualTime()`` the emulator's clock runs on it: pass ``sleep=real_time.advance``
    to the hook, and its waits move the emulator's time exactly, without sleeping.
    """
    import contextlib

    stack = contextlib.ExitStack()

    def start(conn_id="ls_test", language="nl", secret=DEMO_API_SECRET, extra=None, real_time=None, **config):
        settings = LightspeedConfig(**config)
        clock = None if real_time is None else EmulatorClock(settings.clock_scale, real_seconds=real_time)
        server = stack.enter_context(serve_in_thread(create_lightspeed(settings, clock)))
        lightspeed_connection(
            monkeypatch, conn_id, server.url, DEMO_API_KEY, secret, **{"language": language, **(extra or {})}
        )
        return server, lambda **kw: LightspeedEcomHook(conn_id, stats=kw.pop("stats", CallStats()), **kw)

    with stack:
        yield start


@pytest.fixture
def afas_env(monkeypatch):
    """An AFAS emulator and a factory for hooks on it (token in either form)."""
    with serve_in_thread(create_afas(AfasConfig())) as server:

        def hook(token=DEMO_TOKEN_DATA, conn_id="afas_test", extra=None, **kw):
            afas_connection(
                monkeypatch, conn_id, server.url, token, **{"integration_id": "12345_678900", **(extra or {})}
            )
            return AfasProfitHook(conn_id, stats=kw.pop("stats", CallStats()), **kw)

        yield server, hook


@pytest.fixture
def misbehaving(monkeypatch):
    """Start echo/misbehaving servers (``tests.support.echo_server``); each stops at the test's end.

    ``start(respond)`` returns the server; ``lightspeed(server, ...)`` and ``afas(server, ...)`` make
    hooks on it that never sleep (waits are counted, not slept)."""
    import contextlib
    from types import SimpleNamespace

    from tests.support.echo_server import serve

    with contextlib.ExitStack() as stack:

        def lightspeed(server, key=DEMO_API_KEY, secret=DEMO_API_SECRET, conn_id="ls_bad", **kw):
            lightspeed_connection(monkeypatch, conn_id, server.url, key, secret)
            hook = LightspeedEcomHook(conn_id, sleep=lambda s: None, **kw)
            stack.callback(hook.close)
            return hook

        def afas(server, token=DEMO_TOKEN_DATA, conn_id="afas_bad", **kw):
            afas_connection(monkeypatch, conn_id, server.url, token)
            hook = AfasProfitHook(conn_id, sleep=lambda s: None, **kw)
            stack.callback(hook.close)
            return hook

        yield SimpleNamespace(
            start=lambda respond: stack.enter_context(serve(respond)), lightspeed=lightspeed, afas=afas
        )
