"""The customers and credit-notes flows under faults: an AFAS answer lost after a relation insert
(KnSalesRelationPer/Org) or a credit insert (FbSales), AFAS 503s (short, and maintenance), Lightspeed 5xx
answers and 429 storms (a spent 5-minute window) on the reads, and a task killed right after an AFAS insert
was committed (its DAG run then runs again, whole) — at seeded moments of the runs.

The flows run in-process as their DAGs would run them: extract_customers → resolve_relations and
extract_credit_notes → transform → load_to_afas (``orchestration.record_task.execute_record_step``), each
step's XCom value through JSON, each task tried up to three times (the DAGs' ``retries=2``) unless it
raises an ``AirflowFailException`` (records AFAS refused), and the teardown releasing the lease and
closing a run's ledger row that its last task did not. A killed task ends its run at once; the DAG run
is then run again from the start.

Each hypothesis example is a fresh shop and AFAS: five paid orders booked by the orders flow (one of them
by a registered customer), a sixth never booked; eleven registered customers — persons, a company, two
whose e-mail AFAS already has (typed in another case), two sharing one e-mail, the one who ordered, and
one whose country has no AFAS code (AFAS cannot get a relation for it: recorded failed, with why); credit
notes over the orders (a unit of a line, the shipping only, two for one order) and one for the unbooked
order (it waits). A plan of one to four rounds follows, each a run of both flows: before each, the shop
changes (customers register, change their e-mail or address — ``include: new_and_changed`` — and
refunds are made), up to three faults are armed for it (before the run, before the n-th Lightspeed call
or the n-th AFAS insert of the run), the flow runs, the faults are cleared. Then clean runs of both flows until each ends as designed,
and the books must hold, against the emulators' admin state:

- no e-mail has two AFAS relations; every customer with a valid address has exactly one relation for its
  e-mail, and the ledger's debtor for the customer is that relation; the one without is recorded failed
  with a reason;
- no credit note number appears twice in AFAS; every credit note of a booked order is booked (and the
  ledger says so), the one of the unbooked order waits with a reason — none is lost; each credit's total
  is minus the credit note's ``priceIncl``, to the cent.

The hooks' waits (backoff, Retry-After) are recorded instead of slept. The flows' windows end at the wall
clock (as the shop's): the data is dated in the minutes before each run, inside its window. The figures
are printed at the end of the module (and go to ``RELIABILITY_REPORT`` with the suite's).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from emulators.lightspeed import LightspeedConfig
from lightspeed_afas.hooks.afas import AfasProfitHook
from lightspeed_afas.hooks.base import ApiHook
from lightspeed_afas.hooks.errors import AfasUnavailableError, LightspeedUnavailableError
from lightspeed_afas.hooks.lightspeed import LightspeedEcomHook
from lightspeed_afas.orchestration.task_failures import ExpectedTaskFailure
from tests.reliability.conftest import EXAMPLES, SEED, Stack, running_stack

TASK_TRIES = 3  # the record DAGs' retries=2
HOOK_TRIES = 5  # LightspeedEcomHook.server_error_attempts, AfasProfitHook.attempts
MAINTENANCE = 1800  # an AFAS retry_after beyond the hook's max_wait_seconds (120)
SCHEDULE = timedelta(minutes=15)
CLEAN_RUNS = 4
TENANT = "shop"
FLOWS = ("customers", "credit_notes")
LAST_STEP = {"customers": "resolve_relations", "credit_notes": "load_to_afas"}
NAME = {"customers": "customers", "credit_notes": "credit notes"}
TRANSIENT = (LightspeedUnavailableError, AfasUnavailableError)
DONE = ("created", "linked")
SUCCESS = ("success", "ok")  # a run with nothing left to do (``flows.record_flow.finish_record_run``)
MUG = {
    "articleCode": "ART-2001",
    "productTitle": "Koffiemok wit",
    "basePriceIncl": "12.50",
    "taxRate": "0.21",
}
COFFEE = {
    "articleCode": "ART-1001",
    "productTitle": "Koffiebonen 1 kg",
    "basePriceIncl": "8.95",
    "taxRate": "0.09",
}

FAULTS = {
    "drop_relation": "records: AFAS answer lost after a relation insert (KnSalesRelationPer/Org)",
    "drop_credit": "records: AFAS answer lost after a credit insert (FbSales)",
    "afas_503": "records: AFAS 503 (retry_after within the hook's wait)",
    "afas_maintenance": "records: AFAS 503 (maintenance, retry_after beyond the hook's wait)",
    "ls_5xx": "records: Lightspeed 5xx on the reads",
    "ls_storm": "records: Lightspeed 429 storm (5-min window spent)",
    "kill": "records: a task killed after an AFAS insert was committed (the DAG run again)",
}
GROUP = {"drop_relation": "drop", "drop_credit": "drop", "afas_503": "afas", "afas_maintenance": "afas",
         "ls_5xx": "ls_5xx", "ls_storm": "ls_storm", "kill": "kill"}  # fmt: skip

_run_ids = itertools.count(1)


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def norm(email: str) -> str:
    return email.strip().lower()


class WorkerKilled(BaseException):  # not an Exception: no code of the flows may catch it
    """The task's worker died (right after an AFAS insert was committed, before its answer was used)."""


# -- faults -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    """``count`` answers of ``kind``, armed before the run (``at`` 0), before the ``at``-th Lightspeed call
    of the run (Lightspeed kinds) or before its ``at``-th AFAS insert (AFAS kinds and ``kill``)."""

    kind: str
    at: int
    count: int
    connector: str | None = None

    @property
    def on_afas(self) -> bool:
        return not self.kind.startswith("ls_")

    def body(self) -> dict[str, Any]:
        if self.kind.startswith("drop_"):
            return {"drop_after_commit": {"count": self.count, "connector": self.connector, "verb": "POST"}}
        if self.kind == "afas_503":
            return {"unavailable": {"count": self.count, "retry_after": 3}}
        if self.kind == "afas_maintenance":
            return {"unavailable": {"count": self.count, "retry_after": MAINTENANCE}}
        if self.kind == "ls_5xx":
            return {"status_5xx": {"count": self.count, "status": (503, 502, 500)[self.count % 3]}}
        return {"exhaust": "5min"}


@dataclass
class World:
    """What one example set up in the shop and AFAS, and what it changed since."""

    rng: random.Random
    customers: dict[int, str] = field(default_factory=dict)  # shop id → its e-mail now
    invalid: set[int] = field(default_factory=set)  # no AFAS country code: no relation can be made
    known: set[str] = field(default_factory=set)  # e-mails AFAS had a relation for before
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)  # number → the shop's order
    unbooked: set[str] = field(default_factory=set)
    notes: dict[int, Decimal] = field(default_factory=dict)  # credit note id → priceIncl
    refunded: Counter[int] = field(default_factory=Counter)  # order line id → units credited
    costs_credited: set[tuple[str, str]] = field(default_factory=set)  # (order number, shipping|payment)
    serial: int = 0
    last_change: datetime | None = None

    def change_time(self) -> str:
        """When a change is made: 20 minutes ago (inside the next window), and a second after the last
        change at least, as the shop moves ``updatedAt`` (the flow's version of a customer)."""
        moment = (datetime.now(UTC) - timedelta(minutes=20)).replace(microsecond=0)
        if self.last_change is not None and moment <= self.last_change:
            moment = self.last_change + timedelta(seconds=1)
        self.last_change = moment
        return stamp(moment)


@dataclass
class RecordEnv:
    """The stack, the hooks' waits, the faults armed for the current run, and the example's world."""

    stack: Stack
    waits: list[tuple[str, float, str]] = field(default_factory=list)
    at_start: list[Fault] = field(default_factory=list)
    at_ls: dict[int, list[Fault]] = field(default_factory=dict)
    at_insert: dict[int, list[Fault]] = field(default_factory=dict)
    armed: list[Fault] = field(default_factory=list)
    kills: set[int] = field(default_factory=set)
    killed: int = 0
    ls_calls: int = 0
    inserts: int = 0
    interval_end: dict[str, datetime] = field(default_factory=dict)
    world: World = field(default_factory=lambda: World(random.Random(0)))

    def arm(self, faults: list[Fault]) -> None:
        for fault in faults:
            if fault.kind == "kill":
                self.kills.add(fault.at)
            elif fault.at == 0:
                self.at_start.append(fault)
            elif fault.on_afas:
                self.at_insert.setdefault(fault.at, []).append(fault)
            else:
                self.at_ls.setdefault(fault.at, []).append(fault)

    def _arm(self, fault: Fault) -> None:
        admin = self.stack.afas_admin if fault.on_afas else self.stack.shop_admin
        admin("POST", "/faults", fault.body())
        self.armed.append(fault)

    def start(self) -> None:
        self.ls_calls = self.inserts = 0
        self.stack.shop_admin("POST", "/calls/reset")
        for fault in self.at_start:
            self._arm(fault)
        self.at_start = []

    def before_ls(self) -> None:
        self.ls_calls += 1
        for fault in self.at_ls.pop(self.ls_calls, []):
            self._arm(fault)

    def before_insert(self) -> bool:
        """Arm what waits for this insert; whether the worker dies once it is committed."""
        self.inserts += 1
        for fault in self.at_insert.pop(self.inserts, []):
            self._arm(fault)
        if self.inserts in self.kills:
            self.kills.discard(self.inserts)
            return True
        return False

    def served(self) -> Counter[str]:
        """Faults answered since they were armed, by kind label; then every fault is cleared."""
        shop = self.stack.shop_admin("POST", "/faults", {})["faults"]
        afas = self.stack.afas_admin("POST", "/faults", {})["faults"]
        rate_limited = int(self.stack.shop_admin("GET", "/calls")["rate_limited"])
        seen: Counter[str] = Counter()
        for fault in self.armed:
            if fault.kind in ("afas_503", "afas_maintenance"):
                seen[FAULTS[fault.kind]] += fault.count - int(afas["unavailable_count"])
            elif fault.kind.startswith("drop_"):
                seen[FAULTS[fault.kind]] += fault.count - int((afas["drop"] or {"count": 0})["count"])
            elif fault.kind == "ls_5xx":
                seen[FAULTS[fault.kind]] += fault.count - int(shop["status_5xx"])
            elif fault.kind == "ls_storm":
                seen[FAULTS[fault.kind]] += rate_limited
        seen[FAULTS["kill"]] += self.killed
        self.clear()
        return +seen

    def clear(self) -> None:
        self.stack.shop_admin("POST", "/faults", {"clear": True})
        self.stack.afas_admin("POST", "/faults", {"clear": True})
        if any(f.kind == "ls_storm" for f in self.armed):
            self.stack.shop_admin("POST", "/clock", {"advance_seconds": 600})  # past the spent window
        self.at_start, self.at_ls, self.at_insert, self.armed, self.kills = [], {}, {}, [], set()
        self.killed = 0


@dataclass
class Figures:
    """This module's figures, printed at its end (and added to the suite's tally)."""

    faults: Counter[str] = field(default_factory=Counter)
    runs: Counter[str] = field(default_factory=Counter)
    checks: Counter[str] = field(default_factory=Counter)

    def render(self) -> str:
        from lightspeed_afas.tables import text_table

        rows = [("faults injected", kind, str(n)) for kind, n in sorted(self.faults.items())]
        for kind in sorted(k for k in self.runs if not k.endswith(", survived")):
            survived = self.runs.get(f"{kind}, survived")
            rows.append(("runs" if survived is None else "runs survived", kind,
                         str(self.runs[kind]) if survived is None else f"{survived} / {self.runs[kind]}"))  # fmt: skip
        rows += [("books", kind, str(self.checks.get(kind, 0))) for kind in CHECKS]
        title = (
            f"Customers and credit-notes flows under faults ({EXAMPLES} seeded fault plans + single faults)"
        )
        return title + "\n" + text_table(("section", "what", "figure"), rows)


CHECKS = (
    "record scenarios checked",
    "customers checked",
    "customer relations created",
    "customer e-mails with two AFAS relations",
    "customers without exactly one relation (or the ledger's debtor not it)",
    "customers AFAS cannot have, recorded failed with a reason",
    "credit notes booked",
    "credit notes booked twice",
    "credit notes lost",
    "credits not minus the credit note's priceIncl to the cent",
    "credit notes waiting for their order, with a reason",
)

_FIGURES = Figures()


@pytest.fixture(scope="module")
def figures(request: pytest.FixtureRequest) -> Any:
    yield _FIGURES
    if not (_FIGURES.runs or _FIGURES.checks):
        return
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled() if capture is not None else contextlib.nullcontext():
        print("\n\n" + _FIGURES.render(), flush=True)


@pytest.fixture(scope="module")
def record_env(airflow_db, tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        # One API key all module long: only the injected faults give 429s.
        shop = LightspeedConfig(orders=0, rate_limits=(10**6, 10**6, 10**6))
        with running_stack(tmp_path_factory.mktemp("record-faults"), mp, shop=shop) as stack:
            stack.tenant(customers={"schedule": "*/15 * * * *", "include": "new_and_changed"},
                         credit_notes={"schedule": "*/15 * * * *"})  # fmt: skip
            env = RecordEnv(stack)

            def wait(hook: ApiHook, seconds: float, reason: str) -> None:
                if seconds > 0:
                    hook.stats.record_wait(hook.api_name, seconds)
                    env.waits.append((hook.api_name, seconds, reason))

            call_json = LightspeedEcomHook.call_json

            def ls_call(hook: LightspeedEcomHook, *args: Any, **kwargs: Any) -> Any:
                env.before_ls()
                return call_json(hook, *args, **kwargs)

            insert = AfasProfitHook.insert

            def afas_insert(hook: AfasProfitHook, connector: str, payload: dict[str, Any]) -> dict[str, Any]:
                dies = env.before_insert()
                keys = insert(hook, connector, payload)
                if dies:
                    env.killed += 1
                    raise WorkerKilled(f"the worker died after {connector} was committed")
                return keys

            mp.setattr(ApiHook, "wait", wait)
            mp.setattr(LightspeedEcomHook, "call_json", ls_call)
            mp.setattr(AfasProfitHook, "insert", afas_insert)
            yield env


# -- the shop, AFAS, and what the books must say ------------------------------------------------------


def ago(minutes: float) -> str:
    return stamp(datetime.now(UTC) - timedelta(minutes=minutes))


def fresh_world(env: RecordEnv, shop_seed: int) -> World:
    """Both emulators fresh, a fresh ledger; five orders booked by the orders flow, one not; the
    customers and credit notes described in the module."""
    stack = env.stack
    env.clear()
    env.waits.clear()
    env.interval_end.clear()
    stack.reset(orders=0)
    world = env.world = World(random.Random(f"record-faults:{shop_seed}"))
    rng = world.rng
    for customer in stack.shop_admin("GET", "/state")["customers"]:  # the shop's own pool: in no window
        stack.shop_admin("PUT", f"/customers/{customer['id']}",
                         {"createdAt": "2025-06-01T10:00:00+02:00", "updatedAt": "2025-06-01T10:00:00+02:00"})  # fmt: skip
    tag = f"s{shop_seed}"
    buyer = f"koper.{tag}-0@example.org"
    specs = [order_spec(rng, f"koper.{tag}-{i}@example.org", f"Koper{i}") for i in range(5)]
    made = stack.shop_admin("POST", "/orders", {"orders": specs})["orders"]
    booked = stack.run()
    assert booked.state == "success", booked.error_text
    late = stack.shop_admin(
        "POST", "/orders", {"orders": [order_spec(rng, f"laat.{tag}@example.org", "Laat")]}
    )
    world.unbooked = {late["orders"][0]["number"]}
    world.orders = {o["number"]: o for o in stack.shop_orders()}
    assert {o["number"] for o in made} | world.unbooked == set(world.orders)
    known = [f"bekend.{tag}-{k}@example.nl" for k in range(2)]
    stack.afas_admin("POST", "/debtors", {"debtors": [{"name": f"Bekend {k}", "email": e.upper()}
                                                      for k, e in enumerate(known)]})  # fmt: skip
    world.known = set(known) | {buyer}
    pair = f"dubbel.{tag}@example.nl"
    company = {"name": f"Koffiebar {tag} B.V.", "vat": "NL001234567B01", "coc": "12345678"}
    for email, extra in [
        (f"klant.{tag}-0@example.nl", {}),
        (f"klant.{tag}-1@example.be", {"country": "be", "zipcode": "2000", "city": "Antwerpen"}),
        (f"klant.{tag}-2@example.nl", {}),
        (f"inkoop.{tag}@example.nl", {"company": company}),
        (f" {known[0].capitalize()} ", {}),
        (known[1], {}),
        (pair, {}),
        (pair.upper(), {}),
        (buyer.capitalize(), {}),
        (
            f"klant.{tag}-3@example.nl",
            {"company": {"name": f"Bakkerij {tag}", "vat": "NL009876543B01", "coc": "87654321"}},
        ),
    ]:
        register(env, email, **extra)
    world.invalid = {register(env, f"ver.{tag}@example.nl", country="zz")}
    for _ in range(rng.randint(3, 5)):
        refund(env)
    refund(env, min(world.unbooked))
    return world


def order_spec(rng: random.Random, email: str, lastname: str) -> dict[str, Any]:
    lines = [
        {**line, "quantityOrdered": rng.randint(1, 3)}
        for line in rng.sample([MUG, COFFEE], rng.randint(1, 2))
    ]
    at = ago(40)
    return {"email": email, "lastname": lastname, "lines": lines, "shipping": rng.choice(("0", "4.95", "6.95")),
            "payment_fee": rng.choice(("0", "0.35")), "paymentStatus": "paid", "createdAt": at, "updatedAt": at}  # fmt: skip


def register(env: RecordEnv, email: str, **extra: Any) -> int:
    """A customer registers (a few minutes ago); returns their shop id."""
    world = env.world
    world.serial += 1
    at = ago(30 - world.serial * 0.1)
    spec = {"email": email, "firstname": "Fleur", "lastname": f"Klant {world.serial}", "street": "Dorpsstraat",
            "number": str(world.serial), "zipcode": "1234 AB", "city": "Utrecht", "country": "nl",
            "created_at": at, "updatedAt": at, **extra}  # fmt: skip
    customer_id = env.stack.shop_admin("POST", "/customers", spec)["customer"]["id"]
    world.customers[customer_id] = email
    return customer_id


def refund(env: RecordEnv, number: str | None = None) -> bool:
    """A credit note for order ``number`` (else a booked order drawn) by a plan drawn: a unit of a line,
    the shipping only, or the rest of the order with its costs; False when nothing was left to credit."""
    world, rng = env.world, env.world.rng
    number = number or rng.choice(sorted(set(world.orders) - world.unbooked))
    order = world.orders[number]
    lines = [
        ln
        for ln in order["products"]["resource"]["embedded"]
        if ln["quantityOrdered"] > world.refunded[ln["id"]]
    ]
    shipping = (
        Decimal(str(order["shipmentPriceIncl"])) > 0 and (number, "shipping") not in world.costs_credited
    )
    payment = Decimal(str(order["paymentPriceIncl"])) > 0 and (number, "payment") not in world.costs_credited
    plan = rng.choice(("unit", "unit", "shipping", "rest"))
    body: dict[str, Any] = {"creditShipment": False, "creditPayment": False, "orderProducts": []}
    if plan == "shipping" and shipping:
        body["creditShipment"] = True
    elif plan == "rest" or not lines:
        body["orderProducts"] = [
            {"id": ln["id"], "quantity": ln["quantityOrdered"] - world.refunded[ln["id"]]} for ln in lines
        ]
        body["creditShipment"], body["creditPayment"] = shipping, payment
    else:
        body["orderProducts"] = [{"id": rng.choice(lines)["id"], "quantity": 1}]
    if not (body["orderProducts"] or body["creditShipment"] or body["creditPayment"]):
        return False
    note = env.stack.shop_admin("POST", f"/orders/{order['id']}/credit", {"credit": body})["credit"]
    env.stack.shop_admin("PUT", f"/invoices/{note['id']}", {"updatedAt": ago(25)})
    for item in body["orderProducts"]:
        world.refunded[item["id"]] += item["quantity"]
    if body["creditShipment"]:
        world.costs_credited.add((number, "shipping"))
    if body["creditPayment"]:
        world.costs_credited.add((number, "payment"))
    world.notes[note["id"]] = Decimal(str(note["priceIncl"]))
    return True


def change_shop(env: RecordEnv, flow: str, changes: int) -> None:
    """``changes`` changes between two runs of ``flow``: customers register, change their e-mail address
    or their address (customers); refunds are made (credit notes)."""
    world, rng = env.world, env.world.rng
    for _ in range(changes):
        if flow == "credit_notes":
            refund(env)
            continue
        kind = rng.choice(("register", "email", "address"))
        if kind == "register":
            register(env, f"nieuw.{world.serial}.{rng.randint(0, 10**6)}@example.nl")
            continue
        customer_id = rng.choice(sorted(set(world.customers) - world.invalid))
        at = world.change_time()
        if kind == "email":
            email = f"ander.{world.serial}.{customer_id}@example.nl"
            world.serial += 1
            env.stack.shop_admin("PUT", f"/customers/{customer_id}", {"email": email, "updatedAt": at})
            world.customers[customer_id] = email
        else:
            env.stack.shop_admin(
                "PUT", f"/customers/{customer_id}", {"street": "Nieuwe Gracht", "updatedAt": at}
            )


def afas_relations(stack: Stack) -> dict[str, list[str]]:
    """AFAS's debtors by normalised e-mail (their contact's ``EmAd``)."""
    state = stack.afas_state()
    email_of = {c["bcco"]: norm(str(c["fields"].get("EmAd") or "")) for c in state["contacts"]}
    out: dict[str, list[str]] = {}
    for debtor in state["debtors"]:
        email = email_of.get(debtor["bcco"], "")
        if email:
            out.setdefault(email, []).append(str(debtor["debtor_id"]))
    return out


def afas_credits(stack: Stack) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for doc in stack.afas_state()["orders"]:
        reference = str(doc["fields"].get("RfCs") or "")
        if reference.startswith("INV"):
            out.setdefault(reference, []).append(doc)
    return out


@dataclass
class Books:
    customers: int = 0
    relations_created: int = 0
    duplicates: list[str] = field(default_factory=list)
    without_one: list[str] = field(default_factory=list)
    refused_with_reason: int = 0
    booked: int = 0
    twice: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    off: list[str] = field(default_factory=list)
    waiting: int = 0

    @property
    def problems(self) -> list[str]:
        return self.duplicates + self.without_one + self.twice + self.lost + self.off


def record_books(env: RecordEnv) -> Books:
    stack, world = env.stack, env.world
    books = Books()
    relations = afas_relations(stack)
    books.duplicates = [f"{e}: debtors {d}" for e, d in relations.items() if len(d) > 1]
    mine = {norm(e) for e in world.customers.values()}
    books.relations_created = sum(len(relations.get(e, [])) for e in mine - world.known)
    states = stack.ledger.item_states(TENANT, "customers", list(world.customers))
    for customer_id, email in world.customers.items():
        books.customers += 1
        found, state = relations.get(norm(email), []), states.get(customer_id)
        if customer_id in world.invalid:
            if found or state is None or state.status not in ("failed", "quarantined") or not state.reason:
                books.without_one.append(
                    f"customer {customer_id} (no AFAS country): relations {found}, {state}"
                )
            else:
                books.refused_with_reason += 1
        elif len(found) != 1 or state is None or state.status not in DONE or state.debtor_id != found[0]:
            ledger = state and (state.status, state.debtor_id, state.reason)
            books.without_one.append(f"customer {customer_id} {email!r}: AFAS {found}, the ledger {ledger}")
    docs = afas_credits(stack)
    shop_notes = {i["id"]: i for i in stack.shop_admin("GET", "/state")["invoices"] if i["isCreditNote"]}
    assert set(shop_notes) == set(world.notes)
    notes = stack.ledger.item_states(TENANT, "credit_notes", list(world.notes))
    for note_id, price in world.notes.items():
        number, state = shop_notes[note_id]["number"], notes.get(note_id)
        booked = docs.get(number, [])
        order = shop_notes[note_id]["order"]["resource"]["id"]
        waits = any(o["id"] == order for n, o in world.orders.items() if n in world.unbooked)
        if len(booked) > 1:
            books.twice.append(f"{number}: {len(booked)} AFAS credits")
        if waits:
            if booked or state is None or state.status != "waiting" or not state.reason:
                books.lost.append(f"{number} (its order not in AFAS): AFAS {len(booked)}, the ledger {state}")
            else:
                books.waiting += 1
            continue
        if not booked or state is None or state.status not in DONE:
            books.lost.append(
                f"{number}: AFAS {len(booked)}, the ledger {state and (state.status, state.reason)}"
            )
            continue
        books.booked += 1
        total = Decimal(str(booked[0]["totals"]["TotalAmount"]))
        if total != -price:
            books.off.append(f"{number}: AFAS total {total}, the credit note {price}")
    return books


def tally_books(tally: Any, figures: Figures, books: Books, scenario: str) -> None:
    values = dict(zip(CHECKS, (1, books.customers, books.relations_created, len(books.duplicates),
                               len(books.without_one), books.refused_with_reason, books.booked, len(books.twice),
                               len(books.lost), len(books.off), books.waiting), strict=True))  # fmt: skip
    for counter in (tally.checks, figures.checks):
        counter.update(values)
    tally.scenarios.append(scenario)


# -- running the flows ---------------------------------------------------------------------------------


@dataclass
class FlowRun:
    flow: str
    run_id: str
    state: str = "running"  # success (or ok) | partial | refused (records AFAS refused) | failed | killed
    summary: dict[str, Any] | None = None
    failures: list[tuple[str, BaseException]] = field(default_factory=list)
    tries: Counter[str] = field(default_factory=Counter)

    @property
    def error_text(self) -> str:
        return "; ".join(f"{step}: {type(e).__name__}: {e}" for step, e in self.failures)


def flow_settings(flow: str) -> Any:
    from lightspeed_afas.config import clear_cache, load_mapping, load_tenant

    clear_cache()
    tenant = load_tenant(TENANT)
    mapping = load_mapping(tenant.mapping, tenant.mapping_overrides)
    if flow == "customers":
        from lightspeed_afas.flows.customers import customer_settings

        return customer_settings(tenant, mapping)
    from lightspeed_afas.flows.credit_notes import credit_note_settings

    return credit_note_settings(tenant, mapping)


def run_flow(env: RecordEnv, flow: str) -> FlowRun:
    """One scheduled DAG run of ``flow``: its data interval from the last run's end to now."""
    from lightspeed_afas.flows.request import RunMode, RunRequest
    from lightspeed_afas.orchestration.record_task import STEPS, RecordsRefusedError, execute_record_step

    stack = env.stack
    stack.clock.advance(SCHEDULE)
    env.start()
    end = datetime.now(UTC)
    start = env.interval_end.get(flow, end - SCHEDULE)
    request = RunRequest(f"scheduled__{flow}{next(_run_ids)}", RunMode.SCHEDULED, start, end)
    run = FlowRun(flow, request.run_id)
    settings_ = flow_settings(flow)
    upstream: dict[str, Any] = {}
    try:
        for step in STEPS[flow]:
            while True:
                run.tries[step] += 1
                try:
                    out = execute_record_step(flow, step, settings_, request, stack.ledger, upstream)
                    upstream[step] = json.loads(json.dumps(out))
                    break
                except RecordsRefusedError as exc:  # an AirflowFailException: no retry
                    run.failures.append((step, exc))
                    run.state = "refused"
                    return run
                except ExpectedTaskFailure as exc:
                    run.failures.append((step, exc))
                    run.state = "failed"
                    return run
                except WorkerKilled as exc:
                    run.failures.append((step, exc))
                    run.state = "killed"
                    return run
                except Exception as exc:  # Airflow retries the task
                    run.failures.append((step, exc))
                    if run.tries[step] >= TASK_TRIES:
                        run.state = "failed"
                        return run
        run.summary = upstream[LAST_STEP[flow]]
        run.state = run.summary["outcome"]
        return run
    finally:
        env.interval_end[flow] = end
        # The teardown (purge_staged_data) releases the lease and closes a row the last task did not.
        stack.ledger.release_lease(settings_.tenant, request.run_id)
        stack.ledger.close_unfinished_flow_run(settings_.tenant, flow, request.run_id, "the run ended early")


def refused_as_designed(env: RecordEnv, run: FlowRun, expected: set[int] | None = None) -> bool:
    """Every record this run recorded failed has a reason (and is one of ``expected``, when given)."""
    attempts = env.stack.ledger.item_attempts(TENANT, run.flow, run.run_id, limit=10_000)
    failed = [a for a in attempts if a["action"] in ("failed", "quarantined")]
    return (
        bool(failed)
        and all(a["reason"] for a in failed)
        and (expected is None or {a["item_id"] for a in failed} <= expected)
    )


def survived(env: RecordEnv, run: FlowRun) -> bool:
    """Ended as designed: success, partial (a 429: the budget), records refused with a reason (later runs try
    them again), or stopped by a typed unavailability after the task's tries (the next run goes on)."""
    if run.state in (*SUCCESS, "partial"):
        return True
    if run.state == "refused":
        return refused_as_designed(env, run)
    return run.state == "failed" and all(isinstance(e, TRANSIENT) for _, e in run.failures)


def faulted_run(
    env: RecordEnv, tally: Any, figures: Figures, flow: str, faults: list[Fault], scenario: str
) -> FlowRun:
    """One DAG run of ``flow`` with ``faults`` armed (run again, whole, after a killed task); what the
    faults did is tallied, and the run must end as designed (a run without faults is not counted)."""
    env.arm(faults)
    run = run_flow(env, flow)
    while run.state == "killed":
        count(tally, figures, f"{NAME[flow]}: a task killed mid-run, the DAG run again")
        run = run_flow(env, flow)
    served = env.served()
    for counter in (tally.faults, figures.faults):
        counter.update(served)
    assert survived(env, run), f"{scenario}: the {NAME[flow]} run ended {run.state}: {run.error_text}"
    if faults:
        count(tally, figures, f"{NAME[flow]}: under faults")
        count(tally, figures, f"{NAME[flow]}: under faults, survived")
    return run


def clean_runs(env: RecordEnv, tally: Any, figures: Figures, scenario: str) -> None:
    """Runs of each flow without faults until one ends as designed with nothing left to do."""
    for flow in FLOWS:
        for _ in range(CLEAN_RUNS):
            run = run_flow(env, flow)
            count(tally, figures, f"{NAME[flow]}: clean, after faults")
            if run.state in SUCCESS or (
                run.state == "refused" and refused_as_designed(env, run, env.world.invalid)
            ):
                count(tally, figures, f"{NAME[flow]}: clean, after faults, survived")
                break
        else:
            raise AssertionError(
                f"{scenario}: no clean {NAME[flow]} run ended as designed: {run.state} {run.error_text}"
            )


def count(tally: Any, figures: Figures, key: str) -> None:
    tally.runs[key] += 1
    figures.runs[key] += 1


def books_right(env: RecordEnv, tally: Any, figures: Figures, scenario: str) -> Books:
    books = record_books(env)
    tally_books(tally, figures, books, scenario)
    assert books.problems == [], f"{scenario}: {books.problems}"
    return books


# -- seeded fault plans ---------------------------------------------------------------------------------

KINDS = {
    "customers": ("drop_relation",) * 3
    + ("afas_503", "afas_maintenance", "ls_5xx", "ls_storm", "kill", "kill"),
    "credit_notes": ("drop_credit",) * 3
    + ("afas_503", "afas_maintenance", "ls_5xx", "ls_storm", "kill", "kill"),
}


@st.composite
def fault(draw: st.DrawFn, flow: str) -> Fault:
    kind = draw(st.sampled_from(KINDS[flow]))
    if kind == "drop_relation":
        connector = draw(st.sampled_from(("KnSalesRelationPer", "KnSalesRelationOrg")))
        return Fault(kind, draw(st.integers(0, 4)), draw(st.integers(1, 3)), connector)
    if kind == "drop_credit":
        return Fault(kind, draw(st.integers(0, 4)), draw(st.integers(1, 3)), "FbSales")
    if kind == "afas_503":
        return Fault(kind, draw(st.integers(0, 4)), draw(st.integers(1, 2 * HOOK_TRIES)))
    if kind == "afas_maintenance":
        return Fault(kind, draw(st.integers(0, 4)), draw(st.integers(1, TASK_TRIES)))
    if kind == "kill":
        return Fault(kind, draw(st.integers(1, 4)), 1)
    at = draw(st.integers(0, 2 if flow == "customers" else 8))  # customers: a page or two of reads
    if kind == "ls_storm":
        return Fault(kind, at, 1)  # from the at-th call on, every call is answered 429
    many = st.one_of(st.integers(1, HOOK_TRIES - 1), st.integers(HOOK_TRIES, TASK_TRIES * HOOK_TRIES + 1))
    return Fault(kind, at, draw(many))


def faults_of(flow: str, least: int) -> st.SearchStrategy[list[Fault]]:
    return st.lists(fault(flow), min_size=least, max_size=3, unique_by=lambda f: GROUP[f.kind])


# A round: the shop changes, then a customers run and a credit-notes run, each with its faults (at least
# one fault in the round).
one_round = st.one_of(
    st.tuples(st.integers(0, 2), faults_of("customers", 1), faults_of("credit_notes", 0)),
    st.tuples(st.integers(0, 2), faults_of("customers", 0), faults_of("credit_notes", 1)),
)
rounds = st.lists(one_round, min_size=1, max_size=4)


@pytest.mark.timeout(max(600, 15 * EXAMPLES))
@seed(SEED)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=False,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
@given(shop_seed=st.integers(0, 10**6), plan=rounds)
def test_seeded_fault_plans_make_no_relation_or_credit_twice_and_lose_none(
    record_env, tally, figures, shop_seed, plan
):
    env = record_env
    fresh_world(env, shop_seed)
    scenario = f"seed {shop_seed}: " + " | ".join(
        f"{changes} changed; "
        + "; ".join(
            f"{flow}: " + (", ".join(f"{f.kind}×{f.count}@{f.at}" for f in faults) or "-")
            for flow, faults in zip(FLOWS, per_flow, strict=True)
        )
        for changes, *per_flow in plan
    )
    for changes, *per_flow in plan:
        for flow, faults in zip(FLOWS, per_flow, strict=True):
            change_shop(env, flow, changes)
            faulted_run(env, tally, figures, flow, faults, scenario)
    clean_runs(env, tally, figures, scenario)
    books_right(env, tally, figures, "customers and credit notes under seeded faults")


# -- one fault at a time --------------------------------------------------------------------------------


def relation_inserts(env: RecordEnv) -> Counter[str]:
    calls = env.stack.afas_admin("GET", "/calls")["calls"]
    return Counter({k: v for k, v in calls.items() if k.startswith("POST /connectors/KnSalesRelation")})


@pytest.mark.parametrize("connector", ["KnSalesRelationPer", "KnSalesRelationOrg"])
def test_every_relation_insert_answer_lost_is_found_by_email_and_made_once(
    record_env, tally, figures, connector
):
    env = record_env
    fresh_world(env, 11)
    env.stack.afas_admin("POST", "/calls/reset")
    run = faulted_run(
        env,
        tally,
        figures,
        "customers",
        [Fault("drop_relation", 0, 20, connector)],
        f"every {connector} answer lost",
    )
    assert run.state == "refused" and refused_as_designed(env, run, env.world.invalid), run.error_text
    inserts = relation_inserts(env)
    # Persons: 3 new, the pair (one e-mail), and the one AFAS cannot have (refused before any insert);
    # organisations: the two companies. Each inserted once, its answer lost or not.
    assert inserts == {"POST /connectors/KnSalesRelationPer": 4, "POST /connectors/KnSalesRelationOrg": 2}
    states = {s.item_id: s.status for s in env.stack.ledger.items(TENANT, "customers", limit=100)}
    assert Counter(states.values()) == {"created": 7, "linked": 3, "failed": 1}
    clean_runs(env, tally, figures, f"every {connector} answer lost")
    books_right(env, tally, figures, f"every {connector} answer lost")


def test_every_credit_insert_answer_lost_is_found_by_reference_and_booked_once(record_env, tally, figures):
    env = record_env
    world = fresh_world(env, 12)
    env.stack.afas_admin("POST", "/calls/reset")
    run = faulted_run(
        env,
        tally,
        figures,
        "credit_notes",
        [Fault("drop_credit", 0, 20, "FbSales")],
        "every credit answer lost",
    )
    assert run.state in SUCCESS, run.error_text
    bookable = len(world.notes) - 1  # the one of the unbooked order waits
    assert env.stack.afas_admin("GET", "/calls")["calls"]["POST /connectors/FbSales"] == bookable
    reasons = [s.reason for s in env.stack.ledger.items(TENANT, "credit_notes") if s.status == "created"]
    assert len(reasons) == bookable and all("found by reference" in r for r in reasons)
    clean_runs(env, tally, figures, "every credit answer lost")
    books_right(env, tally, figures, "every credit answer lost")


@pytest.mark.parametrize("flow", FLOWS)
def test_a_task_killed_after_a_committed_insert_and_its_dag_run_again_makes_nothing_twice(
    record_env, tally, figures, flow
):
    env = record_env
    fresh_world(env, 13)
    env.arm([Fault("kill", 2, 1)])
    first = run_flow(env, flow)
    assert first.state == "killed" and env.killed == 1
    assert env.stack.ledger.flow_runs(TENANT, flow)[0]["outcome"] != "running"  # the teardown closed it
    served = env.served()
    for counter in (tally.faults, figures.faults):
        counter.update(served)
    again = run_flow(env, flow)
    assert again.state in (*SUCCESS, "refused"), again.error_text
    attempts = env.stack.ledger.item_attempts(TENANT, flow, again.run_id, limit=100)
    assert sum(a["action"] == "linked" for a in attempts) >= 1  # what the killed try committed, found
    count(tally, figures, f"{NAME[flow]}: a task killed mid-run, the DAG run again")
    clean_runs(env, tally, figures, f"{flow}: killed after the 2nd insert")
    books_right(env, tally, figures, f"{flow}: killed after the 2nd insert")


@pytest.mark.parametrize("flow", FLOWS)
def test_afas_maintenance_beyond_every_try_fails_the_run_and_the_next_one_finishes(
    record_env, tally, figures, flow
):
    env = record_env
    fresh_world(env, 14)
    # Before the 2nd relation insert, or the 1st credit insert (load inserts in parallel: every call from
    # then on is answered 503, however many are in flight).
    maintenance = Fault("afas_maintenance", 2 if flow == "customers" else 1, 100)
    run = faulted_run(env, tally, figures, flow, [maintenance], "AFAS maintenance, every try")
    assert run.state == "failed" and run.tries[LAST_STEP[flow]] == TASK_TRIES, run.error_text
    assert [w for w in env.waits if w[0] == "afas"] == []  # 30 minutes is beyond the hook's wait: no waiting
    clean_runs(env, tally, figures, f"{flow}: AFAS maintenance, every try")
    books_right(env, tally, figures, f"{flow}: AFAS maintenance, every try")


@pytest.mark.parametrize("flow", FLOWS)
def test_a_429_storm_on_the_reads_ends_the_run_partial_and_the_next_run_finishes(
    record_env, tally, figures, flow
):
    env = record_env
    fresh_world(env, 15)
    at = 2 if flow == "credit_notes" else 1  # credit notes: after the invoice page, among the items
    run = faulted_run(env, tally, figures, flow, [Fault("ls_storm", at, 1)], "429 storm on the reads")
    assert run.state == "partial" and "budget" in (run.summary or {}).get("stopped_because", ""), (
        run.error_text
    )
    assert env.stack.ledger.flow_state(TENANT, flow) == {}, "a partial read moves no cursor"
    clean_runs(env, tally, figures, f"{flow}: 429 storm")
    books_right(env, tally, figures, f"{flow}: 429 storm")


@pytest.mark.parametrize(("count_", "extract_tries", "state"), [
    (HOOK_TRIES - 1, 1, "success"),  # the hook retries
    (HOOK_TRIES + 2, 2, "success"),  # the task fails once; its retry finishes
    (TASK_TRIES * HOOK_TRIES + 1, TASK_TRIES, "failed"),  # the run stops; the next one finishes
])  # fmt: skip
def test_lightspeed_5xx_on_the_credit_note_reads_is_retried_and_books_each_once(
    record_env, tally, figures, count_, extract_tries, state
):
    env = record_env
    fresh_world(env, 16)
    run = faulted_run(env, tally, figures, "credit_notes", [Fault("ls_5xx", 2, count_)], f"5xx ×{count_}")
    ended = "success" if run.state in SUCCESS else run.state
    assert (ended, run.tries["extract_credit_notes"]) == (state, extract_tries), run.error_text
    clean_runs(env, tally, figures, f"credit notes: 5xx ×{count_}")
    books_right(env, tally, figures, f"credit notes: 5xx ×{count_}")
