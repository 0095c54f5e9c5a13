"""What the UpdateConnectors do with a validated body: create relations, orders and direct invoices,
update and delete orders — with the referential checks and refusals of a strict environment."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from emulators.afas.state import AfasState, Debtor, SalesLine, SalesOrder, guid
from emulators.afas.validate import FK_ERROR, GENERIC_ERROR, ProfitError

LABELS = {
    "DbId": "Verkooprelatie", "ItCd": "Itemcode", "BiUn": "Eenheid", "Unit": "Administratie", "JoCo": "Dagboek factuur",
    "PrId": "Project", "War": "Magazijn", "VaRc": "Btw-tariefgroep", "CoId": "Land", "CuId": "Valuta",
    "PaCd": "Betalingsvoorwaarde", "PaTp": "Betaalwijze", "OrNu": "Nummer",
}  # fmt: skip


def missing(field_id: str) -> ProfitError:
    return ProfitError(f"De ingevulde waarde bij '{LABELS.get(field_id, field_id)}' bestaat niet.", FK_ERROR)


def _check(state: AfasState, fields: dict[str, Any], field_id: str, allowed: Any) -> None:
    value = fields.get(field_id)
    if value in (None, ""):
        return
    if value not in allowed:
        raise missing(field_id)


def check_addresses(state: AfasState, objects: dict[str, list[dict[str, Any]]]) -> None:
    for name in ("KnBasicAddressAdr", "KnBasicAddressPad"):
        for address in objects.get(name, []):
            country = address["fields"].get("CoId")
            if not country:
                raise ProfitError(
                    "Bij een adres moet altijd een landcode (CoId) worden ingevuld.", GENERIC_ERROR
                )
            if country not in state.catalogue.countries:
                raise missing("CoId")


def _address_line(objects: dict[str, list[dict[str, Any]]]) -> str:
    for address in objects.get("KnBasicAddressAdr", []):
        f = address["fields"]
        return f"{f.get('Ad', '')} {f.get('HmNr', '')}{f.get('HmAd', '')}, {f.get('ZpCd', '')} {f.get('Rs', '')}".strip()
    return ""


def upsert_relation(
    state: AfasState, connector: str, verb: str, element: dict[str, Any], now: datetime
) -> dict[str, Any]:
    fields, objects = element["fields"], element["objects"]
    debtor_id = element["keys"].get("@DbId")
    inner_name = "KnPerson" if connector == "KnSalesRelationPer" else "KnOrganisation"
    _check(state, fields, "CuId", state.catalogue.currencies)
    _check(state, fields, "PaCd", state.catalogue.payment_conditions)
    if verb == "PUT":
        if not debtor_id or str(debtor_id) not in state.debtors:
            raise missing("DbId")
        debtor = state.debtors[str(debtor_id)]
        if "PaCd" in fields:
            debtor.payment_condition = fields["PaCd"] or ""
        return {"DbId": debtor.debtor_id, "BcCo": debtor.bcco}
    inner = objects.get(inner_name)
    if not inner:
        raise ProfitError(f"{connector} bevat geen {inner_name}-object.", GENERIC_ERROR)
    subject = inner[0]
    sf, so = subject["fields"], subject["objects"]
    match_code = sf.get("MatchPer" if inner_name == "KnPerson" else "MatchOga")
    check_addresses(state, so)
    for contact in so.get("KnContact", []):
        check_addresses(state, contact["objects"])
    if debtor_id is not None and str(debtor_id) in state.debtors:
        raise ProfitError(f"Verkooprelatie '{debtor_id}' bestaat al.", GENERIC_ERROR)
    if match_code == "0":  # link an existing person/organisation by BcCo
        if not sf.get("BcCo"):
            raise ProfitError("Bij zoeken op BcCo (MatchPer/MatchOga 0) is BcCo verplicht.", GENERIC_ERROR)
        bcco = str(sf["BcCo"])
    elif match_code in ("1", "2", "3", "4", "5"):
        email = (sf.get("EmAd") or "").casefold()
        name = (sf.get("LaNm") or sf.get("Nm") or "").casefold()
        found = [
            d
            for d in state.debtors.values()
            if d.email.casefold() == email and name and name in d.name.casefold()
        ]
        if len(found) > 1:
            raise ProfitError(
                "Er zijn meerdere personen/organisaties gevonden met deze zoekcriteria.", GENERIC_ERROR
            )
        bcco = found[0].bcco if found else state.new_bcco()
    else:
        auto = sf.get("AutoNum")
        if auto is False and not sf.get("BcCo"):
            raise ProfitError("Het veld 'BcCo' is verplicht als 'AutoNum' niet aan staat.", GENERIC_ERROR)
        bcco = str(sf["BcCo"]) if auto is False else state.new_bcco()
    debtor_id = str(debtor_id) if debtor_id is not None else state.new_debtor_id()
    if inner_name == "KnPerson":
        name = (
            " ".join(p for p in (sf.get("FiNm"), sf.get("Is"), sf.get("LaNm")) if p) or sf.get("SeNm") or bcco
        )
    else:
        name = sf.get("Nm") or bcco
    contact = next((c for c in so.get("KnContact", [])), None)
    state.debtors[debtor_id] = Debtor(
        debtor_id=debtor_id,
        kind="person" if inner_name == "KnPerson" else "organisation",
        bcco=bcco,
        name=str(name),
        search_name=str(sf.get("SeNm") or ""),
        email=str(sf.get("EmAd") or ""),
        phone=str(sf.get("TeNr") or ""),
        vat_number=str(fields.get("VaId") or ""),
        coc_number=str(sf.get("CcNr") or ""),
        currency=str(fields.get("CuId") or "EUR"),
        payment_condition=str(fields.get("PaCd") or ""),
        address_line=_address_line(so),
        created=now,
        contact_person=(contact["fields"].get("EmAd") if contact else None),
    )
    return {"DbId": debtor_id, "BcCo": bcco}


def _check_header(state: AfasState, fields: dict[str, Any]) -> None:
    if fields.get("DbId") not in (None, "") and str(fields["DbId"]) not in state.debtors:
        raise missing("DbId")
    unit = fields.get("Unit")
    if unit is not None and unit not in state.catalogue.administrations:
        raise missing("Unit")
    if fields.get("JoCo"):
        journals = state.catalogue.journals.get(unit if unit is not None else 1, {})
        if fields["JoCo"] not in journals:
            raise missing("JoCo")
    _check(state, fields, "PrId", state.catalogue.projects)
    _check(state, fields, "War", state.catalogue.warehouses)
    _check(state, fields, "CuId", state.catalogue.currencies)
    _check(state, fields, "PaCd", state.catalogue.payment_conditions)
    _check(state, fields, "PaTp", state.catalogue.payment_types)


def _check_line(state: AfasState, fields: dict[str, Any]) -> None:
    code = fields.get("ItCd")
    item = state.catalogue.items.get(str(code)) if code is not None else None
    if item is None or item["type"] != str(fields.get("VaIt")):
        raise missing("ItCd")
    if fields.get("BiUn") not in item["units"]:
        raise missing("BiUn")
    _check(state, fields, "VaRc", state.catalogue.vat_codes)
    _check(state, fields, "War", state.catalogue.warehouses)


def _lines_of(connector: str, element: dict[str, Any]) -> list[dict[str, Any]]:
    return element["objects"].get(f"{connector}Lines", [])


def insert_sales(state: AfasState, connector: str, element: dict[str, Any], now: datetime) -> dict[str, Any]:
    fields = dict(element["fields"])
    if fields.get("OrNu"):
        raise ProfitError(
            "Het veld 'Nummer' mag niet worden gevuld: voor verkooporders staat autonummering aan en afwijken "
            "van de nummering is niet toegestaan.",
            GENERIC_ERROR,
        )
    if not fields.get("DbId"):
        raise ProfitError("Het veld 'Verkooprelatie' (DbId) is verplicht.", GENERIC_ERROR)
    _check_header(state, fields)
    lines = []
    for seq, line in enumerate(_lines_of(connector, element), start=1):
        line_fields = {k: v for k, v in line["fields"].items() if k != "@Action"}
        _check_line(state, line_fields)
        lines.append(SalesLine(guid=guid(), seq=seq, fields=line_fields))
    if not lines:
        raise ProfitError("Een order moet minimaal één regel bevatten.", GENERIC_ERROR)
    number = state.new_order_number(connector)
    order = SalesOrder(connector, number, fields, lines, "open", now, now)
    if connector == "FbDirectInvoice":
        order.state = "invoiced"
        order.invoice_number = state.new_invoice_number()
    state.orders[number] = order
    keys: dict[str, Any] = {"OrNu": number}
    if connector == "FbDirectInvoice":
        keys["Liln"] = order.invoice_number
    return keys


def update_sales(state: AfasState, connector: str, element: dict[str, Any], now: datetime) -> dict[str, Any]:
    fields = dict(element["fields"])
    number = str(fields.pop("OrNu", "") or "")
    order = state.orders.get(number)
    if not number or order is None or order.connector != connector:
        raise missing("OrNu")
    if order.state != "open":
        raise ProfitError(
            f"Order {number} is al (gedeeltelijk) geleverd of gefactureerd en kan niet meer worden gewijzigd.",
            GENERIC_ERROR,
        )
    _check_header(state, {**order.fields, **fields})
    pending = [SalesLine(ln.guid, ln.seq, dict(ln.fields)) for ln in order.lines]
    for line in _lines_of(connector, element):
        lf = dict(line["fields"])
        action = lf.pop("@Action", None)
        line_guid = lf.pop("GuLi", None)
        if line_guid is None or action == "insert":
            if action not in (None, "insert"):
                raise ProfitError(
                    "Voor het wijzigen of verwijderen van een regel is de GUID (GuLi) nodig.", GENERIC_ERROR
                )
            _check_line(state, lf)
            pending.append(SalesLine(guid(), max((ln.seq for ln in pending), default=0) + 1, lf))
            continue
        target = next((ln for ln in pending if ln.guid == line_guid), None)
        if target is None:
            raise ProfitError(f"Regel met GUID {line_guid} bestaat niet in order {number}.", FK_ERROR)
        if action == "delete":
            pending.remove(target)
        else:
            merged = {**target.fields, **lf}
            _check_line(state, merged)
            target.fields = merged
    if not pending:
        raise ProfitError("Een order moet minimaal één regel bevatten.", GENERIC_ERROR)
    order.fields.update(fields)
    order.lines = pending
    order.modified = now
    return {"OrNu": number}


def delete_sales(state: AfasState, connector: str, number: str) -> None:
    order = state.orders.get(number)
    if order is None or order.connector != connector:
        raise missing("OrNu")
    if order.state != "open":
        raise ProfitError(
            f"Order {number} is al (gedeeltelijk) geleverd of gefactureerd en kan niet worden verwijderd.",
            GENERIC_ERROR,
        )
    del state.orders[number]


def line_count(order: SalesOrder) -> Decimal:
    return sum((Decimal(ln.fields.get("QuUn") or 0) for ln in order.lines), Decimal("0"))
