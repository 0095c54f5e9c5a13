"""The stock flow under faults: Lightspeed 429s, 5xx answers and dropped connections on the level PUTs,
5xx answers on any call, and AFAS 503s (short, and maintenance) — at seeded moments of the runs.

The flow runs in-process as the stock DAG would run it: read_afas_stock → plan_stock → push_stock, each
step's XCom value through JSON, each task tried up to three times (the DAG's ``retries=2``) unless it
raises an ``AirflowFailException``, and the teardown closing a run's ledger row that its last task did
not. The pipeline's clock and both emulators' clocks move 15 minutes per run (the schedule).

Each hypothesis example is a fresh shop of 60 variants — codes in articleCode, sku (another case, padded)
or ean — and AFAS stock for 50 of them (two of those with stock tracking off, so left alone), quantities
whole, fractional or negative, some over two warehouses; plus AFAS items no variant has. A plan of one
to four rounds follows: AFAS quantities change, up to three faults are armed (before the run, before the
n-th PUT of the run, or before the AFAS rows are read), the flow runs, the faults are cleared. Then clean
runs until one ends ``success``, and the books must hold: every followed variant has exactly
``max(0, floor(AFAS quantity))`` (no unbooked orders here), every other variant is untouched (level and
``updatedAt``), the ledger maps every variant with the shop's level, and the last ``pushed`` row of each
variant has the shop's level.

The hooks' waits (backoff, Retry-After) are recorded instead of slept: nothing here needs time to pass,
and the deterministic tests assert the waits asked for.
"""

from __future__ import annotations

import itertools
import math
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from emulators.lightspeed import LightspeedConfig
from lightspeed_afas.flows.stock import StockRequest
from lightspeed_afas.hooks.afas import AfasProfitHook
from lightspeed_afas.hooks.base import ApiHook
from lightspeed_afas.hooks.errors import AfasUnavailableError, LightspeedUnavailableError
from lightspeed_afas.hooks.lightspeed import LightspeedEcomHook
from lightspeed_afas.orchestration.stock_task import STOCK_STEPS, StockSetupError
from lightspeed_afas.orchestration.task_failures import ExpectedTaskFailure
from tests.reliability.conftest import EXAMPLES, SEED, Stack, running_stack

TASK_TRIES = 3  # the stock DAG's retries=2
SCHEDULE = timedelta(minutes=15)
HOOK_TRIES = 5  # LightspeedEcomHook.server_error_attempts, AfasProfitHook.attempts
MAINTENANCE = 1800  # an AFAS retry_after beyond the hook's max_wait_seconds (120)
PUT = "PUT /{lang}/variants/{id}.json"
VARIANTS, WITH_AFAS, TRACKING_OFF, AFAS_ONLY = 60, 50, 2, 5
CLEAN_RUNS = 3
TRANSIENT = (LightspeedUnavailableError, AfasUnavailableError)

FAULTS = {
    "put_429": "stock: Lightspeed 429 on a PUT",
    "put_5xx": "stock: Lightspeed 5xx on a PUT",
    "drop_after_put": "stock: connection dropped after an applied PUT",
    "status_5xx": "stock: Lightspeed 5xx on any call",
    "afas_503": "stock: AFAS 503 (retry_after within the hook's wait)",
    "afas_maintenance": "stock: AFAS 503 (maintenance, retry_after beyond the hook's wait)",
}

_run_ids = itertools.count(1)


# -- faults -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    """``count`` answers of ``kind``, armed before the run (``at`` 0), before the ``at``-th PUT of the
    run (Lightspeed), or before the AFAS rows are read (AFAS, ``at`` ≥ 1)."""

    kind: str
    at: int
    count: int

    @property
    def afas(self) -> bool:
        return self.kind.startswith("afas")

    def body(self) -> dict[str, Any]:
        if self.kind == "put_429":
            return {"put_429": {"count": self.count, "retry_after": 1}}
        if self.kind == "put_5xx":
            return {"put_5xx": {"count": self.count, "status": (503, 502, 500)[self.count % 3]}}
        if self.kind == "drop_after_put":
            return {"drop_after_put": {"count": self.count}}
        if self.kind == "status_5xx":
            return {"status_5xx": {"count": self.count, "status": 503}}
        retry_after = 3 if self.kind == "afas_503" else MAINTENANCE
        return {"unavailable": {"count": self.count, "retry_after": retry_after}}

    def remaining(self, shop_faults: dict[str, Any], afas_faults: dict[str, Any]) -> int:
        return int(afas_faults["unavailable_count"] if self.afas else shop_faults[self.kind])


@dataclass
class StockEnv:
    """The stack, the hooks' waits, and the faults armed for the current run."""

    stack: Stack
    waits: list[tuple[str, float, str]] = field(default_factory=list)
    at_put: dict[int, list[Fault]] = field(default_factory=dict)
    at_rows: list[Fault] = field(default_factory=list)
    armed: list[Fault] = field(default_factory=list)
    puts: int = 0
    # variant id → the level of its latest PUT that ended without an answer (the hook gave up)
    unanswered: dict[int, int] = field(default_factory=dict)

    def arm(self, faults: list[Fault]) -> None:
        for fault in faults:
            if fault.at == 0:
                self._arm(fault)
            elif fault.afas:
                self.at_rows.append(fault)
            else:
                self.at_put.setdefault(fault.at, []).append(fault)

    def _arm(self, fault: Fault) -> None:
        admin = self.stack.afas_admin if fault.afas else self.stack.shop_admin
        admin("POST", "/faults", fault.body())
        self.armed.append(fault)

    def before_put(self) -> None:
        self.puts += 1
        for fault in self.at_put.pop(self.puts, []):
            self._arm(fault)

    def before_rows(self) -> None:
        for fault in self.at_rows:
            self._arm(fault)
        self.at_rows = []

    def served(self) -> Counter[str]:
        """Faults answered since they were armed, by kind label; then every fault is cleared."""
        shop_faults = self.stack.shop_admin("POST", "/faults", {})["faults"]
        afas_faults = self.stack.afas_admin("POST", "/faults", {})["faults"]
        seen: Counter[str] = Counter()
        for fault in self.armed:
            seen[FAULTS[fault.kind]] += fault.count - fault.remaining(shop_faults, afas_faults)
        self.clear()
        return seen

    def clear(self) -> None:
        self.stack.shop_admin("POST", "/faults", {"clear": True})
        self.stack.afas_admin("POST", "/faults", {"clear": True})
        self.at_put, self.at_rows, self.armed = {}, [], []

    def waited(self, api: str, reason: str = "") -> list[float]:
        return [s for name, s, why in self.waits if name == api and reason in why]


@pytest.fixture(scope="module")
def stock_env(airflow_db, tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        # Runs on one API key all module long: the budget reserve is another test's subject, the 429s
        # here are injected.
        shop = LightspeedConfig(orders=3, rate_limits=(10**6, 10**6, 10**6))
        with running_stack(tmp_path_factory.mktemp("stock-faults"), mp, shop=shop) as stack:
            stack.stock_tenant()
            env = StockEnv(stack)

            def wait(hook: ApiHook, seconds: float, reason: str) -> None:
                if seconds > 0:
                    hook.stats.record_wait(hook.api_name, seconds)
                    env.waits.append((hook.api_name, seconds, reason))

            put_stock_level, get_rows = LightspeedEcomHook.put_stock_level, AfasProfitHook.get_rows

            def put(hook: LightspeedEcomHook, variant_id: int, level: int) -> dict[str, Any]:
                env.before_put()
                try:
                    answer = put_stock_level(hook, variant_id, level)
                except LightspeedUnavailableError:
                    env.unanswered[variant_id] = level
                    raise
                env.unanswered.pop(variant_id, None)
                return answer

            def rows(hook: AfasProfitHook, *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
                env.before_rows()
                return get_rows(hook, *args, **kwargs)

            mp.setattr(ApiHook, "wait", wait)
            mp.setattr(LightspeedEcomHook, "put_stock_level", put)
            mp.setattr(AfasProfitHook, "get_rows", rows)
            yield env


# -- the shop, AFAS, and what the books must say --------------------------------------------------------


@dataclass
class Shop:
    """What a test set up: the variants as made, which AFAS item each followed one has, AFAS's stock."""

    ids: list[int]  # in the order of the specs
    made: dict[int, dict[str, Any]]
    follows: dict[int, str]  # variant id → AFAS item code; the others must stay as they were made
    afas: dict[str, dict[str, Decimal]]  # item → warehouse → physical (reserved, on order: 0)

    def expected(self, vid: int) -> int:
        return max(0, math.floor(sum(self.afas[self.follows[vid]].values())))

    def set_afas(self, item: str, warehouse: str, physical: Decimal) -> dict[str, Any]:
        self.afas.setdefault(item, {})[warehouse] = physical
        return {"item": item, "warehouse": warehouse, "physical": str(physical)}


def fresh_shop(env: StockEnv, variants: list[dict[str, Any]], afas: dict[str, dict[str, Decimal]]) -> Shop:
    """Exactly ``variants`` in the shop and ``afas`` in AFAS, a fresh ledger, no faults, no calls."""
    stack = env.stack
    env.clear()
    env.waits.clear()
    env.unanswered.clear()
    for variant in stack.shop_admin("GET", "/variants")["variants"]:
        stack.shop_admin("DELETE", f"/variants/{variant['id']}")
    for item in stack.afas_admin("GET", "/stock")["items"]:
        stack.afas_admin("DELETE", f"/stock/{quote(item, safe='')}")
    stack.fresh_ledger()
    made = stack.shop_admin("POST", "/variants", {"variants": variants})["variants"]
    rows = [
        {"item": item, "warehouse": w, "physical": str(q)}
        for item, by_w in afas.items()
        for w, q in by_w.items()
    ]
    if rows:
        stack.afas_admin("POST", "/stock", {"rows": rows})
    stack.shop_admin("POST", "/calls/reset")
    stack.afas_admin("POST", "/calls/reset")
    shown = {v["id"]: v for v in stack.shop_admin("GET", "/variants")["variants"]}
    follows: dict[int, str] = {}
    for spec, answer in zip(variants, made, strict=True):
        vid = answer["id"]
        code = next(str(spec[k]).strip().upper() for k in ("articleCode", "sku", "ean") if spec.get(k))
        if code in afas and spec.get("stockTracking", "enabled") != "disabled":
            follows[vid] = code
    return Shop([v["id"] for v in made], shown, follows, {i: dict(w) for i, w in afas.items()})


def seeded_shop(env: StockEnv, shop_seed: int) -> tuple[Shop, random.Random]:
    """60 variants, 50 with an AFAS item (two of them with tracking off), 5 AFAS items without a variant."""
    rng = random.Random(f"stock-faults:{shop_seed}")
    variants: list[dict[str, Any]] = []
    codes: list[str] = []
    for i in range(VARIANTS):
        where = rng.choices(("articleCode", "sku", "ean"), weights=(6, 2, 2))[0]
        if where == "ean":
            code = str(8_700_000_000_000 + shop_seed * 100 + i)
            shown = code
        else:
            code = f"S{shop_seed}-{i:02d}"
            shown = code if where == "articleCode" else f" {code.lower()} "
        variants.append({where: shown, "stockLevel": rng.randint(0, 60)})
        codes.append(code)
    with_afas = rng.sample(range(VARIANTS), WITH_AFAS)
    for i in with_afas[:TRACKING_OFF]:
        variants[i]["stockTracking"] = "disabled"
    afas: dict[str, dict[str, Decimal]] = {}
    for i in with_afas:
        afas[codes[i]] = quantities(rng, variants[i]["stockLevel"])
    for k in range(AFAS_ONLY):
        afas[f"AFAS-ONLY-{shop_seed}-{k}"] = {"01": Decimal(rng.randint(0, 50))}
    return fresh_shop(env, variants, afas), rng


def quantities(rng: random.Random, shop_level: int) -> dict[str, Decimal]:
    """An item's physical stock per warehouse: whole, fractional, negative, the shop's level already,
    or split over two warehouses."""
    kind = rng.choices(("whole", "fraction", "negative", "same", "split"), weights=(5, 2, 1, 2, 2))[0]
    if kind == "fraction":
        return {"01": Decimal(rng.randint(0, 5999)) / 100}
    if kind == "negative":
        return {"HOOFD": Decimal(-rng.randint(1, 9))}
    if kind == "same":
        return {"01": Decimal(shop_level)}
    if kind == "split":
        return {"01": Decimal(rng.randint(0, 30)), "HOOFD": Decimal(rng.randint(-3, 30))}
    return {"01": Decimal(rng.randint(0, 120))}


def change_afas(env: StockEnv, shop: Shop, rng: random.Random, count: int) -> None:
    """``count`` AFAS quantities change (one warehouse of the item each), as between two runs."""
    items = sorted(set(shop.follows.values()) | {i for i in shop.afas if i.startswith("AFAS-ONLY")})
    rows = []
    for item in rng.sample(items, min(count, len(items))):
        warehouse = rng.choice(sorted(shop.afas[item]))
        physical = Decimal(rng.randint(-2, 120)) + (
            Decimal(rng.randint(1, 99)) / 100 if rng.random() < 0.2 else 0
        )
        rows.append(shop.set_afas(item, warehouse, physical))
    if rows:
        env.stack.afas_admin("POST", "/stock", {"rows": rows})


@dataclass
class Books:
    right: int = 0
    wrong: list[str] = field(default_factory=list)
    untouched: int = 0
    touched: list[str] = field(default_factory=list)
    map_agrees: int = 0
    unmapped: list[str] = field(default_factory=list)
    map_disagrees: list[str] = field(default_factory=list)
    pushes_agree: int = 0
    pushes_disagree: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        return self.wrong + self.touched + self.unmapped + self.map_disagrees + self.pushes_disagree


def stock_books(env: StockEnv, shop: Shop) -> Books:
    """The shop against AFAS and the ledger, variant by variant."""
    stack = env.stack
    now = {v["id"]: v for v in stack.shop_admin("GET", "/variants")["variants"]}
    afas_view = stack.afas_admin("GET", "/stock")["items"]
    for item, by_w in shop.afas.items():  # the test's model of AFAS is AFAS
        assert {w: Decimal(str(e["economic"])) for w, e in afas_view[item].items()} == by_w, item
    assert stack.ledger.unbooked_quantities("shop") == {}  # no unbooked orders: the level is AFAS's
    mapped = stack.ledger.variant_map("shop")
    last_pushed: dict[int, int] = {}
    for row in reversed(stack.ledger.stock_pushes("shop", limit=1_000_000)):  # oldest first
        if row["outcome"] == "pushed":
            last_pushed[row["variant_id"]] = row["new_level"]
    books = Books()
    for vid, made in shop.made.items():
        level = now[vid]["stockLevel"]
        if vid in shop.follows:
            if level == shop.expected(vid):
                books.right += 1
            else:
                books.wrong.append(
                    f"variant {vid} ({shop.follows[vid]}): {level}, AFAS says {shop.expected(vid)}"
                )
        elif (level, now[vid]["updatedAt"]) == (made["stockLevel"], made["updatedAt"]):
            books.untouched += 1
        else:
            books.touched.append(f"variant {vid} left alone: {made['stockLevel']} → {level}")
        if vid not in mapped:
            books.unmapped.append(f"variant {vid} is not in the ledger's map")
        elif mapped[vid].shop_level == level:
            books.map_agrees += 1
        else:
            books.map_disagrees.append(
                f"variant {vid}: the map says {mapped[vid].shop_level}, the shop {level}"
            )
        if vid in last_pushed:
            if last_pushed[vid] == level:
                books.pushes_agree += 1
            else:
                books.pushes_disagree.append(
                    f"variant {vid}: last pushed {last_pushed[vid]}, the shop {level}"
                )
    return books


def tally_books(tally: Any, scenario: str, books: Books) -> None:
    tally.checks["stock scenarios checked"] += 1
    tally.checks["stock levels right at the end"] += books.right
    tally.checks["stock levels wrong at the end"] += len(books.wrong)
    tally.checks["variants left alone untouched"] += books.untouched
    tally.checks["variants left alone but changed"] += len(books.touched)
    tally.checks["ledger map levels agreeing with the shop"] += books.map_agrees
    tally.checks["ledger map levels disagreeing or missing"] += len(books.map_disagrees) + len(books.unmapped)
    tally.checks["ledger pushes agreeing with the shop"] += books.pushes_agree
    tally.checks["ledger pushes disagreeing with the shop"] += len(books.pushes_disagree)
    tally.scenarios.append(scenario)


# -- running the flow ---------------------------------------------------------------------------------


@dataclass
class StockRun:
    run_id: str
    state: str = "running"  # success | partial | failed (a task failed for good) | dry_run
    summary: dict[str, Any] | None = None
    failures: list[tuple[str, BaseException]] = field(default_factory=list)  # (step, error) per failed try
    tries: Counter[str] = field(default_factory=Counter)

    @property
    def setup_error(self) -> bool:
        return any(isinstance(e, StockSetupError) for _, e in self.failures)

    @property
    def error_text(self) -> str:
        return "; ".join(f"{step}: {type(e).__name__}: {e}" for step, e in self.failures)


def run_stock(env: StockEnv) -> StockRun:
    """One DAG run of the stock flow, a quarter of an hour after the last one."""
    stack = env.stack
    stack.clock.advance(SCHEDULE)
    stack.shop_admin("POST", "/clock", {"advance_seconds": SCHEDULE.total_seconds()})
    stack.afas_admin("POST", "/clock", {"advance_seconds": SCHEDULE.total_seconds()})
    env.puts = 0
    request = StockRequest(
        f"scheduled__stock{next(_run_ids)}", "scheduled", dry_run=False, full_comparison=False
    )
    run = StockRun(request.run_id)
    settings_ = stack.stock_settings()
    upstream: dict[str, Any] = {}
    try:
        for step in STOCK_STEPS:
            while True:
                run.tries[step] += 1
                try:
                    upstream[step] = stack.stock_step(step, request, upstream, settings_)
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
        run.summary = upstream["push_stock"]
        run.state = run.summary["outcome"]
        return run
    finally:
        # The teardown (purge_staged_data) closes a row the last task did not.
        stack.ledger.close_unfinished_flow_run(
            settings_.tenant, "stock", request.run_id, "the run ended early"
        )


def shop_puts(env: StockEnv) -> int:
    return env.stack.shop_admin("GET", "/calls")["calls"].get(PUT, 0)


def levels(env: StockEnv) -> dict[int, int]:
    return {v["id"]: v["stockLevel"] for v in env.stack.shop_admin("GET", "/variants")["variants"]}


def pushed_rows(env: StockEnv, run_id: str | None = None) -> list[dict[str, Any]]:
    return [r for r in env.stack.ledger.stock_pushes("shop", run_id) if r["outcome"] == "pushed"]


def faulted_run(env: StockEnv, tally: Any, faults: list[Fault], scenario: str) -> StockRun:
    """One run with ``faults`` armed; what they did is tallied, and the run must end as designed."""
    env.arm(faults)
    run = run_stock(env)
    tally.faults.update(env.served())
    tally.runs["stock: under faults"] += 1
    if run.state == "partial":
        tally.runs["stock: under faults: ended partial"] += 1
    if any(n > 1 for n in run.tries.values()):
        tally.runs["stock: under faults: a task failed and its retry went on"] += 1
    assert not run.setup_error, f"{scenario}: a fault ended the run as a setup error: {run.error_text}"
    if run.state == "failed":
        tally.runs["stock: under faults: stopped after the task's retries"] += 1
    assert survived(run), f"{scenario}: the run ended {run.state}: {run.error_text}"
    tally.runs["stock: under faults, survived"] += 1
    return run


def clean_runs(env: StockEnv, tally: Any, scenario: str) -> StockRun:
    """Runs without faults until one ends ``success``."""
    for _ in range(CLEAN_RUNS):
        run = run_stock(env)
        tally.runs["stock: clean, after faults"] += 1
        if run.state == "success":
            tally.runs["stock: clean, after faults, survived"] += 1
            return run
    raise AssertionError(f"{scenario}: no clean run ended success: {run.state} {run.error_text}")


def survived(run: StockRun) -> bool:
    """Ended as designed: success, partial (a 429), or stopped by a typed unavailability after the
    task's retries (the next run goes on)."""
    if run.state in ("success", "partial"):
        return True
    return run.state == "failed" and all(isinstance(e, TRANSIENT) for _, e in run.failures)


def books_right(env: StockEnv, tally: Any, shop: Shop, scenario: str) -> Books:
    books = stock_books(env, shop)
    tally_books(tally, scenario, books)
    assert books.problems == [], f"{scenario}: {books.problems}"
    return books


# -- seeded fault plans ---------------------------------------------------------------------------------

# Kinds weighted so the Lightspeed faults get runs to act in (an AFAS fault often ends the run first);
# counts within the hook's tries, beyond them, and beyond every try of the task.
KIND_WEIGHTS = ("put_429", "put_429", "status_5xx", "status_5xx", "afas_503", "afas_maintenance") + (
    "put_5xx",
    "drop_after_put",
) * 3


@st.composite
def fault(draw: st.DrawFn) -> Fault:
    kind = draw(st.sampled_from(KIND_WEIGHTS))
    if kind == "afas_maintenance":
        return Fault(kind, draw(st.integers(0, 1)), draw(st.integers(1, 3)))
    if kind == "afas_503":
        return Fault(kind, draw(st.integers(0, 1)), draw(st.integers(1, 2 * HOOK_TRIES)))
    at = draw(st.one_of(st.integers(0, 8), st.integers(9, 40)))
    if kind == "put_429":
        return Fault(kind, at, draw(st.integers(1, 2)))
    many = st.one_of(st.integers(1, HOOK_TRIES - 1), st.integers(HOOK_TRIES, TASK_TRIES * HOOK_TRIES + 1))
    return Fault(kind, at, draw(many))


round_faults = st.lists(fault(), min_size=1, max_size=3, unique_by=lambda f: "afas" if f.afas else f.kind)
rounds = st.lists(st.tuples(st.integers(0, 20), round_faults), min_size=1, max_size=4)


@seed(SEED)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=False,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
@given(shop_seed=st.integers(0, 10**6), plan=rounds)
def test_seeded_fault_plans_leave_every_stock_level_right(stock_env, tally, shop_seed, plan):
    env = stock_env
    shop, rng = seeded_shop(env, shop_seed)
    scenario = f"seed {shop_seed}: " + " | ".join(
        f"{changes} changed, " + ", ".join(f"{f.kind}×{f.count}@{f.at}" for f in faults)
        for changes, faults in plan
    )
    for changes, faults in plan:
        change_afas(env, shop, rng, changes)
        faulted_run(env, tally, faults, scenario)
    clean_runs(env, tally, scenario)
    books_right(env, tally, shop, "stock under seeded faults")


# -- one fault at a time --------------------------------------------------------------------------------


def small_shop(env: StockEnv, levels_now: list[int], afas_levels: list[int], alone: int = 2) -> Shop:
    """Variants D-0… with ``levels_now``, AFAS quantities ``afas_levels`` for them, and ``alone``
    variants AFAS has no item for."""
    variants = [{"articleCode": f"D-{i}", "stockLevel": n} for i, n in enumerate(levels_now)]
    variants += [{"articleCode": f"LOS-{k}", "stockLevel": 7} for k in range(alone)]
    return fresh_shop(env, variants, {f"D-{i}": {"01": Decimal(q)} for i, q in enumerate(afas_levels)})


def test_a_connection_dropped_after_an_applied_put_is_sent_once_more_and_ends_right(stock_env, tally):
    env = stock_env
    shop = small_shop(env, [0] * 8, [10 + i for i in range(8)])
    run = faulted_run(env, tally, [Fault("drop_after_put", 3, 1)], "drop after PUT")
    assert run.state == "success" and run.tries == Counter(dict.fromkeys(STOCK_STEPS, 1)), run.error_text
    assert shop_puts(env) == 8 + 1  # the third level once more, nothing else
    assert env.stack.shop_admin("GET", "/calls")["statuses"].get("dropped") == 1
    assert len(env.waited("lightspeed", "connection error")) == 1
    assert sorted(r["variant_id"] for r in pushed_rows(env, run.run_id)) == sorted(shop.follows)  # once each
    books_right(env, tally, shop, "drop after PUT")


def test_drops_beyond_the_hooks_tries_fail_the_task_and_its_retry_skips_what_was_pushed(stock_env, tally):
    env = stock_env
    shop = small_shop(env, [0] * 8, [10 + i for i in range(8)])
    run = faulted_run(env, tally, [Fault("drop_after_put", 4, HOOK_TRIES)], "drops beyond the hook's tries")
    assert run.state == "success" and run.tries["push_stock"] == 2, run.error_text
    assert isinstance(run.failures[0][1], LightspeedUnavailableError)
    # First try: three levels, then the fourth five times (applied, never answered). The retry skips
    # the three the ledger has and pushes the other five, the fourth again among them.
    assert shop_puts(env) == 3 + HOOK_TRIES + 5
    assert sorted(r["variant_id"] for r in pushed_rows(env, run.run_id)) == sorted(shop.follows)
    books_right(env, tally, shop, "drops beyond the hook's tries")


def drops_beyond_every_try(env: StockEnv, tally: Any) -> Shop:
    """Four levels pushed; then AFAS changes D-2 and its PUT is applied, but never answered, in every
    try of push_stock: the DAG run fails. The next run learns 30 from the shop and pushes nothing."""
    shop = small_shop(env, [0] * 4, [10, 11, 12, 13])
    clean_runs(env, tally, "drops beyond every try")
    env.stack.afas_admin("POST", "/stock", {"rows": [shop.set_afas("D-2", "01", Decimal(30))]})
    fault_ = Fault("drop_after_put", 1, TASK_TRIES * HOOK_TRIES)
    run = faulted_run(env, tally, [fault_], "drops beyond every try")
    assert run.state == "failed" and run.tries["push_stock"] == TASK_TRIES, run.error_text
    assert all(isinstance(e, LightspeedUnavailableError) for _, e in run.failures)
    after = clean_runs(env, tally, "drops beyond every try")
    assert after.summary is not None and after.summary["counts"]["pushed"] == 0
    return shop


def test_drops_beyond_every_try_of_the_task_fail_the_run_and_the_level_ends_right(stock_env, tally):
    env = stock_env
    shop = drops_beyond_every_try(env, tally)
    assert levels(env)[shop.ids[2]] == 30
    books = stock_books(env, shop)
    tally_books(tally, "drops beyond every try of the task", books)
    assert (
        books.wrong == books.touched == books.unmapped == books.map_disagrees == books.pushes_disagree == []
    )
    # The PUT that was applied but never answered is logged "unknown", and the next read of the shop
    # confirmed it: the push log has the shop's level.
    (row,) = [r for r in env.stack.ledger.stock_pushes("shop") if r["variant_id"] == shop.ids[2]][:1]
    assert (row["outcome"], row["new_level"]) == ("pushed", 30) and "confirmed" in row["reason"]


@pytest.mark.parametrize(
    ("count", "push_tries", "state"),
    [
        (HOOK_TRIES - 1, 1, "success"),  # the hook retries
        (HOOK_TRIES + 2, 2, "success"),  # the task fails once; its retry finishes
        (TASK_TRIES * HOOK_TRIES + 1, TASK_TRIES, "failed"),  # the run stops; the next one finishes
    ],
)
def test_5xx_on_a_put_is_retried_and_applies_nothing_twice(stock_env, tally, count, push_tries, state):
    env = stock_env
    shop = small_shop(env, [0] * 6, [5, 6, 7, 8, 9, 10])
    run = faulted_run(env, tally, [Fault("put_5xx", 2, count)], f"5xx on a PUT ×{count}")
    assert (run.state, run.tries["push_stock"]) == (state, push_tries), run.error_text
    served = min(count, TASK_TRIES * HOOK_TRIES)
    assert len(env.waited("lightspeed", "HTTP 5")) == served - served // HOOK_TRIES  # none before giving up
    if state == "failed":
        assert all(isinstance(e, LightspeedUnavailableError) for _, e in run.failures)
        assert levels(env)[shop.ids[1]] == 0  # a 5xx applies nothing
        clean_runs(env, tally, f"5xx on a PUT ×{count}")
    pushes = [r["variant_id"] for r in pushed_rows(env)]
    assert sorted(pushes) == sorted(shop.follows)  # each level pushed once
    books_right(env, tally, shop, "5xx on a PUT")


def test_a_429_on_a_put_ends_the_run_partial_without_waiting_and_the_next_run_finishes(stock_env, tally):
    env = stock_env
    shop = small_shop(env, [0] * 10, [20 + i for i in range(10)])
    run = faulted_run(env, tally, [Fault("put_429", 4, 1)], "429 on a PUT")
    assert run.state == "partial", run.error_text
    assert run.summary is not None and run.summary["counts"]["pushed"] == 3
    assert run.summary["counts"]["not_pushed"] == 7 and "budget" in run.summary["stopped_because"]
    assert env.waited("lightspeed") == []  # a 429 is never waited out: the budget is the orders'
    assert env.stack.ledger.flow_runs("shop", "stock")[0]["outcome"] == "partial"
    first = {r["variant_id"] for r in pushed_rows(env, run.run_id)}
    env.stack.shop_admin("POST", "/calls/reset")
    after = clean_runs(env, tally, "429 on a PUT")
    assert shop_puts(env) == 7
    assert {r["variant_id"] for r in pushed_rows(env, after.run_id)} == set(shop.follows) - first
    books_right(env, tally, shop, "429 on a PUT")


def test_an_afas_503_is_waited_out_as_asked_and_the_run_finishes(stock_env, tally):
    env = stock_env
    shop = small_shop(env, [1, 2, 3], [4, 5, 6])
    run = faulted_run(env, tally, [Fault("afas_503", 0, 2)], "AFAS 503, short")
    assert run.state == "success" and run.tries["read_afas_stock"] == 1, run.error_text
    assert env.waited("afas", "503") == [3, 3]  # the retry_after AFAS asked for
    books_right(env, tally, shop, "AFAS 503, short")


def test_afas_maintenance_while_the_rows_are_read_fails_the_task_and_its_retry_finishes(stock_env, tally):
    env = stock_env
    shop = small_shop(env, [1, 2, 3], [4, 5, 6])
    run = faulted_run(env, tally, [Fault("afas_maintenance", 1, 1)], "AFAS maintenance, rows")
    assert run.state == "success" and run.tries["read_afas_stock"] == 2, run.error_text
    ((step, error),) = run.failures
    assert step == "read_afas_stock" and isinstance(error, AfasUnavailableError)
    assert env.waited("afas") == []  # 30 minutes is beyond the hook's wait: the task fails at once
    books_right(env, tally, shop, "AFAS maintenance, rows")


@pytest.mark.parametrize(
    "fault_",
    [Fault("afas_maintenance", 0, 1), Fault("afas_503", 0, HOOK_TRIES)],
    ids=["maintenance", "5x503"],
)
def test_afas_503_at_the_connector_check_fails_the_task_for_a_retry(stock_env, fault_):
    env = stock_env
    small_shop(env, [1, 2, 3], [4, 5, 6])
    env.arm([fault_])
    run = run_stock(env)
    env.clear()
    assert not run.setup_error, run.error_text
    assert all(isinstance(e, AfasUnavailableError) for _, e in run.failures)
    assert run.state == "success" and run.tries["read_afas_stock"] == 2
