"""GetConnector rows and the filter/sort/paging semantics AFAS documents.

Filters: ``filterfieldids``/``filtervalues``/``operatortypes`` with ``,`` = AND and ``;`` = OR (the
same separator positions in all three lists, else an error), or ``filterjson`` (fields within a filter
AND, filters OR). Operators 1–15. Text compares case-insensitively, like Profit's SQL Server collation.
Without ``orderbyfieldids`` rows come in a stable but arbitrary order, so a client that pages without
sorting can miss rows, as AFAS warns.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from emulators.afas.state import STATUS_TEXT, AfasState
from emulators.afas.validate import GENERIC_ERROR, ProfitError, schema

CUSTOM_DIRECT_INVOICES = "Lightspeed_DirectInvoices"
CUSTOM_FIELDS = {
    "InvoiceNumber": "string",
    "OrderNumber": "string",
    "DebtorId": "string",
    "CustomerReference": "string",
    "InvoiceDate": "string",
    "Status": "string",
    "TotalAmount": "number",
    "VAT": "number",
}


def field_types(connector: str) -> dict[str, str]:
    if connector == CUSTOM_DIRECT_INVOICES:
        return CUSTOM_FIELDS
    return {fid: spec["type"] for fid, spec in schema()["get"][connector].items()}


def known_connectors() -> list[str]:
    return sorted([*schema()["get"], CUSTOM_DIRECT_INVOICES])


def afas_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def rows_for(connector: str, state: AfasState) -> list[dict[str, Any]]:
    rates = state.catalogue.vat_codes
    if connector == "Profit_Debtor":
        return [
            {
                "DebtorId": d.debtor_id,
                "DebtorName": d.name,
                "BcCo": d.bcco,
                "SearchName": d.search_name,
                "AdressLine1": d.address_line or None,
                "AdressLine3": None,
                "AdressLine4": None,
                "TelNr": d.phone or None,
                "Email": d.email or None,
                "IBAN": None,
                "VatNr": d.vat_number or None,
                "ChOfCommNr": d.coc_number or None,
                "CollectAccount": None,
                "PayCon": d.payment_condition or None,
                "VatDuty": None,
                "Blocked": False,
                "CreditLimit": 0,
                "CurrencyId": d.currency,
                "AutoPayment": False,
                "CreateDate": afas_time(d.created),
                "ModifiedDate": afas_time(d.created),
            }
            for d in state.debtors.values()
        ]
    if connector == "Profit_Salesorders":
        out = []
        for o in state.orders.values():
            if o.connector != "FbSales":
                continue
            t = o.totals(rates)
            out.append(
                {
                    "Ordersoort": "Verkooporder",
                    "OrderNumber": o.order_number,
                    "Status": STATUS_TEXT[o.state],
                    "OrderDate": f"{o.fields.get('OrDa') or o.created.date().isoformat()}T00:00:00Z",
                    "DebtorId": o.fields.get("DbId"),
                    "CurrencyId": o.fields.get("CuId") or "EUR",
                    "CustomerReference": o.fields.get("RfCs"),
                    "Gross": float(t["Gross"]),
                    "Discount": 0.0,
                    "TotalAmount": float(t["TotalAmount"]),
                    "VAT": float(t["VAT"]),
                    "Quantity": float(sum(Decimal(ln.fields.get("QuUn") or 0) for ln in o.lines)),
                    "InvoiceTotal": float(t["InvoiceTotal"]),
                }
            )
        return out
    if connector == "Profit_SalesorderLines":
        out = []
        for o in state.orders.values():
            if o.connector != "FbSales":
                continue
            for line, amount, _vat in o.line_amounts(rates):
                f = line.fields
                out.append(
                    {
                        "OrderNumber": o.order_number,
                        "Status": STATUS_TEXT[o.state],
                        "OrderDate": f"{o.fields.get('OrDa') or o.created.date().isoformat()}T00:00:00Z",
                        "DebtorId": o.fields.get("DbId"),
                        "CurrencyId": o.fields.get("CuId") or "EUR",
                        "CustomerReference": o.fields.get("RfCs"),
                        "SeqNo": line.seq,
                        "LineStatusCode": "0" if o.state == "open" else "1",
                        "LineGuid": line.guid,
                        "ItemTypeCode": f.get("VaIt"),
                        "ItemCodeId": f.get("ItCd"),
                        "Description": f.get("Ds"),
                        "UnitId": f.get("BiUn"),
                        "PiecePerUnit": 1.0,
                        "PricePerUnit": float(Decimal(f.get("Upri") or 0)),
                        "AmtRowDiscount": 0.0,
                        "PriceNet": float(Decimal(f.get("Upri") or 0)),
                        "AmtTotal": float(amount),
                        "CreateDate": afas_time(o.created),
                        "ModifiedDate": afas_time(o.modified),
                    }
                )
        return out
    if connector == "Profit_Administrations":
        return [
            {"AdminId": k, "AdminNm": v, "AdminCd": str(k)}
            for k, v in state.catalogue.administrations.items()
        ]
    if connector == "Profit_Journals":
        return [
            {
                "UnitId": unit,
                "JournalId": jid,
                "Description": j["description"],
                "JournalType": j["type"],
                "Blocked": False,
            }
            for unit, journals in state.catalogue.journals.items()
            for jid, j in journals.items()
        ]
    if connector == CUSTOM_DIRECT_INVOICES:
        out = []
        for o in state.orders.values():
            if o.connector != "FbDirectInvoice":
                continue
            t = o.totals(rates)
            out.append(
                {
                    "InvoiceNumber": o.invoice_number,
                    "OrderNumber": o.order_number,
                    "DebtorId": o.fields.get("DbId"),
                    "CustomerReference": o.fields.get("RfCs"),
                    "InvoiceDate": f"{o.fields.get('OrDa') or o.created.date().isoformat()}T00:00:00Z",
                    "Status": STATUS_TEXT[o.state],
                    "TotalAmount": float(t["TotalAmount"]),
                    "VAT": float(t["VAT"]),
                }
            )
        return out
    raise ProfitError(
        "GetConnector niet ondersteund voor deze app of de gebruiker is niet geautoriseerd.", GENERIC_ERROR
    )


def _unknown(field: str) -> ProfitError:
    return ProfitError(f"Connector-veld '{field}' niet gevonden", GENERIC_ERROR)


def parse_filters(params: dict[str, str], types: dict[str, str]) -> list[list[tuple[str, int, str]]]:
    """OR-list of AND-groups of (field, operator, value)."""
    if "filterjson" in params:
        try:
            document = json.loads(params["filterjson"])
            groups = []
            for f in document["Filters"]["Filter"]:
                fields = f["Field"] if isinstance(f["Field"], list) else [f["Field"]]
                groups.append(
                    [(c["@FieldId"], int(c["@OperatorType"]), str(c.get("#text", ""))) for c in fields]
                )
        except (ValueError, KeyError, TypeError):
            raise ProfitError("Er is een onverwachte fout opgetreden.", GENERIC_ERROR) from None
    else:
        ids, values, ops = (params.get(k) for k in ("filterfieldids", "filtervalues", "operatortypes"))
        if ids is None and values is None and ops is None:
            return []
        if ids is None or ops is None:
            raise ProfitError("Er is een onverwachte fout opgetreden.", GENERIC_ERROR)
        values = values or ""
        id_groups, value_groups, op_groups = ids.split(";"), values.split(";"), ops.split(";")
        if not (len(id_groups) == len(value_groups) == len(op_groups)):
            raise ProfitError("Er is een onverwachte fout opgetreden.", GENERIC_ERROR)
        groups = []
        for gi, gv, go in zip(id_groups, value_groups, op_groups, strict=True):
            fi, fv, fo = gi.split(","), gv.split(","), go.split(",")
            if not (len(fi) == len(fv) == len(fo)):
                raise ProfitError("Er is een onverwachte fout opgetreden.", GENERIC_ERROR)
            try:
                groups.append([(f, int(o), v) for f, o, v in zip(fi, fo, fv, strict=True)])
            except ValueError:
                raise ProfitError("Er is een onverwachte fout opgetreden.", GENERIC_ERROR) from None
    for group in groups:
        for field, op, _ in group:
            if field not in types:
                raise _unknown(field)
            if not 1 <= op <= 15:
                raise ProfitError("Er is een onverwachte fout opgetreden.", GENERIC_ERROR)
    return groups


def _typed(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind in ("number", "integer"):
        try:
            return Decimal(str(value))
        except InvalidOperation:
            return None
    if kind == "boolean":
        return str(value).lower() in ("true", "1")
    return str(value).casefold()


def matches(row: dict[str, Any], field: str, op: int, raw: str, kind: str) -> bool:
    value = row.get(field)
    if op == 8:
        return value in (None, "")
    if op == 9:
        return value not in (None, "")
    left, right = _typed(value, kind), _typed(raw, kind)
    if op in (6, 10, 11, 12, 13, 14, 15):
        text, needle = str(value or "").casefold(), raw.casefold()
        return {
            6: needle in text,
            15: needle in text,
            10: text.startswith(needle),
            11: needle not in text,
            12: not text.startswith(needle),
            13: text.endswith(needle),
            14: not text.endswith(needle),
        }[op]
    if left is None or right is None:
        return op == 7 and left != right
    try:
        return {
            1: left == right,
            2: left >= right,
            3: left <= right,
            4: left > right,
            5: left < right,
            7: left != right,
        }[op]
    except TypeError:
        return False


def query(connector: str, state: AfasState, params: dict[str, str]) -> dict[str, Any]:
    types = field_types(connector)
    groups = parse_filters(params, types)
    rows = rows_for(connector, state)
    if groups:
        rows = [r for r in rows if any(all(matches(r, f, op, v, types[f]) for f, op, v in g) for g in groups)]
    order = [s for s in (params.get("orderbyfieldids") or "").split(",") if s]
    if order:
        for spec in reversed(order):
            field, descending = spec.lstrip("-"), spec.startswith("-")
            if field not in types:
                raise _unknown(field)
            rows.sort(
                key=lambda r, f=field: (
                    r.get(f) is None,
                    _typed(r.get(f), types[f]) if r.get(f) is not None else 0,
                ),
                reverse=descending,
            )
    else:
        rows.sort(key=lambda r: hashlib.md5(json.dumps(r, sort_keys=True, default=str).encode()).hexdigest())
    try:
        skip = int(params.get("skip", "0"))
        take = int(params.get("take", "100"))
    except ValueError:
        raise ProfitError("Er is een onverwachte fout opgetreden.", GENERIC_ERROR) from None
    if skip == -1:
        page = rows
    elif skip < 0 or take < 0:
        raise ProfitError("Er is een onverwachte fout opgetreden.", GENERIC_ERROR)
    else:
        page = rows[skip : skip + max(take, 1)]  # take=0 returns one row (observed by PracticalAfas)
    return {"skip": skip, "take": take, "rows": page}


def metainfo_get(connector: str) -> dict[str, Any]:
    types = field_types(connector)
    labels = schema()["get"].get(connector, {})
    return {
        "name": connector,
        "description": connector,
        "fields": [
            {
                "id": fid,
                "fieldId": fid,
                "dataType": {"string": "string", "number": "decimal", "integer": "int", "boolean": "boolean"}[
                    kind
                ],
                "label": labels.get(fid, {}).get("label", fid),
                "length": 0,
                "controlType": 1,
                "decimals": 2 if kind == "number" else 0,
                "decimalsFieldId": "",
            }
            for fid, kind in types.items()
        ],
    }
