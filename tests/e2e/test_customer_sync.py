"""The customers flow end to end: the customers DAG (extract_customers → resolve_relations) run with
``dag.test()`` against both emulators over HTTP; then the orders DAG finds the relations it made."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests

from tests.contract.conftest import AFAS_AUTH
from tests.e2e.test_order_cases import booked, empty_shop, order
from tests.e2e.test_order_sync import recently


def customer(email: str, **spec):
    at = spec.pop("at", recently())
    return {"email": email, "firstname": "Fleur", "lastname": "de Boer", "street": "Dorpsstraat",
            "number": "12a", "zipcode": "1234 AB", "city": "Utrecht", "country": "nl", "created_at": at,
            "updatedAt": at, **spec}  # fmt: skip


def add_customers(env, *specs) -> list[int]:
    return [env.shop_admin("POST", "/customers", spec)["customer"]["id"] for spec in specs]


def debtors_by_email(env) -> dict[str, list[str]]:
    """AFAS's debtors by e-mail, as its Profit_Debtor GetConnector lists them."""
    rows = requests.get(
        f"{env.afas.url}/ProfitRestServices/connectors/Profit_Debtor",
        params={"skip": 0, "take": 1000},
        headers=AFAS_AUTH,
        timeout=10,
    ).json()["rows"]
    out: dict[str, list[str]] = {}
    for row in rows:
        out.setdefault(str(row.get("Email") or "").strip().lower(), []).append(str(row["DebtorId"]))
    return out


def states(env) -> dict[int, tuple[str, str | None]]:
    items = env.ledger.items("shop", "customers", limit=1000)
    return {s.item_id: (s.status, s.debtor_id) for s in items}


@pytest.fixture
def customers_env(sync_env):
    empty_shop(sync_env)
    sync_env.tenant(customers={"schedule": "*/15 * * * *"})
    return sync_env


def test_a_registered_customer_gets_a_relation_and_the_order_flow_finds_it(customers_env):
    env = customers_env
    (existing,) = env.afas_admin(
        "POST", "/debtors", {"debtors": [{"name": "Al Bekend", "email": "Bekend@Example.NL"}]}
    )["debtors"]
    person, company, known = add_customers(
        env,
        customer("fleur@example.nl"),
        customer(
            "inkoop@korenaar.nl",
            company={"name": "Bakkerij De Korenaar B.V.", "vat": "NL001234567B01", "coc": "12345678"},
        ),
        customer(" bekend@example.nl "),
    )
    run = env.run(flow="customers")
    assert run.state == "success"
    found = debtors_by_email(env)
    assert len(found["fleur@example.nl"]) == 1 and len(found["inkoop@korenaar.nl"]) == 1
    assert found["bekend@example.nl"] == [existing["DbId"]], (
        "an existing relation is found, never a second one"
    )
    ledger = states(env)
    assert ledger[person] == ("created", found["fleur@example.nl"][0])
    assert ledger[company] == ("created", found["inkoop@korenaar.nl"][0])
    assert ledger[known] == ("linked", existing["DbId"])
    organisation = next(
        d for d in env.afas_state()["debtors"] if d["debtor_id"] == found["inkoop@korenaar.nl"][0]
    )
    assert organisation["kind"] == "organisation"

    env.reset_calls()
    assert env.run(flow="customers").state == "success"  # the window again: nothing new
    lightspeed, afas = env.calls()
    assert sum(afas["calls"].values()) == 0, "a customer resolved before costs no AFAS call"
    assert sum(lightspeed["calls"].values()) == 1, "one page of customers"

    env.shop_admin(
        "POST", "/orders", {"orders": [order(customer=person, email="Fleur@example.nl", at=recently())]}
    )
    assert env.run().state == "success"
    (booked_order,) = booked(env).values()
    assert booked_order["fields"]["DbId"] == found["fleur@example.nl"][0]
    assert len(debtors_by_email(env)["fleur@example.nl"]) == 1, "the order flow made no second relation"


def test_new_only_leaves_changed_customers_alone_and_new_and_changed_follows_a_new_email(customers_env):
    env = customers_env
    before_start = "2026-09-01T10:00:00+02:00"  # before the tenant's start_date: not new to the first run
    (veteran,) = add_customers(env, customer("veteraan@example.nl", at=before_start, updatedAt=recently()))
    (fresh,) = add_customers(env, customer("nieuw@example.nl"))
    assert env.run(flow="customers").state == "success"
    assert set(states(env)) == {fresh}, "include: new looks only at customers created in the window"

    env.tenant(customers={"include": "new_and_changed"})
    later = (datetime.now(UTC) - timedelta(minutes=18)).isoformat()  # a change after the first version
    env.shop_admin("PUT", f"/customers/{fresh}", {"email": "nieuw.adres@example.nl", "updatedAt": later})
    assert env.run(flow="customers").state == "success"
    found = debtors_by_email(env)
    assert veteran in states(env) and len(found["veteraan@example.nl"]) == 1
    assert len(found["nieuw.adres@example.nl"]) == 1 and len(found["nieuw@example.nl"]) == 1
    assert states(env)[fresh] == ("created", found["nieuw.adres@example.nl"][0])


def test_unconfirmed_customers_wait_and_a_refused_relation_is_retried_after_the_fix(customers_env):
    env = customers_env
    env.tenant(customers={"confirmed_only": True})
    waiting, broken = add_customers(
        env,
        customer("later@example.nl", isConfirmed=False),
        customer("kapot@example.nl", isConfirmed=True, country="zz"),
    )
    run = env.run(flow="customers")
    assert run.state == "failed", "a refused relation fails the run's last task, visibly"
    ledger = env.ledger.items("shop", "customers")
    by_id = {s.item_id: s for s in ledger}
    assert by_id[waiting].status == "skipped" and "confirmed" in by_id[waiting].reason
    assert by_id[broken].status == "failed" and "country 'ZZ'" in by_id[broken].reason
    assert "kapot" not in (by_id[broken].reason or ""), "no e-mail address in the ledger"

    env.shop_admin("PUT", f"/customers/{waiting}", {"isConfirmed": True, "updatedAt": recently()})
    env.shop_admin("PUT", f"/customers/{broken}", {"country": "nl", "updatedAt": recently()})
    assert env.run(flow="customers").state == "success"
    assert {s.item_id: s.status for s in env.ledger.items("shop", "customers")} == {
        waiting: "created",
        broken: "created",
    }


def test_a_dry_run_creates_nothing_and_records_nothing(customers_env):
    env = customers_env
    add_customers(env, customer("proef@example.nl"))
    assert env.run(flow="customers", dry_run=True).state == "success"
    assert "proef@example.nl" not in debtors_by_email(env) and states(env) == {}
    assert env.ledger.flow_state("shop", "customers") == {}, "a dry run moves no cursor"
