"""Articles, pure: AFAS's items read into what the shop should show, and the fields that differ.

- An item's code is normalised as the stock flow's (``normalise_code``: trimmed, upper case).
- Bad input is recorded per item or per field with its reason; the other items and fields go on: an
  item without a code, a price that is not a number, a VAT group without a mapping, a title longer than
  the shop takes.
- Money is compared to the cent; a price incl. VAT is derived from one excl. VAT (or the other way
  round) with the VAT group's rate, rounded half-up to cents.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from lightspeed_afas.domain.article_rows import Article, text

CENT = Decimal("0.01")
PRODUCT_FIELDS = ("title", "description", "visibility")  # the product's; texts per language
VARIANT_FIELDS = ("priceExcl", "priceIncl", "ean", "tax")  # the variant's; shared by every language
LEAD_TO_SHOP = {
    "title": ("title",),
    "description": ("description",),
    "visibility": ("visibility",),
    "price": ("priceExcl", "priceIncl"),
    "ean": ("ean",),
    "tax": ("tax",),
}
TEXT_FIELDS = ("title", "description")


@dataclass(frozen=True)
class Rules:
    """What the tenant's ``articles:`` block says about writing (flattened, pure)."""

    fields: tuple[str, ...]
    languages: tuple[str, ...]
    vat_rates: Mapping[str, Decimal]  # VAT group → rate in percent
    afas_includes_vat: bool
    price_write: str  # both, excl, incl
    max_title_length: int


@dataclass
class Target:
    """What the shop should show for one item: the values per shop field, and the fields that cannot be
    written (field → reason)."""

    values: dict[str, Any] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def target_for(
    article: Article, price: Decimal | None, price_problem: str | None, barcode: str | None,
    rules: Rules, tax_ids: Mapping[str, int],
) -> Target:  # fmt: skip
    """The values AFAS leads on for ``article`` (``tax_ids``: VAT group → Lightspeed tax id)."""
    target = Target()
    lead = set(rules.fields)
    rate = rules.vat_rates.get(article.vat_group or "")
    if "title" in lead:
        if not article.title:
            target.problems["title"] = "AFAS gives the item no description"
        elif len(article.title) > rules.max_title_length:
            target.problems["title"] = (
                f"its description has {len(article.title)} characters; the shop takes at most "
                f"{rules.max_title_length} (articles.max_title_length)"
            )
        else:
            target.values["title"] = article.title
    if "description" in lead:
        target.values["description"] = article.description
    if "visibility" in lead:
        target.values["visibility"] = "hidden" if article.blocked else "visible"
    if "ean" in lead:
        target.values["ean"] = barcode or ""
    if "tax" in lead:
        if article.vat_group is None:
            target.problems["tax"] = "AFAS gives the item no VAT group"
        elif article.vat_group not in tax_ids:
            target.problems["tax"] = _no_tax(article.vat_group, rate)
        else:
            target.values["tax"] = tax_ids[article.vat_group]
    if "price" in lead:
        _price(target, article, price, price_problem, rate, rules)
    return target


def _no_tax(group: str, rate: Decimal | None) -> str:
    if rate is None:
        return f"VAT group {group} has no mapping (articles.vat_groups)"
    return f"the shop has no tax of {rate} % for VAT group {group} (taxes.json)"


def _price(
    target: Target,
    article: Article,
    price: Decimal | None,
    problem: str | None,
    rate: Decimal | None,
    rules: Rules,
) -> None:
    if problem or price is None:
        target.problems["price"] = problem or "AFAS gives the item no price"
        return
    needs_rate = rules.price_write == "both" or (rules.price_write == "excl") == rules.afas_includes_vat
    if needs_rate and rate is None:
        target.problems["price"] = (
            f"VAT group {article.vat_group or '(none)'} has no mapping (articles.vat_groups): the price "
            "incl./excl. VAT cannot be derived"
        )
        return
    factor = 1 + (rate or Decimal(0)) / 100
    excl, incl = (price / factor, price) if rules.afas_includes_vat else (price, price * factor)
    if rules.price_write in ("both", "excl"):
        target.values["priceExcl"] = cents(excl)
    if rules.price_write in ("both", "incl"):
        target.values["priceIncl"] = cents(incl)


@dataclass(frozen=True)
class Change:
    """One field to write: on the variant or the product (``lang`` for a text), shop value → AFAS value."""

    item_code: str
    target: str  # variant, product
    target_id: int
    field: str
    old: Any
    new: Any
    lang: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: plain(v) for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Change:
        return cls(**data)


def plain(value: Any) -> Any:
    """A value as JSON carries it (money as text, to the cent)."""
    return str(value) if isinstance(value, Decimal) else value


def same(field_name: str, shop: Any, wanted: Any) -> bool:
    if field_name in ("priceExcl", "priceIncl"):
        try:
            return shop is not None and cents(Decimal(str(shop))) == cents(Decimal(str(wanted)))
        except ArithmeticError:
            return False
    if field_name == "tax":
        return shop == wanted
    return text(shop) == text(wanted)


def changes_for(
    code: str,
    target: Target,
    variant_id: int,
    variant: Mapping[str, Any],
    product_id: int | None,
    product: Mapping[str, Any] | None,
    languages: Sequence[str],
) -> list[Change]:
    """The fields whose shop value differs from AFAS's. ``product`` None: its fields are not written
    (a product with several variants follows no single item)."""
    out = []
    for name in VARIANT_FIELDS:
        if name in target.values and not same(name, variant.get(name), target.values[name]):
            out.append(
                Change(
                    code, "variant", variant_id, name, plain(variant.get(name)), plain(target.values[name])
                )
            )
    if product is None or product_id is None:
        return out
    if "visibility" in target.values and product.get("visibility") != target.values["visibility"]:
        out.append(
            Change(
                code,
                "product",
                product_id,
                "visibility",
                product.get("visibility"),
                target.values["visibility"],
            )
        )
    texts = product.get("texts") or {}
    for lang in languages:
        for name in TEXT_FIELDS:
            shop = (texts.get(lang) or {}).get(name)
            if name in target.values and not same(name, shop, target.values[name]):
                out.append(Change(code, "product", product_id, name, shop, target.values[name], lang))
    return out


def target_hash(target: Target) -> str:
    """A fingerprint of what AFAS asks for one item (which fields, which values, which problems)."""
    body = json.dumps(
        {"v": {k: plain(v) for k, v in target.values.items()}, "p": target.problems}, sort_keys=True
    )
    return hashlib.sha256(body.encode()).hexdigest()[:32]
