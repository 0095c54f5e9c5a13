"""The basic log after real runs: the ``log`` command, the reconciliation, the retention DAG, and what
the ledger and the staged data must never hold (customer details in the basic log, secrets anywhere)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa

from lightspeed_afas.cli.main import main
from tests.conftest import REPO
from tests.e2e.test_order_cases import booked, empty_shop, order
from tests.e2e.test_order_sync import webshop_orders
from tests.reliability.conftest import secret_forms

DAY = "2026-11-20"


def run_retention(params: dict[str, Any] | None = None) -> Any:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(REPO / "dags"))
    assert not bag.import_errors, bag.import_errors
    dag = bag.dags["lightspeed_afas_log_retention"]
    for task in dag.tasks:
        task.retries = 0
    return dag.test(run_conf=params)


def task_states(run: Any) -> dict[str, str]:
    return {ti.task_id: str(ti.state) for ti in run.get_task_instances()}


def xcom(run: Any, task_id: str, map_index: int = -1) -> Any:
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        row = (
            session.query(XComModel)
            .filter_by(dag_id=run.dag_id, run_id=run.run_id, task_id=task_id, map_index=map_index)
            .one()
        )
        value = row.value
    from airflow.providers.common.io.xcom.backend import XComObjectStorageBackend

    return XComObjectStorageBackend.deserialize_value(type("R", (), {"value": value})())


def test_reconciliation_accounts_for_the_day_and_names_an_order_the_sync_missed(sync_env, monkeypatch):
    empty_shop(sync_env, *(order(email=f"r{i}@example.nl", at=f"{DAY}T1{i}:00:00+01:00") for i in range(4)))
    assert sync_env.run().state == "success"

    run = run_retention({"reconcile_date": DAY})
    assert run.state == "success", task_states(run)
    summary = xcom(run, "reconcile", 0)
    assert summary["seen"] == summary["booked"] == 4 and summary["missing"] == 0
    report = xcom(run, "report")
    assert set(report["purged"]) == {"detail_log", "basic_log", "task_logs", "staged_xcom"}

    # An order of that day the sync never saw: changed after the run, back-dated inside the day.
    late = sync_env.shop_admin(
        "POST", "/orders", {"orders": [order(email="laat@example.nl", at=f"{DAY}T23:59:00+01:00")]}
    )
    number = late["orders"][0]["number"]
    from lightspeed_afas.ops.reconcile import ReconciliationError, run_for_tenant
    from tests.support.sinks import webhook_receiver

    with webhook_receiver() as hook:
        monkeypatch.setenv("AIRFLOW_CONN_HOOK_OPS", hook.conn_json())
        sync_env.tenant(notifications={"webhook_conn_id": "hook_ops"})
        with pytest.raises(ReconciliationError, match=number):
            run_for_tenant("shop", date.fromisoformat(DAY))
        (message,) = hook.bodies
        assert number in message["text"] and DAY in message["text"], "the team hears of it once"
    failed = run_retention({"reconcile_date": DAY})
    assert failed.state == "failed" and task_states(failed)["reconcile"] == "failed"
    assert task_states(failed)["report"] == "success", "the purges and their report do not depend on it"


def test_the_log_command_answers_what_happened_to_an_order(sync_env, capsys):
    sync_env.run()  # the seeded shop: one product AFAS does not know, so some orders fail
    capsys.readouterr()
    assert main(["log", "shop"]) == 0
    out = capsys.readouterr().out
    created = [h for h in sync_env.ledger.history("shop", action="created")]
    assert created and created[0]["order_number"] in out and "AFAS order" in out

    assert main(["log", "shop", "--status", "failed"]) == 0
    out = capsys.readouterr().out
    failed = sync_env.ledger.history("shop", action="failed")
    assert failed and all(f["order_number"] in out for f in failed) and "created" not in out
    assert "bestaat niet" in out  # AFAS's own reason, not a generic one

    one = created[0]["order_number"]
    assert main(["log", "shop", "--order", one]) == 0
    out = capsys.readouterr().out
    assert one in out and created[0]["afas_order_number"] in out and "1 row(s)" in out

    assert main(["log", "shop", "--runs"]) == 0
    out = capsys.readouterr().out
    assert "failed" in out and "LS " in out

    assert main(["log", "shop", "--open"]) == 0
    assert failed[0]["order_number"] in capsys.readouterr().out

    assert main(["log", "nobody"]) == 1
    assert "no entries for tenant 'nobody'" in capsys.readouterr().out
    assert main(["log", "shop", "--since", "last week"]) == 2
    assert "--since" in capsys.readouterr().err  # errors on stderr: --json output stays JSON


def test_detail_log_shows_what_was_sent_for_an_order(sync_env, capsys):
    sync_env.tenant(detail_logging=True)
    empty_shop(sync_env, order(email="detail@example.nl", lastname="Detail"))
    sync_env.run()
    (number,) = booked(sync_env)
    capsys.readouterr()
    assert main(["log", "shop", "--order", number, "--detail"]) == 0
    out = capsys.readouterr().out
    assert "POST" in out and "FbSales" in out and number in out and "sent:" in out and "answered:" in out
    assert main(["log", "shop", "--detail"]) == 2


def customer_details(env: Any) -> set[str]:
    """Every e-mail, name, street, postcode and phone number of the shop's orders."""
    found: set[str] = set()
    for o in webshop_orders(env):
        for key in (
            "email",
            "firstname",
            "lastname",
            "phone",
            "addressBillingStreet",
            "addressBillingZipcode",
        ):
            value = o.get(key)
            if isinstance(value, str) and len(value) >= 4 and not value.isdigit():  # not a bare number
                found.add(value)
    return found


def ledger_text(env: Any, tables: tuple[str, ...]) -> str:
    engine = sa.create_engine(f"sqlite:///{env.ledger_path}")
    with engine.connect() as conn:
        dump = [
            json.dumps([list(r) for r in conn.execute(sa.text(f"SELECT * FROM {name}"))], default=str)
            for name in tables
        ]
    engine.dispose()
    return "\n".join(dump)


BASIC_LOG = (
    "lsafas_sync_run",
    "lsafas_order_attempt",
    "lsafas_order_state",
    "lsafas_watermark",
    "lsafas_lease",
)


@pytest.mark.parametrize("detail_logging", [False, True])
def test_no_customer_detail_in_the_basic_log_and_no_secret_anywhere(sync_env, capfd, detail_logging):
    from lightspeed_afas.ops.staging import staging_root

    sync_env.tenant(detail_logging=detail_logging)
    sync_env.run()
    details = customer_details(sync_env)
    assert len(details) > 20
    basic = ledger_text(sync_env, BASIC_LOG)
    assert "ORD" in basic, "the scan reads real rows"
    assert [d for d in details if d in basic] == []

    detail = ledger_text(sync_env, ("lsafas_detail_log",))
    staged = "\n".join(p.read_text() for p in staging_root().rglob("*") if p.is_file())
    logs = capfd.readouterr()
    if detail_logging:
        assert "FbSales" in detail and staged, "the detail log and the staged data exist to be scanned"
    for text, where in (
        (basic, "ledger"),
        (detail, "detail log"),
        (staged, "XCom"),
        (logs.out + logs.err, "task logs"),
    ):
        leaked = [name for name, secret in secret_forms().items() if secret in text]
        assert leaked == [], f"secret in the {where}"
