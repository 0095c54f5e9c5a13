"""The catalogue calls of the Lightspeed hook against the emulator: product and variant pages with the
fields the articles flow compares, texts per language, taxes, and the product POST that is sent once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests

from lightspeed_afas.hooks.errors import LightspeedBadRequestError, LightspeedUnavailableError
from lightspeed_afas.hooks.lightspeed_catalog import CATALOG_VARIANT_FIELDS, PRODUCT_FIELDS


def admin(server, path, body=None, method="POST"):
    response = requests.request(method, f"{server.url}/_admin{path}", json=body, timeout=10)
    response.raise_for_status()
    return response.json()


def fresh_products(server, specs):
    for v in admin(server, "/variants", method="GET")["variants"]:
        admin(server, f"/variants/{v['id']}", method="DELETE")
    return admin(server, "/products", {"products": specs})["products"]


def calls(server, name):
    return admin(server, "/calls", method="GET")["calls"].get(name, 0)


def test_pages_carry_the_fields_compared_and_texts_come_per_language(shop):
    server, make = shop()
    made = fresh_products(
        server, [{"title": {"nl": "Koffie", "en": "Coffee"}, "variants": [{"articleCode": "K"}]}]
    )
    hook = make()
    (variants,) = list(hook.iter_catalog_pages("variants"))
    assert {v["id"] for v in variants} == set(made[0]["variants"])
    assert set(variants[0]) <= set(CATALOG_VARIANT_FIELDS)
    products = [p for page in hook.iter_catalog_pages("products", lang="en") for p in page]
    ours = next(p for p in products if p["id"] == made[0]["id"])
    assert ours["title"] == "Coffee" and set(ours) <= set(PRODUCT_FIELDS)
    later = datetime.now(UTC) + timedelta(hours=3)
    assert list(hook.iter_catalog_pages("variants", updated_min=later)) == [[]]


def test_writes_per_language_and_the_taxes(shop):
    server, make = shop()
    (made,) = fresh_products(server, [{"title": "Thee", "variants": [{"articleCode": "T"}]}])
    hook = make()
    taxes = {t["id"]: t["rate"] for t in hook.list_taxes()}
    tax = next(tid for tid, rate in taxes.items() if abs(rate - 0.09) < 1e-9)
    answer = hook.update_variant(made["variants"][0], {"priceExcl": 2.0, "priceIncl": 2.18, "tax": tax})
    assert answer["priceIncl"] == 2.18
    hook.update_product(made["id"], {"title": "Tea"}, lang="en")
    assert hook.update_product(made["id"], {"visibility": "hidden"})["visibility"] == "hidden"
    products = admin(server, "/products", method="GET")["products"]
    titles = next(p for p in products if p["id"] == made["id"])["title"]
    assert titles == {"nl": "Thee", "en": "Tea"}


def test_a_product_post_is_sent_once_whatever_becomes_of_its_answer(shop):
    server, make = shop()
    fresh_products(server, [])
    hook = make(sleep=lambda s: None)
    before = calls(server, "POST /{lang}/products.json")
    admin(server, "/faults", {"drop_after_post": {"count": 1}})
    with pytest.raises(LightspeedUnavailableError):
        hook.create_product({"title": "Verloren"})
    admin(server, "/faults", {"post_5xx": {"count": 1, "status": 503}})
    with pytest.raises(LightspeedUnavailableError):
        hook.create_product({"title": "Geweigerd"})
    assert calls(server, "POST /{lang}/products.json") == before + 2  # no retry of either
    found = hook.products_created_since(datetime.now(UTC) - timedelta(minutes=5))
    assert [p["title"] for p in found].count("Verloren") == 1 and "Geweigerd" not in [
        p["title"] for p in found
    ]
    with pytest.raises(LightspeedBadRequestError):
        hook.create_product({"title": ""})
    made = hook.create_product({"title": "Goed"})
    assert [v["isDefault"] for v in hook.product_variants(made["id"])] == [True]
