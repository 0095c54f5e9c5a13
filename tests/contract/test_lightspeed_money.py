"""The emulator's amounts add up the way ``emulators/lightspeed/money.py`` documents, for every
generated order, to the cent (Decimal), with the VAT-rounding differences real shops have."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest

from tests.support.lightspeed_fixtures import admin, all_orders, get

CENT = Decimal("0.01")
MONEY_FIELDS = (
    "priceExcl",
    "priceIncl",
    "paymentPriceIncl",
    "paymentPriceExcl",
    "shipmentPriceIncl",
    "shipmentPriceExcl",
    "discountAmount",
)


def d(value) -> Decimal:
    return Decimal(str(value))


def excl(incl: Decimal, rate: Decimal) -> Decimal:
    return (incl / (1 + rate)).quantize(CENT, ROUND_HALF_UP)


@pytest.fixture
def orders(lightspeed_factory):
    """300 generated orders: enough for every kind of discount, cost and rounding case."""
    return all_orders(lightspeed_factory(orders=300))


def test_money_is_json_numbers(orders):
    for order in orders:
        assert all(isinstance(order[f], int | float) for f in MONEY_FIELDS), order["number"]
        for line in order["products"]["resource"]["embedded"]:
            assert all(isinstance(line[f], int | float) for f in ("priceIncl", "priceExcl", "basePriceIncl"))


def test_order_total_is_lines_plus_costs_minus_discount(orders):
    for order in orders:
        lines = order["products"]["resource"]["embedded"]
        expected = (
            sum((d(ln["priceIncl"]) for ln in lines), Decimal(0))
            + d(order["shipmentPriceIncl"])
            + d(order["paymentPriceIncl"])
            - d(order["discountAmount"])
        )
        assert d(order["priceIncl"]) == expected, order["number"]


def test_lines_are_unit_times_quantity_with_vat_per_line(orders):
    for order in orders:
        for line in order["products"]["resource"]["embedded"]:
            rate, quantity = d(line["taxRate"]), line["quantityOrdered"]
            assert d(line["priceIncl"]) == d(line["basePriceIncl"]) * quantity
            assert d(line["priceExcl"]) == excl(d(line["priceIncl"]), rate)
            assert d(line["basePriceExcl"]) == excl(d(line["basePriceIncl"]), rate)
            assert [r["rate"] for r in line["taxRates"]] == [line["taxRate"]]
            assert d(line["taxRates"][0]["amount"]) == d(line["priceIncl"]) - d(line["priceExcl"])


def test_order_vat_per_rate_sums_to_incl_minus_excl(orders):
    for order in orders:
        vat = sum((d(r["amount"]) for r in order["taxRates"]), Decimal(0))
        assert vat == d(order["priceIncl"]) - d(order["priceExcl"]), order["number"]
        assert all(r["rate"] in (0.21, 0.09, 0) for r in order["taxRates"])
        for cost in ("shipment", "payment"):
            incl, ex = d(order[f"{cost}PriceIncl"]), d(order[f"{cost}PriceExcl"])
            assert ex == excl(incl, Decimal("0.21"))
            assert sum((d(r["amount"]) for r in order[f"{cost}TaxRates"]), Decimal(0)) == incl - ex


def test_without_discount_the_vat_per_rate_is_the_sum_of_line_vat_plus_costs(orders):
    for order in (o for o in orders if not o["discountAmount"]):
        expected: dict[Decimal, Decimal] = {}
        for line in order["products"]["resource"]["embedded"]:
            rate = d(line["taxRate"])
            expected[rate] = expected.get(rate, Decimal(0)) + d(line["taxRates"][0]["amount"])
        for cost in ("shipment", "payment"):
            if order[f"{cost}PriceIncl"]:
                high = Decimal("0.21")
                expected[high] = expected.get(high, Decimal(0)) + d(order[f"{cost}TaxRates"][0]["amount"])
        assert {d(r["rate"]): d(r["amount"]) for r in order["taxRates"]} == expected, order["number"]


def test_some_orders_have_a_cent_between_rounded_line_vat_and_vat_on_the_total(orders):
    differences = []
    for order in orders:
        by_rate: dict[Decimal, list[dict]] = {}
        for line in order["products"]["resource"]["embedded"]:
            by_rate.setdefault(d(line["taxRate"]), []).append(line)
        for rate, lines in by_rate.items():
            total = sum((d(ln["priceIncl"]) for ln in lines), Decimal(0))
            line_vat = sum((d(ln["taxRates"][0]["amount"]) for ln in lines), Decimal(0))
            differences.append(line_vat - (total - excl(total, rate)))
    assert any(differences) and all(abs(x) <= Decimal("0.02") for x in differences)


def test_discounts_percentage_and_fixed(orders):
    percentage = [o for o in orders if o["discountType"] == "percentage"]
    fixed = [o for o in orders if o["discountType"] == "amount"]
    assert percentage and fixed
    for order in percentage:
        goods = sum((d(ln["priceIncl"]) for ln in order["products"]["resource"]["embedded"]), Decimal(0))
        assert d(order["discountAmount"]) == (goods * d(order["discountPercentage"])).quantize(
            CENT, ROUND_HALF_UP
        )
        assert order["isDiscounted"] and order["discountCouponCode"]
    assert all(0 < order["discountAmount"] <= 5 and order["discountPercentage"] == 0 for order in fixed)


def test_unit_semantics_renders_unit_prices_and_the_total_still_adds_up(lightspeed_factory):
    for order in all_orders(lightspeed_factory(line_price_semantics="unit")):
        lines = order["products"]["resource"]["embedded"]
        assert all(ln["priceIncl"] == ln["basePriceIncl"] for ln in lines)
        goods = sum((d(ln["priceIncl"]) * ln["quantityOrdered"] for ln in lines), Decimal(0))
        expected = (
            goods + d(order["shipmentPriceIncl"]) + d(order["paymentPriceIncl"]) - d(order["discountAmount"])
        )
        assert d(order["priceIncl"]) == expected


def test_a_seeded_order_with_discount_shipping_and_fee_adds_up(lightspeed):
    spec = {
        "customer": False,
        "lines": [
            {"articleCode": "ART-1001", "quantityOrdered": 3},  # 3 × 8.95 at 9 %
            {"sku": "MOK-WIT-350", "quantityOrdered": 1},  # 12.50 at 21 %
            {"ean": "", "sku": "", "productTitle": "Cadeaubon", "basePriceIncl": "25", "taxRate": "0"},
        ],
        "shipping": "4.95",
        "payment_fee": "1.95",
        "discount": {"kind": "percentage", "value": "0.10", "code": "WELKOM10"},
    }
    order_id = admin(lightspeed, "POST", "/orders", {"orders": [spec]})["orders"][0]["id"]
    order = get(lightspeed, f"/nl/orders/{order_id}.json").json()["order"]
    # goods 26.85 + 12.50 + 25.00 = 64.35; discount 6.44; + 4.95 + 1.95
    assert (order["discountAmount"], order["priceIncl"]) == (6.44, 64.81)
    assert {r["rate"] for r in order["taxRates"]} == {0.21, 0.09, 0}
    vat = sum((d(r["amount"]) for r in order["taxRates"]), Decimal(0))
    assert vat == d(order["priceIncl"]) - d(order["priceExcl"])
