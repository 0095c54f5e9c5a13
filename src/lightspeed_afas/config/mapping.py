"""Mapping rules: how a Lightspeed order's fields become AFAS codes (``include/mappings/<name>.yaml``).

Rules whose truth the reference leaves open are explicit choices here, not guesses in code:
``line_price_semantics`` (is a line's ``priceIncl`` the unit price or the line total? ``auto`` decides per
order by which reading adds up to the order total) and ``rounding`` (where VAT rounding per line leaves a
cent: book it on the tenant's ``afas.items.rounding`` item, or fail the order).
"""

from __future__ import annotations

import re
import string
from decimal import Decimal, InvalidOperation
from typing import Literal

from pydantic import Field, field_validator

from lightspeed_afas.afas.sales_documents import ARTICLE, ARTICLE_UNIT, COST_ITEM, COST_UNIT, ItemType
from lightspeed_afas.config.fields import Code3, Code4, Code5, Code15, Strict
from lightspeed_afas.domain.booking_rules import DEFAULT_REMARK, ITEM_CODE_FIELDS, REMARK_FIELDS

ITEM_CODE_SOURCES = tuple(ITEM_CODE_FIELDS)
_RATE_KEY = re.compile(r"\A(0|1|0\.\d{1,4}|1\.0{1,4})\Z")
_ISO2 = re.compile(r"\A[a-z]{2}\Z")
_AFAS_COUNTRY = re.compile(r"\A[A-Z0-9]{1,3}\Z")


class Units(Strict):
    """AFAS unit (``BiUn``) per line kind; AFAS's own examples use ``*****`` for cost items."""

    article: Code15 = ARTICLE_UNIT
    cost: Code15 = COST_UNIT


class ItemTypes(Strict):
    """AFAS item type (``VaIt``) per line kind: 2 = article, 6 = cost item."""

    product: ItemType = ARTICLE
    discount: ItemType = COST_ITEM
    shipping: ItemType = COST_ITEM
    payment_fee: ItemType = COST_ITEM
    rounding: ItemType = COST_ITEM


class Rounding(Strict):
    """What to do with a cent that per-line VAT rounding leaves against the webshop total."""

    mode: Literal["book_line", "fail"] = Field(
        "book_line",
        description="book_line: book the difference on afas.items.rounding; fail: the order fails",
    )
    tolerance_cents: int = Field(2, ge=0, le=100, description="largest difference ever booked")


class MappingRules(Strict):
    """The merged, validated mapping rules one tenant uses."""

    description: str = ""
    item_code_fields: list[Literal["articleCode", "sku", "ean"]] = Field(
        default_factory=lambda: list(ITEM_CODE_SOURCES),
        min_length=1,
        description="Lightspeed line fields tried in order for the AFAS item code (ItCd)",
    )
    units: Units = Field(default_factory=Units)
    item_types: ItemTypes = Field(default_factory=ItemTypes)
    vat_codes: dict[str, Code4] = Field(
        default_factory=dict,
        description='VAT rate as a fraction in quotes ("0.21") → AFAS VAT code (VaRc)',
    )
    countries: dict[str, Code3] = Field(
        default_factory=dict,
        description="ISO country code, lower-case as Lightspeed sends it → AFAS country code (CoId)",
    )
    payment_types: dict[str, Code5] = Field(
        default_factory=dict,
        description="keyword found in paymentId/paymentTitle (first match wins) → AFAS payment type (PaTp)",
    )
    prices_include_vat: bool = Field(True, description="send prices incl. VAT (InVa)")
    order_date: Literal["createdAt", "updatedAt"] = Field("createdAt", description="source of OrDa")
    remark_template: str = Field(
        DEFAULT_REMARK,
        max_length=2000,
        description=f"order remark (Re); placeholders: {', '.join(REMARK_FIELDS)}",
    )
    line_price_semantics: Literal["auto", "unit", "line_total"] = "auto"
    rounding: Rounding = Field(default_factory=Rounding)

    @field_validator("item_code_fields")
    @classmethod
    def _no_repeats(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("each field may appear once")
        return value

    @field_validator("vat_codes")
    @classmethod
    def _rate_keys(cls, value: dict[str, str]) -> dict[str, str]:
        seen: dict[Decimal, str] = {}
        for key in value:
            if not _RATE_KEY.match(key):
                raise ValueError(
                    f'VAT rate key {key!r} is not a fraction between 0 and 1 in quotes, like "0.21" for 21 %'
                )
            try:
                rate = Decimal(key).normalize()
            except InvalidOperation:  # pragma: no cover - the pattern rules this out
                raise ValueError(f"VAT rate key {key!r} is not a number") from None
            if rate in seen:
                raise ValueError(f"VAT rate keys {seen[rate]!r} and {key!r} are the same rate")
            seen[rate] = key
        return value

    @field_validator("countries")
    @classmethod
    def _country_codes(cls, value: dict[str, str]) -> dict[str, str]:
        for iso, afas in value.items():
            if not _ISO2.match(iso):
                raise ValueError(
                    f"country key {iso!r} is not a two-letter ISO code in lower case (as Lightspeed sends it)"
                )
            if not _AFAS_COUNTRY.match(afas):
                raise ValueError(f"AFAS country code {afas!r} for {iso!r} is not 1-3 capitals/digits")
        return value

    @field_validator("payment_types")
    @classmethod
    def _payment_keywords(cls, value: dict[str, str]) -> dict[str, str]:
        for keyword in value:
            if not keyword.strip() or keyword != keyword.lower():
                raise ValueError(f"payment keyword {keyword!r} must be non-empty lower-case text")
        return value

    @field_validator("remark_template")
    @classmethod
    def _placeholders(cls, value: str) -> str:
        try:
            parsed = list(string.Formatter().parse(value))
        except ValueError as exc:
            raise ValueError(
                f"remark template is not valid: {exc} (write {{{{ and }}}} for braces)"
            ) from None
        for _, name, _, _ in parsed:
            if name is None:
                continue
            if name not in REMARK_FIELDS:
                raise ValueError(
                    f"unknown placeholder {{{name}}} in the remark template; allowed: "
                    + ", ".join(f"{{{f}}}" for f in REMARK_FIELDS)
                )
        return value

    def vat_rates(self) -> dict[Decimal, str]:
        """The VAT codes keyed by rate as a Decimal fraction."""
        return {Decimal(k).normalize() if Decimal(k) else Decimal(0): v for k, v in self.vat_codes.items()}
