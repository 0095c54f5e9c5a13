"""UpdateConnector bodies checked the way AFAS refuses them, against ``schema.json`` (generated from AFAS's
OpenAPI specs by ``tools/gen_afas_schema.py``): envelope, field ids, types, formats, lengths, enums,
required and forbidden fields. Reference data (debtors, items, codes) is checked by ``relations``/``sales``.

Envelope (reference §3.1): ``{"<Connector>": {"Element": <object | [objects]>}}``; an element has
``Fields``, optional ``Objects`` (an object, or an array of single-key objects) and key attributes
(``@DbId``). Value types as AFAS reads them:

- integer: a JSON integer or a string of digits (``"1"``);
- number: a JSON number or a numeric string with ``.`` as decimal separator — ``"2,5"`` is a type error;
- boolean: ``true``/``false``, ``"true"``/``"false"``, ``"1"``/``"0"`` (not the JSON numbers 0/1: a choice);
- string: a string, or a JSON number (AFAS's own PracticalAfas example sends ``"DbId": 25000``);
  dates exactly ``YYYY-MM-DD``; enum codes compare case-insensitively (AFAS's own PUT example sends
  ``"InPv": "a"`` for code ``A``);
- ``""`` or ``null`` is "no value" (on PUT: clear the field).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from emulators.afas.errors import NOT_AUTHORISED, UPDATE_NOT_ALLOWED, ProfitError

SCHEMA_FILE = Path(__file__).with_name("schema.json")
ACTIONS = ("insert", "update", "delete")
# Sub-objects whose elements are identified by a key field: without it (or with @Action insert) a PUT
# inserts the element, so the insert's required fields apply.
SUB_KEYS = {"FbSalesLines": "GuLi", "FbDirectInvoiceLines": "GuLi"}
# Dutch labels (AFAS's XSDs, reference §4) for the messages; other fields are named by their id.
LABELS = {
    "DbId": "Verkooprelatie", "OrNu": "Nummer", "OrDa": "Datum", "RfCs": "Opdrachtnummer/referentie",
    "Unit": "Administratie", "War": "Magazijn", "CuId": "Valuta", "PrId": "Project", "JoCo": "Dagboek factuur",
    "InVa": "Prijs incl. btw", "PaCd": "Betalingsvoorwaarde", "PaTp": "Betaalwijze", "VaIt": "Type item",
    "ItCd": "Itemcode", "BiUn": "Eenheid", "QuUn": "Aantal eenheden", "Upri": "Prijs per eenheid",
    "VaRc": "Btw-tariefgroep", "PRDc": "% regelkorting", "ARDc": "Bedrag regelkorting", "GuLi": "GUID regel",
    "CoId": "Land", "BcCo": "Nummer", "BcId": "Organisatie/persoon (intern)", "MatchPer": "Persoon vergelijken op",
    "MatchOga": "Organisatie vergelijken op", "AutoNum": "Autonummering", "EmAd": "E-mail werk",
    "LaNm": "Achternaam", "Nm": "Naam", "ZpCd": "Postcode", "Ad": "Straat", "HmNr": "Huisnummer", "Rs": "Woonplaats",
    "SinOrNu": "Factuurnummer", "ViGe": "Geslacht", "DaDe": "Gewenste leverdatum", "Ds": "Omschrijving",
    "CrOr": "Creditorder", "Fref": "Factuurreferentie",
}  # fmt: skip
_INTEGER = re.compile(r"-?\d+")
_NUMBER = re.compile(r"-?(\d+(\.\d*)?|\.\d+)")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_UUID = re.compile(r"\{?[0-9A-Fa-f]{8}-([0-9A-Fa-f]{4}-){3}[0-9A-Fa-f]{12}\}?")


@dataclass
class Element:
    """One validated element: key attributes, typed fields, and sub-elements per object name."""

    name: str
    keys: dict[str, Any] = field(default_factory=dict)
    fields: dict[str, Any] = field(default_factory=dict)
    objects: dict[str, list[Element]] = field(default_factory=dict)

    @property
    def action(self) -> str | None:
        return self.fields.get("@Action")

    def sub(self, name: str) -> list[Element]:
        return self.objects.get(name, [])


@cache
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def update_connectors() -> list[str]:
    return sorted(schema()["update"])


def label(field_id: str) -> str:
    return LABELS.get(field_id, field_id)


def named(field_id: str) -> str:
    """How a message names a field: its Dutch label and its id."""
    return f"'{label(field_id)}' ({field_id})" if field_id in LABELS else f"'{field_id}'"


def structure_error(connector: str, what: str) -> ProfitError:
    return ProfitError(f"UpdateConnector '{connector}': {what}")


def coerce(value: Any, spec: dict[str, Any], field_id: str) -> Any:
    """The value as AFAS reads it (int, Decimal, bool, str or None), or a refusal naming the field."""
    if value is None or value == "":
        return None
    kind = spec.get("type", "string")
    shown = json.dumps(value, ensure_ascii=False)[:60]
    bad = ProfitError(f"De waarde {shown} bij {named(field_id)} heeft niet het juiste type ({kind}).")
    if isinstance(value, (dict, list)):
        raise bad
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
            return value.lower() in ("true", "1")
        raise bad
    if isinstance(value, bool):
        raise bad
    if kind == "integer":
        if isinstance(value, int):
            return value
        if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
            return int(value)
        raise bad
    if kind == "number":
        if isinstance(value, (int, float)):
            return Decimal(str(value))
        if isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
            try:
                return Decimal(value.strip())
            except InvalidOperation:
                raise bad from None
        raise bad
    text = value if isinstance(value, str) else str(value)
    fmt = spec.get("format")
    if fmt == "date":
        try:
            if not _DATE.fullmatch(text):
                raise ValueError(text)
            date.fromisoformat(text)
        except ValueError:
            raise ProfitError(
                f"De waarde {shown} bij {named(field_id)} is geen geldige datum (verwacht: jjjj-mm-dd)."
            ) from None
    elif fmt == "email" and not _EMAIL.fullmatch(text):
        raise ProfitError(f"De waarde {shown} bij {named(field_id)} is geen geldig e-mailadres.")
    elif fmt == "uuid" and not _UUID.fullmatch(text):
        raise ProfitError(f"De waarde {shown} bij {named(field_id)} is geen geldige GUID.")
    enum = spec.get("enum")
    if enum is not None:
        canonical = {str(e).upper(): str(e) for e in enum}
        if text.upper() not in canonical:
            raise ProfitError(
                f"De waarde {shown} bij {named(field_id)} is niet toegestaan (toegestaan: {', '.join(enum)})."
            )
        text = canonical[text.upper()]
    max_length = spec.get("maxLength")
    if max_length is not None and len(text) > int(max_length):
        raise ProfitError(
            f"De waarde bij {named(field_id)} is te lang: {len(text)} tekens, maximaal {max_length}."
        )
    return text


def _as_elements(value: Any, connector: str, name: str) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return value
    raise structure_error(
        connector, f"'Element' bij '{name}' moet een object of een lijst van objecten zijn."
    )


def _as_objects(value: Any, connector: str, name: str) -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        return list(value.items())
    if isinstance(value, list) and all(isinstance(v, dict) and len(v) == 1 for v in value):
        return [next(iter(v.items())) for v in value]
    raise structure_error(
        connector, f"'Objects' bij '{name}' moet een object of een lijst van objecten met één sleutel zijn."
    )


def missing_required(spec: dict[str, Any], fields: dict[str, Any], connector: str, name: str) -> None:
    for field_id, field_spec in spec["fields"].items():
        if field_spec.get("required") and fields.get(field_id) is None:
            raise ProfitError(
                f"UpdateConnector '{connector}': het veld {named(field_id)} in '{name}' is verplicht."
            )


def _element(
    raw: dict[str, Any],
    spec: dict[str, Any],
    insert_spec: dict[str, Any] | None,
    name: str,
    connector: str,
    is_insert: bool,
    sub: bool,
) -> Element:
    keys_spec = spec.get("keys", {})
    for key in raw:
        if key not in ("Fields", "Objects") and key not in keys_spec:
            raise structure_error(connector, f"onbekend onderdeel '{key}' bij '{name}'.")
    raw_fields = raw.get("Fields", {})
    if not isinstance(raw_fields, dict):
        raise structure_error(connector, f"'Fields' bij '{name}' is geen object.")
    element = Element(name)
    for key, key_spec in keys_spec.items():
        if key in raw:
            element.keys[key] = coerce(raw[key], key_spec, key.lstrip("@"))
        if (
            key_spec.get("required")
            and element.keys.get(key) is None
            and raw_fields.get(key[1:]) in (None, "")
        ):
            raise ProfitError(
                f"UpdateConnector '{connector}': de sleutel {named(key[1:])} van '{name}' is verplicht."
            )
    for field_id, value in raw_fields.items():
        if field_id == "@Action":
            if not sub or value not in ACTIONS:
                raise structure_error(connector, f"ongeldige @Action {json.dumps(value)} bij '{name}'.")
            element.fields["@Action"] = value
            continue
        field_spec = spec["fields"].get(field_id)
        if field_spec is None:
            raise ProfitError(
                f"UpdateConnector '{connector}': het veld '{field_id}' bestaat niet in '{name}'."
            )
        if field_spec.get("forbidden"):
            raise ProfitError(
                f"UpdateConnector '{connector}': het veld {named(field_id)} in '{name}' mag niet worden aangeleverd."
            )
        element.fields[field_id] = coerce(value, field_spec, field_id)
    if sub and not is_insert:
        key_field = SUB_KEYS.get(name)
        is_insert = element.action == "insert" or (
            element.action is None and key_field is not None and element.fields.get(key_field) is None
        )
    missing_required(insert_spec if is_insert and insert_spec else spec, element.fields, connector, name)
    if "Objects" in raw:
        for sub_name, sub_value in _as_objects(raw["Objects"], connector, name):
            sub_spec = spec["objects"].get(sub_name)
            if sub_spec is None:
                raise structure_error(connector, f"onbekend object '{sub_name}' bij '{name}'.")
            if not isinstance(sub_value, dict) or set(sub_value) != {"Element"}:
                raise structure_error(connector, f"object '{sub_name}' moet precies één 'Element' bevatten.")
            sub_insert_spec = (insert_spec or spec)["objects"].get(sub_name) if insert_spec else None
            element.objects.setdefault(sub_name, []).extend(
                _element(e, sub_spec, sub_insert_spec, sub_name, connector, is_insert, True)
                for e in _as_elements(sub_value["Element"], connector, sub_name)
            )
    return element


def validate_body(connector: str, verb: str, body: Any, lines_only_insert: bool = False) -> list[Element]:
    """Validate a whole UpdateConnector body for ``verb`` (POST or PUT); returns its elements.

    ``lines_only_insert``: the sub-object URL form (``POST /connectors/FbSales/FbSalesLines``) updates the
    header like a PUT and inserts every line, so lines get the insert's required fields."""
    connector_spec = schema()["update"].get(connector, {})
    spec = connector_spec.get(verb)
    if spec is None:
        raise ProfitError(UPDATE_NOT_ALLOWED, NOT_AUTHORISED, status=401)
    if not isinstance(body, dict) or list(body) != [connector] or not isinstance(body[connector], dict):
        raise structure_error(connector, f"de body moet precies één object '{connector}' bevatten.")
    root = body[connector]
    if list(root) != ["Element"]:
        raise structure_error(connector, f"'{connector}' moet precies één 'Element' bevatten.")
    insert_spec = connector_spec.get("POST") if verb == "PUT" else None
    elements = []
    for raw in _as_elements(root["Element"], connector, connector):
        if lines_only_insert:
            for name, objects in _as_objects(raw.get("Objects", {}), connector, connector):
                for line in _as_elements(
                    objects.get("Element") if isinstance(objects, dict) else None, connector, name
                ):
                    if (
                        isinstance(line.get("Fields"), dict)
                        and line["Fields"].get("@Action", "insert") != "insert"
                    ):
                        raise structure_error(
                            connector, f"via deze URL kunnen regels in '{name}' alleen worden toegevoegd."
                        )
        elements.append(_element(raw, spec, insert_spec, connector, connector, verb == "POST", False))
    return elements
