"""The articles flow under faults: answers lost after a product POST or a PUT was applied, 5xx answers on
POSTs, PUTs and any call, 429s on PUTs and a spent 5-minute window (a 429 storm), and AFAS 503s (short,
and maintenance) while the items are read — at seeded moments of the runs.

The flow runs in-process as the articles DAG would run it: read_afas_articles → plan_articles →
push_articles, each step's XCom value through JSON, each task tried up to three times (the DAG's
``retries=2``) unless it raises an ``AirflowFailException``, and the teardown closing a run's ledger row
that its last task did not. The pipeline's clock and both emulators' clocks move an hour per run (the
schedule). ``create_missing`` is on.

Each hypothesis example is a fresh catalogue: 30 AFAS items, 24 of them with a product in the shop (its
default variant carrying the code in articleCode, or in sku in another case), differing from AFAS in
prices, EAN, title, visibility, and with no tax linked; 6 items the shop lacks (to be created); two shop
products AFAS has no item for. A plan of one to four rounds follows: AFAS changes (prices — which do
not move ModifiedDate —, descriptions, VAT groups, barcodes, blocked, new items), up to three faults are
armed (before the run, before the n-th Lightspeed write of the run, or before the AFAS rows are read),
the flow runs, the faults are cleared. Then clean runs until one ends ``success``, and the books must
hold: every AFAS item has exactly one product (no duplicate, none lost) and every field the flow leads
on shows AFAS's value; the products AFAS has no item for are untouched; the ledger's last write of each
field agrees with the shop, no field was written twice in one run, each created product has exactly one
``created`` row, and every item's variant in the ledger is the one the shop has for its code.

The hooks' waits (backoff, Retry-After) are recorded instead of slept.
"""

from __future__ import annotations

import itertools
import json
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from emulators.lightspeed import LightspeedConfig
from lightspeed_afas.domain.vocabulary import ARTICLE_STEPS
from lightspeed_afas.flows.articles import ArticleRequest
from lightspeed_afas.hooks.afas import AfasProfitHook
from lightspeed_afas.hooks.base import ApiHook
from lightspeed_afas.hooks.errors import AfasUnavailableError, LightspeedUnavailableError
from lightspeed_afas.hooks.lightspeed_catalog import CatalogCalls
from lightspeed_afas.orchestration.articles_task import ArticlesSetupError
from lightspeed_afas.orchestration.task_failures import ExpectedTaskFailure
from tests.reliability.conftest import EXAMPLES, LS_KEY, LS_SECRET, SEED, Stack, Tally, running_stack

TASK_TRIES = 3  # the articles DAG's retries=2
SCHEDULE = timedelta(hours=1)  # the articles DAG's default schedule, "0 * * * *"
HOOK_TRIES = 5  # LightspeedEcomHook.server_error_attempts, AfasProfitHook.attempts
MAINTENANCE = 1800  # an AFAS retry_after beyond the hook's max_wait_seconds (120)
ITEMS, MATCHED, SHOP_ONLY = 30, 24, 2
CLEAN_RUNS = 3
TRANSIENT = (LightspeedUnavailableError, AfasUnavailableError)
RATES = {"HOOG": Decimal("21"), "LAAG": Decimal("9"), "GEEN": Decimal("0")}  # the tenant's default vat_groups
TAX_IDS = {"HOOG": 4021, "LAAG": 4009, "GEEN": 4000}  # the shop emulator's seeded taxes
WORDS = ("Koffie", "Thee", "Mok", "Filter", "Molen", "Beker", "Kan", "Lepel", "Bus", "Schaal")
POST, VPUT, PPUT = (
    "POST /{lang}/products.json",
    "PUT /{lang}/variants/{id}.json",
    "PUT /{lang}/products/{id}.json",
)
ARTICLES_BLOCK = {"schedule": "0 * * * *", "create_missing": True}

FAULTS = {
    "drop_after_post": "articles: connection dropped after an applied product POST",
    "post_5xx": "articles: Lightspeed 5xx on a product POST",
    "drop_after_put": "articles: connection dropped after an applied PUT",
    "put_5xx": "articles: Lightspeed 5xx on a PUT",
    "put_429": "articles: Lightspeed 429 on a PUT",
    "exhaust": "articles: Lightspeed 5-min window spent (429 storm)",
    "status_5xx": "articles: Lightspeed 5xx on any call",
    "afas_503": "articles: AFAS 503 (retry_after within the hook's wait)",
    "afas_maintenance": "articles: AFAS 503 (maintenance, retry_after beyond the hook's wait)",
}

_run_ids = itertools.count(1)


def cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def ean13(first12: str) -> str:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return first12 + str((10 - total % 10) % 10)


def norm(value: Any) -> str | None:
    text = str(value or "").strip().upper()
    return text or None


# -- faults -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    """``count`` answers of ``kind``, armed before the run (``at`` 0), before the ``at``-th Lightspeed
    write of the run (a PUT or a product POST), or before the AFAS rows are read (AFAS, ``at`` ≥ 1)."""

    kind: str
    at: int
    count: int

    @property
    def afas(self) -> bool:
        return self.kind.startswith("afas")

    def body(self) -> dict[str, Any]:
        if self.kind == "put_429":
            return {"put_429": {"count": self.count, "retry_after": 1}}
        if self.kind in ("put_5xx", "post_5xx"):
            return {self.kind: {"count": self.count, "status": (503, 502, 500)[self.count % 3]}}
        if self.kind in ("drop_after_put", "drop_after_post"):
            return {self.kind: {"count": self.count}}
        if self.kind == "status_5xx":
            return {"status_5xx": {"count": self.count, "status": 503}}
        if self.kind == "exhaust":
            return {"exhaust": "5min"}
        retry_after = 3 if self.kind == "afas_503" else MAINTENANCE
        return {"unavailable": {"count": self.count, "retry_after": retry_after}}


@dataclass
class ArticleEnv:
    """The stack, the hooks' waits, and the faults armed for the current run."""

    stack: Stack
    waits: list[tuple[str, float, str]] = field(default_factory=list)
    at_start: list[Fault] = field(default_factory=list)
    at_write: dict[int, list[Fault]] = field(default_factory=dict)
    at_rows: list[Fault] = field(default_factory=list)
    armed: list[Fault] = field(default_factory=list)
    writes: int = 0

    def arm(self, faults: list[Fault]) -> None:
        for fault in faults:
            if fault.at == 0:
                self.at_start.append(fault)
            elif fault.afas:
                self.at_rows.append(fault)
            else:
                self.at_write.setdefault(fault.at, []).append(fault)

    def _arm(self, fault: Fault) -> None:
        admin = self.stack.afas_admin if fault.afas else self.stack.shop_admin
        admin("POST", "/faults", fault.body())
        self.armed.append(fault)

    def start(self) -> None:
        """The run begins (its clocks moved: a spent window would have reset)."""
        self.writes = 0
        for fault in self.at_start:
            self._arm(fault)
        self.at_start = []

    def before_write(self) -> None:
        self.writes += 1
        for fault in self.at_write.pop(self.writes, []):
            self._arm(fault)

    def before_rows(self) -> None:
        for fault in self.at_rows:
            self._arm(fault)
        self.at_rows = []

    def served(self) -> Counter[str]:
        """Faults answered since they were armed, by kind label; then every fault is cleared."""
        shop_faults = self.stack.shop_admin("POST", "/faults", {})["faults"]
        afas_faults = self.stack.afas_admin("POST", "/faults", {})["faults"]
        rate_limited = int(self.stack.shop_admin("GET", "/calls")["rate_limited"])
        seen: Counter[str] = Counter()
        for fault in self.armed:
            if fault.kind == "exhaust":
                continue
            left = afas_faults["unavailable_count"] if fault.afas else shop_faults[fault.kind]
            served = fault.count - int(left)
            seen[FAULTS[fault.kind]] += served
            if fault.kind == "put_429":
                rate_limited -= served
        if any(f.kind == "exhaust" for f in self.armed):
            seen[FAULTS["exhaust"]] += max(0, rate_limited)
        self.clear()
        return seen

    def clear(self) -> None:
        self.stack.shop_admin("POST", "/faults", {"clear": True})
        self.stack.afas_admin("POST", "/faults", {"clear": True})
        self.at_start, self.at_write, self.at_rows, self.armed = [], {}, [], []

    def waited(self, api: str, reason: str = "") -> list[float]:
        return [s for name, s, why in self.waits if name == api and reason in why]


@pytest.fixture(scope="module")
def article_env(airflow_db, tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        # One API key all module long: the reserve is the benchmark's subject; 429s here are injected.
        shop = LightspeedConfig(orders=0, rate_limits=(10**6, 10**6, 10**6))
        with running_stack(tmp_path_factory.mktemp("article-faults"), mp, shop=shop) as stack:
            stack.tenant(articles=ARTICLES_BLOCK)
            env = ArticleEnv(stack)

            def wait(hook: ApiHook, seconds: float, reason: str) -> None:
                if seconds > 0:
                    hook.stats.record_wait(hook.api_name, seconds)
                    env.waits.append((hook.api_name, seconds, reason))

            get_rows = AfasProfitHook.get_rows

            def rows(hook: AfasProfitHook, *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
                env.before_rows()
                return get_rows(hook, *args, **kwargs)

            def counted(name: str) -> Any:
                original = getattr(CatalogCalls, name)

                def write(hook: Any, *args: Any, **kwargs: Any) -> Any:
                    env.before_write()
                    return original(hook, *args, **kwargs)

                return write

            mp.setattr(ApiHook, "wait", wait)
            mp.setattr(AfasProfitHook, "get_rows", rows)
            for name in ("update_variant", "update_product", "create_product"):
                mp.setattr(CatalogCalls, name, counted(name))
            yield env


# -- the catalogue, AFAS, and what the books must say ---------------------------------------------------


def public(env: ArticleEnv, method: str, path: str, **kwargs: Any) -> Any:
    """The shop's public API (the suite's key), for reading what it shows and removing products."""
    response = requests.request(
        method, f"{env.stack.lightspeed.url}/nl/{path}", auth=(LS_KEY, LS_SECRET), timeout=30, **kwargs
    )
    response.raise_for_status()
    return response.json() if response.content else None


def pages(env: ArticleEnv, resource: str, fields: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for page in range(1, 1000):
        rows = public(env, "GET", f"{resource}.json", params={"page": page, "limit": 250, "fields": fields})[
            resource
        ]
        out += rows
        if len(rows) < 250:
            return out
    raise AssertionError(f"{resource}: no short page")


def link_id(value: Any) -> int | None:
    if isinstance(value, dict):
        value = (value.get("resource") or {}).get("id")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@dataclass
class Catalogue:
    """What a test set up: the AFAS items, the shop-only products as made."""

    codes: list[str]
    shop_only: dict[int, dict[str, Any]]  # product id → its admin view when made
    new_items: int = 0


def fresh_catalogue(
    env: ArticleEnv, products: list[dict[str, Any]], articles: list[dict[str, Any]]
) -> dict[int, Any]:
    """Exactly ``products`` in the shop and ``articles`` in AFAS, a fresh ledger, no faults, no calls.
    Returns the products as made (id → the admin answer)."""
    stack = env.stack
    env.clear()
    env.waits.clear()
    stack.shop_admin("POST", "/clock", {"advance_seconds": 3600})  # past a window an earlier test spent
    for product in stack.shop_admin("GET", "/products")["products"]:
        public(env, "DELETE", f"products/{product['id']}.json")
    for article in stack.afas_admin("GET", "/articles")["articles"]:
        stack.afas_admin("DELETE", f"/articles/{article['code']}")
    stack.fresh_ledger()
    made = stack.shop_admin("POST", "/products", {"products": products})["products"] if products else []
    if articles:
        stack.afas_admin("POST", "/articles", {"articles": articles})
    stack.shop_admin("POST", "/calls/reset")
    stack.afas_admin("POST", "/calls/reset")
    return {m["id"]: m for m in made}


def article(rng: random.Random, item_code: str, number: int, blocked: bool = False) -> dict[str, Any]:
    spec = {
        "code": item_code,
        "description": f"{rng.choice(WORDS)} {item_code.lower()}",
        "price": str(Decimal(rng.randint(50, 25000)) / 100),
        "vat_group": rng.choices(tuple(RATES), weights=(6, 3, 1))[0],
        "blocked": blocked,
    }
    if rng.random() < 0.85:
        spec["barcode"] = ean13(f"{number:012d}")
    return spec


def shop_product(rng: random.Random, spec: dict[str, Any]) -> dict[str, Any]:
    """A product for an AFAS item as a shop might hold it: some fields AFAS's, some not; no tax linked."""
    price = Decimal(spec["price"])
    excl = price if rng.random() < 0.6 else cents(price * Decimal(rng.choice(("0.9", "1.1"))))
    incl = cents(excl * (1 + RATES[spec["vat_group"]] / 100))
    where = "articleCode" if rng.random() < 0.8 else "sku"
    shown = spec["code"] if where == "articleCode" else f" {spec['code'].lower()} "
    variant: dict[str, Any] = {where: shown, "priceExcl": str(excl), "priceIncl": str(incl)}
    variant["ean"] = spec.get("barcode", "") if rng.random() < 0.7 else ""
    title = spec["description"] if rng.random() < 0.7 else f"{spec['description']} (oud)"
    visibility = "hidden" if spec["blocked"] == (rng.random() < 0.8) else "visible"
    return {"title": title, "visibility": visibility, "variants": [variant]}


def seeded_catalogue(env: ArticleEnv, shop_seed: int) -> tuple[Catalogue, random.Random]:
    rng = random.Random(f"article-faults:{shop_seed}")
    specs = [article(rng, f"A{shop_seed}-{i:02d}", shop_seed * 100 + i, rng.random() < 0.1 and i < MATCHED)
             for i in range(ITEMS)]  # fmt: skip
    products = [shop_product(rng, spec) for spec in specs[:MATCHED]]
    products += [
        {
            "title": f"Eigen product {k}",
            "variants": [{"articleCode": f"LOS-{shop_seed}-{k}", "priceExcl": "5.00"}],
        }
        for k in range(SHOP_ONLY)
    ]
    rng.shuffle(products)
    made = fresh_catalogue(env, products, specs)
    view = {p["id"]: p for p in env.stack.shop_admin("GET", "/products")["products"]}
    shop_only = {pid: view[pid] for pid in made if view[pid]["title"]["nl"].startswith("Eigen product")}
    return Catalogue([s["code"] for s in specs], shop_only), rng


def change_afas(env: ArticleEnv, catalogue: Catalogue, rng: random.Random, count: int) -> None:
    """``count`` AFAS changes as between two runs: a price (ModifiedDate stays), a description, a VAT
    group, a barcode, blocked (items the shop had before the first run only), or a new item."""
    current = {a["code"]: a for a in env.stack.afas_admin("GET", "/articles")["articles"]}
    specs: dict[str, dict[str, Any]] = {}
    for _ in range(count):
        kind = rng.choices(("price", "description", "vat", "barcode", "blocked", "new"), (5, 3, 1, 1, 1, 1))[
            0
        ]
        if kind == "new":
            catalogue.new_items += 1
            item_code = f"{catalogue.codes[0].split('-')[0]}-N{catalogue.new_items}"
            number = 900_000_000 + int(catalogue.codes[0][1:].split("-")[0]) * 100 + catalogue.new_items
            specs[item_code] = article(rng, item_code, number)
            catalogue.codes.append(item_code)
            continue
        item_code = rng.choice(catalogue.codes[:MATCHED] if kind == "blocked" else catalogue.codes)
        if item_code not in current:
            continue
        spec = specs.setdefault(item_code, {"code": item_code})
        if kind == "price":
            spec["price"] = str(Decimal(rng.randint(50, 25000)) / 100)
        elif kind == "description":
            spec["description"] = f"{rng.choice(WORDS)} {rng.choice(WORDS).lower()} {item_code.lower()}"
        elif kind == "vat":
            spec["vat_group"] = rng.choice(tuple(RATES))
        elif kind == "barcode":
            spec["barcode"] = ean13(f"{rng.randint(10**10, 10**11):012d}")
        else:
            spec["blocked"] = not current[item_code]["blocked"]
    if specs:
        env.stack.afas_admin("POST", "/articles", {"articles": list(specs.values())})


def wanted(article_: dict[str, Any]) -> dict[str, str]:
    """The shop values AFAS leads on for one item (the tenant's default fields), as text."""
    price, group = Decimal(article_["price"]), article_["vat_group"]
    return {
        "priceExcl": str(cents(price)),
        "priceIncl": str(cents(price * (1 + RATES[group] / 100))),
        "ean": article_["barcode"] or "",
        "tax": str(TAX_IDS[group]),
        "title": (article_["description"] or "").strip(),
        "visibility": "hidden" if article_["blocked"] else "visible",
    }


@dataclass
class Books:
    fields_right: int = 0
    fields_wrong: list[str] = field(default_factory=list)
    one_product: int = 0
    duplicates: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    untouched: int = 0
    touched: list[str] = field(default_factory=list)
    rows_agree: int = 0
    rows_settled: int = 0  # a last write without an answer, settled by a later comparison
    rows_disagree: list[str] = field(default_factory=list)
    written_twice: list[str] = field(default_factory=list)
    created_once: int = 0
    created_not_once: list[str] = field(default_factory=list)
    items_agree: int = 0
    items_disagree: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        return (
            self.fields_wrong + self.duplicates + self.lost + self.touched + self.rows_disagree
            + self.written_twice + self.created_not_once + self.items_disagree
        )  # fmt: skip


Shown = dict[tuple[str, int, str], str]  # (target, id, field) → what the shop shows, as text


def article_books(env: ArticleEnv, catalogue: Catalogue) -> Books:
    """The shop against AFAS and the ledger, item by item."""
    stack = env.stack
    afas = {a["code"].upper(): a for a in stack.afas_admin("GET", "/articles")["articles"]}
    variants = pages(env, "variants", "id,product,articleCode,sku,ean,priceExcl,priceIncl,tax,updatedAt")
    products = {p["id"]: p for p in pages(env, "products", "id,title,visibility,updatedAt")}
    by_code: dict[str, list[dict[str, Any]]] = {}
    for v in variants:
        item_code = norm(v["articleCode"]) or norm(v["sku"])
        if item_code:
            by_code.setdefault(item_code, []).append(v)
    books = Books()
    shown: Shown = {}
    for item_code, article_ in afas.items():
        found = by_code.get(item_code, [])
        if len(found) > 1:
            books.duplicates.append(
                f"{item_code}: {len(found)} products ({[link_id(v['product']) for v in found]})"
            )
            continue
        if not found:
            books.lost.append(f"{item_code}: no product in the shop")
            continue
        books.one_product += 1
        v = found[0]
        pid = link_id(v["product"])
        p = products[pid]
        values = {
            **{name: str(cents(Decimal(str(v[name])))) for name in ("priceExcl", "priceIncl")},
            "ean": v["ean"] or "",
            "tax": str(link_id(v["tax"])),
            "title": p["title"],
            "visibility": p["visibility"],
        }
        for name, value in wanted(article_).items():
            if values[name] == value:
                books.fields_right += 1
            else:
                books.fields_wrong.append(f"{item_code} {name}: the shop {values[name]!r}, AFAS {value!r}")
        for name in ("priceExcl", "priceIncl", "ean", "tax"):
            shown[("variant", v["id"], name)] = values[name]
        for name in ("title", "visibility"):
            shown[("product", pid, name)] = values[name]
    for pid, made in catalogue.shop_only.items():
        now = products.get(pid)
        if now is not None and (now["title"], now["visibility"], now["updatedAt"]) == (
            made["title"]["nl"],
            made["visibility"],
            made["updatedAt"],
        ):
            books.untouched += 1
        else:
            books.touched.append(f"product {pid} AFAS has no item for changed: {made} → {now}")
    ledger_rows(env, books, shown, by_code, afas)
    return books


def ledger_rows(
    env: ArticleEnv,
    books: Books,
    shown: Shown,
    by_code: dict[str, list[dict[str, Any]]],
    afas: dict[str, Any],
) -> None:
    """The write log and the items against the shop."""
    rows = list(reversed(env.stack.ledger.article_writes("shop", limit=1_000_000)))  # oldest first
    assert {r["outcome"] for r in rows} <= {"written", "unknown", "created"}, Counter(
        r["outcome"] for r in rows
    )
    last: dict[tuple[str, int, str], dict[str, Any]] = {}
    per_run: Counter[tuple[str, str, int, str, str | None]] = Counter()
    created: Counter[str] = Counter()
    for r in rows:
        if r["field"] == "create":
            created[r["item_code"]] += r["outcome"] == "created"
            continue
        key = (r["target"], r["target_id"], r["field"])
        last[key] = r
        if r["outcome"] == "written":
            per_run[(r["run_id"], r["target"], r["target_id"], r["field"], r["lang"])] += 1
    for key, r in last.items():
        value = shown.get(key)
        if value is None:
            continue  # a product that is no longer any item's
        if r["new_value"] == value:
            books.rows_agree += 1
        elif r["outcome"] == "unknown":
            books.rows_settled += 1  # not applied (a 5xx); the shop has AFAS's value (checked above)
        else:
            books.rows_disagree.append(f"{key}: last written {r['new_value']!r}, the shop {value!r}")
    books.written_twice += [f"{k}: written {n}× in one run" for k, n in per_run.items() if n > 1]
    items = env.stack.ledger.article_items("shop")
    for item_code in afas:
        found = by_code.get(item_code, [])
        row = items.get(item_code)
        if len(found) != 1:
            continue
        if created[item_code] not in (0, 1):
            books.created_not_once.append(f"{item_code}: {created[item_code]} 'created' rows")
        elif created[item_code] == 1:
            books.created_once += 1
        if row is not None and row.variant_id == found[0]["id"] and row.status in ("followed", "created"):
            books.items_agree += 1
        else:
            ledger = row and (row.status, row.variant_id)
            books.items_disagree.append(
                f"{item_code}: the ledger {ledger}, the shop's variant {found[0]['id']}"
            )


def tally_books(tally: Any, scenario: str, books: Books) -> None:
    tally.checks["article scenarios checked"] += 1
    tally.checks["article fields right at the end"] += books.fields_right
    tally.checks["article fields wrong at the end"] += len(books.fields_wrong)
    tally.checks["AFAS items with exactly one product"] += books.one_product
    tally.checks["duplicate products"] += len(books.duplicates)
    tally.checks["AFAS items without a product (lost)"] += len(books.lost)
    tally.checks["products without an AFAS item untouched"] += books.untouched
    tally.checks["products without an AFAS item changed"] += len(books.touched)
    tally.checks["ledger article writes agreeing with the shop"] += books.rows_agree
    tally.checks["ledger article writes unanswered, settled later"] += books.rows_settled
    tally.checks["ledger article writes disagreeing with the shop"] += len(books.rows_disagree)
    tally.checks["article fields written twice in one run"] += len(books.written_twice)
    tally.checks["products created with one 'created' row"] += books.created_once
    tally.checks["products created with more or no 'created' row"] += len(books.created_not_once)
    tally.checks["ledger article items disagreeing with the shop"] += len(books.items_disagree)
    tally.scenarios.append(scenario)


# -- running the flow ---------------------------------------------------------------------------------


@dataclass
class ArticleRun:
    run_id: str
    state: str = "running"  # success | partial | failed (a task failed for good) | dry_run
    summary: dict[str, Any] | None = None
    failures: list[tuple[str, BaseException]] = field(default_factory=list)  # (step, error) per failed try
    tries: Counter[str] = field(default_factory=Counter)

    @property
    def setup_error(self) -> bool:
        return any(isinstance(e, ArticlesSetupError) for _, e in self.failures)

    @property
    def error_text(self) -> str:
        return "; ".join(f"{step}: {type(e).__name__}: {e}" for step, e in self.failures)


def article_settings(stack: Stack) -> Any:
    from lightspeed_afas.config import clear_cache, load_tenant
    from lightspeed_afas.flows.articles import article_settings as settings_of

    clear_cache()
    return settings_of(load_tenant("shop"))


def run_articles(env: ArticleEnv) -> ArticleRun:
    """One DAG run of the articles flow, an hour after the last one."""
    from lightspeed_afas.orchestration.articles_task import execute_articles

    stack = env.stack
    stack.clock.advance(SCHEDULE)
    stack.shop_admin("POST", "/clock", {"advance_seconds": SCHEDULE.total_seconds()})
    stack.afas_admin("POST", "/clock", {"advance_seconds": SCHEDULE.total_seconds()})
    stack.shop_admin("POST", "/calls/reset")
    env.start()
    request = ArticleRequest(f"scheduled__articles{next(_run_ids)}", "scheduled")
    run = ArticleRun(request.run_id)
    settings_ = article_settings(stack)
    upstream: dict[str, Any] = {}
    try:
        for step in ARTICLE_STEPS:
            while True:
                run.tries[step] += 1
                try:
                    out = execute_articles(step, settings_, request, stack.ledger, upstream)
                    upstream[step] = json.loads(json.dumps(out))
                    break
                except ExpectedTaskFailure as exc:  # an AirflowFailException: no retry
                    run.failures.append((step, exc))
                    run.state = "failed"
                    return run
                except Exception as exc:  # Airflow retries the task
                    run.failures.append((step, exc))
                    if run.tries[step] >= TASK_TRIES:
                        run.state = "failed"
                        return run
        run.summary = upstream["push_articles"]
        run.state = run.summary["outcome"]
        return run
    finally:
        # The teardown (purge_staged_data) closes a row the last task did not.
        stack.ledger.close_unfinished_flow_run(
            settings_.tenant, "articles", request.run_id, "the run ended early"
        )


def shop_calls(env: ArticleEnv) -> dict[str, int]:
    return env.stack.shop_admin("GET", "/calls")["calls"]


def products_of(env: ArticleEnv, item_code: str) -> int:
    """How many products have a variant carrying ``item_code`` (articleCode or sku)."""
    variants = pages(env, "variants", "id,product,articleCode,sku")
    return len(
        {link_id(v["product"]) for v in variants if item_code in (norm(v["articleCode"]), norm(v["sku"]))}
    )


def faulted_run(env: ArticleEnv, tally: Any, faults: list[Fault], scenario: str) -> ArticleRun:
    """One run with ``faults`` armed; what they did is tallied, and the run must end as designed."""
    env.arm(faults)
    run = run_articles(env)
    tally.faults.update(env.served())
    tally.runs["articles: under faults"] += 1
    if run.state == "partial":
        tally.runs["articles: under faults: ended partial"] += 1
    if any(n > 1 for n in run.tries.values()):
        tally.runs["articles: under faults: a task failed and its retry went on"] += 1
    assert not run.setup_error, f"{scenario}: a fault ended the run as a setup error: {run.error_text}"
    if run.state == "failed":
        tally.runs["articles: under faults: stopped after the task's retries"] += 1
    assert survived(run), f"{scenario}: the run ended {run.state}: {run.error_text}"
    tally.runs["articles: under faults, survived"] += 1
    return run


def clean_runs(env: ArticleEnv, tally: Any, scenario: str) -> ArticleRun:
    """Runs without faults until one ends ``success``."""
    for _ in range(CLEAN_RUNS):
        run = run_articles(env)
        tally.runs["articles: clean, after faults"] += 1
        if run.state == "success":
            tally.runs["articles: clean, after faults, survived"] += 1
            return run
    raise AssertionError(f"{scenario}: no clean run ended success: {run.state} {run.error_text}")


def survived(run: ArticleRun) -> bool:
    """Ended as designed: success, partial (a 429, the budget), or stopped by a typed unavailability after
    the task's retries (the next run goes on)."""
    if run.state in ("success", "partial"):
        return True
    return run.state == "failed" and all(isinstance(e, TRANSIENT) for _, e in run.failures)


def books_right(env: ArticleEnv, tally: Any, catalogue: Catalogue, scenario: str) -> Books:
    books = article_books(env, catalogue)
    tally_books(tally, scenario, books)
    assert books.problems == [], f"{scenario}: {books.problems}"
    return books


# -- seeded fault plans ---------------------------------------------------------------------------------

# Kinds weighted so the write faults get runs to act in (an AFAS fault or a storm often ends the run
# first); counts within the hook's tries, beyond them, and beyond every try of the task.
KIND_WEIGHTS = ("put_429", "exhaust", "status_5xx", "status_5xx", "afas_503", "afas_maintenance") + (
    "put_5xx",
    "drop_after_put",
    "post_5xx",
    "drop_after_post",
) * 3


@st.composite
def fault(draw: st.DrawFn) -> Fault:
    kind = draw(st.sampled_from(KIND_WEIGHTS))
    if kind == "afas_maintenance":
        return Fault(kind, draw(st.integers(0, 1)), draw(st.integers(1, 3)))
    if kind == "afas_503":
        return Fault(kind, draw(st.integers(0, 1)), draw(st.integers(1, 2 * HOOK_TRIES)))
    at = draw(st.one_of(st.integers(0, 8), st.integers(9, 40)))
    if kind == "exhaust":
        return Fault(kind, max(1, at), 1)  # from the at-th write on, every call is answered 429
    if kind in ("put_429", "drop_after_post", "post_5xx"):
        return Fault(kind, at, draw(st.integers(1, 3)))
    many = st.one_of(st.integers(1, HOOK_TRIES - 1), st.integers(HOOK_TRIES, TASK_TRIES * HOOK_TRIES + 1))
    return Fault(kind, at, draw(many))


round_faults = st.lists(fault(), min_size=1, max_size=3, unique_by=lambda f: "afas" if f.afas else f.kind)
rounds = st.lists(st.tuples(st.integers(0, 8), round_faults), min_size=1, max_size=4)


@pytest.mark.timeout(max(600, 15 * EXAMPLES))  # a few seconds an example: 200 take longer than the default
@seed(SEED)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=False,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
@given(shop_seed=st.integers(0, 10**6), plan=rounds)
def test_seeded_fault_plans_leave_every_article_right_and_no_product_twice(
    article_env, tally, shop_seed, plan
):
    env = article_env
    catalogue, rng = seeded_catalogue(env, shop_seed)
    scenario = f"seed {shop_seed}: " + " | ".join(
        f"{changes} changed, " + ", ".join(f"{f.kind}×{f.count}@{f.at}" for f in faults)
        for changes, faults in plan
    )
    for changes, faults in plan:
        change_afas(env, catalogue, rng, changes)
        faulted_run(env, tally, faults, scenario)
    clean_runs(env, tally, scenario)
    books_right(env, tally, catalogue, "articles under seeded faults")


# -- one fault at a time --------------------------------------------------------------------------------


def small_catalogue(env: ArticleEnv, matched: int, new: int) -> Catalogue:
    """``matched`` items D-0… whose product differs in price and title, ``new`` items N-0… the shop
    lacks, and one product AFAS has no item for."""
    specs = [{"code": f"D-{i}", "description": f"Artikel D {i}", "price": f"{10 + i}.00", "vat_group": "HOOG",
              "barcode": ean13(f"{870000000000 + i}")} for i in range(matched)]  # fmt: skip
    specs += [{"code": f"N-{i}", "description": f"Nieuw artikel {i}", "price": f"{20 + i}.50", "vat_group": "LAAG",
               "barcode": ean13(f"{871000000000 + i}")} for i in range(new)]  # fmt: skip
    products = [
        {"title": f"Oud {i}", "variants": [{"articleCode": f"D-{i}", "priceExcl": "1.00"}]}
        for i in range(matched)
    ]
    products.append({"title": "Eigen product", "variants": [{"articleCode": "LOS-1", "priceExcl": "5.00"}]})
    made = fresh_catalogue(env, products, specs)
    view = {p["id"]: p for p in env.stack.shop_admin("GET", "/products")["products"]}
    return Catalogue([s["code"] for s in specs], {pid: view[pid] for pid in made if pid == max(made)})


def create_rows(env: ArticleEnv, run_id: str | None = None) -> list[dict[str, Any]]:
    return [r for r in env.stack.ledger.article_writes("shop", run_id) if r["field"] == "create"]


def test_a_lost_post_answer_is_looked_up_and_adopted_never_posted_twice(article_env, tally):
    env = article_env
    catalogue = small_catalogue(env, 2, 3)
    run = faulted_run(env, tally, [Fault("drop_after_post", 1, 3)], "every product POST's answer lost")
    assert run.state == "success", run.error_text
    assert shop_calls(env).get(POST) == 3  # each POST once: its product found and adopted
    assert all(products_of(env, f"N-{i}") == 1 for i in range(3))
    assert sorted(r["outcome"] for r in create_rows(env, run.run_id)) == ["created"] * 3
    clean_runs(env, tally, "lost POST answers")
    assert shop_calls(env).get(POST, 0) == 0
    books_right(env, tally, catalogue, "lost POST answers")


def test_a_post_5xx_creates_nothing_and_the_next_run_posts_again(article_env, tally):
    env = article_env
    catalogue = small_catalogue(env, 1, 2)
    run = faulted_run(env, tally, [Fault("post_5xx", 1, 1)], "a POST answered 503")
    assert run.state == "success", run.error_text  # the other creation went on
    assert shop_calls(env).get(POST) == 2
    (unknown,) = [r for r in create_rows(env, run.run_id) if r["outcome"] == "unknown"]
    assert "no answer" in unknown["reason"]
    assert env.stack.ledger.article_items("shop")[unknown["item_code"]].status == "creating"
    clean_runs(env, tally, "a POST answered 503")
    assert shop_calls(env).get(POST) == 1  # looked again, found nothing, posted once more
    books_right(env, tally, catalogue, "a POST answered 503")


def test_a_dropped_put_answer_is_sent_once_more_and_written_once(article_env, tally):
    env = article_env
    catalogue = small_catalogue(env, 6, 0)
    run = faulted_run(env, tally, [Fault("drop_after_put", 3, 1)], "drop after a PUT")
    assert run.state == "success" and run.tries == Counter(dict.fromkeys(ARTICLE_STEPS, 1)), run.error_text
    calls = shop_calls(env)
    assert calls.get(VPUT, 0) + calls.get(PPUT, 0) == 12 + 1  # a variant and a product PUT each; one again
    assert len(env.waited("lightspeed", "connection error")) == 1
    books_right(env, tally, catalogue, "drop after a PUT")


def test_dropped_puts_beyond_the_hooks_tries_fail_the_task_and_its_retry_skips_what_was_written(
    article_env, tally
):
    env = article_env
    catalogue = small_catalogue(env, 6, 0)
    run = faulted_run(env, tally, [Fault("drop_after_put", 4, HOOK_TRIES)], "drops beyond the hook's tries")
    assert run.state == "success" and run.tries["push_articles"] == 2, run.error_text
    assert isinstance(run.failures[0][1], LightspeedUnavailableError)
    calls = shop_calls(env)
    # First try: three writes, then the fourth five times (applied, never answered); the retry skips
    # the three the ledger has and sends the other nine, the fourth again among them.
    assert calls.get(VPUT, 0) + calls.get(PPUT, 0) == 3 + HOOK_TRIES + 9
    rows = env.stack.ledger.article_writes("shop", run.run_id)
    assert Counter(r["outcome"] for r in rows) == Counter(
        {"written": 6 * 5, "unknown": 1}
    )  # 5 fields an item
    books_right(env, tally, catalogue, "drops beyond the hook's tries")


def test_a_failed_creation_task_is_retried_without_posting_a_created_product_again(article_env):
    """Three products to create; the second one's variant PUT is applied but never answered in all the
    hook's tries, so push_articles fails and Airflow retries it: the retry must finish the second and
    create the third, and leave the first alone (it was created by the first try)."""
    env, tally = article_env, Tally()
    catalogue = small_catalogue(env, 0, 3)
    # Writes of a creation: the POST, then the variant PUT. The 4th write is the second product's PUT.
    run = faulted_run(env, tally, [Fault("drop_after_put", 4, HOOK_TRIES)], "a creation's PUT unanswered")
    assert run.tries["push_articles"] == 2 and isinstance(run.failures[0][1], LightspeedUnavailableError)
    assert run.state == "success", run.error_text
    assert [products_of(env, f"N-{i}") for i in range(3)] == [1, 1, 1]
    assert shop_calls(env).get(POST) == 3
    books_right(env, tally, catalogue, "a creation's PUT unanswered")


@pytest.mark.parametrize(
    ("count", "push_tries", "state"),
    [
        (HOOK_TRIES - 1, 1, "success"),  # the hook retries
        (HOOK_TRIES + 2, 2, "success"),  # the task fails once; its retry finishes
        (TASK_TRIES * HOOK_TRIES + 1, TASK_TRIES, "failed"),  # the run stops; the next one finishes
    ],
)
def test_5xx_on_a_put_is_retried_and_writes_each_field_once(article_env, tally, count, push_tries, state):
    env = article_env
    catalogue = small_catalogue(env, 4, 0)
    run = faulted_run(env, tally, [Fault("put_5xx", 2, count)], f"5xx on a PUT ×{count}")
    assert (run.state, run.tries["push_articles"]) == (state, push_tries), run.error_text
    served = min(count, TASK_TRIES * HOOK_TRIES)
    assert len(env.waited("lightspeed", "HTTP 5")) == served - served // HOOK_TRIES  # none before giving up
    if state == "failed":
        assert all(isinstance(e, LightspeedUnavailableError) for _, e in run.failures)
        clean_runs(env, tally, f"5xx on a PUT ×{count}")
    books = books_right(env, tally, catalogue, "5xx on a PUT")
    assert books.written_twice == []


def test_a_429_on_a_put_ends_the_run_partial_without_waiting_and_the_next_run_finishes(article_env, tally):
    env = article_env
    catalogue = small_catalogue(env, 5, 2)
    run = faulted_run(env, tally, [Fault("put_429", 4, 1)], "429 on a PUT")
    assert run.state == "partial", run.error_text
    # Written: D-0's variant (prices, EAN, tax) and product (title), D-1's variant; D-1's product met the 429.
    assert run.summary is not None and run.summary["counts"]["written"] == 4 + 1 + 4
    assert run.summary["counts"]["not_created"] == 2 and "budget" in run.summary["stopped_because"]
    assert env.waited("lightspeed") == []  # a 429 is never waited out: the budget is the orders'
    assert env.stack.ledger.flow_runs("shop", "articles")[0]["outcome"] == "partial"
    clean_runs(env, tally, "429 on a PUT")
    books_right(env, tally, catalogue, "429 on a PUT")


def test_a_429_storm_in_the_middle_of_the_writes_ends_the_run_partial(article_env, tally):
    env = article_env
    catalogue = small_catalogue(env, 5, 2)
    run = faulted_run(env, tally, [Fault("exhaust", 3, 1)], "429 storm from the 3rd write on")
    assert run.state == "partial", run.error_text
    assert env.waited("lightspeed") == []
    assert shop_calls(env).get(POST, 0) == 0  # no product created into a storm
    clean_runs(env, tally, "429 storm mid-push")
    books_right(env, tally, catalogue, "429 storm mid-push")


def test_a_429_storm_from_the_start_ends_the_run_partial_and_writes_nothing(article_env):
    env, tally = article_env, Tally()
    catalogue = small_catalogue(env, 3, 1)
    run = faulted_run(env, tally, [Fault("exhaust", 0, 1)], "429 storm from the start")
    assert run.state == "partial", run.error_text
    assert run.tries["plan_articles"] == 1  # the budget is no failure: nothing for a retry to do
    calls = shop_calls(env)
    assert not [k for k in calls if not k.startswith("GET")]
    clean_runs(env, tally, "429 storm from the start")
    books_right(env, tally, catalogue, "429 storm from the start")


def test_an_afas_503_is_waited_out_as_asked_and_the_run_finishes(article_env, tally):
    env = article_env
    catalogue = small_catalogue(env, 3, 1)
    run = faulted_run(env, tally, [Fault("afas_503", 0, 2)], "AFAS 503, short")
    assert run.state == "success" and run.tries["read_afas_articles"] == 1, run.error_text
    assert env.waited("afas", "503") == [3, 3]  # the retry_after AFAS asked for
    books_right(env, tally, catalogue, "AFAS 503, short")


def test_afas_maintenance_while_the_rows_are_read_fails_the_task_and_its_retry_finishes(article_env, tally):
    env = article_env
    catalogue = small_catalogue(env, 3, 1)
    run = faulted_run(env, tally, [Fault("afas_maintenance", 1, 1)], "AFAS maintenance, rows")
    assert run.state == "success" and run.tries["read_afas_articles"] == 2, run.error_text
    ((step, error),) = run.failures
    assert step == "read_afas_articles" and isinstance(error, AfasUnavailableError)
    assert env.waited("afas") == []  # 30 minutes is beyond the hook's wait: the task fails at once
    books_right(env, tally, catalogue, "AFAS maintenance, rows")


def test_afas_maintenance_beyond_every_try_fails_the_run_and_the_next_one_finishes(article_env, tally):
    env = article_env
    catalogue = small_catalogue(env, 3, 1)
    run = faulted_run(env, tally, [Fault("afas_maintenance", 1, TASK_TRIES)], "AFAS maintenance, every try")
    assert run.state == "failed" and run.tries["read_afas_articles"] == TASK_TRIES, run.error_text
    assert env.stack.ledger.flow_runs("shop", "articles")[0]["outcome"] != "running"  # the teardown closed it
    clean_runs(env, tally, "AFAS maintenance, every try")
    books_right(env, tally, catalogue, "AFAS maintenance, every try")


def test_creating_a_product_when_the_title_does_not_follow_afas_fails_no_task(article_env):
    env = article_env
    env.stack.tenant(articles={**ARTICLES_BLOCK, "fields": ["price", "ean"]})
    try:
        small_catalogue(env, 1, 1)
        run = run_articles(env)
        assert run.failures == [] and run.state == "success", run.error_text
    finally:
        env.stack.tenant(articles=ARTICLES_BLOCK)
