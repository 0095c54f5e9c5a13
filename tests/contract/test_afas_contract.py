"""AFAS's own example payloads (reference §7, copied into ``afas_examples.json``) against the emulator over
HTTP: accepted, or refused where the emulator's environment refuses them by design (``OrNu`` on insert
while autonumbering is on). Also the builders the hook tests reuse (``person_relation``, ``sales_order``)."""

from __future__ import annotations

import pytest

from tests.support.afas_fixtures import (
    EXAMPLES,
    AfasClient,
    example,
    person_relation,
    sales_order,
    seed_for_examples,
    state_order,
)

__all__ = ["person_relation", "sales_order"]  # the hook tests build their payloads with these


@pytest.fixture
def client(afas):
    client = AfasClient(afas.url)
    seed_for_examples(client)
    yield client
    client.close()


def test_the_fixture_file_holds_every_example_of_section_7_with_its_source():
    sections = {e["section"].split(" ")[0] for e in EXAMPLES}
    assert {f"7.{i}" for i in range(1, 26)} | {"7.6b"} <= sections
    assert all(e["source"] for e in EXAMPLES)


@pytest.mark.parametrize(
    ("section", "keys"),
    [
        ("7.1 ", {"DbId", "BcCo"}),
        ("7.2 ", {"DbId", "BcCo"}),
        ("7.3 ", {"DbId", "BcCo"}),
        ("7.4 ", {"DbId", "BcCo"}),
        ("7.6b", {"DbId", "BcCo"}),
        ("7.11", {"OrNu"}),
        ("7.12", {"OrNu"}),
        ("7.17", {"OrNu"}),
        ("7.18", {"OrNu", "Liln"}),
        ("7.19", {"OrNu", "Liln"}),
    ],
)
def test_official_insert_examples_are_accepted_with_the_documented_response_keys(client, section, keys):
    body = example(section)
    connector = next(iter(body))
    response = client.post(connector, body)
    assert response.status_code == 201, response.text
    results = response.json()["results"]
    assert list(results) == [connector] and set(results[connector]) == keys


def test_response_shapes_match_the_published_201_examples(client):
    """§7.6, §7.14, §7.20: {"results": {<connector>: {<key>: …}}} with the same keys."""
    published = {
        next(iter(e["body"]["results"])): e["body"]["results"] for e in EXAMPLES if "results" in e["body"]
    }
    for section in ("7.1 ", "7.6b", "7.12", "7.19"):
        body = example(section)
        connector = next(iter(body))
        results = client.created(connector, body)
        assert set(results) == set(published[connector][connector])


def test_explicit_debtor_numbers_are_kept_and_the_person_example_links_the_existing_person(client):
    assert client.created("KnSalesRelationPer", example("7.1 "))["DbId"] == "20021"
    linked = client.created("KnSalesRelationPer", example("7.3 "))
    assert linked["BcCo"] == "1000169" and linked["DbId"].isdigit()
    assert client.created("KnSalesRelationPer", example("7.4 ")) == {"DbId": "49978", "BcCo": "1000348"}


def test_the_near_maximal_order_is_refused_for_its_order_number_and_accepted_without(client):
    response = client.post("FbSales", example("7.13"))
    message = client.refusal(response)
    assert "autonummering" in message and "OrNu" in message
    body = example("7.13")
    del body["FbSales"]["Element"]["Fields"]["OrNu"]
    number = client.created("FbSales", body)["OrNu"]
    order = state_order(client, number)
    assert order["fields"]["RfCs"] == "Ingeschoten maximaal" and order["fields"]["JoCo"] == "20"
    assert order["lines"][0]["PRDc"] == "5"


def test_official_put_examples_update_an_order_and_a_relation(client):
    number = client.created("FbSales", example("7.12"))["OrNu"]
    for section in ("7.15", "7.16"):
        body = example(section)
        body["FbSales"]["Element"]["Fields"]["OrNu"] = number
        response = client.put("FbSales", body)
        assert response.status_code == 201, response.text
        assert response.json() == {"results": {"FbSales": {"OrNu": number}}}
    order = state_order(client, number)
    assert order["fields"]["RfCs"] == "update kop - referentie" and order["fields"]["OrDa"] == "2013-06-01"
    assert [ln["ItCd"] for ln in order["lines"]] == ["1000", "1000", "1001"]
    client.created("KnSalesRelationPer", example("7.4 "))
    response = client.put("KnSalesRelationPer", example("7.5 "))
    assert response.status_code == 201, response.text
    debtor = next(d for d in client.admin("GET", "state")["debtors"] if d["debtor_id"] == "49978")
    assert debtor["fields"]["InPv"] == "A"  # the example sends "a": codes compare case-insensitively


def test_the_sub_object_example_adds_a_line_to_an_existing_order(client):
    number = client.created("FbSales", example("7.12"))["OrNu"]
    body = example("spec FbSales/FbSalesLines")
    body["FbSales"]["Element"]["Fields"]["OrNu"] = number
    response = client.post("FbSales/FbSalesLines", body)
    assert response.status_code == 201 and response.json() == {"results": {"FbSales": {"OrNu": number}}}
    assert [ln["ItCd"] for ln in state_order(client, number)["lines"]] == ["1000", "1006"]


def test_examples_that_need_an_environment_s_own_data_are_refused_without_it(afas):
    bare = AfasClient(afas.url)
    try:
        assert "Verkooprelatie" in bare.refusal(bare.post("FbSales", example("7.12")))
        assert "Persoon" in bare.refusal(bare.post("KnSalesRelationPer", example("7.3 ")))
    finally:
        bare.close()


def test_filterjson_example_finds_the_administration(client):
    import json

    document = json.dumps(example("7.8 "))
    rows = client.rows("Profit_Administrations", filterjson=document)
    assert rows == []  # "Demo BV" contains no "Internet"
    client.admin("PUT", "catalogue", {"administrations": {"3": "Internet"}})
    assert [r["AdminId"] for r in client.rows("Profit_Administrations", filterjson=document)] == [3]


def test_metainfo_has_the_published_shapes(client):
    meta = client.call("GET", "metainfo").json()
    assert set(meta) == set(example("7.9 "))
    assert set(meta["info"]) == set(example("7.9 ")["info"])
    assert all(set(c) == {"id", "description"} for c in meta["updateConnectors"] + meta["getConnectors"])
    fields = client.call("GET", "metainfo/get/Profit_Administrations").json()
    assert set(fields) == set(example("7.10"))
    assert [set(f) for f in fields["fields"]] == [set(example("7.10")["fields"][0])] * 3
    assert {f["id"]: f["dataType"] for f in fields["fields"]} == {
        "AdminId": "int",
        "AdminNm": "string",
        "AdminCd": "string",
    }


def test_error_bodies_have_the_published_shape(client):
    skip_take = client.get("Profit_Debtor", skip="2", take="-1")
    published = example("7.23")
    assert skip_take.status_code == 500
    assert set(skip_take.json()) == set(published)
    assert skip_take.json()["externalMessage"] == published["externalMessage"]
    assert skip_take.json()["errorNumber"] == published["errorNumber"]
    bad_item = sales_order("10001", lines=[{"VaIt": "2", "ItCd": "NOPE", "BiUn": "STK", "QuUn": "1"}])
    refusal = client.post("FbSales", bad_item).json()
    assert refusal["errorNumber"] == example("7.22")["errorNumber"]
    assert refusal["externalMessage"] == "De ingevulde waarde bij 'Artikel' bestaat niet."
