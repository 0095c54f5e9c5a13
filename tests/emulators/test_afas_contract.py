"""Contract tests of the AFAS Profit emulator over HTTP: auth, metainfo, GetConnectors, UpdateConnectors,
validation, autonumbering, faults — and AFAS's own example payloads."""

from __future__ import annotations

import base64
import copy
import json
from decimal import Decimal
from pathlib import Path

import pytest
import requests

from tests.emulators.conftest import AFAS_AUTH, TOKEN_XML

EXAMPLES = json.loads((Path(__file__).with_name("afas_examples.json")).read_text(encoding="utf-8"))[
    "examples"
]


def example(prefix: str) -> dict:
    return copy.deepcopy(next(e["body"] for e in EXAMPLES if e["section"].startswith(prefix)))


def person_relation(email="zoe@example.nl", country="NL"):
    return {
        "KnSalesRelationPer": {
            "Element": {
                "Fields": {"CuId": "EUR", "IsDb": True},
                "Objects": [
                    {
                        "KnPerson": {
                            "Element": {
                                "Fields": {
                                    "PadAdr": True,
                                    "AutoNum": True,
                                    "MatchPer": "7",
                                    "SeNm": "HOFF",
                                    "LaNm": "Hoff",
                                    "EmAd": email,
                                },
                                "Objects": [
                                    {
                                        "KnBasicAddressAdr": {
                                            "Element": {
                                                "Fields": {
                                                    "CoId": country,
                                                    "PbAd": False,
                                                    "Ad": "Kerkstraat",
                                                    "HmNr": 12,
                                                    "ZpCd": "1017 GC",
                                                    "Rs": "Amsterdam",
                                                    "ResZip": False,
                                                }
                                            }
                                        }
                                    }
                                ],
                            }
                        }
                    }
                ],
            }
        }
    }


def sales_order(debtor, reference="ORD01", incl=True, lines=None):
    lines = lines or [
        {"VaIt": "2", "ItCd": "ART-1001", "BiUn": "STK", "QuUn": "2", "Upri": "8.95", "VaRc": "2"},
        {"VaIt": "6", "ItCd": "VERZEND", "BiUn": "*****", "QuUn": "1", "Upri": "4.95", "VaRc": "1"},
    ]
    return {
        "FbSales": {
            "Element": {
                "Fields": {
                    "DbId": debtor,
                    "OrDa": "2026-11-20",
                    "RfCs": reference,
                    "Unit": 1,
                    "InVa": incl,
                    "JoCo": "VK",
                },
                "Objects": [{"FbSalesLines": {"Element": [{"Fields": f} for f in lines]}}],
            }
        }
    }


def new_debtor(client, email="zoe@example.nl") -> str:
    response = client.post("KnSalesRelationPer", person_relation(email))
    assert response.status_code == 201, response.text
    return response.json()["results"]["KnSalesRelationPer"]["DbId"]


# -- auth -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        f"AfasToken {TOKEN_XML}",  # not encoded
        "AfasToken "
        + base64.b64encode(TOKEN_XML.split("<data>")[1].split("</data>")[0].encode()).decode(),  # data only
        "Bearer " + AFAS_AUTH["Authorization"].split(" ")[1],
        "AfasToken !!!not-base64!!!",
        "AfasToken " + base64.b64encode(b"<token><version>1</version><data>WRONG</data></token>").decode(),
        "",
    ],
)
def test_every_wrong_token_form_is_a_401(afas, header):
    response = requests.get(
        f"{afas.url}/ProfitRestServices/metainfo", headers={"Authorization": header}, timeout=10
    )
    assert response.status_code == 401


def test_metainfo_lists_connectors_and_the_environment(afas_client):
    body = afas_client.session.get(f"{afas_client.base}/metainfo", timeout=10).json()
    assert {"FbSales", "KnSalesRelationPer"} <= {c["id"] for c in body["updateConnectors"]}
    assert {"Profit_Debtor", "Profit_Salesorders", "Profit_SalesorderLines"} <= {
        c["id"] for c in body["getConnectors"]
    }
    assert body["info"]["envid"] == "O12345AA"
    fields = afas_client.session.get(f"{afas_client.base}/metainfo/get/Profit_Debtor", timeout=10).json()[
        "fields"
    ]
    assert "Email" in {f["id"] for f in fields}
    assert (
        afas_client.session.get(f"{afas_client.base}/MetaInfo/update/FbSales", timeout=10).status_code == 200
    )


def test_path_is_case_insensitive_and_integration_id_is_counted(afas):
    headers = {**AFAS_AUTH, "IntegrationId": "12345_678900"}
    assert (
        requests.get(f"{afas.url}/profitrestservices/metainfo", headers=headers, timeout=10).status_code
        == 200
    )
    assert requests.get(f"{afas.url}/_admin/calls", timeout=10).json()["integration_ids"] == {
        "12345_678900": 1
    }


# -- official example payloads ----------------------------------------------------------------------


def seed_for_examples(afas):
    requests.put(
        f"{afas.url}/_admin/catalogue",
        json={
            "items": {
                "1000": {"type": "2", "units": ["stk", "STK"]},
                "1001": {"type": "2", "units": ["stk"]},
                "1006": {"type": "2", "units": ["STK"]},
                "D012": {"type": "6", "units": ["*****"]},
                "xxxxx": {"type": "2", "units": ["Stk"]},
                "xxxxx-xxx": {"type": "2", "units": ["Stk"]},
            },
            "warehouses": ["*** - ******"],
            "journals": {"1": {"20": {"description": "Verkoop", "type": "V"}}},
            "projects": ["600000"],
        },
        timeout=10,
    ).raise_for_status()
    requests.post(
        f"{afas.url}/_admin/debtors",
        json={"debtors": [{"debtor_id": d} for d in ("10001", "10150", "10178", "25000", "10205")]},
        timeout=10,
    ).raise_for_status()


@pytest.mark.parametrize(
    "section",
    ["7.1 ", "7.2 ", "7.6b", "7.11", "7.12", "7.17", "7.18", "7.19"],
)
def test_official_insert_examples_are_accepted(afas, afas_client, section):
    seed_for_examples(afas)
    body = example(section)
    connector = next(iter(body))
    response = afas_client.post(connector, body)
    assert response.status_code == 201, response.text
    keys = response.json()["results"][connector]
    assert keys.get("OrNu") or keys.get("DbId")


def test_official_examples_that_link_an_existing_person_are_accepted(afas, afas_client):
    seed_for_examples(afas)
    for section in ("7.3 ", "7.4 "):
        body = example(section)
        assert afas_client.post("KnSalesRelationPer", body).status_code == 201


def test_official_example_with_an_order_number_is_refused_because_autonumbering_is_on(afas, afas_client):
    seed_for_examples(afas)
    response = afas_client.post("FbSales", example("7.13"))
    assert response.status_code == 500
    assert "autonummering" in response.json()["externalMessage"]


def test_official_put_examples_update_an_existing_order_and_relation(afas, afas_client):
    seed_for_examples(afas)
    number = afas_client.post("FbSales", example("7.12")).json()["results"]["FbSales"]["OrNu"]
    for section in ("7.15", "7.16"):
        body = example(section)
        body["FbSales"]["Element"]["Fields"]["OrNu"] = number
        assert afas_client.put("FbSales", body).status_code == 201
    state = requests.get(f"{afas.url}/_admin/state", timeout=10).json()
    order = next(o for o in state["orders"] if o["OrNu"] == number)
    assert order["fields"]["RfCs"] == "update kop - referentie" and len(order["lines"]) == 3
    body = example("7.5 ")
    body["KnSalesRelationPer"]["Element"]["@DbId"] = "10001"
    assert afas_client.put("KnSalesRelationPer", body).status_code == 201


# -- UpdateConnector validation ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda b: b["FbSales"]["Element"]["Fields"].update(Bogus="x"), "bestaat niet"),
        (
            lambda b: b["FbSales"]["Element"]["Objects"][0]["FbSalesLines"]["Element"][0]["Fields"].update(
                QuUn="2,5"
            ),
            "juiste type",
        ),
        (lambda b: b["FbSales"]["Element"]["Fields"].update(RfCs="x" * 101), "te lang"),
        (
            lambda b: b["FbSales"]["Element"]["Objects"][0]["FbSalesLines"]["Element"][0]["Fields"].pop(
                "ItCd"
            ),
            "verplicht",
        ),
        (lambda b: b["FbSales"]["Element"]["Fields"].update(DbId="99999"), "Verkooprelatie"),
        (
            lambda b: b["FbSales"]["Element"]["Objects"][0]["FbSalesLines"]["Element"][0]["Fields"].update(
                ItCd="NOPE"
            ),
            "Itemcode",
        ),
        (
            lambda b: b["FbSales"]["Element"]["Objects"][0]["FbSalesLines"]["Element"][0]["Fields"].update(
                BiUn="DOOS"
            ),
            "Eenheid",
        ),
        (lambda b: b["FbSales"]["Element"]["Fields"].update(Unit=7), "Administratie"),
        (lambda b: b["FbSales"]["Element"]["Fields"].update(JoCo="XX"), "Dagboek"),
        (lambda b: b["FbSales"]["Element"]["Fields"].update(PrId="NOPE"), "Project"),
        (lambda b: b["FbSales"]["Element"]["Fields"].update(OrDa="20-11-2026"), "juiste type"),
        (
            lambda b: b["FbSales"]["Element"]["Objects"][0]["FbSalesLines"]["Element"][0]["Fields"].update(
                VaRc="9"
            ),
            "Btw",
        ),
    ],
)
def test_invalid_sales_orders_are_refused_like_afas(afas_client, mutate, message):
    body = sales_order(new_debtor(afas_client))
    mutate(body)
    response = afas_client.post("FbSales", body)
    assert response.status_code == 500
    error = response.json()
    assert message in error["externalMessage"]
    assert isinstance(error["errorNumber"], int) and len(error["profitLogReference"]) == 32


def test_address_needs_an_afas_country_code_not_an_iso_one(afas_client):
    assert afas_client.post("KnSalesRelationPer", person_relation(country="B")).status_code == 201
    response = afas_client.post("KnSalesRelationPer", person_relation(country="BE"))
    assert response.status_code == 500 and "Land" in response.json()["externalMessage"]


def test_invalid_json_is_a_400(afas_client):
    response = afas_client.session.post(f"{afas_client.base}/connectors/FbSales", data=b"{nope", timeout=10)
    assert response.status_code == 400 and response.json() == {"message": "Invalid json"}


def test_relation_is_autonumbered_and_found_by_work_email(afas_client):
    first, second = new_debtor(afas_client, "a@example.nl"), new_debtor(afas_client, "b@example.nl")
    assert first != second and first.isdigit()
    rows = afas_client.get(
        "Profit_Debtor",
        filterfieldids="Email",
        filtervalues="A@EXAMPLE.NL",
        operatortypes="1",
        orderbyfieldids="DebtorId",
    ).json()["rows"]
    assert [r["DebtorId"] for r in rows] == [first]


# -- sales orders -----------------------------------------------------------------------------------


def test_order_is_autonumbered_and_totals_are_computed_to_the_cent(afas_client):
    debtor = new_debtor(afas_client)
    number = afas_client.post("FbSales", sales_order(debtor)).json()["results"]["FbSales"]["OrNu"]
    (row,) = afas_client.get(
        "Profit_Salesorders",
        filterfieldids="CustomerReference",
        filtervalues="ORD01",
        operatortypes="1",
        orderbyfieldids="OrderNumber",
    ).json()["rows"]
    assert row["OrderNumber"] == number and row["DebtorId"] == debtor and row["Status"] == "Open"
    assert Decimal(str(row["TotalAmount"])) == Decimal("22.85")
    assert Decimal(str(row["VAT"])) == Decimal("1.48") + Decimal("0.86")


def test_prices_excluding_vat_get_vat_added_per_line(afas_client):
    debtor = new_debtor(afas_client)
    afas_client.post("FbSales", sales_order(debtor, "EXCL", incl=False)).raise_for_status()
    (row,) = afas_client.get(
        "Profit_Salesorders",
        filterfieldids="CustomerReference",
        filtervalues="EXCL",
        operatortypes="1",
        orderbyfieldids="OrderNumber",
    ).json()["rows"]
    assert Decimal(str(row["TotalAmount"])) == Decimal("19.51") + Decimal("5.99")


def test_put_updates_deletes_and_inserts_lines_by_guid(afas, afas_client):
    number = afas_client.post("FbSales", sales_order(new_debtor(afas_client))).json()["results"]["FbSales"][
        "OrNu"
    ]
    lines = afas_client.get(
        "Profit_SalesorderLines",
        filterfieldids="OrderNumber",
        filtervalues=number,
        operatortypes="1",
        orderbyfieldids="SeqNo",
    ).json()["rows"]
    guids = [ln["LineGuid"] for ln in lines]
    assert len(guids) == 2 and all(g.startswith("{") and g.endswith("}") for g in guids)
    put = {
        "FbSales": {
            "Element": {
                "Fields": {"OrNu": number, "RfCs": "ORD01-b"},
                "Objects": [
                    {
                        "FbSalesLines": {
                            "Element": [
                                {"Fields": {"GuLi": guids[0], "@Action": "update", "QuUn": "3"}},
                                {"Fields": {"GuLi": guids[1], "@Action": "delete"}},
                                {
                                    "Fields": {
                                        "@Action": "insert",
                                        "VaIt": "2",
                                        "ItCd": "ART-2001",
                                        "BiUn": "STK",
                                        "QuUn": "1",
                                        "Upri": "12.50",
                                        "VaRc": "1",
                                    }
                                },
                            ]
                        }
                    }
                ],
            }
        }
    }
    assert afas_client.put("FbSales", put).status_code == 201
    order = next(
        o
        for o in requests.get(f"{afas.url}/_admin/state", timeout=10).json()["orders"]
        if o["OrNu"] == number
    )
    assert order["fields"]["RfCs"] == "ORD01-b"
    assert [(ln["ItCd"], ln["QuUn"]) for ln in order["lines"]] == [("ART-1001", "3"), ("ART-2001", "1")]


def test_a_processed_order_cannot_be_changed_or_deleted(afas, afas_client):
    number = afas_client.post("FbSales", sales_order(new_debtor(afas_client))).json()["results"]["FbSales"][
        "OrNu"
    ]
    requests.post(
        f"{afas.url}/_admin/orders/{number}/state", json={"state": "delivered"}, timeout=10
    ).raise_for_status()
    response = afas_client.put("FbSales", {"FbSales": {"Element": {"Fields": {"OrNu": number, "RfCs": "x"}}}})
    assert response.status_code == 500 and "geleverd" in response.json()["externalMessage"]
    delete = afas_client.session.delete(
        f"{afas_client.base}/connectors/FbSales/FbSales/@OrNu/{number}", timeout=10
    )
    assert delete.status_code == 500
    (row,) = afas_client.get(
        "Profit_Salesorders",
        filterfieldids="OrderNumber",
        filtervalues=number,
        operatortypes="1",
        orderbyfieldids="OrderNumber",
    ).json()["rows"]
    assert row["Status"] == "Geleverd"


@pytest.mark.parametrize("path_key", ["@OrNu", "OrNu"])
def test_delete_accepts_both_documented_path_forms(afas_client, path_key):
    number = afas_client.post("FbSales", sales_order(new_debtor(afas_client))).json()["results"]["FbSales"][
        "OrNu"
    ]
    response = afas_client.session.delete(
        f"{afas_client.base}/connectors/FbSales/FbSales/{path_key}/{number}", timeout=10
    )
    assert response.status_code == 200
    assert (
        afas_client.get(
            "Profit_Salesorders",
            filterfieldids="OrderNumber",
            filtervalues=number,
            operatortypes="1",
            orderbyfieldids="OrderNumber",
        ).json()["rows"]
        == []
    )


def test_direct_invoice_shows_in_the_custom_connector_only(afas_client):
    debtor = new_debtor(afas_client)
    body = sales_order(debtor, "DI-1")
    body = {"FbDirectInvoice": body["FbSales"]}
    body["FbDirectInvoice"]["Element"]["Objects"] = [
        {"FbDirectInvoiceLines": body["FbDirectInvoice"]["Element"]["Objects"][0]["FbSalesLines"]}
    ]
    keys = afas_client.post("FbDirectInvoice", body).json()["results"]["FbDirectInvoice"]
    assert keys["OrNu"] and keys["Liln"]
    assert (
        afas_client.get(
            "Profit_Salesorders",
            filterfieldids="CustomerReference",
            filtervalues="DI-1",
            operatortypes="1",
            orderbyfieldids="OrderNumber",
        ).json()["rows"]
        == []
    )
    (row,) = afas_client.get(
        "Lightspeed_DirectInvoices",
        filterfieldids="CustomerReference",
        filtervalues="DI-1",
        operatortypes="1",
        orderbyfieldids="OrderNumber",
    ).json()["rows"]
    assert row["Status"] == "Gefactureerd" and row["InvoiceNumber"] == keys["Liln"]


# -- GetConnector filters ---------------------------------------------------------------------------


@pytest.fixture
def three_debtors(afas_client):
    return [
        new_debtor(afas_client, e) for e in ("jan+shop@example.nl", "piet@example.nl", "a,b;c@example.nl")
    ]


def debtor_ids(afas_client, **params):
    response = afas_client.get("Profit_Debtor", orderbyfieldids="DebtorId", **params)
    assert response.status_code == 200, response.text
    return [r["DebtorId"] for r in response.json()["rows"]]


def test_and_or_filters(afas_client, three_debtors):
    a, b, _ = three_debtors
    assert debtor_ids(
        afas_client,
        filterfieldids="Email;Email",
        filtervalues="jan+shop@example.nl;piet@example.nl",
        operatortypes="1;1",
    ) == [a, b]
    assert (
        debtor_ids(
            afas_client,
            filterfieldids="Email,DebtorId",
            filtervalues=f"piet@example.nl,{a}",
            operatortypes="1,1",
        )
        == []
    )
    assert debtor_ids(afas_client, filterfieldids="Email", filtervalues="PIET", operatortypes="10") == [b]
    assert (
        debtor_ids(afas_client, filterfieldids="Email", filtervalues="example", operatortypes="6")
        == three_debtors
    )
    assert (
        debtor_ids(afas_client, filterfieldids="VatNr", filtervalues="", operatortypes="8") == three_debtors
    )
    assert (
        debtor_ids(afas_client, filterfieldids="Email", filtervalues="", operatortypes="9") == three_debtors
    )
    assert (
        debtor_ids(afas_client, filterfieldids="DebtorId", filtervalues=a, operatortypes="4")
        == three_debtors[1:]
    )


def test_filterjson_carries_values_with_separators(afas_client, three_debtors):
    document = {
        "Filters": {
            "Filter": [
                {
                    "@FilterId": "Filter 1",
                    "Field": [{"@FieldId": "Email", "@OperatorType": "1", "#text": "a,b;c@example.nl"}],
                }
            ]
        }
    }
    assert debtor_ids(afas_client, filterjson=json.dumps(document)) == [three_debtors[2]]


def test_mismatched_filter_lists_and_unknown_fields_are_errors(afas_client, three_debtors):
    assert (
        afas_client.get(
            "Profit_Debtor", filterfieldids="Email;Email", filtervalues="x", operatortypes="1;1"
        ).status_code
        == 500
    )
    response = afas_client.get("Profit_Debtor", filterfieldids="Mail", filtervalues="x", operatortypes="1")
    assert (
        response.status_code == 500
        and response.json()["externalMessage"] == "Connector-veld 'Mail' niet gevonden"
    )
    assert afas_client.get("Profit_Debtor", orderbyfieldids="Nope").status_code == 500


def test_paging_with_sort_and_the_documented_skip_take_rules(afas_client, three_debtors):
    assert debtor_ids(afas_client, skip="0", take="2") == three_debtors[:2]
    assert debtor_ids(afas_client, skip="2", take="2") == three_debtors[2:]
    descending = afas_client.get("Profit_Debtor", orderbyfieldids="-DebtorId", skip="0", take="100").json()[
        "rows"
    ]
    assert [r["DebtorId"] for r in descending] == list(reversed(three_debtors))
    response = afas_client.get("Profit_Debtor", skip="2", take="-1", orderbyfieldids="DebtorId")
    assert (
        response.status_code == 500
        and response.json()["externalMessage"] == "Er is een onverwachte fout opgetreden."
    )


def test_a_query_string_over_2049_characters_is_a_404(afas_client):
    assert (
        afas_client.get(
            "Profit_Debtor", filterfieldids="Email", filtervalues="x" * 2100, operatortypes="1"
        ).status_code
        == 404
    )


def test_connector_outside_the_token_is_refused(afas_client):
    response = afas_client.get("Profit_Secret")
    assert response.status_code == 401 and "niet ondersteund" in response.json()["externalMessage"]


# -- faults -----------------------------------------------------------------------------------------


def test_503_maintenance_with_retry_after(afas, afas_client):
    requests.post(
        f"{afas.url}/_admin/faults", json={"unavailable": {"count": 1, "retry_after": 30}}, timeout=10
    )
    response = afas_client.get("Profit_Debtor", orderbyfieldids="DebtorId")
    assert response.status_code == 503 and response.json()["retry_after"] == 30
    assert afas_client.get("Profit_Debtor", orderbyfieldids="DebtorId").status_code == 200


def test_commit_then_drop_applies_the_write_but_the_client_gets_no_answer(afas, afas_client):
    debtor = new_debtor(afas_client)
    requests.post(
        f"{afas.url}/_admin/faults",
        json={"drop_after_commit": {"count": 1, "connector": "FbSales"}},
        timeout=10,
    )
    with pytest.raises(requests.exceptions.RequestException):
        afas_client.post("FbSales", sales_order(debtor, "DROP-1"))
    rows = afas_client.get(
        "Profit_Salesorders",
        filterfieldids="CustomerReference",
        filtervalues="DROP-1",
        operatortypes="1",
        orderbyfieldids="OrderNumber",
    ).json()["rows"]
    assert len(rows) == 1


def test_commit_then_hang_outlasts_a_client_timeout(afas, afas_client):
    debtor = new_debtor(afas_client)
    requests.post(
        f"{afas.url}/_admin/faults", json={"hang_after_commit": {"count": 1, "seconds": 2}}, timeout=10
    )
    with pytest.raises(requests.exceptions.ReadTimeout):
        afas_client.session.post(
            f"{afas_client.base}/connectors/FbSales", json=sales_order(debtor, "HANG-1"), timeout=0.5
        )
    rows = afas_client.get(
        "Profit_Salesorders",
        filterfieldids="CustomerReference",
        filtervalues="HANG-1",
        operatortypes="1",
        orderbyfieldids="OrderNumber",
    ).json()["rows"]
    assert len(rows) == 1


def test_more_than_eight_calls_in_flight_are_refused_and_counted(afas):
    from concurrent.futures import ThreadPoolExecutor

    requests.post(f"{afas.url}/_admin/faults", json={"latency_ms": 300}, timeout=10)

    def call(_):
        return requests.get(
            f"{afas.url}/ProfitRestServices/metainfo", headers=AFAS_AUTH, timeout=10
        ).status_code

    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(call, range(12)))
    assert statuses.count(500) >= 1 and statuses.count(200) >= 8
    assert requests.get(f"{afas.url}/_admin/calls", timeout=10).json()["max_in_flight"] > 8


def test_errors_are_kept_in_the_environment_log(afas, afas_client):
    response = afas_client.post("FbSales", sales_order("424242"))
    reference = response.json()["profitLogReference"]
    log = requests.get(f"{afas.url}/_admin/errors", timeout=10).json()["errors"]
    assert [e["profitLogReference"] for e in log] == [reference]


def test_schema_json_is_what_the_generator_makes_from_the_official_specs():
    import sys

    specs = Path(__file__).resolve().parents[3] / "shared" / "reference" / "afas-openapi"
    if not specs.exists():
        pytest.skip(f"AFAS's OpenAPI specs are not at {specs}; schema.json is checked where they are")
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
    from gen_afas_schema import OUT, render

    assert OUT.read_text(encoding="utf-8") == render(specs)
