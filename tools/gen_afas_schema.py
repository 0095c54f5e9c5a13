"""Generate ``emulators/afas/schema.json`` from AFAS's own OpenAPI specs.

    python tools/gen_afas_schema.py [SPEC_DIR]    (default ../shared/reference/afas-openapi)

For each UpdateConnector the integration uses, per verb (POST and PUT differ): the element's key
attributes, every field id with its type, format, maxLength, enum and whether it is required, and the
nested objects likewise. For each GetConnector it reads: the row fields with their types. The output is
compact and deterministic (sorted keys); the emulator only ever reads the generated file, never the specs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "emulators" / "afas" / "schema.json"
DEFAULT_SPECS = Path("..") / "shared" / "reference" / "afas-openapi"

UPDATE = {
    "verkoop_en_orders.json": ["FbSales", "FbDirectInvoice"],
    "organisaties_en_personen.json": ["KnSalesRelationPer", "KnSalesRelationOrg"],
}
GET = {
    "verkoop_en_orders.json": ["Profit_Salesorders", "Profit_SalesorderLines", "Profit_SalesPrice"],
    "artikelen.json": ["Profit_Article", "Profit_Article_Basic", "Profit_Barcode_per_Item"],
    "mutaties.json": ["Profit_Debtor", "Profit_Administrations", "Profit_Journals"],
    "magazijn.json": ["Profit_Stock_per_Warehouse", "Profit_Warehouses"],
}
# The spec has no schema for key attributes; AFAS's own examples put the debtor number on the element as
# "@DbId" (reference afas-profit-api.md §3.1, §7.1-§7.5), and the PUT schema's required "DbId" is that key.
KEY_ATTRIBUTES = {"KnSalesRelationPer": "DbId", "KnSalesRelationOrg": "DbId"}
# Corrections where AFAS's own documentation says the spec's "required" is wrong (reference §4.1, §9.9):
# - BcId: "Lever het veld 'BcId' niet aan" (HELP App_Conect_UpdDsc_020) although the spec requires it;
#   it is marked forbidden, so the emulator refuses it.
# - CdDa: "marked as required but you can use the endpoint without this" (OAS news-profit3.md).
# - BcCo: mandatory only when AutoNum is false (HELP EN _020, reference §4.6); the emulator checks that.
# - BeginDate: not needed for a new address (HELP _020, reference §4.1).
# - PadAdr, AutoNum, AddToPortal: AFAS's own examples "match BcCo" and "minimaal bestaande persoon"
#   (reference §7.3, §7.4) link an existing person without them.
FORBIDDEN = {"BcId"}
NOT_REQUIRED = {"BcId", "CdDa", "BcCo", "BeginDate", "PadAdr", "AutoNum", "AddToPortal"}
# Formats that constrain a value; the spec's other formats ("password", "byte", "number") are UI hints
# that AFAS's own examples do not follow (e.g. "Re" is "byte" but sent as plain text, §7.13).
FORMATS = {"date", "date-time", "email", "uuid"}


def field_spec(prop: dict[str, Any], field_id: str, required: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"type": prop.get("type", "string")}
    if prop.get("format") in FORMATS:
        out["format"] = prop["format"]
    if "maxLength" in prop:
        out["maxLength"] = prop["maxLength"]
    if "enum" in prop:
        out["enum"] = [str(v) for v in prop["enum"]]
    if required:
        out["required"] = True
    if field_id in FORBIDDEN:
        out["forbidden"] = True
    return out


def element_spec(element: dict[str, Any]) -> dict[str, Any]:
    """An Element schema (object or array of objects) → ``{"fields": …, "objects": …}``."""
    if element.get("type") == "array":
        element = element.get("items", {})
    props = element.get("properties", {})
    fields_schema = props.get("Fields", {})
    required = set(fields_schema.get("required", [])) - NOT_REQUIRED
    fields = {
        fid: field_spec(prop, fid, fid in required)
        for fid, prop in fields_schema.get("properties", {}).items()
    }
    objects_schema = props.get("Objects", {})
    objects_schema = objects_schema.get("items", objects_schema)
    objects = {
        name: element_spec(sub.get("properties", {}).get("Element", {}))
        for name, sub in objects_schema.get("properties", {}).items()
    }
    return {"fields": fields, "objects": objects}


def connector_spec(schemas: dict[str, Any], connector: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for verb in ("POST", "PUT"):
        schema = schemas.get(f"{connector}_{verb}")
        if schema is None:
            continue
        spec = element_spec(schema["properties"][connector]["properties"]["Element"])
        key = KEY_ATTRIBUTES.get(connector)
        spec["keys"] = {}
        if key:
            key_field = dict(spec["fields"][key])
            # On PUT the spec requires the key; it may come as "@DbId" or as a field (§7.5 uses "@DbId").
            key_field.pop("required", None)
            spec["fields"][key].pop("required", None)
            if verb == "PUT":
                key_field["required"] = True
            spec["keys"][f"@{key}"] = key_field
        out[verb] = spec
    return out


def get_spec(spec: dict[str, Any], connector: str) -> dict[str, Any]:
    response = spec["paths"][f"/connectors/{connector}"]["get"]["responses"]["200"]
    rows = response["content"]["application/json"]["schema"]["properties"]["rows"]["items"]["properties"]
    fields = {}
    for fid, prop in rows.items():
        field: dict[str, Any] = {"type": prop.get("type", "string"), "label": prop.get("description", fid)}
        # The spec types dates as plain strings; AFAS returns "YYYY-MM-DDTHH:MM:SSZ" (reference §2.2, §7.7)
        # and filters them as dates, so they are marked here — also Profit_Article_Basic's "DateModified"
        # (a "Dummy date field", named the other way round).
        if fid.endswith("Date") or fid.startswith("Date"):
            field["format"] = "date-time"
        fields[fid] = field
    return {
        # Some summaries end in spaces ("Stock (virtual) by item  ").
        "description": spec["paths"][f"/connectors/{connector}"]["get"].get("summary", "").strip(),
        "fields": fields,
    }


def generate(spec_dir: Path) -> dict[str, Any]:
    update: dict[str, Any] = {}
    get: dict[str, Any] = {}
    for filename in sorted({*UPDATE, *GET}):
        spec = json.loads((spec_dir / filename).read_text(encoding="utf-8"))
        for connector in UPDATE.get(filename, []):
            update[connector] = connector_spec(spec["components"]["schemas"], connector)
        for connector in GET.get(filename, []):
            get[connector] = get_spec(spec, connector)
    return {
        "source": "AFASSoftware/OASContent OpenApiSpecs/profit/en, generated by tools/gen_afas_schema.py",
        "update": update,
        "get": get,
    }


def render(spec_dir: Path) -> str:
    return json.dumps(generate(spec_dir), sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n"


def main() -> None:
    spec_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SPECS
    OUT.write_text(render(spec_dir), encoding="utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes) from {spec_dir}")


if __name__ == "__main__":
    main()
