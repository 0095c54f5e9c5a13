"""From webshop order to AFAS document: item codes, VAT codes, costs, discounts, and the cent check."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lightspeed_afas.domain.booking import BookingError, BookingRules, build_document
from lightspeed_afas.domain.order_parsing import OrderDataError, parse_order
from tests.support.builders import raw_line, raw_order

D = Decimal


def rules(**overrides) -> BookingRules:
    base = dict(
        document="sales_order",
        administration=1,
        journal="VK",
        project=None,
        warehouse="01",
        currency="EUR",
        items={
            "discount": "KORTING",
            "shipping": "VERZEND",
            "payment_fee": "BETAALKOST",
            "rounding": "AFRONDING",
        },
        vat_codes={D("0.21"): "1", D("0.09"): "2", D("0"): "3"},
        payment_types={"ideal": "IDL"},
    )
    base.update(overrides)
    return BookingRules(**base)


def fields(document, kind):
    return [ln.fields() for ln in document.lines if ln.kind == kind]


def test_simple_order_books_one_line_with_mapped_codes_and_reference():
    doc = build_document(parse_order(raw_order()), "10001", rules())
    payload = doc.insert_payload()["FbSales"]["Element"]
    assert "OrNu" not in payload["Fields"]
    assert payload["Fields"]["RfCs"] == "ORD01001"
    assert payload["Fields"]["DbId"] == "10001"
    assert payload["Fields"]["PaTp"] == "IDL"
    assert payload["Fields"]["OrDa"] == "2026-11-20"
    assert payload["Fields"]["Re"] == "Webshop order ORD01001\nGraag na 17:00 bezorgen"
    (line,) = payload["Objects"][0]["FbSalesLines"]["Element"]
    assert line["Fields"] == {
        "VaIt": "2",
        "ItCd": "ART-1001",
        "Ds": "Koffiebonen Espresso - 250 g",
        "BiUn": "STK",
        "QuUn": "1",
        "Upri": "8.95",
        "VaRc": "2",
    }


def test_item_code_falls_back_to_sku_then_ean():
    order = raw_order(
        lines=[raw_line(articleCode="", sku="SKU-1"), raw_line(id=2, articleCode=False, sku="", ean="871")],
        priceIncl=17.90,
    )
    doc = build_document(parse_order(order), "1", rules())
    assert [f["ItCd"] for f in fields(doc, "product")] == ["SKU-1", "871"]


def test_line_without_any_item_code_fails_with_a_reason():
    order = raw_order(lines=[raw_line(articleCode="", sku=False, ean="")])
    with pytest.raises(BookingError, match="no item code"):
        build_document(parse_order(order), "1", rules())


def test_mixed_vat_with_discount_shipping_and_payment_costs_adds_up_to_the_cent():
    lines = [
        raw_line(id=1, quantityOrdered=2, basePriceIncl=8.95, priceIncl=17.90, taxRate=0.09),
        raw_line(
            id=2,
            articleCode="ART-2001",
            quantityOrdered=1,
            basePriceIncl=12.50,
            priceIncl=12.50,
            taxRate=0.21,
        ),
    ]
    order = raw_order(
        lines=lines,
        discountAmount=3.04,
        discountCouponCode="WELKOM10",
        shipmentPriceIncl=4.95,
        paymentPriceIncl=0.35,
        priceIncl=32.66,
    )
    doc = build_document(parse_order(order), "1", rules())
    discounts = fields(doc, "discount")
    assert {d["VaRc"] for d in discounts} == {"1", "2"}
    assert sum(D(d["Upri"]) for d in discounts) == D("-3.04")
    assert fields(doc, "shipping")[0]["ItCd"] == "VERZEND" and fields(doc, "shipping")[0]["VaRc"] == "1"
    assert fields(doc, "payment_fee")[0]["Upri"] == "0.35"
    assert not fields(doc, "rounding")
    assert doc.total_incl({"1": D("0.21"), "2": D("0.09"), "3": D("0")}) == D("32.66")


def test_unit_price_semantics_is_detected_from_the_total():
    order = raw_order(lines=[raw_line(quantityOrdered=3, priceIncl=8.95)], priceIncl=26.85)
    doc = build_document(parse_order(order), "1", rules())
    assert fields(doc, "product")[0]["QuUn"] == "3" and fields(doc, "product")[0]["Upri"] == "8.95"


def test_a_cent_of_difference_becomes_a_rounding_line_or_fails_as_configured():
    order = parse_order(raw_order(priceIncl=8.96))
    doc = build_document(order, "1", rules())
    assert fields(doc, "rounding") == [
        {
            "VaIt": "6",
            "ItCd": "AFRONDING",
            "Ds": "Afrondingsverschil btw",
            "BiUn": "*****",
            "QuUn": "1",
            "Upri": "0.01",
            "VaRc": "3",
        }
    ]
    with pytest.raises(BookingError, match="difference 0.01"):
        build_document(order, "1", rules(rounding_mode="fail"))


def test_totals_that_do_not_add_up_fail_instead_of_booking_a_wrong_total():
    with pytest.raises(BookingError, match="exceeds the rounding tolerance"):
        build_document(parse_order(raw_order(priceIncl=12.00)), "1", rules())


def test_unknown_vat_rate_names_the_rate():
    order = raw_order(lines=[raw_line(taxRate=0.06)])
    with pytest.raises(BookingError, match="VAT rate 0.06 has no AFAS VAT code"):
        build_document(parse_order(order), "1", rules())


def test_payment_costs_without_an_item_code_fail_clearly():
    order = raw_order(paymentPriceIncl=0.35, priceIncl=9.30)
    with pytest.raises(BookingError, match="afas.items.payment_fee"):
        build_document(parse_order(order), "1", rules(items={"discount": "K", "shipping": "V"}))


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"priceIncl": "12,50"}, "priceIncl is '12,50'"),
        ({"priceIncl": False}, "priceIncl is missing"),
        ({"updatedAt": "2026-11-20 10:16:00"}, "without a UTC offset"),
        ({"addressBillingCountry": {"code": "xx1"}}, "two-letter ISO"),
    ],
)
def test_unusable_order_fields_are_named(override, message):
    with pytest.raises(OrderDataError, match=message):
        parse_order(raw_order(**override))


def test_quirks_are_undone():
    order = parse_order(raw_order(customer=False, addressShippingCountry=False, priceCost="1.50"))
    assert order.is_guest
    assert order.email == "zoe@example.nl"
    assert order.shipping.country == "" and order.billing.country == "nl"


def test_status_only_change_keeps_the_content_hash():
    a = parse_order(raw_order())
    b = parse_order(raw_order(status="completed_shipped", updatedAt="2026-11-21T09:00:00+01:00"))
    c = parse_order(raw_order(comment="Andere opmerking"))
    assert a.content_hash() == b.content_hash() != c.content_hash()


def test_direct_invoice_mode_uses_the_invoice_connector():
    doc = build_document(parse_order(raw_order()), "1", rules(document="direct_invoice"))
    assert list(doc.insert_payload()) == ["FbDirectInvoice"]
    assert "FbDirectInvoiceLines" in doc.insert_payload()["FbDirectInvoice"]["Element"]["Objects"][0]


def test_update_payload_replaces_lines_in_one_put_and_keeps_the_debtor():
    doc = build_document(parse_order(raw_order()), "1", rules())
    put = doc.update_payload("60000001", ["{A}", "{B}"])["FbSales"]["Element"]
    assert put["Fields"]["OrNu"] == "60000001" and "DbId" not in put["Fields"]
    actions = [
        (e["Fields"].get("GuLi"), e["Fields"]["@Action"])
        for e in put["Objects"][0]["FbSalesLines"]["Element"]
    ]
    assert actions == [("{A}", "delete"), ("{B}", "delete"), (None, "insert")]


def test_excl_vat_mode_books_costs_and_discount_excl_vat_and_adds_up_to_the_cent():
    """Prices excl. VAT: products take the webshop's excl. amounts, cost lines their incl. amount
    without VAT; AFAS's VAT on top must give the webshop total to the cent (else a rounding line or
    a refusal, as the incl. mode tests show)."""
    lines = [
        raw_line(id=1, quantityOrdered=3, basePriceIncl=8.95, priceIncl=26.85, basePriceExcl=8.2110,
                 priceExcl=24.63, taxRate=0.09),
        raw_line(id=2, articleCode="ART-2001", quantityOrdered=1, basePriceIncl=12.50, priceIncl=12.50,
                 basePriceExcl=10.3306, priceExcl=10.33, taxRate=0.21),
    ]  # fmt: skip
    order = parse_order(
        raw_order(
            lines=lines, discountAmount=3.94, shipmentPriceIncl=4.95, paymentPriceIncl=0.35, priceIncl=40.71
        )
    )
    doc = build_document(order, "1", rules(prices_incl_vat=False, rounding_mode="fail"))
    assert doc.total_incl({"1": D("0.21"), "2": D("0.09"), "3": D("0")}) == D("40.71")
    assert [D(f["Upri"]) for f in fields(doc, "product")] == [D("8.21"), D("10.33")]
    assert D(fields(doc, "shipping")[0]["Upri"]) == D("4.09")  # 4.95 / 1.21, to the cent
    assert sum(D(f["Upri"]) for f in fields(doc, "discount")) < 0 and not fields(doc, "rounding")


def test_order_json_and_hash_are_byte_for_byte_what_asdict_gave():
    """The ledger compares content hashes across releases: the fast conversion must not change one."""
    import hashlib
    import json
    from dataclasses import asdict

    from lightspeed_afas.domain.webshop_order import WebshopOrder

    def reference_hash(order):
        content = asdict(order)
        for volatile in ("updated_at", "updated_at_raw", "status", "payment_status", "shipment_status"):
            content.pop(volatile)
        content["cancelled"] = order.status == "cancelled"
        blob = json.dumps(content, sort_keys=True, default=str, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    orders = [
        raw_order(),
        raw_order(
            lines=[raw_line(id=1), raw_line(id=2, articleCode="ART-2001", quantityOrdered=3)],
            discountAmount=1.5,
            comment="Zoë — “quotes” and emoji 🎁",
            isCompany=True,
            companyName="Bakkerij B.V.",
        ),
        raw_order(status="cancelled", addressShippingStreet="Elders 1", shipmentPriceIncl=4.95),
    ]
    for raw in orders:
        order = parse_order(raw)
        assert order.content_hash() == reference_hash(order)
        assert order.to_json() == json.loads(json.dumps(asdict(order), default=str))
        assert WebshopOrder.from_json(order.to_json()) == order
