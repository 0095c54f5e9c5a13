"""``KnSalesRelationPer`` / ``KnSalesRelationOrg``: sales relations (debtors) with their person or
organisation, as AFAS creates and matches them (reference §4.1, §4.2, §4.6).

- POST needs the ``KnPerson`` / ``KnOrganisation`` object (as MegaChriz/afasprofit's plugin insists).
  ``@DbId`` (or ``Fields.DbId``) absent → the next debtor number; given and new → created with it; given
  and existing → refused.
- PUT needs ``@DbId`` of an existing relation; it updates the relation's fields and, with ``MatchPer`` /
  ``MatchOga`` 9 ("gebruik bovenliggende entiteit"), its person or organisation.
- Matching: ``0`` links the existing person/organisation ``BcCo``; ``7`` (person) / ``6`` (organisation)
  always add a new one; the other codes search on their criteria (person: 1 BSN, 2 name + prefix +
  initials + gender, 3–6 that plus work e-mail / work mobile / work phone / birth date; organisation:
  1 KvK, 2 fiscal number, 3 name, 4 visit address, 5 postal address) — one hit is linked and updated, none
  adds a new one, more than one is refused, as PracticalAfas observed. A new one needs ``BcCo`` unless
  ``AutoNum`` is true.
- Every address needs an AFAS country code (``CoId``); ISO codes that differ (``BE``, ``DE``) do not exist.
"""

from __future__ import annotations

from typing import Any

from emulators.afas.errors import ProfitError, does_not_exist
from emulators.afas.state import AfasState, Contact, Debtor
from emulators.afas.validate import Element

PERSON_CRITERIA = {
    "1": ("SoSe",),
    "2": ("LaNm", "Is", "In", "ViGe"),
    "3": ("LaNm", "Is", "In", "ViGe", "EmAd"),
    "4": ("LaNm", "Is", "In", "ViGe", "MbNr"),
    "5": ("LaNm", "Is", "In", "ViGe", "TeNr"),
    "6": ("LaNm", "Is", "In", "ViGe", "DaBi"),
}
ORGANISATION_CRITERIA = {"1": ("CcNr",), "2": ("FiNr",), "3": ("Nm",)}
ADDRESS_CRITERIA = {"4": "KnBasicAddressAdr", "5": "KnBasicAddressPad"}
ADDRESSES = ("KnBasicAddressAdr", "KnBasicAddressPad")


def _fold(value: Any) -> str:
    return "" if value is None else str(value).casefold().replace(" ", "")


def check_country(state: AfasState, fields: dict[str, Any]) -> None:
    if fields.get("CoId") is not None and not state.catalogue.has("countries", fields["CoId"]):
        raise does_not_exist("Land")


def check_addresses(state: AfasState, element: Element) -> None:
    for name in ADDRESSES:
        for address in element.sub(name):
            if address.fields.get("CoId") is None:
                raise ProfitError("In een adres moet altijd de landcode (CoId) worden ingevuld.")
            check_country(state, address.fields)
    for account in element.sub("KnBankAccount"):
        check_country(state, account.fields)
    for contact in element.sub("KnContact"):
        check_addresses(state, contact)
        for person in contact.sub("KnPerson"):
            check_addresses(state, person)


def _address_key(fields: dict[str, Any]) -> tuple[str, ...]:
    return tuple(_fold(fields.get(k)) for k in ("Ad", "HmNr", "HmAd", "ZpCd"))


def _matches(state: AfasState, kind: str, code: str, subject: Element) -> list[Contact]:
    candidates = [c for c in state.contacts.values() if c.kind == kind]
    if kind == "organisation" and code in ADDRESS_CRITERIA:
        name = ADDRESS_CRITERIA[code]
        wanted = [_address_key(a.fields) for a in subject.sub(name)]
        if not wanted:
            raise ProfitError(f"Voor vergelijken op adres (MatchOga {code}) is een adres in {name} nodig.")
        return [c for c in candidates if name in c.addresses and _address_key(c.addresses[name]) == wanted[0]]
    criteria = (PERSON_CRITERIA if kind == "person" else ORGANISATION_CRITERIA)[code]
    if subject.fields.get(criteria[0]) is None:
        raise ProfitError(
            f"Voor vergelijken op code {code} moet het veld '{criteria[0]}' zijn gevuld.",
        )
    return [
        c for c in candidates if all(_fold(c.fields.get(k)) == _fold(subject.fields.get(k)) for k in criteria)
    ]


def _store_subject(contact: Contact, subject: Element) -> None:
    for field_id, value in subject.fields.items():
        if field_id in ("MatchPer", "MatchOga", "AutoNum", "@Action"):
            continue
        if value is None:
            contact.fields.pop(field_id, None)
        else:
            contact.fields[field_id] = value
    for name in ADDRESSES:
        for address in subject.sub(name):
            contact.addresses[name] = dict(address.fields)
    contact.contact_persons.extend(
        {**c.fields, **{f"KnPerson.{k}": v for p in c.sub("KnPerson") for k, v in p.fields.items()}}
        for c in subject.sub("KnContact")
    )
    contact.bank_accounts.extend(dict(b.fields) for b in subject.sub("KnBankAccount"))


def _new_contact(state: AfasState, kind: str, subject: Element) -> Contact:
    bcco = subject.fields.get("BcCo")
    if subject.fields.get("AutoNum") is True:
        bcco = state.new_bcco()
    elif bcco is None:
        raise ProfitError(
            "Het veld 'Nummer' (BcCo) is verplicht als 'Autonummering' (AutoNum) niet aan staat."
        )
    elif str(bcco) in state.contacts:
        raise ProfitError(
            f"Er bestaat al een {'persoon' if kind == 'person' else 'organisatie'} met nummer '{bcco}'."
        )
    now = state.now()
    contact = Contact(str(bcco), kind, {}, {}, now, now)
    state.contacts[contact.bcco] = contact
    return contact


def _resolve(state: AfasState, kind: str, subject: Element, debtor: Debtor | None) -> Contact:
    """The person/organisation the subject element designates, created or updated as its code says."""
    match_field = "MatchPer" if kind == "person" else "MatchOga"
    code = str(subject.fields.get(match_field) or "")
    if not code:
        raise ProfitError(f"Het veld '{match_field}' is verplicht.")
    always_new = "7" if kind == "person" else "6"
    what = "personen" if kind == "person" else "organisaties"
    if code == "9":
        if debtor is None:
            raise ProfitError(
                f"{match_field} 9 (gebruik bovenliggende entiteit) kan alleen bij een bestaande verkooprelatie."
            )
        if subject.fields.get("BcCo") is not None:
            raise ProfitError(f"Bij {match_field} 9 kan het veld 'Nummer' (BcCo) niet worden opgegeven.")
        contact = state.contacts[debtor.bcco]
    elif code == "0":
        bcco = subject.fields.get("BcCo")
        if bcco is None:
            raise ProfitError(f"Bij {match_field} 0 (zoek op BcCo) is het veld 'Nummer' (BcCo) verplicht.")
        contact = state.contacts.get(str(bcco))
        if contact is None or contact.kind != kind:
            raise does_not_exist("Persoon" if kind == "person" else "Organisatie")
    elif code == always_new:
        contact = _new_contact(state, kind, subject)
    else:
        if code not in (
            PERSON_CRITERIA if kind == "person" else {**ORGANISATION_CRITERIA, **ADDRESS_CRITERIA}
        ):
            raise ProfitError(f"Ongeldige waarde '{code}' bij '{match_field}'.")
        found = _matches(state, kind, code, subject)
        if len(found) > 1:
            raise ProfitError(
                f"Er zijn meerdere {what} gevonden met deze zoekcriteria "
                f"(multiple {kind} objects found for these search criteria)."
            )
        contact = found[0] if found else _new_contact(state, kind, subject)
    _store_subject(contact, subject)
    contact.modified = state.now()
    return contact


def _check_relation_fields(state: AfasState, fields: dict[str, Any]) -> None:
    for field_id, section, label in (
        ("CuId", "currencies", "Valuta"),
        ("PaCd", "payment_conditions", "Betalingsvoorwaarde"),
    ):
        if fields.get(field_id) is not None and not state.catalogue.has(section, fields[field_id]):
            raise does_not_exist(label)
    check_country(state, fields)
    if fields.get("FaTo") is not None and str(fields["FaTo"]) not in state.debtors:
        raise does_not_exist("Factureren aan")


def _merge(target: dict[str, Any], fields: dict[str, Any]) -> None:
    for field_id, value in fields.items():
        if field_id == "DbId":
            continue
        if value is None:
            target.pop(field_id, None)
        else:
            target[field_id] = value


def upsert_relation(state: AfasState, connector: str, verb: str, element: Element) -> dict[str, str]:
    kind = "person" if connector == "KnSalesRelationPer" else "organisation"
    inner_name = "KnPerson" if kind == "person" else "KnOrganisation"
    key = element.keys.get("@DbId") or element.fields.get("DbId")
    subjects = element.sub(inner_name)
    if len(subjects) > 1:
        raise ProfitError(f"{connector} kan maar één {inner_name} bevatten.")
    _check_relation_fields(state, element.fields)
    for subject in subjects:
        check_addresses(state, subject)
    now = state.now()
    if verb == "PUT":
        debtor = state.debtors.get(str(key))
        if debtor is None or debtor.kind != kind:
            raise does_not_exist("Verkooprelatie")
        if subjects:
            contact = _resolve(state, kind, subjects[0], debtor)
            debtor.bcco = contact.bcco
        _merge(debtor.fields, element.fields)
        debtor.modified = now
        return {"DbId": debtor.debtor_id, "BcCo": debtor.bcco}
    if not subjects:
        raise ProfitError(f"{connector} bevat geen {inner_name}-object.")
    if key is not None and str(key) in state.debtors:
        raise ProfitError(f"Verkooprelatie '{key}' bestaat al.")
    contact = _resolve(state, kind, subjects[0], None)
    debtor_id = str(key) if key is not None else state.new_debtor_id()
    debtor = Debtor(debtor_id, kind, contact.bcco, {}, now, now)
    _merge(debtor.fields, element.fields)
    state.debtors[debtor_id] = debtor
    return {"DbId": debtor_id, "BcCo": contact.bcco}
