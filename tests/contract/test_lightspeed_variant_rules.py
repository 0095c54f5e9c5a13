"""Contract tests of the Lightspeed emulator's catalogue rules (each reading), the stock decrement by
added orders, back-office changes and the PUT faults (5xx, 429, drop after the PUT was applied)."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta

import pytest
import requests

from emulators.lightspeed.config import RULE_CHOICES, VariantRules
from tests.support.lightspeed_fixtures import LS_AUTH, admin, get

BROKEN = (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError)


def put(server, variant_id, fields, lang="nl"):
    url = f"{server.url}/{lang}/variants/{variant_id}.json"
    return requests.put(url, auth=LS_AUTH, json={"variant": fields}, timeout=10)


def rules(server, **changes):
    return admin(server, "POST", "/variant_rules", changes)["rules"]


def add(server, **spec):
    return admin(server, "POST", "/variants", {"variants": [spec]})["variants"][0]


def detail(server, variant_id):
    return admin(server, "GET", f"/variants/{variant_id}")


def shown(server, variant_id, lang="nl"):
    return get(server, f"/{lang}/variants/{variant_id}.json").json()["variant"]


def order(server, *lines):
    body = {"orders": [{"lines": [{"quantityOrdered": qty, **codes} for codes, qty in lines]}]}
    return admin(server, "POST", "/orders", body)["orders"][0]


def test_the_defaults_are_the_strict_readings_and_config_can_change_them(lightspeed_factory):
    defaults = admin(lightspeed_factory(), "GET", "/variant_rules")["rules"]
    assert {name: defaults[name] for name in RULE_CHOICES} == {n: c[0] for n, c in RULE_CHOICES.items()}
    assert defaults["stock_change_bumps_updated_at"] is False
    assert defaults["order_decrements"] == {"enabled": True, "indicator": False, "disabled": False}
    server = lightspeed_factory(
        variant_rules={"stock_level_put": "delta", "order_decrements": {"indicator": True}}
    )
    configured = admin(server, "GET", "/variant_rules")["rules"]
    assert configured["stock_level_put"] == "delta" and configured["order_decrements"]["indicator"] is True
    rules(server, stock_level_put="absolute", order_decrements={"disabled": True})
    admin(server, "POST", "/reset", {})
    assert admin(server, "GET", "/variant_rules")["rules"] == configured
    with pytest.raises(ValueError):
        VariantRules(stock_put_when_disabled="sometimes")


@pytest.mark.parametrize(
    ("rule", "count", "status"), [("ignore", 19, 200), ("apply", 1, 200), ("refuse", 0, 400)]
)
@pytest.mark.parametrize("name", ["articleCode", "sku", "ean"])
def test_variant_code_filters(lightspeed, rule, count, status, name):
    made = add(lightspeed, articleCode="CODE-X", sku="SKU-X", ean="1234567890128")
    rules(lightspeed, variant_code_filters=rule)
    response = get(lightspeed, "/nl/variants.json", limit=250, **{name: made[name]})
    assert response.status_code == status
    if status == 200:
        assert len(response.json()["variants"]) == count
        assert get(lightspeed, "/nl/variants/count.json", **{name: made[name]}).json() == {"count": count}
    else:
        assert name in response.json()["error"]["message"]


def test_readonly_fields_can_be_ignored(lightspeed):
    made = add(lightspeed, stockLevel=10)
    rules(lightspeed, readonly_fields="ignore")
    response = put(lightspeed, made["id"], {"id": 1, "stockSold": 9, "createdAt": "x", "stockLevel": 3})
    assert response.status_code == 200
    body = response.json()["variant"]
    assert (body["id"], body["stockSold"], body["stockLevel"]) == (made["id"], 0, 3)
    assert put(lightspeed, made["id"], {"bogus": 1}).status_code == 400  # unknown stays a 400


def test_negative_stock_levels_can_be_accepted(lightspeed):
    made = add(lightspeed, stockLevel=10)
    assert put(lightspeed, made["id"], {"stockLevel": -2}).status_code == 400
    rules(lightspeed, negative_stock_level="accept")
    assert put(lightspeed, made["id"], {"stockLevel": -2}).json()["variant"]["stockLevel"] == -2


@pytest.mark.parametrize(
    ("rule", "status", "level"), [("ignore", 200, 5), ("accept", 200, 9), ("refuse", 400, 5)]
)
def test_a_stock_put_on_a_variant_without_tracking(lightspeed, rule, status, level):
    made = add(lightspeed, stockLevel=5, stockTracking="disabled")
    rules(lightspeed, stock_put_when_disabled=rule)
    response = put(lightspeed, made["id"], {"stockLevel": 9})
    assert response.status_code == status and detail(lightspeed, made["id"])["stockLevel"] == level
    if status == 200:
        assert response.json()["variant"]["stockLevel"] == level
        assert response.json()["variant"]["updatedAt"] != made["updatedAt"]
    assert detail(lightspeed, made["id"])["movements"] == (1 if level == 9 else 0)
    both = put(
        lightspeed, made["id"], {"stockTracking": "enabled", "stockLevel": 11}
    )  # tracking after the PUT
    assert both.status_code == 200 and both.json()["variant"]["stockLevel"] == 11


def test_a_stock_put_can_be_a_delta(lightspeed):
    made = add(lightspeed, stockLevel=25)
    rules(lightspeed, stock_level_put="delta")
    assert put(lightspeed, made["id"], {"stockLevel": 5}).json()["variant"]["stockLevel"] == 30
    assert put(lightspeed, made["id"], {"stockLevel": -30}).json()["variant"]["stockLevel"] == 0
    response = put(lightspeed, made["id"], {"stockLevel": -1})
    assert response.status_code == 400 and "negative" in response.json()["error"]["message"]
    log = detail(lightspeed, made["id"])["movementLog"]
    assert [(m["channel"], m["stockLevelChange"]) for m in log] == [("api", 5), ("api", -30)]


@pytest.mark.parametrize(
    ("tracking", "decrements", "expected"),
    [
        ("enabled", {}, 22),
        ("indicator", {}, 25),
        ("disabled", {}, 25),
        ("indicator", {"indicator": True}, 22),
        ("disabled", {"disabled": True}, 22),
        ("enabled", {"enabled": False}, 25),
    ],
)
def test_an_added_order_decrements_per_stock_tracking(lightspeed, tracking, decrements, expected):
    made = add(lightspeed, articleCode="DEC-1", sku="DEC-SKU", stockLevel=25, stockTracking=tracking)
    if decrements:
        rules(lightspeed, order_decrements=decrements)
    order(lightspeed, ({"articleCode": "DEC-1"}, 3))
    after = detail(lightspeed, made["id"])
    assert after["stockLevel"] == expected and after["updatedAt"] == made["updatedAt"]
    log = [(m["channel"], m["stockLevelChange"]) for m in after["movementLog"]]
    assert log == ([("auto", -3)] if expected == 22 else [])


def test_lines_match_on_sku_or_ean_and_a_level_can_go_below_zero(lightspeed):
    by_sku = add(lightspeed, sku="ONLY-SKU", stockLevel=2)
    by_ean = add(lightspeed, ean="8712345999994", stockLevel=2)
    order(
        lightspeed,
        ({"articleCode": "", "sku": "ONLY-SKU"}, 3),
        ({"articleCode": "", "sku": "", "ean": "8712345999994"}, 1),
    )
    assert detail(lightspeed, by_sku["id"])["stockLevel"] == -1
    assert detail(lightspeed, by_ean["id"])["stockLevel"] == 1
    rules(lightspeed, order_below_zero="clamp")
    order(lightspeed, ({"articleCode": "", "sku": "", "ean": "8712345999994"}, 5))
    assert detail(lightspeed, by_ean["id"])["stockLevel"] == 0
    order(lightspeed, ({"articleCode": "NOTHING-MATCHES"}, 1))
    assert [
        v["stockLevel"] for v in (detail(lightspeed, by_sku["id"]), detail(lightspeed, by_ean["id"]))
    ] == [-1, 0]


def test_stock_changes_by_orders_can_bump_updated_at(lightspeed):
    made = add(lightspeed, articleCode="BUMP-1", stockLevel=25)
    rules(lightspeed, stock_change_bumps_updated_at=True)
    order(lightspeed, ({"articleCode": "BUMP-1"}, 1))
    after = detail(lightspeed, made["id"])
    assert after["stockLevel"] == 24
    assert datetime.fromisoformat(after["updatedAt"]) >= datetime.fromisoformat(
        made["updatedAt"]
    ) + timedelta(seconds=1)


def test_generated_orders_decrement_the_demo_variants(lightspeed):
    before = {
        v["articleCode"] or v["sku"] or v["ean"]: v for v in admin(lightspeed, "GET", "/variants")["variants"]
    }
    made = admin(lightspeed, "POST", "/orders", {"generate": 30})["orders"]
    sold: dict[str, int] = {}
    for summary in made:
        lines = get(lightspeed, f"/nl/orders/{summary['id']}/products.json").json()["orderProducts"]
        for line in lines:
            code = line["articleCode"] or line["sku"] or line["ean"]
            sold[code] = sold.get(code, 0) + line["quantityOrdered"]
    after = {
        v["articleCode"] or v["sku"] or v["ean"]: v for v in admin(lightspeed, "GET", "/variants")["variants"]
    }
    for code, variant in after.items():
        tracked = variant["stockTracking"] == "enabled"
        assert variant["stockLevel"] == before[code]["stockLevel"] - (sold.get(code, 0) if tracked else 0)
    assert sum(sold.values()) > 0


def test_back_office_changes(lightspeed):
    made = add(lightspeed, sku="BO-1", stockLevel=25)
    changed = admin(lightspeed, "PATCH", f"/variants/{made['id']}", {"stockLevel": 20})
    assert changed["updatedAt"] == made["updatedAt"]  # a stock change alone: no bump by default
    log = detail(lightspeed, made["id"])["movementLog"]
    assert [(m["channel"], m["stockLevelChange"]) for m in log] == [("backoffice", -5)]
    titled = admin(lightspeed, "PATCH", f"/variants/{made['id']}", {"title": "Nieuw"})
    assert datetime.fromisoformat(titled["updatedAt"]) >= datetime.fromisoformat(
        made["updatedAt"]
    ) + timedelta(seconds=1)
    assert shown(lightspeed, made["id"])["title"] == "Nieuw"
    rules(lightspeed, stock_change_bumps_updated_at=True)
    bumped = admin(lightspeed, "PATCH", f"/variants/{made['id']}", {"stockLevel": 21})
    assert datetime.fromisoformat(bumped["updatedAt"]) > datetime.fromisoformat(titled["updatedAt"])
    response = requests.patch(
        f"{lightspeed.url}/_admin/variants/{made['id']}", json={"stockLevel": "5"}, timeout=10
    )
    assert response.status_code == 400 and detail(lightspeed, made["id"])["stockLevel"] == 21


@pytest.mark.parametrize(("rule", "defaults"), [("free", [True, True]), ("exclusive", [False, True])])
def test_default_variant(lightspeed, rule, defaults):
    first = add(lightspeed, product=7000001)
    second = add(lightspeed, product=7000001)
    rules(lightspeed, default_variant=rule)
    assert put(lightspeed, second["id"], {"isDefault": True}).status_code == 200
    assert [shown(lightspeed, v["id"])["isDefault"] for v in (first, second)] == defaults


@pytest.mark.parametrize(
    ("rule", "fields", "prices"),
    [
        ("as_sent", {"priceExcl": 10}, (10, 1.21)),
        ("derive", {"priceExcl": 10}, (10, 12.1)),
        ("derive", {"priceIncl": 12.1}, (10, 12.1)),
        ("derive", {"priceExcl": 10, "priceIncl": 99}, (10, 12.1)),
        ("as_sent", {"priceExcl": 10, "priceIncl": 99}, (10, 99)),
    ],
)
def test_price_writes(lightspeed, rule, fields, prices):
    made = add(lightspeed, priceExcl="1", priceIncl="1.21", taxRate="0.21")
    rules(lightspeed, price_write=rule)
    body = put(lightspeed, made["id"], fields).json()["variant"]
    assert (body["priceExcl"], body["priceIncl"]) == prices


def test_tax_writes(lightspeed):
    made = add(lightspeed)
    body = put(lightspeed, made["id"], {"tax": 4021}).json()["variant"]
    assert body["tax"]["resource"]["id"] == 4021 and body["tax"]["resource"]["url"] == "taxes/4021"
    link = {"resource": {"id": 4009}}
    assert put(lightspeed, made["id"], {"tax": link}).status_code == 400
    rules(lightspeed, tax_write="id_or_link")
    assert put(lightspeed, made["id"], {"tax": link}).json()["variant"]["tax"]["resource"]["id"] == 4009


@pytest.mark.parametrize(("rule", "kept"), [("keep", True), ("clear", False)])
def test_images_are_written_and_cleared_per_rule(lightspeed, rule, kept):
    made = add(lightspeed)
    attachment = base64.b64encode(b"\x89PNG fake image").decode()
    body = put(lightspeed, made["id"], {"image": {"attachment": attachment, "filename": "mok.png"}}).json()
    image = body["variant"]["image"]
    assert (image["extension"], image["size"], image["title"]) == ("png", 15, "mok")
    assert image["src"].endswith("/mok.png") and "/50x50x2/" in image["thumb"]
    rules(lightspeed, image_clear=rule)
    for empty in (None, False):
        assert put(lightspeed, made["id"], {"image": empty}).status_code == 200
    assert shown(lightspeed, made["id"])["image"] == (image if kept else False)
    bad = put(lightspeed, made["id"], {"image": {"attachment": "%%%", "filename": "x.png"}})
    assert bad.status_code == 400 and "base64" in bad.json()["error"]["message"]


@pytest.mark.parametrize(("rule", "english"), [("empty", ""), ("default_language", "Grote zak")])
def test_untranslated_texts(lightspeed, rule, english):
    made = add(lightspeed, title={"nl": "Grote zak"}, product_title={"nl": "Bonen"})
    rules(lightspeed, untranslated_text=rule)
    assert shown(lightspeed, made["id"], "nl")["title"] == "Grote zak"
    assert shown(lightspeed, made["id"], "en")["title"] == english
    product = get(lightspeed, f"/en/products/{made['product']}.json").json()["product"]
    assert product["title"] == ("" if rule == "empty" else "Bonen")


def test_put_5xx_hits_only_puts_and_applies_nothing(lightspeed):
    made = add(lightspeed, stockLevel=25)
    admin(lightspeed, "POST", "/faults", {"put_5xx": {"count": 1, "status": 502}})
    assert get(lightspeed, f"/nl/variants/{made['id']}.json").status_code == 200
    response = put(lightspeed, made["id"], {"stockLevel": 1})
    assert response.status_code == 502 and response.json()["error"]["code"] == 502
    assert detail(lightspeed, made["id"])["stockLevel"] == 25
    assert put(lightspeed, made["id"], {"stockLevel": 1}).status_code == 200
    assert (
        requests.post(
            f"{lightspeed.url}/_admin/faults", json={"put_5xx": {"count": 1, "status": 404}}, timeout=10
        ).status_code
        == 400
    )


def test_put_429_answers_with_retry_after_and_counts_as_rate_limited(lightspeed):
    made = add(lightspeed, stockLevel=25)
    admin(lightspeed, "POST", "/calls/reset")
    admin(lightspeed, "POST", "/faults", {"put_429": {"count": 2, "retry_after": 3}})
    assert get(lightspeed, "/nl/variants/count.json").status_code == 200
    for _ in range(2):
        response = put(lightspeed, made["id"], {"stockLevel": 1})
        assert response.status_code == 429 and response.headers["Retry-After"] == "3"
        assert response.headers["X-RateLimit-Remaining"] and response.json()["error"]["code"] == 429
    assert detail(lightspeed, made["id"])["stockLevel"] == 25
    assert put(lightspeed, made["id"], {"stockLevel": 1}).status_code == 200
    calls = admin(lightspeed, "GET", "/calls")
    assert calls["rate_limited"] == 2 and calls["calls"]["PUT /{lang}/variants/{id}.json"] == 3


def test_drop_after_put_applies_the_change_but_the_client_gets_no_answer(lightspeed):
    made = add(lightspeed, stockLevel=25)
    admin(lightspeed, "POST", "/faults", {"drop_after_put": {"count": 1}})
    assert put(lightspeed, made["id"], {"stockLevel": "x"}).status_code == 400  # refused: not dropped
    with pytest.raises(BROKEN):
        put(lightspeed, made["id"], {"stockLevel": 4})
    assert shown(lightspeed, made["id"])["stockLevel"] == 4
    assert put(lightspeed, made["id"], {"stockLevel": 5}).status_code == 200  # used up
    calls = admin(lightspeed, "GET", "/calls")
    assert calls["statuses"]["dropped"] == 1 and calls["calls"]["PUT /{lang}/variants/{id}.json"] == 3
    assert admin(lightspeed, "POST", "/faults", {"clear": True})["faults"]["drop_after_put"] == 0


def test_status_5xx_still_hits_catalogue_routes(lightspeed):
    admin(lightspeed, "POST", "/faults", {"status_5xx": {"count": 1}})
    assert get(lightspeed, "/nl/variants.json").status_code == 503
    assert get(lightspeed, "/nl/variants.json").status_code == 200
