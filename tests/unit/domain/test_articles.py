"""The articles flow's pure rules: AFAS's rows read into items, prices and barcodes, the shop's tax per VAT
group, what the shop should show for an item (``target_for``) and the fields that differ (``changes_for``)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lightspeed_afas.afas.lookups import ARTICLE_FIELDS, BARCODE_FIELDS, DIMENSION_ITEM_TYPES
from lightspeed_afas.domain.article_rows import (
    Article,
    parse_article,
    parse_prices,
    pick_barcodes,
    tax_ids_by_group,
    text,
)
from lightspeed_afas.domain.articles import (
    Change,
    Rules,
    Target,
    cents,
    changes_for,
    same,
    target_for,
    target_hash,
)

RATES = {"HOOG": Decimal("21"), "LAAG": Decimal("9"), "GEEN": Decimal("0")}
TAX_IDS = {"HOOG": 4021, "LAAG": 4009, "GEEN": 4000}
ALL = ("title", "description", "price", "ean", "visibility", "tax")
DIMENSION_TYPES = {t.lower() for t in DIMENSION_ITEM_TYPES}


def rules(
    fields: tuple[str, ...] = ALL, includes_vat: bool = False, write: str = "both", max_title: int = 255,
    languages: tuple[str, ...] = ("nl",),
) -> Rules:  # fmt: skip
    return Rules(fields, languages, RATES, includes_vat, write, max_title)


def item(code: str = "KOF-1", title: str = "Koffiebonen 1 kg", vat: str | None = "LAAG", **kw) -> Article:
    return Article(code=code, title=title, description=kw.pop("description", ""), blocked=kw.pop("blocked", False),
                   vat_group=vat, **kw)  # fmt: skip


def target(article: Article | None = None, price: str | None = "10.00", problem: str | None = None,
           barcode: str | None = "8712345678906", **kw) -> Target:  # fmt: skip
    return target_for(
        article or item(),
        Decimal(price) if price is not None else None,
        problem,
        barcode,
        rules(**kw),
        TAX_IDS,
    )


# -- target_for: prices ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("price", "vat", "excl", "incl"),
    [
        ("12.40", "LAAG", "12.40", "13.52"),  # 13.516
        ("10.50", "HOOG", "10.50", "12.71"),  # 12.705: half-up, not to even (12.70)
        ("0.05", "HOOG", "0.05", "0.06"),  # 0.0605
        ("19.99", "GEEN", "19.99", "19.99"),
        ("7", "HOOG", "7.00", "8.47"),
    ],
)
def test_a_price_excl_vat_gives_incl_vat_rounded_half_up_to_the_cent(price, vat, excl, incl):
    values = target(item(vat=vat), price).values
    assert (values["priceExcl"], values["priceIncl"]) == (Decimal(excl), Decimal(incl))
    assert str(values["priceIncl"]) == incl  # to the cent, two decimals


@pytest.mark.parametrize(
    ("price", "vat", "excl"),
    [
        ("12.10", "HOOG", "10.00"),
        ("10.00", "LAAG", "9.17"),
        ("13.52", "LAAG", "12.40"),
        ("5.00", "GEEN", "5.00"),
    ],
)
def test_a_price_incl_vat_gives_excl_vat_rounded_to_the_cent(price, vat, excl):
    values = target(item(vat=vat), price, includes_vat=True).values
    assert (values["priceExcl"], values["priceIncl"]) == (Decimal(excl), Decimal(price))


def test_the_half_cent_of_a_derived_price_excl_rounds_up():
    # 0.01 incl. a 100 % rate is 0.005 excl.: half-up gives 0.01 (half-even would give 0.00).
    doubled = Rules(ALL, ("nl",), {"X": Decimal("100")}, True, "both", 255)
    values = target_for(item(vat="X"), Decimal("0.01"), None, None, doubled, {}).values
    assert values["priceExcl"] == Decimal("0.01") and values["priceIncl"] == Decimal("0.01")
    assert cents(Decimal("2.675")) == Decimal("2.68") and cents(Decimal("-2.675")) == Decimal("-2.68")


@pytest.mark.parametrize(
    ("write", "includes_vat", "written"),
    [
        ("both", False, {"priceExcl": "12.40", "priceIncl": "13.52"}),
        ("excl", False, {"priceExcl": "12.40"}),
        ("incl", False, {"priceIncl": "13.52"}),
        ("excl", True, {"priceExcl": "11.38"}),  # 12.40 / 1.09 = 11.376…
        ("incl", True, {"priceIncl": "12.40"}),
    ],
)
def test_price_write_says_which_prices_are_written(write, includes_vat, written):
    values = target(item(vat="LAAG"), "12.40", write=write, includes_vat=includes_vat).values
    assert {k: str(v) for k, v in values.items() if k.startswith("price")} == written


@pytest.mark.parametrize(
    ("write", "includes_vat"), [("both", False), ("incl", False), ("both", True), ("excl", True)]
)
def test_an_unmapped_vat_group_skips_a_price_that_needs_its_rate(write, includes_vat):
    found = target(item(vat="ONBEKEND"), "12.40", write=write, includes_vat=includes_vat)
    assert not any(k.startswith("price") for k in found.values)
    assert "VAT group ONBEKEND has no mapping (articles.vat_groups)" in found.problems["price"]
    assert "cannot be derived" in found.problems["price"]


@pytest.mark.parametrize(
    ("write", "includes_vat", "name"), [("excl", False, "priceExcl"), ("incl", True, "priceIncl")]
)
def test_an_unmapped_vat_group_still_writes_the_price_as_afas_gives_it(write, includes_vat, name):
    found = target(item(vat="ONBEKEND"), "12.40", write=write, includes_vat=includes_vat)
    assert found.values[name] == Decimal("12.40") and "price" not in found.problems


def test_no_vat_group_is_named_in_the_price_problem():
    found = target(item(vat=None), "12.40")
    assert "VAT group (none) has no mapping" in found.problems["price"]
    assert found.problems["tax"] == "AFAS gives the item no VAT group"


@pytest.mark.parametrize(
    ("price", "problem", "reason"),
    [
        (None, None, "AFAS gives the item no price"),
        (None, "AFAS gives 'abc' as the price, not a number", "AFAS gives 'abc' as the price, not a number"),
        ("5.00", "AFAS gives a negative price (-5)", "AFAS gives a negative price (-5)"),  # the problem wins
    ],
)
def test_a_price_problem_skips_the_prices_and_keeps_the_other_fields(price, problem, reason):
    found = target(price=price, problem=problem)
    assert found.problems == {"price": reason}
    assert not any(k.startswith("price") for k in found.values)
    assert found.values["title"] == "Koffiebonen 1 kg" and found.values["tax"] == 4009


# -- target_for: the other fields ----------------------------------------------------------------------------


def test_every_led_field_gets_afas_value():
    found = target(item(description="Extra tekst", blocked=True))
    assert found.values == {
        "title": "Koffiebonen 1 kg",
        "description": "Extra tekst",
        "visibility": "hidden",
        "ean": "8712345678906",
        "tax": 4009,
        "priceExcl": Decimal("10.00"),
        "priceIncl": Decimal("10.90"),
    }
    assert found.problems == {}


def test_only_the_fields_the_tenant_leads_on_are_in_the_target():
    found = target(item(vat="ONBEKEND", title=""), fields=("ean", "visibility"))
    assert found.values == {"ean": "8712345678906", "visibility": "visible"}
    assert found.problems == {}  # no title, no VAT mapping: not asked, so no problem either


def test_a_title_longer_than_the_shop_takes_is_skipped_with_its_length():
    found = target(item(title="x" * 31), max_title=30)
    assert "title" not in found.values
    assert found.problems["title"] == (
        "its description has 31 characters; the shop takes at most 30 (articles.max_title_length)"
    )
    assert target(item(title="x" * 30), max_title=30).values["title"] == "x" * 30


def test_no_description_in_afas_means_no_title_but_an_empty_extra_description_is_written():
    found = target(item(title="", description=""))
    assert found.problems["title"] == "AFAS gives the item no description"
    assert "title" not in found.values
    assert found.values["description"] == ""  # an empty ExtraDescription clears the shop's


def test_no_barcode_writes_an_empty_ean():
    assert target(barcode=None).values["ean"] == ""


@pytest.mark.parametrize(
    ("vat", "tax_ids", "problem"),
    [
        ("HOOG", {"LAAG": 4009}, "the shop has no tax of 21 % for VAT group HOOG (taxes.json)"),
        ("ONBEKEND", TAX_IDS, "VAT group ONBEKEND has no mapping (articles.vat_groups)"),
    ],
)
def test_a_vat_group_without_a_shop_tax_skips_the_tax(vat, tax_ids, problem):
    found = target_for(item(vat=vat), Decimal("1.00"), None, None, rules(fields=("tax",)), tax_ids)
    assert found.values == {} and found.problems == {"tax": problem}


def test_the_target_hash_follows_values_and_problems_only():
    one, same_again = target(), target()
    assert target_hash(one) == target_hash(same_again) and len(target_hash(one)) == 32
    assert target_hash(target(price="10.01")) != target_hash(one)
    assert target_hash(target(problem="AFAS gives no price")) != target_hash(one)


# -- changes_for ---------------------------------------------------------------------------------------------

SHOP_VARIANT = {"priceExcl": "10.00", "priceIncl": "10.90", "ean": "8712345678906", "tax": 4009}
SHOP_PRODUCT = {"visibility": "visible", "texts": {"nl": {"title": "Koffiebonen 1 kg", "description": ""}}}


def changes(
    found: Target, variant=None, product=SHOP_PRODUCT, languages=("nl",), product_id=7
) -> list[Change]:
    return changes_for("KOF-1", found, 11, variant or SHOP_VARIANT, product_id, product, languages)


def test_a_shop_that_shows_what_afas_holds_needs_no_change():
    assert changes(target()) == []
    # The shop's own forms of the same values: money as numbers or fewer decimals, text padded.
    shop = {"priceExcl": 10, "priceIncl": "10.9", "ean": " 8712345678906 ", "tax": 4009}
    assert (
        changes(target(), shop, {"visibility": "visible", "texts": {"nl": {"title": " Koffiebonen 1 kg "}}})
        == []
    )


def test_only_the_fields_that_differ_are_changed_with_the_shop_and_afas_values():
    shop = {**SHOP_VARIANT, "priceExcl": "9.00", "tax": 4021}
    found = changes(target(), shop, {"visibility": "hidden", "texts": {"nl": {"title": "Oud"}}})
    assert [(c.target, c.target_id, c.field, c.old, c.new, c.lang) for c in found] == [
        ("variant", 11, "priceExcl", "9.00", "10.00", None),
        ("variant", 11, "tax", 4021, 4009, None),
        ("product", 7, "visibility", "hidden", "visible", None),
        ("product", 7, "title", "Oud", "Koffiebonen 1 kg", "nl"),
    ]
    assert all(c.item_code == "KOF-1" for c in found)


@pytest.mark.parametrize("shown", [None, "abc", "10.005", False])
def test_a_shop_price_that_is_missing_or_no_number_is_changed(shown):
    (change,) = changes(target(), {**SHOP_VARIANT, "priceExcl": shown})
    assert (change.field, change.new) == ("priceExcl", "10.00")


def test_money_is_compared_to_the_cent():
    assert same("priceExcl", "10.004", Decimal("10.00"))
    assert not same("priceExcl", "10.005", Decimal("10.00"))  # rounds half-up to 10.01
    assert same("priceIncl", 13.52, "13.52") and not same("priceIncl", None, "0.00")


def test_product_fields_are_skipped_when_the_product_follows_no_single_item():
    found = changes(target(item(blocked=True, title="Nieuw")), {**SHOP_VARIANT, "ean": ""}, product=None)
    assert [c.field for c in found] == ["ean"]  # not visibility, not title
    assert [
        c.field for c in changes(target(item(title="Nieuw")), product=SHOP_PRODUCT, product_id=None)
    ] == []


def test_texts_are_compared_per_language_and_a_missing_language_is_written():
    product = {"visibility": "visible", "texts": {"nl": {"title": "Koffiebonen 1 kg", "description": "x"},
                                                   "en": {"title": "Coffee beans", "description": ""}}}  # fmt: skip
    found = changes(target(item(description="Extra")), product=product, languages=("nl", "en", "de"))
    assert [(c.field, c.lang, c.old, c.new) for c in found] == [
        ("description", "nl", "x", "Extra"),
        ("title", "en", "Coffee beans", "Koffiebonen 1 kg"),
        ("description", "en", "", "Extra"),
        ("title", "de", None, "Koffiebonen 1 kg"),
        ("description", "de", None, "Extra"),
    ]


def test_a_field_with_a_problem_is_not_changed():
    found = changes(target(item(title=""), price=None), {**SHOP_VARIANT, "priceExcl": "1.00"},
                    {"visibility": "visible", "texts": {"nl": {"title": "Oud"}}})  # fmt: skip
    assert found == []  # no price, no title from AFAS: the shop's stay


def test_a_change_goes_through_json_with_money_as_text():
    (change,) = changes(target(), {**SHOP_VARIANT, "priceIncl": Decimal("11.00")})
    data = change.as_dict()
    assert data["old"] == "11.00" and data["new"] == "10.90"
    assert Change.from_dict(data) == Change("KOF-1", "variant", 11, "priceIncl", "11.00", "10.90")


# -- AFAS rows -----------------------------------------------------------------------------------------------


def article_row(**fields) -> dict:
    base = {"ItemCode": " kof-1 ", "Description": " Koffie ", "ExtraDescription": None, "Blocked": False,
            "VATGroup": "laag", "ItemTypeCode": "0", "StockDimId1": None, "StockDimId2": None,
            "ModifiedDate": "2026-11-02T09:00:00Z"}  # fmt: skip
    return {**base, **fields}


def test_an_article_row_is_read_with_its_code_normalised_and_texts_trimmed():
    found = parse_article(article_row(), ARTICLE_FIELDS, DIMENSION_TYPES)
    assert found == Article("KOF-1", "Koffie", "", False, "LAAG", (), "2026-11-02T09:00:00Z")
    assert Article.from_dict(found.as_dict()) == found


@pytest.mark.parametrize(("value", "blocked"), [(True, True), ("true", True), ("1", True), (False, False),
                                                 ("false", False), (None, False), (0, False)])  # fmt: skip
def test_blocked_is_true_or_its_text(value, blocked):
    assert parse_article(article_row(Blocked=value), ARTICLE_FIELDS, DIMENSION_TYPES).blocked is blocked


def test_dimension_items_are_recognised_by_their_definitions_or_their_type():
    with_defs = parse_article(
        article_row(StockDimId1="MATEN", StockDimId2="KLEUR"), ARTICLE_FIELDS, DIMENSION_TYPES
    )
    by_type = parse_article(article_row(ItemTypeCode="1 artikeldimensie"), ARTICLE_FIELDS, DIMENSION_TYPES)
    assert with_defs.dimensions == ("MATEN", "KLEUR") and by_type.dimensions == ("1 artikeldimensie",)
    assert parse_article(article_row(VATGroup=" "), ARTICLE_FIELDS, DIMENSION_TYPES).vat_group is None


@pytest.mark.parametrize("code", [None, "", "  ", False])
def test_an_article_row_without_a_code_gives_the_reason(code):
    assert parse_article(article_row(ItemCode=code), ARTICLE_FIELDS, DIMENSION_TYPES) == (
        "AFAS gives an item without an item code"
    )


def test_text_turns_null_and_booleans_into_empty_text():
    assert (text(None), text(True), text(" a "), text(12)) == ("", "", "a", "12")


def test_prices_are_read_per_item_and_the_first_row_is_the_price():
    rows = [{"ItemCode": " a-1 ", "BasicSalesPrice": "12.40"}, {"ItemCode": "A-1", "BasicSalesPrice": 9},
            {"ItemCode": "B-1", "BasicSalesPrice": 0}, {"ItemCode": None, "BasicSalesPrice": 1}]  # fmt: skip
    prices, bad = parse_prices(rows, "ItemCode", "BasicSalesPrice")
    assert prices == {"A-1": Decimal("12.40"), "B-1": Decimal(0)} and bad == {}


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("abc", "AFAS gives 'abc' as the price, not a number"),
        (None, "AFAS gives no price (null)"),
        (True, "AFAS gives true as the price, not a number"),
        ("NaN", "AFAS gives 'NaN' as the price, not a finite number"),
        ([], "AFAS gives a list as the price, not a number"),
        (-5, "AFAS gives a negative price (-5)"),
    ],
)
def test_a_price_that_is_no_usable_number_gives_the_reason(value, reason):
    prices, bad = parse_prices([{"ItemCode": "A-1", "BasicSalesPrice": value}, {"ItemCode": "B-1", "BasicSalesPrice": "2"}],
                               "ItemCode", "BasicSalesPrice")  # fmt: skip
    assert bad == {"A-1": reason} and prices == {"B-1": Decimal(2)}


def barcode_row(code="A-1", barcode="8712345678906", **fields) -> dict:
    return {"ItemCode": code, "Barcode": barcode, "StockDimCode1": None, "StockDimCode2": None,
            "DebtorId": None, "CreditorId": None, **fields}  # fmt: skip


def test_the_lowest_general_barcode_is_the_items_and_specific_ones_are_ignored():
    rows = [
        barcode_row(barcode="8712345678913"),
        barcode_row(barcode="8712345678906"),
        barcode_row(barcode="1000000000009", StockDimCode1="M"),  # one size of a dimension item
        barcode_row(barcode="1000000000016", StockDimCode2="ROOD"),
        barcode_row(barcode="1000000000023", DebtorId="10001"),  # one debtor's
        barcode_row(barcode="1000000000030", CreditorId="20001"),  # a supplier's
        barcode_row(" b-1 ", " 8700000000001 "),
        barcode_row("C-1", ""),
        barcode_row(None, "8700000000002"),
        barcode_row("D-1", "1000000000047", DebtorId="10001"),
    ]
    assert pick_barcodes(rows, BARCODE_FIELDS) == {"A-1": "8712345678906", "B-1": "8700000000001"}


def test_each_vat_group_gets_the_shop_tax_of_its_rate():
    taxes = [{"id": 4021, "rate": 0.21, "isDefault": True}, {"id": 4009, "rate": "0.090"},
             {"id": 4000, "rate": 0}]  # fmt: skip
    assert tax_ids_by_group(taxes, RATES) == TAX_IDS
    assert tax_ids_by_group(taxes[:1], RATES) == {"HOOG": 4021}  # no tax of 9 % or 0 %: no mapping


def test_of_two_taxes_with_one_rate_the_default_wins_else_the_lowest_id():
    taxes = [{"id": 30, "rate": 0.21}, {"id": 20, "rate": 0.21, "isDefault": True}, {"id": 10, "rate": 0.21}]
    assert tax_ids_by_group(taxes, {"HOOG": Decimal(21)}) == {"HOOG": 20}
    assert tax_ids_by_group([taxes[0], taxes[2]], {"HOOG": Decimal(21)}) == {"HOOG": 10}


def test_taxes_without_a_usable_id_or_rate_are_ignored():
    taxes = [{"id": True, "rate": 0.21}, {"id": "4021", "rate": 0.21}, {"id": 5, "rate": True},
             {"id": 6, "rate": "abc"}, {"id": 7}, {"rate": 0.21}, {"id": 8, "rate": 0.21}]  # fmt: skip
    assert tax_ids_by_group(taxes, {"HOOG": Decimal(21)}) == {"HOOG": 8}
