"""The stock flow end to end: the stock DAG (read_afas_stock → plan_stock → push_stock) run with
``dag.test()`` against both emulators over HTTP."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

STOCK = {"schedule": "*/15 * * * *"}
PUT = "PUT /{lang}/variants/{id}.json"


def setup_shop(env, variants, stock_rows, **stock_block):
    """A shop with exactly ``variants`` and an AFAS environment with exactly ``stock_rows``."""
    env.tenant(stock={**STOCK, **stock_block})
    env.afas_admin("PUT", "/catalogue", {"warehouses": ["01", "02", "03", "HOOFD"]})
    for variant in env.shop_admin("GET", "/variants")["variants"]:
        env.shop_admin("DELETE", f"/variants/{variant['id']}")
    for item in env.afas_admin("GET", "/stock")["items"]:
        env.afas_admin("DELETE", f"/stock/{item}")
    made = env.shop_admin("POST", "/variants", {"variants": variants})["variants"]
    if stock_rows:
        env.afas_admin("POST", "/stock", {"rows": stock_rows})
    return [v["id"] for v in made]


def levels(env) -> dict[int, int]:
    return {v["id"]: v["stockLevel"] for v in env.shop_admin("GET", "/variants")["variants"]}


def puts(env) -> int:
    lightspeed, _ = env.calls()
    return lightspeed["calls"].get(PUT, 0)


def run_stock(env, **params):
    return env.run(flow="stock", **params)


def left_alone(env) -> dict[int, str]:
    return {vid: m.reason for vid, m in env.ledger.variant_map("shop").items() if m.status == "left_alone"}


def test_afas_stock_becomes_the_shop_level_and_a_second_run_writes_nothing(sync_env):
    ids = setup_shop(
        sync_env,
        [
            {"articleCode": "KOF-1", "stockLevel": 3},
            {"sku": " kof-2 ", "stockLevel": 0},  # trimmed, any case
            {"articleCode": "KOF-3", "stockLevel": 9, "stockTracking": "disabled"},
            {"articleCode": "NIET-IN-AFAS", "stockLevel": 4},
            {"articleCode": "DUBBEL", "stockLevel": 1},
            {"ean": "DUBBEL", "stockLevel": 1},
            {"articleCode": "KOF-4", "stockLevel": 2},
        ],
        [
            {"item": "KOF-1", "warehouse": "01", "physical": 12},
            {"item": "KOF-2", "warehouse": "01", "physical": "7.8"},
            {"item": "KOF-3", "warehouse": "01", "physical": 5},
            {"item": "DUBBEL", "warehouse": "01", "physical": 5},
            {"item": "KOF-4", "warehouse": "01", "physical": 2},
        ],
    )
    sync_env.reset_calls()
    run = run_stock(sync_env)
    assert run.state == "success"
    shop = levels(sync_env)
    assert shop[ids[0]] == 12 and shop[ids[1]] == 7  # 7.8 rounds down
    assert shop[ids[2]] == 9 and shop[ids[3]] == 4 and shop[ids[4]] == shop[ids[5]] == 1  # left alone
    assert shop[ids[6]] == 2
    assert puts(sync_env) == 2  # KOF-4 already had AFAS's level
    reasons = left_alone(sync_env)
    assert "disabled" in reasons[ids[2]]
    assert "no AFAS item" in reasons[ids[3]]
    assert "all match AFAS item DUBBEL" in reasons[ids[4]] and reasons[ids[5]] == reasons[ids[4]]
    pushes = sync_env.ledger.stock_pushes("shop")
    assert sorted((p["variant_id"], p["old_level"], p["new_level"], p["outcome"]) for p in pushes) == [
        (ids[0], 3, 12, "pushed"),
        (ids[1], 0, 7, "pushed"),
    ]
    (row,) = sync_env.ledger.flow_runs("shop", "stock")
    assert row["outcome"] == "success" and row["counts"]["pushed"] == 2 and row["counts"]["left_alone"] == 4
    # The first pushes told how the shop reads filter times: later refreshes are written in that zone.
    assert sync_env.ledger.flow_state("shop", "stock")["filter_zone"] == "Europe/Amsterdam"

    sync_env.reset_calls()
    second = run_stock(sync_env)
    assert second.state == "success"
    lightspeed, afas = sync_env.calls()
    assert puts(sync_env) == 0
    # AFAS gave what the first run planned from: the run ends in read_afas_stock (tests/e2e/test_idle_runs.py).
    assert lightspeed["calls"] == {}
    assert afas["calls"] == {"GET /connectors/Profit_Stock_per_Warehouse": 1, "status 200": 1}  # rows only
    states = {ti.task_id: ti.state for ti in second.get_task_instances()}
    assert states["plan_stock"] == states["push_stock"] == "skipped"


def test_only_what_changed_in_afas_is_pushed(sync_env):
    ids = setup_shop(
        sync_env,
        [{"articleCode": f"A-{i}", "stockLevel": 0} for i in range(5)],
        [{"item": f"A-{i}", "warehouse": "01", "physical": 10 + i} for i in range(5)],
    )
    run_stock(sync_env)
    sync_env.afas_admin("POST", "/stock", {"rows": [{"item": "A-3", "warehouse": "01", "physical": 1}]})
    sync_env.reset_calls()
    run_stock(sync_env)
    assert puts(sync_env) == 1
    assert levels(sync_env)[ids[3]] == 1


def test_a_dry_run_shows_the_planned_levels_and_writes_nothing(sync_env, caplog):
    ids = setup_shop(
        sync_env,
        [{"articleCode": "D-1", "stockLevel": 2}],
        [{"item": "D-1", "warehouse": "01", "physical": 6}],
    )
    sync_env.reset_calls()
    with caplog.at_level(logging.INFO):
        run = run_stock(sync_env, dry_run=True)
    assert run.state == "success"
    assert puts(sync_env) == 0 and levels(sync_env)[ids[0]] == 2
    assert "planned (dry run)" in caplog.text and "D-1" in caplog.text
    assert sync_env.ledger.stock_pushes("shop") == []
    assert sync_env.ledger.flow_runs("shop", "stock")[0]["outcome"] == "dry_run"


def test_bad_afas_quantities_are_reported_and_the_others_go_on(sync_env):
    ids = setup_shop(
        sync_env,
        [{"articleCode": code, "stockLevel": 5} for code in ("N-NULL", "N-TEXT", "N-NEG", "N-STR", "N-OK")],
        [
            {"item": "N-NULL", "warehouse": "01", "physical": 1, "raw": {"In_stock": None}},
            {"item": "N-TEXT", "warehouse": "01", "physical": 1, "raw": {"In_stock": "abc"}},
            {"item": "N-NEG", "warehouse": "01", "physical": -3},
            {"item": "N-STR", "warehouse": "01", "physical": 1, "raw": {"In_stock": "12.5"}},
            {"item": "N-OK", "warehouse": "01", "physical": 8},
            {"item": "N-NOCODE", "warehouse": "01", "physical": 8, "raw": {"Item_code": False}},
            {"item": "N-EMPTY", "warehouse": "01", "physical": 8, "raw": {"Item_code": ""}},
        ],
    )
    run = run_stock(sync_env)
    assert run.state == "success"
    shop = levels(sync_env)
    assert shop[ids[0]] == 5 and shop[ids[1]] == 5  # left alone, with the reason
    assert shop[ids[2]] == 0 and shop[ids[3]] == 12 and shop[ids[4]] == 8
    reasons = left_alone(sync_env)
    assert "null" in reasons[ids[0]] and "'abc'" in reasons[ids[1]]
    notes = {p["variant_id"]: p["reason"] for p in sync_env.ledger.stock_pushes("shop")}
    assert "pushed as 0" in notes[ids[2]]
    assert sync_env.ledger.flow_runs("shop", "stock")[0]["counts"]["afas_items_unusable"] == 2


def test_a_variant_deleted_between_map_and_push_leaves_the_map(sync_env):
    ids = setup_shop(
        sync_env,
        [{"articleCode": "G-1", "stockLevel": 1}, {"articleCode": "G-2", "stockLevel": 1}],
        [
            {"item": "G-1", "warehouse": "01", "physical": 1},
            {"item": "G-2", "warehouse": "01", "physical": 1},
        ],
    )
    run_stock(sync_env)
    sync_env.shop_admin("DELETE", f"/variants/{ids[0]}")  # a delete moves no updatedAt: the map keeps it
    sync_env.afas_admin("POST", "/stock", {"rows": [{"item": "G-1", "warehouse": "01", "physical": 4},
                                                    {"item": "G-2", "warehouse": "01", "physical": 4}]})  # fmt: skip
    assert run_stock(sync_env).state == "success"
    assert levels(sync_env)[ids[1]] == 4
    gone = [p for p in sync_env.ledger.stock_pushes("shop") if p["outcome"] == "gone"]
    assert [p["variant_id"] for p in gone] == [ids[0]]
    assert ids[0] not in sync_env.ledger.variant_map("shop")


def test_afas_is_leading_the_full_comparison_corrects_back_office_drift(sync_env):
    ids = setup_shop(
        sync_env,
        [{"articleCode": "F-1", "stockLevel": 0}],
        [{"item": "F-1", "warehouse": "01", "physical": 6}],
    )
    run_stock(sync_env)
    # Refreshes re-read what changed since the last one minus the overlap (2 h): this one no longer
    # reaches back to the first run's push.
    sync_env.clock.advance(timedelta(hours=3))
    run_stock(sync_env)
    sync_env.shop_admin("PATCH", f"/variants/{ids[0]}", {"stockLevel": 50})  # the back office: no updatedAt
    sync_env.reset_calls()
    run_stock(sync_env)
    assert levels(sync_env)[ids[0]] == 50 and puts(sync_env) == 0  # an incremental run cannot see it
    sync_env.clock.advance(timedelta(hours=25))  # the daily full comparison is due
    run_stock(sync_env)
    assert levels(sync_env)[ids[0]] == 6
    sync_env.shop_admin("PATCH", f"/variants/{ids[0]}", {"stockLevel": 40})
    run_stock(sync_env, full_comparison=True)  # or asked for at once
    assert levels(sync_env)[ids[0]] == 6


def test_orders_not_booked_yet_are_subtracted_until_afas_has_them(sync_env):
    from emulators.demo_catalogue import COST_ITEMS, PRODUCTS

    product = next(p for p in PRODUCTS if p.in_afas)
    code = product.afas_item_code
    items_without_fee = {**COST_ITEMS, "payment_fee": None}
    sync_env.shop_admin("POST", "/reset", {"orders": 0})
    (vid,) = setup_shop(
        sync_env,
        [{"articleCode": code, "stockLevel": 0}],
        [{"item": code, "warehouse": "01", "physical": 20}],
    )
    sync_env.tenant(stock=STOCK, afas={"items": items_without_fee})
    placed = (datetime.now(UTC) - timedelta(minutes=20)).isoformat()  # inside the next run's window
    order = {"payment_fee": "1.50", "createdAt": placed, "updatedAt": placed,
             "lines": [{"articleCode": code, "quantityOrdered": 3}]}  # fmt: skip
    sync_env.shop_admin("POST", "/orders", {"orders": [order]})
    assert sync_env.run().state == "failed"  # no payment-cost item: the order is not booked
    assert sync_env.ledger.unbooked_quantities("shop") == {code.upper(): 3}
    run_stock(sync_env)
    assert levels(sync_env)[vid] == 17  # 20 in AFAS, 3 on an order AFAS does not know yet
    sync_env.tenant(stock=STOCK)  # the tenant fixes its cost items; the retry books the order
    sync_env.clock.advance(timedelta(hours=2))
    assert sync_env.run().state == "success"
    assert sync_env.ledger.unbooked_quantities("shop") == {}
    sync_env.reset_calls()
    run_stock(sync_env)
    assert levels(sync_env)[vid] == 17 and puts(sync_env) == 0  # AFAS now reserves the 3 itself


def test_a_connector_without_the_fields_fails_the_run_and_says_what_to_set(sync_env, capfd, caplog):
    setup_shop(
        sync_env,
        [{"articleCode": "X", "stockLevel": 0}],
        [],
        fields={"item_code": "Item_code", "quantity": "Voorraad"},
    )
    with caplog.at_level(logging.INFO):
        run = run_stock(sync_env)
    assert run.state == "failed"
    output = capfd.readouterr().out + "\n" + caplog.text  # the task log: stdout or Python logging
    assert "has no field stock.fields.quantity = 'Voorraad'" in output
    assert "In_stock" in output  # the fields it does have
    assert sync_env.ledger.flow_runs("shop", "stock")[0]["outcome"] == "failed"  # closed by the teardown


def test_a_custom_connector_sums_only_the_chosen_warehouses(sync_env):
    ids = setup_shop(
        sync_env,
        [{"articleCode": "W-1", "stockLevel": 0}],
        [{"item": "W-1", "warehouse": w, "physical": n} for w, n in (("01", 5), ("02", 7), ("03", 100))],
        connector="LightspeedAfas_Stock",
        fields={"item_code": "ItemCode", "quantity": "StockFree", "warehouse": "Warehouse"},
        warehouses=["01", "02"],
    )
    assert run_stock(sync_env).state == "success"
    assert levels(sync_env)[ids[0]] == 12


def test_stock_never_starves_orders_of_the_shared_budget(sync_env):
    """Stock has far more to push than a window allows while orders keep booking: each stock run stops
    with the orders' reserve untouched, orders book without a 429 or a wait, later runs finish the backlog."""
    limits, count = [100, 1000, 10000], 150
    ids = setup_shop(
        sync_env,
        [{"articleCode": f"B-{i:03}", "stockLevel": 0} for i in range(count)],
        [{"item": f"B-{i:03}", "warehouse": "01", "physical": 5} for i in range(count)],
    )
    sync_env.run()  # the shop's existing orders are booked first
    sync_env.shop_admin("POST", "/faults", {"rate_limit": {"limits": limits}})
    reserve = int(0.4 * limits[0])
    runs = 0
    while sum(1 for vid in ids if levels(sync_env)[vid] == 5) < count:
        runs += 1
        assert runs <= 6, "the backlog does not shrink"
        sync_env.shop_admin("POST", "/clock", {"advance_seconds": 301})  # the next 5-minute window
        run_stock(sync_env)
        used = window_used(sync_env)
        assert limits[0] - used >= reserve, f"stock left {limits[0] - used} calls, less than {reserve}"
        placed = (datetime.now(UTC) - timedelta(minutes=20)).isoformat()
        sync_env.shop_admin("POST", "/orders", {"orders": [{"createdAt": placed, "updatedAt": placed}] * 2})
        before = sync_env.shop_admin("GET", "/calls")["rate_limited"]
        orders = sync_env.run()  # in what stock left of the window
        assert sync_env.shop_admin("GET", "/calls")["rate_limited"] == before, "orders met a 429"
        assert orders.state == "success"
        assert window_used(sync_env) > used  # orders did use the window stock left them
    assert runs >= 3  # the backlog took several windows
    outcomes = [r["outcome"] for r in reversed(sync_env.ledger.flow_runs("shop", "stock"))]
    assert outcomes[0] == "partial" and outcomes[-1] == "success"
    assert "kept for the orders flow" in (sync_env.ledger.flow_runs("shop", "stock")[-1]["message"] or "")


def window_used(env) -> int:
    """Calls made in the current 5-minute window of the emulator's (one) API key."""
    (windows,) = env.shop_admin("GET", "/state")["rate_limits"].values()
    return windows[0]["used"]


def test_a_shop_that_does_not_take_the_level_as_sent_halts_the_pushes_until_resumed(sync_env, capfd):
    ids = setup_shop(
        sync_env,
        [{"articleCode": f"H-{i}", "stockLevel": 3} for i in range(3)],
        [{"item": f"H-{i}", "warehouse": "01", "physical": 10} for i in range(3)],
    )
    sync_env.shop_admin("POST", "/variant_rules", {"stock_level_put": "delta"})  # a reading of [U] §3.2
    sync_env.reset_calls()
    assert run_stock(sync_env).state == "failed"
    assert puts(sync_env) == 1, "one PUT, then the flow halts: every further push would be wrong"
    assert "does not take the level as sent" in capfd.readouterr().out
    assert sorted(levels(sync_env)[v] for v in ids) == [3, 3, 13]
    sync_env.reset_calls()
    assert run_stock(sync_env).state == "failed"  # still halted: nothing is pushed
    assert puts(sync_env) == 0
    assert "halted" in (sync_env.ledger.flow_runs("shop", "stock")[0]["message"] or "")
    sync_env.shop_admin("POST", "/variant_rules", {"stock_level_put": "absolute"})  # the shop is fixed
    assert run_stock(sync_env, resume=True, full_comparison=True).state == "success"
    assert [levels(sync_env)[v] for v in ids] == [10, 10, 10]


@pytest.mark.parametrize("bumps", [False, True])
def test_either_reading_of_back_office_changes_ends_with_afas_levels(sync_env, bumps):
    """Whether a stock change in the shop moves ``updatedAt`` is unknown ([U]); both readings end right."""
    ids = setup_shop(
        sync_env,
        [{"articleCode": "R-1", "stockLevel": 0}],
        [{"item": "R-1", "warehouse": "01", "physical": 4}],
    )
    sync_env.shop_admin("POST", "/variant_rules", {"stock_change_bumps_updated_at": bumps})
    run_stock(sync_env)
    sync_env.shop_admin("PATCH", f"/variants/{ids[0]}", {"stockLevel": 99})
    sync_env.clock.advance(timedelta(hours=25))
    run_stock(sync_env)
    assert levels(sync_env)[ids[0]] == 4
