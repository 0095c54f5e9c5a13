"""The articles flow under every reading of what the reference leaves open ([U]): each emulator rule
the flow meets, set both ways, through the articles DAG."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.e2e.test_article_sync import one, product, setup, variant


def money(value) -> Decimal:
    return Decimal(str(value))


@pytest.mark.parametrize("bounds", ["exclusive", "inclusive"])
def test_a_description_changed_in_afas_is_read_incrementally_under_either_bound(sync_env, bounds):
    made = setup(
        sync_env,
        [one("I-1", "Oud")],
        [{"code": "I-1", "description": "Oud", "price": "10.00", "vat_group": "HOOG"}],
    )
    sync_env.afas_admin("POST", "/article_rules", {"modified_date_bounds": bounds})
    assert sync_env.run(flow="articles").state == "success"
    sync_env.afas_admin("POST", "/articles", {"articles": [{"code": "I-1", "description": "Nieuw"}]})
    assert sync_env.run(flow="articles").state == "success"
    assert product(sync_env, made[0]["id"])["title"]["nl"] == "Nieuw"
    assert sync_env.ledger.flow_runs("shop", "articles")[0]["counts"]["afas_items_read"] == 1  # incremental


def test_prices_from_the_debtors_price_list_incl_vat(sync_env):
    made = setup(
        sync_env,
        [one("L-1", "Lijst", "1.00")],
        [{"code": "L-1", "description": "Lijst", "price": "10.00", "vat_group": "HOOG"}],
        prices={"source": "price_list", "debtor": "10001", "afas_includes_vat": True},
    )
    sync_env.afas_admin(
        "POST", "/debtors", {"debtors": [{"debtor_id": "10001", "kind": "organisation", "name": "Webshop"}]}
    )
    sync_env.afas_admin(
        "POST", "/article_rules", {"sales_price_incl_vat": True, "sales_price_filters": "required"}
    )
    sync_env.afas_admin("POST", "/prices", {"rows": [{"item": "L-1", "price": "8.00"}]})
    assert sync_env.run(flow="articles").state == "success"
    v = variant(sync_env, made[0]["variants"][0])
    assert money(v["priceIncl"]) == Decimal("9.68")  # 8.00 excl. in AFAS, given incl. by the rule
    assert money(v["priceExcl"]) == Decimal("8.00")


def test_dimension_items_are_found_when_afas_gives_labels_instead_of_codes(sync_env):
    setup(
        sync_env,
        [],
        [{"code": "BROEK", "description": "Broek", "price": "30.00", "vat_group": "HOOG", "dim1": "MATEN"}],
        create_missing=True,
    )
    sync_env.afas_admin("POST", "/article_rules", {"article_value_sets": "labels"})
    assert sync_env.run(flow="articles").state == "success"
    assert "not supported" in sync_env.ledger.article_items("shop")["BROEK"].reason


@pytest.mark.parametrize(
    "rules",
    [
        {
            "price_write": "derive",
            "tax_write": "id_or_link",
            "create_status": 200,
            "created_visibility": "visible",
        },
        {"price_write": "as_sent", "tax_write": "id", "create_status": 201, "created_visibility": "hidden"},
    ],
)
def test_creation_and_prices_under_either_reading_of_the_shop(sync_env, rules):
    setup(
        sync_env,
        [],
        [{"code": "R-1", "description": "Regels", "price": "10.00", "vat_group": "LAAG"}],
        create_missing=True,
    )
    sync_env.shop_admin("POST", "/variant_rules", rules)
    assert sync_env.run(flow="articles").state == "success"
    (made,) = [p for p in sync_env.shop_admin("GET", "/products")["products"] if p["variants"]]
    assert made["visibility"] == "visible" and len(made["variants"]) == 1
    v = variant(sync_env, made["variants"][0])
    assert money(v["priceExcl"]) == Decimal("10.00") and money(v["priceIncl"]) == Decimal("10.90")
    assert sync_env.run(flow="articles").state == "success"
    assert sync_env.ledger.flow_runs("shop", "articles")[0]["counts"]["planned_fields"] == 0


@pytest.mark.parametrize("untranslated", ["empty", "default_language"])
def test_texts_go_to_every_language_of_the_block(sync_env, untranslated):
    made = setup(
        sync_env,
        [one("T-1", {"nl": "Oud", "en": "Old"})],
        [{"code": "T-1", "description": "Koffie", "price": "10.00", "vat_group": "HOOG"}],
        languages=["nl", "en"],
    )
    sync_env.shop_admin("POST", "/variant_rules", {"untranslated_text": untranslated})
    assert sync_env.run(flow="articles").state == "success"
    titles = product(sync_env, made[0]["id"])["title"]
    assert titles == {"nl": "Koffie", "en": "Koffie"}
    assert sync_env.run(flow="articles").state == "success"
    assert sync_env.ledger.flow_runs("shop", "articles")[0]["counts"]["planned_fields"] == 0


def test_a_product_with_several_variants_keeps_its_title_and_its_variants_follow(sync_env):
    made = setup(
        sync_env,
        [
            {
                "title": "Bonen",
                "variants": [
                    {"articleCode": "V-1", "priceExcl": "1.00"},
                    {"articleCode": "V-2", "priceExcl": "1.00"},
                ],
            }
        ],
        [
            {"code": "V-1", "description": "Bonen 250 g", "price": "4.00", "vat_group": "LAAG"},
            {"code": "V-2", "description": "Bonen 1 kg", "price": "12.00", "vat_group": "LAAG"},
        ],
    )
    assert sync_env.run(flow="articles").state == "success"
    assert product(sync_env, made[0]["id"])["title"]["nl"] == "Bonen"
    prices = [money(variant(sync_env, vid)["priceExcl"]) for vid in made[0]["variants"]]
    assert prices == [Decimal("4.00"), Decimal("12.00")]


def test_a_back_office_change_in_the_shop_is_overwritten_by_afas(sync_env):
    made = setup(
        sync_env,
        [one("BO-1", "Koffie", "10.00", priceIncl="12.10")],
        [{"code": "BO-1", "description": "Koffie", "price": "10.00", "vat_group": "HOOG"}],
    )
    assert sync_env.run(flow="articles").state == "success"
    vid = made[0]["variants"][0]
    sync_env.shop_admin("PATCH", f"/variants/{vid}", {"priceExcl": "7.00"})
    assert sync_env.run(flow="articles").state == "success"
    assert money(variant(sync_env, vid)["priceExcl"]) == Decimal("10.00")  # AFAS is leading


def test_an_unknown_price_debtor_fails_the_run_at_once_naming_the_key(sync_env):
    setup(sync_env, [one("U-1")], [{"code": "U-1", "description": "x", "price": "1.00", "vat_group": "HOOG"}],
          prices={"source": "price_list", "debtor": "99999"})  # fmt: skip
    assert sync_env.run(flow="articles").state == "failed"
    (row,) = sync_env.ledger.flow_runs("shop", "articles")
    assert row["outcome"] == "failed" and "articles.prices.debtor 99999" in row["message"]


def test_a_title_the_shop_refuses_as_too_long_is_recorded_and_the_other_fields_go_on(sync_env):
    made = setup(
        sync_env,
        [one("LONG-1", "Kort", "1.00")],
        [{"code": "LONG-1", "description": "Een wat langere titel", "price": "2.00", "vat_group": "HOOG"}],
    )
    sync_env.shop_admin("POST", "/variant_rules", {"title_max_length": 10})
    assert sync_env.run(flow="articles").state == "failed"  # a new refusal fails the run, once
    (title,) = [w for w in sync_env.ledger.article_writes("shop") if w["field"] == "title"]
    assert title["outcome"] == "failed" and "at most 10 characters" in title["reason"]
    assert money(variant(sync_env, made[0]["variants"][0])["priceExcl"]) == Decimal("2.00")
    assert sync_env.run(flow="articles").state == "success"  # the same refusal again is no news


def test_articles_never_starve_orders_of_the_shared_budget(sync_env):
    """More to write than a window allows: each run stops with the orders' reserve untouched, later
    runs finish the backlog, nothing is written twice."""
    limits, count = [100, 1000, 10000], 90
    made = setup(
        sync_env,
        [one(f"W-{i:03}", "Oud", "1.00") for i in range(count)],
        [
            {"code": f"W-{i:03}", "description": f"Nieuw {i}", "price": "2.00", "vat_group": "HOOG"}
            for i in range(count)
        ],
    )
    sync_env.shop_admin("POST", "/faults", {"rate_limit": {"limits": limits}})
    reserve = int(0.4 * limits[0])
    runs = 0
    while any(product(sync_env, p["id"])["title"]["nl"] == "Oud" for p in made):
        runs += 1
        assert runs <= 8, "the backlog does not shrink"
        sync_env.shop_admin("POST", "/clock", {"advance_seconds": 301})
        sync_env.run(flow="articles")
        (windows,) = sync_env.shop_admin("GET", "/state")["rate_limits"].values()
        assert limits[0] - windows[0]["used"] >= reserve
    assert runs >= 3
    outcomes = [r["outcome"] for r in reversed(sync_env.ledger.flow_runs("shop", "articles"))]
    assert outcomes[0] == "partial" and outcomes[-1] == "success"
    written = [w for w in sync_env.ledger.article_writes("shop", limit=10_000) if w["outcome"] == "written"]
    assert len(written) == len({(w["item_code"], w["field"], w["lang"]) for w in written}) == count * 4


def test_max_writes_per_run_caps_a_run_and_the_next_one_goes_on(sync_env):
    setup(
        sync_env,
        [one(f"M-{i}", "Oud", "1.00") for i in range(3)],
        [{"code": f"M-{i}", "description": "Nieuw", "price": "1.00", "vat_group": "HOOG"} for i in range(3)],
        max_writes_per_run=2, fields=["title"],
    )  # fmt: skip
    sync_env.run(flow="articles")
    first = sync_env.ledger.flow_runs("shop", "articles")[0]
    assert first["outcome"] == "partial" and first["counts"]["written"] == 2
    assert "max_writes_per_run" in first["message"]
    sync_env.run(flow="articles")
    assert sync_env.ledger.flow_runs("shop", "articles")[0]["counts"]["written"] == 1
