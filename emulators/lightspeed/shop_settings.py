"""The shop's settings a catalogue sync reads: taxes (reference §1.3), shop limits (§1.4) and the
active languages (§1.2). State only; the routes are in ``settings_routes``.

- Taxes: ``{id, isDefault, rate, title}``, ``rate`` a fraction. Seeded (and after ``/_admin/reset``):
  4021 "BTW 21%" 0.21 (the default), 4009 "BTW 9%" 0.09, 4000 "BTW 0%" 0 — stable ids.
  ``POST /_admin/taxes`` replaces the whole table.
- Shop limits: every field of the doc example with its value; ``maxProducts`` and
  ``maxProductsVariants`` from the config (defaults 10000 / 50); ``POST /_admin/shop_limits`` changes
  any of them (ints ≥ 0 for ``max*``, booleans for ``has*``).
- Languages: ``config.languages`` in order, the first the default; id = position (1-based), every one
  active; locale ``nl_NL``, ``en_GB``, ``de_DE``, ``fr_FR`` (other codes ``xx_XX``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from emulators.lightspeed.config import LightspeedConfig
from emulators.lightspeed.serialize import LANGUAGE_TITLES, num
from emulators.lightspeed.store import AdminError, money

SEEDED_TAXES = (
    (4021, "0.21", "BTW 21%", True),
    (4009, "0.09", "BTW 9%", False),
    (4000, "0", "BTW 0%", False),
)
LOCALES = {"nl": "nl_NL", "en": "en_GB", "de": "de_DE", "fr": "fr_FR"}
DOC_LIMITS: dict[str, int | bool] = {
    "maxAttributes": 200,
    "maxBrands": 1000,
    "maxCategories": 2000,
    "maxCurrencies": 10,
    "maxDeliverydates": 50,
    "maxDomainNames": 10,
    "maxDomainForwards": 10,
    "maxEmailAccounts": 10,
    "maxEmailForwards": 10,
    "maxFiles": 250,
    "maxFilesSize": 50,
    "maxFilters": 5,
    "maxFiltersValues": 15,
    "maxGroups": 50,
    "maxGroupsCustomers": 1000,
    "maxLanguages": 10,
    "maxProducts": 10000,
    "maxProductsCategories": 25,
    "maxProductsFiltersValues": 15,
    "maxProductsImages": 10,
    "maxProductsRelations": 5,
    "maxProductsTags": 25,
    "maxProductsVariants": 50,
    "maxRedirects": 500,
    "maxReviews": 100,
    "maxSuppliers": 10,
    "maxUserAccounts": 0,
    "maxTags": 1000,
    "maxTaxes": 10,
    "maxTextpages": 20,
    "maxTypes": 50,
    "maxTypesAttributes": 100,
    "maxWebhooks": 10,
    "hasB2b": False,
    "hasCopyright": True,
    "hasFilters": True,
    "hasMultishop": False,
    "hasTemplateEditor": True,
    "hasTranslations": True,
}


@dataclass
class Tax:
    id: int
    rate: Decimal
    title: str
    is_default: bool

    def render(self) -> dict[str, Any]:
        return {"id": self.id, "isDefault": self.is_default, "rate": num(self.rate), "title": self.title}


class TaxTable:
    """The shop's taxes by id (seeded as above)."""

    def __init__(self) -> None:
        self.taxes = {tid: Tax(tid, Decimal(rate), title, flag) for tid, rate, title, flag in SEEDED_TAXES}

    def get(self, tax_id: int) -> Tax | None:
        return self.taxes.get(tax_id)

    def listing(self) -> list[Tax]:
        return [self.taxes[tid] for tid in sorted(self.taxes)]

    @property
    def default_rate(self) -> Decimal:
        default = next((t for t in self.taxes.values() if t.is_default), None)
        return default.rate if default else Decimal("0.21")

    def replace(self, specs: Any) -> None:
        """A new table from ``[{id?, rate, title, isDefault}]`` (checked as a whole first): ids are
        positive and distinct (left out: the highest so far + 1), ``rate`` a fraction 0 ≤ rate < 1,
        ``title`` non-empty, at most one ``isDefault`` (none: the first is the default)."""
        if not isinstance(specs, list) or not specs:
            raise AdminError("taxes: a non-empty list of {id?, rate, title, isDefault}")
        table: dict[int, Tax] = {}
        for spec in specs:
            if not isinstance(spec, dict) or set(spec) - {"id", "rate", "title", "isDefault"}:
                raise AdminError(f"taxes: each tax is {{id?, rate, title, isDefault}}, got {spec!r}")
            tid = spec.get("id", max(table, default=4000) + 1)
            if isinstance(tid, bool) or not isinstance(tid, int) or tid < 1 or tid in table:
                raise AdminError(f"taxes: ids are distinct positive integers, got {tid!r}")
            rate = money(spec.get("rate"), "rate")
            if not rate.is_finite() or not 0 <= rate < 1:
                raise AdminError(f"taxes: rate is a fraction (0.21 for 21 %), got {spec.get('rate')!r}")
            title, flag = spec.get("title"), spec.get("isDefault", False)
            if not isinstance(title, str) or not title.strip() or not isinstance(flag, bool):
                raise AdminError("taxes: title is a non-empty string and isDefault true or false")
            table[tid] = Tax(tid, rate, title, flag)
        defaults = [t for t in table.values() if t.is_default]
        if len(defaults) > 1:
            raise AdminError("taxes: at most one tax isDefault")
        if not defaults:
            next(iter(table.values())).is_default = True
        self.taxes = table


class ShopLimits:
    """``shopLimits``: the doc example's values, the two product caps from the config."""

    def __init__(self, config: LightspeedConfig) -> None:
        self.values: dict[str, int | bool] = dict(DOC_LIMITS)
        self.values.update(maxProducts=config.max_products, maxProductsVariants=config.max_products_variants)

    def __getitem__(self, name: str) -> int | bool:
        return self.values[name]

    def update(self, changes: dict[str, Any]) -> None:
        for name, value in changes.items():
            if name not in DOC_LIMITS:
                raise AdminError(f"shop_limits: unknown field {name!r}")
            if name.startswith("has") and not isinstance(value, bool):
                raise AdminError(f"shop_limits: {name} is true or false, got {value!r}")
            if name.startswith("max") and (
                isinstance(value, bool) or not isinstance(value, int) or value < 0
            ):
                raise AdminError(f"shop_limits: {name} is an integer of at least 0, got {value!r}")
        self.values.update(changes)

    def render(self) -> dict[str, int | bool]:
        return dict(self.values)


def render_languages(languages: tuple[str, ...]) -> list[dict[str, Any]]:
    """``GET /languages.json``'s items: the shop's languages, the first the default."""
    return [
        {
            "id": index + 1,
            "isActive": True,
            "isDefault": index == 0,
            "code": code,
            "locale": LOCALES.get(code, f"{code}_{code.upper()}"),
            "title": LANGUAGE_TITLES.get(code, code),
        }
        for index, code in enumerate(languages)
    ]
