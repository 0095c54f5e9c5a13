"""How GetConnector filters are encoded: AND/OR groups, operators, escaping, and the URL limit."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlsplit

import pytest

from lightspeed_afas.hooks.afas_filters import (
    MAX_URL_LENGTH,
    Condition,
    Op,
    any_of,
    eq,
    filter_params,
    query_string,
    split_to_fit,
)


def test_commas_join_and_semicolons_join_or_in_all_three_lists():
    params = dict(
        filter_params(
            [[eq("Email", "a@x.nl"), Condition("Blocked", Op.EQ, "false")], [eq("Email", "b@x.nl")]]
        )
    )
    assert params == {
        "filterfieldids": "Email,Blocked;Email",
        "filtervalues": "a@x.nl,false;b@x.nl",
        "operatortypes": "1,1;1",
    }


def test_empty_and_not_empty_operators_send_an_empty_value_in_their_slot():
    params = dict(
        filter_params([[Condition("RfCs", Op.EMPTY), eq("Unit", "1")], [Condition("RfCs", Op.NOT_EMPTY)]])
    )
    assert params["filtervalues"] == ",1;"
    assert params["operatortypes"] == "8,1;9"


def test_empty_operator_refuses_a_value():
    with pytest.raises(ValueError, match="takes no value"):
        Condition("RfCs", Op.EMPTY, "x")


@pytest.mark.parametrize("bad", ["", "Email,Name", "a;b", "x&y", "a=b", "with space"])
def test_field_ids_that_would_change_the_query_are_refused(bad):
    with pytest.raises(ValueError):
        Condition(bad, Op.EQ, "v")


@pytest.mark.parametrize("value", ["ORD,001", "a;b@x.nl", "x,;y"])
def test_values_with_separators_go_as_filterjson(value):
    params = filter_params(any_of("CustomerReference", [value, "plain"]))
    assert [k for k, _ in params] == ["filterjson"]
    document = json.loads(params[0][1])
    filters = document["Filters"]["Filter"]
    assert [f["Field"][0]["#text"] for f in filters] == [value, "plain"]
    assert all(f["Field"][0]["@OperatorType"] == "1" for f in filters)


def test_query_values_are_percent_encoded_so_plus_and_ampersand_survive():
    qs = query_string(filter_params(any_of("Email", ["jan+shop@x.nl", "a&b=c@x.nl", "zoë@x.nl"])))
    decoded = dict(parse_qsl(qs, keep_blank_values=True))
    assert decoded["filtervalues"] == "jan+shop@x.nl;a&b=c@x.nl;zoë@x.nl"
    assert "+" not in qs.split("filtervalues=")[1].split("&")[0]


def test_injection_through_filterjson_keeps_the_value_whole():
    hostile = 'x"}]},{"@FieldId":"Unit","#text":"1'
    params = filter_params(any_of("Email", [hostile + ",", "b"]))
    document = json.loads(dict(params)["filterjson"])
    assert document["Filters"]["Filter"][0]["Field"] == [
        {"@FieldId": "Email", "@OperatorType": "1", "#text": hostile + ","}
    ]


def test_batches_stay_under_the_url_limit_and_lose_nothing():
    base = "https://12345.rest.afas.online/ProfitRestServices/connectors/Profit_Debtor"
    fixed = [("skip", "0"), ("take", "1000"), ("orderbyfieldids", "DebtorId")]
    emails = [f"customer.number.{i:04d}+promo@example-webshop.nl" for i in range(400)]
    batches = split_to_fit(base, fixed, "Email", emails)
    assert len(batches) > 1
    assert [e for b in batches for e in b] == emails
    for batch in batches:
        url = f"{base}?{query_string([*fixed, *filter_params(any_of('Email', batch))])}"
        assert len(url) <= MAX_URL_LENGTH
        assert urlsplit(url).query


def test_a_value_too_long_for_any_url_is_refused_not_truncated():
    with pytest.raises(ValueError, match="too long"):
        split_to_fit("https://x/connectors/P", [], "Email", ["a" * 3000])
