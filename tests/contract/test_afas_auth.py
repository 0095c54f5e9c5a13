"""The AFAS emulator's front door over HTTP: token forms, App Connector permissions, metainfo, path casing,
IntegrationId and Connection-header accounting, and the CLI entry point's token output."""

from __future__ import annotations

import base64

import pytest
import requests

from emulators.afas import DEMO_TOKEN_DATA, AfasConfig, AppConnector
from tests.support.afas_fixtures import (
    AFAS_AUTH,
    INTEGRATION,
    TOKEN_XML,
    AfasClient,
    auth_for,
    person_relation,
    running_afas,
)

LIMITED = "FEDCBA9876543210" * 4


@pytest.fixture
def afas():
    config = AfasConfig(
        tokens={
            DEMO_TOKEN_DATA: AppConnector(),
            LIMITED: AppConnector(
                get_connectors=("Profit_Debtor",),
                update_connectors=("KnSalesRelationPer",),
                app_name="Beperkt",
            ),
        }
    )
    with running_afas(config) as server:
        yield server


def metainfo(afas, headers):
    return requests.get(f"{afas.url}/ProfitRestServices/metainfo", headers=headers, timeout=10)


@pytest.mark.parametrize(
    "header",
    [
        f"AfasToken {TOKEN_XML}",  # not base64-encoded (refused since Profit 7)
        f"AfasToken {DEMO_TOKEN_DATA}",  # only the data part, raw
        "AfasToken " + base64.b64encode(DEMO_TOKEN_DATA.encode()).decode(),  # base64 of only the data part
        "Bearer " + AFAS_AUTH["Authorization"].split(" ", 1)[1],  # wrong prefix
        "afastoken " + AFAS_AUTH["Authorization"].split(" ", 1)[1],  # prefix is literal
        "AfasToken !!!not-base64!!!",
        "AfasToken " + base64.b64encode(b"<token><version>1</version><data>ABCD</data></token>").decode(),
        "AfasToken " + base64.b64encode(TOKEN_XML.replace("<version>1", "<version>2").encode()).decode(),
        "",
    ],
)
def test_every_wrong_token_form_is_a_401_with_a_json_body(afas, header):
    response = metainfo(afas, {"Authorization": header} if header else {})
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/json") and response.json()["message"]


def test_the_whole_xml_token_in_base64_is_accepted(afas):
    response = metainfo(afas, AFAS_AUTH)
    assert response.status_code == 200 and response.json()["info"]["envid"] == "O12345AA"


def test_a_token_sees_only_the_connectors_its_app_connector_allows(afas):
    limited = AfasClient(afas.url, {**auth_for(LIMITED), **INTEGRATION})
    try:
        meta = limited.call("GET", "metainfo").json()
        assert [c["id"] for c in meta["getConnectors"]] == ["Profit_Debtor"]
        assert [c["id"] for c in meta["updateConnectors"]] == ["KnSalesRelationPer"]
        assert meta["info"]["appName"] == "Beperkt"
        assert limited.get("Profit_Debtor", orderbyfieldids="DebtorId").status_code == 200
        assert limited.post("KnSalesRelationPer", person_relation()).status_code == 201
        message = limited.refusal(limited.get("Profit_Salesorders"), status=401)
        assert message == "GetConnector niet ondersteund voor deze app of de gebruiker is niet geautoriseerd."
        message = limited.refusal(
            limited.post("FbSales", {"FbSales": {"Element": {"Fields": {}}}}), status=401
        )
        assert "Deze UpdateConnector wordt niet ondersteund of de gebruiker is niet geautoriseerd" in message
        assert limited.call("GET", "metainfo/get/Profit_Salesorders").status_code == 401
        assert limited.call("GET", "metainfo/update/FbSales").status_code == 401
    finally:
        limited.close()


def test_unknown_connectors_are_refused_like_forbidden_ones(client):
    assert client.refusal(client.get("Profit_Secret"), status=401).startswith("GetConnector niet ondersteund")
    assert client.refusal(client.post("KnEmployee", {}), status=401).startswith("General message")
    errors = client.admin("GET", "errors")["errors"]
    assert [e["connector"] for e in errors] == ["Profit_Secret", "KnEmployee"]


def test_metainfo_lists_every_connector_with_the_custom_one(client):
    meta = client.call("GET", "metainfo").json()
    assert [c["id"] for c in meta["updateConnectors"]] == [
        "FbDirectInvoice",
        "FbSales",
        "KnSalesRelationOrg",
        "KnSalesRelationPer",
    ]
    assert [c["id"] for c in meta["getConnectors"]] == [
        "LightspeedAfas_Stock",
        "Lightspeed_DirectInvoices",
        "Profit_Administrations",
        "Profit_Article",
        "Profit_Article_Basic",
        "Profit_Barcode_per_Item",
        "Profit_Debtor",
        "Profit_Journals",
        "Profit_SalesPrice",
        "Profit_SalesorderLines",
        "Profit_Salesorders",
        "Profit_Stock_per_Warehouse",
        "Profit_Warehouses",
    ]
    custom = client.call("GET", "metainfo/get/Lightspeed_DirectInvoices").json()
    assert {
        "InvoiceNumber",
        "OrderNumber",
        "DebtorId",
        "CustomerReference",
        "InvoiceDate",
        "Status",
        "TotalAmount",
    } <= {f["id"] for f in custom["fields"]}
    debtor = {f["id"]: f for f in client.call("GET", "metainfo/get/Profit_Debtor").json()["fields"]}
    assert debtor["Email"]["label"] == "Work e-mail" and debtor["CreateDate"]["dataType"] == "date"


def test_metainfo_update_describes_fields_and_nested_objects_from_the_spec(client):
    meta = client.call("GET", "metainfo/update/KnSalesRelationPer").json()
    assert meta["name"] == "KnSalesRelationPer"
    fields = {f["fieldId"]: f for f in meta["fields"]}
    assert fields["@DbId"]["primaryKey"] and fields["CuId"]["mandatory"] and not fields["CdDa"]["mandatory"]
    person = next(o for o in meta["objects"] if o["name"] == "KnPerson")
    person_fields = {f["fieldId"]: f for f in person["fields"]}
    assert "BcId" not in person_fields  # AFAS: never supply it
    assert [v["id"] for v in person_fields["MatchPer"]["values"]] == [
        "0",
        "1",
        "2",
        "3",
        "4",
        "5",
        "6",
        "7",
        "9",
    ]
    assert {"KnBasicAddressAdr", "KnBasicAddressPad", "KnBankAccount", "KnContact"} <= {
        o["name"] for o in person["objects"]
    }
    lines = next(
        o
        for o in client.call("GET", "metainfo/update/FbSales").json()["objects"]
        if o["name"] == "FbSalesLines"
    )
    assert {f["fieldId"]: f["dataType"] for f in lines["fields"]}["QuUn"] == "decimal"


def test_path_is_case_insensitive_and_unknown_paths_are_404(client):
    assert client.session.get(f"{client.url}/profitrestservices/MetaInfo", timeout=10).status_code == 200
    assert (
        client.session.get(
            f"{client.url}/PROFITRESTSERVICES/connectors/Profit_Debtor", timeout=10
        ).status_code
        == 200
    )
    assert client.session.get(f"{client.url}/OtherServices/metainfo", timeout=10).status_code == 404
    assert client.call("GET", "nothing/here").status_code == 404
    assert client.call("GET", "profitversion").json()["version"]


def test_integration_ids_and_header_violations_are_counted(afas):
    base = f"{afas.url}/ProfitRestServices/metainfo"
    with requests.Session() as session:
        session.get(base, headers={**AFAS_AUTH, "IntegrationId": "12345_678900"}, timeout=10)
        session.get(base, headers={**AFAS_AUTH, "IntegrationId": "12345_678900"}, timeout=10)
        session.get(base, headers={**AFAS_AUTH, "IntegrationId": "99999_1"}, timeout=10)
    requests.get(base, headers={**AFAS_AUTH, "Connection": "close"}, timeout=10)
    calls = requests.get(f"{afas.url}/_admin/calls", timeout=10).json()
    assert calls["integration_ids"] == {"12345_678900": 2, "99999_1": 1, "(none)": 1}
    assert calls["violations"] == {"missing_integration_id": 1, "connection_close": 1}
    assert calls["connection_close"] == 1
    assert calls["calls"]["GET /metainfo"] == 4 and calls["by_status"]["GET /metainfo 200"] == 4
    assert requests.post(f"{afas.url}/_admin/calls/reset", timeout=10).status_code == 200
    assert requests.get(f"{afas.url}/_admin/calls", timeout=10).json()["total"] == 0


def test_the_cli_prints_the_base_url_and_both_token_forms(monkeypatch, capsys):
    import emulators.afas.__main__ as cli

    served = {}
    monkeypatch.setattr(
        cli, "serve_forever", lambda app, host, port: served.update(app=app, host=host, port=port)
    )
    monkeypatch.setattr("sys.argv", ["afas", "--port", "18082", "--env-id", "54321", "--seeded-debtors", "3"])
    cli.main()
    out = capsys.readouterr().out
    assert "http://127.0.0.1:18082/ProfitRestServices" in out and TOKEN_XML in out
    assert AFAS_AUTH["Authorization"] in out
    assert served["host"] == "127.0.0.1" and served["port"] == 18082
    assert len(served["app"].state.emulator.state.debtors) == 3
