"""Stock, pure: AFAS's quantities summed per item, variants matched to items, the levels to push.

- Codes match after trimming, case-insensitively (AFAS compares text that way): ``normalise_code``.
  ``false``, ``null``, ``""`` and other non-text values are no code; a whole number (an EAN sent as a
  JSON number) is its digits.
- A quantity is a number or a numeric string; ``null``, booleans, text and non-finite values are bad
  input: the item's variants are left alone with the reason, the other items go on.
- The level pushed is ``max(0, floor(quantity) − unbooked)`` (DESIGN.md). A negative AFAS quantity
  therefore pushes 0, and the push says so.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

CODE_FIELDS = {"articleCode": "article_code", "sku": "sku", "ean": "ean"}
MAX_CODE = 255  # the ledger's column; longer codes are left alone


def normalise_code(value: Any) -> str | None:
    """The code as compared: trimmed, upper case; None for no code (false, null, "", non-text)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str):
        return None
    text = value.strip().upper()
    return text or None


def parse_quantity(value: Any) -> Decimal | str:
    """A quantity as a Decimal, or the reason it is not one."""
    if value is None:
        return "AFAS gives no quantity (null)"
    if isinstance(value, bool):
        return f"AFAS gives {str(value).lower()} as the quantity, not a number"
    if isinstance(value, int | float | str):
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            return f"AFAS gives {str(value)[:40]!r} as the quantity, not a number"
        if number.is_finite():
            return number
        return f"AFAS gives {str(value)[:40]!r} as the quantity, not a finite number"
    return f"AFAS gives a {type(value).__name__} as the quantity, not a number"


@dataclass
class AfasStock:
    """The quantities per (normalised) item code, and what could not be read."""

    quantities: dict[str, Decimal] = field(default_factory=dict)
    bad_items: dict[str, str] = field(default_factory=dict)  # item code → reason
    rows_without_code: int = 0
    rows: int = 0


def sum_stock(
    rows: Iterable[Mapping[str, Any]],
    item_field: str,
    quantity_field: str,
    warehouse_field: str | None = None,
    warehouses: Sequence[str] = (),
) -> AfasStock:
    """Sum each item's quantities (over the chosen warehouses); an item with one bad row is bad."""
    wanted = {w.strip().upper() for w in warehouses}
    stock = AfasStock()
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        if warehouse_field and wanted and normalise_code(row.get(warehouse_field)) not in wanted:
            continue
        stock.rows += 1
        code = normalise_code(row.get(item_field))
        if code is None:
            stock.rows_without_code += 1
            continue
        quantity = parse_quantity(row.get(quantity_field))
        if isinstance(quantity, str):
            stock.bad_items.setdefault(code, quantity)
            continue
        totals[code] += quantity
    stock.quantities = {code: q for code, q in totals.items() if code not in stock.bad_items}
    return stock


def target_level(quantity: Decimal, unbooked: int = 0) -> int:
    """``max(0, floor(quantity) − unbooked)``."""
    return max(0, math.floor(quantity) - max(0, unbooked))


@dataclass(frozen=True)
class Variant:
    """A Lightspeed variant as the stock flow sees it (codes normalised)."""

    id: int
    product_id: int | None
    article_code: str | None
    sku: str | None
    ean: str | None
    tracking: str | None
    level: int | None
    updated_at: str | None

    def code(self, name: str) -> str | None:
        return getattr(self, CODE_FIELDS[name])


def parse_variant(raw: Mapping[str, Any]) -> Variant | None:
    """A variant from Lightspeed's JSON; None when it has no usable id."""
    vid = raw.get("id")
    if isinstance(vid, bool) or not isinstance(vid, int | str) or not str(vid).isdigit():
        return None
    product = raw.get("product")
    product_id = None
    if isinstance(product, dict):
        product_id = (product.get("resource") or {}).get("id")
    elif isinstance(product, int) and not isinstance(product, bool):
        product_id = product
    level = raw.get("stockLevel")
    if isinstance(level, str) and level.strip().lstrip("-").isdigit():
        level = int(level)
    updated = raw.get("updatedAt")
    return Variant(
        id=int(vid),
        product_id=int(product_id)
        if isinstance(product_id, int) and not isinstance(product_id, bool)
        else None,
        article_code=normalise_code(raw.get("articleCode")),
        sku=normalise_code(raw.get("sku")),
        ean=normalise_code(raw.get("ean")),
        tracking=raw.get("stockTracking") if isinstance(raw.get("stockTracking"), str) else None,
        level=level if isinstance(level, int) and not isinstance(level, bool) else None,
        updated_at=updated if isinstance(updated, str) else None,
    )


@dataclass
class Matching:
    """Which AFAS item each variant follows, and why the others are left alone."""

    items: dict[int, str] = field(default_factory=dict)  # variant id → item code
    left_alone: dict[int, str] = field(default_factory=dict)  # variant id → reason


def match_variants(
    variants: Iterable[Variant], afas_items: Iterable[str], match_on: Sequence[str]
) -> Matching:
    """Each variant's AFAS item by the first of ``match_on`` codes that AFAS has; never guessed."""
    known = set(afas_items)
    result = Matching()
    claimed: dict[str, list[int]] = defaultdict(list)
    for variant in variants:
        reason = _not_followed(variant)
        if reason:
            result.left_alone[variant.id] = reason
            continue
        code = next((c for c in (variant.code(n) for n in match_on) if c and c in known), None)
        if code is None:
            result.left_alone[variant.id] = _unmatched_reason(variant, match_on)
            continue
        claimed[code].append(variant.id)
    for code, ids in claimed.items():
        if len(ids) == 1:
            result.items[ids[0]] = code
            continue
        others = ", ".join(str(i) for i in sorted(ids))
        for vid in ids:
            result.left_alone[vid] = f"variants {others} all match AFAS item {code}: give each its own code"
    return result


def _not_followed(variant: Variant) -> str | None:
    if variant.tracking == "disabled":
        return "stockTracking is disabled in the shop"
    too_long = [n for n in CODE_FIELDS if len(variant.code(n) or "") > MAX_CODE]
    if too_long:
        return f"its {too_long[0]} is longer than {MAX_CODE} characters"
    return None


def _unmatched_reason(variant: Variant, match_on: Sequence[str]) -> str:
    codes = [f"{n} {variant.code(n)!r}" for n in match_on if variant.code(n)]
    if not codes:
        return f"it has no code to match ({', '.join(match_on)} are empty)"
    return f"no AFAS item has its code ({', '.join(codes)})"


@dataclass(frozen=True)
class Push:
    """One level to write: ``old`` is the level last known in the shop (None: unknown)."""

    variant_id: int
    item_code: str
    old: int | None
    new: int
    note: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"variant_id": self.variant_id, "item_code": self.item_code, "old": self.old, "new": self.new, "note": self.note}  # fmt: skip

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Push:
        return cls(int(data["variant_id"]), str(data["item_code"]), data.get("old"), int(data["new"]), data.get("note"))  # fmt: skip


def plan_pushes(
    matches: Mapping[int, str],
    shop_levels: Mapping[int, int | None],
    quantities: Mapping[str, Decimal],
    unbooked: Mapping[str, int],
) -> list[Push]:
    """The levels that differ from what the shop holds, by variant id."""
    pushes = []
    for vid in sorted(matches):
        code = matches[vid]
        quantity = quantities[code]
        held = unbooked.get(code, 0)
        new = target_level(quantity, held)
        old = shop_levels.get(vid)
        if new == old:
            continue
        note = None
        if quantity < 0:
            note = f"AFAS has {quantity} in stock: pushed as 0"
        elif held:
            note = f"AFAS {math.floor(quantity)} minus {held} on orders not booked yet"
        pushes.append(Push(vid, code, old, new, note))
    return pushes
