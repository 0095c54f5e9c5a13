"""``/metainfo`` (reference §1.4, §7.9, §7.10): the connectors a token may use, and their fields.

The per-field ``fieldId``/``length``/``controlType`` of a GetConnector are not in AFAS's specs; here
``fieldId`` repeats the id and ``controlType`` follows §7.10 (1 text, 5 integer; 2 number, 3 check box,
4 date are this emulator's choice). ``/metainfo/update/{id}`` follows the shape of AFAS Connect's
field list (``fieldId``, ``primaryKey``, ``dataType``, ``label``, ``mandatory``, ``length``, ``values`` …)
with nested ``objects``, from the POST schema.
"""

from __future__ import annotations

from typing import Any

from emulators.afas.validate import LABELS, schema

DATA_TYPES = {"string": "string", "integer": "int", "number": "decimal", "boolean": "boolean"}
CONTROL_TYPES = {"string": 1, "number": 2, "boolean": 3, "date": 4, "integer": 5}
UPDATE_DESCRIPTIONS = {
    "FbDirectInvoice": "Directe factuur",
    "FbSales": "Verkooporder",
    "KnSalesRelationOrg": "Verkooprelatie organisatie",
    "KnSalesRelationPer": "Verkooprelatie persoon",
}


def _kind(spec: dict[str, Any]) -> str:
    return "date" if spec.get("format") in ("date", "date-time") else spec.get("type", "string")


def get_fields(name: str, description: str, fields: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {
        "name": name,
        "description": description,
        "fields": [
            {
                "id": fid,
                "fieldId": fid,
                "dataType": "date" if _kind(spec) == "date" else DATA_TYPES[spec["type"]],
                "label": spec.get("label", fid),
                "length": 0,
                "controlType": CONTROL_TYPES[_kind(spec)],
                "decimals": 2 if spec["type"] == "number" else 0,
                "decimalsFieldId": "",
            }
            for fid, spec in fields.items()
        ],
    }


def _update_element(name: str, spec: dict[str, Any]) -> dict[str, Any]:
    keys = [
        {"fieldId": key, "primaryKey": True, "dataType": DATA_TYPES[s["type"]], "label": LABELS.get(key[1:], key),
         "mandatory": bool(s.get("required")), "length": s.get("maxLength", 0), "decimals": 0,
         "decimalFieldId": "", "notZero": False, "controlType": CONTROL_TYPES[_kind(s)], "values": []}
        for key, s in spec.get("keys", {}).items()
    ]  # fmt: skip
    fields = [
        {
            "fieldId": fid,
            "primaryKey": False,
            "dataType": "date" if s.get("format") == "date" else DATA_TYPES[s["type"]],
            "label": LABELS.get(fid, fid),
            "mandatory": bool(s.get("required")),
            "length": s.get("maxLength", 0),
            "decimals": 2 if s["type"] == "number" else 0,
            "decimalFieldId": "",
            "notZero": False,
            "controlType": CONTROL_TYPES[_kind(s)],
            "values": [{"id": v, "description": v} for v in s.get("enum", [])],
        }
        for fid, s in sorted(spec["fields"].items())
        if not s.get("forbidden")
    ]
    return {
        "name": name,
        "fields": keys + fields,
        "objects": [_update_element(sub, sub_spec) for sub, sub_spec in sorted(spec["objects"].items())],
    }


def update_fields(connector: str) -> dict[str, Any]:
    element = _update_element(connector, schema()["update"][connector]["POST"])
    return {"name": connector, "description": UPDATE_DESCRIPTIONS.get(connector, connector), **element}
