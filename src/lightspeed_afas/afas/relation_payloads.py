"""AFAS sales relations the sync creates: a person (``KnSalesRelationPer``) or an organisation with the
person as its contact (``KnSalesRelationOrg``), with their address and debtor-level defaults.

Each field's AFAS code stands next to its readable name. AFAS assigns the debtor number (``AutoNum``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from lightspeed_afas.afas.field_values import present

# "Always add a new one": we looked the debtor up by e-mail ourselves first, and AFAS has no "match on
# e-mail only" code (the closest also compares names and gender).
NEW_PERSON = ("MatchPer", "7")
NEW_ORGANISATION = ("MatchOga", "6")


def _new_record(match: tuple[str, str], fields: dict[str, Any], optional: dict[str, Any]) -> dict[str, Any]:
    """The fields of a person or organisation AFAS adds as a new record, numbered by AFAS."""
    code, value = match
    return {"PadAdr": True, "AutoNum": True, code: value, **fields, **present(optional)}


@dataclass(frozen=True)
class PostalAddress:
    """An address as AFAS takes it: house number split off as an integer, AFAS country code."""

    country: str  # CoId (AFAS code, not ISO)
    street: str  # Ad
    house_number: int | None  # HmNr
    house_number_suffix: str  # HmAd
    zipcode: str  # ZpCd
    city: str  # Rs
    begin_date: date  # BeginDate

    def element(self) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "CoId": self.country,
            "PbAd": False,
            "Ad": self.street,
            "ZpCd": self.zipcode,
            "Rs": self.city,
            "BeginDate": self.begin_date.isoformat(),
            "ResZip": False,
        }
        if self.house_number is not None:
            fields["HmNr"] = self.house_number
        if self.house_number_suffix:
            fields["HmAd"] = self.house_number_suffix
        return {"Element": {"Fields": fields}}


@dataclass(frozen=True)
class RelationDefaults:
    """Debtor-level fields every created relation gets (from the tenant's ``new_relation``)."""

    currency: str = "EUR"  # CuId
    payment_condition: str | None = None  # PaCd
    vat_duty: str | None = None  # VaDu
    collective_account: str | None = None  # ColA
    invoice_delivery: str | None = None  # InPv
    language: str | None = None  # LgId
    profile: str | None = None  # PfId

    def fields(self) -> dict[str, Any]:
        optional = {
            "PaCd": self.payment_condition,
            "VaDu": self.vat_duty,
            "ColA": self.collective_account,
            "InPv": self.invoice_delivery,
            "LgId": self.language,
            "PfId": self.profile,
        }
        return {"IsDb": True, "CuId": self.currency, **present(optional)}


@dataclass(frozen=True)
class Person:
    """A person: the consumer of a person relation, or the contact of an organisation."""

    first_name: str  # FiNm
    prefix: str  # Is (tussenvoegsel)
    last_name: str  # LaNm
    email: str  # EmAd — the work e-mail, which Profit_Debtor.Email returns
    phone: str  # TeNr
    search_name: str  # SeNm

    def fields(self) -> dict[str, Any]:
        required = {
            "SeNm": self.search_name,
            "LaNm": self.last_name,
            "EmAd": self.email,
            "AddToPortal": False,
        }
        optional = {"FiNm": self.first_name, "Is": self.prefix, "TeNr": self.phone}
        return _new_record(NEW_PERSON, required, optional)


@dataclass(frozen=True)
class PersonRelation:
    """A new sales relation for a consumer (``KnSalesRelationPer``); AFAS assigns the debtor number."""

    person: Person
    address: PostalAddress | None
    defaults: RelationDefaults

    connector = "KnSalesRelationPer"

    def insert_payload(self) -> dict[str, Any]:
        person: dict[str, Any] = {"Fields": self.person.fields()}
        if self.address is not None:
            person["Objects"] = [{"KnBasicAddressAdr": self.address.element()}]
        return {
            self.connector: {
                "Element": {"Fields": self.defaults.fields(), "Objects": [{"KnPerson": {"Element": person}}]}
            }
        }


@dataclass(frozen=True)
class OrganisationRelation:
    """A new sales relation for a company order (``KnSalesRelationOrg``), the person as contact."""

    name: str  # Nm
    search_name: str  # SeNm
    coc_number: str  # CcNr (KvK)
    vat_number: str  # VaId (debtor level)
    email: str  # EmAd of the organisation — what Profit_Debtor.Email returns
    phone: str  # TeNr
    contact: Person | None
    address: PostalAddress | None
    defaults: RelationDefaults

    connector = "KnSalesRelationOrg"

    def _contact(self, contact: Person) -> dict[str, Any]:
        person = {"Fields": contact.fields()}
        fields = {"PadAdr": True, "ViKc": "PRS", "EmAd": contact.email}
        return {"KnContact": {"Element": {"Fields": fields, "Objects": [{"KnPerson": {"Element": person}}]}}}

    def insert_payload(self) -> dict[str, Any]:
        required = {"Nm": self.name, "SeNm": self.search_name, "EmAd": self.email}
        optional = {"CcNr": self.coc_number, "TeNr": self.phone}
        org: dict[str, Any] = {"Fields": _new_record(NEW_ORGANISATION, required, optional)}
        objects: list[dict[str, Any]] = []
        if self.address is not None:
            objects.append({"KnBasicAddressAdr": self.address.element()})
        if self.contact is not None:
            objects.append(self._contact(self.contact))
        if objects:
            org["Objects"] = objects
        debtor_fields = {**self.defaults.fields(), **present({"VaId": self.vat_number})}
        return {
            self.connector: {
                "Element": {"Fields": debtor_fields, "Objects": [{"KnOrganisation": {"Element": org}}]}
            }
        }
