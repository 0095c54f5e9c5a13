"""The stock flow's pure rules: codes, quantities, sums per item, matching, and the levels to push."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lightspeed_afas.domain.stock import (
    Push,
    Variant,
    match_variants,
    normalise_code,
    parse_quantity,
    parse_variant,
    plan_pushes,
    sum_stock,
    target_level,
)

MATCH_ON = ("articleCode", "sku", "ean")


def variant(vid: int, article: str | None = None, sku: str | None = None, ean: str | None = None,
            tracking: str = "enabled", level: int | None = 5) -> Variant:  # fmt: skip
    return Variant(vid, 1, article, sku, ean, tracking, level, "2026-11-20T12:00:00+00:00")


@pytest.mark.parametrize(
    ("raw", "code"),
    [(" ab-1 ", "AB-1"), ("Ab-1", "AB-1"), ("", None), ("   ", None), (False, None), (None, None),
     (8710000000001, "8710000000001"), (True, None), ([], None)],
)  # fmt: skip
def test_codes_are_trimmed_and_compared_in_upper_case(raw, code):
    assert normalise_code(raw) == code


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (3, Decimal(3)),
        (2.5, Decimal("2.5")),
        ("12.5", Decimal("12.5")),
        (" 7 ", Decimal(7)),
        (-3, Decimal(-3)),
    ],
)
def test_quantities_are_numbers_or_numeric_text(raw, expected):
    assert parse_quantity(raw) == expected


@pytest.mark.parametrize(
    ("raw", "says"),
    [(None, "null"), ("abc", "'abc'"), (True, "true"), ("NaN", "not a finite"), ("Infinity", "not a finite"),
     ({"a": 1}, "dict")],
)  # fmt: skip
def test_bad_quantities_have_a_reason(raw, says):
    reason = parse_quantity(raw)
    assert isinstance(reason, str) and says in reason


def test_sum_stock_adds_warehouses_and_keeps_bad_items_apart():
    rows = [
        {"ItemCode": "a", "Warehouse": "01", "Qty": 2},
        {"ItemCode": "A ", "Warehouse": "02", "Qty": "3.5"},
        {"ItemCode": "B", "Warehouse": "01", "Qty": 4},
        {"ItemCode": "B", "Warehouse": "02", "Qty": None},
        {"ItemCode": "", "Warehouse": "01", "Qty": 9},
        {"ItemCode": "C", "Warehouse": "03", "Qty": 1},
    ]
    stock = sum_stock(rows, "ItemCode", "Qty", "Warehouse", ["01", "02"])
    assert stock.quantities == {"A": Decimal("5.5")}
    assert stock.bad_items == {"B": "AFAS gives no quantity (null)"}
    assert stock.rows_without_code == 1
    assert stock.rows == 5  # warehouse 03 is not counted
    everything = sum_stock(rows, "ItemCode", "Qty", "Warehouse", [])
    assert everything.quantities["C"] == Decimal(1)


@pytest.mark.parametrize(
    ("quantity", "unbooked", "level"), [("7.9", 0, 7), ("7", 2, 5), ("1", 3, 0), ("-3", 0, 0)]
)
def test_target_level_floors_and_never_goes_below_zero(quantity, unbooked, level):
    assert target_level(Decimal(quantity), unbooked) == level


def test_matching_tries_the_codes_in_order_and_never_guesses():
    variants = [
        variant(1, article="A"),
        variant(2, article="x", sku="B"),  # articleCode unknown in AFAS, sku matches
        variant(3, article="C", tracking="disabled"),
        variant(4, article="NOPE", ean="0000"),
        variant(5, sku="D"),
        variant(6, ean="D"),  # shares D with variant 5
        variant(7),
    ]
    result = match_variants(variants, {"A", "B", "C", "D"}, MATCH_ON)
    assert result.items == {1: "A", 2: "B"}
    assert "disabled" in result.left_alone[3]
    assert "no AFAS item has its code" in result.left_alone[4] and "'NOPE'" in result.left_alone[4]
    assert "5, 6" in result.left_alone[5] and result.left_alone[5] == result.left_alone[6]
    assert "no code to match" in result.left_alone[7]


def test_match_on_order_decides_which_code_counts():
    only_ean = match_variants([variant(1, article="A", ean="E")], {"A", "E"}, ("ean",))
    assert only_ean.items == {1: "E"}


def test_plan_pushes_only_what_differs_with_notes():
    quantities = {"A": Decimal(5), "B": Decimal(3), "C": Decimal(-2), "D": Decimal(8)}
    pushes = plan_pushes({1: "A", 2: "B", 3: "C", 4: "D"}, {1: 5, 2: 1, 3: 4, 4: None}, quantities, {"B": 1})
    assert [(p.variant_id, p.old, p.new) for p in pushes] == [(2, 1, 2), (3, 4, 0), (4, None, 8)]
    assert "minus 1" in pushes[0].note
    assert "pushed as 0" in pushes[1].note


def test_push_round_trips_through_json():
    push = Push(7, "A", None, 3, "note")
    assert Push.from_dict(push.as_dict()) == push


def test_parse_variant_reads_the_api_shape_and_its_type_noise():
    raw = {"id": 36285796, "articleCode": " abc ", "sku": "", "ean": False, "stockTracking": "indicator",
           "stockLevel": "12", "updatedAt": "2019-08-01T16:10:58+00:00",
           "product": {"resource": {"id": 21881217, "url": "products/21881217"}}}  # fmt: skip
    parsed = parse_variant(raw)
    assert parsed == Variant(
        36285796, 21881217, "ABC", None, None, "indicator", 12, "2019-08-01T16:10:58+00:00"
    )
    assert parse_variant({"id": "x"}) is None and parse_variant({"id": True}) is None
