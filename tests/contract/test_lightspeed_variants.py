"""Contract tests of the Lightspeed emulator's variants and products over HTTP: the demo catalogue,
shapes, paging, filters, fields, GET/PUT of one variant, the PUT's refusals, the admin API and that
every catalogue call counts against the key's rate-limit windows."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
import requests

from emulators.demo_catalogue import PRODUCTS
from tests.support.lightspeed_fixtures import LS_AUTH, admin, filter_value, get

VARIANT_KEYS = (
    "id createdAt updatedAt isDefault sortOrder articleCode ean sku hs unitPrice unitUnit priceExcl "
    "priceIncl priceCost oldPriceExcl oldPriceIncl stockTracking stockLevel stockAlert stockMinimum "
    "stockSold stockBuyMininum stockBuyMinimum stockBuyMaximum weight weightValue weightUnit volume "
    "volumeValue volumeUnit colli sizeX sizeXValue sizeY sizeYValue sizeZ sizeZValue sizeUnit matrix "
    "title taxType tax image product movements metafields additionalcost options"
).split()
PRODUCT_KEYS = (
    "id createdAt updatedAt isVisible visibility hasMatrix data01 data02 data03 url title fulltitle "
    "description content set brand type variants"
).split()


def put(server, variant_id, body=None, lang="nl", data=None):
    url = f"{server.url}/{lang}/variants/{variant_id}.json"
    if data is not None:
        return requests.put(url, auth=LS_AUTH, data=data, timeout=10)
    return requests.put(url, auth=LS_AUTH, json=body, timeout=10)


def add(server, **spec):
    return admin(server, "POST", "/variants", {"variants": [spec]})["variants"][0]


def by_sku(server, sku):
    return next(v for v in admin(server, "GET", "/variants")["variants"] if v["sku"] == sku)


def variant(server, variant_id, lang="nl"):
    response = get(server, f"/{lang}/variants/{variant_id}.json")
    assert response.status_code == 200, response.text
    return response.json()["variant"]


def variant_ids(response):
    assert response.status_code == 200, response.text
    return [v["id"] for v in response.json()["variants"]]


def test_the_demo_shop_has_one_product_and_variant_per_catalogue_product(lightspeed):
    listing = admin(lightspeed, "GET", "/variants")
    assert listing["products"] == len(PRODUCTS) == len(listing["variants"])
    for product in PRODUCTS:
        found = by_sku(lightspeed, product.sku) if product.sku else None
        found = found or next(v for v in listing["variants"] if v["ean"] == product.ean)
        assert (found["articleCode"], found["ean"], found["stockLevel"]) == (
            product.article_code,
            product.ean,
            25,
        )
    assert by_sku(lightspeed, "CADEAUBON-25")["stockTracking"] == "disabled"
    assert by_sku(lightspeed, "WORKSHOP-LATTE")["stockTracking"] == "indicator"
    shown = variant(lightspeed, by_sku(lightspeed, "KOF-BON-250")["id"])
    assert (shown["title"], shown["priceIncl"], shown["priceExcl"]) == ("250 g", 8.95, 8.21)
    assert get(lightspeed, "/nl/variants/count.json").json() == {"count": len(PRODUCTS)}
    assert get(lightspeed, "/nl/products/count.json").json() == {"count": len(PRODUCTS)}


def test_a_variant_has_the_full_reference_shape(lightspeed):
    shown = variant(lightspeed, by_sku(lightspeed, "CADEAUBON-25")["id"])
    assert list(shown) == VARIANT_KEYS
    assert shown["ean"] == "" and shown["image"] is False and shown["tax"] is False and shown["options"] == []
    assert shown["hs"] is None and shown["taxType"] is None and shown["matrix"] is False
    assert shown["weightValue"] == "0.000" and shown["stockBuyMininum"] == shown["stockBuyMinimum"] == 1
    product_id = shown["product"]["resource"]["id"]
    assert shown["product"] == {
        "resource": {
            "id": product_id,
            "url": f"products/{product_id}",
            "link": f"{lightspeed.url}/nl/products/{product_id}.json",
        }
    }
    movements = shown["movements"]["resource"]
    assert movements["id"] is False and movements["url"] == f"variants/movements?variant={shown['id']}"
    assert movements["link"] == f"{lightspeed.url}/nl/variants/movements.json?variant={shown['id']}"
    assert datetime.fromisoformat(shown["updatedAt"]).utcoffset() is not None


def test_paging_covers_every_variant_newest_id_first_and_limits_are_checked(lightspeed):
    admin(lightspeed, "POST", "/variants", {"generate": 60, "per_product": 4, "seed": "paging"})
    seen, page = [], 1
    while True:
        batch = variant_ids(get(lightspeed, "/nl/variants.json", limit=25, page=page))
        seen += batch
        if len(batch) < 25:
            break
        page += 1
    assert seen == sorted(seen, reverse=True) and len(set(seen)) == 60 + len(PRODUCTS)
    assert len(variant_ids(get(lightspeed, "/nl/variants.json"))) == 50
    assert variant_ids(get(lightspeed, "/nl/variants.json", limit=25, page=99)) == []
    for params, name in (({"limit": 251}, "limit"), ({"limit": 0}, "limit"), ({"page": "x"}, "page")):
        response = get(lightspeed, "/nl/variants.json", **params)
        assert response.status_code == 400 and name in response.json()["error"]["message"]
    assert get(lightspeed, "/nl/products.json", limit=251).status_code == 400


def test_the_product_filter_and_count(lightspeed):
    first = add(lightspeed, product=5000001, sku="A-1")
    others = [add(lightspeed, product=5000001, sku=f"A-{n}") for n in (2, 3)]
    add(lightspeed, sku="B-1")
    found = variant_ids(get(lightspeed, "/nl/variants.json", product=5000001))
    assert found == [others[1]["id"], others[0]["id"], first["id"]]
    assert get(lightspeed, "/nl/variants/count.json", product=5000001).json() == {"count": 3}
    assert variant_ids(get(lightspeed, "/nl/variants.json", product=4999999)) == []
    assert get(lightspeed, "/nl/variants.json", product="abc").status_code == 400
    shown = [variant(lightspeed, v["id"]) for v in (first, *others)]
    assert [v["isDefault"] for v in shown] == [True, False, False]
    assert [v["sortOrder"] for v in shown] == [1, 2, 3]
    product = get(lightspeed, "/nl/products/5000001.json").json()["product"]
    assert product["variants"]["resource"]["url"] == "variants?product=5000001"


def test_updated_and_created_windows_are_inclusive_and_read_in_shop_time(lightspeed):
    moment = "2026-10-25T02:30:00+01:00"  # the repeated hour of the DST change, second occurrence
    made = add(lightspeed, sku="WINDOW", createdAt="2026-10-20T10:00:00+02:00", updatedAt=moment)
    local = filter_value(made["updatedAt"])
    window = {"updated_at_min": local, "updated_at_max": local}
    assert variant_ids(get(lightspeed, "/nl/variants.json", **window)) == []  # read as +02:00 (fold 0)
    later = filter_value((datetime.fromisoformat(moment) + timedelta(hours=1)).isoformat())
    found = get(lightspeed, "/nl/variants.json", updated_at_min="2026-10-25 02:00:00", updated_at_max=later)
    assert variant_ids(found) == [made["id"]]
    created = filter_value("2026-10-20T10:00:00+02:00")
    found = get(lightspeed, "/nl/variants.json", created_at_min=created, created_at_max=created)
    assert variant_ids(found) == [made["id"]]
    assert get(lightspeed, "/nl/variants/count.json", created_at_min=created).json()["count"] >= 1
    response = get(lightspeed, "/nl/variants.json", updated_at_min="2026-10-25T02:00:00")
    message = response.json()["error"]["message"]
    assert response.status_code == 400 and "updated_at_min" in message and "YYYY-MM-DD HH:MM:SS" in message


def test_an_updated_window_finds_exactly_a_changed_variant(lightspeed):
    target = by_sku(lightspeed, "MOK-WIT-350")
    changed = put(lightspeed, target["id"], {"variant": {"stockLevel": 3}}).json()["variant"]
    local = filter_value(changed["updatedAt"])
    window = get(lightspeed, "/nl/variants.json", updated_at_min=local, updated_at_max=local)
    assert variant_ids(window) == [target["id"]]
    utc = datetime.fromisoformat(changed["updatedAt"]).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    assert variant_ids(get(lightspeed, "/nl/variants.json", updated_at_min=utc, updated_at_max=utc)) == []


def test_fields_keep_only_those_keys(lightspeed):
    listing = get(lightspeed, "/nl/variants.json", fields="id,stockLevel,sku,nonsense", limit=3).json()
    assert [list(v) for v in listing["variants"]] == [["id", "sku", "stockLevel"]] * 3
    one = listing["variants"][0]["id"]
    assert get(lightspeed, f"/nl/variants/{one}.json", fields="stockLevel").json() == {
        "variant": {"stockLevel": 25}
    }
    products = get(lightspeed, "/nl/products.json", fields="id,title", limit=2).json()["products"]
    assert [list(p) for p in products] == [["id", "title"]] * 2


@pytest.mark.parametrize("path", ["/nl/variants/999.json", "/nl/variants/abc.json"])
def test_an_unknown_variant_is_a_404_in_the_error_shape(lightspeed, path):
    for response in (get(lightspeed, path), put(lightspeed, path.split("/")[-1][:-5], {"variant": {}})):
        assert response.status_code == 404
        error = response.json()["error"]
        assert error["message"] == "Variant not found" and error["code"] == 404
        assert error["request"] == path


def test_products_render_in_the_reference_shape(lightspeed):
    listing = get(lightspeed, "/nl/products.json", limit=250).json()
    assert list(listing) == ["products"] and len(listing["products"]) == len(PRODUCTS)
    ids = [p["id"] for p in listing["products"]]
    assert ids == sorted(ids, reverse=True)
    product = get(lightspeed, f"/nl/products/{ids[-1]}.json").json()["product"]
    assert list(product) == PRODUCT_KEYS
    assert (product["title"], product["url"]) == ("Koffiebonen Espresso", "koffiebonen-espresso-250-g")
    assert (product["hasMatrix"], product["set"], product["brand"], product["type"]) == (False,) * 4
    assert product["variants"] == {
        "resource": {
            "id": False,
            "url": f"variants?product={ids[-1]}",
            "link": f"{lightspeed.url}/nl/variants.json?product={ids[-1]}",
        }
    }
    response = get(lightspeed, "/nl/products/1.json")
    assert response.status_code == 404 and response.json()["error"]["message"] == "Product not found"


def test_a_put_sets_the_level_bumps_updated_at_and_records_a_movement(lightspeed):
    target = by_sku(lightspeed, "KOF-BON-1000")
    before = variant(lightspeed, target["id"])
    response = put(lightspeed, target["id"], {"variant": {"stockLevel": 7}})
    assert response.status_code == 200 and list(response.json()) == ["variant"]
    after = response.json()["variant"]
    assert after["stockLevel"] == 7 and list(after) == VARIANT_KEYS
    assert datetime.fromisoformat(after["updatedAt"]) >= datetime.fromisoformat(
        before["updatedAt"]
    ) + timedelta(seconds=1)
    assert variant(lightspeed, target["id"])["stockLevel"] == 7
    again = put(lightspeed, target["id"], {"variant": {"stockLevel": 7}}).json()["variant"]
    assert datetime.fromisoformat(again["updatedAt"]) >= datetime.fromisoformat(
        after["updatedAt"]
    ) + timedelta(seconds=1)
    log = admin(lightspeed, "GET", f"/variants/{target['id']}")["movementLog"]
    assert [(m["channel"], m["stockLevelChange"]) for m in log] == [("api", -18)]  # no change, no movement


def test_a_put_changes_only_what_it_names_and_texts_per_language(lightspeed):
    target = by_sku(lightspeed, "THEE-GRN-100")
    body = {"variant": {"title": "Tin of 100 g", "sku": "THEE-NEW", "priceExcl": 5.5, "isDefault": False}}
    changed = put(lightspeed, target["id"], body, lang="en").json()["variant"]
    assert (changed["title"], changed["sku"], changed["priceExcl"]) == ("Tin of 100 g", "THEE-NEW", 5.5)
    assert changed["priceIncl"] == 6.49 and changed["stockLevel"] == 25  # as_sent: incl stays
    assert variant(lightspeed, target["id"], lang="nl")["title"] == "100 g"
    assert variant(lightspeed, target["id"], lang="en")["title"] == "Tin of 100 g"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"{not json", "Invalid JSON"),
        (b"", "Invalid JSON"),
        (b"[1, 2]", "JSON object"),
        (b'"variant"', "JSON object"),
        (b'{"variants": {"stockLevel": 1}}', "root key 'variants'"),
        (b'{"variant": {"stockLevel": 1}, "extra": 1}', "root key 'extra'"),
        (b"{}", "Missing root key 'variant'"),
        (b'{"variant": [1]}', "'variant' must be a JSON object"),
        (b'{"variant": "x"}', "'variant' must be a JSON object"),
    ],
)
def test_a_malformed_put_body_is_a_400_naming_the_problem(lightspeed, data, expected):
    target = by_sku(lightspeed, "STROOP-12")
    response = put(lightspeed, target["id"], data=data)
    assert response.status_code == 400 and expected in response.json()["error"]["message"]
    assert by_sku(lightspeed, "STROOP-12") == target


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"id": 5}, "Field 'id' is read-only"),
        ({"stockLevel": 3, "updatedAt": "2026-01-01T00:00:00+00:00"}, "Field 'updatedAt' is read-only"),
        ({"stockBuyMininum": 2}, "Field 'stockBuyMininum' is read-only"),
        ({"stockSold": 2}, "Field 'stockSold' is read-only"),
        ({"product": 1}, "Field 'product' is read-only"),
        ({"weightValue": "1.000"}, "Field 'weightValue' is read-only"),
        ({"stock": 3}, "Unknown field 'stock'"),
        ({"stockLevel": "5"}, "'stockLevel'"),
        ({"stockLevel": 5.5}, "'stockLevel'"),
        ({"stockLevel": 5.0}, "'stockLevel'"),
        ({"stockLevel": True}, "'stockLevel'"),
        ({"stockLevel": None}, "'stockLevel'"),
        ({"stockLevel": -1}, "'stockLevel'"),
        ({"stockLevel": 4, "title": ""}, "Invalid variant title"),
        ({"title": "   "}, "Invalid variant title"),
        ({"title": 12}, "Invalid variant title"),
        ({"stockTracking": "on"}, "'stockTracking'"),
        ({"priceExcl": "1.00"}, "'priceExcl'"),
        ({"priceExcl": -1}, "'priceExcl'"),
        ({"isDefault": 1}, "'isDefault'"),
        ({"sku": 123}, "'sku'"),
        ({"tax": "21"}, "'tax'"),
        ({"image": "x.png"}, "'image'"),
    ],
)
def test_a_bad_field_is_a_400_and_changes_nothing(lightspeed, fields, expected):
    target = by_sku(lightspeed, "STROOP-12")
    response = put(lightspeed, target["id"], {"variant": fields})
    assert response.status_code == 400, response.text
    assert expected in response.json()["error"]["message"]
    assert by_sku(lightspeed, "STROOP-12") == target


def test_bulk_put_is_absent(lightspeed):
    target = by_sku(lightspeed, "STROOP-12")
    body = {"variant": [{"id": target["id"], "stockLevel": 1}]}
    response = requests.put(f"{lightspeed.url}/nl/variants/bulk.json", auth=LS_AUTH, json=body, timeout=10)
    assert response.status_code == 404 and response.json()["error"]["code"] == 404
    assert by_sku(lightspeed, "STROOP-12")["stockLevel"] == 25


def test_a_deleted_variant_answers_404(lightspeed):
    target = by_sku(lightspeed, "FILT-PAP-100")
    assert admin(lightspeed, "DELETE", f"/variants/{target['id']}") == {"deleted": True}
    assert admin(lightspeed, "DELETE", f"/variants/{target['id']}") == {"deleted": False}
    assert get(lightspeed, f"/nl/variants/{target['id']}.json").status_code == 404
    assert put(lightspeed, target["id"], {"variant": {"stockLevel": 1}}).status_code == 404
    assert target["id"] not in variant_ids(get(lightspeed, "/nl/variants.json", limit=250))
    assert get(lightspeed, "/nl/variants/count.json").json() == {"count": len(PRODUCTS) - 1}
    assert (
        requests.patch(f"{lightspeed.url}/_admin/variants/{target['id']}", json={}, timeout=10).status_code
        == 404
    )


def test_catalogue_calls_share_the_rate_limit_windows_with_order_calls(lightspeed):
    target = by_sku(lightspeed, "MOLEN-HAND")
    calls = [
        lambda: get(lightspeed, "/nl/orders.json", limit=1),
        lambda: get(lightspeed, "/nl/variants.json", limit=1),
        lambda: put(lightspeed, target["id"], {"variant": {"stockLevel": 2}}),
        lambda: get(lightspeed, "/nl/orders/count.json"),
        lambda: get(lightspeed, f"/nl/variants/{target['id']}.json"),
        lambda: put(lightspeed, target["id"], {"variant": {"stockLevel": "x"}}),  # a 400 counts too
        lambda: get(lightspeed, "/nl/products.json", limit=1),
        lambda: get(lightspeed, "/nl/variants/count.json"),
    ]
    remaining = [[int(x) for x in call().headers["X-RateLimit-Remaining"].split("/")] for call in calls]
    first = remaining[0]
    assert remaining == [[n - i for n in first] for i in range(len(calls))]
    counted = admin(lightspeed, "GET", "/calls")["calls"]
    assert counted["PUT /{lang}/variants/{id}.json"] == 2 and counted["GET /{lang}/variants.json"] == 1


def test_a_variant_call_needs_auth_and_an_active_language(lightspeed):
    assert get(lightspeed, "/nl/variants.json", auth=None).status_code == 401
    response = requests.put(f"{lightspeed.url}/nl/variants/1.json", json={"variant": {}}, timeout=10)
    assert response.status_code == 401
    response = get(lightspeed, "/fr/variants.json")
    assert (
        response.status_code == 404 and response.json()["error"]["message"] == "Unknown or inactive language"
    )


def test_hostile_raw_overrides_reach_the_client_but_not_the_matching(lightspeed):
    made = add(lightspeed, articleCode="RAW-1", stockLevel=4, raw={"articleCode": False, "stockLevel": "5"})
    shown = variant(lightspeed, made["id"])
    assert shown["articleCode"] is False and shown["stockLevel"] == "5"
    admin(
        lightspeed,
        "POST",
        "/orders",
        {"orders": [{"lines": [{"articleCode": "RAW-1", "quantityOrdered": 1}]}]},
    )
    assert admin(lightspeed, "GET", f"/variants/{made['id']}")["stockLevel"] == 3


def test_ten_thousand_generated_variants_in_one_quick_call(lightspeed):
    started = time.perf_counter()
    made = admin(lightspeed, "POST", "/variants", {"generate": 10000, "per_product": 4, "seed": "bench"})
    elapsed = time.perf_counter() - started
    assert len(made["variants"]) == 10000 and elapsed < 3, elapsed  # well under a second on a dev machine
    first, last = made["variants"][0], made["variants"][-1]
    assert (first["articleCode"], first["sku"], last["articleCode"]) == (
        "GEN-000001",
        "GEN-000001",
        "GEN-010000",
    )
    eans = {v["ean"] for v in made["variants"]}
    assert len(eans) == 10000 and all(len(e) == 13 and e.isdigit() for e in eans)
    for ean in list(eans)[:50]:
        digits = [int(d) for d in ean]
        assert sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits)) % 10 == 0
    listing = admin(lightspeed, "GET", "/variants")
    assert len(listing["variants"]) == 10000 + len(PRODUCTS) and listing["products"] == 2500 + len(PRODUCTS)
    assert get(lightspeed, "/nl/variants/count.json", product=first["product"]).json() == {"count": 4}
    again = admin(lightspeed, "POST", "/variants", {"generate": 2, "seed": "bench"})["variants"]
    assert [v["articleCode"] for v in again] == ["GEN-010001", "GEN-010002"]


def test_generation_is_deterministic_per_seed(lightspeed_factory):
    first, second = lightspeed_factory(), lightspeed_factory()
    body = {"generate": 20, "per_product": 3, "seed": "same"}
    made = [admin(server, "POST", "/variants", body)["variants"] for server in (first, second)]
    strip = [
        [{k: v[k] for k in ("id", "product", "articleCode", "ean", "stockLevel")} for v in m] for m in made
    ]
    assert strip[0] == strip[1]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/variants", {"variants": [{"stockLevel": "5"}]}),
        ("POST", "/variants", {"variants": [{"stockTracking": "sometimes"}]}),
        ("POST", "/variants", {"variants": [{"colour": "red"}]}),
        ("POST", "/variants", {"variants": [{"title": {"fr": "Titre"}}]}),
        ("POST", "/variants", {"variants": [{"updatedAt": "2026-01-01 10:00"}]}),
        ("POST", "/variants", {"bogus": 1}),
        ("POST", "/variants", {"generate": 3, "per_product": 0}),
        ("POST", "/variant_rules", {"stock_level_put": "relative"}),
        ("POST", "/variant_rules", {"no_such_rule": True}),
        ("POST", "/variant_rules", {"order_decrements": {"sometimes": True}}),
        ("POST", "/variant_rules", {"stock_change_bumps_updated_at": "yes"}),
    ],
)
def test_bad_admin_input_is_refused(lightspeed, method, path, body):
    before = admin(lightspeed, "GET", "/variants")
    response = requests.request(method, f"{lightspeed.url}/_admin{path}", json=body, timeout=10)
    assert response.status_code == 400 and response.json()["error"]
    assert admin(lightspeed, "GET", "/variants") == before
    assert admin(lightspeed, "GET", "/variant_rules")["rules"]["stock_level_put"] == "absolute"


def test_reset_reseeds_the_catalogue_and_restores_the_rules(lightspeed):
    target = by_sku(lightspeed, "KETEL-ZW")
    put(lightspeed, target["id"], {"variant": {"stockLevel": 1}})
    add(lightspeed, sku="EXTRA")
    admin(lightspeed, "POST", "/variant_rules", {"stock_level_put": "delta"})
    assert admin(lightspeed, "POST", "/reset", {"orders": 5}) == {"orders": 5}
    assert by_sku(lightspeed, "KETEL-ZW") == target
    assert get(lightspeed, "/nl/variants/count.json").json() == {"count": len(PRODUCTS)}
    assert admin(lightspeed, "GET", "/variant_rules")["rules"]["stock_level_put"] == "absolute"
