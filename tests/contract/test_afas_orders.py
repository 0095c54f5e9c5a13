"""Sales orders and direct invoices over HTTP: autonumbering, line GUIDs, PUT with @Action, the sub-object
URL, processing states, both DELETE path forms, totals to the cent, and the custom invoice connector."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from emulators.afas import AfasConfig
from tests.support.afas_fixtures import (
    AfasClient,
    direct_invoice,
    order_lines,
    order_row,
    person_relation,
    running_afas,
    sales_order,
    state_order,
)

GUID = re.compile(r"\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}")


@pytest.fixture
def debtor(client):
    return client.created("KnSalesRelationPer", person_relation())["DbId"]


def money(value) -> Decimal:
    return Decimal(str(value))


def put_lines(number, *lines, **header):
    element = {"Fields": {"OrNu": number, **header}}
    if lines:
        element["Objects"] = [{"FbSalesLines": {"Element": [{"Fields": f} for f in lines]}}]
    return {"FbSales": {"Element": element}}


def test_orders_are_autonumbered_and_an_order_number_is_refused(client, debtor):
    first = client.created("FbSales", sales_order(debtor, "A"))
    second = client.created("FbSales", sales_order(debtor, "B"))
    assert (first, second) == ({"OrNu": "60000001"}, {"OrNu": "60000002"})
    message = client.refusal(client.post("FbSales", sales_order(debtor, "C", OrNu="60009999")))
    assert "autonummering" in message and "niet toegestaan" in message
    assert [
        r["CustomerReference"] for r in client.rows("Profit_Salesorders", orderbyfieldids="OrderNumber")
    ] == ["A", "B"]


def test_lines_get_profit_style_guids(client, debtor):
    number = client.created("FbSales", sales_order(debtor))["OrNu"]
    lines = order_lines(client, number)
    assert [ln["SeqNo"] for ln in lines] == [1, 2]
    assert all(GUID.fullmatch(ln["LineGuid"]) for ln in lines) and len({ln["LineGuid"] for ln in lines}) == 2
    assert [ln["LineGuid"] for ln in lines] == [ln["GuLi"] for ln in state_order(client, number)["lines"]]


def test_guids_are_reproducible_for_a_seed():
    def guids(seed):
        with running_afas(AfasConfig(seed=seed)) as server:
            c = AfasClient(server.url)
            try:
                debtor = c.created("KnSalesRelationPer", person_relation())["DbId"]
                return [
                    ln["LineGuid"] for ln in order_lines(c, c.created("FbSales", sales_order(debtor))["OrNu"])
                ]
            finally:
                c.close()

    assert guids(1) == guids(1) != guids(2)


def test_totals_with_prices_including_vat(client, debtor):
    number = client.created("FbSales", sales_order(debtor, "INCL", incl=True))["OrNu"]
    row = order_row(client, "INCL")
    assert row["OrderNumber"] == number and row["DebtorId"] == debtor and row["Status"] == "Open"
    assert row["Ordersoort"] == "Verkooporder" and row["OrderDate"] == "2026-11-20T00:00:00Z"
    # 2 x 8.95 at 9 %: VAT 17.90 - 16.42 = 1.48; 4.95 at 21 %: VAT 4.95 - 4.09 = 0.86
    assert (money(row["TotalAmount"]), money(row["VAT"]), money(row["Gross"])) == (
        Decimal("22.85"),
        Decimal("2.34"),
        Decimal("20.51"),
    )
    assert (
        money(row["InvoiceTotal"]) == Decimal("22.85")
        and money(row["Quantity"]) == 3
        and money(row["Discount"]) == 0
    )
    lines = order_lines(client, number)
    assert [(money(ln["PricePerUnit"]), money(ln["AmtTotal"])) for ln in lines] == [
        (Decimal("8.95"), Decimal("17.90")),
        (Decimal("4.95"), Decimal("4.95")),
    ]


def test_totals_with_prices_excluding_vat(client, debtor):
    client.created("FbSales", sales_order(debtor, "EXCL", incl=False))
    row = order_row(client, "EXCL")
    # 17.90 + 1.61 (1.611) and 4.95 + 1.04 (1.0395)
    assert (money(row["TotalAmount"]), money(row["VAT"]), money(row["Gross"])) == (
        Decimal("25.50"),
        Decimal("2.65"),
        Decimal("22.85"),
    )


def test_line_discounts_and_half_up_rounding(client, debtor):
    lines = [
        {
            "VaIt": "2",
            "ItCd": "ART-2001",
            "BiUn": "STK",
            "QuUn": "3",
            "Upri": "10.00",
            "VaRc": "1",
            "PRDc": "10",
        },
        {
            "VaIt": "2",
            "ItCd": "ART-2002",
            "BiUn": "STK",
            "QuUn": "2",
            "Upri": "15.00",
            "VaRc": "1",
            "ARDc": "2.50",
        },
        {"VaIt": "2", "ItCd": "ART-1003", "BiUn": "STK", "QuUn": "1", "Upri": "0.50", "VaRc": "2"},
    ]
    number = client.created("FbSales", sales_order(debtor, "DISC", incl=False, lines=lines))["OrNu"]
    rows = order_lines(client, number)
    assert [(money(r["AmtRowDiscount"]), money(r["AmtTotal"]), money(r["PriceNet"])) for r in rows] == [
        (Decimal("3.00"), Decimal("27.00"), Decimal("9.00")),
        (Decimal("2.50"), Decimal("27.50"), Decimal("13.75")),
        (Decimal("0"), Decimal("0.50"), Decimal("0.50")),
    ]
    row = order_row(client, "DISC")
    # VAT 5.67 + 5.775 -> 5.78 + 0.045 -> 0.05 (half-up, not to even)
    assert (money(row["Discount"]), money(row["VAT"]), money(row["TotalAmount"])) == (
        Decimal("5.50"),
        Decimal("11.50"),
        Decimal("66.50"),
    )


def test_a_line_without_price_or_vat_code_takes_the_item_s(client, debtor):
    lines = [
        {"VaIt": "2", "ItCd": "ART-2001", "BiUn": "STK", "QuUn": "1"}
    ]  # 12.50 incl. 21 % in the demo catalogue
    number = client.created("FbSales", sales_order(debtor, "LIST", incl=True, lines=lines))["OrNu"]
    (line,) = order_lines(client, number)
    assert money(line["PricePerUnit"]) == Decimal("12.50") and line["Description"] == "Koffiemok wit 350 ml"
    assert state_order(client, number)["lines"][0]["VaRc"] == "1"


def test_put_updates_the_header_and_updates_deletes_and_inserts_lines(client, debtor):
    number = client.created("FbSales", sales_order(debtor))["OrNu"]
    first, second = (ln["LineGuid"] for ln in order_lines(client, number))
    body = put_lines(
        number,
        {"GuLi": first, "@Action": "update", "QuUn": "3"},
        {"GuLi": second, "@Action": "delete"},
        {
            "@Action": "insert",
            "VaIt": "2",
            "ItCd": "ART-2001",
            "BiUn": "STK",
            "QuUn": "1",
            "Upri": "12.50",
            "VaRc": "1",
        },
        {"VaIt": "6", "ItCd": "KORTING", "BiUn": "*****", "QuUn": "1", "Upri": "-2.00", "VaRc": "1"},
        RfCs="ORD01-b",
        Re="",
    )
    response = client.put("FbSales", body)
    assert response.status_code == 201 and response.json() == {"results": {"FbSales": {"OrNu": number}}}
    order = state_order(client, number)
    assert order["fields"]["RfCs"] == "ORD01-b"
    assert [(ln["ItCd"], ln["QuUn"], ln["seq"]) for ln in order["lines"]] == [
        ("ART-1001", "3", 1),
        ("ART-2001", "1", 3),
        ("KORTING", "1", 4),
    ]
    assert order["lines"][0]["GuLi"] == first and GUID.fullmatch(order["lines"][1]["GuLi"])
    row = order_row(client, "ORD01-b")
    assert money(row["TotalAmount"]) == Decimal("26.85") + Decimal("12.50") - Decimal("2.00")


def test_put_line_refusals(client, debtor):
    number = client.created("FbSales", sales_order(debtor))["OrNu"]
    (first, _) = (ln["LineGuid"] for ln in order_lines(client, number))
    unknown = "{00000000-0000-4000-8000-000000000000}"
    assert (
        client.refusal(client.put("FbSales", put_lines(number, {"GuLi": unknown, "QuUn": "1"})))
        == "De ingevulde waarde bij 'GUID regel' bestaat niet."
    )
    assert "(GuLi) verplicht" in client.refusal(
        client.put("FbSales", put_lines(number, {"@Action": "delete"}))
    )
    assert "verplicht" in client.refusal(
        client.put("FbSales", put_lines(number, {"@Action": "insert", "ItCd": "ART-2001"}))
    )
    assert "GUID regel" in client.refusal(client.put("FbSales", put_lines(number, {"GuLi": "geen-guid"})))
    assert "Artikel" in client.refusal(
        client.put("FbSales", put_lines(number, {"GuLi": first, "ItCd": "NOPE"}))
    )
    assert (
        client.refusal(client.put("FbSales", put_lines("60009999")))
        == "De ingevulde waarde bij 'Nummer' bestaat niet."
    )
    assert "(OrNu) in 'FbSales' is verplicht" in client.refusal(
        client.put("FbSales", {"FbSales": {"Element": {"Fields": {"RfCs": "x"}}}})
    )
    assert "leeggemaakt" in client.refusal(client.put("FbSales", put_lines(number, DbId="")))
    assert [ln["LineGuid"] for ln in order_lines(client, number)][0] == first  # nothing changed


def test_lines_can_be_added_through_the_sub_object_url(client, debtor):
    number = client.created("FbSales", sales_order(debtor))["OrNu"]
    body = put_lines(number, {"VaIt": "2", "ItCd": "ART-1002", "BiUn": "STK", "QuUn": "1", "Upri": "29.95"})
    response = client.post("FbSales/FbSalesLines", body)
    assert response.status_code == 201 and response.json() == {"results": {"FbSales": {"OrNu": number}}}
    assert [ln["ItemCodeId"] for ln in order_lines(client, number)] == ["ART-1001", "VERZEND", "ART-1002"]
    update = put_lines(
        number, {"GuLi": order_lines(client, number)[0]["LineGuid"], "@Action": "update", "QuUn": "5"}
    )
    assert "alleen worden toegevoegd" in client.refusal(client.post("FbSales/FbSalesLines", update))
    assert client.post("FbSales/FbSalesRegels", body).status_code == 404


@pytest.mark.parametrize(("state", "word"), [("delivered", "geleverd"), ("invoiced", "gefactureerd")])
def test_a_processed_order_cannot_be_changed_or_deleted(client, debtor, state, word):
    number = client.created("FbSales", sales_order(debtor))["OrNu"]
    assert client.admin("POST", f"orders/{number}/state", {"state": state})["status"] == word.capitalize()
    message = client.refusal(client.put("FbSales", put_lines(number, RfCs="x")))
    assert message == f"Verkooporder {number} is {word} en kan niet meer worden gewijzigd."
    assert client.refusal(client.delete(f"FbSales/FbSales/@OrNu/{number}")).endswith(
        "kan niet meer worden verwijderd."
    )
    assert order_row(client, "ORD01")["Status"] == word.capitalize()
    assert {ln["LineStatusCode"] for ln in order_lines(client, number)} == {
        "1" if state == "delivered" else "2"
    }
    client.admin("POST", f"orders/{number}/state", {"state": "open"})
    assert client.put("FbSales", put_lines(number, RfCs="x")).status_code == 201


def test_the_admin_state_endpoint_rejects_unknown_orders_and_states(client, debtor):
    number = client.created("FbSales", sales_order(debtor))["OrNu"]
    assert (
        client.session.post(
            f"{client.url}/_admin/orders/1/state", json={"state": "open"}, timeout=10
        ).status_code
        == 404
    )
    assert (
        client.session.post(
            f"{client.url}/_admin/orders/{number}/state", json={"state": "kwijt"}, timeout=10
        ).status_code
        == 400
    )


@pytest.mark.parametrize("key", ["@OrNu", "OrNu"])
def test_delete_accepts_both_documented_path_forms(client, debtor, key):
    number = client.created("FbSales", sales_order(debtor))["OrNu"]
    response = client.delete(f"FbSales/FbSales/{key}/{number}")
    assert response.status_code == 200 and response.json() == {}
    assert client.rows("Profit_Salesorders", orderbyfieldids="OrderNumber") == []
    assert (
        client.refusal(client.delete(f"FbSales/FbSales/{key}/{number}"))
        == "De ingevulde waarde bij 'Nummer' bestaat niet."
    )
    assert client.delete(f"FbSales/FbSales/Nummer/{number}").status_code == 404
    assert "niet mogelijk" in client.refusal(
        client.delete(f"KnSalesRelationPer/KnSalesRelationPer/@OrNu/{number}")
    )


def test_direct_invoices_show_in_the_custom_connector_only(client, debtor):
    keys = client.created("FbDirectInvoice", direct_invoice(debtor, "DI-1"))
    assert keys == {"OrNu": "70000001", "Liln": "80000001"}
    assert client.rows("Profit_Salesorders", orderbyfieldids="OrderNumber") == []
    assert client.rows("Profit_SalesorderLines", orderbyfieldids="OrderNumber") == []
    (row,) = client.rows(
        "Lightspeed_DirectInvoices",
        filterfieldids="CustomerReference",
        filtervalues="DI-1",
        operatortypes="1",
        orderbyfieldids="InvoiceNumber",
    )
    assert (
        row["InvoiceNumber"] == "80000001" and row["OrderNumber"] == "70000001" and row["DebtorId"] == debtor
    )
    assert (
        row["Status"] == "Gefactureerd"
        and money(row["TotalAmount"]) == Decimal("22.85")
        and row["InvoiceDate"] == "2026-11-20T00:00:00Z"
    )
    assert client.admin("GET", "state")["invoices"][0]["invoice_number"] == "80000001"
    assert "kan niet meer worden gewijzigd" in client.refusal(
        client.put(
            "FbDirectInvoice", {"FbDirectInvoice": {"Element": {"Fields": {"OrNu": "70000001", "RfCs": "x"}}}}
        )
    )
    assert "kan niet meer worden verwijderd" in client.refusal(
        client.delete("FbDirectInvoice/FbDirectInvoice/OrNu/70000001")
    )


def test_direct_invoice_numbers_are_unique_and_order_numbers_refused(client, debtor):
    assert (
        client.created("FbDirectInvoice", direct_invoice(debtor, "DI-2", SinOrNu="F2026-1"))["Liln"]
        == "F2026-1"
    )
    assert "bestaat al" in client.refusal(
        client.post("FbDirectInvoice", direct_invoice(debtor, "DI-3", SinOrNu="F2026-1"))
    )
    assert "autonummering" in client.refusal(
        client.post("FbDirectInvoice", direct_invoice(debtor, "DI-4", OrNu="70000099"))
    )


def test_the_custom_connector_id_is_configurable():
    with running_afas(AfasConfig(direct_invoice_connector="Klant_Facturen")) as server:
        c = AfasClient(server.url)
        try:
            assert c.get("Klant_Facturen").status_code == 200
            assert c.get("Lightspeed_DirectInvoices").status_code == 401
        finally:
            c.close()


def test_an_order_needs_lines(client, debtor):
    body = sales_order(debtor)
    del body["FbSales"]["Element"]["Objects"]
    assert "minimaal één regel" in client.refusal(client.post("FbSales", body))
