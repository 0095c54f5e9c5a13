"""Articles over HTTP: ``Profit_Article``, ``Profit_Article_Basic``, ``Profit_Barcode_per_Item`` and
``Profit_SalesPrice`` with the spec's field ids, the incremental read on ModifiedDate, every article rule's
readings, hard deletes, barcodes per dimension combination, prices with and without their "(Filter)"
parameters, App Connector permissions, hostile raw values, and the admin API."""

from __future__ import annotations

import time

import pytest
import requests

from emulators.afas import DEMO_TOKEN_DATA, AfasConfig, AppConnector, create_app
from tests.support.afas_fixtures import (
    INTEGRATION,
    AfasClient,
    auth_for,
    person_relation,
    running_afas,
    sales_order,
)

ARTICLE, BASIC, BARCODES, PRICES = (
    "Profit_Article", "Profit_Article_Basic", "Profit_Barcode_per_Item", "Profit_SalesPrice"
)  # fmt: skip
ARTICLE_FIELDS = [
    "ItemCode", "Description", "ExtraDescription", "UnitId", "Factor", "ArtGroup", "Blocked", "Barcode",
    "VATGroup", "ItemSortCode", "ItemTypeCode", "Stock", "BitDecimals", "PriceGroup", "StockCode",
    "StockDimId1", "StockDimId2", "CreateDate", "ModifiedDate",
]  # fmt: skip
BASIC_FIELDS = [
    "ItemCode", "Description", "UnitId", "ArtGroup", "Blocked", "VATgroup", "BasicSalesPrice", "StockActual",
    "CreateDate", "DateModified",
]  # fmt: skip
BARCODE_FIELDS = [
    "ItemType", "ItemCode", "UnitId", "BarcodeType", "Barcode", "StockDimCode1", "StockDimCode2",
    "SerialNumber", "BatchNumber", "DebtorId", "CreditorId",
]  # fmt: skip
PRICE_FIELDS = [
    "Debtor", "Date", "Currency", "Volume", "Level", "Item", "Description", "Quantity", "Unit", "GrossPrice",
    "Discount", "Nettoprijs",
]  # fmt: skip
UNEXPECTED = "Er is een onverwachte fout opgetreden."
OTHER = "FEDCBA9876543210" * 4
HOUR = 3600


def upsert(client: AfasClient, *articles: dict, **body) -> dict:
    return client.admin("POST", "articles", {"articles": list(articles), **body})


def rules(client: AfasClient, **changes) -> dict:
    return client.admin("POST", "article_rules", changes)["rules"]


def later(client: AfasClient, seconds: int = HOUR) -> None:
    client.admin("POST", "clock", {"advance_seconds": seconds})


def admin_status(client: AfasClient, method: str, path: str, body=None) -> tuple[int, str]:
    response = requests.request(method, f"{client.url}/_admin/{path}", json=body, timeout=10)
    return response.status_code, response.text


def one(client: AfasClient, connector: str, code: str, field: str = "ItemCode") -> dict:
    (row,) = client.rows(connector, filterfieldids=field, filtervalues=code, operatortypes="1")
    return row


def since(client: AfasClient, value: str, op: str = "2", **params) -> list[dict]:
    return client.rows(
        ARTICLE, filterfieldids="ModifiedDate", filtervalues=value, operatortypes=op, skip=-1, **params
    )


def prices(client: AfasClient, **filters) -> list[dict]:
    if not filters:
        return client.rows(PRICES, skip=-1, orderbyfieldids="Item,Quantity")
    return client.rows(
        PRICES,
        skip=-1,
        orderbyfieldids="Item,Quantity",
        filterfieldids=",".join(filters),
        filtervalues=",".join(str(v) for v in filters.values()),
        operatortypes=",".join("1" for _ in filters),
    )


@pytest.fixture
def debtor(client):
    return client.created("KnSalesRelationPer", person_relation())["DbId"]


def test_metainfo_has_the_four_connectors_with_the_spec_s_field_ids(client):
    gets = {c["id"]: c["description"] for c in client.call("GET", "metainfo").json()["getConnectors"]}
    assert {c: gets[c] for c in (ARTICLE, BASIC, BARCODES, PRICES)} == {
        ARTICLE: "Items",
        BASIC: "Items",
        BARCODES: "Barcode per item",
        PRICES: "Price list per debtor (GetConnector)",
    }
    expected = {ARTICLE: ARTICLE_FIELDS, BASIC: BASIC_FIELDS, BARCODES: BARCODE_FIELDS, PRICES: PRICE_FIELDS}
    for connector, ids in expected.items():
        fields = client.call("GET", f"metainfo/get/{connector}").json()["fields"]
        assert sorted(f["id"] for f in fields) == sorted(ids)  # metainfo: schema.json's (sorted) order
        by_id = {f["id"]: f for f in fields}
        if connector == ARTICLE:
            assert by_id["ModifiedDate"]["dataType"] == "date" and by_id["Factor"]["dataType"] == "int"
            assert (
                by_id["Blocked"]["dataType"] == "boolean" and by_id["VATGroup"]["label"] == "VAT rate group"
            )
        if connector == BASIC:
            assert by_id["DateModified"]["label"] == "Dummy date field"
            assert by_id["BasicSalesPrice"]["dataType"] == "decimal"
        if connector == PRICES:
            assert (
                by_id["Debtor"]["label"] == "Sales contact (Filter)" and by_id["Date"]["dataType"] == "date"
            )
    assert list(client.rows(ARTICLE, take=1)[0]) == ARTICLE_FIELDS  # rows: the spec's order
    assert list(client.rows(BASIC, take=1)[0]) == BASIC_FIELDS
    assert list(client.rows(BARCODES, take=1)[0]) == BARCODE_FIELDS


def test_the_demo_catalogue_s_articles_are_there_after_a_reset(client):
    items = client.admin("GET", "state")["catalogue"]["items"]
    codes = {code for code, item in items.items() if item["type"] == "2"}
    rows = {r["ItemCode"]: r for r in client.rows(ARTICLE, skip=-1)}
    assert set(rows) == codes
    coffee, mug = rows["ART-1001"], rows["ART-2001"]
    assert coffee["VATGroup"] == "LAAG" and mug["VATGroup"] == "HOOG"  # 9 % and 21 % in the catalogue
    assert coffee["Description"] == "Koffiebonen Espresso 250 g" and coffee["Barcode"] == "8712345000014"
    assert coffee["UnitId"] == "STK" and coffee["Blocked"] is False and coffee["Stock"] is True
    assert coffee["ModifiedDate"] == coffee["CreateDate"] == "2026-11-02T09:00:00Z"
    basic = one(client, BASIC, "ART-1001")
    assert basic["BasicSalesPrice"] == float(items["ART-1001"]["price"]) and basic["VATgroup"] == "LAAG"
    assert basic["StockActual"] == 40 and basic["DateModified"] == "1900-01-01T00:00:00Z"
    assert "VERZEND" not in rows  # cost items are no articles
    upsert(client, {"code": "NEW-1"})
    rules(client, sales_price_filters="optional")
    client.admin("POST", "reset")
    assert "NEW-1" not in {r["ItemCode"] for r in client.rows(ARTICLE, skip=-1)}
    assert client.admin("GET", "articles")["rules"]["sales_price_filters"] == "required"


def test_an_incremental_read_on_modified_date_sorted_and_paged(client):
    upsert(client, *({"code": f"INC-{i}", "description": f"Artikel {i}"} for i in range(5)))
    later(client)
    start = client.admin("POST", "clock", {})["now"][:19]
    later(client, 5)
    assert upsert(client, {"code": "INC-3", "description": "nieuw"}, {"code": "INC-9"}) == {
        "articles": 2,
        "modified": 2,
    }
    upsert(client, {"code": "INC-1", "description": "Artikel 1"})  # unchanged: does not move
    upsert(client, {"code": "INC-0", "description": "terug", "modified": "2026-10-01T12:00:00"})
    assert one(client, ARTICLE, "INC-0")["ModifiedDate"] == "2026-10-01T12:00:00Z"  # set explicitly
    pages, skip = [], 0
    while True:
        page = client.rows(
            ARTICLE,
            filterfieldids="ModifiedDate",
            filtervalues=start,
            operatortypes="2",
            orderbyfieldids="ModifiedDate,ItemCode",
            skip=skip,
            take=1,
        )
        pages += page
        skip += 1
        if not page:
            break
    assert [r["ItemCode"] for r in pages] == ["INC-3", "INC-9"]
    assert pages[0]["Description"] == "nieuw" and pages[0]["ModifiedDate"] > pages[0]["CreateDate"]
    assert [r["ItemCode"] for r in since(client, "2026-11-02T09:00:00", "5")] == ["INC-0"]


def test_modified_date_bounds_exclusive_by_default_inclusive_by_rule(client):
    later(client)
    upsert(client, {"code": "EDGE-1"})
    moment = one(client, ARTICLE, "EDGE-1")["ModifiedDate"][:19]

    def codes(op: str) -> set[str]:
        return {r["ItemCode"] for r in since(client, moment, op)}

    assert "EDGE-1" not in codes("2") and "EDGE-1" not in codes("3")  # >= and <= act as > and <
    assert "EDGE-1" in codes("1") and "EDGE-1" not in codes("7")
    assert "EDGE-1" not in codes("4") and "EDGE-1" not in codes("5")
    assert rules(client, modified_date_bounds="inclusive")["modified_date_bounds"] == "inclusive"
    assert "EDGE-1" in codes("2") and "EDGE-1" in codes("3") and "EDGE-1" not in codes("4")


@pytest.mark.parametrize(
    ("value", "same"),
    [
        ("2026-11-02", "2026-11-02T00:00:00"),
        ("2026-11-02T08:59:59Z", "2026-11-02T08:59:59"),  # the Z AFAS writes
        ("2026-11-02 08:59:59", "2026-11-02T08:59:59"),
        ("2026-11-02T08:59:59.000", "2026-11-02T08:59:59"),
    ],
)
def test_modified_date_filter_values_strict_by_default_lenient_by_rule(client, value, same):
    response = client.get(ARTICLE, filterfieldids="ModifiedDate", filtervalues=value, operatortypes="4")
    assert client.refusal(response) == UNEXPECTED
    expected = since(client, same, "4")  # the one form strict takes
    assert len(expected) == len(client.rows(ARTICLE, skip=-1))
    rules(client, modified_date_filter_format="lenient")
    assert since(client, value, "4") == expected


def test_filter_values_that_are_no_date_time_are_refused_under_both_formats(client):
    for form in ("strict", "lenient"):
        rules(client, modified_date_filter_format=form)
        for value in ("2026-11-02T09:30:00+01:00", "gisteren", "2026-13-02T09:30:00"):
            response = client.get(ARTICLE, filterfieldids="CreateDate", filtervalues=value, operatortypes="4")
            assert client.refusal(response) == UNEXPECTED
    assert len(client.rows(ARTICLE, filterfieldids="Description", filtervalues="koffie", operatortypes="6"))


def test_price_and_barcode_changes_leave_modified_date_alone_unless_the_rules_say(client):
    upsert(client, {"code": "P-1", "price": "10", "barcode": "8700000000017"})
    before = one(client, ARTICLE, "P-1")["ModifiedDate"]
    later(client)
    assert upsert(client, {"code": "P-1", "price": "11.50", "barcode": "8700000000024"})["modified"] == 0
    client.admin("POST", "prices", {"rows": [{"item": "P-1", "price": 9}]})
    client.admin("POST", "barcodes", {"rows": [{"item": "P-1", "barcode": "8700000000031"}]})
    row = one(client, ARTICLE, "P-1")
    assert row["ModifiedDate"] == before and row["Barcode"] == "8700000000024"  # changed, date not
    assert one(client, BASIC, "P-1")["BasicSalesPrice"] == 11.5
    rules(client, price_change_moves_modified_date=True)
    client.admin("POST", "prices", {"rows": [{"item": "P-1", "price": 8}]})
    moved = one(client, ARTICLE, "P-1")["ModifiedDate"]
    assert moved > before
    later(client)
    upsert(client, {"code": "P-1", "barcode": "8700000000048"})  # barcode rule still false
    assert one(client, ARTICLE, "P-1")["ModifiedDate"] == moved
    rules(client, barcode_change_moves_modified_date=True)
    client.admin("POST", "barcodes", {"rows": [{"item": "P-1", "barcode": "8700000000031", "delete": True}]})
    assert one(client, ARTICLE, "P-1")["ModifiedDate"] > moved
    later(client)
    moved = one(client, ARTICLE, "P-1")["ModifiedDate"]
    upsert(client, {"code": "P-1", "raw": {"Description": "x"}})  # raw never moves it
    assert one(client, ARTICLE, "P-1")["ModifiedDate"] == moved
    upsert(client, {"code": "P-1", "blocked": True})  # any other field does
    assert one(client, ARTICLE, "P-1")["ModifiedDate"] > moved


def test_a_delete_is_a_hard_delete(client, debtor):
    upsert(client, {"code": "DEL-1", "barcode": "8700000000017", "price": "5"})
    client.admin("POST", "prices", {"rows": [{"item": "DEL-1", "price": 4, "debtor": debtor}]})
    order = sales_order(debtor, lines=[{"VaIt": "2", "ItCd": "DEL-1", "BiUn": "STK", "QuUn": "1"}])
    assert client.post("FbSales", order).status_code == 201  # a new article can be sold at once
    later(client)
    assert client.admin("DELETE", "articles/del-1") == {"deleted": True}
    assert client.admin("DELETE", "articles/DEL-1") == {"deleted": False}
    for connector, field in ((ARTICLE, "ItemCode"), (BASIC, "ItemCode"), (BARCODES, "ItemCode")):
        assert client.rows(connector, filterfieldids=field, filtervalues="DEL-1", operatortypes="1") == []
    assert "DEL-1" not in {r["Item"] for r in prices(client, Debtor=debtor, Date="2026-11-02")}
    assert since(client, "2026-11-02T09:00:00") == []  # no trace in an incremental read either
    view = client.admin("GET", "articles")
    assert not [a for a in view["articles"] + view["barcodes"] + view["prices"] if "DEL-1" in str(a)]
    assert client.refusal(client.post("FbSales", order)).startswith("De ingevulde waarde bij")
    assert "DEL-1" in client.admin("GET", "stock")["items"]  # stock is the stock book's


def test_dimension_articles_have_a_barcode_row_per_dimension_combination(client):
    upsert(
        client,
        {"code": "SHIRT", "dim1": "MATEN", "dim2": "KLEUR"},
        {"code": "BROEK", "dim1": "MATEN"},
        {"code": "PET", "barcode": "8700000000017"},
    )
    shirt = [{"item": "SHIRT", "barcode": f"87000001{i:05d}", "dim1": s, "dim2": c}
             for i, (s, c) in enumerate((("M", "ROOD"), ("M", "BLAUW"), ("L", "ROOD")))]  # fmt: skip
    client.admin("POST", "barcodes", {"rows": [*shirt, {"item": "broek", "barcode": "B-S", "dim1": "S"}]})
    rows = client.rows(BARCODES, skip=-1, orderbyfieldids="ItemCode,StockDimCode1,StockDimCode2")
    mine = [(r["ItemCode"], r["StockDimCode1"], r["StockDimCode2"], r["Barcode"], r["BarcodeType"])
            for r in rows if r["ItemCode"] in ("SHIRT", "BROEK", "PET")]  # fmt: skip
    assert mine == [
        ("BROEK", "S", None, "B-S", "0"),
        ("PET", None, None, "8700000000017", "3"),
        ("SHIRT", "L", "ROOD", "8700000100002", "3"),
        ("SHIRT", "M", "BLAUW", "8700000100001", "3"),
        ("SHIRT", "M", "ROOD", "8700000100000", "3"),
    ]
    assert all(r["ItemType"] == "2" and r["UnitId"] == "STK" and r["SerialNumber"] is None for r in rows)
    articles = {r["ItemCode"]: r for r in client.rows(ARTICLE, skip=-1)}
    assert (articles["SHIRT"]["ItemTypeCode"], articles["SHIRT"]["StockDimId2"]) == ("4", "KLEUR")
    assert (articles["BROEK"]["ItemTypeCode"], articles["PET"]["ItemTypeCode"]) == ("3", "0")
    for wrong in ({"item": "SHIRT", "barcode": "X", "dim1": "M"}, {"item": "BROEK", "barcode": "X"},
                  {"item": "PET", "barcode": "X", "dim1": "M"}, {"item": "NOPE", "barcode": "X"}):  # fmt: skip
        assert admin_status(client, "POST", "barcodes", {"rows": [wrong]})[0] == 400
    assert admin_status(client, "POST", "articles", {"articles": [{"code": "BROEK", "dim1": None}]})[0] == 400
    rules(client, article_value_sets="labels")
    shirt_row = one(client, ARTICLE, "SHIRT")
    assert (shirt_row["ItemTypeCode"], shirt_row["ItemSortCode"]) == ("2 artikeldimensies", "Normaal")
    assert shirt_row["StockCode"] == "Economische voorraad (verkooporder)"
    pet = one(client, BARCODES, "PET")
    assert (pet["ItemType"], pet["BarcodeType"]) == ("Artikel", "EAN13")


def test_sales_prices_need_debtor_and_date_by_default(client, debtor):
    assert client.refusal(client.get(PRICES)) == "Verplicht filterveld ontbreekt: Debtor, Date."
    response = client.get(PRICES, filterfieldids="Date", filtervalues="2026-11-02", operatortypes="1")
    assert client.refusal(response) == "Verplicht filterveld ontbreekt: Debtor."
    response = client.get(PRICES, filterfieldids="Debtor,Date", filtervalues=f"{debtor},2026-11-02",
                          operatortypes="1,2")  # fmt: skip
    assert client.refusal(response) == "Verplicht filterveld ontbreekt: Date."  # only = supplies it
    unknown = client.get(PRICES, filterfieldids="Debtor,Date", filtervalues="99999,2026-11-02",
                         operatortypes="1,1")  # fmt: skip
    assert client.refusal(unknown) == "De ingevulde waarde bij 'Verkooprelatie (filter)' bestaat niet."
    bad_date = client.get(PRICES, filterfieldids="Debtor,Date", filtervalues=f"{debtor},morgen",
                          operatortypes="1,1")  # fmt: skip
    assert client.refusal(bad_date) == UNEXPECTED
    rows = prices(client, Debtor=debtor, Date="2026-11-02")
    assert rows and all(list(r) == PRICE_FIELDS for r in rows)
    coffee = next(r for r in rows if r["Item"] == "ART-1001")
    assert coffee == {
        "Debtor": debtor, "Date": "2026-11-02T00:00:00Z", "Currency": "EUR", "Volume": False, "Level": None,
        "Item": "ART-1001", "Description": "Koffiebonen Espresso 250 g", "Quantity": 1, "Unit": "STK",
        "GrossPrice": 8.21, "Discount": 0, "Nettoprijs": 8.21,
    }  # fmt: skip


def test_sales_prices_per_debtor_date_and_scale(client, debtor):
    other = client.created("KnSalesRelationPer", person_relation("ander@example.nl"))["DbId"]
    upsert(client, {"code": "PR-1", "price": "20"}, {"code": "PR-X", "blocked": True})
    client.admin("POST", "prices", {"rows": [
        {"item": "PR-1", "price": "18"},
        {"item": "PR-1", "price": "17", "date": "2026-12-01"},
        {"item": "PR-1", "price": "15", "debtor": debtor, "discount": "1.5"},
        {"item": "PR-1", "price": "12", "debtor": debtor, "quantity": 10},
    ]})  # fmt: skip

    def mine(**filters: str) -> list[tuple]:
        rows = [r for r in prices(client, **filters) if r["Item"] == "PR-1"]
        return [(r["Quantity"], r["GrossPrice"], r["Discount"], r["Nettoprijs"]) for r in rows]

    assert mine(Debtor=debtor, Date="2026-11-02") == [(1, 15, 1.5, 13.5)]
    assert mine(Debtor=debtor, Date="2026-11-02", Volume="true") == [(1, 15, 1.5, 13.5), (10, 12, 0, 12)]
    assert mine(Debtor=other, Date="2026-11-02") == [(1, 18, 0, 18)]
    assert mine(Debtor=other, Date="2026-12-01") == [(1, 17, 0, 17)]
    assert mine(Debtor=other, Date="2026-12-01T00:00:00", Level="A") == [(1, 17, 0, 17)]
    assert "PR-X" not in {r["Item"] for r in prices(client, Debtor=other, Date="2026-11-02")}
    client.admin("PUT", "catalogue", {"currencies": ["USD"]})
    assert prices(client, Debtor=other, Date="2026-11-02", Currency="USD") == []
    response = client.get(PRICES, filterfieldids="Debtor,Date,Currency",
                          filtervalues=f"{other},2026-11-02,XXX", operatortypes="1,1,1")  # fmt: skip
    assert client.refusal(response) == "De ingevulde waarde bij 'Valutacode (filter)' bestaat niet."
    both = client.rows(PRICES, skip=-1, filterfieldids="Debtor,Date,Item;Debtor,Date,Item",
                       filtervalues=f"{debtor},2026-11-02,PR-1;{other},2026-11-02,PR-1",
                       operatortypes="1,1,1;1,1,1", orderbyfieldids="Debtor")  # fmt: skip
    assert sorted((r["Debtor"], r["GrossPrice"]) for r in both) == sorted([(debtor, 15), (other, 18)])


def test_sales_prices_without_filters_and_incl_vat_by_rule(client, debtor):
    upsert(client, {"code": "VAT-1", "price": "10", "vat_group": "HOOG"},
           {"code": "VAT-2", "price": "10", "vat_group": "LAAG"})  # fmt: skip
    client.admin("POST", "prices", {"rows": [{"item": "VAT-1", "price": "9", "debtor": debtor}]})
    rules(client, sales_price_filters="optional")
    rows = {r["Item"]: r for r in prices(client)}
    assert rows["VAT-1"]["Debtor"] is None and rows["VAT-1"]["GrossPrice"] == 10  # general prices only
    assert rows["VAT-1"]["Date"] == "2026-11-02T00:00:00Z" and rows["VAT-1"]["Currency"] == "EUR"
    assert {r["Item"]: r["GrossPrice"] for r in prices(client, Debtor=debtor)}["VAT-1"] == 9
    rules(client, sales_price_incl_vat=True)
    rows = {r["Item"]: r for r in prices(client)}
    assert (rows["VAT-1"]["GrossPrice"], rows["VAT-2"]["Nettoprijs"]) == (12.1, 10.9)
    assert one(client, BASIC, "VAT-1")["BasicSalesPrice"] == 12.1


def test_basic_stock_actual_follows_the_stock_kind_rule(client):
    upsert(client, {"code": "STK-1"})
    client.admin("POST", "stock", {"rows": [
        {"item": "STK-1", "physical": 10, "reserved": 3, "on_order": 5},
        {"item": "STK-1", "warehouse": "01", "physical": 2},
    ]})  # fmt: skip
    expected = {"physical": 12, "free": 9, "economic": 14}
    assert one(client, BASIC, "STK-1")["StockActual"] == 12
    for kind, value in expected.items():
        rules(client, basic_stock_kind=kind)
        assert one(client, BASIC, "STK-1")["StockActual"] == value
    upsert(client, {"code": "STK-0"})
    assert one(client, BASIC, "STK-0")["StockActual"] == 0


def test_an_app_connector_without_the_article_connectors_gets_401():
    config = AfasConfig(
        tokens={DEMO_TOKEN_DATA: AppConnector(), OTHER: AppConnector(get_connectors=(ARTICLE,))}
    )
    with running_afas(config) as server:
        limited = AfasClient(server.url, {**auth_for(OTHER), **INTEGRATION})
        try:
            assert [c["id"] for c in limited.call("GET", "metainfo").json()["getConnectors"]] == [ARTICLE]
            assert limited.get(ARTICLE).status_code == 200
            for connector in (BASIC, BARCODES, PRICES):
                message = limited.refusal(limited.get(connector), status=401)
                assert message.startswith("GetConnector niet ondersteund")
                assert limited.call("GET", f"metainfo/get/{connector}").status_code == 401
        finally:
            limited.close()


def test_raw_hostile_values_come_back_verbatim(client):
    long = "x" * 300
    upsert(
        client,
        {"code": "RAW-1", "description": "Echt", "raw": {"ItemCode": None, "Description": long}},
        {"code": "RAW-2", "raw": {"BasicSalesPrice": "abc", "VATgroup": 7, "VATGroup": False}},
    )
    client.admin("POST", "barcodes", {"rows": [{"item": "RAW-2", "barcode": "1", "raw": {"Barcode": None}}]})
    article = next(r for r in client.rows(ARTICLE, skip=-1) if r["Description"] == long)
    assert article["ItemCode"] is None and article["VATGroup"] == "HOOG"
    basic = next(r for r in client.rows(BASIC, skip=-1) if r["Description"] == long)
    assert basic["ItemCode"] is None
    raw2 = one(client, BASIC, "RAW-2")
    assert raw2["BasicSalesPrice"] == "abc" and raw2["VATgroup"] == 7
    assert one(client, ARTICLE, "RAW-2")["VATGroup"] is False
    assert one(client, BARCODES, "RAW-2")["Barcode"] is None
    assert (
        admin_status(client, "POST", "articles", {"articles": [{"code": "L", "description": long}]})[0] == 400
    )
    status, text = admin_status(client, "POST", "articles", {"articles": [{"code": "R", "raw": {"Nope": 1}}]})
    assert status == 400 and "raw maps field ids" in text


@pytest.mark.parametrize(
    "body",
    [
        {"articles": [{"code": "OK-1"}, {"code": "BAD", "price": "abc"}]},
        {"articles": [{"code": "OK-1"}, {"code": "BAD", "vat_group": "21"}]},
        {"articles": [{"code": "OK-1"}, {"code": ""}]},
        {"articles": [{"code": "OK-1"}, {"code": "BAD", "colour": "red"}]},
        {"articles": [{"code": "OK-1"}, {"code": "BAD", "dim2": "KLEUR"}]},
        {"articles": [{"code": "OK-1"}, {"code": "VERZEND"}]},  # a cost item in the catalogue
        {"articles": [{"code": "OK-1"}], "generate": -1},
        {"rows": []},
    ],
)
def test_bad_article_input_is_a_400_and_writes_nothing(client, body):
    status, text = admin_status(client, "POST", "articles", body)
    assert status == 400 and "invalid articles" in text
    assert "OK-1" not in {a["code"] for a in client.admin("GET", "articles")["articles"]}


def test_bad_price_and_rule_input_is_a_400(client):
    for row in ({"item": "ART-1001", "price": -1}, {"item": "ART-1001", "price": 1, "date": "1-12-2026"},
                {"item": "ART-1001", "price": 1, "quantity": 0}, {"item": "NOPE", "price": 1},
                {"item": "ART-1001", "price": 1, "discount": 2}):  # fmt: skip
        assert admin_status(client, "POST", "prices", {"rows": [row]})[0] == 400
    for change in ({"sales_price_filters": "maybe"}, {"sales_price_incl_vat": "yes"}, {"unknown": 1}):
        assert admin_status(client, "POST", "article_rules", change)[0] == 400
    with pytest.raises(ValueError, match="modified_date_bounds"):
        create_app(AfasConfig(modified_date_bounds="half-open"))


def test_configured_rules_hold_from_the_start():
    config = AfasConfig(sales_price_filters="optional", modified_date_bounds="inclusive")
    with running_afas(config) as server:
        client = AfasClient(server.url)
        try:
            assert client.get(PRICES).status_code == 200
            assert len(since(client, "2026-11-02T09:00:00")) == len(client.rows(ARTICLE, skip=-1))
        finally:
            client.close()


def test_generating_8000_articles_is_quick_reproducible_and_upserts(client):
    started = time.perf_counter()
    assert upsert(client, generate=8000, seed="s") == {"articles": 8000, "modified": 8000}
    assert time.perf_counter() - started < 1.0
    rows = client.rows(ARTICLE, skip=-1, filterfieldids="ItemCode", filtervalues="GEN-", operatortypes="10")
    assert len(rows) == 8000 and min(r["ItemCode"] for r in rows) == "GEN-000001"
    assert max(r["ItemCode"] for r in rows) == "GEN-008000"
    assert {r["VATGroup"] for r in rows} == {"HOOG", "LAAG", "GEEN"}
    dimensioned = [r for r in rows if r["ItemTypeCode"] == "3"]
    assert dimensioned and all(r["Barcode"] is None and r["StockDimId1"] == "MATEN" for r in dimensioned)
    sizes = client.rows(BARCODES, filterfieldids="ItemCode", filtervalues=dimensioned[0]["ItemCode"],
                        operatortypes="1", orderbyfieldids="Barcode")  # fmt: skip
    assert [r["StockDimCode1"] for r in sizes] == ["S", "M", "L"]
    assert all(len(r["Barcode"]) == 13 for r in sizes)
    assert upsert(client, generate=8000, seed="s") == {"articles": 8000, "modified": 0}
    again = client.rows(ARTICLE, skip=-1, filterfieldids="ItemCode", filtervalues="GEN-", operatortypes="10")
    assert sorted(again, key=lambda r: r["ItemCode"]) == sorted(rows, key=lambda r: r["ItemCode"])
