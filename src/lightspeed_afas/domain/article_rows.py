"""AFAS's article rows, pure: an item's values, its price and barcode, and the shop's tax per VAT group.

Codes are normalised as the stock flow's (``normalise_code``); a row without a code, a price that is not
a number, a negative price: the reason is returned, the other rows go on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from lightspeed_afas.domain.stock import normalise_code, parse_quantity


@dataclass(frozen=True)
class Article:
    """One AFAS item as the articles flow keeps it (Profit_Article's values)."""

    code: str
    title: str
    description: str
    blocked: bool
    vat_group: str | None
    dimensions: tuple[str, ...] = ()  # dimension definitions (MATEN, KLEUR) of a dimension item
    modified: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Article:
        return cls(**{**data, "dimensions": tuple(data.get("dimensions") or ())})


def text(value: Any) -> str:
    """A text value as AFAS gives it: null → "", other values as text, trimmed."""
    if value is None or isinstance(value, bool):
        return ""
    return str(value).strip()


def parse_article(row: Mapping[str, Any], ids: Mapping[str, str], dimension_types: set[str]) -> Article | str:
    """An item from a Profit_Article row (``ids``: role → field id), or the reason it cannot be one."""
    code = normalise_code(row.get(ids["code"]))
    if code is None:
        return "AFAS gives an item without an item code"
    kind = text(row.get(ids["item_type"]))
    dims = tuple(d for d in (text(row.get(ids["dimension_1"])), text(row.get(ids["dimension_2"]))) if d)
    if kind.lower() in dimension_types and not dims:
        dims = (kind,)
    blocked = row.get(ids["blocked"])
    return Article(
        code=code,
        title=text(row.get(ids["title"])),
        description=text(row.get(ids["description"])),
        blocked=blocked is True or text(blocked).lower() in ("true", "1"),
        vat_group=(text(row.get(ids["vat_group"])).upper() or None),
        dimensions=dims,
        modified=text(row.get(ids["modified"])) or None,
    )


def parse_prices(
    rows: Iterable[Mapping[str, Any]], code_field: str, price_field: str
) -> tuple[dict[str, Decimal], dict[str, str]]:
    """The price per item, and the items whose price is not a number (the reason)."""
    prices: dict[str, Decimal] = {}
    bad: dict[str, str] = {}
    for row in rows:
        code = normalise_code(row.get(code_field))
        if code is None or code in prices:
            continue  # the first row (the lowest scale break, sorted by the caller) is the price
        number = parse_quantity(row.get(price_field))
        if isinstance(number, str):
            bad[code] = number.replace("quantity", "price")
        elif number < 0:
            bad[code] = f"AFAS gives a negative price ({number})"
        else:
            prices[code] = number
            bad.pop(code, None)
    return prices, bad


def pick_barcodes(rows: Iterable[Mapping[str, Any]], ids: Mapping[str, str]) -> dict[str, str]:
    """Each item's barcode for the shop: the lowest of its general barcodes (not per dimension
    combination, not for one debtor or supplier)."""
    found: dict[str, str] = {}
    for row in rows:
        code = normalise_code(row.get(ids["code"]))
        barcode = text(row.get(ids["barcode"]))
        specific = any(text(row.get(ids[k])) for k in ("dimension_1", "dimension_2", "debtor", "creditor"))
        if code is None or not barcode or specific:
            continue
        if code not in found or barcode < found[code]:
            found[code] = barcode
    return found


def tax_ids_by_group(taxes: Iterable[Mapping[str, Any]], rates: Mapping[str, Decimal]) -> dict[str, int]:
    """VAT group → the shop's tax of that rate (taxes.json gives rates as fractions); of two taxes with
    one rate, the default one, else the lowest id."""
    by_rate: dict[Decimal, list[tuple[bool, int]]] = {}
    for tax in taxes:
        tid, rate = tax.get("id"), tax.get("rate")
        if isinstance(tid, bool) or not isinstance(tid, int) or isinstance(rate, bool):
            continue
        try:
            percent = (Decimal(str(rate)) * 100).normalize()
        except ArithmeticError:
            continue
        by_rate.setdefault(percent, []).append((not bool(tax.get("isDefault")), tid))
    out = {}
    for group, rate in rates.items():
        candidates = by_rate.get(Decimal(rate).normalize())
        if candidates:
            out[group] = min(candidates)[1]
    return out
