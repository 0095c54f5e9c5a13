"""The record benchmarks' pieces (``bench_records``): registered customers and credit notes in the shop,
what AFAS holds for them, the floor of a run, and one measured run of the customers flow
(extract_customers → resolve_relations) or the credit-notes flow (extract_credit_notes → transform →
load_to_afas), each step through ``orchestration.record_task.execute_record_step`` in this process with
its XCom value through JSON, as Airflow would carry it.

The two flows read the shop's clock as the wall clock (a window ends at the real now), so the data is
dated in the past instead of the clocks being moved: the records of a sync were made three to six hours
before it, past the 120-minute overlap, so the next run is a quiet run in steady state.

The floors follow the flows' rules with the data in the emulators just before each run:

- Lightspeed: the list pages of what the window reaches, ``max(1, ceil(rows / 250))`` — the customers
  changed in [cursor − overlap, now] (the first run: from the tenant's ``start_date`` − overlap), or the
  invoices of that window (the list mixes invoices and credit notes: the shop's ``isCreditNote`` filter is
  not relied on); per credit note to book its items (1 call: fewer than 250 lines) and, when the ledger
  has not booked its order, that order once (its number);
- AFAS, customers: the e-mails to resolve looked up in one OR-filter call per batch as the hook cuts them
  (AFAS's URL limit: ``bench_calls.lookup_batches``), one insert per e-mail AFAS has no relation for;
- AFAS, credit notes: the order numbers the ledger has no debtor for looked up by reference in batches
  (transform), the credit note numbers looked up by reference in batches (load, under the lease), one
  insert per credit.
"""

from __future__ import annotations

import json
import math
import random
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import yaml

from bench import common
from bench.bench_calls import api_calls, lookup_batches

PAGE = 250
OLD = "2025-06-01T10:00:00+02:00"  # before the bench tenant's start_date: in no window
FIRST_NAMES = ("Fleur", "Daan", "Sanne", "Bram", "Noor", "Pieter", "Anouk", "Jürgen", "Zoë", "Émilie")
LAST_NAMES = ("de Vries", "Jansen", "Bakker", "Visser", "Claes", "van den Berg", "Groß", "El Amrani")
PLACES = (("Kerkstraat", "Amsterdam", "1017 GC", "nl"), ("Oudegracht", "Utrecht", "3511 AB", "nl"),
          ("Meir", "Antwerpen", "2000", "be"), ("Königsallee", "Düsseldorf", "40212", "de"))  # fmt: skip
CUSTOMER_LS = {"pages": "GET /{lang}/customers.json", "by_id": "GET /{lang}/customers/{id}.json"}
CREDIT_LS = {
    "pages": "GET /{lang}/invoices.json",
    "items": "GET /{lang}/invoices/{id}/items.json",
    "orders": "GET /{lang}/orders/{id}.json",
    "invoice": "GET /{lang}/invoices/{id}.json",
}
RELATION_INSERTS = ("POST /connectors/KnSalesRelationPer", "POST /connectors/KnSalesRelationOrg")


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def moment(value: str) -> datetime:
    return datetime.fromisoformat(value)


def norm(email: str) -> str:
    return email.strip().lower()


# -- the tenant and the runs ---------------------------------------------------------------------------


def write_tenant(stack: common.Stack, include: str = "new") -> None:
    """The bench tenant with a ``customers:`` (``include``) and a ``credit_notes:`` block (defaults)."""
    tenant = {**common.TENANT, "customers": {"include": include}, "credit_notes": {}}
    path = stack.include / "tenants" / f"{common.TENANT_ID}.yaml"
    path.write_text(yaml.safe_dump(tenant), encoding="utf-8")


def record_settings(flow: str) -> Any:
    from lightspeed_afas.config import clear_cache, load_mapping, load_tenant

    clear_cache()
    tenant = load_tenant(common.TENANT_ID)
    mapping = load_mapping(tenant.mapping, tenant.mapping_overrides)
    if flow == "customers":
        from lightspeed_afas.flows.customers import customer_settings

        return customer_settings(tenant, mapping)
    from lightspeed_afas.flows.credit_notes import credit_note_settings

    return credit_note_settings(tenant, mapping)


def run_record_flow(flow: str, ledger: Any, run_id: str, window: tuple[datetime, datetime]) -> dict[str, Any]:
    """One scheduled run of ``flow``'s steps in this process over ``window`` (its data interval); returns
    the run summary, or ``{"outcome": "failed", "error"}`` when AFAS refused records (the last task
    raises then, as it fails the run in Airflow)."""
    from lightspeed_afas.flows.request import RunMode, RunRequest
    from lightspeed_afas.orchestration.record_task import STEPS, RecordsRefusedError, execute_record_step

    settings = record_settings(flow)
    request = RunRequest(run_id, RunMode.SCHEDULED, window[0], window[1])
    upstream: dict[str, Any] = {}
    try:
        for step in STEPS[flow]:
            out = execute_record_step(flow, step, settings, request, ledger, upstream)
            upstream[step] = json.loads(json.dumps(out))
    except RecordsRefusedError as exc:
        return {"outcome": "failed", "error": str(exc), "counts": {}}
    return upstream[STEPS[flow][-1]]


# -- customers -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """A registered customer of the benchmark; ``known`` as AFAS already has a relation for the e-mail
    (typed as ``afas_email``)."""

    index: int
    email: str
    first: str
    last: str
    place: tuple[str, str, str, str]
    house: str
    company: dict[str, str] | None
    known: bool
    afas_email: str
    at: str

    def spec(self) -> dict[str, Any]:
        street, city, zipcode, country = self.place
        spec: dict[str, Any] = {"email": self.email, "firstname": self.first, "lastname": self.last,
                                "street": street, "number": self.house, "zipcode": zipcode, "city": city,
                                "country": country, "created_at": self.at, "updatedAt": self.at}  # fmt: skip
        if self.company:
            spec["company"] = self.company
        return spec


def people(count: int, known: float, companies: float, before: datetime, seed: str = "bench") -> list[Person]:
    """``count`` customers who registered between six and three hours ``before``; a share ``known``
    already has an AFAS relation (its e-mail typed there in another case), a share ``companies``
    registered as a company."""
    rng = random.Random(f"bench-records:customers:{seed}:{count}")
    out = []
    for i in range(count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        email = (
            f"klant{i:05d}.{rng.choice(('post', 'info', 'mail'))}@example.{rng.choice(('nl', 'be', 'de'))}"
        )
        company = None
        if rng.random() < companies:
            company = {
                "name": f"{last} Koffie B.V. {i}",
                "vat": f"NL{800000000 + i:09d}B01",
                "coc": f"{i:08d}",
            }
        is_known = rng.random() < known
        typed = email.upper() if rng.random() < 0.5 else email.capitalize()
        at = before - timedelta(hours=6) + timedelta(seconds=rng.randint(0, 3 * 3600))
        out.append(Person(i, email, first, last, rng.choice(PLACES), str(rng.randint(1, 250)), company,
                          is_known, typed, stamp(at)))  # fmt: skip
    return out


def seed_customers(stack: common.Stack, persons: list[Person]) -> dict[int, Person]:
    """The emulator's own customer pool moved out of every window, the known e-mails' relations in
    AFAS, and ``persons`` registered in the shop; returns them by their shop id."""
    for customer in stack.shop("GET", "/state")["customers"]:
        stack.shop("PUT", f"/customers/{customer['id']}", {"createdAt": OLD, "updatedAt": OLD})
    debtors = [
        {"kind": "organisation" if p.company else "person", "name": p.company["name"] if p.company else p.last,
         "email": p.afas_email, "created": "2025-03-01T10:00:00+01:00"}
        for p in persons if p.known
    ]  # fmt: skip
    for start in range(0, len(debtors), 1000):
        stack.afas("POST", "/debtors", {"debtors": debtors[start : start + 1000]})
    return {stack.shop("POST", "/customers", p.spec())["customer"]["id"]: p for p in persons}


def change_customers(
    stack: common.Stack, customers: dict[int, Person], count: int, at: datetime
) -> tuple[list[int], list[int]]:
    """``count`` customers change, spread over them: half a new e-mail address (a new relation, the old
    one stays; ``customers`` follows), half their address only. Returns (new e-mails, new addresses) by
    customer id."""
    ids = sorted(customers)
    step = max(1, len(ids) // max(1, count))
    chosen = ids[::step][:count]
    emails, addresses = chosen[: (count + 1) // 2], chosen[(count + 1) // 2 :]
    for cid in emails:
        customers[cid] = replace(customers[cid], email=f"nieuw.{customers[cid].email}")
        stack.shop("PUT", f"/customers/{cid}", {"email": customers[cid].email, "updatedAt": stamp(at)})
    for cid in addresses:
        stack.shop(
            "PUT", f"/customers/{cid}", {"street": "Nieuwe Gracht", "number": "7", "updatedAt": stamp(at)}
        )
    return emails, addresses


def afas_relations(stack: common.Stack) -> dict[str, list[str]]:
    """AFAS's debtors by normalised e-mail (the contact's ``EmAd``), from the emulator's state."""
    state = stack.afas("GET", "/state")
    email_of = {c["bcco"]: norm(str(c["fields"].get("EmAd") or "")) for c in state["contacts"]}
    out: dict[str, list[str]] = {}
    for debtor in state["debtors"]:
        email = email_of.get(debtor["bcco"], "")
        if email:
            out.setdefault(email, []).append(str(debtor["debtor_id"]))
    return out


# -- credit notes --------------------------------------------------------------------------------------


@dataclass
class Orders:
    """The booked orders credit notes are made for: the shop's view of each, and which the ledger lacks."""

    by_number: dict[str, dict[str, Any]]
    outside_ledger: set[str]  # booked in AFAS by another ledger (before this one, or by hand)


def book_orders(stack: common.Stack, count: int, outside: float, ledger_url: str) -> Orders:
    """``count`` paid orders (the benchmarks' order mix: discounts, payment costs, shipping) in the shop
    and booked in AFAS by the orders flow: the first ``outside`` share by another ledger (this one has
    never seen them), the rest by this ledger."""
    from lightspeed_afas.ledger import Ledger

    mix = common.order_mix(count, "bench-records")
    stack.seed(mix)
    shop = stack.shop("GET", "/state")["orders"]
    ordered = sorted(shop, key=lambda o: o["updatedAt"])
    split_at = max(0, min(len(ordered) - 1, round(len(ordered) * outside)))
    split = moment(ordered[split_at]["updatedAt"]) - timedelta(seconds=1)
    other = stack.workdir / "other-ledger.db"
    other.unlink(missing_ok=True)
    common.run_in_process(f"sqlite:///{other}", "orders-before", (mix.window[0], split))
    common.run_in_process(ledger_url, "orders-1", (split, mix.window[1]))
    states = Ledger(ledger_url).order_states(common.TENANT_ID, [o["id"] for o in shop])
    by_reference = Counter(o["fields"]["RfCs"] for o in stack.afas("GET", "/state")["orders"])
    unbooked = [o["number"] for o in shop if by_reference[o["number"]] != 1]
    assert not unbooked, f"orders not booked once before the credit notes: {unbooked[:5]}"
    outside_ledger = {o["number"] for o in shop if o["id"] not in states}
    return Orders({o["number"]: o for o in shop}, outside_ledger)


@dataclass(frozen=True)
class Note:
    """A credit note as the shop made it."""

    id: int
    number: str
    order_number: str
    kind: str  # partial | shipping | first of two | second of two
    price_incl: Decimal


def credit(stack: common.Stack, order: dict[str, Any], body: dict[str, Any], kind: str) -> Note:
    note = stack.shop("POST", f"/orders/{order['id']}/credit", {"credit": body})["credit"]
    return Note(note["id"], note["number"], order["number"], kind, Decimal(str(note["priceIncl"])))


def make_credit_notes(stack: common.Stack, orders: Orders, count: int, seed: str = "bench") -> list[Note]:
    """``count`` credit notes over the orders, each order credited at most once by a plan drawn per order:
    a partial refund (one unit of one line), the shipping only, or two credit notes (one unit first,
    then the rest of the order with its shipping and payment costs)."""
    rng = random.Random(f"bench-records:credits:{seed}:{count}")
    notes: list[Note] = []
    numbers = sorted(orders.by_number)
    rng.shuffle(numbers)
    for number in numbers:
        if len(notes) >= count:
            break
        order = orders.by_number[number]
        lines = order["products"]["resource"]["embedded"]
        shipping = Decimal(str(order.get("shipmentPriceIncl") or 0)) > 0
        plan = rng.choices(("partial", "shipping", "two"), (4, 2, 4))[0]
        if plan == "shipping" and not shipping:
            plan = "partial"
        if plan == "two" and count - len(notes) < 2:
            plan = "partial"
        line = rng.choice(lines)
        one = {"creditShipment": False, "creditPayment": False,
               "orderProducts": [{"id": line["id"], "quantity": 1}]}  # fmt: skip
        if plan == "partial":
            notes.append(credit(stack, order, one, "partial"))
        elif plan == "shipping":
            body = {"creditShipment": True, "creditPayment": False, "orderProducts": []}
            notes.append(credit(stack, order, body, "shipping"))
        else:
            notes.append(credit(stack, order, one, "first of two"))
            rest = [
                {
                    "id": ln["id"],
                    "quantity": int(ln["quantityOrdered"]) - (1 if ln["id"] == line["id"] else 0),
                }
                for ln in lines
            ]
            rest = [r for r in rest if r["quantity"] > 0]
            body = {"creditShipment": shipping, "creditPayment": True, "orderProducts": rest}
            if rest or shipping:
                notes.append(credit(stack, order, body, "second of two"))
    assert len(notes) == count, f"only {len(notes)} credit notes for {len(numbers)} orders"
    return notes


def date_invoices(stack: common.Stack, before: datetime) -> int:
    """Every invoice and credit note dated between six and three hours ``before`` (made then); returns
    how many."""
    rng = random.Random("bench-records:invoice-times")
    invoices = stack.shop("GET", "/state")["invoices"]
    for invoice in invoices:
        at = before - timedelta(hours=6) + timedelta(seconds=rng.randint(0, 3 * 3600))
        stack.shop("PUT", f"/invoices/{invoice['id']}", {"updatedAt": stamp(at)})
    return len(invoices)


def afas_credits(stack: common.Stack) -> dict[str, list[dict[str, Any]]]:
    """AFAS's documents by reference, those whose reference is a credit note number (INV…)."""
    out: dict[str, list[dict[str, Any]]] = {}
    state = stack.afas("GET", "/state")
    for doc in state["orders"] + state["invoices"]:
        reference = str(doc["fields"].get("RfCs") or "")
        if reference.startswith("INV"):
            out.setdefault(reference, []).append(doc)
    return out


def doc_total(doc: dict[str, Any]) -> Decimal:
    """A booked document's total incl. VAT as AFAS computes it."""
    return Decimal(str(doc["totals"]["TotalAmount"]))


# -- the floor and one measured run ---------------------------------------------------------------------


@dataclass
class Floor:
    pages: int  # list pages the window needs
    reached: int  # rows the window reaches (customers, or invoices and credit notes)
    records: int  # customers to resolve, credit notes to book
    items: int = 0  # credit notes: items calls
    orders: int = 0  # credit notes: order look-ups (the ledger lacks the order)
    afas_lookups: int = 0  # batched look-ups
    afas_inserts: int = 0
    afas_parts: dict[str, int] = field(default_factory=dict)

    @property
    def ls(self) -> int:
        return self.pages + self.items + self.orders

    @property
    def afas(self) -> int:
        return self.afas_lookups + self.afas_inserts


@dataclass
class RecordRun:
    """One measured run: its calls by kind, its floor, its outcome and counts."""

    label: str
    flow: str
    outcome: str
    ls: dict[str, int]  # by kind (CUSTOMER_LS / CREDIT_LS keys, "other")
    afas: dict[str, int]  # by route
    floor: Floor
    counts: dict[str, int]
    seconds: float
    rate_limited: int
    window: list[str] | None
    error: str | None = None

    @property
    def ls_calls(self) -> int:
        return sum(self.ls.values())

    @property
    def afas_calls(self) -> int:
        return sum(self.afas.values())

    @property
    def afas_inserts(self) -> int:
        return sum(n for route, n in self.afas.items() if route.startswith("POST "))

    @property
    def afas_lookups(self) -> int:
        return sum(n for route, n in self.afas.items() if route.startswith("GET "))


@dataclass
class Bench:
    """One emulator stack, its ledger and where each flow's previous data interval ended."""

    stack: common.Stack
    ledger_url: str
    ledger: Any
    interval_end: dict[str, datetime] = field(default_factory=dict)
    runs: int = 0

    @classmethod
    def open(cls, stack: common.Stack, name: str) -> Bench:
        from lightspeed_afas.ledger import Ledger

        write_tenant(stack)
        url = stack.new_ledger(name)
        return cls(stack, url, Ledger(url))

    def window_start(self, flow: str, settings: Any) -> datetime:
        """Where the next run reads from: the cursor (else the tenant's start date) minus the overlap."""
        from lightspeed_afas.flows.record_flow import cursor_of

        return (cursor_of(self.ledger, settings.tenant, flow) or settings.start_date) - settings.overlap

    def customers_floor(self, to_resolve: set[str]) -> Floor:
        """``to_resolve``: the e-mails of the customers this run must resolve (independently known)."""
        settings = record_settings("customers")
        start = self.window_start("customers", settings)
        reached = sum(
            1 for c in self.stack.shop("GET", "/state")["customers"] if moment(c["updatedAt"]) >= start
        )
        known = afas_relations(self.stack)
        lk = settings.lookups
        lookups = lookup_batches(self.stack.afas_url, lk.debtor_connector, lk.debtor_email_field,
                                 [lk.debtor_id_field], sorted(to_resolve))  # fmt: skip
        inserts = sum(1 for e in to_resolve if e not in known)
        return Floor(max(1, math.ceil(reached / PAGE)), reached, len(to_resolve), afas_lookups=lookups,
                     afas_inserts=inserts, afas_parts={"e-mail look-ups": lookups, "relation inserts": inserts})  # fmt: skip

    def credit_floor(self) -> Floor:
        from lightspeed_afas.flows.orders.extract import BOOKED

        settings = record_settings("credit_notes")
        start = self.window_start("credit_notes", settings)
        invoices = self.stack.shop("GET", "/state")["invoices"]
        reached = [i for i in invoices if moment(i["updatedAt"]) >= start]
        booked = self.ledger.item_states(settings.tenant, "credit_notes", [i["id"] for i in reached])
        to_book = [
            i
            for i in reached
            if i["isCreditNote"]
            and (i["id"] not in booked or booked[i["id"]].status not in ("created", "linked"))
        ]
        order_ids = {int(i["order"]["resource"]["id"]) for i in to_book}
        states = self.ledger.order_states(settings.tenant, sorted(order_ids))
        lacking = {oid for oid in order_ids if oid not in states or not states[oid].order_number}
        no_debtor = {oid for oid in order_ids if oid in lacking or states[oid].status not in BOOKED}
        shop_orders = {o["id"]: o["number"] for o in self.stack.shop("GET", "/state")["orders"]}
        lk = settings.lookups
        transform = lookup_batches(self.stack.afas_url, lk.order_connector, lk.order_reference_field,
                                   [lk.order_number_field], sorted(shop_orders[o] for o in no_debtor))  # fmt: skip
        load = lookup_batches(self.stack.afas_url, lk.order_connector, lk.order_reference_field,
                              [lk.order_number_field], sorted(i["number"] for i in to_book))  # fmt: skip
        return Floor(max(1, math.ceil(len(reached) / PAGE)), len(reached), len(to_book), items=len(to_book),
                     orders=len(lacking), afas_lookups=transform + load, afas_inserts=len(to_book),
                     afas_parts={"order look-ups (transform)": transform, "note look-ups (load)": load,
                                 "inserts": len(to_book)})  # fmt: skip

    def measure(self, flow: str, label: str, floor: Floor) -> RecordRun:
        self.runs += 1
        end = datetime.now(UTC)
        start = self.interval_end.get(flow, end - timedelta(minutes=15))
        self.stack.reset_calls()
        started = time.perf_counter()
        out = run_record_flow(flow, self.ledger, f"scheduled__{flow}-{self.runs}", (start, end))
        seconds = time.perf_counter() - started
        self.interval_end[flow] = end
        shop, afas = self.stack.calls()
        ls_routes = api_calls(shop)
        kinds = CUSTOMER_LS if flow == "customers" else CREDIT_LS
        ls = {kind: ls_routes.pop(route, 0) for kind, route in kinds.items()}
        ls["other"] = sum(ls_routes.values())
        return RecordRun(label, flow, out.get("outcome", "?"), ls, api_calls(afas), floor, out.get("counts") or {},
                         seconds, int(shop["rate_limited"]), out.get("window"), out.get("error"))  # fmt: skip
