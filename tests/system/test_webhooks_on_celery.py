"""The compose file's webhook receiver in the Celery topology: orders placed in the shop ring it, it asks
the api-server for runs as the `webhooks` user, and the scheduler and the Celery worker execute them.

A burst of orders makes few runs (the receiver joins a queued run), a forged webhook is refused and acts
on nothing, every order is booked once, and the runs the receiver asked for are webhook runs (conf
``{"source": "webhook"}``) whose tasks the Celery worker executed.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from emulators.lightspeed import DEMO_API_KEY, DEMO_API_SECRET
from tests.system.compose import RECEIVER
from tests.system.deployment import (
    Plan,
    afas_state,
    place_orders,
    running_deployment,
    shop_orders,
    wait_until_settled,
)
from tests.system.test_celery_topology import check_celery_executed

pytestmark = pytest.mark.system

TENANT = "delta"
DAG_ID = f"lightspeed_afas_{TENANT}"
BURST = 5


def our_webhook_address(shop_url: str) -> str:
    answer = requests.get(f"{shop_url}/nl/webhooks.json", auth=(DEMO_API_KEY, DEMO_API_SECRET), timeout=30)
    answer.raise_for_status()
    (address,) = {hook["address"].split("?")[0] for hook in answer.json()["webhooks"]}
    return address


def webhook_rows(ledger: sa.Engine) -> list[Any]:
    with ledger.connect() as conn:
        query = sa.text("SELECT action, status, outcome, run_id FROM lsafas_webhook WHERE tenant = :t")
        return list(conn.execute(query, {"t": TENANT}))


@pytest.mark.timeout(540)
def test_webhooks_trigger_runs_that_the_scheduler_and_the_celery_worker_execute(tmp_path):
    plan = Plan(tenants=(TENANT,), orders_per_shop=2, receiver=True)
    with running_deployment(tmp_path, plan) as dep:
        api, shop = dep.api, dep.shops[TENANT]
        dep.wait("the dag-processor to load the DAG", lambda: api.get(f"/dags/{DAG_ID}"), 120)
        install = subprocess.run(
            [sys.executable, "-m", "lightspeed_afas", "webhooks", "install", TENANT],
            env=dep.service_env(RECEIVER),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert install.returncode == 0, install.stdout + install.stderr
        address = our_webhook_address(shop.url)
        assert address.startswith(f"{dep.site.receiver_url}/lightspeed/{TENANT}/"), address

        # Unpaused, the scheduler runs the latest interval: the shop's first orders, no webhook involved.
        api.request("PATCH", f"/dags/{DAG_ID}", json={"is_paused": False})
        first = dep.wait("the first scheduled run", lambda: api.dag_runs(DAG_ID), 120)
        wait_until_settled(dep, DAG_ID, first[0]["dag_run_id"])

        forged = requests.post(
            f"{address}?action=orders.created",
            data=b'{"order": {"id": 1}}',
            headers={"X-Signature": "0" * 32, "Content-Type": "application/json"},
            timeout=30,
        )
        assert forged.status_code == 401, forged.text

        placed_at = time.monotonic()
        numbers = place_orders(shop.url, BURST, "hook")

        def all_booked() -> Counter[str] | None:
            booked = Counter(o["fields"]["RfCs"] for o in afas_state(dep.erps[TENANT])["orders"])
            return booked if set(numbers) <= set(booked) else None

        booked = dep.wait("the burst's orders in AFAS, without a scheduled run", all_booked, 180, every=0.5)
        took = time.monotonic() - placed_at
        webhook_runs = [r for r in api.dag_runs(DAG_ID) if (r.get("conf") or {}).get("source") == "webhook"]
        for run in webhook_runs:
            wait_until_settled(dep, DAG_ID, run["dag_run_id"])

        expected = {o["number"] for o in shop_orders(shop) if o["status"] != "cancelled"}
        assert set(booked) == expected and max(booked.values()) == 1, booked
        rows = webhook_rows(dep.ledger)
        accepted = [r for r in rows if r.status == 202]
        triggered = {r.run_id for r in rows if r.action == "run" and r.outcome == "triggered"}
        assert [r.status for r in rows if r.status == 401] == [401], "the forged webhook, refused"
        assert len(accepted) >= BURST, rows  # a created webhook per order at least
        # The burst coalesced: far fewer runs than webhooks, and each of them a run the receiver asked for.
        assert 1 <= len(triggered) <= 3 < len(accepted), (len(triggered), len(accepted))
        assert triggered == {r["dag_run_id"] for r in webhook_runs}
        assert {r["run_type"] for r in webhook_runs} == {"manual"}
        executed = check_celery_executed(dep, {DAG_ID: sorted(triggered)})
        assert {ti["task_id"] for ti in executed} >= {"extract_orders", "load_to_afas"}
        print(f"\n{BURST} orders placed at once: in AFAS after {took:.1f} s; {len(accepted)} webhooks, "
              f"{len(triggered)} run(s) triggered, {len(executed)} task instances on the Celery worker")  # fmt: skip
