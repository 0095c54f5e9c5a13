"""How AFAS names a field it refuses: by its Dutch label, not by its code.

AFAS says "De ingevulde waarde bij 'Artikel' bestaat niet."; ``REFUSAL_LABELS`` maps the labels of AFAS's
XSDs (reference §4) back to the payload fields whose value a reason may repeat. Only codes and numbers of
AFAS's own tables are here — never a name, address, e-mail or phone field — because the reason goes into
the ledger (``lightspeed_afas.afas.reasons``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LabelledField:
    """A payload field a refusal may name, and how a reason speaks of its value."""

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
