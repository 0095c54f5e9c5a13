"""Lightspeed credit notes read whatever sign convention the shop uses, and booked as AFAS credits to
the cent under each credit-marking rule."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lightspeed_afas.domain.booking_rules import BookingError
from lightspeed_afas.domain.credit_booking import CreditRules, build_credit_document
from lightspeed_afas.domain.credit_notes import CreditNote, CreditNoteError, parse_credit_note
from lightspeed_afas.domain.lightspeed_values import OrderDataError
from tests.unit.domain.test_booking import rules

D = Decimal


def raw_note(total_incl="36.00", total_excl="30.00", **overrides):
    note = {
        "id": 9001,
        "number": "INV00042",
        "createdAt": "2026-11-21T10:00:00+01:00",
        "updatedAt": "2026-11-21T10:00:00+01:00",
        "isCreditNote": True,
        "priceIncl": total_incl,
        "priceExcl": total_excl,
        "isVatShifted": False,
        "order": {"resource": {"id": 555, "url": "orders/555", "link": "…"}},
        "invoice": {"resource": {"id": 9000, "url": "invoices/9000", "link": "…"}},
    }
    note.update(overrides)
    return note


def product(qty=2, incl="24.20", excl="20.00", rate="0.21", **overrides):
    item = {
        "id": 1,
        "type": "product",
        "title": "Koffiebonen",
        "variant": "1 kg",
        "orderProductId": 77,
        "articleCode": "KOF-1",
        "sku": "",
        "ean": "",
        "taxRate": rate,
        "quantity": qty,
        "priceIncl": incl,
        "priceExcl": excl,
    }
    item.update(overrides)
    return item


def shipping(incl="6.05", excl="5.00"):
    return {
        "id": 2, "type": "shipment", "title": "_shipmentcosts_", "variant": "PostNL", "orderProductId": None,
        "articleCode": "", "sku": "", "ean": "", "taxRate": "0.21", "quantity": 1, "priceIncl": incl,
        "priceExcl": excl,
    }  # fmt: skip


def payment(incl="0.50", excl="0.50"):
    return {
        "id": 3, "type": "payment", "title": "_paymentcosts_", "variant": "iDEAL", "orderProductId": None,
        "articleCode": "", "sku": "", "ean": "", "taxRate": "0", "quantity": 1, "priceIncl": incl,
        "priceExcl": excl,
    }  # fmt: skip


def test_a_positive_credit_note_is_read_as_it_is():
    note = parse_credit_note(raw_note("30.25", "25.00"), [product(), shipping()])
    assert not note.turned and note.order_id == 555 and note.invoice_id == 9000
    assert [(ln.kind, ln.quantity, ln.price_incl) for ln in note.lines] == [
        ("product", 2, D("24.20")),
        ("shipping", 1, D("6.05")),
    ]


def test_negative_items_under_a_positive_total_are_turned_round():
    items = [product(qty=-2, incl="-24.20", excl="-20.00"), shipping("-6.05", "-5.00")]
    note = parse_credit_note(raw_note("30.25", "25.00"), items)
    assert note.turned and [ln.price_incl for ln in note.lines] == [D("24.20"), D("6.05")]
    assert note.lines[0].quantity == 2


@pytest.mark.parametrize("discount_value", ["-2.42", "2.42"])
def test_a_discount_item_takes_off_whichever_sign_it_is_sent_with(discount_value):
    discount = {**shipping(), "id": 4, "type": "discount", "title": "Korting", "priceIncl": discount_value}
    note = parse_credit_note(raw_note("21.78", "18.00"), [product(), discount])
    assert [ln.price_incl for ln in note.lines] == [D("24.20"), D("-2.42")]


def test_items_that_add_up_to_no_reading_fail_with_both_figures():
    with pytest.raises(CreditNoteError, match=r"add up to 24.20 but its total \(priceIncl\) is 30.25"):
        parse_credit_note(raw_note("30.25"), [product()])


def test_an_unknown_item_type_fails_the_credit_note_naming_it():
    with pytest.raises(CreditNoteError, match="type 'giftcard'"):
        parse_credit_note(raw_note("24.20"), [product(type="giftcard", orderProductId=None)])


def test_an_invoice_that_is_no_credit_note_and_a_fractional_quantity_are_refused():
    with pytest.raises(CreditNoteError, match="not a credit note"):
        parse_credit_note(raw_note(isCreditNote=False), [product()])
    with pytest.raises(OrderDataError, match="not a whole number"):
        parse_credit_note(raw_note("24.20"), [product(qty="1.5")])


def test_the_json_round_trip_keeps_the_credit_note():
    note = parse_credit_note(raw_note("30.75", "25.50"), [product(), shipping(), payment()])
    assert CreditNote.from_json(note.to_json()) == note
    assert note.content_hash() == CreditNote.from_json(note.to_json()).content_hash()


def booked(note, marking="negative_lines", **rule_overrides):
    credit = CreditRules(marking=marking, invoice_reference="original_invoice")
    document = build_credit_document(note, "10001", "ORD0555", rules(**rule_overrides), credit, "INV00041")
    return document, document.insert_payload()["FbSales"]["Element"]


def test_a_credit_is_negative_quantities_with_positive_prices_on_the_same_item_codes():
    note = parse_credit_note(raw_note("30.75", "25.50"), [product(), shipping(), payment()])
    document, element = booked(note)
    header = element["Fields"]
    assert header["DbId"] == "10001" and header["RfCs"] == "INV00042" and header["Fref"] == "INV00041"
    assert header["Re"] == "Creditnota INV00042 bij webshoporder ORD0555" and "CrOr" not in header
    lines = [ln["Fields"] for ln in element["Objects"][0]["FbSalesLines"]["Element"]]
    assert [(ln["ItCd"], ln["QuUn"], ln["Upri"], ln["VaRc"]) for ln in lines] == [
        ("KOF-1", "-2", "12.1", "1"),
        ("VERZEND", "-1", "6.05", "1"),
        ("BETAALKOST", "-1", "0.5", "3"),
    ]
    assert document.total_incl({"1": D("0.21"), "2": D("0.09"), "3": D("0")}) == D("-30.75")


def test_cror_markings_set_crOr_and_cror_positive_lines_sends_positive_quantities():
    note = parse_credit_note(raw_note("24.20", "20.00"), [product()])
    _, with_cror = booked(note, "negative_lines_with_cror")
    assert with_cror["Fields"]["CrOr"] is True
    assert with_cror["Objects"][0]["FbSalesLines"]["Element"][0]["Fields"]["QuUn"] == "-2"
    _, positive = booked(note, "cror_positive_lines")
    assert positive["Fields"]["CrOr"] is True
    assert positive["Objects"][0]["FbSalesLines"]["Element"][0]["Fields"]["QuUn"] == "2"


def test_a_refund_of_shipping_only_books_one_cost_line():
    note = parse_credit_note(raw_note("6.05", "5.00"), [shipping()])
    _, element = booked(note)
    lines = [ln["Fields"] for ln in element["Objects"][0]["FbSalesLines"]["Element"]]
    assert [(ln["ItCd"], ln["QuUn"], ln["Upri"], ln["Ds"]) for ln in lines] == [
        ("VERZEND", "-1", "6.05", "PostNL")
    ]


def test_a_cent_of_vat_rounding_is_booked_on_the_rounding_item_with_a_positive_price():
    # Excl. VAT booking: 3 × 0.99 excl at 9 % is 3.24 incl by line, the shop says 3.23.
    items = [product(qty=3, incl="3.23", excl="2.97", rate="0.09")]
    note = parse_credit_note(raw_note("3.23", "2.97"), items)
    document, _ = booked(note, prices_incl_vat=False)
    rounding = [ln for ln in document.lines if ln.kind == "rounding"]
    assert [(ln.quantity, ln.unit_price) for ln in rounding] == [(D(1), D("0.01"))]
    assert document.total_incl({"1": D("0.21"), "2": D("0.09"), "3": D("0")}) == D("-3.23")


def test_a_credit_without_a_cost_item_or_vat_code_fails_with_what_to_set():
    note = parse_credit_note(raw_note("30.75", "25.50"), [product(), shipping(), payment()])
    with pytest.raises(BookingError, match=r"afas.items.payment_fee"):
        booked(note, items={"discount": "K", "shipping": "V", "payment_fee": None, "rounding": None})
    with pytest.raises(BookingError, match="VAT rate 0.21 has no AFAS VAT code"):
        booked(note, vat_codes={D("0"): "3"})
