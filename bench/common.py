"""What the benchmarks share: the machine header, medians with their spread, the two emulators with a
bench tenant, a realistic order mix, the four order steps and the three stock steps driven in-process
(or each in a process of its own), and the pipeline's clock moved in step with the emulator's.

Airflow reads its configuration once, on first import: ``airflow_env`` must run before anything imports
it (every bench module calls it at the top of ``main``). The pipeline is imported lazily for that reason.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import math
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml

from emulators.demo_catalogue import tenant_file

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"

LS_KEY = "b3nchk3y000000000000000000000001"  # 32 characters, like a real key
LS_SECRET = "b3nchs3cr3t000000000000000000001"
TENANT_ID = "bench"
TENANT: dict[str, Any] = tenant_file(
    TENANT_ID, "Benchmark shop", "bench_ls", "bench_afas", "2026-01-01T00:00:00+01:00"
)
TENANT["afas"]["max_parallel_calls"] = 4

NO_LIMITS = (10**9, 10**9, 10**9)
REAL_LIMITS = (300, 3000, 12000)
GENEROUS_LIMITS = (1000, 12000, 288000)  # the generous reading of Lightspeed's budgets


# -- environment ------------------------------------------------------------------------------------


def airflow_env() -> Path:
    """A throwaway AIRFLOW_HOME unless one is set (the tests set their own); call before importing Airflow."""
    if "AIRFLOW_HOME" not in os.environ:
        home = Path(tempfile.mkdtemp(prefix="lsafas-bench-airflow-"))
        atexit.register(shutil.rmtree, home, ignore_errors=True)
        os.environ["AIRFLOW_HOME"] = str(home)
        os.environ.setdefault("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", f"sqlite:///{home / 'airflow.db'}")
    os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    os.environ.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "WARNING")  # the run logs are not the figures
    os.environ.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(REPO / "dags"))
    return Path(os.environ["AIRFLOW_HOME"])


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def _ram_gib() -> float:
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    return float("nan")


def machine() -> dict[str, str]:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": f"{os.cpu_count()} cores, {_cpu_model()}",
        "ram": f"{_ram_gib():.1f} GiB",
        "os": f"{platform.system()} {platform.release()}",
        "load": f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (1/5/15 min, at the start)",
        "versions": (
            f"Python {platform.python_version()}, apache-airflow {_version('apache-airflow')}, "
            f"lightspeed-afas {_version('lightspeed-afas')}, requests {_version('requests')}, "
            f"uvicorn {_version('uvicorn')}, SQLAlchemy {_version('sqlalchemy')}"
        ),
    }


def header(title: str) -> str:
    info = machine()
    return "\n".join(
        [title, *(f"  {k:<9} {v}" for k, v in info.items()), f"  {'command':<9} {' '.join(sys.argv)}"]
    )


# -- figures ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spread:
    """Median of several runs with the lowest and highest."""

    median: float
    low: float
    high: float
    runs: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        if not values:
            return cls(math.nan, math.nan, math.nan, 0)
        return cls(statistics.median(values), min(values), max(values), len(values))

    def fmt(self, digits: int = 2, unit: str = "") -> str:
        text = f"{self.median:,.{digits}f}{unit}"
        if self.runs > 1 and self.high != self.low:
            text += f" ({self.low:,.{digits}f}–{self.high:,.{digits}f})"
        elif self.runs > 1:
            text += " (±0)"
        return text


def write_result(name: str, text: str, out_dir: Path | None = None) -> Path:
    out_dir = out_dir or RESULTS
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / name
    path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    return path


# -- the realistic order mix ------------------------------------------------------------------------

PEOPLE = (
    ("Zoë", "van 't", "Hoff"),
    ("Jürgen", "", "Groß"),
    ("Sanne", "de", "Vries"),
    ("Daan", "", "Jansen"),
    ("Émilie", "", "Lefèvre"),
    ("Bram", "van der", "Berg"),
    ("Fleur", "", "Bakker"),
    ("Noor", "el", "Amrani"),
    ("Pieter", "", "Claes"),
    ("Anouk", "", "Visser"),
)
ADDRESSES = (
    ("Kerkstraat", "Amsterdam", "1017 GC", "nl"),
    ("Oudegracht", "Utrecht", "3511 AB", "nl"),
    ("Markt", "Leusden", "3833 LC", "nl"),
    ("Meir", "Antwerpen", "2000", "be"),
    ("Königsallee", "Düsseldorf", "40212", "de"),
)
PAYMENTS = (
    ("ideal", "iDEAL", "0"),
    ("creditcard", "Creditcard", "0"),
    ("paypal", "PayPal", "0.35"),
    ("afterpay", "Riverty (achteraf betalen)", "1.95"),
)


@dataclass
class Customer:
    kind: str  # returning (a debtor in AFAS) | new (registered, not in AFAS) | guest
    customer_id: int | None
    email: str
    first: str
    middle: str
    last: str
    street: str
    city: str
    zipcode: str
    country: str
    house: str
    company: dict[str, str] | None = None


@dataclass
class OrderMix:
    """The webshop orders of one benchmark and who placed them."""

    specs: list[dict[str, Any]]
    kinds: list[str]  # per order: returning | new | guest
    returning: list[Customer]
    new_customers: list[Customer]
    guests: list[Customer]
    window: tuple[datetime, datetime]
    changed: list[int] = field(default_factory=list)  # indexes of orders changed between runs

    @property
    def counts(self) -> dict[str, int]:
        return {k: self.kinds.count(k) for k in ("returning", "new", "guest")}

    def emails(self, kind: str | None = None) -> set[str]:
        return {s["email"].strip().lower() for s, k in zip(self.specs, self.kinds, strict=True) if k == kind}


def _customer(rng: random.Random, kind: str, n: int, customer_id: int | None) -> Customer:
    first, middle, last = PEOPLE[n % len(PEOPLE)]
    street, city, zipcode, country = ADDRESSES[rng.randrange(len(ADDRESSES))]
    # E-mail addresses in ASCII: ``"ß".upper()`` is "SS", so an upper-cased non-ASCII address would be
    # another address, not the same one typed differently.
    ascii_name = unicodedata.normalize("NFKD", f"{first}.{last}".replace("ß", "ss")).encode("ascii", "ignore")
    local = ascii_name.decode().lower().replace(" ", "").replace("'", "")
    domain = {"guest": "example.org", "new": "example.net"}.get(kind, "example.nl")
    company = None
    if kind != "guest" and rng.random() < 0.15:
        company = {"name": f"Koffiebar {last} B.V.", "vat": f"NL{800000000 + n:09d}B01", "coc": f"{n:08d}"}
    return Customer(
        kind=kind,
        customer_id=customer_id,
        email=f"{local}.{kind}{n}@{domain}",
        first=first,
        middle=middle,
        last=last,
        street=street,
        city=city,
        zipcode=zipcode,
        country=country,
        house=str(rng.randint(1, 250)),
        company=company,
    )


def _lines(rng: random.Random) -> list[dict[str, Any]]:
    from emulators.demo_catalogue import PRODUCTS

    known = [p for p in PRODUCTS if p.in_afas]
    return [
        {
            "articleCode": p.article_code,
            "sku": p.sku,
            "ean": p.ean,
            "quantityOrdered": rng.choice((1, 1, 1, 2, 3)),
        }
        for p in rng.sample(known, k=rng.choice((1, 1, 2, 2, 3, 4)))
    ]


def order_mix(count: int, seed: str, now: datetime | None = None) -> OrderMix:
    """``count`` paid orders: 70 % by returning customers (debtors already in AFAS; about two orders each),
    20 % by new registered customers (not in AFAS; one or two orders each), 10 % by guests (one each).
    Created over the week before ``now`` minus two days; the benchmark window spans them all."""
    rng = random.Random(f"bench:{seed}:{count}")
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    n_returning = round(count * 0.7)
    n_new = round(count * 0.2)
    kinds = ["returning"] * n_returning + ["new"] * n_new + ["guest"] * (count - n_returning - n_new)
    rng.shuffle(kinds)
    returning = [
        _customer(rng, "returning", i, 7100000 + i) for i in range(max(1, math.ceil(n_returning / 2)))
    ]
    new_pool = [_customer(rng, "new", i, 7600000 + i) for i in range(max(1, math.ceil(n_new * 0.8)))]
    guests: list[Customer] = []
    start = now - timedelta(days=9)
    step = timedelta(days=7) / max(1, count)
    specs = []
    for i, kind in enumerate(kinds):
        if kind == "returning":
            who = returning[rng.randrange(len(returning))]
        elif kind == "new":
            who = new_pool[rng.randrange(len(new_pool))]
        else:
            who = _customer(rng, "guest", len(guests), None)
            guests.append(who)
        created = start + step * i + timedelta(seconds=rng.randint(0, 59))
        payment_id, payment_title, fee = PAYMENTS[rng.randrange(len(PAYMENTS))]
        spec: dict[str, Any] = {
            "customer": who.customer_id if who.customer_id is not None else False,
            "email": who.email if rng.random() > 0.1 else who.email.upper(),  # typed differently now and then
            "firstname": who.first,
            "middlename": who.middle,
            "lastname": who.last,
            "street": who.street,
            "number_addr": who.house,
            "zipcode": who.zipcode,
            "city": who.city,
            "country": who.country,
            "company": who.company,
            "payment_id": payment_id,
            "payment_title": payment_title,
            "payment_fee": fee,
            "shipping": rng.choice(("0", "4.95", "6.95")),
            "discount": (
                {"kind": "percentage", "value": "0.10", "code": "WELKOM10"}
                if rng.random() < 0.1
                else {"kind": None}
            ),
            "status": rng.choice(("processing_awaiting_shipment", "completed_shipped")),
            "paymentStatus": "paid",
            "lines": _lines(rng),
            "createdAt": created.isoformat(),
            "updatedAt": (created + timedelta(minutes=rng.randint(1, 90))).isoformat(),
        }
        specs.append(spec)
    used_new = {s["email"].strip().lower() for s, k in zip(specs, kinds, strict=True) if k == "new"}
    used_returning = {
        s["email"].strip().lower() for s, k in zip(specs, kinds, strict=True) if k == "returning"
    }
    return OrderMix(
        specs=specs,
        kinds=kinds,
        returning=[c for c in returning if c.email in used_returning],
        new_customers=[c for c in new_pool if c.email in used_new],
        guests=guests,
        window=(start - timedelta(hours=1), now - timedelta(hours=1)),
    )


def change_some(mix: OrderMix, fraction: float, seed: str) -> list[tuple[int, dict[str, Any]]]:
    """Pick ``fraction`` of the orders and change what AFAS holds for them (one more of the first line);
    returns (order index, PATCH body) pairs, their ``updatedAt`` inside the benchmark window."""
    rng = random.Random(f"bench-change:{seed}:{len(mix.specs)}")
    picked = sorted(rng.sample(range(len(mix.specs)), k=round(len(mix.specs) * fraction)))
    when = (mix.window[1] - timedelta(minutes=30)).isoformat()
    changes = []
    for i in picked:
        lines = [dict(line) for line in mix.specs[i]["lines"]]
        lines[0]["quantityOrdered"] += 1
        changes.append((i, {"lines": lines, "updatedAt": when}))
    mix.changed = picked
    return changes


# -- the emulators and the tenant -------------------------------------------------------------------


@dataclass
class Stack:
    """Both emulators on loopback, a tenant include directory and a ledger file."""

    lightspeed_url: str
    afas_url: str
    include: Path
    workdir: Path
    ledger_file: Path

    def _admin(self, base: str, method: str, path: str, body: Any = None, timeout: float = 120) -> Any:
        import requests

        response = requests.request(method, f"{base}/_admin{path}", json=body, timeout=timeout)
        response.raise_for_status()
        return response.json()

    def shop(self, method: str, path: str, body: Any = None) -> Any:
        return self._admin(self.lightspeed_url, method, path, body)

    def afas(self, method: str, path: str, body: Any = None) -> Any:
        return self._admin(self.afas_url, method, path, body)

    def calls(self) -> tuple[dict[str, Any], dict[str, Any]]:
        return self.shop("GET", "/calls"), self.afas("GET", "/calls")

    def reset_calls(self) -> None:
        self.shop("POST", "/calls/reset")
        self.afas("POST", "/calls/reset")

    def seed(self, mix: OrderMix) -> list[dict[str, Any]]:
        """Put the orders into the shop, the returning customers' debtors and every item into AFAS."""
        from emulators.demo_catalogue import PRODUCTS

        self.afas(
            "PUT",
            "/catalogue",
            {"items": {p.afas_item_code: {"type": "2", "units": ["STK"]} for p in PRODUCTS}},
        )
        debtors = [
            {
                "kind": "organisation" if c.company else "person",
                "name": c.company["name"] if c.company else c.last,
                "email": c.email,
                "created": "2025-06-01T10:00:00+02:00",
            }
            for c in mix.returning
        ]
        for chunk in _chunks(debtors, 1000):
            self.afas("POST", "/debtors", {"debtors": chunk})
        created: list[dict[str, Any]] = []
        for chunk in _chunks(mix.specs, 500):
            created += self.shop("POST", "/orders", {"orders": chunk})["orders"]
        return created

    def advance(self, seconds: float) -> datetime:
        """Move the shop emulator's clock (its rate-limit windows run on it) and the pipeline's "now" by
        ``seconds``, as if that much time had passed; returns the shop's new now."""
        answer = self.shop("POST", "/clock", {"advance_seconds": seconds})
        shift_pipeline_clock(seconds)
        return datetime.fromisoformat(answer["now"])

    def new_ledger(self, name: str) -> str:
        self.ledger_file = self.workdir / f"{name}.db"
        self.ledger_file.unlink(missing_ok=True)
        os.environ["AIRFLOW_CONN_LIGHTSPEED_AFAS_LEDGER"] = json.dumps(
            {"conn_type": "sqlite", "host": str(self.ledger_file)}
        )
        return f"sqlite:///{self.ledger_file}"


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def tenant_files(workdir: Path, stock: bool = False) -> Path:
    """``workdir/include`` with the repo's mapping rules and the bench tenant (``stock``: with a ``stock:``
    block of defaults, so its stock flow is on); the package reads it from ``LIGHTSPEED_AFAS_INCLUDE_DIR``
    (set here, inherited by subprocesses)."""
    include = workdir / "include"
    (include / "tenants").mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "include" / "mappings", include / "mappings", dirs_exist_ok=True)
    tenant = {**TENANT, "stock": {}} if stock else TENANT
    (include / "tenants" / f"{TENANT_ID}.yaml").write_text(yaml.safe_dump(tenant), encoding="utf-8")
    os.environ["LIGHTSPEED_AFAS_INCLUDE_DIR"] = str(include)
    return include


@contextlib.contextmanager
def emulator_stack(
    workdir: Path,
    rate_limits: tuple[int, int, int] = NO_LIMITS,
    afas_latency_ms: float = 0,
    stock: bool = False,
) -> Iterator[Stack]:
    """Both emulators in threads of this process (real HTTP on loopback, ephemeral ports), the bench
    tenant's files (``stock``: with its stock flow on), and the Airflow connections as environment
    variables (inherited by subprocesses). The pipeline's clock is back to the system's afterwards."""
    from emulators.afas import DEMO_TOKEN_DATA, AfasConfig
    from emulators.afas import create_app as create_afas
    from emulators.lightspeed import LightspeedConfig
    from emulators.lightspeed import create_app as create_lightspeed
    from emulators.server import serve_in_thread

    include = tenant_files(workdir, stock=stock)
    shop_config = LightspeedConfig(orders=0, rate_limits=rate_limits, api_key=LS_KEY, api_secret=LS_SECRET)
    with contextlib.ExitStack() as stack:
        stack.callback(set_pipeline_clock, 0.0)
        shop = stack.enter_context(serve_in_thread(create_lightspeed(shop_config)))
        afas = stack.enter_context(serve_in_thread(create_afas(AfasConfig())))
        os.environ["AIRFLOW_CONN_BENCH_LS"] = json.dumps(
            {
                "conn_type": "lightspeed_ecom",
                "host": shop.url,
                "login": LS_KEY,
                "password": LS_SECRET,
                "extra": {"language": "nl"},
            }
        )
        os.environ["AIRFLOW_CONN_BENCH_AFAS"] = json.dumps(
            {
                "conn_type": "afas_profit",
                "host": f"{afas.url}/ProfitRestServices",
                "password": DEMO_TOKEN_DATA,
                "extra": {"integration_id": "12345_678900"},
            }
        )
        result = Stack(shop.url, afas.url, include, workdir, workdir / "ledger.db")
        # The shop's own demo orders would be noise: start from none.
        result.shop("POST", "/reset", {"orders": 0})
        if afas_latency_ms:
            result.afas("POST", "/faults", {"latency_ms": afas_latency_ms})
        yield result


# -- the pipeline, in-process -----------------------------------------------------------------------


def settings() -> Any:
    from lightspeed_afas.config import clear_cache, load_mapping, load_tenant
    from lightspeed_afas.flows.orders.tenant_settings import sync_settings

    clear_cache()
    tenant = load_tenant(TENANT_ID)
    return sync_settings(tenant, load_mapping(tenant.mapping, tenant.mapping_overrides))


def run_request(run_id: str, window: tuple[datetime, datetime]) -> Any:
    from lightspeed_afas.flows.request import RunRequest

    return RunRequest(run_id, "range", window[0], window[1])


STEP_NAMES = ("extract_orders", "resolve_relations", "transform", "load_to_afas")


def run_in_process(ledger_url: str, run_id: str, window: tuple[datetime, datetime]) -> dict[str, Any]:
    """One DAG run's four steps in this process; XCom values go through JSON as Airflow would carry them.
    Returns the run summary (``load_to_afas``); orders AFAS refused end the run as *failed* in Airflow,
    here they are counted from the summary instead."""
    from lightspeed_afas.ledger import Ledger
    from lightspeed_afas.orchestration.task import NewFailuresError, execute

    sync = settings()
    request = run_request(run_id, window)
    ledger = Ledger(ledger_url)
    upstream: dict[str, Any] = {}
    try:
        for step in STEP_NAMES:
            upstream[step] = json.loads(json.dumps(execute(step, sync, request, ledger, upstream)))
    except NewFailuresError as exc:
        return {"error": str(exc), "upstream": upstream}
    finally:
        ledger.release_lease(sync.tenant, run_id)
    return upstream["load_to_afas"]


# The pipeline's clock: how far it is ahead of the system's, and the system's ``utc_now`` it replaced.
_PIPELINE_CLOCK: dict[str, Any] = {"offset": 0.0, "system_now": None}


def set_pipeline_clock(offset_seconds: float) -> None:
    """Put the pipeline's "now" ``offset_seconds`` ahead of the system clock: ``retry_policy.utc_now``,
    which both flows look up at each call (0 puts the system clock back)."""
    if not offset_seconds and _PIPELINE_CLOCK["system_now"] is None:
        return  # never moved: nothing to put back (and nothing of the pipeline to import)
    from lightspeed_afas.domain import retry_policy

    if _PIPELINE_CLOCK["system_now"] is None:
        _PIPELINE_CLOCK["system_now"] = retry_policy.utc_now
    system_now = _PIPELINE_CLOCK["system_now"]
    _PIPELINE_CLOCK["offset"] = float(offset_seconds)
    if not offset_seconds:
        retry_policy.utc_now = system_now
        return
    shift = timedelta(seconds=offset_seconds)
    retry_policy.utc_now = lambda: system_now() + shift


def shift_pipeline_clock(seconds: float) -> None:
    set_pipeline_clock(pipeline_clock_offset() + seconds)


def pipeline_clock_offset() -> float:
    return float(_PIPELINE_CLOCK["offset"])


STOCK_STEPS = ("read_afas_stock", "plan_stock", "push_stock")


def stock_settings() -> Any:
    """The bench tenant's stock settings (its tenant file needs the stock block: ``stock=True`` above)."""
    from lightspeed_afas.config import clear_cache, load_tenant
    from lightspeed_afas.flows.stock import stock_settings as settings_of

    clear_cache()
    return settings_of(load_tenant(TENANT_ID))


def stock_request(run_id: str, full_comparison: bool = False) -> Any:
    from lightspeed_afas.flows.stock import StockRequest

    return StockRequest(run_id, "scheduled", dry_run=False, full_comparison=full_comparison)


def run_stock_in_process(ledger_url: str, run_id: str, full_comparison: bool = False) -> dict[str, Any]:
    """One stock DAG run's three steps in this process, XCom through JSON; returns the run summary
    (``push_stock``). Levels Lightspeed refused fail the run in Airflow; here the summary says so."""
    from lightspeed_afas.ledger import Ledger
    from lightspeed_afas.orchestration.stock_task import NewStockFailuresError, execute_stock

    settings = stock_settings()
    request = stock_request(run_id, full_comparison)
    ledger = Ledger(ledger_url)
    upstream: dict[str, Any] = {}
    try:
        for step in STOCK_STEPS:
            upstream[step] = json.loads(json.dumps(execute_stock(step, settings, request, ledger, upstream)))
    except NewStockFailuresError as exc:
        return {"error": str(exc), "outcome": "failed", "upstream": upstream}
    return upstream["push_stock"]


def decimal_str(value: Decimal) -> str:
    return format(value, "f")


@dataclass
class TaskFigures:
    step: str
    seconds: float
    maxrss_mb: float
    error: str | None


def run_in_subprocesses(
    ledger_url: str,
    run_id: str,
    window: tuple[datetime, datetime] | None,
    workdir: Path,
    steps: Sequence[str] = STEP_NAMES,
    profile: dict[str, Path] | None = None,
    flow: str = "orders",
    full_comparison: bool = False,
) -> tuple[dict[str, Any], list[TaskFigures]]:
    """One DAG run with every task in a process of its own (``bench.task_child``), XCom as JSON files.
    ``flow`` "stock": the stock steps (``steps=STOCK_STEPS``; no window), on the pipeline clock of this
    process. Returns the last step's output and each task's wall time and peak RSS."""
    import subprocess

    files: dict[str, str] = {}
    figures: list[TaskFigures] = []
    out: dict[str, Any] = {}
    for step in steps:
        target = workdir / f"{run_id}-{step}.json"
        target.unlink(missing_ok=True)
        job = {
            "step": step,
            "run_id": run_id,
            "flow": flow,
            "window": [w.isoformat() for w in window] if window else None,
            "full_comparison": full_comparison,
            "clock_offset_s": pipeline_clock_offset(),
            "ledger_url": ledger_url,
            "upstream": dict(files),
            "out": str(target),
            "profile": str(profile[step]) if profile and step in profile else None,
        }
        job_file = workdir / f"{run_id}-{step}.job.json"
        job_file.write_text(json.dumps(job), encoding="utf-8")
        done = subprocess.run(
            [sys.executable, "-m", "bench.task_child", str(job_file)],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=3600,
        )
        if done.returncode != 0:
            raise RuntimeError(f"task {step} of {run_id} failed:\n{done.stderr[-3000:]}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        figures.append(TaskFigures(step, result["seconds"], result["maxrss_kb"] / 1024, result["error"]))
        files[step] = str(target)
        out = json.loads(target.read_text()) if target.exists() else {}
    return out, figures
