"""The order sync end to end: new and changed orders, idempotency, failures, dry run, faults."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import requests

from emulators.demo_catalogue import PRODUCTS


def recently() -> str:
    """A change time inside the next scheduled run's window: that window ends at the last complete
    quarter-hour (at most 15 minutes ago) and reaches back to the watermark minus the overlap."""
    return (datetime.now(UTC) - timedelta(minutes=20)).isoformat()


def booked_references(env):
    return {ref: len(orders) for ref, orders in env.afas_orders_by_reference().items()}


def webshop_orders(env):
    return requests.get(f"{env.lightspeed.url}/_admin/state", timeout=10).json()["orders"]


def test_first_run_books_every_eligible_order_once_to_the_cent(sync_env):
    run = sync_env.run()
    shop = {o["number"]: o for o in webshop_orders(sync_env)}
    booked = sync_env.afas_orders_by_reference()
    assert booked and all(len(v) == 1 for v in booked.values()), "never a duplicate"
    not_in_afas = {p.afas_item_code for p in PRODUCTS if not p.in_afas}
    for number, order in shop.items():
        lines = order["products"]["resource"]["embedded"]
        has_unknown_item = any((ln["articleCode"] or ln["sku"] or ln["ean"]) in not_in_afas for ln in lines)
        eligible = order["status"] != "cancelled"
        if eligible and not has_unknown_item:
            (afas_order,) = booked[number]
            assert Decimal(afas_order["totals"]["TotalAmount"]) == Decimal(str(order["priceIncl"])), number
        else:
            assert number not in booked
    states = sync_env.ledger.order_states("shop", [o["id"] for o in shop.values()])
    failed = [s for s in states.values() if s.status == "failed"]
    assert all("bestaat niet" in (s.reason or "") for s in failed)  # AFAS: the item does not exist
    assert run.state == ("failed" if failed else "success")


def test_a_second_run_changes_nothing_and_writes_nothing(sync_env):
    # Every product exists in AFAS here, so nothing failed that a later run would retry.
    sync_env.afas_admin(
        "PUT", "/catalogue", {"items": {p.afas_item_code: {"type": "2", "units": ["STK"]} for p in PRODUCTS}}
    )
    assert sync_env.run().state == "success"
    before = sync_env.afas_state()
    sync_env.reset_calls()
    sync_env.run()
    after = sync_env.afas_state()
    assert [o["OrNu"] for o in after["orders"]] == [o["OrNu"] for o in before["orders"]]
    assert len(after["debtors"]) == len(before["debtors"])
    _, afas_calls = sync_env.calls()
    writes = {k: v for k, v in afas_calls["calls"].items() if k.split(" ")[0] in ("POST", "PUT", "DELETE")}
    assert writes == {}


def test_returning_customer_reuses_the_debtor_and_a_changed_order_is_updated_in_place(sync_env):
    sync_env.run()
    shop = webshop_orders(sync_env)
    order = next(
        o
        for o in shop
        if o["customer"] and o["status"] != "cancelled" and o["number"] in sync_env.afas_orders_by_reference()
    )
    (before,) = sync_env.afas_orders_by_reference()[order["number"]]
    sync_env.shop_admin(
        "PATCH",
        f"/orders/{order['id']}",
        {
            "lines": [
                {
                    "articleCode": "ART-2001",
                    "productTitle": "Koffiemok wit",
                    "quantityOrdered": 4,
                    "basePriceIncl": "12.50",
                    "taxRate": "0.21",
                }
            ],
            "discount": {"kind": None},
            "shipping": "0",
            "payment_fee": "0",
            "updatedAt": recently(),
        },
    )
    sync_env.run()
    (after,) = sync_env.afas_orders_by_reference()[order["number"]]
    assert after["OrNu"] == before["OrNu"]
    assert [(ln["ItCd"], ln["QuUn"]) for ln in after["lines"]] == [("ART-2001", "4")]
    assert Decimal(after["totals"]["TotalAmount"]) == Decimal("50.00")
    assert sync_env.ledger.history("shop", order_number=order["number"])[0]["action"] == "updated"


def test_an_order_afas_already_delivered_is_skipped_with_the_reason(sync_env):
    sync_env.run()
    shop = webshop_orders(sync_env)
    number, (afas_order,) = next(iter(sync_env.afas_orders_by_reference().items()))
    order = next(o for o in shop if o["number"] == number)
    sync_env.afas_admin("POST", f"/orders/{afas_order['OrNu']}/state", {"state": "delivered"})
    sync_env.shop_admin(
        "PATCH", f"/orders/{order['id']}", {"comment": "Toch graag op maandag", "updatedAt": recently()}
    )
    sync_env.run()
    latest = sync_env.ledger.history("shop", order_number=number)[0]
    assert latest["action"] == "skipped" and "already processed" in latest["reason"]


def test_new_customer_with_two_orders_gets_one_relation(sync_env):
    created = sync_env.shop_admin(
        "POST",
        "/orders",
        {
            "orders": [
                {
                    "email": "Nieuw.Klant@Example.nl ",
                    "customer": False,
                    "lastname": "Klant",
                    "createdAt": "2026-11-20T10:00:00+01:00",
                    "updatedAt": "2026-11-20T10:00:00+01:00",
                },
                {
                    "email": "nieuw.klant@example.nl",
                    "customer": False,
                    "lastname": "Klant",
                    "createdAt": "2026-11-20T11:00:00+01:00",
                    "updatedAt": "2026-11-20T11:00:00+01:00",
                },
            ]
        },
    )
    sync_env.run()
    state = sync_env.afas_state()
    contacts = [
        c for c in state["contacts"] if (c["fields"].get("EmAd") or "").lower() == "nieuw.klant@example.nl"
    ]
    assert len(contacts) == 1
    orders = [o for o in state["orders"] if o["fields"]["RfCs"] in {n["number"] for n in created["orders"]}]
    assert len(orders) == 2 and len({o["fields"]["DbId"] for o in orders}) == 1


def test_dry_run_writes_nothing(sync_env):
    sync_env.run(dry_run=True)
    state = sync_env.afas_state()
    assert state["orders"] == [] and state["debtors"] == [] and state["contacts"] == []


def test_failed_orders_are_retried_by_later_runs_and_booked_once_fixed(sync_env):
    sync_env.run()
    failed = [h for h in sync_env.ledger.history("shop", action="failed")]
    assert failed
    sync_env.afas_admin(
        "PUT", "/catalogue", {"items": {p.afas_item_code: {"type": "2", "units": ["STK"]} for p in PRODUCTS}}
    )
    sync_env.clock.advance(timedelta(minutes=15))  # a failed order is retried after its backoff
    assert sync_env.run().state == "success"
    booked = sync_env.afas_orders_by_reference()
    assert all(len(booked[h["order_number"]]) == 1 for h in failed)


def test_commit_then_drop_on_an_order_insert_books_it_once(sync_env):
    sync_env.afas_admin("POST", "/faults", {"drop_after_commit": {"count": 1, "connector": "FbSales"}})
    sync_env.run()
    sync_env.run()
    assert all(n == 1 for n in booked_references(sync_env).values())
