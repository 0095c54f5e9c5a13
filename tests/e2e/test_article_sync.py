"""The articles flow end to end: the articles DAG (read_afas_articles → plan_articles → push_articles)
run with ``dag.test()`` against both emulators over HTTP."""

from __future__ import annotations

import logging
from decimal import Decimal

ARTICLES = {"schedule": "0 * * * *"}


def setup(env, products, articles, barcodes=(), **block):
    """A shop with exactly ``products`` and an AFAS environment with exactly ``articles``."""
    env.tenant(articles={**ARTICLES, **block})
    for item in env.afas_admin("GET", "/articles")["articles"]:
        env.afas_admin("DELETE", f"/articles/{item['code']}")
    for variant in env.shop_admin("GET", "/variants")["variants"]:
        env.shop_admin("DELETE", f"/variants/{variant['id']}")
    made = env.shop_admin("POST", "/products", {"products": products})["products"] if products else []
    if articles:
        env.afas_admin("POST", "/articles", {"articles": articles})
    if barcodes:
        env.afas_admin("POST", "/barcodes", {"rows": list(barcodes)})
    return made


def variant(env, vid):
    return env.shop_admin("GET", f"/variants/{vid}")


def product(env, pid):
    return next(p for p in env.shop_admin("GET", "/products")["products"] if p["id"] == pid)


def writes(env, call_name):
    lightspeed, _ = env.calls()
    return lightspeed["calls"].get(call_name, 0)


VPUT = "PUT /{lang}/variants/{id}.json"
PPUT = "PUT /{lang}/products/{id}.json"
POST = "POST /{lang}/products.json"


def one(code, title="Koffie", price="10.00", **variant_fields):
    return {"title": title, "variants": [{"articleCode": code, "priceExcl": price, **variant_fields}]}


def test_afas_overwrites_the_shop_and_a_second_run_writes_nothing(sync_env):
    made = setup(
        sync_env,
        [
            one("KOF-1", "Oude titel", "9.00", priceIncl="10.89"),
            one("KOF-2", "Espresso", "5.00", priceIncl="6.05"),
        ],
        [
            {"code": "KOF-1", "description": "Koffiebonen 1 kg", "price": "12.40", "vat_group": "LAAG"},
            {
                "code": "KOF-2",
                "description": "Espresso",
                "price": "5.00",
                "vat_group": "HOOG",
                "blocked": True,
            },
        ],
    )
    sync_env.reset_calls()
    run = sync_env.run(flow="articles")
    assert run.state == "success"
    v1 = variant(sync_env, made[0]["variants"][0])
    assert Decimal(str(v1["priceExcl"])) == Decimal("12.40") and Decimal(str(v1["priceIncl"])) == Decimal(
        "13.52"
    )
    assert product(sync_env, made[0]["id"])["title"]["nl"] == "Koffiebonen 1 kg"
    assert product(sync_env, made[1]["id"])["visibility"] == "hidden"  # blocked: hidden, never deleted
    rows = sync_env.ledger.article_writes("shop")
    fields = sorted((r["item_code"], r["field"], r["old_value"], r["new_value"]) for r in rows)
    assert ("KOF-1", "priceExcl", "9.00", "12.40") in fields
    assert ("KOF-1", "title", "Oude titel", "Koffiebonen 1 kg") in fields
    assert ("KOF-2", "visibility", "visible", "hidden") in fields
    assert not any(r[0] == "KOF-2" and r[1].startswith("price") for r in fields)  # 5.00 / 6.05 already right
    (row,) = sync_env.ledger.flow_runs("shop", "articles")
    assert row["outcome"] == "success" and row["counts"]["followed"] == 2

    sync_env.reset_calls()
    assert sync_env.run(flow="articles").state == "success"
    lightspeed, _ = sync_env.calls()
    assert not [k for k in lightspeed["calls"] if not k.startswith("GET")]  # nothing written
    assert sum(lightspeed["calls"].values()) == 3  # variants, products (nl), taxes


def test_a_price_change_reaches_the_shop_although_no_date_moved(sync_env):
    made = setup(
        sync_env,
        [one("P-1", "Thee", "3.00", priceIncl="3.27")],
        [{"code": "P-1", "description": "Thee", "price": "3.00", "vat_group": "LAAG"}],
    )
    sync_env.run(flow="articles")
    before = {a["code"]: a["modified"] for a in sync_env.afas_admin("GET", "/articles")["articles"]}
    sync_env.afas_admin("POST", "/articles", {"articles": [{"code": "P-1", "price": "3.50"}]})
    after = {a["code"]: a["modified"] for a in sync_env.afas_admin("GET", "/articles")["articles"]}
    assert before == after  # the default rule: a price change does not move ModifiedDate
    sync_env.reset_calls()
    sync_env.run(flow="articles")
    v = variant(sync_env, made[0]["variants"][0])
    assert Decimal(str(v["priceExcl"])) == Decimal("3.50") and Decimal(str(v["priceIncl"])) == Decimal("3.82")
    assert writes(sync_env, VPUT) == 1 and writes(sync_env, PPUT) == 0


def test_a_dry_run_prints_the_diff_and_writes_nothing(sync_env, caplog):
    made = setup(
        sync_env,
        [one("D-1", "Oud", "1.00")],
        [{"code": "D-1", "description": "Nieuw", "price": "2.00", "vat_group": "HOOG"}],
    )
    sync_env.reset_calls()
    with caplog.at_level(logging.INFO):
        run = sync_env.run(flow="articles", dry_run=True)
    assert run.state == "success"
    assert writes(sync_env, VPUT) == writes(sync_env, PPUT) == 0
    assert product(sync_env, made[0]["id"])["title"]["nl"] == "Oud"
    text = caplog.text
    assert "planned (dry run)" in text and "Oud" in text and "Nieuw" in text and "priceExcl" in text


def test_bad_input_is_recorded_with_its_reason_and_the_others_go_on(sync_env):
    made = setup(
        sync_env,
        [one("B-1", "a"), one("B-2", "b"), one("B-3", "c"), one("OK-1", "d", "1.00")],
        [
            {"code": "B-1", "description": "Prijs kapot", "price": "1.00", "vat_group": "HOOG"},
            {
                "code": "B-2",
                "description": "x",
                "price": "1.00",
                "vat_group": "HOOG",
                "raw": {"Description": "y" * 300},
            },
            {"code": "B-3", "description": "Onbekende btw", "price": "1.00", "vat_group": "GEEN"},
            {"code": "OK-1", "description": "Goed", "price": "2.00", "vat_group": "HOOG"},
            {"code": "NOCODE", "description": "zonder code", "raw": {"ItemCode": None}},
        ],
        vat_groups={"HOOG": 21, "LAAG": 9},
    )
    sync_env.afas_admin(
        "POST", "/articles", {"articles": [{"code": "B-1", "raw": {"BasicSalesPrice": "abc"}}]}
    )
    run = sync_env.run(flow="articles")
    assert run.state == "success"
    items = sync_env.ledger.article_items("shop")
    assert "price" in items["B-1"].reason and "not a number" in items["B-1"].reason
    assert "300 characters" in items["B-2"].reason
    assert "GEEN has no mapping" in items["B-3"].reason
    assert product(sync_env, made[3]["id"])["title"]["nl"] == "Goed"
    assert product(sync_env, made[0]["id"])["title"]["nl"] == "Prijs kapot"  # its other fields went on
    (row,) = sync_env.ledger.flow_runs("shop", "articles")
    assert row["counts"]["items_without_code"] == 1


def test_missing_items_are_created_once_with_their_default_variant(sync_env):
    setup(
        sync_env,
        [],
        [
            {
                "code": "NEW-1",
                "description": "Nieuw product",
                "price": "8.00",
                "vat_group": "HOOG",
                "barcode": "8712345678906",
            }
        ],
        create_missing=True,
    )
    sync_env.reset_calls()
    assert sync_env.run(flow="articles").state == "success"
    assert writes(sync_env, POST) == 1
    products = [p for p in sync_env.shop_admin("GET", "/products")["products"] if p["variants"]]
    (made,) = products
    assert made["title"]["nl"] == "Nieuw product" and len(made["variants"]) == 1  # the default one, filled in
    v = variant(sync_env, made["variants"][0])
    assert (
        v["articleCode"] == "NEW-1"
        and v["ean"] == "8712345678906"
        and Decimal(str(v["priceIncl"])) == Decimal("9.68")
    )
    sync_env.reset_calls()
    assert sync_env.run(flow="articles").state == "success"
    assert writes(sync_env, POST) == 0 and writes(sync_env, VPUT) == 0


def test_a_lost_product_post_answer_creates_no_second_product(sync_env):
    setup(
        sync_env,
        [],
        [{"code": "LOST-1", "description": "Verloren antwoord", "price": "4.00", "vat_group": "HOOG"}],
        create_missing=True,
    )
    sync_env.shop_admin("POST", "/faults", {"drop_after_post": {"count": 1}})
    sync_env.reset_calls()
    run = sync_env.run(flow="articles")
    assert run.state == "success"
    assert writes(sync_env, POST) == 1  # found by its title and empty codes: adopted, not sent again
    products = [p for p in sync_env.shop_admin("GET", "/products")["products"] if p["variants"]]
    assert len(products) == 1 and variant(sync_env, products[0]["variants"][0])["articleCode"] == "LOST-1"
    sync_env.run(flow="articles")
    assert len([p for p in sync_env.shop_admin("GET", "/products")["products"] if p["variants"]]) == 1


def test_a_product_post_that_failed_is_sent_again_after_looking(sync_env):
    setup(
        sync_env,
        [],
        [{"code": "F-1", "description": "Vijf honderd drie", "price": "4.00", "vat_group": "HOOG"}],
        create_missing=True,
    )
    sync_env.shop_admin("POST", "/faults", {"post_5xx": {"count": 1, "status": 503}})
    sync_env.reset_calls()
    assert sync_env.run(flow="articles").state == "success"
    assert writes(sync_env, POST) == 1  # the 503 created nothing: looked, found nothing, the next run posts
    assert sync_env.ledger.article_items("shop")["F-1"].status == "creating"
    assert sync_env.run(flow="articles").state == "success"
    products = [p for p in sync_env.shop_admin("GET", "/products")["products"] if p["variants"]]
    assert len(products) == 1 and variant(sync_env, products[0]["variants"][0])["articleCode"] == "F-1"


def test_items_with_article_dimensions_are_reported_not_supported(sync_env):
    setup(
        sync_env,
        [],
        [
            {
                "code": "SHIRT",
                "description": "Shirt",
                "price": "20.00",
                "vat_group": "HOOG",
                "dim1": "MATEN",
                "dim2": "KLEUR",
            }
        ],
        create_missing=True,
    )
    assert sync_env.run(flow="articles").state == "success"
    assert not [p for p in sync_env.shop_admin("GET", "/products")["products"] if p["variants"]]
    assert "not supported" in sync_env.ledger.article_items("shop")["SHIRT"].reason
