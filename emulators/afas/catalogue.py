"""The AFAS environment's reference data that payloads must match: administrations, journals,
projects, warehouses, VAT codes, items per item type with their units, currencies, payment
conditions and types, and AFAS's own country codes.

AFAS country codes are not ISO: most differ for European countries (BE → B, DE → D …). Source:
rmuit/PracticalAfas ``src/UpdateConnector/IsoCountryTrait.php``, which lists every AFAS code that
differs from the ISO alpha-2 code; for the other countries AFAS uses the ISO code itself.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from emulators.demo_catalogue import COST_ITEMS, PRODUCTS

# ISO alpha-2 → AFAS, only where they differ (PracticalAfas IsoCountryTrait::convertIsoCountryCode).
ISO_TO_AFAS_DIFFERENT = {
    "AN": "NA", "AS": "ASM", "AT": "A", "BE": "B", "BF": "BU", "BH": "BRN", "BI": "RU", "BJ": "DY", "BW": "RB",
    "BZ": "BH", "CL": "RCH", "CM": "TC", "DE": "D", "DM": "WD", "EG": "ET", "ET": "ETH", "ES": "E", "FI": "FIN",
    "FR": "F", "GD": "WG", "GQ": "CQ", "HU": "H", "HT": "RH", "IN": "RI", "IT": "I", "JM": "JA", "JP": "J",
    "KP": "KO", "KR": "ROK", "LB": "RL", "LC": "WL", "LI": "FL", "LK": "CL", "LR": "LB", "LU": "L", "MS": "MSR",
    "MU": "MS", "NA": "SWA", "NE": "RN", "NO": "N", "PH": "RP", "PT": "P", "RU": "RUS", "SA": "AS", "SC": "SY",
    "SD": "SUD", "SE": "S", "SI": "SLO", "SO": "SP", "SR": "SME", "SV": "EL", "SY": "SYR", "SZ": "SD",
    "TC": "TCA", "TW": "RC", "US": "USA", "VC": "WV", "VE": "YV",
}  # fmt: skip
# Countries whose AFAS code equals the ISO code (EU members and the usual neighbours).
SAME_AS_ISO = [
    "NL",
    "BG",
    "CY",
    "CZ",
    "DK",
    "EE",
    "GR",
    "HR",
    "IE",
    "LT",
    "LV",
    "MT",
    "PL",
    "RO",
    "SK",
    "GB",
    "CH",
    "IS",
    "CA",
    "AU",
    "NZ",
    "TR",
]


def iso_to_afas() -> dict[str, str]:
    """ISO alpha-2 (upper-case) → AFAS country code, for the countries this emulator knows."""
    table = {code: code for code in SAME_AS_ISO}
    table.update(ISO_TO_AFAS_DIFFERENT)
    return table


@dataclass
class Catalogue:
    administrations: dict[int, str] = field(default_factory=lambda: {1: "Demo BV"})
    journals: dict[int, dict[str, dict[str, Any]]] = field(
        default_factory=lambda: {
            1: {
                "VK": {"description": "Verkoopboek", "type": "V"},
                "50": {"description": "Verkoopboek webshop", "type": "V"},
                "MEM": {"description": "Memoriaal", "type": "M"},
            }
        }
    )
    projects: set[str] = field(default_factory=lambda: {"WEBSHOP", "MARKETING"})
    warehouses: set[str] = field(default_factory=lambda: {"01", "02"})
    vat_codes: dict[str, Decimal] = field(
        default_factory=lambda: {
            "1": Decimal("0.21"),
            "2": Decimal("0.09"),
            "3": Decimal("0"),
            "0": Decimal("0"),
        }
    )
    # item code -> {"type": VaIt, "units": [...]}; articles (2) and cost items (6)
    items: dict[str, dict[str, Any]] = field(default_factory=lambda: default_items())
    currencies: set[str] = field(default_factory=lambda: {"EUR"})
    payment_conditions: set[str] = field(default_factory=lambda: {"14", "30", "0"})
    payment_types: set[str] = field(default_factory=lambda: {"00", "IDL", "CC", "PP", "AP", "BT"})
    countries: set[str] = field(default_factory=lambda: set(iso_to_afas().values()))

    def as_dict(self) -> dict[str, Any]:
        return {
            "administrations": {str(k): v for k, v in self.administrations.items()},
            "journals": {str(k): v for k, v in self.journals.items()},
            "projects": sorted(self.projects),
            "warehouses": sorted(self.warehouses),
            "vat_codes": {k: str(v) for k, v in self.vat_codes.items()},
            "items": self.items,
            "currencies": sorted(self.currencies),
            "payment_conditions": sorted(self.payment_conditions),
            "payment_types": sorted(self.payment_types),
            "countries": sorted(self.countries),
        }

    def merge(self, data: dict[str, Any], replace: bool = False) -> None:
        """Apply an admin update: lists and dicts from ``data`` replace or extend the current ones."""
        current = self if not replace else Catalogue(
            administrations={}, journals={}, projects=set(), warehouses=set(), vat_codes={}, items={},
            currencies=set(), payment_conditions=set(), payment_types=set(), countries=set(),
        )  # fmt: skip
        for key, value in data.items():
            if key == "administrations":
                current.administrations.update({int(k): v for k, v in value.items()})
            elif key == "journals":
                for unit, journals in value.items():
                    current.journals.setdefault(int(unit), {}).update(journals)
            elif key == "vat_codes":
                current.vat_codes.update({k: Decimal(str(v)) for k, v in value.items()})
            elif key == "items":
                current.items.update(copy.deepcopy(value))
            elif key in (
                "projects",
                "warehouses",
                "currencies",
                "payment_conditions",
                "payment_types",
                "countries",
            ):
                getattr(current, key).update(value)
            else:
                raise ValueError(f"unknown catalogue section {key!r}")
        if replace:
            self.__dict__.update(current.__dict__)


def default_items() -> dict[str, dict[str, Any]]:
    items = {
        p.afas_item_code: {"type": "2", "units": ["STK"], "description": p.title}
        for p in PRODUCTS
        if p.in_afas
    }
    for code in COST_ITEMS.values():
        items[code] = {"type": "6", "units": ["*****"], "description": code.title()}
    return items
