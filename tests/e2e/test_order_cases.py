"""The order sync end to end, case by case: every kind of customer and order the issue lists, each
booked (or not) exactly as the tenant file says, against both emulators over HTTP through ``dag.test()``."""

from __future__ import annotations

import json
import os
from decimal import Decimal
from typing import Any

import pytest

from emulators.demo_catalogue import PRODUCTS
from tests.e2e.test_order_sync import recently

ALL_ITEMS = {"items": {p.afas_item_code: {"type": "2", "units": ["STK"]} for p in PRODUCTS}}
MUG = {"articleCode": "ART-2001", "productTitle": "Koffiemok wit", "quantityOrdered": 2, "basePriceIncl": "12.50", "taxRate": "0.21"}  # fmt: skip
COFFEE = {"articleCode": "ART-1001", "productTitle": "Koffiebonen 1 kg", "quantityOrdered": 3, "basePriceIncl": "8.95", "taxRate": "0.09"}  # fmt: skip


def empty_shop(env: Any, *specs: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A shop holding just these orders (every product known to AFAS); returns them by number."""
    env.shop_admin("POST", "/reset", {"orders": 0})
    env.afas_admin("PUT", "/catalogue", ALL_ITEMS)
    created = env.shop_admin("POST", "/orders", {"orders": list(specs)})["orders"]
    return {o["number"]: o for o in created}


def order(**spec: Any) -> dict[str, Any]:
    at = spec.pop("at", "2026-11-20T10:00:00+01:00")
    return {"createdAt": at, "updatedAt": at, "lines": [MUG], **spec}


def booked(env: Any, key: str = "orders") -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for doc in env.afas_state()[key]:
        ref = doc["fields"]["RfCs"]
        assert ref not in out, f"order {ref} is in AFAS twice"
        out[ref] = doc
    return out


def shop_total(env: Any, number: str) -> Decimal:
    import requests

    state = requests.get(f"{env.lightspeed.url}/_admin/state", timeout=10).json()
    return Decimal(str(next(o for o in state["orders"] if o["number"] == number)["priceIncl"]))


def latest(env: Any, number: str) -> dict[str, Any]:
    return env.ledger.history("shop", order_number=number)[0]


def test_every_kind_of_customer_and_order_is_booked_to_the_cent(sync_env):
    (returning,) = sync_env.afas_admin(
        "POST", "/debtors", {"debtors": [{"name": "Terugkerende Klant", "email": "Terug@Example.NL"}]}
    )["debtors"]
    orders = empty_shop(
        sync_env,
        order(email=" terug@example.nl", firstname="Ruud", lastname="Terug"),  # returning, e-mail in another case
        order(email="zoe@example.nl", firstname="Zoë", middlename="van der", lastname="Ågren-Müller",
              street="Rue de l'Église", city="Besançon", zipcode="25000", country="fr", number_addr="7bis"),
        order(customer=False, email="gast@example.nl", firstname="Gijs", lastname="Gast"),
        order(email="inkoop@korenaar.nl", firstname="Kees", lastname="Korenaar",
              company={"name": "Bakkerij De Gouden Korenaar B.V.", "vat": "NL 0012 34567 B01", "coc": "12345678"}),
        order(email="mix@example.nl", lastname="Mix", lines=[MUG, COFFEE], shipping="6.95", payment_fee="0.35",
              discount={"kind": "percentage", "value": "0.10", "code": "HERFST10"}, comment="Graag na 17 uur"),
        order(email="later@example.nl", lastname="Later", paymentStatus="not_paid",
              status="processing_awaiting_payment"),
    )  # fmt: skip
    numbers = list(orders)
    assert sync_env.run().state == "success"

    afas = booked(sync_env)
    assert set(afas) == set(numbers), "every order once, the unpaid one included (payment_statuses: [])"
    for number in numbers:
        assert Decimal(afas[number]["totals"]["TotalAmount"]) == shop_total(sync_env, number), number
        assert "OrNu" not in afas[number]["fields"] or afas[number]["fields"]["OrNu"] == afas[number]["OrNu"]
        assert latest(sync_env, number)["action"] == "created"
    ret, foreign, guest, company, mixed, unpaid = (afas[n] for n in numbers)
    assert Decimal(mixed["totals"]["TotalAmount"]) > 0, "a 10 % discount leaves 90 % of the goods to pay"

    state = sync_env.afas_state()
    assert ret["fields"]["DbId"] == returning["DbId"], "the returning customer's own debtor"
    assert len(state["debtors"]) == 1 + 5, "one relation per new e-mail, none for the returning customer"
    contacts = {(c["fields"].get("EmAd") or "").lower(): c for c in state["contacts"]}
    foreign_contact = contacts["zoe@example.nl"]
    assert foreign_contact["fields"]["FiNm"] == "Zoë" and foreign_contact["fields"]["LaNm"] == "Ågren-Müller"
    assert guest["fields"]["DbId"] not in (ret["fields"]["DbId"], foreign["fields"]["DbId"])
    org = contacts["inkoop@korenaar.nl"]
    assert org["kind"] == "organisation"
    assert org["fields"]["Nm"] == "Bakkerij De Gouden Korenaar B.V." and org["fields"]["CcNr"] == "12345678"
    company_debtor = next(d for d in state["debtors"] if d["debtor_id"] == company["fields"]["DbId"])
    assert company_debtor["fields"]["VaId"] == "NL001234567B01"

    codes = [ln["ItCd"] for ln in mixed["lines"]]
    assert codes[:2] == ["ART-2001", "ART-1001"] and {"KORTING", "VERZEND", "BETAALKOST"} <= set(codes)
    vat_codes = {ln["ItCd"]: ln.get("VaRc") for ln in mixed["lines"]}
    assert vat_codes["ART-2001"] != vat_codes["ART-1001"], "21 % and 9 % lines carry different VAT codes"
    assert "Graag na 17 uur" in mixed["fields"].get("Re", "")
    assert unpaid["fields"]["DbId"]


def test_guest_orders_go_on_the_collective_debtor_when_the_tenant_sets_one(sync_env):
    (collective,) = sync_env.afas_admin(
        "POST", "/debtors", {"debtors": [{"name": "Webshop gasten", "email": "gasten@winkel.nl"}]}
    )["debtors"]
    sync_env.tenant(afas={**_afas(), "guest_debtor": collective["DbId"]})
    orders = empty_shop(
        sync_env,
        order(customer=False, email="een@example.nl", lastname="Een"),
        order(customer=False, email="twee@example.nl", lastname="Twee"),
        order(email="vaste@example.nl", lastname="Vast"),
    )
    sync_env.run()
    afas = booked(sync_env)
    guests, member = list(orders)[:2], list(orders)[2]
    assert {afas[n]["fields"]["DbId"] for n in guests} == {collective["DbId"]}
    assert afas[member]["fields"]["DbId"] != collective["DbId"]
    assert len(sync_env.afas_state()["debtors"]) == 2, "only the account holder got a relation"


def _afas(**changes: Any) -> dict[str, Any]:
    from tests.e2e.conftest import TENANT

    return {**TENANT["afas"], **changes}


def test_payment_status_filter_books_paid_orders_only(sync_env):
    sync_env.tenant(lightspeed={"conn_id": "ls_shop", "payment_statuses": ["paid"]})
    orders = empty_shop(
        sync_env, order(email="a@example.nl"), order(email="b@example.nl", paymentStatus="not_paid")
    )
    paid, unpaid = orders
    sync_env.run()
    assert set(booked(sync_env)) == {paid}
    assert unpaid not in {h["order_number"] for h in sync_env.ledger.history("shop", action="created")}


@pytest.mark.parametrize("policy", ["ignore", "delete_if_open"])
def test_a_cancelled_order_follows_the_tenant_policy(sync_env, policy):
    sync_env.tenant(afas=_afas(cancelled_orders=policy))
    orders = empty_shop(
        sync_env,
        order(email="open@example.nl"),
        order(email="delivered@example.nl"),
        order(email="never@example.nl", status="cancelled"),
    )
    open_, delivered, never = orders
    sync_env.run()
    afas = booked(sync_env)
    assert set(afas) == {open_, delivered}, "an order cancelled before its first sync is not booked"
    sync_env.afas_admin("POST", f"/orders/{afas[delivered]['OrNu']}/state", {"state": "delivered"})
    for number in (open_, delivered):
        sync_env.shop_admin(
            "PATCH", f"/orders/{orders[number]['id']}", {"status": "cancelled", "updatedAt": recently()}
        )

    assert sync_env.run().state == "success"
    after = booked(sync_env)
    assert delivered in after and latest(sync_env, delivered)["action"] == "skipped"
    if policy == "ignore":
        assert open_ in after
        assert "policy is ignore" in latest(sync_env, open_)["reason"]
    else:
        assert open_ not in after, "the open AFAS order was deleted"
        assert latest(sync_env, open_)["action"] == "deleted"
        assert "already processed" in latest(sync_env, delivered)["reason"]
    writes_before = _writes(sync_env)
    sync_env.run()
    assert _writes(sync_env) == writes_before, "a cancelled order is handled once, not every run"


def _writes(env: Any) -> int:
    _, afas_calls = env.calls()
    return sum(v for k, v in afas_calls["calls"].items() if k.split(" ")[0] in ("POST", "PUT", "DELETE"))


def test_direct_invoice_mode_books_invoices_once(sync_env):
    sync_env.tenant(afas=_afas(document="direct_invoice"))
    orders = empty_shop(
        sync_env,
        order(email="f1@example.nl", lines=[MUG, COFFEE], shipping="4.95"),
        order(email="f2@example.nl", discount={"kind": "amount", "value": "5.00", "code": "VIJF"}),
    )
    assert sync_env.run().state == "success"
    invoices = booked(sync_env, "invoices")
    assert set(invoices) == set(orders) and booked(sync_env) == {}
    for number in orders:
        assert invoices[number]["connector"] == "FbDirectInvoice"
        assert Decimal(invoices[number]["totals"]["TotalAmount"]) == shop_total(sync_env, number)
    first = next(iter(orders))
    sync_env.shop_admin(
        "PATCH", f"/orders/{orders[first]['id']}", {"comment": "later", "updatedAt": recently()}
    )
    sync_env.run()
    assert booked(sync_env, "invoices").keys() == invoices.keys()
    assert "direct invoices are final" in latest(sync_env, first)["reason"]


def test_afas_maintenance_and_lightspeed_429s_lose_nothing(sync_env, monkeypatch):
    orders = empty_shop(
        sync_env, *(order(email=f"storm{i}@example.nl", at=f"2026-11-20T1{i}:00:00+01:00") for i in range(6))
    )
    sync_env.afas_admin("POST", "/faults", {"unavailable": {"seconds": 1800, "retry_after": 1800}})
    assert sync_env.run().state == "failed", "30 minutes of AFAS maintenance is longer than the hook waits"
    assert booked(sync_env) == {}
    sync_env.afas_admin("POST", "/faults", {"clear": True})

    # Lightspeed answers 429 for the next five minutes; this connection waits at most 2 s for a budget.
    conn = json.loads(os.environ["AIRFLOW_CONN_LS_SHOP"])
    monkeypatch.setenv(
        "AIRFLOW_CONN_LS_SHOP", json.dumps({**conn, "extra": {**conn["extra"], "max_wait_seconds": 2}})
    )
    sync_env.shop_admin("POST", "/faults", {"exhaust": "5min"})
    sync_env.run()
    assert booked(sync_env) == {}, "nothing read, nothing booked, nothing lost: the watermark stays"
    ls_calls, _ = sync_env.calls()
    assert ls_calls["rate_limited"] >= 1

    sync_env.shop_admin("POST", "/clock", {"advance_seconds": 301})  # the 5-minute window resets
    sync_env.shop_admin("POST", "/faults", {"transient_404": {"count": 2, "paths": "order"}})
    assert sync_env.run().state == "success"
    afas = booked(sync_env)
    assert set(afas) == set(orders), "everything booked once after the storms"
    states = sync_env.ledger.order_states("shop", [o["id"] for o in orders.values()])
    assert {s.status for s in states.values()} == {"booked"}


def test_rerunning_a_whole_day_of_intervals_changes_nothing(sync_env):
    empty_shop(
        sync_env,
        *(
            order(email=f"dag{i}@example.nl", at=f"2026-11-20T{h:02d}:10:00+01:00")
            for i, h in enumerate(range(0, 24, 3))
        ),
    )
    sync_env.run()
    before = sync_env.afas_state()
    sync_env.reset_calls()
    for hour in range(0, 24, 6):  # the day again, in re-sync ranges
        since = f"2026-11-20T{hour:02d}:00:00+01:00"
        until = f"2026-11-20T{hour + 5:02d}:59:59+01:00"
        assert sync_env.run(since=since, until=until).state == "success"
    after = sync_env.afas_state()
    assert after["orders"] == before["orders"] and after["debtors"] == before["debtors"]
    assert _writes(sync_env) == 0


@pytest.mark.parametrize("detail_logging", [False, True])
def test_staged_order_data_is_purged_when_the_run_ends_unless_detail_logging_keeps_it(
    sync_env, detail_logging
):
    from lightspeed_afas.ops.staging import staging_root

    sync_env.tenant(detail_logging=detail_logging)
    empty_shop(sync_env, order(email="xcom@example.nl", lastname="Xcom"))
    run = sync_env.run()
    folder = staging_root() / "lightspeed_afas_shop" / run.run_id
    staged = [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []
    if detail_logging:
        assert len(staged) >= 4, "each step's output stays for the detail-log period"
        assert any("xcom@example.nl" in p.read_text() for p in staged)
    else:
        assert staged == [], "the teardown removed the run's order data"
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        values = [str(x.value) for x in session.query(XComModel).filter(XComModel.run_id == run.run_id)]
    assert values and not any("xcom@example.nl" in v for v in values), "the metadata DB holds only paths"


@pytest.mark.parametrize("policy", ["fail", "lowest_debtor_id", "most_recent"])
def test_several_debtors_with_one_e_mail_follow_the_configured_choice(sync_env, policy):
    sync_env.tenant(afas=_afas(duplicate_debtors=policy))
    older, newer = sync_env.afas_admin(
        "POST",
        "/debtors",
        {
            "debtors": [
                {"name": "Dubbel oud", "email": "dubbel@example.nl", "created": "2024-01-01T00:00:00"},
                {"name": "Dubbel nieuw", "email": "Dubbel@Example.nl", "created": "2026-01-01T00:00:00"},
            ]
        },
    )["debtors"]
    orders = empty_shop(sync_env, order(email="dubbel@example.nl"))
    (number,) = orders
    run = sync_env.run()
    attempt = latest(sync_env, number)
    if policy == "fail":
        assert run.state == "failed" and attempt["action"] == "failed"
        assert older["DbId"] in attempt["reason"] and newer["DbId"] in attempt["reason"]
        assert "duplicate_debtors" in attempt["reason"], "the message says how to resolve it"
        assert booked(sync_env) == {}
    else:
        expected = (
            min(older["DbId"], newer["DbId"], key=int) if policy == "lowest_debtor_id" else newer["DbId"]
        )
        assert booked(sync_env)[number]["fields"]["DbId"] == expected
    assert len(sync_env.afas_state()["debtors"]) == 2, "never a third relation for a known e-mail"
