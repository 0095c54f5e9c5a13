"""``emulators/afas/schema.json`` is what ``tools/gen_afas_schema.py`` makes of AFAS's OpenAPI specs, with
AFAS's documented corrections applied; and the AFAS country table is consistent."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from emulators.afas import AFAS_COUNTRIES, ISO_TO_AFAS
from emulators.afas.validate import SCHEMA_FILE, schema

REPO = Path(__file__).resolve().parents[2]
SPECS = REPO.parent / "shared" / "reference" / "afas-openapi"


def load_generator():
    spec = importlib.util.spec_from_file_location("gen_afas_schema", REPO / "tools" / "gen_afas_schema.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_schema_json_is_what_the_generator_makes_from_the_official_specs():
    if not SPECS.is_dir():
        pytest.skip(f"AFAS's OpenAPI specs are not at {SPECS}; the check runs where they are")
    generator = load_generator()
    assert generator.OUT == SCHEMA_FILE
    assert SCHEMA_FILE.read_text(encoding="utf-8") == generator.render(SPECS)


def test_schema_json_is_compact_and_sorted():
    text = SCHEMA_FILE.read_text(encoding="utf-8")
    assert (
        text == json.dumps(json.loads(text), sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n"
    )


def test_every_connector_and_verb_the_integration_uses_is_there():
    update, get = schema()["update"], schema()["get"]
    assert {c: sorted(v) for c, v in update.items()} == {
        c: ["POST", "PUT"] for c in ("FbDirectInvoice", "FbSales", "KnSalesRelationOrg", "KnSalesRelationPer")
    }
    assert sorted(get) == [
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
    person = update["KnSalesRelationPer"]["POST"]["objects"]["KnPerson"]
    assert {"KnBasicAddressAdr", "KnBasicAddressPad", "KnBankAccount", "KnContact"} <= set(person["objects"])
    org = update["KnSalesRelationOrg"]["POST"]["objects"]["KnOrganisation"]
    assert "KnPerson" in org["objects"]["KnContact"]["objects"]
    assert set(update["FbSales"]["POST"]["objects"]) == {"FbSalesLines"}
    assert set(update["FbDirectInvoice"]["POST"]["objects"]) == {"FbDirectInvoiceLines"}
    assert get["Profit_Debtor"]["fields"]["Email"] == {"label": "Work e-mail", "type": "string"}
    assert get["Profit_Debtor"]["fields"]["CreateDate"]["format"] == "date-time"


def test_field_specs_keep_type_format_length_enum_and_required():
    sales = schema()["update"]["FbSales"]
    assert sales["POST"]["fields"]["DbId"] == {"maxLength": 16, "required": True, "type": "string"}
    assert sales["POST"]["fields"]["OrDa"] == {"format": "date", "type": "string"}
    assert sales["POST"]["fields"]["Unit"] == {"type": "integer"} and sales["POST"]["fields"]["InVa"] == {
        "type": "boolean"
    }
    lines = sales["POST"]["objects"]["FbSalesLines"]["fields"]
    assert lines["QuUn"] == {"required": True, "type": "number"} and "2" in lines["VaIt"]["enum"]
    assert sales["PUT"]["fields"]["OrNu"]["required"] and not sales["PUT"]["fields"]["DbId"].get("required")
    assert not any(f.get("required") for f in sales["PUT"]["objects"]["FbSalesLines"]["fields"].values())


def test_the_documented_corrections_are_applied():
    relation = schema()["update"]["KnSalesRelationPer"]
    person = relation["POST"]["objects"]["KnPerson"]["fields"]
    assert person["BcId"] == {"forbidden": True, "type": "integer"}  # "Lever het veld 'BcId' niet aan"
    assert not relation["POST"]["fields"]["CdDa"].get("required")  # news-profit3: not really required
    assert not person["BcCo"].get("required") and person["MatchPer"]["required"]
    assert relation["POST"]["keys"] == {"@DbId": {"maxLength": 16, "type": "string"}}
    assert relation["PUT"]["keys"]["@DbId"]["required"]
    assert relation["POST"]["objects"]["KnPerson"]["objects"]["KnBasicAddressAdr"]["fields"]["CoId"][
        "required"
    ]


def test_the_country_table_maps_iso_codes_to_existing_afas_codes():
    assert set(ISO_TO_AFAS.values()) <= set(AFAS_COUNTRIES)
    eu = "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split()
    assert set(eu) | {"GB", "CH", "NO", "US", "IS", "LI"} <= set(ISO_TO_AFAS)
    assert [ISO_TO_AFAS[c] for c in ("BE", "DE", "IE", "MT", "FI", "IN", "ID")] == [
        "B",
        "D",
        "IRL",
        "M",
        "FIN",
        "IND",
        "RI",
    ]
    assert {"BE", "DE", "AU", "CA"}.isdisjoint(AFAS_COUNTRIES)
