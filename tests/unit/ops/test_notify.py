"""Failure notifications: content, one per problem, per channel, through a local SMTP sink and a local
webhook receiver, driven the way the DAG drives them (the notifier as load_to_afas's callback)."""

from __future__ import annotations

import json

import pytest

from lightspeed_afas.config import load_tenants
from lightspeed_afas.ledger import Ledger
from lightspeed_afas.ops.notify import LightspeedAfasNotifier, notify_reconciliation
from lightspeed_afas.orchestration.dag_factory import build_dags
from tests.support.dashboard import LEDGER_ENV
from tests.support.dashboard_seed import (
    REASON_ITEM,
    REASON_VAT,
    RUN_2,
    TENANT,
    frozen_ledger_clock,
    outcome,
    seed,
)
from tests.support.sinks import smtp_sink, webhook_receiver


@pytest.fixture
def channels(tenants, tmp_path, monkeypatch):
    """The seeded tenant with e-mail and webhook notifications, its ledger, the sink and the receiver."""
    path = tmp_path / "ledger.db"
    monkeypatch.setenv(LEDGER_ENV, json.dumps({"conn_type": "sqlite", "host": str(path)}))
    monkeypatch.setenv("AIRFLOW__API__BASE_URL", "http://airflow.example.nl:8080")
    seeded = seed(f"sqlite:///{path}")
    with smtp_sink() as sink, webhook_receiver() as hook:
        monkeypatch.setenv("AIRFLOW_CONN_SMTP_OPS", sink.conn_json())
        monkeypatch.setenv("AIRFLOW_CONN_HOOK_OPS", hook.conn_json())
        tenants.tenant(
            TENANT,
            {
                "name": "Acme Dashboard Shop",
                "notifications": {
                    "email": ["ops@example.nl", "shop@example.nl"],
                    "smtp_conn_id": "smtp_ops",
                    "webhook_conn_id": "hook_ops",
                },
            },
        )
        yield seeded, Ledger(seeded.url), sink, hook


def end_of_run(run_id: str = RUN_2) -> None:
    """What load_to_afas's callback does when a run ends."""
    LightspeedAfasNotifier(TENANT)({"run_id": run_id})


def test_the_dag_calls_the_notifier_when_the_load_ends(channels, tenants):
    tenants.tenant("quiet")  # no notifications block
    dags = build_dags(load_tenants())
    load = dags[f"lightspeed_afas_{TENANT}"].get_task("load_to_afas")
    assert isinstance(load.on_failure_callback[0], LightspeedAfasNotifier)
    assert isinstance(load.on_success_callback[0], LightspeedAfasNotifier)
    assert load.on_failure_callback[0].tenant_id == TENANT
    quiet = dags["lightspeed_afas_quiet"].get_task("load_to_afas")
    assert not quiet.on_failure_callback and not quiet.on_success_callback


def test_one_message_per_channel_with_counts_reasons_and_links(channels):
    _, _, sink, hook = channels
    end_of_run()
    assert len(sink.messages) == 1 and len(hook.bodies) == 1
    mail = sink.messages[0]
    assert mail["Subject"] == f"[Lightspeed → AFAS] {TENANT}: 1 failed order, 1 quarantined order"
    assert mail["X-Envelope-To"] == "ops@example.nl, shop@example.nl"
    assert mail["From"] == "airflow@example.nl"
    html = mail.get_body(("html",)).get_content()
    assert (
        "ORD1003 (failed): Artikel &#x27;ONBEKEND-1&#x27; bestaat niet (ItCd) [profitLogReference PLR-1003-B]"
        in html
    )
    assert "ORD1005 (quarantined): Btw-code 9 is onbekend [profitLogReference PLR-1005]" in html
    assert f'href="http://airflow.example.nl:8080/lightspeed-afas/tenants/{TENANT}"' in html
    text = hook.bodies[0]["text"]
    assert hook.bodies[0]["path"] == "/hooks/ops" and hook.bodies[0]["content_type"] == "application/json"
    assert text.splitlines()[:2] == [
        f"Lightspeed → AFAS, tenant {TENANT} (Acme Dashboard Shop): new 1 failed order, 1 quarantined order.",
        "Open now: 1 failed, 1 quarantined.",
    ]
    assert f"- ORD1003 (failed): {REASON_ITEM} [profitLogReference PLR-1003-B]" in text
    assert f"- ORD1005 (quarantined): {REASON_VAT} [profitLogReference PLR-1005]" in text
    assert f"Run: {RUN_2} (http://airflow.example.nl:8080/dags/lightspeed_afas_{TENANT}/runs/" in text
    assert f"Dashboard: http://airflow.example.nl:8080/lightspeed-afas/tenants/{TENANT}" in text


def test_a_problem_is_notified_once_until_it_changes_or_returns(channels):
    seeded, ledger, sink, hook = channels
    end_of_run()
    end_of_run("scheduled__next")  # the same two problems are still open: nothing new to say
    assert len(sink.messages) == 1 and len(hook.bodies) == 1

    with frozen_ledger_clock(seeded.now):
        ledger.record(TENANT, "scheduled__3", [outcome(1006, "failed", reason="Debiteur geblokkeerd")], 3)
    end_of_run("scheduled__3")
    assert len(sink.messages) == 2 and len(hook.bodies) == 2
    assert sink.messages[1]["Subject"] == f"[Lightspeed → AFAS] {TENANT}: 1 failed order"
    assert "ORD1006 (failed): Debiteur geblokkeerd" in hook.bodies[1]["text"]
    assert "ORD1003" not in hook.bodies[1]["text"]  # already told, still failing

    # ORD1003's third failure quarantines it: a new problem
    with frozen_ledger_clock(seeded.now):
        stored = ledger.record(TENANT, "scheduled__4", [outcome(1003, "failed", reason=REASON_ITEM)], 3)
    assert stored[0].action == "quarantined"
    end_of_run("scheduled__4")
    assert "ORD1003 (quarantined)" in hook.bodies[2]["text"]
    assert "Open now: 1 failed, 2 quarantined." in hook.bodies[2]["text"]

    # ORD1006 is booked, then fails again later: news again
    with frozen_ledger_clock(seeded.now):
        ledger.record(TENANT, "scheduled__5", [outcome(1006, "created", afas_order_number="5006")], 3)
    end_of_run("scheduled__5")
    assert len(hook.bodies) == 3  # a fix is not a problem
    with frozen_ledger_clock(seeded.now):
        ledger.record(TENANT, "scheduled__6", [outcome(1006, "failed", reason="Debiteur geblokkeerd")], 3)
    end_of_run("scheduled__6")
    assert len(hook.bodies) == 4 and "ORD1006 (failed)" in hook.bodies[3]["text"]
    assert len(sink.messages) == 4


def test_a_channel_that_fails_is_retried_without_repeating_the_other(channels):
    _, _, sink, hook = channels
    hook.fail_with = 500
    end_of_run()
    assert len(sink.messages) == 1 and hook.bodies == []
    hook.fail_with = None
    end_of_run("scheduled__next")
    assert len(sink.messages) == 1  # e-mail already told
    assert len(hook.bodies) == 1 and "ORD1003 (failed)" in hook.bodies[0]["text"]


def test_a_failed_reconciliation_is_notified_once_per_day(channels):
    _, _, sink, hook = channels
    end_of_run()
    result = notify_reconciliation(TENANT, "2026-11-20", ["ORD2001", "ORD2002"], run_id="reconcile__1")
    assert result == {"email": 1, "webhook": 1}
    assert sink.messages[1]["Subject"] == f"[Lightspeed → AFAS] {TENANT}: 1 failed reconciliation"
    assert (
        "- 2026-11-20 (reconciliation failed): 2 order(s) in Lightspeed but not booked: ORD2001, ORD2002"
        in (hook.bodies[1]["text"])
    )
    assert notify_reconciliation(TENANT, "2026-11-20", ["ORD2001", "ORD2002"]) == {"email": 0, "webhook": 0}
    assert len(hook.bodies) == 2


def test_a_failure_with_a_new_reason_is_a_new_problem(channels):
    """The rule that fails a run (a first failure or a new reason) is the rule that notifies."""
    seeded, ledger, sink, hook = channels
    end_of_run()
    with frozen_ledger_clock(seeded.now):
        ledger.record(TENANT, "scheduled__3", [outcome(1003, "failed", reason=REASON_ITEM)], 9)
    end_of_run("scheduled__3")
    assert len(hook.bodies) == 1  # the same reason again: already told

    with frozen_ledger_clock(seeded.now):
        ledger.record(TENANT, "scheduled__4", [outcome(1003, "failed", reason="Debiteur geblokkeerd")], 9)
    end_of_run("scheduled__4")
    assert len(hook.bodies) == 2 and len(sink.messages) == 2
    assert "ORD1003 (failed): Debiteur geblokkeerd" in hook.bodies[1]["text"]
