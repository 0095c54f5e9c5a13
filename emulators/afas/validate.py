"""Validation of UpdateConnector bodies the way AFAS refuses them: field ids, types, lengths, enums and
required fields from AFAS's OpenAPI specs (``schema.json``); references checked against the catalogue
elsewhere. Every refusal is a ``ProfitError`` that becomes an HTTP 500 with ``externalMessage``.
"""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

SCHEMA_FILE = Path(__file__).with_name("schema.json")
FK_ERROR = -2147220469  # "De ingevulde waarde bij '…' bestaat niet." (reference §5)
GENERIC_ERROR = -2147180999  # "Er is een onverwachte fout opgetreden."
NOT_AUTHORISED = -2147180996
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class ProfitError(Exception):
    """A refusal with AFAS's error body; ``status`` 500 unless said otherwise."""

    def __init__(self, message: str, error_number: int = FK_ERROR, status: int = 500) -> None:
        super().__init__(message)
        self.message = message
        self.error_number = error_number
        self.status = status


@cache
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def as_elements(value: Any, where: str) -> list[dict[str, Any]]:
    """``Element`` may be one object or an array of them (both appear in AFAS's own examples)."""
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list) and all(isinstance(v, dict) for v in value):
        return value
    raise ProfitError(
        f"Ongeldige opbouw bij '{where}': Element moet een object of een lijst van objecten zijn.",
        GENERIC_ERROR,
    )


def as_objects(value: Any, where: str) -> dict[str, Any]:
    """``Objects`` may be an object or an array of single-key objects."""
    if isinstance(value, dict):
        return value
    if isinstance(value, list):
        merged: dict[str, Any] = {}
        for item in value:
            if not isinstance(item, dict):
                raise ProfitError(
                    f"Ongeldige opbouw bij '{where}': Objects bevat geen objecten.", GENERIC_ERROR
                )
            merged.update(item)
        return merged
    raise ProfitError(
        f"Ongeldige opbouw bij '{where}': Objects moet een object of lijst zijn.", GENERIC_ERROR
    )


def coerce(value: Any, spec: dict[str, Any], field_id: str, connector: str) -> Any:
    """The value as AFAS reads it, or a type error (numbers with a comma are refused)."""
    kind = spec.get("type", "string")
    bad = ProfitError(
        f"UpdateConnector '{connector}': de waarde {json.dumps(value, ensure_ascii=False)[:60]} bij veld '{field_id}' "
        f"heeft niet het juiste type ({kind}).",
        GENERIC_ERROR,
    )
    if value is None:
        return None
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false", "0", "1"):
            return value.lower() in ("true", "1")
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        raise bad
    if kind == "integer":
        if isinstance(value, bool):
            raise bad
        if isinstance(value, int):
            return value
        if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
            return int(value)
        raise bad
    if kind == "number":
        if isinstance(value, bool):
            raise bad
        if isinstance(value, (int, float)):
            return Decimal(str(value))
        if isinstance(value, str) and _NUMBER.match(value.strip()):
            try:
                return Decimal(value.strip())
            except InvalidOperation:
                raise bad from None
        raise bad
    if isinstance(value, (dict, list)):
        raise bad
    text = (
        value if isinstance(value, str) else (str(value).lower() if isinstance(value, bool) else str(value))
    )
    if spec.get("format") == "date" and text:
        try:
            date.fromisoformat(text[:10])
        except ValueError:
            raise bad from None
        if len(text) not in (10, 19) or (len(text) == 19 and text[10] != "T"):
            raise bad
    if spec.get("format") == "email" and text and not _EMAIL.match(text):
        raise ProfitError(
            f"UpdateConnector '{connector}': '{text[:60]}' bij veld '{field_id}' is geen geldig e-mailadres.",
            GENERIC_ERROR,
        )
    max_length = spec.get("maxLength")
    if max_length is not None and spec.get("enum") is None and len(text) > int(max_length):
        raise ProfitError(
            f"UpdateConnector '{connector}': de waarde bij veld '{field_id}' is te lang ({len(text)} tekens, "
            f"maximaal {max_length}).",
            GENERIC_ERROR,
        )
    # Codes compare case-insensitively: AFAS's own example sends InPv "a" where the code table says "A".
    if spec.get("enum") is not None and text.upper() not in {str(e).upper() for e in spec["enum"]}:
        raise ProfitError(
            f"UpdateConnector '{connector}': de waarde '{text[:40]}' bij veld '{field_id}' is niet toegestaan "
            f"(toegestaan: {', '.join(spec['enum'][:12])}).",
            GENERIC_ERROR,
        )
    return text


def validate_element(
    element: dict[str, Any],
    spec: dict[str, Any],
    name: str,
    connector: str,
    keys: list[str],
    sub: bool,
    verb: str,
) -> dict[str, Any]:
    """Check one element recursively; returns ``{"keys", "fields", "objects": {name: [elements]}}``."""
    allowed = {"Fields", "Objects", *keys}
    for key in element:
        if key not in allowed:
            raise ProfitError(
                f"UpdateConnector '{connector}': onbekend element '{key}' bij '{name}'.", GENERIC_ERROR
            )
    raw_fields = element.get("Fields", {})
    if not isinstance(raw_fields, dict):
        raise ProfitError(
            f"UpdateConnector '{connector}': Fields bij '{name}' is geen object.", GENERIC_ERROR
        )
    fields: dict[str, Any] = {}
    for field_id, value in raw_fields.items():
        if field_id == "@Action" and sub:
            if value not in ("insert", "update", "delete"):
                raise ProfitError(
                    f"UpdateConnector '{connector}': ongeldige @Action '{value}'.", GENERIC_ERROR
                )
            fields[field_id] = value
            continue
        field_spec = spec["fields"].get(field_id)
        if field_spec is None:
            raise ProfitError(
                f"UpdateConnector '{connector}': het veld '{field_id}' bestaat niet in '{name}'.",
                GENERIC_ERROR,
            )
        fields[field_id] = coerce(value, field_spec, field_id, connector)
    action = fields.get("@Action")
    if verb == "POST" or action == "insert":
        for field_id, field_spec in spec["fields"].items():
            if field_spec.get("required") and fields.get(field_id) in (None, ""):
                raise ProfitError(
                    f"UpdateConnector '{connector}': het veld '{field_id}' bij '{name}' is verplicht.",
                    GENERIC_ERROR,
                )
    objects: dict[str, list[dict[str, Any]]] = {}
    if "Objects" in element:
        for sub_name, sub_value in as_objects(element["Objects"], name).items():
            sub_spec = spec["objects"].get(sub_name)
            if sub_spec is None or not isinstance(sub_value, dict) or set(sub_value) != {"Element"}:
                raise ProfitError(
                    f"UpdateConnector '{connector}': onbekend object '{sub_name}' bij '{name}'.",
                    GENERIC_ERROR,
                )
            objects[sub_name] = [
                validate_element(e, sub_spec, sub_name, connector, [], True, verb)
                for e in as_elements(sub_value["Element"], sub_name)
            ]
    return {"keys": {k: element[k] for k in keys if k in element}, "fields": fields, "objects": objects}


def validate_body(connector: str, verb: str, body: Any) -> list[dict[str, Any]]:
    """Validate a whole UpdateConnector body; returns its elements (usually one)."""
    spec_root = schema()["update"].get(connector)
    if spec_root is None or verb not in spec_root:
        raise ProfitError(
            "General message: Deze UpdateConnector wordt niet ondersteund of de gebruiker is niet geautoriseerd.",
            NOT_AUTHORISED,
        )
    if not isinstance(body, dict) or set(body) != {connector} or not isinstance(body[connector], dict):
        raise ProfitError(f"De body bevat geen '{connector}'-object.", GENERIC_ERROR)
    root = body[connector]
    if set(root) != {"Element"}:
        raise ProfitError(f"UpdateConnector '{connector}': verwacht alleen 'Element'.", GENERIC_ERROR)
    return [
        validate_element(e, spec_root[verb], connector, connector, spec_root.get("keys", []), False, verb)
        for e in as_elements(root["Element"], connector)
    ]
