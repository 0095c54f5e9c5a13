"""The articles benchmark's pieces: AFAS's items and the shop's catalogue, what the shop shows against what
AFAS holds, the floor of a run, one measured run, and the orders run that shares the key's budget with
it. ``bench_articles`` puts them into scenarios.

The data (``items``, ``seed``): ``count`` AFAS items ``GEN-000001…`` without article dimensions (their
price excl. VAT from 0.95 to 249.95, VAT group HOOG 70 % / LAAG 25 % / GEEN 5 %, an EAN-13 each, changed
at some moment of the last ten months) and one product per item in the shop, its default variant
carrying the code as articleCode and sku. Before the first sync the shop differs from AFAS as a shop
filled by an import months ago does (``Mix``, each share drawn per item independently): stale prices
(AFAS raised them 5 % since), a priceIncl a cent off, no EAN, no tax linked, a title edited in the back
office, an item blocked in AFAS that the shop still shows. The emulator's admin API cannot link a tax
to a variant: a variant whose tax is right shows it as the shop renders a linked tax (the variant's
``raw`` ``tax``, a resource link to the seeded tax of its rate); one without shows ``false``.

The floors follow the flow's rules with the data in the emulators as they are just before the run (the
shop is read over its public API for that, before the clock moves, so those reads land in the window
before the run's):

- Lightspeed reads: a full refresh (the first run, every ``full_comparison_hours`` or asked)
  ``ceil(variants / 250)`` variant pages and ``ceil(products / 250)`` product pages per language; an
  incremental one 1 page each (the flow's rule: ``max(1, ceil(k / 250))``, k = what changed since the
  last refresh minus ``overlap_minutes`` and, until the stock flow has found how the shop reads naive
  filter times, minus that doubt: 1 h in winter — the flow's own writes are among them); 1 taxes call;
- writes: one variant PUT per variant whose priceExcl, priceIncl, EAN or tax differs from AFAS's, one
  product PUT per product whose title or visibility differs (the connection's one language); a product
  created: its POST, the look-up of its default variant, the PUT filling that variant in (3 calls);
- AFAS: per connector 1 metainfo call and ``rows // take + 1`` pages (take = 150,000 // its field
  count − 1): Profit_Article (all rows on a full read, those changed since the newest seen minus the
  overlap otherwise), Profit_Article_Basic and Profit_Barcode_per_Item (all rows: no change date).
"""

from __future__ import annotations

import contextlib
import json
import math
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

import requests
import yaml

from bench import common
from bench.bench_calls import api_calls

PAGE = 250
SCHEDULE_S = 3600  # the articles DAG's default schedule, "0 * * * *"
OLD = "2026-01-01T00:00:00+00:00"  # when the shop's catalogue last changed: long before any run
CHUNK = 2_000
LANG = "nl"  # the bench connection's language: the texts that follow AFAS
RATES = {"HOOG": Decimal("21"), "LAAG": Decimal("9"), "GEEN": Decimal("0")}  # the tenant's default vat_groups
TAX_IDS = {"HOOG": 4021, "LAAG": 4009, "GEEN": 4000}  # the shop emulator's seeded taxes of those rates
CONNECTORS = ("Profit_Article", "Profit_Article_Basic", "Profit_Barcode_per_Item")
WORDS = ("Koffiebonen", "Thee", "Mok", "Filterpapier", "Molen", "Beker", "Kan", "Lepel", "Bus", "Schaal")
AFAS_ZONE = ZoneInfo("Europe/Amsterdam")

VGET, PGET, TAXES = "GET /{lang}/variants.json", "GET /{lang}/products.json", "GET /{lang}/taxes.json"
VPUT, PPUT, POST = (
    "PUT /{lang}/variants/{id}.json",
    "PUT /{lang}/products/{id}.json",
    "POST /{lang}/products.json",
)


def code(number: int, prefix: str = "GEN") -> str:
    return f"{prefix}-{number:06d}"


def cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def incl(price: Decimal, group: str) -> Decimal:
    return cents(price * (1 + RATES[group] / 100))


def ean13(first12: str) -> str:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return first12 + str((10 - total % 10) % 10)


# -- the data -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mix:
    """How the shop differs from AFAS before the first sync: each a share of the items, drawn per item."""

    stale_price: float = 0.10  # AFAS raised the price 5 % since the shop's import: both prices old
    incl_cent: float = 0.02  # priceIncl a cent below AFAS's (the import rounded down)
    no_ean: float = 0.05  # no EAN in the shop
    no_tax: float = 0.02  # no tax linked
    title_edited: float = 0.04  # the title edited in the back office
    blocked: float = 0.03  # blocked in AFAS (discontinued); the shop still shows it

    def describe(self) -> str:
        return (
            f"stale prices {self.stale_price:.0%}, priceIncl a cent off {self.incl_cent:.0%}, no EAN "
            f"{self.no_ean:.0%}, no tax {self.no_tax:.0%}, title edited {self.title_edited:.0%}, blocked in "
            f"AFAS but visible {self.blocked:.0%}"
        )


@dataclass(frozen=True)
class Item:
    code: str
    title: str
    price: Decimal  # excl. VAT
    vat_group: str
    barcode: str
    blocked: bool
    modified: datetime

    def afas_spec(self, stamped: bool = True) -> dict[str, Any]:
        """The admin API's article; ``stamped`` False: created and changed at AFAS's now (a new item)."""
        spec = {"code": self.code, "description": self.title, "price": str(self.price),
                "vat_group": self.vat_group, "barcode": self.barcode, "blocked": self.blocked}  # fmt: skip
        if stamped:
            spec["created"] = spec["modified"] = self.modified.isoformat()
        return spec


def items(count: int, mix: Mix, seed: str = "bench", prefix: str = "GEN", start: int = 1) -> list[Item]:
    rng = random.Random(f"bench-articles:{seed}:{prefix}")
    first = datetime(2026, 1, 5, 9, 0, tzinfo=AFAS_ZONE)
    out = []
    for i in range(start, start + count):
        out.append(
            Item(
                code=code(i, prefix),
                title=f"{rng.choice(WORDS)} {prefix.lower()} {i}",
                price=Decimal(rng.randint(95, 24995)) / 100,
                vat_group=rng.choices(tuple(RATES), weights=(70, 25, 5))[0],
                barcode=ean13(f"2{7 if prefix == 'NEW' else 0}{i:010d}"),
                blocked=rng.random() < mix.blocked,
                modified=first + timedelta(seconds=rng.randint(0, 295 * 86400)),
            )
        )
    return out


def tax_link(base: str, tax_id: int) -> dict[str, Any]:
    """A tax as the shop renders a variant's linked one."""
    return {
        "resource": {"id": tax_id, "url": f"taxes/{tax_id}", "link": f"{base}/{LANG}/taxes/{tax_id}.json"}
    }


def shop_product(item: Item, mix: Mix, rng: random.Random, base: str) -> tuple[dict[str, Any], set[str]]:
    """The shop's product for ``item`` as an import left it, and which of the Mix's differences it has."""
    kinds = {name for name in ("stale_price", "incl_cent", "no_ean", "no_tax", "title_edited")
             if rng.random() < getattr(mix, name)}  # fmt: skip
    if item.blocked:
        kinds.add("blocked")
    excl = cents(item.price / Decimal("1.05")) if "stale_price" in kinds else item.price
    price_incl = incl(excl, item.vat_group)
    if "incl_cent" in kinds:
        price_incl -= Decimal("0.01")
    variant: dict[str, Any] = {
        "articleCode": item.code,
        "sku": item.code,
        "ean": "" if "no_ean" in kinds else item.barcode,
        "priceExcl": str(excl),
        "priceIncl": str(price_incl),
        "taxRate": str(RATES[item.vat_group] / 100),
        "createdAt": OLD,
        "updatedAt": OLD,
    }
    if "no_tax" not in kinds:
        variant["raw"] = {"tax": tax_link(base, TAX_IDS[item.vat_group])}
    title = f"{item.title} (aanbieding)" if "title_edited" in kinds else item.title
    product = {
        "title": title,
        "visibility": "visible",
        "createdAt": OLD,
        "updatedAt": OLD,
        "variants": [variant],
    }
    return product, kinds


class Shop:
    """The shop's public API (the emulator's key): for reading what it shows, and removing products."""

    def __init__(self, stack: common.Stack) -> None:
        self.base = stack.lightspeed_url
        self.session = requests.Session()
        self.session.auth = (common.LS_KEY, common.LS_SECRET)

    def pages(self, resource: str, fields: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for page in range(1, 10_000):
            answer = self.session.get(
                f"{self.base}/{LANG}/{resource}.json",
                params={"page": page, "limit": PAGE, "fields": fields},
                timeout=60,
            )
            answer.raise_for_status()
            rows = answer.json()[resource]
            out += rows
            if len(rows) < PAGE:
                return out
        raise AssertionError(f"{resource}: no short page")

    def delete_product(self, product_id: int) -> None:
        self.session.delete(f"{self.base}/{LANG}/products/{product_id}.json", timeout=60).raise_for_status()

    def close(self) -> None:
        self.session.close()


def seed(stack: common.Stack, afas_items: list[Item], mix: Mix) -> dict[str, int]:
    """Exactly ``afas_items`` in AFAS and one product per item in the shop, differing as ``mix`` draws;
    the demo catalogue removed from both (AFAS's catalogue keeps the demo items the orders book). Returns
    how many items got each difference."""
    from emulators.demo_catalogue import PRODUCTS

    shop = Shop(stack)
    try:
        for product in stack.shop("GET", "/products")["products"]:
            shop.delete_product(product["id"])
    finally:
        shop.close()
    for article in stack.afas("GET", "/articles")["articles"]:
        stack.afas("DELETE", f"/articles/{article['code']}")
    # The orders run books the demo products: their catalogue items stay (not as articles).
    stack.afas(
        "PUT", "/catalogue", {"items": {p.afas_item_code: {"type": "2", "units": ["STK"]} for p in PRODUCTS}}
    )
    rng = random.Random("bench-articles:shop")
    drawn: dict[str, int] = {}
    for start in range(0, len(afas_items), CHUNK):
        chunk = afas_items[start : start + CHUNK]
        stack.afas("POST", "/articles", {"articles": [i.afas_spec() for i in chunk]})
        specs = []
        for item in chunk:
            spec, kinds = shop_product(item, mix, rng, stack.lightspeed_url)
            specs.append(spec)
            for kind in kinds:
                drawn[kind] = drawn.get(kind, 0) + 1
        stack.shop("POST", "/products", {"products": specs})
    return drawn


def add_afas_items(stack: common.Stack, new: list[Item]) -> None:
    """New items, created (and so changed) at AFAS's now."""
    for start in range(0, len(new), CHUNK):
        specs = [i.afas_spec(stamped=False) for i in new[start : start + CHUNK]]
        stack.afas("POST", "/articles", {"articles": specs})


def change_afas(
    stack: common.Stack, afas_items: list[Item], prices: int, titles: int
) -> tuple[list[str], list[str]]:
    """``prices`` items get a new price (5 % up: ``/_admin/articles`` price, which leaves ModifiedDate
    alone), ``titles`` others a new description (which moves it); spread over the catalogue."""
    visible = [i for i in afas_items if not i.blocked]
    step = max(1, len(visible) // max(1, prices + titles))
    chosen = visible[::step][: prices + titles]
    priced, titled = chosen[:prices], chosen[prices:]
    specs = [{"code": i.code, "price": str(cents(i.price * Decimal("1.05")))} for i in priced]
    specs += [{"code": i.code, "description": f"{i.title} nieuw"} for i in titled]
    stack.afas("POST", "/articles", {"articles": specs})
    return [i.code for i in priced], [i.code for i in titled]


# -- what the shop shows against AFAS -------------------------------------------------------------------


@dataclass
class Comparison:
    """The shop read over its API against AFAS's items (``differences``)."""

    variants: int
    products: int
    variant_writes: set[int]  # variants with a field that differs from AFAS's
    product_writes: set[int]  # single-variant products whose title or visibility differs
    missing: list[str]  # AFAS items no variant has
    per_code: dict[str, int]  # articleCode → how many products carry it (duplicates: > 1)
    updated: dict[str, list[datetime]]  # variants / products → their updatedAt
    wrong: list[str] = field(default_factory=list)  # readable, the first few differences

    @property
    def duplicates(self) -> dict[str, int]:
        return {c: n for c, n in self.per_code.items() if n > 1}


def link_id(value: Any) -> int | None:
    """The id of a resource link (a variant's tax or product), or of an id as it is."""
    if isinstance(value, dict):
        value = (value.get("resource") or {}).get("id")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def money(value: Any) -> Decimal | None:
    try:
        return cents(Decimal(str(value)))
    except ArithmeticError:
        return None


def compare(stack: common.Stack) -> Comparison:
    """Every item's shop values against AFAS's (the flow's default fields: title, price, ean, visibility,
    tax), computed here independently of the flow."""
    afas = {a["code"].upper(): a for a in stack.afas("GET", "/articles")["articles"]}
    shop = Shop(stack)
    try:
        variants = shop.pages("variants", "id,product,articleCode,ean,priceExcl,priceIncl,tax,updatedAt")
        products = shop.pages("products", "id,title,visibility,updatedAt")
    finally:
        shop.close()
    per_product: dict[int, int] = {}
    for v in variants:
        pid = link_id(v["product"])
        per_product[pid or 0] = per_product.get(pid or 0, 0) + 1
    by_id = {p["id"]: p for p in products}
    out = Comparison(len(variants), len(products), set(), set(), [], {}, {
        "variants": [datetime.fromisoformat(v["updatedAt"]) for v in variants],
        "products": [datetime.fromisoformat(p["updatedAt"]) for p in products],
    })  # fmt: skip
    seen = set()
    for v in variants:
        item_code = str(v["articleCode"]).strip().upper()
        pid = link_id(v["product"]) or 0
        out.per_code[item_code] = out.per_code.get(item_code, 0) + 1
        article = afas.get(item_code)
        if article is None:
            continue
        seen.add(item_code)
        price, group = Decimal(article["price"]), article["vat_group"]
        wanted = {"priceExcl": cents(price), "priceIncl": incl(price, group), "ean": article["barcode"] or "",
                  "tax": TAX_IDS[group]}  # fmt: skip
        shown = {"priceExcl": money(v["priceExcl"]), "priceIncl": money(v["priceIncl"]), "ean": v["ean"] or "",
                 "tax": link_id(v["tax"])}  # fmt: skip
        bad = [f"{k} {shown[k]} ≠ {wanted[k]}" for k in wanted if shown[k] != wanted[k]]
        if bad:
            out.variant_writes.add(v["id"])
        product = by_id.get(pid)
        if product is not None and per_product[pid] == 1:
            want_p = {"title": (article["description"] or "").strip(),
                      "visibility": "hidden" if article["blocked"] else "visible"}  # fmt: skip
            wrong_p = [f"{k} {product[k]!r} ≠ {want_p[k]!r}" for k in want_p if product[k] != want_p[k]]
            if wrong_p:
                out.product_writes.add(pid)
            bad += wrong_p
        if bad and len(out.wrong) < 5:
            out.wrong.append(f"{item_code}: " + "; ".join(bad))
    out.missing = sorted(set(afas) - seen)
    return out


def check_shop(stack: common.Stack, where: str) -> Comparison:
    """Sanity: every item's fields in the shop are AFAS's, no item is missing, none has two products."""
    seen = compare(stack)
    assert not seen.variant_writes and not seen.product_writes, (
        f"{where}: {len(seen.variant_writes)} variants and {len(seen.product_writes)} products differ from AFAS, "
        f"e.g. {seen.wrong}"
    )
    assert not seen.missing, (
        f"{where}: {len(seen.missing)} AFAS items have no product, e.g. {seen.missing[:5]}"
    )
    assert not seen.duplicates, f"{where}: items with more than one product: {list(seen.duplicates)[:5]}"
    return seen


# -- the tenant, the floor, one run ---------------------------------------------------------------------


def write_tenant(stack: common.Stack, **articles: Any) -> None:
    """The bench tenant with an ``articles:`` block (its defaults and ``articles``)."""
    tenant = {**common.TENANT, "articles": dict(articles)}
    path = stack.include / "tenants" / f"{common.TENANT_ID}.yaml"
    path.write_text(yaml.safe_dump(tenant), encoding="utf-8")


def article_settings() -> Any:
    from lightspeed_afas.config import clear_cache, load_tenant
    from lightspeed_afas.flows.articles import article_settings as settings_of

    clear_cache()
    return settings_of(load_tenant(common.TENANT_ID))


def run_in_process(ledger_url: str, run_id: str, full_comparison: bool = False) -> dict[str, Any]:
    """One articles DAG run's three steps in this process, XCom through JSON; returns the run summary
    (``push_articles``). Fields Lightspeed refused fail the run in Airflow; here the summary says so."""
    from lightspeed_afas.domain.vocabulary import ARTICLE_STEPS
    from lightspeed_afas.flows.articles import ArticleRequest
    from lightspeed_afas.ledger import Ledger
    from lightspeed_afas.orchestration.articles_task import NewArticleFailuresError, execute_articles

    settings = article_settings()
    request = ArticleRequest(run_id, "scheduled", dry_run=False, full_comparison=full_comparison)
    ledger = Ledger(ledger_url)
    upstream: dict[str, Any] = {}
    try:
        for step in ARTICLE_STEPS:
            out = execute_articles(step, settings, request, ledger, upstream)
            upstream[step] = json.loads(json.dumps(out))
    except NewArticleFailuresError as exc:
        return {"error": str(exc), "outcome": "failed", "upstream": upstream}
    return upstream["push_articles"]


@dataclass
class Floor:
    refresh: str  # full | incremental (what the flow's rules make this run)
    variant_pages: int
    product_pages: int
    variant_puts: int
    product_puts: int
    creations: int  # products to create (3 calls each)
    afas: int
    afas_parts: dict[str, int]
    reached_variants: int = 0  # incremental: what the refresh window reaches
    reached_products: int = 0
    afas_reached: int = 0  # Profit_Article rows the read reaches

    @property
    def reads(self) -> int:
        return self.variant_pages + self.product_pages + 1  # + the taxes

    @property
    def writes(self) -> int:
        return self.variant_puts + self.product_puts + 3 * self.creations

    @property
    def ls_calls(self) -> int:
        return self.reads + self.writes


def pages(rows: int, take: int) -> int:
    """Pages until a short one (so an exact multiple needs one more, empty)."""
    return rows // take + 1


@dataclass
class Counted:
    """Calls of the hook the emulator's counters cannot tell apart from the catalogue pages."""

    product_variants: int = 0  # GET variants.json?product= (a new product's default variant)
    created_since: int = 0  # GET products.json?created_at_min= (a lost POST looked for)


@contextlib.contextmanager
def counting_lookups() -> Iterator[Counted]:
    from lightspeed_afas.hooks.lightspeed_catalog import CatalogCalls

    counted = Counted()
    product_variants, created_since = CatalogCalls.product_variants, CatalogCalls.products_created_since

    def variants_of(self: Any, product_id: int) -> list[dict[str, Any]]:
        counted.product_variants += 1
        return product_variants(self, product_id)

    def since(self: Any, *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
        counted.created_since += 1
        return created_since(self, *args, **kwargs)

    CatalogCalls.product_variants = variants_of  # type: ignore[method-assign]
    CatalogCalls.products_created_since = since  # type: ignore[method-assign]
    try:
        yield counted
    finally:
        CatalogCalls.product_variants = product_variants  # type: ignore[method-assign]
        CatalogCalls.products_created_since = created_since  # type: ignore[method-assign]


@dataclass
class Bench:
    """One emulator stack with its ledger, the tenant's article settings and AFAS's page sizes."""

    stack: common.Stack
    ledger_url: str
    ledger: Any
    takes: dict[str, int]
    counted: Counted
    runs: int = 0
    create_missing: bool = False
    orders_runs: int = 0

    @classmethod
    def open(cls, stack: common.Stack, name: str, counted: Counted) -> Bench:
        from lightspeed_afas.flows.articles.read_step import _take
        from lightspeed_afas.hooks.afas import AfasProfitHook
        from lightspeed_afas.ledger import Ledger

        write_tenant(stack)
        ledger_url = stack.new_ledger(name)
        hook = AfasProfitHook(article_settings().afas_conn_id)
        try:
            takes = {c: _take(len(hook.metainfo_get(c).get("fields") or [])) for c in CONNECTORS}
        finally:
            hook.close()
        return cls(stack, ledger_url, Ledger(ledger_url), takes, counted)

    @property
    def settings(self) -> Any:
        return article_settings()

    def set_create_missing(self, on: bool) -> None:
        self.create_missing = on
        write_tenant(self.stack, create_missing=on)

    def floor(self, full_comparison: bool) -> Floor:
        from lightspeed_afas.domain import retry_policy
        from lightspeed_afas.flows.articles.catalogue import FULL_AT, REFRESHED
        from lightspeed_afas.flows.articles.read_step import FULL_READ_AT, MODIFIED

        settings = self.settings
        state = self.ledger.flow_state(settings.tenant, "articles")
        now = retry_policy.utc_now() + timedelta(seconds=SCHEDULE_S)  # the run comes after the clock moves
        seen = compare(self.stack)
        creations = len(seen.missing) if self.create_missing else 0
        last_full = _time(state.get(FULL_AT))
        full = full_comparison or last_full is None or now - last_full >= settings.full_comparison_every
        if full:
            refresh = ("full", math.ceil(seen.variants / PAGE), math.ceil(seen.products / PAGE), 0, 0)
        else:
            since = ((_time(state.get(REFRESHED)) or last_full) - settings.overlap).replace(microsecond=0)
            if not self.ledger.flow_state(settings.tenant, "stock").get("filter_zone"):
                since -= since.astimezone(AFAS_ZONE).utcoffset() or timedelta(0)
            rv = sum(1 for t in seen.updated["variants"] if t >= since)
            rp = sum(1 for t in seen.updated["products"] if t >= since)
            refresh = ("incremental", max(1, math.ceil(rv / PAGE)), max(1, math.ceil(rp / PAGE)), rv, rp)
        view = self.stack.afas("GET", "/articles")
        rows = len(view["articles"])
        afas_seen, afas_full = state.get(MODIFIED), _time(state.get(FULL_READ_AT))
        article_rows = rows
        if not (
            full_comparison
            or afas_seen is None
            or afas_full is None
            or now - afas_full >= settings.full_comparison_every
        ):
            bound = datetime.fromisoformat(str(afas_seen).rstrip("Z")) - settings.overlap
            article_rows = sum(
                1
                for a in view["articles"]
                if datetime.fromisoformat(a["modified"]).replace(tzinfo=None) >= bound
            )
        barcodes = sum(1 for a in view["articles"] if a["barcode"]) + len(view["barcodes"])
        parts = {
            "metainfo": len(CONNECTORS),
            "Profit_Article": pages(article_rows, self.takes["Profit_Article"]),
            "Profit_Article_Basic": pages(rows, self.takes["Profit_Article_Basic"]),
            "Profit_Barcode_per_Item": pages(barcodes, self.takes["Profit_Barcode_per_Item"]),
        }
        return Floor(
            refresh[0], refresh[1], refresh[2], len(seen.variant_writes), len(seen.product_writes), creations,
            sum(parts.values()), parts, refresh[3], refresh[4], article_rows,
        )  # fmt: skip


def advance(stack: common.Stack, seconds: float) -> None:
    """Both emulators' clocks and the pipeline's "now" move on by ``seconds``."""
    stack.advance(seconds)
    stack.afas("POST", "/clock", {"advance_seconds": seconds})


@dataclass
class ArticleRun:
    """One measured articles run: its calls by kind, the key's windows after it, and its floor."""

    label: str
    outcome: str
    refresh: str
    afas_read: str
    variant_pages: int  # GET variants.json, the catalogue refresh
    product_pages: int  # GET products.json, the catalogue refresh
    taxes: int
    variant_puts: int
    product_puts: int
    posts: int
    product_variants: int  # GET variants.json?product= after a POST
    created_since: int  # GET products.json?created_at_min= (a lost POST looked for)
    other_ls: int
    afas: dict[str, int]
    rate_limited: int
    windows: list[int]  # the key's 5-min / hour / day windows used, after this run
    limits: list[int]
    floor: Floor
    counts: dict[str, int]
    seconds: float
    stopped_because: str | None
    orders: dict[str, Any] | None = None  # the orders run in the same window, if any
    windows_after_orders: list[int] = field(default_factory=list)

    @property
    def reads(self) -> int:
        return self.variant_pages + self.product_pages + self.taxes

    @property
    def writes(self) -> int:
        return self.variant_puts + self.product_puts + self.posts

    @property
    def ls_calls(self) -> int:
        return self.reads + self.writes + self.product_variants + self.created_since + self.other_ls

    @property
    def afas_calls(self) -> int:
        return sum(self.afas.values())

    @property
    def left(self) -> list[float]:
        """Per window, the share this run left to orders (1 − its calls / the limit, when the run had the
        window to itself: each run starts fresh windows, an hour after the last)."""
        return [1 - used / limit for used, limit in zip(self.windows, self.limits, strict=True)]


def measure(bench: Bench, label: str, full_comparison: bool = False, orders: int = 0) -> ArticleRun:
    """One articles run an hour after the last (then ``orders`` new orders booked in its window)."""
    floor = bench.floor(full_comparison)
    stack = bench.stack
    advance(stack, SCHEDULE_S)
    bench.runs += 1
    stack.reset_calls()
    bench.counted.product_variants = bench.counted.created_since = 0
    started = time.perf_counter()
    out = run_in_process(bench.ledger_url, f"articles-{bench.runs}", full_comparison)
    seconds = time.perf_counter() - started
    shop, afas = stack.calls()
    windows = stack.shop("GET", "/state")["rate_limits"][common.LS_KEY]
    ls = api_calls(shop)
    lookups, since = bench.counted.product_variants, bench.counted.created_since
    afas_calls: dict[str, int] = {}
    for key, n in api_calls(afas).items():
        name = key.split("/")[-1]
        kind = "metainfo" if "/metainfo/" in key else name
        afas_calls[kind] = afas_calls.get(kind, 0) + n
    run = ArticleRun(
        label=label,
        outcome=out.get("outcome", "?"),
        refresh=str(out.get("catalogue_refresh", "?")),
        afas_read=str(out.get("afas_read", "?")),
        variant_pages=ls.pop(VGET, 0) - lookups,
        product_pages=ls.pop(PGET, 0) - since,
        taxes=ls.pop(TAXES, 0),
        variant_puts=ls.pop(VPUT, 0),
        product_puts=ls.pop(PPUT, 0),
        posts=ls.pop(POST, 0),
        product_variants=lookups,
        created_since=since,
        other_ls=sum(ls.values()),
        afas=afas_calls,
        rate_limited=int(shop["rate_limited"]),
        windows=[w["used"] for w in windows],
        limits=[w["limit"] for w in windows],
        floor=floor,
        counts=out.get("counts") or {},
        seconds=seconds,
        stopped_because=out.get("stopped_because") or out.get("error"),
    )
    if orders:
        from bench.stock_scenarios import orders_run

        bench.orders_runs += 1
        run.orders = orders_run(bench, bench.orders_runs, orders)  # type: ignore[arg-type]
        after = stack.shop("GET", "/state")["rate_limits"][common.LS_KEY]
        run.windows_after_orders = [w["used"] for w in after]
    return run


def sync(bench: Bench, label: str, max_runs: int, orders: int = 0) -> list[ArticleRun]:
    """Runs an hour apart until one is not stopped by the budget (everything is written)."""
    runs = [measure(bench, f"{label} 1", orders=orders)]
    while runs[-1].outcome == "partial" and len(runs) < max_runs:
        runs.append(measure(bench, f"{label} {len(runs) + 1}", orders=orders))
    assert runs[-1].outcome == "success", f"{label}: still {runs[-1].outcome} after {len(runs)} runs"
    return runs


def _time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
