"""Idle runs, with ``dag.test()`` against both emulators: a run with nothing to do runs its first task only —
the later tasks and the teardown end ``skipped`` (no worker process starts for them), the run ``success`` —
at the floor of API calls, with the run's ledger row, summary and log as for any run; and a run with work
runs every task as before.

The floors, per flow, of a run with nothing to do:

- orders, customers, credit notes: one Lightspeed call (the window's one page), no AFAS call;
- stock: one AFAS call (the stock connector's rows; its field check is kept a day), no Lightspeed call;
- articles: one AFAS call per connector read (``Profit_Article`` from its change date; prices and barcodes
  have no change date, so they are read in full: 3 with the default fields), no Lightspeed call.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from lightspeed_afas.flows.idle import REPLAN_AFTER
from lightspeed_afas.orchestration.dag_parts import TEARDOWN
from tests.e2e.test_article_sync import one
from tests.e2e.test_article_sync import setup as setup_articles
from tests.e2e.test_credit_note_sync import refund
from tests.e2e.test_customer_sync import add_customers, customer
from tests.e2e.test_order_cases import booked, empty_shop, order
from tests.e2e.test_order_sync import recently
from tests.e2e.test_stock_sync import levels, setup_shop

ORDER_STEPS = ["extract_orders", "resolve_relations", "transform", "load_to_afas"]
SKIPPED_LINE = "nothing to book: resolve_relations, transform, load_to_afas skipped"


def states(run: Any) -> dict[str, str]:
    return {ti.task_id: str(ti.state) for ti in run.get_task_instances()}


def api_calls(env: Any) -> tuple[dict[str, int], dict[str, int]]:
    """The calls each emulator answered since the last reset, by endpoint (status counts left out)."""
    lightspeed, afas = env.calls()
    return tuple(  # type: ignore[return-value]
        {k: n for k, n in side["calls"].items() if not k.startswith("status")} for side in (lightspeed, afas)
    )


def assert_idle(run: Any, steps: list[str]) -> None:
    """The first task ran, every later one and the teardown were skipped, the run succeeded."""
    assert run.state == "success"
    assert states(run) == {steps[0]: "success", **dict.fromkeys([*steps[1:], TEARDOWN], "skipped")}


def assert_every_task_ran(run: Any, steps: list[str]) -> None:
    assert run.state == "success"
    assert states(run) == dict.fromkeys([*steps, TEARDOWN], "success")


def task_log(capfd: Any, caplog: Any) -> str:
    return capfd.readouterr().out + "\n" + caplog.text  # the task log: stdout or Python logging


# -- orders ------------------------------------------------------------------------------------------


def test_an_idle_orders_run_runs_extract_orders_only_with_one_lightspeed_call(sync_env, capfd, caplog):
    env = sync_env
    (number,) = empty_shop(env, order(email="stil@example.nl", lastname="Stil", at=recently()))
    assert_every_task_ran(env.run(), ORDER_STEPS)
    assert number in booked(env)

    env.reset_calls()
    with caplog.at_level(logging.INFO):
        run = env.run()  # the booked order is in the window again (the overlap): seen 1, unchanged 1
    assert_idle(run, ORDER_STEPS)
    lightspeed, afas = api_calls(env)
    assert lightspeed == {"GET /{lang}/orders.json": 1} and afas == {}
    log = task_log(capfd, caplog)
    assert SKIPPED_LINE in log and f"and {TEARDOWN}" in log

    row = env.ledger.runs("shop")[0]
    assert row["run_id"] == run.run_id and row["outcome"] == "success" and row["finished_at"] is not None
    assert row["counts"]["seen"] == 1 and row["counts"]["unchanged"] == 1
    assert all(row["counts"][k] == 0 for k in ("created", "updated", "deleted", "failed", "quarantined"))
    assert row["calls"] == {"lightspeed": 1, "afas": 0}
    summary = env.summary(run)  # extract_orders' XCom holds the run summary
    assert summary["outcome"] == "success" and summary["calls"] == {"lightspeed": 1, "afas": 0}
    assert summary["watermark"] is not None, "an idle scheduled run moves the watermark as any run"
    assert booked(env)[number]["OrNu"], "nothing changed in AFAS"


def test_an_orders_run_with_work_runs_every_step_and_an_idle_dry_run_ends_in_extract(sync_env):
    env = sync_env
    empty_shop(env)
    assert_idle(env.run(), ORDER_STEPS)  # an empty shop: nothing to book from the first run on
    env.shop_admin(
        "POST", "/orders", {"orders": [order(email="werk@example.nl", lastname="Werk", at=recently())]}
    )
    env.reset_calls()
    assert_every_task_ran(env.run(), ORDER_STEPS)
    assert len(booked(env)) == 1
    _, afas = api_calls(env)
    assert any(k.startswith("POST") for k in afas), "a run with work books as before"

    dry = env.run(dry_run=True)
    assert_idle(dry, ORDER_STEPS)
    assert env.ledger.runs("shop")[0]["outcome"] == "dry_run"


def test_an_idle_run_sends_the_notification_an_earlier_run_could_not(sync_env, monkeypatch):
    from tests.support.sinks import webhook_receiver

    with webhook_receiver() as hook:
        monkeypatch.setenv("AIRFLOW_CONN_HOOK_OPS", hook.conn_json())
        sync_env.tenant(notifications={"webhook_conn_id": "hook_ops"})
        hook.fail_with = 500  # the chat is down while the first run ends
        assert sync_env.run().state == "failed"  # the shop sells items AFAS does not know
        assert hook.bodies == []
        hook.fail_with = None
        idle = sync_env.run()  # the failed orders wait for their backoff: nothing to book
        assert_idle(idle, ORDER_STEPS)
        assert len(hook.bodies) == 1 and f"Run: {idle.run_id}" in hook.bodies[0]["text"]
        assert_idle(sync_env.run(), ORDER_STEPS)
        assert len(hook.bodies) == 1, "once per problem"


def test_manual_runs_with_params_keep_working(sync_env):
    env = sync_env
    env.tenant(detail_logging=True)  # keeps load_to_afas' summary (its XCom file) for the test to read
    (number,) = empty_shop(env, order(email="param@example.nl", lastname="Param", at=recently()))
    assert env.run().state == "success"
    # A re-sync by number checks the order in AFAS: it has something to do, every step runs.
    resync = env.run(order_numbers=[number])
    assert_every_task_ran(resync, ORDER_STEPS)
    (row,) = env.summary(resync)["order_numbers"]
    assert row["order"] == number and row["result"] == "already booked, unchanged"
    # A range with nothing in it ends in extract_orders.
    empty = env.run(since="2026-10-01T00:00:00+02:00", until="2026-10-02T00:00:00+02:00")
    assert_idle(empty, ORDER_STEPS)
    assert env.ledger.runs("shop")[0]["mode"] == "range"


# -- customers and credit notes --------------------------------------------------------------------


def test_an_idle_customers_run_runs_extract_customers_only(sync_env, capfd, caplog):
    env = sync_env
    empty_shop(env)
    env.tenant(customers={"schedule": "*/15 * * * *"})
    add_customers(env, customer("stil.klant@example.nl"))
    steps = ["extract_customers", "resolve_relations"]
    assert_every_task_ran(env.run(flow="customers"), steps)

    env.reset_calls()
    with caplog.at_level(logging.INFO):
        run = env.run(flow="customers")
    assert_idle(run, steps)
    lightspeed, afas = api_calls(env)
    assert lightspeed == {"GET /{lang}/customers.json": 1} and afas == {}
    assert "nothing to book: resolve_relations skipped" in task_log(capfd, caplog)
    row = env.ledger.flow_runs("shop", "customers")[0]
    assert (row["run_id"], row["outcome"], row["calls"]) == (
        run.run_id,
        "success",
        {"lightspeed": 1, "afas": 0},
    )
    assert row["counts"].get("created", 0) == 0 and row["counts"]["unchanged"] == 1


def test_an_idle_credit_notes_run_runs_extract_credit_notes_only_and_a_refund_runs_every_step(sync_env):
    env = sync_env
    env.tenant(credit_notes={"schedule": "*/15 * * * *"})
    (number,) = empty_shop(env, order(email="refund@example.nl", lastname="Refund", at=recently()))
    assert env.run().state == "success"
    steps = ["extract_credit_notes", "transform", "load_to_afas"]

    env.reset_calls()
    run = env.run(flow="credit_notes")
    assert_idle(run, steps)
    lightspeed, afas = api_calls(env)
    assert lightspeed == {"GET /{lang}/invoices.json": 1} and afas == {}
    row = env.ledger.flow_runs("shop", "credit_notes")[0]
    assert (row["outcome"], row["calls"]) == ("success", {"lightspeed": 1, "afas": 0})
    assert env.summary(run, "load_to_afas")["outcome"] == "success"

    note = refund(env, number, {"ART-2001": 1})
    assert_every_task_ran(env.run(flow="credit_notes"), steps)
    assert note["number"] in booked(env)


# -- stock ---------------------------------------------------------------------------------------------


STOCK_STEPS = ["read_afas_stock", "plan_stock", "push_stock"]


def test_an_idle_stock_run_reads_afas_once_and_calls_lightspeed_never(sync_env, capfd, caplog):
    env = sync_env
    ids = setup_shop(
        env,
        [
            {"articleCode": "S-1", "stockLevel": 3},
            {"articleCode": "S-2", "stockLevel": 5},
            {"articleCode": "GEEN"},
        ],
        [
            {"item": "S-1", "warehouse": "01", "physical": 12},
            {"item": "S-2", "warehouse": "01", "physical": 5},
        ],
    )
    assert_every_task_ran(env.run(flow="stock"), STOCK_STEPS)
    assert levels(env)[ids[0]] == 12

    env.reset_calls()
    with caplog.at_level(logging.INFO):
        run = env.run(flow="stock")
    assert_idle(run, STOCK_STEPS)
    lightspeed, afas = api_calls(env)
    assert lightspeed == {} and afas == {"GET /connectors/Profit_Stock_per_Warehouse": 1}
    assert (
        "nothing to push (AFAS gave what the last clean run planned from): plan_stock, push_stock skipped"
        in (task_log(capfd, caplog))
    )
    row = env.ledger.flow_runs("shop", "stock")[0]
    assert (row["run_id"], row["outcome"], row["calls"]) == (
        run.run_id,
        "success",
        {"afas": 1, "lightspeed": 0},
    )
    counts = row["counts"]
    assert (counts["planned"], counts["pushed"], counts["not_pushed"]) == (0, 0, 0)
    # What the last clean run left in place: both followed variants kept, the one without a match left alone.
    assert (counts["afas_items"], counts["variants"], counts["kept"], counts["left_alone"]) == (2, 3, 2, 1)

    env.afas_admin("POST", "/stock", {"rows": [{"item": "S-2", "warehouse": "01", "physical": 1}]})
    env.reset_calls()
    assert_every_task_ran(env.run(flow="stock"), STOCK_STEPS)
    assert levels(env)[ids[1]] == 1, "a change in AFAS is planned and pushed as before"


def test_stock_plans_again_after_an_hour_and_for_a_dry_run_or_a_full_comparison(sync_env):
    env = sync_env
    setup_shop(
        env, [{"articleCode": "H-1", "stockLevel": 0}], [{"item": "H-1", "warehouse": "01", "physical": 4}]
    )
    assert env.run(flow="stock").state == "success"
    assert_idle(env.run(flow="stock"), STOCK_STEPS)
    assert_every_task_ran(env.run(flow="stock", dry_run=True), STOCK_STEPS)
    assert_every_task_ran(env.run(flow="stock"), STOCK_STEPS)  # the dry run forgot the last plan
    assert_idle(env.run(flow="stock"), STOCK_STEPS)
    assert_every_task_ran(env.run(flow="stock", full_comparison=True), STOCK_STEPS)

    env.clock.advance(REPLAN_AFTER)  # the shop's own changes are looked at within the hour
    env.reset_calls()
    assert_every_task_ran(env.run(flow="stock"), STOCK_STEPS)
    lightspeed, _ = api_calls(env)
    assert lightspeed == {"GET /{lang}/variants.json": 1}
    assert_idle(env.run(flow="stock"), STOCK_STEPS)


def test_an_order_not_booked_yet_makes_the_next_stock_run_plan(sync_env):
    from emulators.demo_catalogue import COST_ITEMS, PRODUCTS

    env = sync_env
    code = next(p for p in PRODUCTS if p.in_afas).afas_item_code
    env.shop_admin("POST", "/reset", {"orders": 0})
    (vid,) = setup_shop(
        env, [{"articleCode": code, "stockLevel": 0}], [{"item": code, "warehouse": "01", "physical": 20}]
    )
    assert env.run(flow="stock").state == "success"
    assert_idle(env.run(flow="stock"), STOCK_STEPS)
    env.tenant(stock={"schedule": "*/15 * * * *"}, afas={"items": {**COST_ITEMS, "payment_fee": None}})
    placed = recently()
    held = {"payment_fee": "1.50", "createdAt": placed, "updatedAt": placed,
            "lines": [{"articleCode": code, "quantityOrdered": 3}]}  # fmt: skip
    env.shop_admin("POST", "/orders", {"orders": [held]})
    assert env.run().state == "failed"  # no payment-cost item: the order is not booked, it holds 3
    assert_every_task_ran(env.run(flow="stock"), STOCK_STEPS)  # AFAS is the same, what orders hold is not
    assert levels(env)[vid] == 17


def test_a_connector_changed_since_its_check_was_kept_fails_with_what_to_set(sync_env, capfd, caplog):
    env = sync_env
    setup_shop(
        env, [{"articleCode": "C-1", "stockLevel": 0}], [{"item": "C-1", "warehouse": "01", "physical": 2}]
    )
    assert env.run(flow="stock").state == "success"
    env.tenant(
        stock={"schedule": "*/15 * * * *", "fields": {"item_code": "Item_code", "quantity": "Voorraad"}}
    )
    env.reset_calls()
    with caplog.at_level(logging.INFO):
        run = env.run(flow="stock")
    assert run.state == "failed"
    assert "has no field stock.fields.quantity = 'Voorraad'" in task_log(capfd, caplog)
    _, afas = api_calls(env)
    assert afas == {"GET /metainfo/get/Profit_Stock_per_Warehouse": 1}, "other fields: checked again"


# -- articles ------------------------------------------------------------------------------------------


ARTICLE_STEPS = ["read_afas_articles", "plan_articles", "push_articles"]
AFAS_ARTICLE_READS = {
    "GET /connectors/Profit_Article": 1,
    "GET /connectors/Profit_Article_Basic": 1,
    "GET /connectors/Profit_Barcode_per_Item": 1,
}


def test_an_idle_articles_run_reads_each_afas_connector_once_and_calls_lightspeed_never(
    sync_env, capfd, caplog
):
    env = sync_env
    made = setup_articles(
        env,
        [one("A-1", "Oud", "9.00", priceIncl="10.89")],
        [{"code": "A-1", "description": "Nieuw", "price": "12.40", "vat_group": "LAAG"}],
    )
    assert_every_task_ran(env.run(flow="articles"), ARTICLE_STEPS)  # writes the differences
    # The run after writes plans once more: its plan shows the shop took every value, and is remembered.
    assert_every_task_ran(env.run(flow="articles"), ARTICLE_STEPS)

    env.reset_calls()
    with caplog.at_level(logging.INFO):
        run = env.run(flow="articles")
    assert_idle(run, ARTICLE_STEPS)
    lightspeed, afas = api_calls(env)
    assert lightspeed == {} and afas == AFAS_ARTICLE_READS
    assert (
        "nothing to write (AFAS gave what the last run planned from): plan_articles, push_articles skipped"
        in (task_log(capfd, caplog))
    )
    row = env.ledger.flow_runs("shop", "articles")[0]
    assert (row["run_id"], row["outcome"], row["calls"]) == (
        run.run_id,
        "success",
        {"afas": 3, "lightspeed": 0},
    )
    counts = row["counts"]
    assert (counts["planned_fields"], counts["written"], counts["followed"], counts["unchanged"]) == (
        0,
        0,
        1,
        1,
    )

    env.afas_admin("POST", "/articles", {"articles": [{"code": "A-1", "price": "13.00"}]})  # no date moves
    assert_every_task_ran(env.run(flow="articles"), ARTICLE_STEPS)
    variant = env.shop_admin("GET", f"/variants/{made[0]['variants'][0]}")
    assert Decimal(str(variant["priceExcl"])) == Decimal("13.00")
