"""AFAS's refusals name a field by its Dutch label; the reason adds what we sent in it (codes only)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from emulators.afas.catalogue import ITEM_TYPES
from emulators.afas.validate import LABELS as EMULATOR_LABELS
from lightspeed_afas.afas.reasons import with_sent_values
from lightspeed_afas.afas.refusal_labels import ITEM_TYPE_LABELS, REFUSAL_LABELS
from lightspeed_afas.afas.relation_payloads import Person, PersonRelation, PostalAddress, RelationDefaults
from lightspeed_afas.afas.sales_documents import SalesDocument, SalesLine
from lightspeed_afas.hooks.errors import without_values

FK = "De ingevulde waarde bij '{}' bestaat niet."
D = Decimal


def line(code: str, item_type: str = "2", unit: str = "STK", vat: str = "1") -> SalesLine:
    return SalesLine("product", item_type, code, f"Omschrijving {code}", unit, D("1"), D("10"), vat)


def document(*lines: SalesLine, **header: object) -> SalesDocument:
    values: dict = dict(
        connector="FbSales",
        debtor_id="10042",
        order_date=date(2026, 11, 20),
        reference="ORD10028",
        administration=1,
        prices_incl_vat=True,
        remark="Webshop order ORD10028",
        journal="VK",
        warehouse="01",
    )
    values.update(header)
    return SalesDocument(lines=lines, **values)


def test_an_unknown_article_names_the_item_and_its_line():
    payload = document(line("ART-1001"), line("ART-9001"), line("VERZEND", "6", "*****")).insert_payload()
    # AFAS does not say which article it refused: every article line is named, with its line number
    assert with_sent_values(FK.format("Artikel"), payload) == (
        "De ingevulde waarde bij 'Artikel' bestaat niet. (we sent items ART-1001 on line 1, ART-9001 on line 2; AFAS does not say which)"
    )
    # the cost line has item type 6: AFAS would have said 'Kosten'
    assert with_sent_values(FK.format("Kosten"), payload).endswith("(we sent item VERZEND on line 3)")


def test_one_article_line_is_named_alone_and_repeated_codes_are_grouped():
    payload = document(line("ART-9001"), line("KORTING", "6", "*****")).insert_payload()
    assert with_sent_values(FK.format("Artikel"), payload).endswith("(we sent item ART-9001 on line 1)")
    grouped = document(line("A"), line("B"), line("A")).insert_payload()
    assert with_sent_values(FK.format("Artikel"), grouped).endswith(
        "(we sent items A on lines 1 and 3, B on line 2; AFAS does not say which)"
    )


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        (
            "Btw-tariefgroep",
            "(we sent VAT codes 1 on line 1, 9 on line 2; AFAS does not say which)",
        ),
        (
            "Btw-code",
            "(we sent VAT codes 1 on line 1, 9 on line 2; AFAS does not say which)",
        ),
        (
            "Eenheid",
            "(we sent units STK of item ART-1001 on line 1, DOOS of item ART-1002 on line 2; AFAS does not say which)",
        ),
        ("Magazijn", "(we sent warehouse 01)"),
        ("Project", "(we sent project WEB)"),
        ("Dagboek factuur", "(we sent journal VK)"),
        ("Dagboek", "(we sent journal VK)"),
        ("Administratie", "(we sent administration 1)"),
        ("Verkooprelatie", "(we sent debtor 10042)"),
    ],
)
def test_header_and_line_fields_by_their_label(label, expected):
    payload = document(
        line("ART-1001"), line("ART-1002", unit="DOOS", vat="9"), project="WEB"
    ).insert_payload()
    assert with_sent_values(FK.format(label), payload) == f"{FK.format(label)} {expected}"


def test_an_update_counts_only_the_lines_it_inserts():
    payload = document(line("ART-1001"), line("ART-9001")).update_payload(
        "60000001", ["{guid-1}", "{guid-2}"]
    )
    assert with_sent_values(FK.format("Artikel"), payload).endswith(
        "(we sent items ART-1001 on line 1, ART-9001 on line 2; AFAS does not say which)"
    )


def test_unknown_labels_absent_fields_and_other_messages_are_left_as_they_are():
    payload = document(line("ART-1001")).insert_payload()
    for message in (
        FK.format("Medewerker"),  # a label we do not map
        FK.format("Betaalwijze"),  # mapped, but the payload has no PaTp
        "Er is een onverwachte fout opgetreden.",
        "",
    ):
        assert with_sent_values(message, payload) == message
    assert with_sent_values(FK.format("Artikel"), None) == FK.format("Artikel")


def test_never_a_customer_detail_from_a_relation_payload():
    relation = PersonRelation(
        Person("Jan", "van", "Jansen", "jan@example.nl", "0612345678", "JANSEN"),
        PostalAddress("NL", "Dorpsstraat", 12, "a", "1234 AB", "Utrecht", date(2026, 11, 20)),
        RelationDefaults(currency="EUR", payment_condition="14"),
    ).insert_payload()
    assert with_sent_values(FK.format("Land"), relation).endswith("(we sent country code NL)")
    assert with_sent_values(FK.format("Valuta"), relation).endswith("(we sent currency EUR)")
    message = without_values("De waarde \"jan@example.nl\" bij 'E-mail werk' is ongeldig.")
    enriched = with_sent_values(message, relation)
    assert enriched == message, "personal fields are not in the label table"
    for detail in ("jan@", "Jansen", "Dorpsstraat", "1234 AB", "0612345678", "Utrecht"):
        assert all(detail not in with_sent_values(FK.format(label), relation) for label in REFUSAL_LABELS)


def test_values_are_one_printable_line_and_cut_and_few():
    odd = document(line("ART\n9001\x00"), line("X" * 60)).insert_payload()
    assert with_sent_values(FK.format("Artikel"), odd).endswith(
        f"(we sent items ART 9001 on line 1, {'X' * 39}… on line 2; AFAS does not say which)"
    )
    many = document(*(line(f"A{i}") for i in range(8))).insert_payload()
    assert with_sent_values(FK.format("Artikel"), many).endswith(
        "A4 on line 5 and 3 more; AFAS does not say which)"
    )


def test_the_label_table_speaks_the_emulators_language():
    """The emulator's labels are AFAS's (reference §4): every label it refuses a code field with is mapped."""
    assert ITEM_TYPE_LABELS == ITEM_TYPES
    code_fields = {"Unit", "War", "CuId", "PrId", "JoCo", "PaCd", "PaTp", "VaRc", "BiUn", "CoId", "DbId"}
    for code in code_fields:
        label = EMULATOR_LABELS[code].casefold()
        assert REFUSAL_LABELS[label].code == code, code


def test_one_refused_vat_code_on_several_lines_is_named_once():
    payload = document(line("A", vat="9"), line("B", vat="9")).insert_payload()
    assert with_sent_values(FK.format("Btw-tariefgroep"), payload).endswith(
        "(we sent VAT code 9 on lines 1 and 2)"
    )
