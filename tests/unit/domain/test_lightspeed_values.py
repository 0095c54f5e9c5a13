"""Lightspeed's value quirks, one reader at a time: false-for-null, numbers as strings, offsets."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lightspeed_afas.domain.lightspeed_values import (
    OrderDataError,
    country,
    identifier,
    money,
    quantity,
    resource_id,
    text,
    timestamp,
    truthy,
    unset,
)


@pytest.mark.parametrize("value", [None, False, "", [], {}])
def test_every_way_of_saying_not_set(value):
    assert unset(value)
    assert text(value) == ""
    assert money(value, "x") == Decimal("0")


def test_numbers_as_strings_stay_exact_decimals():
    assert money("0.1", "priceIncl") == Decimal("0.1")
    assert money(0.1, "priceIncl") == Decimal("0.1")
    assert quantity("2", "quantityOrdered") == 2
    assert identifier("17", "id") == 17


@pytest.mark.parametrize(
    ("read", "message"),
    [
        (lambda: money("1,50", "priceIncl"), "priceIncl is '1,50', not an amount with a '.' decimal point"),
        (lambda: money(None, "priceIncl", default=None), "priceIncl is missing"),
        (lambda: money(True, "priceIncl"), "priceIncl is True, not an amount"),
        (
            lambda: quantity("1.5", "line 1: quantityOrdered"),
            "line 1: quantityOrdered is '1.5', not a whole number",
        ),
        (lambda: identifier("x", "line 2: id"), "line 2: id is 'x', not a number"),
        (lambda: timestamp("2026-11-01T10:00:00", "createdAt"), "without a UTC offset"),
        (lambda: country({"code": "nld"}, "addressBillingCountry"), "not a two-letter ISO country code"),
    ],
)
def test_an_unusable_value_names_its_field(read, message):
    with pytest.raises(OrderDataError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read()


def test_offsets_countries_links_and_flags():
    assert timestamp("2026-11-01T10:00:00+01:00", "createdAt").utcoffset().total_seconds() == 3600
    assert country({"code": "NL", "title": "Nederland"}, "c") == "nl"
    assert resource_id({"resource": {"id": "7"}}) == 7
    assert resource_id(False) is None
    assert truthy("true") and truthy(1) and not truthy(False) and not truthy("false")
