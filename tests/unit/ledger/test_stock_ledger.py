"""The ledger's parts for the flows beside orders: flow runs and cursors, the variant map, the pushes,
and what unbooked orders hold."""

from __future__ import annotations

from lightspeed_afas.domain.stock import Push, Variant
from lightspeed_afas.ledger import clock
from lightspeed_afas.ledger.stock import PushResult, earlier_failures


def variant(vid: int, code: str, level: int | None = 0) -> Variant:
    return Variant(vid, 1, code, None, None, "enabled", level, "2026-11-20T12:00:00+00:00")


def test_a_flow_run_is_opened_once_per_run_and_closed_with_its_counts(ledger):
    pk = ledger.start_flow_run("acme", "stock", "r1", "scheduled")
    assert ledger.start_flow_run("acme", "stock", "r1", "scheduled") == pk  # a retried first task
    ledger.finish_flow_run(pk, "partial", {"pushed": 3}, {"lightspeed": 4}, "budget")
    (row,) = ledger.flow_runs("acme", "stock")
    assert (row["outcome"], row["counts"], row["calls"], row["message"]) == (
        "partial",
        {"pushed": 3},
        {"lightspeed": 4},
        "budget",
    )
    assert row["duration_s"] is not None and ledger.flow_runs("acme", "orders") == []
    other = ledger.start_flow_run("acme", "stock", "r2", "manual")
    assert ledger.close_unfinished_flow_run("acme", "stock", "r2", "killed") == 1
    assert ledger.close_unfinished_flow_run("acme", "stock", "r2", "killed") == 0
    assert ledger.flow_runs("acme", "stock")[0]["id"] == other


def test_flow_state_values_are_json_and_none_removes_one(ledger):
    ledger.set_flow_state("acme", "stock", a="2026-11-20T12:00:00+00:00", b={"next_page": 3})
    assert ledger.flow_state("acme", "stock") == {"a": "2026-11-20T12:00:00+00:00", "b": {"next_page": 3}}
    ledger.set_flow_state("acme", "stock", b=None)
    assert ledger.flow_state("acme", "stock") == {"a": "2026-11-20T12:00:00+00:00"}
    assert ledger.flow_state("beta", "stock") == {}


def test_the_variant_map_keeps_decisions_and_a_full_read_drops_what_the_shop_lost(ledger):
    ledger.save_variants("acme", [variant(1, "A"), variant(2, "B"), variant(3, "C")])
    ledger.set_decisions("acme", {1: "A"}, {2: "no AFAS item has its code", 3: "tracking"})
    mapped = ledger.variant_map("acme")
    assert (mapped[1].status, mapped[1].item_code) == ("kept", "A")
    assert (mapped[2].status, mapped[2].reason) == ("left_alone", "no AFAS item has its code")
    full_read_started = clock.now_utc()
    ledger.save_variants("acme", [variant(1, "A", level=5)])  # the full read sees only variant 1
    assert ledger.remove_variants_not_seen_since("acme", full_read_started) == 2
    assert set(ledger.variant_map("acme")) == {1}
    assert ledger.variant_map("acme")[1].shop_level == 5


def test_pushes_are_logged_and_move_the_known_level_a_gone_variant_leaves_the_map(ledger):
    ledger.save_variants("acme", [variant(1, "A"), variant(2, "B")])
    ledger.record_pushes(
        "acme",
        "r1",
        [PushResult(Push(1, "A", 0, 7), "pushed", 7), PushResult(Push(2, "B", 0, 3), "gone", reason="404")],
    )
    assert ledger.variant_map("acme")[1].shop_level == 7 and 2 not in ledger.variant_map("acme")
    ledger.record_pushes("acme", "r2", [PushResult(Push(1, "A", 7, 8), "failed", reason="refused")])
    assert [p["outcome"] for p in ledger.stock_pushes("acme")] == ["failed", "gone", "pushed"]
    assert earlier_failures(ledger, "acme", [1], "r3") == {(1, "refused")}
    assert earlier_failures(ledger, "acme", [1], "r2") == set()


def test_unbooked_holds_are_replaced_per_order_and_released(ledger):
    ledger.hold_unbooked("acme", {10: {"A": 2, "B": 1}, 11: {"A": 3}})
    assert ledger.unbooked_quantities("acme") == {"A": 5, "B": 1}
    ledger.hold_unbooked("acme", {10: {"A": 1}, 11: {}})
    assert ledger.unbooked_quantities("acme") == {"A": 1}
    assert ledger.unbooked_quantities("beta") == {}
