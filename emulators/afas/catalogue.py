"""The AFAS environment's reference data that payloads must match: administrations, journals per
administration, projects, warehouses, VAT codes, items per item type with their units, currencies,
payment conditions and types, and countries (AFAS's own codes, see ``countries``).

Defaults: administration 1 "Demo BV"; the article items are the ``afas_item_code`` of every product in
``emulators.demo_catalogue`` that exists in AFAS, the cost items are its ``COST_ITEMS``; warehouses "01"
(the demo tenant's) and "HOOFD", the environment's default warehouse (``default_warehouse``: where a sales
line without ``War`` reserves its stock, and where the seeded stock lies — see ``stock``).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from emulators.afas.countries import AFAS_COUNTRIES
from emulators.demo_catalogue import COST_ITEMS, PRODUCTS

# VaIt (item type) → the label AFAS uses in "De ingevulde waarde bij '…' bestaat niet."
ITEM_TYPES = {
    "1": "Werksoort", "2": "Artikel", "3": "Tekst", "4": "Subtotaal", "5": "Toeslag", "6": "Kosten",
    "7": "Samenstelling", "8": "Cursus", "10": "Productie-indicator", "11": "Deeg", "14": "Artikeldimensietotaal",
}  # fmt: skip
SET_SECTIONS = ("projects", "warehouses", "currencies", "payment_conditions", "payment_types", "countries")


# The demo products' VAT rates → the default VAT codes below.
_VAT_CODE_OF_RATE = {Decimal("0.21"): "1", Decimal("0.09"): "2", Decimal("0"): "3"}


def default_items() -> dict[str, dict[str, Any]]:
    """Item code → ``{"type": VaIt, "units", "description", "price" (excl. VAT, used when a line has no
    Upri), "vat_code" (used when a line has no VaRc)}``."""
    items: dict[str, dict[str, Any]] = {}
    for product in PRODUCTS:
        if product.in_afas:
            price = (product.price_incl / (1 + product.tax_rate)).quantize(Decimal("0.01"))
            items[product.afas_item_code] = {
                "type": "2",
                "units": ["STK"],
                "description": f"{product.title} {product.variant}",
                "price": str(price),
                "vat_code": _VAT_CODE_OF_RATE[product.tax_rate],
            }
    for code in COST_ITEMS.values():
        items[code] = {
            "type": "6",
            "units": ["*****"],
            "description": code.title(),
            "price": "0.00",
            "vat_code": "1",
        }
    return items


@dataclass
class Catalogue:
    administrations: dict[int, str] = field(default_factory=lambda: {1: "Demo BV"})
    # administration → journal code → {"description", "type"}; type V = verkoopboek (a choice: AFAS does
    # not document which JournalType code means sales journal, reference §4.5)
    journals: dict[int, dict[str, dict[str, str]]] = field(
        default_factory=lambda: {
            1: {
                "VK": {"description": "Verkoopboek", "type": "V"},
                "50": {"description": "Verkoopboek webshop", "type": "V"},
                "90": {"description": "Memoriaal", "type": "M"},
            }
        }
    )
    projects: set[str] = field(default_factory=lambda: {"WEBSHOP", "MARKETING"})
    warehouses: set[str] = field(default_factory=lambda: {"01", "HOOFD"})
    default_warehouse: str = "HOOFD"
    # VAT code → rate; "0" = no VAT (geen btw), "3" = 0 % (nultarief)
    vat_codes: dict[str, Decimal] = field(
        default_factory=lambda: {
            "1": Decimal("0.21"),
            "2": Decimal("0.09"),
            "3": Decimal("0"),
            "0": Decimal("0"),
        }
    )
    items: dict[str, dict[str, Any]] = field(default_factory=default_items)
    currencies: set[str] = field(default_factory=lambda: {"EUR"})
    payment_conditions: set[str] = field(default_factory=lambda: {"0", "14", "30"})
    payment_types: set[str] = field(default_factory=lambda: {"00", "IDL", "CC", "PP", "AP", "BT"})
    countries: set[str] = field(default_factory=lambda: set(AFAS_COUNTRIES))

    def item(self, code: Any, item_type: Any) -> dict[str, Any] | None:
        """The item of that code and type; codes compare case-insensitively (SQL Server collation)."""
        if code is None:
            return None
        wanted = str(code).casefold()
        for item_code, item in self.items.items():
            if item_code.casefold() == wanted and item["type"] == str(item_type):
                return item
        return None

    def has(self, section: str, code: Any, administration: int | None = None) -> bool:
        """Whether ``code`` exists in a set/dict section (case-insensitive); journals per administration."""
        values: Any = getattr(self, section)
        if section == "journals":
            values = values.get(administration if administration is not None else min(values, default=1), {})
        if section == "administrations":
            return isinstance(code, int) and code in values
        wanted = str(code).casefold()
        return any(str(v).casefold() == wanted for v in values)

    def as_dict(self) -> dict[str, Any]:
        return {
            "administrations": {str(k): v for k, v in sorted(self.administrations.items())},
            "journals": {str(k): v for k, v in sorted(self.journals.items())},
            "projects": sorted(self.projects),
            "warehouses": sorted(self.warehouses),
            "default_warehouse": self.default_warehouse,
            "vat_codes": {k: str(v) for k, v in sorted(self.vat_codes.items())},
            "items": self.items,
            "currencies": sorted(self.currencies),
            "payment_conditions": sorted(self.payment_conditions),
            "payment_types": sorted(self.payment_types),
            "countries": sorted(self.countries),
        }

    def copy(self) -> Catalogue:
        return copy.deepcopy(self)

    def apply(self, data: dict[str, Any], replace: bool = False) -> None:
        """Merge ``data`` (the ``as_dict`` shape, any subset of sections) into this catalogue; with
        ``replace`` the sections given replace the current ones instead. Raises ``ValueError``."""
        known = {f.name for f in fields(self)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown catalogue sections: {sorted(unknown)}")
        for key, value in data.items():
            if key == "administrations":
                parsed: Any = {int(k): str(v) for k, v in value.items()}
            elif key == "journals":
                parsed = {int(unit): dict(journals) for unit, journals in value.items()}
            elif key == "vat_codes":
                parsed = {str(k): Decimal(str(v)) for k, v in value.items()}
            elif key == "default_warehouse":
                if not isinstance(value, str) or not value:
                    raise ValueError("default_warehouse must be a warehouse code")
                self.default_warehouse = value
                continue
            elif key == "items":
                parsed = {str(k): {"units": [], "description": str(k), **v} for k, v in value.items()}
                for item in parsed.values():
                    item["type"] = str(item.get("type", "2"))
            else:
                parsed = {str(v) for v in value}
            current = getattr(self, key)
            if replace:
                setattr(self, key, parsed)
            elif key == "journals":
                for unit, journals in parsed.items():
                    current.setdefault(unit, {}).update(journals)
            else:
                current.update(parsed)
