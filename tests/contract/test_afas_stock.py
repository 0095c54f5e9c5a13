"""Stock over HTTP: ``Profit_Stock_per_Warehouse`` and ``Profit_Warehouses`` as AFAS's spec has them, the
custom stock connector (per warehouse, optional ModifiedDate, filters, sorting, paging, permissions), hostile
raw values, reservations by sales orders and deliveries by direct invoices, and the admin API and rules."""

from __future__ import annotations

import time

import pytest
import requests

from emulators.afas import DEMO_TOKEN_DATA, AfasConfig, AppConnector, create_app
from tests.support.afas_fixtures import (
    INTEGRATION,
    AfasClient,
    auth_for,
    direct_invoice,
    person_relation,
    running_afas,
    sales_order,
    state_order,
)

STANDARD = "Profit_Stock_per_Warehouse"
CUSTOM = "LightspeedAfas_Stock"
STANDARD_FIELDS = {"Basisartikeltype_code", "Item_code", "In_stock", "Unit", "Stock_level_code"}
CUSTOM_FIELDS = [
    "ItemCode", "StockDimCode1", "StockDimCode2", "Warehouse", "UnitId", "StockPhysical", "StockFree",
    "StockEconomic",
]  # fmt: skip
WAREHOUSE_FIELDS = {
    "Warehouse", "Description", "UnitIdFin", "Blocked", "Barcode", "BasicContactCode", "Name", "AdressLine1",
    "AdressLine2", "AdressLine3", "CountryId", "CreateDate", "ModifiedDate",
}  # fmt: skip
OTHER = "FEDCBA9876543210" * 4


def stock(client: AfasClient, *rows: dict, **body) -> int:
    return client.admin("POST", "stock", {"rows": list(rows), **body})["rows"]


def rules(client: AfasClient, **changes) -> dict:
    return client.admin("POST", "stock_rules", changes)["rules"]


def held(client: AfasClient, item: str, warehouse: str = "HOOFD") -> dict:
    return client.admin("GET", "stock")["items"][item][warehouse]


def amounts(physical, reserved=0, on_order=0) -> dict:
    free = physical - reserved
    return {
        "physical": physical,
        "reserved": reserved,
        "on_order": on_order,
        "free": free,
        "economic": free + on_order,
    }


def standard_row(client: AfasClient, item: str) -> dict:
    (row,) = client.rows(STANDARD, filterfieldids="Item_code", filtervalues=item, operatortypes="1")
    return row


def admin_status(client: AfasClient, method: str, path: str, body=None) -> int:
    return requests.request(method, f"{client.url}/_admin/{path}", json=body, timeout=10).status_code


@pytest.fixture
def debtor(client):
    return client.created("KnSalesRelationPer", person_relation())["DbId"]


def test_metainfo_lists_the_stock_connectors_with_the_spec_s_field_ids(client):
    meta = client.call("GET", "metainfo").json()
    gets = {c["id"]: c["description"] for c in meta["getConnectors"]}
    assert gets[STANDARD] == "Stock (virtual) by item" and gets["Profit_Warehouses"] == "Warehouse"
    assert CUSTOM in gets
    fields = {f["id"]: f for f in client.call("GET", f"metainfo/get/{STANDARD}").json()["fields"]}
    assert set(fields) == STANDARD_FIELDS and fields["In_stock"]["dataType"] == "decimal"
    warehouses = client.call("GET", "metainfo/get/Profit_Warehouses").json()["fields"]
    assert {f["id"] for f in warehouses} == WAREHOUSE_FIELDS
    custom = client.call("GET", f"metainfo/get/{CUSTOM}").json()["fields"]
    assert [f["id"] for f in custom] == CUSTOM_FIELDS  # no ModifiedDate by default
    rows = client.rows("Profit_Warehouses", orderbyfieldids="Warehouse")
    assert [r["Warehouse"] for r in rows] == ["01", "HOOFD"] and set(rows[0]) == WAREHOUSE_FIELDS
    assert rows[1]["UnitIdFin"] == 1 and rows[1]["Blocked"] is False and rows[1]["ModifiedDate"].endswith("Z")


def test_the_standard_connector_sums_warehouses_in_the_configured_stock_kind(client):
    client.admin("PUT", "catalogue", {"items": {"DOOS-1": {"type": "2", "units": ["DOOS", "STK"]}}})
    stock(
        client,
        {"item": "DOOS-1", "warehouse": "HOOFD", "physical": 10, "reserved": 3, "on_order": 5},
        {"item": "DOOS-1", "warehouse": "01", "physical": "2.5"},
        {"item": "LOS-1", "physical": 7.25, "reserved": "0.25"},
    )
    row = standard_row(client, "DOOS-1")
    assert row == {
        "Basisartikeltype_code": "A",
        "Item_code": "DOOS-1",
        "In_stock": 14.5,  # economic: 12.5 physical − 3 reserved + 5 on order
        "Unit": "DOOS",
        "Stock_level_code": None,
    }
    assert standard_row(client, "LOS-1")["Unit"] == "STK" and standard_row(client, "LOS-1")["In_stock"] == 7
    for kind, expected in (("free", 9.5), ("physical", 12.5), ("economic", 14.5)):
        assert rules(client, standard_stock_kind=kind)["standard_stock_kind"] == kind
        assert standard_row(client, "DOOS-1")["In_stock"] == expected
    assert held(client, "DOOS-1") == amounts(10, reserved=3, on_order=5)


def test_a_fresh_environment_has_stock_for_every_article_in_the_default_warehouse(client):
    items = client.admin("GET", "state")["catalogue"]["items"]
    articles = {code for code, item in items.items() if item["type"] == "2"}
    held_items = client.admin("GET", "stock")["items"]
    assert set(held_items) == articles and all(set(w) == {"HOOFD"} for w in held_items.values())
    assert {held_items[a]["HOOFD"]["physical"] for a in articles} == {40}
    assert {r["Item_code"] for r in client.rows(STANDARD, skip=-1)} == articles


def test_the_custom_connector_has_a_row_per_warehouse_and_a_modified_date_only_when_the_rule_says(client):
    stock(client, {"item": "X-1", "warehouse": "HOOFD", "physical": 4}, {"item": "X-1", "warehouse": "01"})
    rows = client.rows(
        CUSTOM, filterfieldids="ItemCode", filtervalues="X-1", operatortypes="1", orderbyfieldids="Warehouse"
    )
    assert [list(r) for r in rows] == [CUSTOM_FIELDS, CUSTOM_FIELDS]
    assert [(r["Warehouse"], r["StockPhysical"], r["StockDimCode1"], r["UnitId"]) for r in rows] == [
        ("01", 0, None, "STK"),
        ("HOOFD", 4, None, "STK"),
    ]
    assert client.refusal(client.get(CUSTOM, orderbyfieldids="ModifiedDate")).startswith("Connector-veld")
    rules(client, stock_connector_has_modified_date=True)
    fields = [f["id"] for f in client.call("GET", f"metainfo/get/{CUSTOM}").json()["fields"]]
    assert fields == [*CUSTOM_FIELDS, "ModifiedDate"]
    client.admin("POST", "clock", {"advance_seconds": 3600})
    stock(client, {"item": "X-1", "warehouse": "01", "physical": 1})
    changed = client.rows(
        CUSTOM,
        filterfieldids="ModifiedDate",
        filtervalues="2026-11-02T09:30:00",
        operatortypes="2",
        orderbyfieldids="ItemCode",
    )
    assert [(r["ItemCode"], r["Warehouse"]) for r in changed] == [("X-1", "01")]
    modified = changed[0]["ModifiedDate"]
    assert modified.startswith("2026-11-02T10:") and modified.endswith("Z")


def test_the_custom_connector_filters_sorts_and_pages_without_losing_rows(client):
    assert stock(client, generate=120, seed="paging", warehouses=["HOOFD", "01"]) == 240
    both = client.rows(
        CUSTOM, skip=-1, filterfieldids="Warehouse;Warehouse", filtervalues="hoofd;01", operatortypes="1;1"
    )
    articles = [
        c for c, item in client.admin("GET", "state")["catalogue"]["items"].items() if item["type"] == "2"
    ]
    assert len(both) == 240 + len(articles)  # and the seeded articles' stock in HOOFD
    one = client.rows(
        CUSTOM,
        filterfieldids="ItemCode",
        filtervalues="GEN-000007",
        operatortypes="1",
        orderbyfieldids="-Warehouse",
    )
    assert [r["Warehouse"] for r in one] == ["HOOFD", "01"]
    pages, skip = [], 0
    while True:
        page = client.rows(
            CUSTOM,
            skip=skip,
            take=37,
            orderbyfieldids="ItemCode,Warehouse",
            filterfieldids="ItemCode",
            filtervalues="GEN-",
            operatortypes="10",
        )
        pages += page
        skip += 37
        if len(page) < 37:
            break
    keys = [(r["ItemCode"], r["Warehouse"]) for r in pages]
    assert len(keys) == 240 and len(set(keys)) == 240 and keys == sorted(keys)
    assert keys[:2] == [("GEN-000001", "01"), ("GEN-000001", "HOOFD")]


def test_an_app_connector_without_the_stock_connectors_gets_401():
    config = AfasConfig(
        tokens={DEMO_TOKEN_DATA: AppConnector(), OTHER: AppConnector(get_connectors=(STANDARD,))}
    )
    with running_afas(config) as server:
        limited = AfasClient(server.url, {**auth_for(OTHER), **INTEGRATION})
        try:
            assert [c["id"] for c in limited.call("GET", "metainfo").json()["getConnectors"]] == [STANDARD]
            assert limited.get(STANDARD).status_code == 200
            for connector in (CUSTOM, "Profit_Warehouses"):
                message = limited.refusal(limited.get(connector), status=401)
                assert message.startswith("GetConnector niet ondersteund")
                assert limited.call("GET", f"metainfo/get/{connector}").status_code == 401
            assert limited.refusal(limited.get("Profit_Stock"), status=401).startswith("GetConnector")
        finally:
            limited.close()


def test_raw_hostile_values_come_back_verbatim(client):
    hostile = {"H-NULL": None, "H-TEXT": "abc", "H-NEG": -3, "H-STR": "12.5"}
    stock(client, *({"item": code, "physical": 1, "raw": {"In_stock": v}} for code, v in hostile.items()))
    stock(
        client,
        {"item": "H-FALSE", "physical": 501, "raw": {"Item_code": False, "Stock_level_code": "B"}},
        {"item": "H-EMPTY", "physical": 502, "raw": {"Item_code": ""}},
        {"item": "H-CUSTOM", "physical": 503, "raw": {"StockFree": "abc", "Warehouse": None}},
    )
    rows = client.rows(STANDARD, skip=-1)
    by_code = {r["Item_code"]: r for r in rows if isinstance(r["Item_code"], str) and r["Item_code"]}
    assert {code: by_code[code]["In_stock"] for code in hostile} == hostile
    by_stock = {r["In_stock"]: r for r in rows}
    assert by_stock[501]["Item_code"] is False and by_stock[501]["Stock_level_code"] == "B"
    assert by_stock[502]["Item_code"] == ""
    assert by_code["H-CUSTOM"]["In_stock"] == 503  # a custom connector's field id does not leak here
    (custom,) = client.rows(CUSTOM, filterfieldids="ItemCode", filtervalues="H-CUSTOM", operatortypes="1")
    assert custom["StockFree"] == "abc" and custom["Warehouse"] is None and custom["StockPhysical"] == 503


def test_a_sales_order_reserves_stock_an_update_replaces_it_and_a_delete_releases_it(client, debtor):
    assert standard_row(client, "ART-1001")["In_stock"] == 40
    number = client.created("FbSales", sales_order(debtor))["OrNu"]  # 2 × ART-1001, a cost line
    assert held(client, "ART-1001") == amounts(40, reserved=2)
    assert (
        standard_row(client, "ART-1001")["In_stock"] == 38
        and "VERZEND" not in client.admin("GET", "stock")["items"]
    )
    first = state_order(client, number)["lines"][0]["GuLi"]
    line = {"GuLi": first, "@Action": "update", "QuUn": "5", "War": "01"}
    lines = [{"FbSalesLines": {"Element": [{"Fields": line}]}}]
    update = {"FbSales": {"Element": {"Fields": {"OrNu": number}, "Objects": lines}}}
    assert client.put("FbSales", update).status_code == 201
    assert held(client, "ART-1001")["reserved"] == 0 and held(client, "ART-1001", "01")["reserved"] == 5
    assert held(client, "ART-1001", "01")["physical"] == 0  # created by the line, physical 0
    assert client.delete(f"FbSales/FbSales/@OrNu/{number}").status_code == 200
    assert (
        held(client, "ART-1001", "01")["reserved"] == 0 and standard_row(client, "ART-1001")["In_stock"] == 40
    )


def test_a_header_warehouse_delivery_and_the_reserve_rule(client, debtor):
    number = client.created("FbSales", sales_order(debtor, War="01"))["OrNu"]
    assert held(client, "ART-1001", "01")["reserved"] == 2
    client.admin("POST", f"orders/{number}/state", {"state": "delivered"})
    assert held(client, "ART-1001", "01") == amounts(-2)  # delivered: reservation released, physical down
    client.admin("POST", f"orders/{number}/state", {"state": "open"})
    assert held(client, "ART-1001", "01") == amounts(0, reserved=2)
    rules(client, sales_orders_reserve=False)
    client.created("FbSales", sales_order(debtor, "ORD02"))
    assert held(client, "ART-1001")["reserved"] == 0


def test_a_direct_invoice_lowers_physical_stock(client, debtor):
    client.created("FbDirectInvoice", direct_invoice(debtor))
    assert held(client, "ART-1001") == amounts(38)


def test_a_failed_multi_element_write_rolls_back_its_reservations(client, debtor):
    good = sales_order(debtor)["FbSales"]["Element"]
    bad = sales_order(debtor, "BAD", War="99")["FbSales"]["Element"]
    response = client.post("FbSales", {"FbSales": {"Element": [good, bad]}})
    assert client.refusal(response) == "De ingevulde waarde bij 'Magazijn' bestaat niet."
    assert held(client, "ART-1001")["reserved"] == 0


def test_rules_through_the_admin_api_and_back_to_the_configuration_on_reset(client):
    changed = rules(
        client,
        stock_connector="Shop_Voorraad",
        stock_connector_kinds=["free"],
        stock_connector_field_ids={"ItemCode": "Artikel", "StockFree": "Vrij"},
    )
    assert changed["stock_connector_kinds"] == ["free"]
    fields = [f["id"] for f in client.call("GET", "metainfo/get/Shop_Voorraad").json()["fields"]]
    assert fields == ["Artikel", "StockDimCode1", "StockDimCode2", "Warehouse", "UnitId", "Vrij"]
    assert client.get(CUSTOM).status_code == 401
    row = client.rows("Shop_Voorraad", filterfieldids="Artikel", filtervalues="ART-1001", operatortypes="1")
    assert row == [
        {
            "Artikel": "ART-1001",
            "StockDimCode1": None,
            "StockDimCode2": None,
            "Warehouse": "HOOFD",
            "UnitId": "STK",
            "Vrij": 40,
        }
    ]
    stock(client, {"item": "ART-1001", "physical": 1})
    client.admin("POST", "reset")
    assert client.admin("GET", "stock")["rules"]["stock_connector"] == CUSTOM
    assert held(client, "ART-1001")["physical"] == 40


def test_configured_rules_apply_from_the_start():
    config = AfasConfig(stock_connector="Mijn_Voorraad", standard_stock_kind="physical", seeded_stock=0)
    with running_afas(config) as server:
        client = AfasClient(server.url)
        try:
            assert client.get("Mijn_Voorraad").json()["rows"] == []
            stock(client, {"item": "A", "physical": 3, "reserved": 2})
            assert standard_row(client, "A")["In_stock"] == 3
        finally:
            client.close()
    with pytest.raises(ValueError, match="standard_stock_kind"):
        create_app(AfasConfig(standard_stock_kind="virtual"))


def test_generated_stock_is_deterministic_and_fast(client):
    started = time.perf_counter()
    assert stock(client, generate=10_000, seed="s") == 10_000
    assert time.perf_counter() - started < 2
    first = client.admin("GET", "stock")["items"]
    stock(client, generate=10_000, seed="s")
    assert client.admin("GET", "stock")["items"] == first
    assert "GEN-010000" in first and "GEN-010001" not in first
    quantities = [w["HOOFD"]["physical"] for code, w in first.items() if code.startswith("GEN-")]
    assert any(q != int(q) for q in quantities) and any(q == int(q) for q in quantities)
    stock(client, generate=3, seed="other")
    assert [client.admin("GET", "stock")["items"][f"GEN-00000{i}"] for i in (1, 2, 3)] != [
        first[f"GEN-00000{i}"] for i in (1, 2, 3)
    ]


def test_deleting_an_item_s_stock(client, debtor):
    client.created("FbSales", sales_order(debtor))
    assert client.admin("DELETE", "stock/art-1001") == {"deleted": True}
    assert client.admin("DELETE", "stock/ART-1001") == {"deleted": False}
    assert "ART-1001" not in client.admin("GET", "stock")["items"]
    assert client.rows(STANDARD, filterfieldids="Item_code", filtervalues="ART-1001", operatortypes="1") == []


@pytest.mark.parametrize(
    "body",
    [
        {"rows": [{"item": "X", "warehouse": "NERGENS", "physical": 1}]},
        {"rows": [{"item": "X", "physical": "veel"}]},
        {"rows": [{"item": "X", "physical": True}]},
        {"rows": [{"item": "", "physical": 1}]},
        {"rows": [{"item": "X", "colour": "red"}]},
        {"rows": [{"item": "X", "raw": {"Onbekend": 1}}]},
        {"rows": [{"item": "X", "raw": ["In_stock"]}]},
        {"rows": {"item": "X"}},
        {"generate": -1},
        {"generate": "10"},
        {"generate": 2, "warehouses": ["NERGENS"]},
        {"generate": 2, "warehouses": []},
        {"rows": [], "extra": 1},
        [],
    ],
)
def test_bad_stock_is_a_400_and_writes_nothing(client, body):
    before = client.admin("GET", "stock")
    assert (
        admin_status(
            client,
            "POST",
            "stock",
            {"rows": [{"item": "OK", "physical": 1}], **body} if isinstance(body, dict) else body,
        )
        == 400
    )
    assert client.admin("GET", "stock") == before


@pytest.mark.parametrize(
    "change",
    [
        {"colour": "red"},
        {"standard_stock_kind": "virtual"},
        {"stock_connector_has_modified_date": "yes"},
        {"sales_orders_reserve": 1},
        {"stock_connector": "Profit_Debtor"},
        {"stock_connector": "Lightspeed_DirectInvoices"},
        {"stock_connector": "Met.Punt"},
        {"stock_connector_kinds": []},
        {"stock_connector_kinds": ["virtual"]},
        {"stock_connector_kinds": "free"},
        {"stock_connector_field_ids": {"Kleur": "X"}},
        {"stock_connector_field_ids": {"StockFree": "Vrij.Voorraad"}},
        {"stock_connector_field_ids": {"StockFree": "ItemCode"}},
    ],
)
def test_bad_stock_rules_are_a_400(client, change):
    before = client.admin("GET", "stock")["rules"]
    assert admin_status(client, "POST", "stock_rules", change) == 400
    assert client.admin("GET", "stock")["rules"] == before
