"""Mapping rules: the default file, validation of every rule, and tenant overrides."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lightspeed_afas.config import REMARK_FIELDS, ConfigError, deep_merge, load_mapping, load_tenant_file
from lightspeed_afas.domain import booking

EU = "at be bg hr cy cz dk ee fi fr de gr hu ie it lv lt lu mt nl pl pt ro sk si es se".split()


def mapping_problems(include, text: str) -> list[str]:
    include.write("custom.yaml", text, folder="mappings")
    with pytest.raises(ConfigError) as caught:
        load_mapping("custom")
    return [str(p) for p in caught.value.problems]


def test_default_mapping_is_valid_and_complete(include):
    rules = load_mapping("default")
    assert rules.item_code_fields == ["articleCode", "sku", "ean"]
    assert (rules.units.article, rules.units.cost) == ("STK", "*****")
    assert rules.vat_rates() == {Decimal("0.21"): "1", Decimal("0.09"): "2", Decimal("0"): "3"}
    assert set(EU + ["gb", "ch", "no", "us"]) <= set(rules.countries)
    # AFAS's own codes where they differ from ISO (PracticalAfas IsoCountryTrait / AFAS country table).
    expected = {"be": "B", "de": "D", "at": "A", "fr": "F", "es": "E", "it": "I", "lu": "L", "pt": "P"}
    expected |= {
        "se": "S",
        "no": "N",
        "fi": "FIN",
        "hu": "H",
        "us": "USA",
        "si": "SLO",
        "ie": "IRL",
        "mt": "M",
    }
    expected |= {"nl": "NL", "gb": "GB", "ch": "CH", "pl": "PL"}
    assert {k: rules.countries[k] for k in expected} == expected
    assert dict(rules.item_types) == {
        "product": "2",
        "discount": "6",
        "shipping": "6",
        "payment_fee": "6",
        "rounding": "6",
    }
    assert rules.payment_types["ideal"] == "IDL"
    assert rules.line_price_semantics == "auto" and rules.rounding.mode == "book_line"


def test_remark_placeholders_are_the_ones_booking_fills():
    assert REMARK_FIELDS == booking.REMARK_FIELDS


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('vat_codes: {"21": "1"}', "vat_codes: VAT rate key '21' is not a fraction between 0 and 1"),
        ('vat_codes: {"21%": "1"}', "vat_codes: VAT rate key '21%' is not a fraction"),
        ('vat_codes: {"0,21": "1"}', "vat_codes: VAT rate key '0,21' is not a fraction"),
        (
            'vat_codes: {"0.21": "1", "0.210": "4"}',
            "vat_codes: VAT rate keys '0.21' and '0.210' are the same rate",
        ),
        ('vat_codes: {"0.21": "12345"}', "vat_codes.0.21: String should have at most 4 characters"),
        ('remark_template: "Order {number} for {email}"', "remark_template: unknown placeholder {email}"),
        ('remark_template: "Order {number"', "remark_template: remark template is not valid"),
        ("countries: {BE: B}", "countries: country key 'BE' is not a two-letter ISO code in lower case"),
        ("countries: {bel: B}", "countries: country key 'bel' is not a two-letter ISO code"),
        ("countries: {be: be}", "countries: AFAS country code 'be' for 'be' is not 1-3 capitals"),
        ("countries: {be: BELG}", "countries.be: String should have at most 3 characters"),
        (
            "item_code_fields: [sku, barcode]",
            "item_code_fields[1]: Input should be 'articleCode', 'sku' or 'ean'",
        ),
        ("item_code_fields: [sku, sku]", "item_code_fields: each field may appear once"),
        ('item_types: {product: "9"}', "item_types.product: Input should be"),
        (
            "line_price_semantics: guess",
            "line_price_semantics: Input should be 'auto', 'unit' or 'line_total'",
        ),
        ("rounding: {mode: ignore}", "rounding.mode: Input should be 'book_line' or 'fail'"),
        ("order_date: paidAt", "order_date: Input should be 'createdAt' or 'updatedAt'"),
        (
            "payment_types: {iDEAL: IDL}",
            "payment_types: payment keyword 'iDEAL' must be non-empty lower-case",
        ),
        ("vat_code: {}", "vat_code: unknown key"),
    ],
)
def test_mapping_mistakes_name_file_and_rule(include, text, expected):
    found = mapping_problems(include, text + "\n")
    assert len(found) == 1, found
    assert found[0].startswith(f"include/mappings/custom.yaml: {expected}"), found


def test_deep_merge_merges_mappings_and_replaces_lists():
    base = {"a": {"x": 1, "y": [1, 2]}, "b": 1}
    assert deep_merge(base, {"a": {"y": [3]}, "c": 2}) == {"a": {"x": 1, "y": [3]}, "b": 1, "c": 2}
    assert base == {"a": {"x": 1, "y": [1, 2]}, "b": 1}


def test_tenant_overrides_single_rules(include):
    path = include.tenant(
        "t",
        {
            "mapping_overrides": {
                "vat_codes": {"0.21": "H21"},
                "item_code_fields": ["sku"],
                "rounding": {"tolerance_cents": 1},
                "countries": {"xk": "XK"},
            }
        },
    )
    rules = load_tenant_file(path).mapping
    assert rules.vat_codes == {"0.21": "H21", "0.09": "2", "0": "3"}
    assert rules.item_code_fields == ["sku"]
    assert rules.rounding.mode == "book_line" and rules.rounding.tolerance_cents == 1
    assert rules.countries["xk"] == "XK" and rules.countries["be"] == "B"
    assert load_mapping("default").vat_codes["0.21"] == "1"


def test_overrides_are_validated_after_merging_and_blame_the_tenant(include):
    path = include.tenant("t", {"mapping_overrides": {"remark_template": "{number} {iban}", "colour": 1}})
    with pytest.raises(ConfigError) as caught:
        load_tenant_file(path)
    assert sorted(str(p) for p in caught.value.problems) == [
        "include/tenants/t.yaml: mapping_overrides.colour: unknown key (not a setting; check the spelling)",
        "include/tenants/t.yaml: mapping_overrides.remark_template: unknown placeholder {iban} in the remark "
        "template; allowed: {number}, {comment}, {payment_title}, {shipment_title}, {discount_code}, "
        "{customer_name}",
    ]


def test_tenant_can_name_another_mapping_file(include):
    include.write(
        "webshop_b.yaml", 'vat_codes: {"0.21": "V21"}\nprices_include_vat: false\n', folder="mappings"
    )
    rules = load_tenant_file(include.tenant("t", {"mapping": "webshop_b"})).mapping
    assert rules.vat_codes == {"0.21": "V21"} and rules.prices_include_vat is False
    assert rules.countries == {}


def test_an_invalid_mapping_file_fails_its_tenants_naming_both_files(include):
    include.write("broken.yaml", "countries: {BE: B}\n", folder="mappings")
    with pytest.raises(ConfigError) as caught:
        load_tenant_file(include.tenant("t", {"mapping": "broken"}))
    (problem,) = caught.value.problems
    assert str(problem).startswith(
        "include/tenants/t.yaml: mapping: mapping 'broken' is invalid: include/mappings/broken.yaml: countries:"
    )


def test_models_feed_the_pipeline_settings(include):
    from lightspeed_afas.flows.orders.tenant_settings import sync_settings

    tenant = load_tenant_file(include.tenants / "demo.yaml")
    settings = sync_settings(tenant.config, tenant.mapping)
    assert settings.rules.vat_codes[Decimal("0.21")] == "1"
    assert settings.rules.items["shipping"] == "VERZEND"
    assert settings.lookups.order_reference_field == "CustomerReference"
    assert settings.countries["be"] == "B"
