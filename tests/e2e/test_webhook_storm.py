"""A storm of 500 webhooks in a minute — 20 % lost, 20 % sent twice, 5 % forged — from the Lightspeed
emulator through the real receiver: no forged one acted on, the runs asked for stay few, and the orders
DAG books every order exactly once, the ones whose webhooks were all lost too."""

from __future__ import annotations

import threading

from lightspeed_afas.cli.main import main
from tests.e2e.test_order_cases import booked, order
from tests.e2e.test_order_sync import recently
from tests.e2e.test_webhooks import hooks_env, receiver  # noqa: F401 - the fixture

ORDERS = 100


def test_a_storm_of_500_webhooks_books_every_order_once_and_acts_on_no_forged_one(hooks_env):  # noqa: F811
    env = hooks_env
    with receiver(env) as (server, airflow, trigger):
        env.tenant(webhooks={"public_url": server.url, "actions": ["created", "updated", "paid"]})
        assert main(["webhooks", "install", "shop"]) == 0
        env.shop_admin(
            "POST",
            "/webhook_delivery",
            {
                "mode": "sync",
                "loss_rate": 0.2,
                "duplicate_rate": 0.2,
                "bad_signature_rate": 0.05,
                "seed": "storm",
            },
        )
        runs_started = 0
        stop = threading.Event()

        def airflow_starts_runs() -> None:  # Airflow picks the queued run up now and then
            nonlocal runs_started
            while not stop.wait(0.05):
                with airflow.lock:
                    if airflow.queued:
                        airflow.queued.clear()
                        runs_started += 1

        starter = threading.Thread(target=airflow_starts_runs)
        starter.start()
        try:
            specs = [
                order(email=f"storm{i}@example.nl", lastname=f"Storm{i}", at=recently())
                for i in range(ORDERS)
            ]
            created = env.shop_admin("POST", "/orders", {"orders": specs})[
                "orders"
            ]  # created + paid: 200 events
            for item in created:  # two changes each: 200 updated events
                for note in ("Graag bellen", "Achterom"):
                    env.shop_admin(
                        "PATCH", f"/orders/{item['id']}", {"comment": note, "updatedAt": recently()}
                    )
            extra = [
                order(email=f"laat{i}@example.nl", lastname=f"Laat{i}", at=recently()) for i in range(50)
            ]
            env.shop_admin("POST", "/orders", {"orders": extra})  # and 100 more: 500
            summary = env.shop_admin("POST", "/webhook_deliveries/flush", {"timeout": 60})["summary"]
            trigger.drain()
        finally:
            stop.set()
            starter.join()

    rows = env.ledger.webhooks("shop", limit=10_000)
    received = [r for r in rows if r["action"] != "run"]
    refused = [r for r in received if r["outcome"] == "refused"]
    decisions = [r for r in rows if r["action"] == "run"]
    triggered = [r for r in decisions if r["outcome"] == "triggered"]
    events = summary["deliveries"]  # one per event and webhook; a duplicate is a second send of one
    print(
        f"\nwebhook storm: {events} events, {summary['lost']} lost, {summary['duplicates']} duplicated, "
        f"{summary['bad_signatures']} forged; received {len(received)}, refused {len(refused)}, "
        f"runs triggered {len(triggered)} (runs started meanwhile {runs_started})"
    )
    assert events >= 500
    assert summary["lost"] >= 50 and summary["duplicates"] >= 50 and summary["bad_signatures"] >= 10
    assert len(refused) == summary["bad_signatures"] and all(r["status"] == 401 for r in refused)
    arrived = events - summary["lost"] + summary["duplicates"]
    assert len(received) == arrived, "every webhook that arrived is logged"
    assert len(triggered) <= runs_started + 1, "a run asked for only when none was waiting"

    assert env.run(source="webhook").state == "success"
    numbers = {o["number"] for o in env.shop_admin("GET", "/state")["orders"]}
    in_afas = env.afas_orders_by_reference()
    assert set(booked(env)) == numbers and len(numbers) == ORDERS + 50
    assert all(len(docs) == 1 for docs in in_afas.values()), "no order booked twice"
