"""Contract tests of the Lightspeed emulator's catalogue writes over HTTP (an articles sync's needs):
product POST with its default variant, texts per language, visibility, DELETE and its cascade,
variant POST/DELETE, the shop's caps, taxes, shop limits, languages, the refusals, every write rule,
the admin products API and the POST faults (5xx, the connection dropped after the POST applied)."""

from __future__ import annotations

import pytest
import requests

from emulators.lightspeed.shop_settings import DOC_LIMITS
from tests.support.lightspeed_fixtures import LS_AUTH, admin, filter_value, get

BROKEN = (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError)
PRODUCT_KEYS = (
    "id createdAt updatedAt isVisible visibility hasMatrix data01 data02 data03 url title fulltitle "
    "description content set brand type variants"
).split()


def send(server, method, path, root=None, fields=None, lang="nl"):
    body = None if root is None else {root: fields}
    return requests.request(method, f"{server.url}/{lang}/{path}", auth=LS_AUTH, json=body, timeout=10)


def post_product(server, lang="nl", **fields):
    return send(server, "POST", "products.json", "product", fields, lang)


def made_product(server, lang="nl", **fields):
    response = post_product(server, lang, **fields)
    assert response.status_code == 201, response.text
    return response.json()["product"]


def put_product(server, product_id, lang="nl", **fields):
    return send(server, "PUT", f"products/{product_id}.json", "product", fields, lang)


def post_variant(server, lang="nl", **fields):
    return send(server, "POST", "variants.json", "variant", fields, lang)


def product(server, product_id, lang="nl"):
    response = get(server, f"/{lang}/products/{product_id}.json")
    assert response.status_code == 200, response.text
    return response.json()["product"]


def variants_of(server, product_id, lang="nl"):
    response = get(server, f"/{lang}/variants.json", product=product_id)
    assert response.status_code == 200, response.text
    return response.json()["variants"]


def rules(server, **changes):
    return admin(server, "POST", "/variant_rules", changes)["rules"]


def message(response):
    return response.json()["error"]["message"]


def test_a_product_post_creates_the_product_and_one_default_variant(lightspeed):
    before = get(lightspeed, "/nl/products/count.json").json()["count"]
    made = made_product(lightspeed, title="Espresso Blend", visibility="visible")
    assert list(made) == PRODUCT_KEYS
    assert (made["title"], made["fulltitle"], made["url"]) == (
        "Espresso Blend",
        "Espresso Blend",
        "espresso-blend",
    )
    assert made["createdAt"] == made["updatedAt"] and made["isVisible"] is True
    assert made["variants"]["resource"]["url"] == f"variants?product={made['id']}"
    assert product(lightspeed, made["id"]) == made
    assert get(lightspeed, "/nl/products/count.json").json()["count"] == before + 1
    [default] = variants_of(lightspeed, made["id"])
    assert default["product"]["resource"]["id"] == made["id"]
    assert (default["isDefault"], default["title"], default["sortOrder"]) == (True, "Default", 1)
    assert default["stockTracking"] == "disabled" and default["stockLevel"] == 0 and default["tax"] is False
    assert [default[k] for k in ("priceExcl", "priceIncl", "oldPriceExcl", "stockAlert")] == [0, 0, 0, 0]
    assert (default["stockBuyMinimum"], default["stockBuyMaximum"]) == (1, 10000)
    assert default["sku"] == default["articleCode"] == default["ean"] == ""
    assert get(lightspeed, "/en/variants.json", product=made["id"]).json()["variants"][0]["title"] == ""


def test_the_default_variant_and_visibility_rules(lightspeed):
    assert made_product(lightspeed, title="Zonder zichtbaarheid")["visibility"] == "hidden"
    rules(
        lightspeed,
        default_variant_title="Standaard",
        created_stock_tracking="enabled",
        created_visibility="auto",
    )
    made = made_product(lightspeed, title="Met regels")
    assert (made["visibility"], made["isVisible"]) == ("auto", True)
    [default] = variants_of(lightspeed, made["id"])
    assert (default["title"], default["stockTracking"]) == ("Standaard", "enabled")
    with pytest.raises(requests.HTTPError):
        rules(lightspeed, default_variant_title="  ")
    with pytest.raises(requests.HTTPError):
        rules(lightspeed, create_status="201")  # the statuses are integers


def test_texts_are_stored_per_language(lightspeed):
    made = made_product(lightspeed, title="Koffiebonen", description="Vers gebrand", visibility="visible")
    fields = {"title": "Coffee beans", "fulltitle": "Coffee beans 1 kg", "content": "<p>Fresh</p>"}
    response = put_product(lightspeed, made["id"], "en", **fields)
    assert response.status_code == 200, response.text
    english = response.json()["product"]
    assert (english["title"], english["fulltitle"], english["content"]) == tuple(fields.values())
    assert english["url"] == "coffee-beans" and english["description"] == ""  # never set in en
    assert english["updatedAt"] > made["updatedAt"]
    dutch = product(lightspeed, made["id"])
    assert (dutch["title"], dutch["fulltitle"], dutch["description"]) == (
        "Koffiebonen",
        "Koffiebonen",
        "Vers gebrand",
    )
    assert (dutch["url"], dutch["content"]) == ("koffiebonen", "")
    rules(lightspeed, untranslated_text="default_language")
    assert product(lightspeed, made["id"], "en")["description"] == "Vers gebrand"
    [default] = variants_of(lightspeed, made["id"])
    response = send(lightspeed, "PUT", f"variants/{default['id']}.json", "variant", {"title": "1 kg"}, "en")
    assert response.status_code == 200 and response.json()["variant"]["title"] == "1 kg"
    assert variants_of(lightspeed, made["id"])[0]["title"] == "Default"
    internal = next(p for p in admin(lightspeed, "GET", "/products")["products"] if p["id"] == made["id"])
    assert internal["title"] == {"nl": "Koffiebonen", "en": "Coffee beans"}
    assert internal["visibility"] == "visible" and internal["variants"] == [default["id"]]


def test_visibility_is_shared_and_linked_to_is_visible(lightspeed):
    made = made_product(lightspeed, title="Verborgen", visibility="hidden")
    assert made["isVisible"] is False
    assert product(lightspeed, made["id"], "en")["visibility"] == "hidden"
    shown = put_product(lightspeed, made["id"], "en", isVisible=True).json()["product"]
    assert (shown["visibility"], shown["isVisible"]) == ("visible", True)
    response = put_product(lightspeed, made["id"], visibility="hidden", isVisible=True)
    assert response.status_code == 400 and "contradict" in message(response)
    assert product(lightspeed, made["id"])["visibility"] == "visible"
    rules(lightspeed, visibility_write="independent")
    both = put_product(lightspeed, made["id"], visibility="hidden", isVisible=True).json()["product"]
    assert (both["visibility"], both["isVisible"]) == ("hidden", True)


def test_shared_fields_and_references(lightspeed):
    made = made_product(lightspeed, title="Met merk", data01="A-1", brand=77, type=5)
    assert made["data01"] == "A-1" and made["brand"]["resource"] == {
        "id": 77,
        "url": "brands/77",
        "link": f"{lightspeed.url}/nl/brands/77.json",
    }
    assert made["type"]["resource"]["url"] == "types/5" and "supplier" not in made
    changed = put_product(lightspeed, made["id"], "en", supplier=9, brand=False).json()["product"]
    assert changed["brand"] is False and changed["supplier"]["resource"]["id"] == 9
    assert product(lightspeed, made["id"])["data01"] == "A-1"


@pytest.mark.parametrize(
    ("fields", "needle"),
    [
        ({}, "Invalid product title"),
        ({"title": ""}, "Invalid product title"),
        ({"title": 5}, "Invalid product title"),
        ({"title": "X", "id": 5}, "'id' is read-only"),
        ({"title": "X", "variants": []}, "'variants' is read-only"),
        ({"title": "X", "hasMatrix": True}, "'hasMatrix' is read-only"),
        ({"title": "X", "price": 5}, "Unknown field 'price'"),
        ({"title": "X", "visibility": "shown"}, "'visibility'"),
        ({"title": "X", "isVisible": "yes"}, "'isVisible'"),
        ({"title": "X", "brand": "7"}, "'brand'"),
        ({"title": "X", "url": ""}, "'url'"),
    ],
)
def test_product_post_refusals_change_nothing(lightspeed, fields, needle):
    before = admin(lightspeed, "GET", "/products")["products"]
    response = post_product(lightspeed, **fields)
    assert response.status_code == 400 and needle in message(response), response.text
    assert admin(lightspeed, "GET", "/products")["products"] == before


def test_product_put_refusals_and_body_checks(lightspeed):
    made = made_product(lightspeed, title="Origineel")
    for fields, needle in (
        ({"title": " "}, "Invalid product title"),
        ({"createdAt": "2020-01-01T00:00:00+00:00"}, "read-only"),
        ({"title": "Nieuw", "stock": 1}, "Unknown field 'stock'"),
    ):
        response = put_product(lightspeed, made["id"], **fields)
        assert response.status_code == 400 and needle in message(response)
    assert product(lightspeed, made["id"]) == made
    wrong_root = send(lightspeed, "PUT", f"products/{made['id']}.json", "variant", {"title": "X"})
    assert wrong_root.status_code == 400 and "root key" in message(wrong_root)
    assert put_product(lightspeed, 999, title="X").status_code == 404
    rules(lightspeed, readonly_fields="ignore")
    response = put_product(lightspeed, made["id"], id=1, title="Nieuw")
    assert response.status_code == 200 and response.json()["product"]["id"] == made["id"]


def test_delete_cascades_to_the_variants(lightspeed):
    made = made_product(lightspeed, title="Weg ermee")
    variant = post_variant(lightspeed, product=made["id"], title="Tweede").json()["variant"]
    response = send(lightspeed, "DELETE", f"products/{made['id']}.json")
    assert response.status_code == 204 and response.content == b""
    assert get(lightspeed, f"/nl/products/{made['id']}.json").status_code == 404
    assert variants_of(lightspeed, made["id"]) == []
    assert get(lightspeed, f"/nl/variants/{variant['id']}.json").status_code == 404
    assert send(lightspeed, "DELETE", f"products/{made['id']}.json").status_code == 404
    rules(lightspeed, delete_status=200, product_delete="keep_variants")
    kept = made_product(lightspeed, title="Varianten blijven")
    response = send(lightspeed, "DELETE", f"products/{kept['id']}.json")
    assert response.status_code == 200 and response.json() == {}
    assert len(variants_of(lightspeed, kept["id"])) == 1


def test_a_variant_post_adds_a_variant_to_a_product(lightspeed):
    made = made_product(lightspeed, title="Twee maten")
    fields = {
        "product": made["id"],
        "title": "1 kg",
        "sku": "KG-1",
        "articleCode": "KG-1",
        "ean": "8712345678906",
    }
    response = post_variant(
        lightspeed, **fields, priceExcl=10, stockTracking="enabled", stockLevel=7, tax=4009
    )
    assert response.status_code == 201, response.text
    variant = response.json()["variant"]
    assert variant["product"]["resource"]["id"] == made["id"] and variant["isDefault"] is False
    assert (variant["title"], variant["sku"], variant["ean"], variant["stockLevel"]) == (
        "1 kg",
        "KG-1",
        fields["ean"],
        7,
    )
    assert variant["tax"]["resource"]["id"] == 4009 and variant["sortOrder"] == 2
    assert variant["createdAt"] == variant["updatedAt"] and (variant["priceExcl"], variant["priceIncl"]) == (
        10,
        0,
    )
    assert [v["id"] for v in variants_of(lightspeed, made["id"])][0] == variant["id"]
    assert get(lightspeed, f"/en/variants/{variant['id']}.json").json()["variant"]["title"] == ""
    assert admin(lightspeed, "GET", f"/variants/{variant['id']}")["movementLog"][0]["channel"] == "api"
    disabled = post_variant(lightspeed, product=made["id"], title="Geen voorraad", stockLevel=5).json()[
        "variant"
    ]
    assert (disabled["stockTracking"], disabled["stockLevel"]) == ("disabled", 0)  # stock_put_when_disabled
    rules(lightspeed, price_write="derive", default_variant="exclusive")
    derived = post_variant(
        lightspeed, product=made["id"], title="Derived", priceIncl=10.9, tax=4009, isDefault=True
    )
    assert derived.json()["variant"]["priceExcl"] == 10 and derived.json()["variant"]["isDefault"] is True
    assert [v["isDefault"] for v in variants_of(lightspeed, made["id"])].count(True) == 1


@pytest.mark.parametrize(
    ("fields", "status", "needle"),
    [
        ({"title": "X", "product": None}, 400, "Missing field 'product'"),
        ({"title": "X", "product": "1"}, 400, "'product'"),
        ({"title": "X", "product": True}, 400, "'product'"),
        ({"title": "X", "product": 999}, 404, "Product not found"),
        ({}, 400, "Invalid variant title"),
        ({"title": ""}, 400, "Invalid variant title"),
        ({"title": "X", "id": 5}, 400, "'id' is read-only"),
        ({"title": "X", "stockSold": 5}, 400, "'stockSold' is read-only"),
        ({"title": "X", "colour": "red"}, 400, "Unknown field 'colour'"),
        ({"title": "X", "priceExcl": "10"}, 400, "'priceExcl'"),
        ({"title": "X", "tax": 21}, 400, "no tax with id 21"),
        ({"title": "X", "stockTracking": "enabled", "stockLevel": -1}, 400, "'stockLevel'"),
    ],
)
def test_variant_post_refusals_change_nothing(lightspeed, fields, status, needle):
    made = made_product(lightspeed, title="Doel")
    before = admin(lightspeed, "GET", "/variants")["variants"]
    fields = {"product": made["id"], **fields}
    response = post_variant(lightspeed, **{k: v for k, v in fields.items() if v is not None})
    assert response.status_code == status and needle in message(response), response.text
    assert admin(lightspeed, "GET", "/variants")["variants"] == before


def test_variant_post_title_and_tax_rules(lightspeed):
    made = made_product(lightspeed, title="Regels")
    rules(lightspeed, variant_post_title="default", unknown_tax="accept", default_variant_title="Std")
    response = post_variant(lightspeed, product=made["id"], tax=21)
    assert response.status_code == 201 and response.json()["variant"]["title"] == "Std"
    assert response.json()["variant"]["tax"]["resource"]["id"] == 21
    [variant_id] = [v["id"] for v in variants_of(lightspeed, made["id"]) if v["isDefault"]]
    put = send(lightspeed, "PUT", f"variants/{variant_id}.json", "variant", {"tax": 4000})
    assert put.status_code == 200 and put.json()["variant"]["tax"]["resource"]["id"] == 4000


def test_variant_delete_keeps_one_variant_per_product(lightspeed):
    made = made_product(lightspeed, title="Een variant")
    [default] = variants_of(lightspeed, made["id"])
    response = send(lightspeed, "DELETE", f"variants/{default['id']}.json")
    assert response.status_code == 400 and "at least one variant" in message(response)
    second = post_variant(lightspeed, product=made["id"], title="B").json()["variant"]
    assert send(lightspeed, "DELETE", f"variants/{second['id']}.json").status_code == 204
    assert send(lightspeed, "DELETE", f"variants/{second['id']}.json").status_code == 404
    rules(lightspeed, last_variant_delete="allow")
    assert send(lightspeed, "DELETE", f"variants/{default['id']}.json").status_code == 204
    assert variants_of(lightspeed, made["id"]) == [] and product(lightspeed, made["id"])["id"] == made["id"]


def test_the_shop_caps_refuse_products_and_variants(lightspeed_factory):
    server = lightspeed_factory(max_products_variants=2)
    count = get(server, "/nl/products/count.json").json()["count"]
    limits = get(server, "/nl/shop/limits.json").json()["shopLimits"]
    assert (limits["maxProducts"], limits["maxProductsVariants"]) == (10000, 2)
    admin(server, "POST", "/shop_limits", {"maxProducts": count + 1})
    made = made_product(server, title="De laatste")
    response = post_product(server, title="Een te veel")
    assert response.status_code == 400 and message(response) == (
        f"The shop has reached its maximum number of products ({count + 1})"
    )
    assert get(server, "/nl/products/count.json").json()["count"] == count + 1
    assert post_variant(server, product=made["id"], title="Twee").status_code == 201
    response = post_variant(server, product=made["id"], title="Drie")
    assert response.status_code == 400 and "maximum number of variants (2)" in message(response)
    rules(server, shop_limit_exceeded="ignore")
    assert post_product(server, title="Toch").status_code == 201
    assert post_variant(server, product=made["id"], title="Drie").status_code == 201
    with pytest.raises(requests.HTTPError):
        admin(server, "POST", "/shop_limits", {"maxProducts": -1})
    with pytest.raises(requests.HTTPError):
        admin(server, "POST", "/shop_limits", {"maxUnicorns": 1})


def test_shop_limits_have_every_reference_field(lightspeed_factory):
    server = lightspeed_factory(max_products=500)
    limits = get(server, "/nl/shop/limits.json").json()
    assert list(limits) == ["shopLimits"] and set(limits["shopLimits"]) == set(DOC_LIMITS)
    assert limits["shopLimits"]["maxProducts"] == 500 and limits["shopLimits"]["maxWebhooks"] == 10
    assert limits["shopLimits"]["hasTranslations"] is True
    admin(server, "POST", "/shop_limits", {"maxProductsVariants": 3, "hasB2b": True})
    admin(server, "POST", "/reset", {})
    again = get(server, "/nl/shop/limits.json").json()["shopLimits"]
    assert (again["maxProductsVariants"], again["hasB2b"]) == (50, False)


def test_taxes(lightspeed):
    taxes = get(lightspeed, "/nl/taxes.json").json()["taxes"]
    assert taxes == [
        {"id": 4000, "isDefault": False, "rate": 0, "title": "BTW 0%"},
        {"id": 4009, "isDefault": False, "rate": 0.09, "title": "BTW 9%"},
        {"id": 4021, "isDefault": True, "rate": 0.21, "title": "BTW 21%"},
    ]
    assert get(lightspeed, "/en/taxes/4009.json").json() == {"tax": taxes[1]}
    assert get(lightspeed, "/nl/taxes/count.json").json() == {"count": 3}
    response = get(lightspeed, "/nl/taxes/1.json")
    assert response.status_code == 404 and message(response) == "Tax not found"
    replaced = admin(lightspeed, "POST", "/taxes", {"taxes": [{"id": 7, "rate": 0.19, "title": "MwSt 19%"}]})
    assert replaced["taxes"] == [{"id": 7, "isDefault": True, "rate": 0.19, "title": "MwSt 19%"}]
    made = made_product(lightspeed, title="Duits")
    [default] = variants_of(lightspeed, made["id"])
    assert (
        send(lightspeed, "PUT", f"variants/{default['id']}.json", "variant", {"tax": 4021}).status_code == 400
    )
    for bad in (
        [],
        [{"rate": 21, "title": "x"}],
        [{"rate": 0.2, "title": ""}],
        [{"rate": 0.1, "title": "a", "isDefault": True}] * 2,
    ):
        response = requests.post(f"{lightspeed.url}/_admin/taxes", json={"taxes": bad}, timeout=10)
        assert response.status_code == 400, bad
    admin(lightspeed, "POST", "/reset", {})
    assert get(lightspeed, "/nl/taxes.json").json()["taxes"] == taxes


def test_languages(lightspeed_factory):
    server = lightspeed_factory(languages=("en", "nl", "de"))
    languages = get(server, "/de/languages.json").json()["languages"]
    assert [(lang["code"], lang["isDefault"], lang["isActive"]) for lang in languages] == [
        ("en", True, True),
        ("nl", False, True),
        ("de", False, True),
    ]
    assert languages[1] == {
        "id": 2,
        "isActive": True,
        "isDefault": False,
        "code": "nl",
        "locale": "nl_NL",
        "title": "Nederlands",
    }
    assert get(server, "/fr/languages.json").status_code == 404


def test_the_products_list_filters_and_pages(lightspeed):
    first = made_product(lightspeed, title="Eerste", brand=3)
    second = made_product(lightspeed, title="Tweede", visibility="visible")
    window = {"updated_at_min": filter_value(first["updatedAt"])}
    listed = get(lightspeed, "/nl/products.json", **window, fields="id,visibility").json()["products"]
    assert listed == [
        {"id": second["id"], "visibility": "visible"},
        {"id": first["id"], "visibility": "hidden"},
    ]
    assert [p["id"] for p in get(lightspeed, "/nl/products.json", limit=1, page=2).json()["products"]] == [
        first["id"]
    ]
    everything = get(lightspeed, "/nl/products/count.json").json()["count"]
    assert get(lightspeed, "/nl/products/count.json", brand=3).json()["count"] == everything  # ignored
    rules(lightspeed, product_filters="apply")
    assert [p["id"] for p in get(lightspeed, "/nl/products.json", brand=3).json()["products"]] == [
        first["id"]
    ]
    assert get(lightspeed, "/nl/products/count.json", isVisible="false").json()["count"] == 1
    assert [p["id"] for p in get(lightspeed, "/nl/products.json", title="Tweede").json()["products"]] == [
        second["id"]
    ]
    assert get(lightspeed, "/nl/products.json", isVisible="maybe").status_code == 400
    rules(lightspeed, product_filters="refuse")
    response = get(lightspeed, "/nl/products.json", supplier=1)
    assert response.status_code == 400 and message(response) == "Unknown filter: supplier"


def test_create_status_rule(lightspeed):
    rules(lightspeed, create_status=200)
    response = post_product(lightspeed, title="Tweehonderd")
    assert response.status_code == 200 and response.json()["product"]["title"] == "Tweehonderd"
    response = post_variant(lightspeed, product=response.json()["product"]["id"], title="V")
    assert response.status_code == 200 and list(response.json()) == ["variant"]


def test_writes_go_through_auth_and_the_rate_limit_windows(lightspeed):
    response = requests.post(
        f"{lightspeed.url}/nl/products.json", json={"product": {"title": "X"}}, timeout=10
    )
    assert response.status_code == 401
    response = post_product(lightspeed, title="Geteld")
    assert response.status_code == 201 and response.headers["X-RateLimit-Remaining"]
    assert post_product(lightspeed, "fr", title="Frans").status_code == 404
    calls = admin(lightspeed, "GET", "/calls")["calls"]
    assert calls["POST /{lang}/products.json"] == 3
    windows = admin(lightspeed, "GET", "/state")["rate_limits"][LS_AUTH[0]]
    assert [window["used"] for window in windows] == [2, 2, 2]  # the created one and the refused one


def test_drop_after_post_creates_then_drops_the_connection(lightspeed):
    admin(lightspeed, "POST", "/faults", {"drop_after_post": {"count": 2}})
    assert post_product(lightspeed, title="").status_code == 400  # refused: not dropped
    before = {p["id"] for p in admin(lightspeed, "GET", "/products")["products"]}
    with pytest.raises(BROKEN):
        post_product(lightspeed, title="Toch aangemaakt")
    [new] = [p for p in admin(lightspeed, "GET", "/products")["products"] if p["id"] not in before]
    assert new["title"] == {"nl": "Toch aangemaakt"} and len(new["variants"]) == 1
    with pytest.raises(BROKEN):
        post_variant(lightspeed, product=new["id"], title="Ook aangemaakt")
    assert len(variants_of(lightspeed, new["id"])) == 2
    assert post_variant(lightspeed, product=new["id"], title="Beantwoord").status_code == 201  # used up
    calls = admin(lightspeed, "GET", "/calls")
    assert calls["statuses"]["dropped"] == 2 and calls["calls"]["POST /{lang}/variants.json"] == 2


def test_post_5xx_creates_nothing(lightspeed):
    admin(lightspeed, "POST", "/faults", {"post_5xx": {"count": 1, "status": 502}})
    count = get(lightspeed, "/nl/products/count.json").json()["count"]
    assert get(lightspeed, "/nl/products.json").status_code == 200  # GETs are not hit
    response = post_product(lightspeed, title="Nooit")
    assert response.status_code == 502 and message(response) == "Service temporarily unavailable"
    assert get(lightspeed, "/nl/products/count.json").json()["count"] == count
    assert post_product(lightspeed, title="Nu wel").status_code == 201
    faults = admin(lightspeed, "POST", "/faults", {"clear": True})["faults"]
    assert faults["post_5xx"] == faults["drop_after_post"] == 0
    with pytest.raises(requests.HTTPError):
        admin(lightspeed, "POST", "/faults", {"post_5xx": {"count": 1, "status": 404}})


def test_admin_products(lightspeed):
    spec = {
        "title": {"nl": "Thee", "en": "Tea"},
        "visibility": "hidden",
        "data02": "x",
        "variants": [
            {"sku": "TEA-1", "title": {"nl": "Los", "en": "Loose"}, "stockLevel": 3},
            {"sku": "TEA-2"},
        ],
    }
    [made] = admin(lightspeed, "POST", "/products", {"products": [spec]})["products"]
    assert len(made["variants"]) == 2
    shown = product(lightspeed, made["id"], "en")
    assert (shown["title"], shown["visibility"], shown["isVisible"], shown["data02"]) == (
        "Tea",
        "hidden",
        False,
        "x",
    )
    listed = variants_of(lightspeed, made["id"], "en")
    assert {v["sku"]: (v["isDefault"], v["title"]) for v in listed} == {
        "TEA-1": (True, "Loose"),
        "TEA-2": (False, "Default"),
    }
    internal = next(p for p in admin(lightspeed, "GET", "/products")["products"] if p["id"] == made["id"])
    assert internal["title"] == {"nl": "Thee", "en": "Tea"} and internal["variants"] == made["variants"]
    [bare] = admin(lightspeed, "POST", "/products", {"products": [{}]})["products"]
    assert len(bare["variants"]) == 1
    before = admin(lightspeed, "GET", "/products")["products"]
    for bad in (
        {"colour": "red"},
        {"variants": [{"stockLevel": "x"}]},
        {"visibility": "maybe"},
        {"id": made["id"]},
    ):
        response = requests.post(f"{lightspeed.url}/_admin/products", json={"products": [bad]}, timeout=10)
        assert response.status_code == 400, bad
    assert admin(lightspeed, "GET", "/products")["products"] == before


def test_titles_longer_than_the_rule_allows_are_refused_and_change_nothing(lightspeed):
    made = made_product(lightspeed, title="x" * 255)  # the default cap takes 255
    assert post_product(lightspeed, title="x" * 256).status_code == 400
    rules(lightspeed, title_max_length=10)
    response = put_product(lightspeed, made["id"], title="elf tekens!")
    assert response.status_code == 400 and "at most 10 characters" in message(response)
    assert product(lightspeed, made["id"])["title"] == "x" * 255
    [default] = variants_of(lightspeed, made["id"])
    response = send(lightspeed, "PUT", f"variants/{default['id']}.json", "variant", {"title": "elf tekens!"})
    assert response.status_code == 400 and "Invalid variant title" in message(response)
    for bad in (0, True, "10"):
        with pytest.raises(requests.HTTPError):
            rules(lightspeed, title_max_length=bad)
