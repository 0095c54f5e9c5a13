"""The customers and credit-notes flows under every reading of what the reference leaves open: the
emulators' rules for invoice filters, item root keys, item types and signs, and customer filters."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.e2e.test_credit_note_sync import credits, refund, refunds_env, total_incl  # noqa: F401 - fixture
from tests.e2e.test_customer_sync import add_customers, customer, customers_env, debtors_by_email  # noqa: F401

D = Decimal


@pytest.mark.parametrize(
    "rules",
    [
        {"invoice_date_filters": "ignore", "invoice_items_root": "items", "credit_item_signs": "negative"},
        {"invoice_date_filters": "refuse", "invoice_items_root": "invoiceItem",
         "invoice_item_types": "product/shipping/payment"},
        {"invoice_credit_filter": "refuse", "credit_item_signs": "negative", "credit_response": "invoice",
         "credited_invoice_link": "link"},
    ],
)  # fmt: skip
def test_credit_notes_book_to_the_cent_under_each_reading_of_the_invoices(refunds_env, rules):  # noqa: F811
    env = refunds_env
    env.shop_admin("POST", "/variant_rules", rules)
    first, second = env.numbers
    notes = [
        refund(env, first, {"ART-2001": 1}, shipping=True, payment=True),
        refund(env, second, {"ART-2001": 1}),
    ]
    run = env.run(flow="credit_notes")
    assert run.state == "success"
    got = credits(env)
    assert set(got) == {n["number"] for n in notes}
    for note in notes:
        assert total_incl(got[note["number"]]) == -abs(D(str(note["priceIncl"])))
    items = {ln["ItCd"] for ln in got[notes[0]["number"]]["lines"]}
    assert {"ART-2001", "VERZEND", "BETAALKOST"} <= items
    assert env.run(flow="credit_notes").state == "success"
    assert set(credits(env)) == set(got), "booked once, whatever the shop's filters do"


@pytest.mark.parametrize("created_filter", ["ignore", "apply", "refuse"])
def test_customers_never_rely_on_the_created_filter(customers_env, created_filter):  # noqa: F811
    env = customers_env
    env.shop_admin("POST", "/variant_rules", {"customer_created_filter": created_filter})
    add_customers(env, customer("regel@example.nl"))
    assert env.run(flow="customers").state == "success"
    assert len(debtors_by_email(env)["regel@example.nl"]) == 1
