"""AFAS UpdateConnector payloads, built from readable names in one place.

AFAS field codes appear here (and in the mapping YAML) next to a readable name, nowhere else. Amounts
and quantities go as strings with a ``.`` decimal point — as in AFAS's own examples — so a Decimal is
never turned into a float on the way out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal

SalesConnector = Literal["FbSales", "FbDirectInvoice"]
LINES_OF: dict[str, str] = {"FbSales": "FbSalesLines", "FbDirectInvoice": "FbDirectInvoiceLines"}


def amount(value: Decimal) -> str:
    """Plain decimal notation, no exponent, trailing zeros trimmed to at most what the value needs."""
    text = format(value.normalize(), "f")
    return text if "." not in text else text.rstrip("0").rstrip(".") or "0"


@dataclass(frozen=True)
class SalesLine:
    kind: str  # product, discount, shipping, payment_fee, rounding (ours; not sent)
    item_type: str  # VaIt
    item_code: str  # ItCd
    description: str  # Ds
    unit: str  # BiUn
    quantity: Decimal  # QuUn
    unit_price: Decimal  # Upri
    vat_code: str  # VaRc

    def fields(self) -> dict[str, Any]:
        return {
            "VaIt": self.item_type,
            "ItCd": self.item_code,
            "Ds": self.description,
            "BiUn": self.unit,
            "QuUn": amount(self.quantity),
            "Upri": amount(self.unit_price),
            "VaRc": self.vat_code,
        }


@dataclass(frozen=True)
class SalesDocument:
    """A sales order or direct invoice, header and lines."""

    connector: SalesConnector
    debtor_id: str  # DbId
    order_date: date  # OrDa
    reference: str  # RfCs — the Lightspeed order number, the idempotency key
    administration: int  # Unit
    prices_incl_vat: bool  # InVa
    remark: str  # Re
    journal: str | None = None  # JoCo
    project: str | None = None  # PrId
    warehouse: str | None = None  # War
    payment_type: str | None = None  # PaTp
    currency: str | None = None  # CuId
    lines: tuple[SalesLine, ...] = field(default_factory=tuple)

    def header_fields(self, with_debtor: bool = True) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        if with_debtor:
            fields["DbId"] = self.debtor_id
        fields.update(
            {
                "OrDa": self.order_date.isoformat(),
                "RfCs": self.reference,
                "Unit": self.administration,
                "InVa": self.prices_incl_vat,
            }
        )
        optional = {
            "JoCo": self.journal,
            "PrId": self.project,
            "War": self.warehouse,
            "PaTp": self.payment_type,
            "CuId": self.currency,
            "Re": self.remark or None,
        }
        fields.update({k: v for k, v in optional.items() if v})
        return fields

    def insert_payload(self) -> dict[str, Any]:
        """POST body; never an ``OrNu`` — AFAS autonumbering assigns it."""
        return {
            self.connector: {
                "Element": {
                    "Fields": self.header_fields(),
                    "Objects": [
                        {
                            LINES_OF[self.connector]: {
                                "Element": [{"Fields": ln.fields()} for ln in self.lines]
                            }
                        }
                    ],
                }
            }
        }

    def update_payload(self, order_number: str, existing_line_guids: list[str]) -> dict[str, Any]:
        """PUT body for an order AFAS already has: header in place, old lines deleted, new lines inserted.

        The debtor is not touched (AFAS is leading). Lines are replaced rather than matched one by one:
        a webshop edit can reorder, split or merge lines, and replacing is the one reading that cannot
        leave a stale line behind. Both happen in one transactional PUT.
        """
        header = {"OrNu": order_number, **self.header_fields(with_debtor=False)}
        elements = [{"Fields": {"GuLi": guid, "@Action": "delete"}} for guid in existing_line_guids]
        elements += [{"Fields": {**ln.fields(), "@Action": "insert"}} for ln in self.lines]
        return {
            self.connector: {
                "Element": {"Fields": header, "Objects": [{LINES_OF[self.connector]: {"Element": elements}}]}
            }
        }

    def total_incl(self, vat_rates: dict[str, Decimal]) -> Decimal:
        """The document total incl. VAT as AFAS computes it: per line, rounded half-up to cents."""
        from decimal import ROUND_HALF_UP

        cents = Decimal("0.01")
        total = Decimal("0")
        for ln in self.lines:
            line_amount = (ln.quantity * ln.unit_price).quantize(cents, ROUND_HALF_UP)
            if not self.prices_incl_vat:
                line_amount = (line_amount * (1 + vat_rates[ln.vat_code])).quantize(cents, ROUND_HALF_UP)
            total += line_amount
        return total


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
        return {"IsDb": True, "CuId": self.currency, **{k: v for k, v in optional.items() if v}}


@dataclass(frozen=True)
class Person:
    first_name: str  # FiNm
    prefix: str  # Is (tussenvoegsel)
    last_name: str  # LaNm
    email: str  # EmAd — the work e-mail, which Profit_Debtor.Email returns
    phone: str  # TeNr
    search_name: str  # SeNm

    def fields(self) -> dict[str, Any]:
        # MatchPer 7 = always add a new person: we looked the debtor up by e-mail ourselves first, and
        # AFAS has no "match on e-mail only" code (the closest also compares names and gender).
        fields: dict[str, Any] = {
            "PadAdr": True,
            "AutoNum": True,
            "MatchPer": "7",
            "SeNm": self.search_name,
            "LaNm": self.last_name,
            "EmAd": self.email,
            "AddToPortal": False,
        }
        if self.first_name:
            fields["FiNm"] = self.first_name
        if self.prefix:
            fields["Is"] = self.prefix
        if self.phone:
            fields["TeNr"] = self.phone
        return fields


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

    def insert_payload(self) -> dict[str, Any]:
        # MatchOga 6 = always add a new organisation (see Person.fields for why).
        org_fields: dict[str, Any] = {
            "PadAdr": True,
            "AutoNum": True,
            "MatchOga": "6",
            "Nm": self.name,
            "SeNm": self.search_name,
            "EmAd": self.email,
        }
        if self.coc_number:
            org_fields["CcNr"] = self.coc_number
        if self.phone:
            org_fields["TeNr"] = self.phone
        objects: list[dict[str, Any]] = []
        if self.address is not None:
            objects.append({"KnBasicAddressAdr": self.address.element()})
        if self.contact is not None:
            contact_person = {"Fields": {**self.contact.fields(), "MatchPer": "7"}}
            objects.append(
                {
                    "KnContact": {
                        "Element": {
                            "Fields": {"PadAdr": True, "ViKc": "PRS", "EmAd": self.contact.email},
                            "Objects": [{"KnPerson": {"Element": contact_person}}],
                        }
                    }
                }
            )
        org: dict[str, Any] = {"Fields": org_fields}
        if objects:
            org["Objects"] = objects
        debtor_fields = self.defaults.fields()
        if self.vat_number:
            debtor_fields["VaId"] = self.vat_number
        return {
            self.connector: {
                "Element": {"Fields": debtor_fields, "Objects": [{"KnOrganisation": {"Element": org}}]}
            }
        }


# -- refusals -------------------------------------------------------------------------------------
# AFAS names the field it refuses by its Dutch label, not by its code ("De ingevulde waarde bij 'Artikel'
# bestaat niet."): the labels of AFAS's XSDs (reference §4), for the payload fields whose value a reason
# may repeat. Only codes and numbers of AFAS's own tables are here — never a name, address, e-mail or
# phone field — because the reason goes into the ledger (``lightspeed_afas.afas.reasons``).


@dataclass(frozen=True)
class LabelledField:
    code: str  # the field code in our payloads
    noun: str  # what the reason calls its value
    item_type: str | None = None  # ItCd only: the VaIt whose label AFAS used
    per_item: bool = False  # whether a value is valid per item (a unit): name the line's item with it


# VaIt (item type) → its label: AFAS names an unknown ItCd after the line's item type.
ITEM_TYPE_LABELS: dict[str, str] = {
    "1": "Werksoort", "2": "Artikel", "3": "Tekst", "4": "Subtotaal", "5": "Toeslag", "6": "Kosten",
    "7": "Samenstelling", "8": "Cursus", "10": "Productie-indicator", "11": "Deeg", "14": "Artikeldimensietotaal",
}  # fmt: skip

# Label (case-insensitive) → the field. Several labels for one field where AFAS's screens and its
# connector messages name it differently.
REFUSAL_LABELS: dict[str, LabelledField] = {
    **{label.casefold(): LabelledField("ItCd", "item", vait) for vait, label in ITEM_TYPE_LABELS.items()},
    "itemcode": LabelledField("ItCd", "item"),
    "eenheid": LabelledField("BiUn", "unit", per_item=True),
    "btw-tariefgroep": LabelledField("VaRc", "VAT code"),
    "btw-code": LabelledField("VaRc", "VAT code"),
    "btw-tarief": LabelledField("VaRc", "VAT code"),
    "magazijn": LabelledField("War", "warehouse"),
    "project": LabelledField("PrId", "project"),
    "dagboek factuur": LabelledField("JoCo", "journal"),
    "dagboek": LabelledField("JoCo", "journal"),
    "administratie": LabelledField("Unit", "administration"),
    "valuta": LabelledField("CuId", "currency"),
    "betalingsvoorwaarde": LabelledField("PaCd", "payment condition"),
    "betaalwijze": LabelledField("PaTp", "payment type"),
    "verkooprelatie": LabelledField("DbId", "debtor"),
    "land": LabelledField("CoId", "country code"),
    "btw-plicht": LabelledField("VaDu", "VAT duty"),
    "verzamelrekening": LabelledField("ColA", "collective account"),
    "taal": LabelledField("LgId", "language"),
    "verkooprelatieprofiel": LabelledField("PfId", "relation profile"),
}
LINE_ITEM_TYPE = "VaIt"  # the line field whose value picks the item type
LINE_ITEM_CODE = "ItCd"
LINE_KEY = "GuLi"
