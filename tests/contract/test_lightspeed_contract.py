"""Contract tests of the Lightspeed eCom emulator over HTTP: auth, language, paging, filters, quirks,
money, determinism, rate limits, faults and the admin API."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from decimal import Decimal
from email.utils import parsedate_to_datetime

import pytest

from tests.support.lightspeed_fixtures import AMS, LS_AUTH, admin, all_orders, get


def test_basic_auth_is_required(lightspeed):
    assert get(lightspeed, "/nl/orders.json", auth=None).status_code == 401
    response = get(lightspeed, "/nl/orders.json", auth=(LS_AUTH[0], "wrong"))
    assert response.status_code == 401 and response.json()["error"]["message"]


@pytest.mark.parametrize("lang", ["fr", "xx", "nld"])
def test_unknown_or_inactive_language_is_a_404_with_that_text(lightspeed, lang):
    response = get(lightspeed, f"/{lang}/orders.json")
    assert (
        response.status_code == 404 and response.json()["error"]["message"] == "Unknown or inactive language"
    )


def test_one_root_key_per_body_and_resource_links(lightspeed):
    body = get(lightspeed, "/nl/orders.json", limit=3).json()
    assert list(body) == ["orders"]
    order = body["orders"][0]
    assert order["products"]["resource"]["id"] is False
    assert order["products"]["resource"]["link"] == f"{lightspeed.url}/nl/orders/{order['id']}/products.json"
    assert "embedded" not in order["products"]["resource"]
    assert list(get(lightspeed, "/nl/orders/count.json").json()) == ["count"]
    assert list(get(lightspeed, "/nl/shop.json").json()) == ["shop"]


def test_paging_covers_every_order_newest_id_first(lightspeed):
    seen = []
    page = 1
    while True:
        batch = get(lightspeed, "/nl/orders.json", limit=25, page=page).json()["orders"]
        seen += [o["id"] for o in batch]
        if len(batch) < 25:
            break
        page += 1
    assert seen == sorted(seen, reverse=True) and len(seen) == len(set(seen)) == 60
    assert get(lightspeed, "/nl/orders.json").json()["orders"].__len__() == 50  # default limit


def test_limit_above_250_and_bad_dates_are_400s_naming_the_parameter(lightspeed):
    response = get(lightspeed, "/nl/orders.json", limit=251)
    assert response.status_code == 400 and "limit" in response.json()["error"]["message"]
    for bad in ("2026-11-01", "2026-11-01T10:00:00", "01-11-2026 10:00:00", "2026-11-01 10:00:00+01:00"):
        response = get(lightspeed, "/nl/orders.json", updated_at_min=bad)
        assert response.status_code == 400
        assert (
            "updated_at_min" in response.json()["error"]["message"]
            and "YYYY-MM-DD HH:MM:SS" in response.json()["error"]["message"]
        )


def test_updated_window_is_inclusive_and_read_in_shop_time(lightspeed):
    order = all_orders(lightspeed)[10]
    local = datetime.fromisoformat(order["updatedAt"]).astimezone(AMS).strftime("%Y-%m-%d %H:%M:%S")
    hit = get(lightspeed, "/nl/orders.json", updated_at_min=local, updated_at_max=local).json()["orders"]
    assert [o["id"] for o in hit] == [order["id"]]
    utc = datetime.fromisoformat(order["updatedAt"]).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    assert get(lightspeed, "/nl/orders.json", updated_at_min=utc, updated_at_max=utc).json()["orders"] == []


def test_filter_time_zone_can_be_utc(lightspeed_factory):
    server = lightspeed_factory(filter_timezone="UTC")
    order = all_orders(server)[10]
    utc = datetime.fromisoformat(order["updatedAt"]).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    assert [
        o["id"]
        for o in get(server, "/nl/orders.json", updated_at_min=utc, updated_at_max=utc).json()["orders"]
    ] == [order["id"]]


def test_count_agrees_with_the_list_for_a_window(lightspeed):
    params = {"updated_at_min": "2026-11-01 00:00:00", "updated_at_max": "2026-11-15 00:00:00"}
    listed = get(lightspeed, "/nl/orders.json", limit=250, **params).json()["orders"]
    assert get(lightspeed, "/nl/orders/count.json", **params).json()["count"] == len(listed) > 0


def test_number_and_customer_filters(lightspeed):
    order = next(o for o in all_orders(lightspeed) if o["customer"])
    assert [o["id"] for o in get(lightspeed, "/nl/orders.json", number=order["number"]).json()["orders"]] == [
        order["id"]
    ]
    customer_id = order["customer"]["resource"]["id"]
    assert all(
        o["customer"]["resource"]["id"] == customer_id
        for o in get(lightspeed, "/nl/orders.json", customer=customer_id).json()["orders"]
    )


def test_single_order_embeds_the_same_lines_as_products_json(lightspeed):
    order_id = all_orders(lightspeed)[3]["id"]
    single = get(lightspeed, f"/nl/orders/{order_id}.json").json()["order"]
    lines = get(lightspeed, f"/nl/orders/{order_id}/products.json").json()["orderProducts"]
    assert single["products"]["resource"]["embedded"] == lines and lines


def test_customers_shop_and_unknown_ids(lightspeed):
    order = next(o for o in all_orders(lightspeed) if o["customer"])
    customer = get(lightspeed, f"/nl/customers/{order['customer']['resource']['id']}.json").json()["customer"]
    assert customer["email"] and customer["addressBillingCountry"]["code"].islower()
    shop = get(lightspeed, "/nl/shop.json").json()["shop"]
    assert shop["currency"]["shortcode"] == "EUR"
    assert get(lightspeed, "/nl/orders/1.json").status_code == 404
    assert get(lightspeed, "/nl/customers/1.json").status_code == 404


def test_generated_orders_carry_the_api_quirks(lightspeed):
    orders = all_orders(lightspeed)
    assert any(o["customer"] is False for o in orders), "guest orders have customer: false"
    assert all(o["birthDate"] is False and o["referralId"] is False for o in orders)
    assert any(o["addressShippingCompany"] is False for o in orders)
    assert all(o["paymentData"] == [] for o in orders)
    assert any(isinstance(o["priceCost"], str) for o in orders) and any(
        isinstance(o["weight"], str) for o in orders
    )
    assert all(isinstance(o["addressBillingNumber"], str) for o in orders)
    offsets = {o["createdAt"][-6:] for o in orders}
    assert offsets == {"+01:00", "+02:00"}
    assert all(
        o["addressBillingCountry"]["code"] == o["addressBillingCountry"]["code"].lower() for o in orders
    )
    rates = {line["taxRate"] for o in orders for line in o["products"]["resource"]["embedded"]}
    assert rates <= {0.21, 0.09, 0} and 0.09 in rates and 0.21 in rates
    assert any(o["isCompany"] and o["companyVatNumber"] for o in orders)
    assert any(o["status"] == "cancelled" for o in orders) and any(
        o["paymentStatus"] == "not_paid" for o in orders
    )
    assert any(o["discountAmount"] for o in orders) and any(o["paymentPriceIncl"] for o in orders)
    names = {o["lastname"] for o in orders}
    assert {"Hoff", "Groß"} <= names
    assert any(len(o["products"]["resource"]["embedded"]) > 1 for o in orders)


def test_every_generated_order_adds_up_to_its_total(lightspeed):
    for order in all_orders(lightspeed):
        lines = order["products"]["resource"]["embedded"]
        goods = sum(Decimal(str(line["priceIncl"])) for line in lines)
        assert all(
            Decimal(str(ln["priceIncl"])) == Decimal(str(ln["basePriceIncl"])) * ln["quantityOrdered"]
            for ln in lines
        )
        expected = (
            goods
            + Decimal(str(order["shipmentPriceIncl"]))
            + Decimal(str(order["paymentPriceIncl"]))
            - Decimal(str(order["discountAmount"]))
        )
        assert Decimal(str(order["priceIncl"])) == expected, order["number"]


def test_unit_price_semantics_switch(lightspeed_factory):
    server = lightspeed_factory(line_price_semantics="unit")
    for order in all_orders(server):
        for line in order["products"]["resource"]["embedded"]:
            assert line["priceIncl"] == line["basePriceIncl"]


def test_same_seed_gives_identical_data(lightspeed_factory):
    a, b = lightspeed_factory(), lightspeed_factory()
    strip = lambda orders: json.loads(json.dumps(orders).replace(a.url, "X").replace(b.url, "X"))  # noqa: E731
    assert strip(all_orders(a)) == strip(all_orders(b))
    assert strip(all_orders(a)) != strip(all_orders(lightspeed_factory(seed="other")))


def test_rate_limit_headers_count_down_for_three_windows(lightspeed):
    first = get(lightspeed, "/nl/shop.json").headers
    second = get(lightspeed, "/nl/shop.json").headers
    assert first["X-RateLimit-Limit"] == "300/3000/12000"
    r1 = [int(x) for x in first["X-RateLimit-Remaining"].split("/")]
    r2 = [int(x) for x in second["X-RateLimit-Remaining"].split("/")]
    assert [a - b for a, b in zip(r1, r2, strict=True)] == [1, 1, 1]
    assert [int(x) for x in second["X-RateLimit-Reset"].split("/")][0] <= 300


@pytest.mark.parametrize("fmt", ["seconds", "http-date"])
def test_429_with_retry_after_when_a_window_is_spent(lightspeed_factory, fmt):
    server = lightspeed_factory(rate_limits=(3, 100, 1000), retry_after_format=fmt)
    statuses = [get(server, "/nl/shop.json").status_code for _ in range(3)]
    response = get(server, "/nl/shop.json")
    assert statuses == [200, 200, 200] and response.status_code == 429
    value = response.headers["Retry-After"]
    if fmt == "seconds":
        assert 1 <= int(value) <= 301
    else:
        assert parsedate_to_datetime(value) > datetime.now(UTC)
    assert response.headers["X-RateLimit-Remaining"].startswith("0/")
    assert admin(server, "GET", "/calls")["rate_limited"] == 1


def test_window_resets_when_the_clock_moves_on(lightspeed_factory):
    server = lightspeed_factory(rate_limits=(2, 100, 1000))
    get(server, "/nl/shop.json"), get(server, "/nl/shop.json")
    assert get(server, "/nl/shop.json").status_code == 429
    admin(server, "POST", "/clock", {"advance_seconds": 301})
    assert get(server, "/nl/shop.json").status_code == 200


def test_compressed_clock_states_reset_in_real_seconds(lightspeed_factory):
    server = lightspeed_factory(clock_scale=60)
    resets = [int(x) for x in get(server, "/nl/shop.json").headers["X-RateLimit-Reset"].split("/")]
    assert resets == [5, 60, 1440]


def test_day_budget_can_be_exhausted_on_demand(lightspeed):
    admin(lightspeed, "POST", "/faults", {"exhaust": "day"})
    response = get(lightspeed, "/nl/shop.json")
    assert response.status_code == 429 and response.headers["X-RateLimit-Remaining"].endswith("/0")


def test_seeding_and_patching_orders_moves_them_in_the_window(lightspeed):
    created = admin(
        lightspeed,
        "POST",
        "/orders",
        {
            "orders": [
                {
                    "email": "nieuw@example.nl",
                    "customer": False,
                    "lines": [
                        {
                            "articleCode": "ART-1001",
                            "quantityOrdered": 2,
                            "basePriceIncl": "8.95",
                            "taxRate": "0.09",
                        }
                    ],
                }
            ]
        },
    )
    order_id = created["orders"][0]["id"]
    order = get(lightspeed, f"/nl/orders/{order_id}.json").json()["order"]
    assert order["customer"] is False and order["priceIncl"] == 17.9
    before = order["updatedAt"]
    admin(lightspeed, "PATCH", f"/orders/{order_id}", {"status": "completed_shipped"})
    after = get(lightspeed, f"/nl/orders/{order_id}.json").json()["order"]
    assert after["updatedAt"] > before and after["status"] == "completed_shipped"
    window = datetime.fromisoformat(before).astimezone(AMS).strftime("%Y-%m-%d %H:%M:%S")
    ids = [o["id"] for o in get(lightspeed, "/nl/orders.json", updated_at_max=window).json()["orders"]]
    assert order_id not in ids
    admin(lightspeed, "DELETE", f"/orders/{order_id}")
    assert get(lightspeed, f"/nl/orders/{order_id}.json").status_code == 404


def test_raw_overrides_produce_hostile_orders(lightspeed):
    created = admin(
        lightspeed, "POST", "/orders", {"orders": [{"raw": {"email": False, "priceIncl": "12,50"}}]}
    )
    order = get(lightspeed, f"/nl/orders/{created['orders'][0]['id']}.json").json()["order"]
    assert order["email"] is False and order["priceIncl"] == "12,50"


def test_pages_drift_when_an_order_changes_mid_scan(lightspeed):
    window = {"updated_at_min": "2026-10-01 00:00:00", "updated_at_max": "2026-11-30 00:00:00", "limit": 10}
    page1 = get(lightspeed, "/nl/orders.json", page=1, **window).json()["orders"]
    moved = page1[0]["id"]
    admin(lightspeed, "PATCH", f"/orders/{moved}", {"updatedAt": "2026-12-05T10:00:00+01:00"})
    page2 = get(lightspeed, "/nl/orders.json", page=2, **window).json()["orders"]
    everything = [
        o["id"]
        for o in get(
            lightspeed, "/nl/orders.json", limit=250, **{k: v for k, v in window.items() if k != "limit"}
        ).json()["orders"]
    ]
    skipped = set(everything) - {o["id"] for o in page1 + page2} - set(everything[19:])
    assert skipped == {everything[9]}, "the first order of the old page 2 slid onto page 1 and was never seen"


def test_transient_404s_then_success_and_5xx_injection(lightspeed):
    order_id = all_orders(lightspeed)[0]["id"]
    admin(lightspeed, "POST", "/faults", {"transient_404": {"count": 2}})
    assert [get(lightspeed, f"/nl/orders/{order_id}.json").status_code for _ in range(3)] == [404, 404, 200]
    admin(lightspeed, "POST", "/faults", {"status_5xx": {"count": 1, "status": 502}})
    assert [get(lightspeed, "/nl/shop.json").status_code for _ in range(2)] == [502, 200]


def test_latency_and_call_counters(lightspeed):
    admin(lightspeed, "POST", "/calls/reset")
    admin(lightspeed, "POST", "/faults", {"latency_ms": 200})
    started = time.monotonic()
    get(lightspeed, "/nl/orders.json", limit=1)
    assert time.monotonic() - started >= 0.2
    order_id = all_orders(lightspeed)[0]["id"]
    get(lightspeed, f"/nl/orders/{order_id}.json")
    calls = admin(lightspeed, "GET", "/calls")
    assert calls["calls"] == {"GET /{lang}/orders.json": 1, "GET /{lang}/orders/{id}.json": 1}
    assert calls["total"] == 2
