"""Guards the hostile-input corpus found missing: webshop values AFAS would refuse are caught before
the call, and reasons that end up in the ledger never repeat the customer's e-mail address."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lightspeed_afas.domain.booking import BookingError, BookingRules, build_document
from lightspeed_afas.domain.order_parsing import parse_order
from lightspeed_afas.domain.relations import RelationError, choose_debtor, relation_key
from tests.support.builders import raw_line, raw_order

RULES = BookingRules(
    document="sales_order",
    administration=1,
    journal="VK",
    project=None,
    warehouse=None,
    currency="EUR",
    items={"discount": "KORTING", "shipping": "VERZEND", "payment_fee": None, "rounding": None},
    vat_codes={Decimal("0.09"): "2", Decimal("0.21"): "1"},
)


def test_an_item_code_longer_than_afas_allows_fails_the_order_before_the_call():
    order = parse_order(raw_order(lines=[raw_line(articleCode="ART-" + "9" * 56)]))
    with pytest.raises(
        BookingError, match="item code .* 60 characters long; AFAS item codes have at most 40"
    ):
        build_document(order, "10001", RULES)


def test_an_order_number_longer_than_the_afas_reference_fails_the_order_before_the_call():
    order = parse_order(raw_order(number="ORD" + "7" * 117))
    with pytest.raises(BookingError, match="order number is 120 characters long"):
        build_document(order, "10001", RULES)
    assert build_document(parse_order(raw_order(number="ORD" + "7" * 97)), "10001", RULES).reference


@pytest.mark.parametrize(
    ("email", "problem"),
    [
        ("jan.jansen.example.nl", "0 '@' signs"),
        ("jan@@example.nl", "2 '@' signs"),
        ("a@example.nl;b@example.nl", "',' or ';'"),
        ("jan jansen@example.nl", "a space"),
        ("jan@localhost", "no dot"),
        ("x" * 290 + "@example.nl", "301 characters long"),
    ],
)
def test_an_invalid_e_mail_is_described_without_repeating_it(email, problem):
    order = parse_order(raw_order(email=email))
    with pytest.raises(RelationError) as caught:
        relation_key(order)
    assert problem in str(caught.value)
    assert order.email not in str(caught.value)
    local = order.email.split("@")[0]
    assert len(local) < 4 or local not in str(caught.value)


def test_debtor_choice_messages_do_not_repeat_the_e_mail():
    rows = [{"DebtorId": "10001"}, {"DebtorId": "10002"}]
    with pytest.raises(RelationError) as caught:
        choose_debtor("zoe@example.nl", rows, "fail", "DebtorId", "CreateDate")
    assert "10001, 10002" in str(caught.value) and "zoe" not in str(caught.value)
    with pytest.raises(RelationError) as caught:
        choose_debtor("zoe@example.nl", [], "fail", "DebtorId", "CreateDate")
    assert "zoe" not in str(caught.value)
