"""The rows of the GetConnectors, derived from the emulator's state, with the field ids of AFAS's specs.

- ``Profit_Debtor``: every sales relation; ``Email`` is the person's or organisation's work e-mail
  (``EmAd``), never the private ``EmA2`` (reference §2.3).
- ``Profit_Salesorders`` / ``Profit_SalesorderLines``: sales orders (``FbSales``) only, amounts per
  ``totals``; ``CustomerReference`` is ``RfCs``.
- ``Profit_Administrations``, ``Profit_Journals``: from the catalogue.
- The environment-specific custom connector (default ``Lightspeed_DirectInvoices``): direct invoices
  (``FbDirectInvoice``), which no standard connector lists — the reference (§2.3, §4.7) says looking one up
  by reference needs a custom GetConnector.
- ``Profit_Stock_per_Warehouse``, ``Profit_Warehouses`` and the custom stock connector (default
  ``LightspeedAfas_Stock``): see ``stock`` and ``stock_rows``.
- ``Profit_Article``, ``Profit_Article_Basic``, ``Profit_Barcode_per_Item``, ``Profit_SalesPrice``: see
  ``articles`` and ``article_rows`` (``app`` reads them before falling back on ``rows_for``).

Empty values are ``null``; date-times are Amsterdam local time written as ``YYYY-MM-DDTHH:MM:SSZ``
(AFAS's ``Z`` does not mean UTC, reference §2.2).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from emulators.afas.config import AMSTERDAM
from emulators.afas.countries import AFAS_COUNTRIES
from emulators.afas.state import LINE_STATUS, STATUS_TEXT, AfasState, Debtor, SalesOrder
from emulators.afas.stock_rows import STOCK_DESCRIPTION, stock_fields, stock_rows
from emulators.afas.validate import schema

CUSTOM_FIELDS: dict[str, dict[str, Any]] = {
    "InvoiceNumber": {"type": "string", "label": "Factuurnummer"},
    "OrderNumber": {"type": "string", "label": "Nummer pakbon"},
    "DebtorId": {"type": "string", "label": "Verkooprelatie"},
    "CustomerReference": {"type": "string", "label": "Opdrachtnummer/referentie"},
    "InvoiceDate": {"type": "string", "format": "date-time", "label": "Factuurdatum"},
    "Status": {"type": "string", "label": "Status"},
    "CurrencyId": {"type": "string", "label": "Valuta"},
    "Gross": {"type": "number", "label": "Bedrag excl. btw"},
    "VAT": {"type": "number", "label": "Btw-bedrag"},
    "TotalAmount": {"type": "number", "label": "Totaalbedrag"},
    "InvoiceTotal": {"type": "number", "label": "Factuurtotaal"},
}


def afas_time(moment: datetime) -> str:
    return moment.astimezone(AMSTERDAM).strftime("%Y-%m-%dT%H:%M:%SZ")


def afas_date(value: Any, fallback: datetime) -> str:
    return f"{value}T00:00:00Z" if value else afas_time(fallback)[:10] + "T00:00:00Z"


def _money(value: Decimal) -> float:
    return float(value)


def _text(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def connector_fields(connector: str, state: AfasState, custom: str) -> dict[str, dict[str, Any]] | None:
    """Field id → ``{"type", "format"?, "label"}`` of a GetConnector, or None if unknown."""
    if connector == custom:
        return CUSTOM_FIELDS
    stock = stock_fields(connector, state)
    if stock is not None:
        return stock
    spec = schema()["get"].get(connector)
    return None if spec is None else spec["fields"]


def descriptions(state: AfasState, custom: str) -> dict[str, str]:
    out = {name: spec["description"] or name for name, spec in schema()["get"].items()}
    out[custom] = "Directe facturen (Lightspeed-koppeling)"
    out[state.stock.rules.stock_connector] = STOCK_DESCRIPTION
    return dict(sorted(out.items()))


def _debtor_row(state: AfasState, debtor: Debtor) -> dict[str, Any]:
    contact = state.debtor_contact(debtor)
    person = contact.fields if contact else {}
    address = (
        (contact.addresses.get("KnBasicAddressAdr") or contact.addresses.get("KnBasicAddressPad") or {})
        if contact
        else {}
    )
    f = debtor.fields
    country = address.get("CoId")
    street = " ".join(str(p) for p in (address.get("Ad"), address.get("HmNr"), address.get("HmAd")) if p)
    iban = f.get("Iban") or next(
        (b.get("Iban") for b in (contact.bank_accounts if contact else []) if b.get("Iban")), None
    )
    return {
        "DebtorId": debtor.debtor_id,
        "DebtorName": _text(contact.name if contact else None),
        "BcCo": debtor.bcco,
        "SearchName": _text(person.get("SeNm")),
        "AdressLine1": _text(street),
        "AdressLine3": _text(f"{address.get('ZpCd') or ''}  {str(address.get('Rs') or '').upper()}".strip()),
        "AdressLine4": None if country in (None, "NL") else AFAS_COUNTRIES.get(str(country).upper(), country),
        "TelNr": _text(person.get("TeNr")),
        "Email": _text(person.get("EmAd")),
        "IBAN": _text(iban),
        "VatNr": _text(f.get("VaId")),
        "ChOfCommNr": _text(person.get("CcNr")),
        "CollectAccount": _text(f.get("ColA")),
        "PayCon": _text(f.get("PaCd")),
        "VatDuty": _text(f.get("VaDu")),
        "Blocked": bool(f.get("Bl")),
        "CreditLimit": _money(Decimal(str(f.get("LiAm") or 0))),
        "CurrencyId": _text(f.get("CuId")),
        "AutoPayment": bool(f.get("AuPa")),
        "CreateDate": afas_time(debtor.created),
        "ModifiedDate": afas_time(max(debtor.modified, contact.modified) if contact else debtor.modified),
    }


def _order_head(order: SalesOrder) -> dict[str, Any]:
    return {
        "OrderNumber": order.number,
        "Status": STATUS_TEXT[order.state],
        "OrderDate": afas_date(order.fields.get("OrDa"), order.created),
        "DebtorId": _text(order.fields.get("DbId")),
        "CurrencyId": _text(order.fields.get("CuId")) or "EUR",
        "CustomerReference": _text(order.fields.get("RfCs")),
    }


def _order_rows(state: AfasState) -> list[dict[str, Any]]:
    rows = []
    for order in state.orders.values():
        if order.connector != "FbSales":
            continue
        totals = order.totals(state.catalogue)
        head = _order_head(order)
        rows.append(
            {
                "Ordersoort": "Verkooporder",
                **head,
                **{
                    k: _money(totals[k])
                    for k in ("Gross", "Discount", "TotalAmount", "VAT", "Quantity", "InvoiceTotal")
                },
            }
        )
    return rows


def _line_rows(state: AfasState) -> list[dict[str, Any]]:
    rows = []
    for order in state.orders.values():
        if order.connector != "FbSales":
            continue
        head = _order_head(order)
        for line, amounts in order.amounts(state.catalogue):
            f = line.fields
            rows.append(
                {
                    **head,
                    "SeqNo": line.seq,
                    "LineStatusCode": LINE_STATUS[order.state],
                    "LineGuid": line.guid,
                    "ItemTypeCode": _text(f.get("VaIt")),
                    "ItemCodeId": _text(f.get("ItCd")),
                    "Description": _text(f.get("Ds"))
                    or _text((state.catalogue.item(f.get("ItCd"), f.get("VaIt")) or {}).get("description")),
                    "UnitId": _text(f.get("BiUn")),
                    "PiecePerUnit": _money(amounts.quantity),
                    "PricePerUnit": _money(amounts.price),
                    "AmtRowDiscount": _money(amounts.discount),
                    "PriceNet": _money(amounts.price_net),
                    "AmtTotal": _money(amounts.amount),
                    "CreateDate": afas_time(order.created),
                    "ModifiedDate": afas_time(order.modified),
                }
            )
    return rows


def _invoice_rows(state: AfasState) -> list[dict[str, Any]]:
    rows = []
    for order in state.orders.values():
        if order.connector != "FbDirectInvoice":
            continue
        totals = order.totals(state.catalogue)
        head = _order_head(order)
        rows.append(
            {
                "InvoiceNumber": order.invoice_number,
                "OrderNumber": order.number,
                "DebtorId": head["DebtorId"],
                "CustomerReference": head["CustomerReference"],
                "InvoiceDate": head["OrderDate"],
                "Status": head["Status"],
                "CurrencyId": head["CurrencyId"],
                **{k: _money(totals[k]) for k in ("Gross", "VAT", "TotalAmount", "InvoiceTotal")},
            }
        )
    return rows


def rows_for(connector: str, state: AfasState, custom: str) -> list[dict[str, Any]]:
    if connector == "Profit_Debtor":
        return [_debtor_row(state, d) for d in state.debtors.values()]
    if connector == "Profit_Salesorders":
        return _order_rows(state)
    if connector == "Profit_SalesorderLines":
        return _line_rows(state)
    if connector == "Profit_Administrations":
        return [
            {"AdminId": unit, "AdminNm": name, "AdminCd": str(unit)}
            for unit, name in state.catalogue.administrations.items()
        ]
    if connector == "Profit_Journals":
        return [
            {
                "UnitId": unit,
                "JournalId": code,
                "Description": journal.get("description"),
                "JournalType": journal.get("type"),
                "Blocked": bool(journal.get("blocked", False)),
            }
            for unit, journals in state.catalogue.journals.items()
            for code, journal in journals.items()
        ]
    if connector == custom:
        return _invoice_rows(state)
    stock = stock_rows(connector, state)
    if stock is not None:
        return stock
    raise KeyError(connector)
