"""GetConnectors over HTTP: rows derived from the state, the filter operators and AND/OR lists,
filterjson, typed comparison, sorting, paging, and the documented errors and limits."""

from __future__ import annotations

import json

import pytest

from emulators.afas import AfasConfig
from tests.support.afas_fixtures import AfasClient, org_relation, person_relation, running_afas, sales_order

UNEXPECTED = "Er is een onverwachte fout opgetreden."


@pytest.fixture
def debtors(client):
    return [
        client.created("KnSalesRelationPer", person_relation(e))["DbId"]
        for e in ("jan+shop@example.nl", "piet@example.nl", "a,b;c@example.nl")
    ]


@pytest.fixture
def administrations(client):
    client.admin(
        "PUT", "catalogue", {"administrations": {"2": "Internet BV", "3": "Internet Shop", "10": "Tien"}}
    )


def ids(client, connector="Profit_Debtor", field="DebtorId", **params):
    return [r[field] for r in client.rows(connector, orderbyfieldids=field, **params)]


def admin_ids(client, op, value, field="AdminId"):
    return ids(
        client,
        "Profit_Administrations",
        "AdminId",
        filterfieldids=field,
        filtervalues=value,
        operatortypes=str(op),
    )


def test_debtor_rows_carry_the_spec_fields_and_the_work_email(client):
    debtor = client.created(
        "KnSalesRelationPer", person_relation("werk@example.nl", EmA2="prive@example.nl", TeNr="0201234567")
    )
    private_only = client.created("KnSalesRelationPer", person_relation(None, EmA2="alleen-prive@example.nl"))
    rows = {r["DebtorId"]: r for r in client.rows("Profit_Debtor", orderbyfieldids="DebtorId")}
    row = rows[debtor["DbId"]]
    assert set(row) == {
        "DebtorId", "DebtorName", "BcCo", "SearchName", "AdressLine1", "AdressLine3", "AdressLine4", "TelNr", "Email",
        "IBAN", "VatNr", "ChOfCommNr", "CollectAccount", "PayCon", "VatDuty", "Blocked", "CreditLimit", "CurrencyId",
        "AutoPayment", "CreateDate", "ModifiedDate",
    }  # fmt: skip
    assert (
        row["Email"] == "werk@example.nl" and row["BcCo"] == debtor["BcCo"] and row["TelNr"] == "0201234567"
    )
    assert (
        row["DebtorName"] == "Hoff"
        and row["AdressLine1"] == "Kerkstraat 12"
        and row["AdressLine3"] == "1017 GC  AMSTERDAM"
    )
    assert row["AdressLine4"] is None and row["VatNr"] is None and row["Blocked"] is False
    assert row["CreateDate"] == row["ModifiedDate"] and row["CreateDate"].startswith("2026-11-02T09:00:")
    assert row["CreateDate"].endswith("Z") and len(row["CreateDate"]) == 20
    assert rows[private_only["DbId"]]["Email"] is None  # EmA2 is the private e-mail, not Profit_Debtor.Email


def test_an_organisation_debtor_shows_its_email_vat_number_and_foreign_country(client):
    dbid = client.created("KnSalesRelationOrg", org_relation(CcNr="12345678"))["DbId"]
    (row,) = client.rows(
        "Profit_Debtor",
        filterfieldids="DebtorId",
        filtervalues=dbid,
        operatortypes="1",
        orderbyfieldids="DebtorId",
    )
    assert (row["DebtorName"], row["Email"], row["VatNr"], row["ChOfCommNr"]) == (
        "Koffie BV",
        "inkoop@koffie.nl",
        "BE0123456789",
        "12345678",
    )
    assert row["AdressLine4"] == "België"


def test_and_or_lists(client, debtors):
    a, b, c = debtors
    two = ids(
        client,
        filterfieldids="Email;Email",
        filtervalues="jan+shop@example.nl;piet@example.nl",
        operatortypes="1;1",
    )
    assert two == [a, b]
    assert (
        ids(client, filterfieldids="Email,DebtorId", filtervalues=f"piet@example.nl,{a}", operatortypes="1,1")
        == []
    )
    assert ids(
        client, filterfieldids="Email,DebtorId", filtervalues=f"piet@example.nl,{b}", operatortypes="1,1"
    ) == [b]
    mixed = ids(
        client,
        filterfieldids="Email,DebtorId;DebtorId",
        filtervalues=f"example,{a};{c}",
        operatortypes="6,1;1",
    )
    assert mixed == [a, c]  # (a AND b) OR c


def test_text_compares_case_insensitively(client, debtors):
    assert ids(client, filterfieldids="Email", filtervalues="PIET@EXAMPLE.NL", operatortypes="1") == [
        debtors[1]
    ]


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [(1, "2", [2]), (2, "3", [3, 10]), (3, "2", [1, 2]), (4, "3", [10]), (5, "2", [1]), (7, "1", [2, 3, 10])],
)
def test_comparison_operators_on_an_integer_field_compare_numerically(
    client, administrations, op, value, expected
):
    assert admin_ids(client, op, value) == expected


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        (6, "internet", [2, 3]),
        (10, "INTER", [2, 3]),
        (11, "internet", [1, 10]),
        (12, "demo", [2, 3, 10]),
        (13, "bv", [1, 2]),
        (14, "BV", [3, 10]),
        (15, "shop", [3]),
        (1, "internet bv", [2]),
        (4, "Internet", [2, 3, 10]),
    ],
)
def test_text_operators(client, administrations, op, value, expected):
    assert admin_ids(client, op, value, field="AdminNm") == expected


def test_empty_and_not_empty_need_a_value_that_may_be_empty(client, debtors):
    org = client.created("KnSalesRelationOrg", org_relation())["DbId"]
    assert ids(client, filterfieldids="VatNr", filtervalues="", operatortypes="8") == debtors
    assert ids(client, filterfieldids="VatNr", filtervalues="", operatortypes="9") == [org]
    assert ids(client, filterfieldids="VatNr", filtervalues="whatever", operatortypes="9") == [org]
    response = client.get("Profit_Debtor", filterfieldids="VatNr", operatortypes="8")
    assert client.refusal(response) == UNEXPECTED


def test_null_fields_match_only_is_empty(client, debtors):
    for op in (1, 6, 7, 11):
        assert ids(client, filterfieldids="VatNr", filtervalues="x", operatortypes=str(op)) == []


def test_numbers_and_dates_are_compared_as_such(client, debtors):
    client.post("FbSales", sales_order(debtors[0], "A")).raise_for_status()
    client.post(
        "FbSales",
        sales_order(
            debtors[0],
            "B",
            lines=[{"VaIt": "2", "ItCd": "ART-2001", "BiUn": "STK", "QuUn": "9", "Upri": "12.50"}],
        ),
    ).raise_for_status()
    assert ids(
        client,
        "Profit_Salesorders",
        "CustomerReference",
        filterfieldids="TotalAmount",
        filtervalues="22.85",
        operatortypes="1",
    ) == ["A"]
    assert ids(
        client,
        "Profit_Salesorders",
        "CustomerReference",
        filterfieldids="TotalAmount",
        filtervalues="100",
        operatortypes="4",
    ) == ["B"]
    today = ids(client, filterfieldids="CreateDate", filtervalues="2026-11-02", operatortypes="2")
    assert today == debtors
    assert (
        ids(client, filterfieldids="CreateDate", filtervalues="2026-11-02T09:00:00", operatortypes="5") == []
    )
    assert ids(
        client,
        filterfieldids="OrderDate",
        filtervalues="2026-11-20",
        operatortypes="1",
        connector="Profit_Salesorders",
        field="CustomerReference",
    ) == ["A", "B"]
    assert (
        client.refusal(
            client.get(
                "Profit_Salesorders", filterfieldids="TotalAmount", filtervalues="veel", operatortypes="1"
            )
        )
        == UNEXPECTED
    )
    assert (
        client.refusal(
            client.get(
                "Profit_Debtor", filterfieldids="CreateDate", filtervalues="gisteren", operatortypes="2"
            )
        )
        == UNEXPECTED
    )


def test_filterjson_carries_values_with_separators_and_plus_signs(client, debtors):
    def document(*emails):
        return json.dumps(
            {
                "Filters": {
                    "Filter": [
                        {
                            "@FilterId": f"Filter {i}",
                            "Field": [{"@FieldId": "Email", "@OperatorType": "1", "#text": e}],
                        }
                        for i, e in enumerate(emails, 1)
                    ]
                }
            }
        )

    assert ids(client, filterjson=document("a,b;c@example.nl")) == [debtors[2]]
    assert ids(client, filterjson=document("jan+shop@example.nl", "a,b;c@example.nl")) == [
        debtors[0],
        debtors[2],
    ]
    # the inline lists split such a value at its separators: it finds nothing (or fails), as AFAS warns
    assert (
        client.get(
            "Profit_Debtor", filterfieldids="Email", filtervalues="a,b;c@example.nl", operatortypes="1"
        ).status_code
        == 500
    )


@pytest.mark.parametrize(
    "params",
    [
        {"filterfieldids": "Email;Email", "filtervalues": "x", "operatortypes": "1;1"},
        {"filterfieldids": "Email,Email", "filtervalues": "x;y", "operatortypes": "1,1"},
        {"filterfieldids": "Email", "filtervalues": "x", "operatortypes": "16"},
        {"filterfieldids": "Email", "filtervalues": "x", "operatortypes": "eq"},
        {"filterfieldids": "Email", "filtervalues": "x"},
        {"filterjson": "{not json"},
        {"filterjson": json.dumps({"Filters": {}})},
        {"filterjson": json.dumps({"Filters": {"Filter": []}}), "filterfieldids": "Email"},
        {"skip": "2", "take": "-1"},
        {"skip": "-2"},
        {"take": "veel"},
    ],
)
def test_malformed_parameters_are_the_unexpected_error(client, debtors, params):
    response = client.get("Profit_Debtor", orderbyfieldids="DebtorId", **params)
    assert client.refusal(response) == UNEXPECTED
    assert response.json()["errorNumber"] == -2147180999


@pytest.mark.parametrize(
    "params",
    [
        {"filterfieldids": "Mail", "filtervalues": "x", "operatortypes": "1"},
        {
            "filterjson": json.dumps(
                {"Filters": {"Filter": {"Field": {"@FieldId": "Mail", "@OperatorType": "1", "#text": "x"}}}}
            )
        },
        {"orderbyfieldids": "-Mail"},
    ],
)
def test_an_unknown_field_is_not_found(client, params):
    assert client.refusal(client.get("Profit_Debtor", **params)) == "Connector-veld 'Mail' niet gevonden"


def test_a_query_string_over_2049_characters_is_a_404(client, debtors):
    prefix = "filterfieldids=Email&operatortypes=1&orderbyfieldids=DebtorId&filtervalues="
    just = prefix + "x" * (2049 - len(prefix))
    assert client.session.get(f"{client.base}/connectors/Profit_Debtor?{just}", timeout=10).status_code == 200
    over = client.session.get(f"{client.base}/connectors/Profit_Debtor?{just}x", timeout=10)
    assert over.status_code == 404


def test_paging_with_a_sort_returns_each_row_once():
    with running_afas(AfasConfig(seeded_debtors=23)) as server:
        client = AfasClient(server.url)
        try:
            pages = [
                client.get("Profit_Debtor", orderbyfieldids="-DebtorId", skip=str(s), take="10").json()
                for s in (0, 10, 20)
            ]
            assert [(p["skip"], p["take"], len(p["rows"])) for p in pages] == [
                (0, 10, 10),
                (10, 10, 10),
                (20, 10, 3),
            ]
            seen = [r["DebtorId"] for p in pages for r in p["rows"]]
            assert seen == sorted(seen, reverse=True) and len(set(seen)) == 23
            assert len(client.rows("Profit_Debtor", skip="-1", orderbyfieldids="DebtorId")) == 23
            assert len(client.rows("Profit_Debtor", skip="0", take="0", orderbyfieldids="DebtorId")) == 1
            by_two = client.rows("Profit_Debtor", orderbyfieldids="SearchName,-DebtorId", skip="-1")
            keys = [(r["SearchName"] or "", r["DebtorId"]) for r in by_two]
            assert keys == sorted(keys, key=lambda k: (k[0].casefold(), -int(k[1])))
        finally:
            client.close()


def test_take_defaults_to_100():
    with running_afas(AfasConfig(seeded_debtors=105)) as server:
        client = AfasClient(server.url)
        try:
            page = client.get("Profit_Debtor", orderbyfieldids="DebtorId").json()
            assert (page["skip"], page["take"], len(page["rows"])) == (0, 100, 100)
        finally:
            client.close()


def test_without_a_sort_the_order_is_stable_but_not_by_key():
    with running_afas(AfasConfig(seeded_debtors=30)) as server:
        client = AfasClient(server.url)
        try:
            first = [r["DebtorId"] for r in client.rows("Profit_Debtor", take="30")]
            again = [r["DebtorId"] for r in client.rows("Profit_Debtor", take="30")]
            assert first == again and first != sorted(first) and sorted(first) == sorted(set(first))
        finally:
            client.close()


def test_seeded_debtors_are_the_same_for_the_same_seed():
    def seeded(seed):
        with running_afas(AfasConfig(seeded_debtors=12, seed=seed)) as server:
            client = AfasClient(server.url)
            try:
                return client.rows("Profit_Debtor", orderbyfieldids="DebtorId")
            finally:
                client.close()

    first = seeded(7)
    assert first == seeded(7) and first != seeded(8)
    assert all(r["CreateDate"] < "2026-11-02" for r in first)
    assert {r["Email"] is not None for r in first} == {True}


def test_journals_and_administrations_come_from_the_catalogue(client):
    journals = client.rows(
        "Profit_Journals",
        filterfieldids="UnitId",
        filtervalues="1",
        operatortypes="1",
        orderbyfieldids="JournalId",
    )
    assert [(j["JournalId"], j["JournalType"]) for j in journals] == [("50", "V"), ("90", "M"), ("VK", "V")]
    assert client.rows("Profit_Administrations", orderbyfieldids="AdminId") == [
        {"AdminId": 1, "AdminNm": "Demo BV", "AdminCd": "1"}
    ]
