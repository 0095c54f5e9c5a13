"""``FbSales`` (sales orders) and ``FbDirectInvoice`` (direct invoices): insert, update, delete, with
the referential checks of a strict environment (reference §3.2, §4.3–§4.6).

- Autonumbering is on and deviating is not allowed: an insert that supplies ``OrNu`` is refused. Sales
  orders get ``OrNu`` from 60000001, direct invoices a packing-slip ``OrNu`` from 70000001 and an invoice
  number (``SinOrNu`` if supplied and unused, else from 80000001), returned as ``Liln`` (its meaning is
  undocumented, reference §4.4/§11; the invoice number is this emulator's choice).
- Every line gets a ``GuLi`` GUID. On PUT (by ``OrNu``) header fields are updated (``""`` clears one);
  lines with ``GuLi`` are updated, or deleted with ``@Action: delete``; lines without ``GuLi`` or with
  ``@Action: insert`` are added. A supplied ``GuLi`` on an inserted line is refused (Profit assigns it).
- Orders are ``open`` until the admin API marks them ``delivered`` or ``invoiced``; then PUT and DELETE are
  refused. Direct invoices are ``invoiced`` at once.
- A line without ``Upri`` gets the item's price (excl. VAT, incl. when ``InVa``), without ``VaRc`` the
  item's VAT code.
- Credits (negative lines, ``CrOr``): ``credits`` checks the document as it will be stored against the
  credit rules (``credit_marking``, ``credit_unit_price``, ``mixed_lines``), may negate the sent ``QuUn``
  (``cror_flips``) and stamps the rounding rule (``negative_rounding``) on the document.
- Once a write has succeeded, ``credits.sync_stock`` books what the order does to stock (see ``stock``; a
  credit's negative lines as ``credit_stock`` says).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from emulators.afas import credits
from emulators.afas.catalogue import ITEM_TYPES
from emulators.afas.errors import ProfitError, does_not_exist
from emulators.afas.relations import check_country
from emulators.afas.state import STATUS_TEXT, AfasState, SalesLine, SalesOrder
from emulators.afas.totals import cents
from emulators.afas.validate import Element

HEADER_CODES = (
    ("PrId", "projects", "Project"),
    ("War", "warehouses", "Magazijn"),
    ("CuId", "currencies", "Valuta"),
    ("PaCd", "payment_conditions", "Betalingsvoorwaarde"),
    ("PaTp", "payment_types", "Betaalwijze"),
)
DOCUMENT = {"FbSales": "Verkooporder", "FbDirectInvoice": "Directe factuur"}


def check_header(state: AfasState, fields: dict[str, Any]) -> None:
    catalogue = state.catalogue
    for field_id, label in (("DbId", "Verkooprelatie"), ("FaTo", "Factureren aan")):
        if fields.get(field_id) is not None and str(fields[field_id]) not in state.debtors:
            raise does_not_exist(label)
    unit = fields.get("Unit")
    if unit is not None and not catalogue.has("administrations", unit):
        raise does_not_exist("Administratie")
    if fields.get("JoCo") is not None and not catalogue.has("journals", fields["JoCo"], unit):
        raise does_not_exist("Dagboek factuur")
    for field_id, section, label in HEADER_CODES:
        if fields.get(field_id) is not None and not catalogue.has(section, fields[field_id]):
            raise does_not_exist(label)
    check_country(state, fields)


def check_line(state: AfasState, fields: dict[str, Any], incl_vat: bool) -> dict[str, Any]:
    """The line's fields, checked against the catalogue and completed with price list and VAT code."""
    catalogue = state.catalogue
    item_type = str(fields.get("VaIt"))
    item = catalogue.item(fields.get("ItCd"), item_type)
    if item is None:
        raise does_not_exist(ITEM_TYPES.get(item_type, "Itemcode"))
    unit = str(fields.get("BiUn") or "").casefold()
    if unit not in {u.casefold() for u in item.get("units", [])}:
        raise does_not_exist("Eenheid")
    if fields.get("VaRc") is not None and not catalogue.has("vat_codes", fields["VaRc"]):
        raise does_not_exist("Btw-tariefgroep")
    if fields.get("War") is not None and not catalogue.has("warehouses", fields["War"]):
        raise does_not_exist("Magazijn")
    completed = dict(fields)
    if completed.get("VaRc") is None and item.get("vat_code") is not None:
        completed["VaRc"] = item["vat_code"]
    if completed.get("Upri") is None:
        price = Decimal(str(item.get("price", "0")))
        if incl_vat:
            rate = catalogue.vat_codes.get(str(completed.get("VaRc")), Decimal("0"))
            price = cents(price * (1 + rate), state.credits.negative_rounding)
        completed["Upri"] = price
    return completed


def _lines_of(connector: str, element: Element) -> list[Element]:
    return element.sub(f"{connector}Lines")


def _new_line(state: AfasState, seq: int, fields: dict[str, Any], header: dict[str, Any]) -> SalesLine:
    """A line to insert (its ``QuUn`` as booked); sequence numbers are never reused within an order."""
    if fields.get("GuLi") is not None:
        raise ProfitError(
            "Het veld 'GUID regel' (GuLi) wordt bij het toevoegen van een regel door Profit bepaald."
        )
    line_fields = check_line(
        state, {k: v for k, v in fields.items() if k != "@Action"}, bool(header.get("InVa"))
    )
    if line_fields.get("QuUn") is not None:
        line_fields["QuUn"] = credits.booked_quantity(state.credits, header, line_fields["QuUn"])
    return SalesLine(state.guid(), seq, line_fields)


def insert(state: AfasState, connector: str, element: Element) -> dict[str, str]:
    fields = {k: v for k, v in element.fields.items() if v is not None}
    if fields.get("OrNu") is not None:
        raise ProfitError(
            "Het veld 'Nummer' (OrNu) mag niet worden gevuld: voor dit nummer staat autonummering aan en "
            "afwijken van de voorgestelde nummering is niet toegestaan."
        )
    check_header(state, fields)
    lines: list[SalesLine] = []
    for seq, line in enumerate(_lines_of(connector, element), start=1):
        lines.append(_new_line(state, seq, line.fields, fields))
    if not lines:
        raise ProfitError(f"Een {DOCUMENT[connector].lower()} moet minimaal één regel bevatten.")
    credits.check_document(state.credits, DOCUMENT[connector], fields, lines)
    invoice_number = None
    if connector == "FbDirectInvoice":
        invoice_number = fields.pop("SinOrNu", None)
        if invoice_number is not None and any(
            o.invoice_number == invoice_number for o in state.orders.values()
        ):
            raise ProfitError(
                f"Factuurnummer '{invoice_number}' bestaat al; factuurnummers zijn uniek in de omgeving."
            )
        invoice_number = invoice_number or state.new_invoice_number()
    now = state.now()
    number = state.new_order_number(connector)
    state.orders[number] = SalesOrder(
        connector,
        number,
        fields,
        lines,
        "invoiced" if connector == "FbDirectInvoice" else "open",
        now,
        now,
        invoice_number,
        state.credits.negative_rounding,
    )
    credits.sync_stock(state, state.orders[number], number)
    if connector == "FbDirectInvoice":
        return {"OrNu": number, "Liln": str(invoice_number)}
    return {"OrNu": number}


def _open_order(state: AfasState, connector: str, number: Any, verb: str) -> SalesOrder:
    order = state.orders.get(str(number)) if number is not None else None
    if order is None or order.connector != connector:
        raise does_not_exist("Nummer")
    if order.state != "open":
        done = STATUS_TEXT[order.state].lower()
        raise ProfitError(
            f"{DOCUMENT[connector]} {order.number} is {done} en kan niet meer worden "
            f"{'verwijderd' if verb == 'DELETE' else 'gewijzigd'}."
        )
    return order


def update(state: AfasState, connector: str, element: Element) -> dict[str, str]:
    order = _open_order(state, connector, element.fields.get("OrNu"), "PUT")
    header = dict(order.fields)
    for field_id, value in element.fields.items():
        if field_id == "OrNu":
            continue
        if value is None:
            if field_id == "DbId":
                raise ProfitError("Het veld 'Verkooprelatie' (DbId) kan niet worden leeggemaakt.")
            header.pop(field_id, None)
        else:
            header[field_id] = value
    check_header(state, header)
    incl = bool(header.get("InVa"))
    lines = [SalesLine(ln.guid, ln.seq, dict(ln.fields)) for ln in order.lines]
    next_seq = max((ln.seq for ln in order.lines), default=0) + 1
    for line in _lines_of(connector, element):
        action, guid = line.action, line.fields.get("GuLi")
        if action == "insert" or (action is None and guid is None):
            lines.append(_new_line(state, next_seq, line.fields, header))
            next_seq += 1
            continue
        if guid is None:
            raise ProfitError(
                "Voor het wijzigen of verwijderen van een regel is 'GUID regel' (GuLi) verplicht."
            )
        target = next((ln for ln in lines if ln.guid.upper() == str(guid).upper()), None)
        if target is None:
            raise does_not_exist("GUID regel")
        if action == "delete":
            lines.remove(target)
            continue
        merged = dict(target.fields)
        for field_id, value in line.fields.items():
            if field_id in ("@Action", "GuLi"):
                continue
            if value is None:
                merged.pop(field_id, None)
            else:
                merged[field_id] = value
        target.fields = check_line(state, merged, incl)
        if line.fields.get("QuUn") is not None:
            target.fields["QuUn"] = credits.booked_quantity(state.credits, header, line.fields["QuUn"])
    if not lines:
        raise ProfitError(f"Een {DOCUMENT[connector].lower()} moet minimaal één regel bevatten.")
    credits.check_document(state.credits, DOCUMENT[connector], header, lines, previous=order.fields)
    order.fields = header
    order.lines = lines
    order.modified = state.now()
    order.rounding = state.credits.negative_rounding
    credits.sync_stock(state, order, order.number)
    return {"OrNu": order.number}


def delete(state: AfasState, connector: str, number: str) -> None:
    order = _open_order(state, connector, number, "DELETE")
    del state.orders[order.number]
    credits.sync_stock(state, None, order.number)
