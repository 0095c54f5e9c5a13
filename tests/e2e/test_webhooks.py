"""Webhooks end to end: ``webhooks install|list|remove`` against the Lightspeed emulator's
``webhooks.json``; the emulator's signed deliveries (lost, repeated, forged ones among them) reaching the
real receiver over HTTP; and the orders DAG run they ask for booking every order, once."""

from __future__ import annotations

import contextlib
import threading

import pytest

from emulators.lightspeed import DEMO_API_SECRET
from emulators.server import serve_in_thread
from lightspeed_afas.cli.main import main
from lightspeed_afas.webhooks.receiver import create_receiver, decision_recorder
from lightspeed_afas.webhooks.serve import tenant_hooks
from lightspeed_afas.webhooks.trigger import RunTrigger
from tests.e2e.test_order_cases import ALL_ITEMS, booked, order
from tests.e2e.test_order_sync import recently


class QueuedRuns:
    """Airflow's API as the receiver sees it: a triggered run stays queued until the test starts it."""

    def __init__(self) -> None:
        self.queued: list[str] = []
        self.triggered: list[tuple[str, dict]] = []
        self.lock = threading.Lock()

    def waiting_run(self, dag_id: str) -> str | None:
        with self.lock:
            return self.queued[0] if self.queued else None

    def trigger(self, dag_id: str, conf: dict) -> str:
        with self.lock:
            run_id = f"manual__webhook_{len(self.triggered) + 1}"
            self.triggered.append((dag_id, conf))
            self.queued.append(run_id)
            return run_id


@contextlib.contextmanager
def receiver(env):
    airflow = QueuedRuns()
    ledger = env.ledger
    trigger = RunTrigger(airflow, decision_recorder(ledger.record_webhook), debounce_seconds=lambda t: 0.0)
    app = create_receiver(tenant_hooks, trigger, ledger.record_webhook)
    trigger.start()
    try:
        with serve_in_thread(app) as server:
            yield server, airflow, trigger
    finally:
        trigger.stop()


def shop_webhooks(env) -> list[dict]:
    import requests

    answer = requests.get(f"{env.lightspeed.url}/nl/webhooks.json", auth=("d3m0k3y0000000000000000000000001",
                                                                          DEMO_API_SECRET), timeout=10)  # fmt: skip
    return answer.json()["webhooks"]


@pytest.fixture
def hooks_env(sync_env):
    sync_env.shop_admin("POST", "/reset", {"orders": 0})
    sync_env.afas_admin("PUT", "/catalogue", ALL_ITEMS)
    return sync_env


def test_install_is_idempotent_list_masks_the_token_and_remove_takes_only_ours(hooks_env, capsys):
    env = hooks_env
    env.tenant(webhooks={"public_url": "https://hooks.example.nl", "actions": ["created", "paid"]})
    assert main(["webhooks", "install", "shop"]) == 0
    assert "2 created, 0 updated, 0 removed, 0 already right" in capsys.readouterr().out
    hooks = shop_webhooks(env)
    assert sorted(h["itemAction"] for h in hooks) == ["created", "paid"]
    assert all(h["itemGroup"] == "orders" and h["isActive"] and h["language"]["code"] == "nl" for h in hooks)
    assert all(h["address"].startswith("https://hooks.example.nl/lightspeed/shop/") for h in hooks)
    assert main(["webhooks", "install", "shop"]) == 0
    assert "0 created, 0 updated, 0 removed, 2 already right" in capsys.readouterr().out

    env.tenant(webhooks={"public_url": "https://hooks.example.nl", "actions": ["updated"]})
    assert main(["webhooks", "install", "shop"]) == 0
    assert "1 created, 0 updated, 2 removed" in capsys.readouterr().out
    assert main(["webhooks", "list", "shop"]) == 0
    listed = capsys.readouterr().out
    token = hooks[0]["address"].split("/lightspeed/shop/")[1].split("?")[0]
    assert "updated" in listed and "ours" in listed and token not in listed
    assert main(["webhooks", "remove", "shop"]) == 0
    assert shop_webhooks(env) == []


def test_emulator_webhooks_reach_the_receiver_and_the_run_they_ask_for_books_every_order_once(hooks_env):
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
                "seed": "e2e",
            },
        )
        specs = [order(email=f"klant{i}@example.nl", lastname=f"Klant{i}", at=recently()) for i in range(30)]
        env.shop_admin("POST", "/orders", {"orders": specs})
        delivered = env.shop_admin("POST", "/webhook_deliveries/flush", {"timeout": 30})["summary"]
        trigger.drain()
    rows = env.ledger.webhooks("shop", limit=1000)
    received = [r for r in rows if r["action"] != "run"]
    refused = [r for r in received if r["outcome"] == "refused"]
    assert delivered["lost"] > 0 and delivered["duplicates"] > 0 and delivered["bad_signatures"] > 0
    assert len(refused) == delivered["bad_signatures"], "every forged webhook is refused"
    assert all(r["status"] == 401 for r in refused)
    assert len(airflow.triggered) == 1, "a burst makes one run (the queued one is joined)"
    assert airflow.triggered[0] == ("lightspeed_afas_shop", {"source": "webhook"})

    # The run the receiver asked for (conf {"source": "webhook"}): from the watermark up to now.
    assert env.run(source="webhook").state == "success"
    numbers = {o["number"] for o in env.shop_admin("GET", "/state")["orders"]}
    assert set(booked(env)) == numbers, "every order booked, the ones whose webhook was lost too"
