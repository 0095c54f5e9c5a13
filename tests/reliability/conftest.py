"""The reliability and security suite's harness: both emulators over real HTTP, the pipeline driven
in-process (the four steps of ``lightspeed_afas.orchestration.task.execute``, XCom values passed as
JSON exactly as Airflow would) or through ``dag.test()``, the books checked, and the figures tallied.

``RELIABILITY_EXAMPLES`` sets the number of seeded fault plans (default 12: CI) and ``RELIABILITY_SEED``
their seed; ``make reliability`` runs 200 and writes the figures to ``RELIABILITY_REPORT`` for
``tools/reliability_report.py``.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import os
import shutil
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests
import yaml

from emulators.afas import AfasConfig, AppConnector
from emulators.afas import create_app as create_afas
from emulators.demo_catalogue import PRODUCTS, tenant_file
from emulators.lightspeed import LightspeedConfig
from emulators.lightspeed import create_app as create_lightspeed
from emulators.server import RunningServer, admin_call, serve_in_thread
from lightspeed_afas.domain import retry_policy
from tests.conftest import REPO
from tests.support.fake_clock import FakeClock

EXAMPLES = int(os.environ.get("RELIABILITY_EXAMPLES", "12"))
SEED = int(os.environ.get("RELIABILITY_SEED", "20261125"))  # the fault plans are the same on every run
REPORT = os.environ.get("RELIABILITY_REPORT", "")

# Credentials of this suite only, so a scan that finds them has found a leak (no false hits on the
# demo's well-known values). The AFAS token in all the forms a leak could take is in ``secret_forms``.
LS_KEY = "rk7Q2mZ9xW4pL8vN3cT6yB1hF5jD0sGa"
LS_SECRET = "rsE8uK3nR6tY1wQ9zX4cV7bM2lP5oJ0i"
AFAS_TOKEN_DATA = "7E3A9C1F5B2D8E4A6C0F9B3D7A1E5C2F8D4B6A0E9C3F7B1D5A8E2C6F0B4D9A3E"
AFAS_TOKEN_XML = f"<token><version>1</version><data>{AFAS_TOKEN_DATA}</data></token>"

TENANT: dict[str, Any] = tenant_file("shop", "Betrouwbaarheidswinkel", "rel_ls_shop", "rel_afas_shop")
# The stock flow's block (``Stack.stock_tenant``): the standard connector Profit_Stock_per_Warehouse,
# codes matched on articleCode, sku, ean; the rest are the defaults.
STOCK_BLOCK: dict[str, Any] = {"schedule": "*/15 * * * *"}


# Write points of a run, by the emulator's call key.
WRITE_POINTS = {
    ("POST", "KnSalesRelationPer"): "relation insert",
    ("POST", "KnSalesRelationOrg"): "relation insert",
    ("POST", "FbSales"): "order insert",
    ("PUT", "FbSales"): "order update",
}


# The tenant's notification webhook (a Slack-style URL whose path is the credential). The scan's test
# points it at a local sink on 127.0.0.1, so no notification ever leaves the machine.
WEBHOOK_PATH = "/services/T0RELIAB1/B0RELIAB1/Wq8Zk3Rv7Lp2Nx5Tb9Yc4Hs6Jm0Dg1"


def _dotnet_json(text: str) -> str:
    """``text`` as .NET's System.Text.Json writes it inside a string: ``+ < > & '`` as ``\\u00XX``."""
    return "".join(f"\\u{ord(c):04X}" if c in "+<>&'" else c for c in text)


def secret_forms() -> dict[str, str]:
    """Every form in which the connections' secrets could leak."""
    xml_b64 = base64.b64encode(AFAS_TOKEN_XML.encode()).decode()
    basic = base64.b64encode(f"{LS_KEY}:{LS_SECRET}".encode()).decode()
    return {
        "AFAS token (data part)": AFAS_TOKEN_DATA,
        "AFAS token (whole XML)": AFAS_TOKEN_XML,
        "AFAS token (whole XML, JSON with \\/)": AFAS_TOKEN_XML.replace("/", "\\/"),
        "AFAS token (whole XML, JSON with \\u003C)": _dotnet_json(AFAS_TOKEN_XML),
        "AFAS token (base64 of the XML)": xml_b64,
        "AFAS token (base64 of the XML, JSON with \\u002B)": _dotnet_json(xml_b64),
        "AFAS token (base64 of the data part)": base64.b64encode(AFAS_TOKEN_DATA.encode()).decode(),
        "AFAS Authorization header": f"AfasToken {xml_b64}",
        "Lightspeed API key": LS_KEY,
        "Lightspeed API secret": LS_SECRET,
        "Lightspeed basic-auth header": basic,
        "Lightspeed Authorization header (Basic)": f"Basic {basic}",
        "Lightspeed basic-auth header (JSON with \\u002B)": _dotnet_json(basic),
        "notification webhook path": WEBHOOK_PATH,
        "notification webhook path (JSON with \\/)": WEBHOOK_PATH.replace("/", "\\/"),
        "notification webhook path (URL-encoded)": quote(WEBHOOK_PATH, safe=""),
    }


# -- figures ----------------------------------------------------------------------------------------


@dataclass
class Tally:
    """Figures the tests add to; written as JSON at the end of the session when RELIABILITY_REPORT is set."""

    faults: Counter[str] = field(default_factory=Counter)
    runs: Counter[str] = field(default_factory=Counter)
    checks: Counter[str] = field(default_factory=Counter)
    bad_inputs: Counter[str] = field(default_factory=Counter)
    leaks: Counter[str] = field(default_factory=Counter)
    scenarios: list[str] = field(default_factory=list)

    def books(self, scenario: str, books: Books) -> None:
        self.checks["scenarios checked"] += 1
        self.checks["orders accounted for"] += books.accounted
        self.checks["duplicate orders"] += len(books.duplicate_orders)
        self.checks["duplicate relations"] += len(books.duplicate_relations)
        self.checks["lost orders"] += len(books.lost)
        self.scenarios.append(scenario)

    def as_dict(self) -> dict[str, Any]:
        return {
            "examples": EXAMPLES,
            "faults": dict(self.faults),
            "runs": dict(self.runs),
            "checks": dict(self.checks),
            "bad_inputs": dict(self.bad_inputs),
            "leaks": dict(self.leaks),
            "scenarios": sorted(set(self.scenarios)),
        }


_TALLY = Tally()


@pytest.fixture(scope="session")
def tally() -> Iterator[Tally]:
    yield _TALLY
    if REPORT:
        path = Path(REPORT)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(_TALLY.as_dict(), indent=2, sort_keys=True), encoding="utf-8")


# -- running the pipeline ---------------------------------------------------------------------------


@dataclass
class RunResult:
    run_id: str
    state: str  # success | failed (orders recorded as failed) | error (the run stopped)
    summary: dict[str, Any] | None
    error: BaseException | None
    upstream: dict[str, Any]

    @property
    def error_text(self) -> str:
        return "" if self.error is None else f"{type(self.error).__name__}: {self.error}"


_run_ids = itertools.count(1)
RUN_SPACING = timedelta(days=1)  # longer than any step of the retry backoff


def now_utc() -> datetime:
    return datetime.now(UTC)


def stamp(moment: datetime) -> str:
    """An ISO time to the second, for the emulator's admin API."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


@dataclass
class Books:
    """What AFAS and the ledger hold, compared with the shop."""

    duplicate_orders: dict[str, int]
    duplicate_relations: dict[str, int]
    lost: list[str]
    accounted: int

    @property
    def clean(self) -> bool:
        return not (self.duplicate_orders or self.duplicate_relations or self.lost)


@dataclass
class Stack:
    lightspeed: RunningServer
    afas: RunningServer
    include: Path
    home: Path
    errors: list[str] = field(default_factory=list)  # every exception text a run raised
    ledger_file: Path | None = None
    # The pipeline's clock moves RUN_SPACING per run, so every failed order is due for a retry at each
    # run as these scenarios assume (the backoff itself: tests/e2e/test_known_failures.py).
    clock: FakeClock = field(default_factory=FakeClock)

    # -- set-up -----------------------------------------------------------------------------------

    def tenant(self, **changes: Any) -> None:
        data = json.loads(json.dumps(TENANT))
        for key, value in changes.items():
            if isinstance(value, dict) and isinstance(data.get(key), dict):
                data[key].update(value)
            else:
                data[key] = value
        (self.include / "tenants" / "shop.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")

    def fresh_ledger(self) -> Path:
        """A new, empty ledger file (the connection env var points at it); the old one's engine closes."""
        from lightspeed_afas.ledger import dispose_engine

        if self.ledger_file is not None:
            dispose_engine(f"sqlite:///{self.ledger_file}")
        n = next(_run_ids)
        self.ledger_file = self.home / f"ledger-{n}.db"
        os.environ["AIRFLOW_CONN_LIGHTSPEED_AFAS_LEDGER"] = json.dumps(
            {"conn_type": "sqlite", "host": str(self.ledger_file)}
        )
        return self.ledger_file

    def reset(self, seed: str = "demo", orders: int = 12) -> None:
        """Both emulators back to a fresh state (every demo product known to AFAS), and a fresh ledger."""
        self.shop_admin("POST", "/faults", {"clear": True})
        self.shop_admin("POST", "/reset", {"seed": seed, "orders": orders})
        self.afas_admin("POST", "/reset", {"keep_catalogue": True})
        self.fresh_ledger()

    @property
    def ledger(self) -> Any:
        from lightspeed_afas.ledger import Ledger

        assert self.ledger_file is not None
        return Ledger(f"sqlite:///{self.ledger_file}")

    def settings(self) -> Any:
        from lightspeed_afas.config import clear_cache, load_mapping, load_tenant
        from lightspeed_afas.flows.orders.tenant_settings import sync_settings

        clear_cache()
        tenant = load_tenant("shop")
        return sync_settings(tenant, load_mapping(tenant.mapping, tenant.mapping_overrides), self.clock)

    # -- the stock flow (AFAS → Lightspeed) -------------------------------------------------------

    def stock_tenant(self, **stock: Any) -> None:
        """The tenant with a ``stock:`` block (``STOCK_BLOCK`` and ``stock``; the rest as ``TENANT``)."""
        self.tenant(stock={**STOCK_BLOCK, **stock})

    def stock_settings(self) -> Any:
        from lightspeed_afas.config import clear_cache, load_tenant
        from lightspeed_afas.flows.stock import stock_settings

        clear_cache()
        return stock_settings(load_tenant("shop"))

    def stock_step(self, step: str, request: Any, upstream: dict[str, Any], settings: Any = None) -> Any:
        """One stock task (``orchestration.stock_task.execute_stock``); its output goes through JSON
        as XCom would carry it."""
        from lightspeed_afas.orchestration.stock_task import execute_stock

        out = execute_stock(step, settings or self.stock_settings(), request, self.ledger, upstream)
        return json.loads(json.dumps(out))

    # -- driving ----------------------------------------------------------------------------------

    def request(
        self,
        run_id: str | None = None,
        mode: str = "scheduled",
        window_end: datetime | None = None,
        window_start: datetime | None = None,
        order_numbers: tuple[str, ...] = (),
    ) -> Any:
        from lightspeed_afas.flows.request import RunRequest

        end = window_end or now_utc()
        start = window_start or end - timedelta(minutes=15)
        return RunRequest(run_id or f"scheduled__rel{next(_run_ids)}", mode, start, end, order_numbers)

    def step(self, step: str, request: Any, upstream: dict[str, Any], settings: Any = None) -> Any:
        """One task: its output goes through JSON as XCom would carry it."""
        from lightspeed_afas.orchestration.task import execute

        out = execute(step, settings or self.settings(), request, self.ledger, upstream)
        return json.loads(json.dumps(out))

    def run(
        self,
        request: Any = None,
        *,
        steps: tuple[str, ...] | None = None,
        lease_wait: float = 0.0,
        lease_waits: list[str] | None = None,
        **kw: Any,
    ) -> RunResult:
        """One DAG run in-process: the four steps, then the teardown's lease release.

        ``lease_wait``: seconds a step blocked by another run's lease is retried (as Airflow retries
        the task); each retry is noted in ``lease_waits``."""
        from lightspeed_afas.flows.orders import LeaseHeldError
        from lightspeed_afas.orchestration.task import STEPS, NewFailuresError

        request = request or self.request(**kw)
        self.clock.advance(RUN_SPACING)
        settings = self.settings()
        upstream: dict[str, Any] = {}
        try:
            for step in steps or STEPS:
                deadline = time.monotonic() + lease_wait
                while True:
                    try:
                        upstream[step] = self.step(step, request, upstream, settings)
                        break
                    except LeaseHeldError:
                        if time.monotonic() > deadline:
                            raise
                        if lease_waits is not None:
                            lease_waits.append(step)
                        time.sleep(0.2)
            return RunResult(request.run_id, "success", upstream.get("load_to_afas"), None, upstream)
        except NewFailuresError as exc:
            self.errors.append(str(exc))
            return RunResult(request.run_id, "failed", None, exc, upstream)
        except Exception as exc:  # a stopped run: the test decides whether that was expected
            self.errors.append(f"{type(exc).__name__}: {exc}")
            return RunResult(request.run_id, "error", None, exc, upstream)
        finally:
            self.ledger.release_lease(settings.tenant, request.run_id)

    def dag_run(self, **params: Any) -> Any:
        """One run of the tenant's DAG with ``dag.test()`` (tasks without retries)."""
        from airflow.dag_processing.dagbag import DagBag

        bag = DagBag(dag_folder=str(REPO / "dags"))
        assert not bag.import_errors, bag.import_errors
        dag = bag.dags["lightspeed_afas_shop"]
        for task in dag.tasks:
            task.retries = 0
        self.clock.advance(RUN_SPACING)
        return dag.test(run_conf=params or None)

    # -- looking ----------------------------------------------------------------------------------

    def shop_admin(self, method: str, path: str, body: Any = None) -> Any:
        return admin_call(self.lightspeed.url, method, path, body, timeout=30)

    def afas_admin(self, method: str, path: str, body: Any = None) -> Any:
        return admin_call(self.afas.url, method, path, body, timeout=30)

    def shop_orders(self) -> list[dict[str, Any]]:
        return self.shop_admin("GET", "/state")["orders"]

    def afas_state(self) -> dict[str, Any]:
        return self.afas_admin("GET", "/state")

    def afas_get(self, connector: str, **params: str) -> list[dict[str, Any]]:
        """Rows of an AFAS GetConnector over the public API (as any client would read them)."""
        header = "AfasToken " + base64.b64encode(AFAS_TOKEN_XML.encode()).decode()
        response = requests.get(
            f"{self.afas.url}/ProfitRestServices/connectors/{connector}",
            params={"skip": "0", "take": "10000", **params},
            headers={"Authorization": header},
            timeout=30,
        )
        response.raise_for_status()
        return response.json()["rows"]

    def write_faults_seen(self) -> Counter[str]:
        """Writes the AFAS emulator dropped or answered late since its counters were reset, per kind."""
        calls = self.afas_admin("GET", "/calls")
        seen: Counter[str] = Counter()
        for key, n in calls["by_status"].items():
            verb, path, status = key.split(" ")
            kind = WRITE_POINTS.get((verb, path.rsplit("/", 1)[-1]))
            if kind and status == "dropped":
                seen[f"commit-then-drop: {kind}"] += n
        if calls["hung"]:
            seen["commit-then-timeout"] += calls["hung"]
        return seen

    def books(self, eligible: set[str] | None = None) -> Books:
        """Compare AFAS and the ledger with the shop: duplicates and lost orders.

        ``eligible``: order numbers that must be booked (default: every order not cancelled)."""
        shop = self.shop_orders()
        if eligible is None:
            eligible = {o["number"] for o in shop if o["status"] != "cancelled"}
        by_reference = Counter(o["fields"]["RfCs"] for o in self.afas_state()["orders"])
        by_email = Counter(
            str(row.get("Email") or "").strip().lower()
            for row in self.afas_get("Profit_Debtor", orderbyfieldids="DebtorId")
        )
        by_email.pop("", None)
        states = self.ledger.order_states("shop", [o["id"] for o in shop])
        lost = []
        for order in shop:
            if order["number"] not in eligible:
                continue
            state = states.get(order["id"])
            if by_reference[order["number"]] != 1 or state is None or state.status != "booked":
                lost.append(order["number"])
        return Books(
            duplicate_orders={ref: n for ref, n in by_reference.items() if n > 1},
            duplicate_relations={email: n for email, n in by_email.items() if n > 1},
            lost=lost,
            accounted=sum(1 for o in shop if o["id"] in states),
        )


def all_products_in_afas() -> dict[str, Any]:
    return {"items": {p.afas_item_code: {"type": "2", "units": ["STK"]} for p in PRODUCTS}}


@contextlib.contextmanager
def running_stack(
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
    shop: LightspeedConfig | None = None,
    afas: AfasConfig | None = None,
) -> Iterator[Stack]:
    include = home / "include"
    (include / "tenants").mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "include" / "mappings", include / "mappings", dirs_exist_ok=True)
    shop = shop or LightspeedConfig(orders=12)
    shop.api_key, shop.api_secret = LS_KEY, LS_SECRET
    afas = afas or AfasConfig()
    afas.tokens = {AFAS_TOKEN_DATA: AppConnector()}
    with contextlib.ExitStack() as stack:
        ls_server = stack.enter_context(serve_in_thread(create_lightspeed(shop)))
        afas_server = stack.enter_context(serve_in_thread(create_afas(afas)))
        monkeypatch.setenv("LIGHTSPEED_AFAS_INCLUDE_DIR", str(include))
        monkeypatch.setenv(
            "AIRFLOW_CONN_REL_LS_SHOP",
            json.dumps(
                {
                    "conn_type": "lightspeed_ecom",
                    "host": ls_server.url,
                    "login": LS_KEY,
                    "password": LS_SECRET,
                    "extra": {"language": "nl"},
                }
            ),
        )
        monkeypatch.setenv(
            "AIRFLOW_CONN_REL_AFAS_SHOP",
            json.dumps(
                {
                    "conn_type": "afas_profit",
                    "host": f"{afas_server.url}/ProfitRestServices",
                    "password": AFAS_TOKEN_DATA,
                    "extra": {"integration_id": "12345_678900"},
                }
            ),
        )
        # monkeypatch restores it; fresh_ledger() sets it per scenario
        monkeypatch.setenv(
            "AIRFLOW_CONN_LIGHTSPEED_AFAS_LEDGER", os.environ["AIRFLOW_CONN_LIGHTSPEED_AFAS_LEDGER"]
        )
        env = Stack(ls_server, afas_server, include, home)
        monkeypatch.setattr(retry_policy, "utc_now", env.clock)  # for dag_run()
        env.tenant()
        env.fresh_ledger()
        env.afas_admin("PUT", "/catalogue", all_products_in_afas())
        yield env


@pytest.fixture
def stack(airflow_db, tmp_path, monkeypatch) -> Iterator[Stack]:
    with running_stack(tmp_path, monkeypatch) as env:
        yield env
