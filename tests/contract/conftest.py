"""Both emulators served over real HTTP on loopback, fresh for each test."""

from __future__ import annotations

import base64

import pytest
import requests

from emulators.afas import DEMO_TOKEN_DATA, AfasConfig
from emulators.afas import create_app as create_afas
from emulators.clock import EmulatorClock, ManualTime
from emulators.lightspeed import DEMO_API_KEY, DEMO_API_SECRET, LightspeedConfig
from emulators.lightspeed import create_app as create_lightspeed
from emulators.server import serve_in_thread

TOKEN_XML = f"<token><version>1</version><data>{DEMO_TOKEN_DATA}</data></token>"
AFAS_AUTH = {"Authorization": "AfasToken " + base64.b64encode(TOKEN_XML.encode()).decode()}
LS_AUTH = (DEMO_API_KEY, DEMO_API_SECRET)


@pytest.fixture
def lightspeed_factory():
    """Start a Lightspeed emulator with a given config; all are stopped at the end of the test.

    ``real_time=ManualTime()`` runs its clock on that time source instead of the machine's, so the
    test moves time itself (``real_time.advance``) and every reset and ``Retry-After`` is exact.
    """
    import contextlib

    stack = contextlib.ExitStack()

    def start(real_time: ManualTime | None = None, **config):
        settings = LightspeedConfig(**config)
        clock = None if real_time is None else EmulatorClock(settings.clock_scale, real_seconds=real_time)
        return stack.enter_context(serve_in_thread(create_lightspeed(settings, clock)))

    with stack:
        yield start


@pytest.fixture
def lightspeed(lightspeed_factory):
    return lightspeed_factory()


@pytest.fixture
def afas():
    with serve_in_thread(create_afas(AfasConfig())) as server:
        yield server


@pytest.fixture
def client(afas):
    """The AFAS test client of ``afas_fixtures`` (AFAS calls plus the admin API) on a fresh emulator."""
    from tests.support.afas_fixtures import AfasClient as FullAfasClient

    full = FullAfasClient(afas.url)
    yield full
    full.close()


class AfasClient:
    """Tiny raw client for contract tests (the connector's own hook is tested separately)."""

    def __init__(self, url: str) -> None:
        self.base = f"{url}/ProfitRestServices"
        self.admin = f"{url}/_admin"
        self.session = requests.Session()
        self.session.headers.update(AFAS_AUTH)

    def get(self, connector: str, **params) -> requests.Response:
        return self.session.get(f"{self.base}/connectors/{connector}", params=params, timeout=10)

    def post(self, connector: str, body) -> requests.Response:
        return self.session.post(f"{self.base}/connectors/{connector}", json=body, timeout=10)

    def put(self, connector: str, body) -> requests.Response:
        return self.session.put(f"{self.base}/connectors/{connector}", json=body, timeout=10)


@pytest.fixture
def afas_client(afas):
    client = AfasClient(afas.url)
    yield client
    client.session.close()
