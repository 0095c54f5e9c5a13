"""Contract tests of the Lightspeed emulator's admin API and fault/clock controls, and of the shape of
orders it seeds (guest, company, pick-up, gift, new customer)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import requests

from tests.support.lightspeed_fixtures import LS_AUTH, admin, all_orders, filter_value, get, ids


def seed(server, **spec):
    return admin(server, "POST", "/orders", {"orders": [spec]})["orders"][0]


def test_a_seeded_company_order_with_api_field_names(lightspeed):
    created = seed(
        lightspeed,
        customer=False,
        email="  Inkoop@Bedrijf.NL ",
        companyName="Bakkerij Ørsted B.V.",
        companyVatNumber="NL123456789B01",
        companyCoCNumber="12345678",
        addressBillingCountry="be",
        addressBillingNumber=12,
        shipmentPriceIncl=6.95,
        discountAmount=2.5,
        discountCouponCode="VAST",
        lines=[{"articleCode": "", "sku": "", "ean": "8712345000182", "quantityOrdered": 2}],
    )
    assert created["number"].startswith("ORD") and created["updatedAt"]
    order = get(lightspeed, f"/nl/orders/{created['id']}.json").json()["order"]
    assert order["customer"] is False and order["email"] == "  Inkoop@Bedrijf.NL "
    assert order["isCompany"] and order["companyVatNumber"] == "NL123456789B01"
    assert order["addressShippingCompany"] == "Bakkerij Ørsted B.V."
    assert order["addressBillingCountry"] == {"id": 21, "code": "be", "code3": "bel", "title": "Belgium"}
    assert order["addressBillingNumber"] == "12"
    line = order["products"]["resource"]["embedded"][0]
    assert (line["articleCode"], line["sku"], line["ean"]) == ("", "", "8712345000182")
    assert line["productTitle"] == "Tamper 58 mm" and line["priceIncl"] == 49.98
    assert (order["discountType"], order["discountAmount"], order["discountCouponCode"]) == (
        "amount",
        2.5,
        "VAST",
    )
    assert order["priceIncl"] == 49.98 + 6.95 - 2.5


def test_a_default_order_is_by_the_first_customer_with_their_details(lightspeed):
    order = get(lightspeed, f"/nl/orders/{seed(lightspeed)['id']}.json").json()["order"]
    customer = get(lightspeed, f"/nl/customers/{order['customer']['resource']['id']}.json").json()["customer"]
    assert (order["email"], order["lastname"]) == (customer["email"], customer["lastname"])
    assert order["paymentStatus"] == "paid" and len(order["products"]["resource"]["embedded"]) == 1


def test_a_new_customer_id_creates_that_customer(lightspeed):
    created = seed(lightspeed, customer=7000001, email="Nieuw@Example.nl", firstname="Ĳsbrand")
    customer = get(lightspeed, "/nl/customers/7000001.json").json()["customer"]
    assert customer["email"] == "nieuw@example.nl" and customer["firstname"] == "Ĳsbrand"
    assert ids(get(lightspeed, "/nl/orders.json", customer=7000001)) == [created["id"]]
    link = get(lightspeed, f"/nl/orders/{created['id']}.json").json()["order"]["customer"]["resource"]
    assert link == {
        "id": 7000001,
        "url": "customers/7000001",
        "link": f"{lightspeed.url}/nl/customers/7000001.json",
    }


def test_pickup_orders_have_no_shipping_address_and_gifts_ship_elsewhere(lightspeed):
    orders = all_orders(lightspeed)
    pickups = [o for o in orders if o["shipmentIsPickup"]]
    assert pickups and all(
        o["addressShippingCountry"] is False
        and o["addressShippingCompany"] is False
        and o["addressShippingStreet"] == ""
        and o["shipmentId"] is False
        and o["shipmentData"] == []
        for o in pickups
    )
    shipped = [o for o in orders if not o["shipmentIsPickup"]]
    assert all(o["addressShippingCountry"]["code"] for o in shipped)
    assert any(o["addressShippingName"] != o["addressBillingName"] for o in shipped)
    seeded = seed(lightspeed, shipping="4.95", shipping_address=False)
    order = get(lightspeed, f"/nl/orders/{seeded['id']}.json").json()["order"]
    assert order["addressShippingCountry"] is False and order["shipmentPriceIncl"] == 4.95


def test_generate_appends_recent_orders_from_the_same_customer_pool(lightspeed):
    before = {o["id"] for o in all_orders(lightspeed)}
    created = admin(lightspeed, "POST", "/orders", {"generate": 12, "span_minutes": 30})["orders"]
    orders = {o["id"]: o for o in all_orders(lightspeed)}
    assert len(created) == 12 and not before & {o["id"] for o in created}
    line_ids = [ln["id"] for o in orders.values() for ln in o["products"]["resource"]["embedded"]]
    assert len(line_ids) == len(set(line_ids))
    now = datetime.fromisoformat(admin(lightspeed, "GET", "/state")["now"])
    for summary in created:
        order = orders[summary["id"]]
        assert now - timedelta(minutes=31) <= datetime.fromisoformat(order["updatedAt"]) <= now
        if order["customer"]:
            customer = get(lightspeed, f"/nl/customers/{order['customer']['resource']['id']}.json")
            assert customer.status_code == 200
            assert customer.json()["customer"]["lastname"] == order["lastname"]
    assert len({o["number"] for o in orders.values()}) == len(orders)


def test_patching_lines_recomputes_totals_and_bumps_updated_at(lightspeed):
    order_id = all_orders(lightspeed)[5]["id"]
    before = get(lightspeed, f"/nl/orders/{order_id}.json").json()["order"]
    patched = admin(
        lightspeed,
        "PATCH",
        f"/orders/{order_id}",
        {
            "lines": [
                {"articleCode": "X-1", "productTitle": "Los", "basePriceIncl": "10.00", "taxRate": "0.21"}
            ],
            "shipping": 0,
            "payment_fee": 0,
            "discount": None,
            "paymentStatus": "cancelled",
            "status": "cancelled",
        },
    )
    after = get(lightspeed, f"/nl/orders/{order_id}.json").json()["order"]
    assert after["priceIncl"] == 10 and after["priceExcl"] == 8.26 and after["status"] == "cancelled"
    assert after["updatedAt"] == patched["updatedAt"] > before["updatedAt"]
    admin(lightspeed, "PATCH", f"/orders/{order_id}", {"updatedAt": "2026-12-01T09:00:00+01:00"})
    assert (
        get(lightspeed, f"/nl/orders/{order_id}.json").json()["order"]["updatedAt"]
        == "2026-12-01T09:00:00+01:00"
    )


def test_a_patch_bump_follows_the_emulator_clock(lightspeed):
    order_id = all_orders(lightspeed)[0]["id"]
    # far past any generated data, whatever the host date
    admin(lightspeed, "POST", "/clock", {"advance_seconds": 86400 * 800})
    now = datetime.fromisoformat(admin(lightspeed, "GET", "/state")["now"])
    bumped = datetime.fromisoformat(
        admin(lightspeed, "PATCH", f"/orders/{order_id}", {"memo": "x"})["updatedAt"]
    )
    assert abs((bumped - now).total_seconds()) < 5
    window = {"updated_at_min": filter_value((now - timedelta(minutes=1)).isoformat())}
    assert ids(get(lightspeed, "/nl/orders.json", **window)) == [order_id]


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("PATCH", "/orders/218240000", {"updatedAt": "2026-12-01 09:00:00"}, 400),  # no offset
        ("PATCH", "/orders/218240000", {"shipping": "gratis"}, 400),
        ("PATCH", "/orders/1", {"status": "new"}, 404),
        ("POST", "/orders", {"orders": [{"lines": [{"taxRate": "21"}]}]}, 400),
        ("POST", "/orders", {"orders": [{"company": {"vat": "NL1"}}]}, 400),
        ("POST", "/faults", {"exhaust": "week"}, 400),
        ("POST", "/faults", {"status_5xx": {"count": 1, "status": 404}}, 400),
        ("POST", "/clock", {"scale": 0}, 400),
    ],
)
def test_bad_admin_input_is_refused(lightspeed, method, path, body, status):
    response = requests.request(method, f"{lightspeed.url}/_admin{path}", json=body, timeout=10)
    assert response.status_code == status and response.json()["error"]


def test_reset_reseeds_and_state_holds_customers(lightspeed):
    assert admin(lightspeed, "POST", "/reset", {"orders": 10}) == {"orders": 10}
    get(lightspeed, "/nl/shop.json")
    state = admin(lightspeed, "GET", "/state")
    assert len(state["orders"]) == 10 and state["customers"]
    assert [w["used"] for w in state["rate_limits"][LS_AUTH[0]]] == [1, 1, 1]
    assert admin(lightspeed, "POST", "/reset", {"seed": "demo", "orders": 60}) == {"orders": 60}
    assert get(lightspeed, "/nl/orders/count.json").json() == {"count": 60}


def test_delete_makes_every_order_endpoint_404(lightspeed):
    order_id = all_orders(lightspeed)[7]["id"]
    assert admin(lightspeed, "DELETE", f"/orders/{order_id}") == {"deleted": True}
    assert admin(lightspeed, "DELETE", f"/orders/{order_id}") == {"deleted": False}
    for path in (f"/nl/orders/{order_id}.json", f"/nl/orders/{order_id}/products.json"):
        response = get(lightspeed, path)
        assert response.status_code == 404 and response.json()["error"]["message"] == "Order not found"
    assert order_id not in ids(get(lightspeed, "/nl/orders.json", limit=250))


def test_transient_404_paths(lightspeed):
    order_id = all_orders(lightspeed)[0]["id"]
    admin(lightspeed, "POST", "/faults", {"transient_404": {"count": 1, "paths": "order"}})
    assert get(lightspeed, "/nl/orders.json").status_code == 200
    assert get(lightspeed, f"/nl/orders/{order_id}/products.json").status_code == 404
    assert get(lightspeed, f"/nl/orders/{order_id}/products.json").status_code == 200
    admin(lightspeed, "POST", "/faults", {"transient_404": {"count": 1, "paths": "orders"}})
    assert get(lightspeed, "/nl/shop.json").status_code == 200
    assert get(lightspeed, "/nl/orders/count.json").status_code == 404
    admin(lightspeed, "POST", "/faults", {"transient_404": {"count": 5}, "latency_ms": 10})
    faults = admin(lightspeed, "POST", "/faults", {"clear": True})["faults"]
    assert faults["transient_404"] == 0 and faults["latency_ms"] == 0
    assert get(lightspeed, f"/nl/orders/{order_id}.json").status_code == 200


def test_unknown_routes_and_methods_answer_like_the_api(lightspeed):
    response = get(lightspeed, "/nl/brands.json")  # a resource the emulator does not have
    assert response.status_code == 404 and response.json()["error"]["message"]
    assert response.headers["X-RateLimit-Remaining"]
    response = requests.post(f"{lightspeed.url}/nl/orders.json", auth=LS_AUTH, json={}, timeout=10)
    assert response.status_code == 405 and response.json()["error"]["code"] == 405


def test_every_answer_carries_the_rate_limit_headers(lightspeed):
    for response in (
        get(lightspeed, "/nl/shop.json", auth=None),
        get(lightspeed, "/fr/shop.json"),
        get(lightspeed, "/nl/orders/1.json"),
        get(lightspeed, "/nl/orders.json", limit=999),
    ):
        assert response.status_code in (400, 401, 404)
        assert all(
            len(response.headers[h].split("/")) == 3
            for h in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")
        )
    assert get(lightspeed, "/nl/shop.json", auth=None).json()["error"] == {
        "code": 401,
        "method": "GET",
        "request": "/nl/shop.json",
        "message": "Invalid API key or secret",
    }


def test_call_counters_per_route_and_status(lightspeed):
    admin(lightspeed, "POST", "/calls/reset")
    order_id = all_orders(lightspeed)[0]["id"]
    get(lightspeed, f"/nl/orders/{order_id}/products.json")
    get(lightspeed, "/nl/orders/count.json")
    get(lightspeed, "/nl/shop.json", auth=None)
    get(lightspeed, "/xx/shop.json")
    calls = admin(lightspeed, "GET", "/calls")
    assert calls["calls"] == {
        "GET /{lang}/orders/{id}/products.json": 1,
        "GET /{lang}/orders/count.json": 1,
        "GET /{lang}/shop.json": 2,
    }
    assert calls["statuses"] == {"200": 2, "401": 1, "404": 1} and calls["total"] == 4
    assert admin(lightspeed, "POST", "/calls/reset") == {"ok": True}
    assert admin(lightspeed, "GET", "/calls")["total"] == 0
