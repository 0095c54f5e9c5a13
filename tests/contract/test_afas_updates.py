"""UpdateConnector validation and sales relations over HTTP: envelope forms, field ids, types, lengths,
enums, required and forbidden fields, references against the catalogue, AFAS country codes, autonumbering
and the person/organisation matching codes."""

from __future__ import annotations

import pytest

from tests.support.afas_fixtures import (
    line_fields,
    org_relation,
    person_relation,
    sales_order,
)


@pytest.fixture
def debtor(client):
    return client.created("KnSalesRelationPer", person_relation())["DbId"]


def header(body):
    return body["FbSales"]["Element"]["Fields"]


def person(body):
    return body["KnSalesRelationPer"]["Element"]["Objects"][0]["KnPerson"]["Element"]["Fields"]


def address(body):
    return body["KnSalesRelationPer"]["Element"]["Objects"][0]["KnPerson"]["Element"]["Objects"][0][
        "KnBasicAddressAdr"
    ]["Element"]["Fields"]


# -- envelope and types -----------------------------------------------------------------------------


def test_both_envelope_forms_are_understood(client, debtor):
    as_arrays = sales_order(debtor, "ARRAYS")
    as_arrays["FbSales"]["Element"] = [as_arrays["FbSales"]["Element"]]
    as_objects = sales_order(debtor, "OBJECTS")
    element = as_objects["FbSales"]["Element"]
    element["Objects"] = {"FbSalesLines": {"Element": element["Objects"][0]["FbSalesLines"]["Element"][0]}}
    assert client.post("FbSales", as_arrays).status_code == 201
    assert client.post("FbSales", as_objects).status_code == 201


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"FbSales": {}},
        {"FbSales": {"Element": "x"}},
        {"FbSales": {"Element": []}},
        {"FbSales": {"Element": {"Fields": []}}},
        {"FbSales": {"Element": {"Fields": {"DbId": "1"}, "Objects": [{"FbSalesLines": {}, "Extra": {}}]}}},
        {"FbSales": {"Element": {"Fields": {"DbId": "1"}, "Velden": {}}}},
        {"FbSales": {"Element": {"Fields": {"DbId": "1"}}}, "FbDirectInvoice": {}},
    ],
)
def test_malformed_envelopes_are_refused(client, body):
    assert "UpdateConnector 'FbSales'" in client.refusal(client.post("FbSales", body))


def test_invalid_json_is_a_400(client):
    response = client.session.post(f"{client.base}/connectors/FbSales", data=b"{nope", timeout=10)
    assert response.status_code == 400 and response.json() == {"message": "Invalid json"}


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda b: header(b).update(Bogus="x"), "het veld 'Bogus' bestaat niet in 'FbSales'"),
        (lambda b: line_fields(b).update(Kleur="rood"), "het veld 'Kleur' bestaat niet in 'FbSalesLines'"),
        (
            lambda b: line_fields(b).update(QuUn="2,5"),
            "'Aantal eenheden' (QuUn) heeft niet het juiste type (number)",
        ),
        (
            lambda b: line_fields(b).update(Upri="€ 8.95"),
            "'Prijs per eenheid' (Upri) heeft niet het juiste type",
        ),
        (lambda b: line_fields(b).update(QuUn=True), "(QuUn) heeft niet het juiste type"),
        (
            lambda b: header(b).update(Unit="een"),
            "'Administratie' (Unit) heeft niet het juiste type (integer)",
        ),
        (lambda b: header(b).update(Unit=1.5), "(Unit) heeft niet het juiste type (integer)"),
        (
            lambda b: header(b).update(InVa="ja"),
            "'Prijs incl. btw' (InVa) heeft niet het juiste type (boolean)",
        ),
        (lambda b: header(b).update(InVa=1), "(InVa) heeft niet het juiste type (boolean)"),
        (lambda b: header(b).update(RfCs={"nr": 1}), "(RfCs) heeft niet het juiste type"),
        (lambda b: header(b).update(OrDa="20-11-2026"), "'Datum' (OrDa) is geen geldige datum"),
        (lambda b: header(b).update(OrDa="2026-11-20T10:00:00"), "(OrDa) is geen geldige datum"),
        (lambda b: header(b).update(OrDa="2026-02-30"), "(OrDa) is geen geldige datum"),
        (
            lambda b: header(b).update(RfCs="x" * 101),
            "'Opdrachtnummer/referentie' (RfCs) is te lang: 101 tekens, maximaal 100",
        ),
        (lambda b: line_fields(b).update(VaIt="9"), "'Type item' (VaIt) is niet toegestaan"),
        (lambda b: line_fields(b).pop("ItCd"), "het veld 'Itemcode' (ItCd) in 'FbSalesLines' is verplicht"),
        (
            lambda b: line_fields(b).update(BiUn=""),
            "het veld 'Eenheid' (BiUn) in 'FbSalesLines' is verplicht",
        ),
        (lambda b: header(b).pop("DbId"), "het veld 'Verkooprelatie' (DbId) in 'FbSales' is verplicht"),
        (lambda b: line_fields(b).update({"@Action": "bijwerken"}), "ongeldige @Action"),
        (lambda b: header(b).update({"@Action": "insert"}), "ongeldige @Action"),
    ],
)
def test_invalid_orders_are_refused_naming_the_field(client, debtor, mutate, message):
    body = sales_order(debtor)
    mutate(body)
    response = client.post("FbSales", body)
    assert message in client.refusal(response)


@pytest.mark.parametrize(
    ("mutate", "label"),
    [
        (lambda b: header(b).update(DbId="99999"), "Verkooprelatie"),
        (lambda b: line_fields(b).update(ItCd="NOPE"), "Artikel"),
        (lambda b: line_fields(b).update(ItCd="VERZEND"), "Artikel"),  # a cost item is not an article
        (lambda b: line_fields(b, 1).update(ItCd="ART-1001"), "Kosten"),
        (lambda b: line_fields(b).update(ItCd="ART-9001"), "Artikel"),  # webshop-only demo product
        (lambda b: line_fields(b).update(BiUn="DOOS"), "Eenheid"),
        (lambda b: line_fields(b, 1).update(BiUn="STK"), "Eenheid"),
        (lambda b: header(b).update(Unit=7), "Administratie"),
        (lambda b: header(b).update(JoCo="XX"), "Dagboek factuur"),
        (lambda b: header(b).update(PrId="NOPE"), "Project"),
        (lambda b: header(b).update(War="99"), "Magazijn"),
        (lambda b: line_fields(b).update(War="99"), "Magazijn"),
        (lambda b: line_fields(b).update(VaRc="9"), "Btw-tariefgroep"),
        (lambda b: header(b).update(CuId="USD"), "Valuta"),
        (lambda b: header(b).update(PaCd="60"), "Betalingsvoorwaarde"),
        (lambda b: header(b).update(PaTp="XX"), "Betaalwijze"),
        (lambda b: header(b).update(CoId="DE"), "Land"),
    ],
)
def test_references_must_exist_in_the_environment(client, debtor, mutate, label):
    body = sales_order(debtor)
    mutate(body)
    response = client.post("FbSales", body)
    assert client.refusal(response) == f"De ingevulde waarde bij '{label}' bestaat niet."
    assert response.json()["errorNumber"] == -2147220469


def test_values_are_read_the_way_afas_reads_them(client, debtor):
    body = sales_order(debtor, "TYPES", incl=True, Unit="1", InVa="1")
    line_fields(body).update(QuUn=2, Upri=8.95, VaIt=2)
    line_fields(body, 1).update(QuUn="1", Upri=".5", BiUn="*****")
    header(body).update(CuId="eur", War="01", DaDe="")
    number = client.created("FbSales", body)["OrNu"]
    order = next(o for o in client.admin("GET", "state")["orders"] if o["OrNu"] == number)
    assert order["fields"]["Unit"] == 1 and order["fields"]["InVa"] is True and "DaDe" not in order["fields"]
    assert (
        order["lines"][0]["QuUn"] == "2"
        and order["lines"][0]["VaIt"] == "2"
        and order["lines"][1]["Upri"] == "0.5"
    )


def test_the_catalogue_can_be_changed_through_the_admin_api(client, debtor):
    body = sales_order(
        debtor, lines=[{"VaIt": "2", "ItCd": "NIEUW-1", "BiUn": "DOOS", "QuUn": "1", "Upri": "10"}]
    )
    assert "Artikel" in client.refusal(client.post("FbSales", body))
    catalogue = client.admin("PUT", "catalogue", {"items": {"NIEUW-1": {"type": "2", "units": ["DOOS"]}}})
    assert "NIEUW-1" in catalogue["items"] and "ART-1001" in catalogue["items"]
    assert client.post("FbSales", body).status_code == 201
    client.admin("PUT", "catalogue", {"replace": True, "warehouses": ["02"]})
    assert (
        client.refusal(client.post("FbSales", sales_order(debtor, War="01")))
        == "De ingevulde waarde bij 'Magazijn' bestaat niet."
    )
    bad = client.session.put(f"{client.url}/_admin/catalogue", json={"colours": []}, timeout=10)
    assert bad.status_code == 400


# -- relations --------------------------------------------------------------------------------------


def test_relations_are_autonumbered_from_10000_and_found_at_once(client):
    first = client.created("KnSalesRelationPer", person_relation("a@example.nl"))
    second = client.created("KnSalesRelationOrg", org_relation())
    assert (first["DbId"], second["DbId"]) == ("10000", "10001")
    assert first["BcCo"] != second["BcCo"] and first["BcCo"].isdigit()
    rows = client.rows(
        "Profit_Debtor",
        filterfieldids="Email",
        filtervalues="A@EXAMPLE.NL",
        operatortypes="1",
        orderbyfieldids="DebtorId",
    )
    assert [r["DebtorId"] for r in rows] == ["10000"]


def test_an_explicit_debtor_number_is_used_once(client):
    body = person_relation()
    body["KnSalesRelationPer"]["Element"]["@DbId"] = "D-77"
    assert client.created("KnSalesRelationPer", body)["DbId"] == "D-77"
    assert "bestaat al" in client.refusal(client.post("KnSalesRelationPer", body))


def test_a_relation_needs_its_person_or_organisation(client):
    assert "bevat geen KnPerson" in client.refusal(
        client.post("KnSalesRelationPer", {"KnSalesRelationPer": {"Element": {"Fields": {"CuId": "EUR"}}}})
    )
    org = org_relation()
    org["KnSalesRelationOrg"]["Element"]["Objects"] = {}
    assert "bevat geen KnOrganisation" in client.refusal(client.post("KnSalesRelationOrg", org))
    wrong = person_relation()
    wrong["KnSalesRelationOrg"] = wrong.pop("KnSalesRelationPer")
    assert "onbekend object 'KnPerson'" in client.refusal(client.post("KnSalesRelationOrg", wrong))


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda b: address(b).update(CoId="BE"), "De ingevulde waarde bij 'Land' bestaat niet."),
        (lambda b: address(b).update(CoId="DE"), "De ingevulde waarde bij 'Land' bestaat niet."),
        (lambda b: address(b).pop("CoId"), "het veld 'Land' (CoId) in 'KnBasicAddressAdr' is verplicht"),
        (
            lambda b: person(b).update(BcId=12),
            "het veld 'Organisatie/persoon (intern)' (BcId) in 'KnPerson' mag niet worden aangeleverd",
        ),
        (lambda b: person(b).update(EmAd="geen-adres"), "'E-mail werk' (EmAd) is geen geldig e-mailadres"),
        (lambda b: person(b).update(MatchPer="8"), "is niet toegestaan"),
        (lambda b: person(b).update(ViGe="Q"), "(ViGe) is niet toegestaan"),
        (
            lambda b: person(b).pop("MatchPer"),
            "'Persoon vergelijken op' (MatchPer) in 'KnPerson' is verplicht",
        ),
        (
            lambda b: person(b).update(AutoNum=False),
            "'Nummer' (BcCo) is verplicht als 'Autonummering' (AutoNum) niet aan staat",
        ),
        (lambda b: person(b).update(MatchPer="9"), "kan alleen bij een bestaande verkooprelatie"),
        (
            lambda b: b["KnSalesRelationPer"]["Element"]["Fields"].pop("CuId"),
            "'Valuta' (CuId) in 'KnSalesRelationPer' is verplicht",
        ),
        (
            lambda b: b["KnSalesRelationPer"]["Element"]["Fields"].update(PaCd="99"),
            "De ingevulde waarde bij 'Betalingsvoorwaarde' bestaat niet.",
        ),
    ],
)
def test_invalid_relations_are_refused(client, mutate, message):
    body = person_relation()
    mutate(body)
    assert message in client.refusal(client.post("KnSalesRelationPer", body))


@pytest.mark.parametrize(
    ("iso", "code"),
    [("AT", "A"), ("IE", "IRL"), ("MT", "M"), ("SI", "SLO"), ("GB", "GB"), ("US", "USA"), ("CH", "CH")],
)
def test_afas_country_codes_are_accepted(client, iso, code):
    from emulators.afas import iso_to_afas

    assert iso_to_afas()[iso] == code
    assert client.post("KnSalesRelationPer", person_relation(country=code)).status_code == 201


def test_person_numbers_without_autonumbering_are_taken_as_given_once(client):
    given = client.created("KnSalesRelationPer", person_relation(AutoNum=False, BcCo="P-1"))
    assert given["BcCo"] == "P-1"
    assert "Er bestaat al een persoon met nummer 'P-1'" in client.refusal(
        client.post("KnSalesRelationPer", person_relation(AutoNum=False, BcCo="P-1"))
    )


def test_matchper_0_links_an_existing_person(client):
    first = client.created("KnSalesRelationPer", person_relation("eerst@example.nl"))
    linked = client.created(
        "KnSalesRelationPer", person_relation(MatchPer="0", BcCo=first["BcCo"], EmAd="nieuw@example.nl")
    )
    assert linked["BcCo"] == first["BcCo"] and linked["DbId"] != first["DbId"]
    emails = {r["DebtorId"]: r["Email"] for r in client.rows("Profit_Debtor", orderbyfieldids="DebtorId")}
    assert emails == {
        first["DbId"]: "nieuw@example.nl",
        linked["DbId"]: "nieuw@example.nl",
    }  # one person, updated
    missing = person_relation(MatchPer="0", BcCo="424242")
    assert (
        client.refusal(client.post("KnSalesRelationPer", missing))
        == "De ingevulde waarde bij 'Persoon' bestaat niet."
    )


def test_matching_on_name_and_email_links_one_and_refuses_several(client):
    def matching(email):
        return person_relation(email, MatchPer="3", In="Z.", ViGe="V")

    first = client.created("KnSalesRelationPer", person_relation("zoe@example.nl", In="Z.", ViGe="V"))
    assert client.created("KnSalesRelationPer", matching("ZOE@example.nl"))["BcCo"] == first["BcCo"]
    other = client.created("KnSalesRelationPer", matching("ander@example.nl"))
    assert other["BcCo"] != first["BcCo"]  # no match: a new person
    client.created(
        "KnSalesRelationPer", person_relation("zoe@example.nl", In="Z.", ViGe="V")
    )  # MatchPer 7: always new
    assert "multiple person objects found" in client.refusal(
        client.post("KnSalesRelationPer", matching("zoe@example.nl"))
    )


def test_seeded_twins_make_name_matching_ambiguous(client):
    client.admin(
        "POST",
        "debtors",
        {
            "debtors": [
                {"name": "Hoff", "email": "twin@example.nl"},
                {"name": "Hoff", "email": "twin@example.nl"},
            ]
        },
    )
    rows = client.rows(
        "Profit_Debtor",
        filterfieldids="Email",
        filtervalues="twin@example.nl",
        operatortypes="1",
        orderbyfieldids="DebtorId",
    )
    assert len(rows) == 2
    response = client.post("KnSalesRelationPer", person_relation("twin@example.nl", MatchPer="3"))
    assert "meerdere personen" in client.refusal(response)


def test_organisations_match_on_coc_number(client):
    first = client.created("KnSalesRelationOrg", org_relation(CcNr="12345678"))
    again = client.created("KnSalesRelationOrg", org_relation("Koffie B.V.", MatchOga="1", CcNr="12345678"))
    assert again["BcCo"] == first["BcCo"]
    names = {r["DebtorName"] for r in client.rows("Profit_Debtor", orderbyfieldids="DebtorId")}
    assert names == {"Koffie B.V."}


def test_put_updates_an_existing_relation_and_its_person(client, debtor):
    body = {
        "KnSalesRelationPer": {
            "Element": {
                "@DbId": debtor,
                "Fields": {"PaCd": "30", "Bl": "1"},
                "Objects": [
                    {"KnPerson": {"Element": {"Fields": {"MatchPer": "9", "EmAd": "nieuw@example.nl"}}}}
                ],
            }
        }
    }
    assert client.put("KnSalesRelationPer", body).json() == {
        "results": {
            "KnSalesRelationPer": {
                "DbId": debtor,
                "BcCo": client.rows("Profit_Debtor", orderbyfieldids="DebtorId")[0]["BcCo"],
            }
        }
    }
    (row,) = client.rows("Profit_Debtor", orderbyfieldids="DebtorId")
    assert (row["PayCon"], row["Blocked"], row["Email"]) == ("30", True, "nieuw@example.nl")
    body["KnSalesRelationPer"]["Element"]["@DbId"] = "55555"
    assert (
        client.refusal(client.put("KnSalesRelationPer", body))
        == "De ingevulde waarde bij 'Verkooprelatie' bestaat niet."
    )
    del body["KnSalesRelationPer"]["Element"]["@DbId"]
    assert "'Verkooprelatie' (DbId) van 'KnSalesRelationPer' is verplicht" in client.refusal(
        client.put("KnSalesRelationPer", body)
    )


def test_a_refused_multi_element_write_changes_nothing(client):
    good, bad = person_relation("goed@example.nl"), person_relation("fout@example.nl", country="BE")
    body = {
        "KnSalesRelationPer": {
            "Element": [good["KnSalesRelationPer"]["Element"], bad["KnSalesRelationPer"]["Element"]]
        }
    }
    assert (
        client.refusal(client.post("KnSalesRelationPer", body))
        == "De ingevulde waarde bij 'Land' bestaat niet."
    )
    assert client.rows("Profit_Debtor", orderbyfieldids="DebtorId") == []
    assert client.created("KnSalesRelationPer", good)["DbId"] == "10000"
