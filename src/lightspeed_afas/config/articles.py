"""The ``articles:`` block of a tenant file: what AFAS holds about an item overwrites the webshop.

AFAS is leading and nothing flows back. Keys (DESIGN.md, "Several flows per tenant"; the README lists
each one):

- ``fields``: which shop fields follow AFAS — ``title`` (product title ← ``Description``),
  ``description`` (product description ← ``ExtraDescription``), ``price`` (variant prices),
  ``ean`` (variant ``ean`` ← the item's barcode), ``visibility`` (product hidden ← ``Blocked``,
  visible otherwise), ``tax`` (variant tax ← the item's VAT group).
- ``prices``: where the price comes from (``Profit_Article_Basic.BasicSalesPrice``, or the price list
  ``Profit_SalesPrice`` for one debtor), whether AFAS's amount includes VAT (not documented: a rule of
  the environment), and which of ``priceExcl``/``priceIncl`` are written (``both`` by default: a shop
  that does not derive one from the other would otherwise keep a stale one).
- ``vat_groups``: AFAS VAT group → the rate (percent) of the Lightspeed tax it becomes.
- ``languages``: the shop languages whose texts follow AFAS ([] = the connection's language).
- ``create_missing`` (off by default): create a product for an AFAS item no variant has.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from lightspeed_afas.config.fields import Strict, checked_cron

LeadField = Literal["title", "description", "price", "ean", "visibility", "tax"]
ArticleMatchCode = Literal["articleCode", "sku", "ean"]
DEFAULT_FIELDS: tuple[LeadField, ...] = ("title", "price", "ean", "visibility", "tax")
DEFAULT_VAT_GROUPS = {"HOOG": Decimal("21"), "LAAG": Decimal("9"), "GEEN": Decimal("0")}


class ArticlePrices(Strict):
    """Where an item's price comes from and how it is written."""

    source: Literal["basic", "price_list"] = Field(
        "basic", description="basic: Profit_Article_Basic.BasicSalesPrice; price_list: Profit_SalesPrice"
    )
    debtor: str | None = Field(None, max_length=16, description="price_list: the debtor whose prices")
    currency: str = Field("EUR", pattern=r"^[A-Z]{3}$", description="price_list: the currency code")
    afas_includes_vat: bool = Field(False, description="AFAS's amounts include VAT (an environment rule)")
    write: Literal["both", "excl", "incl"] = Field(
        "both", description="which of priceExcl / priceIncl are written"
    )

    @model_validator(mode="after")
    def _debtor_for_price_list(self) -> ArticlePrices:
        if self.source == "price_list" and not self.debtor:
            raise ValueError(
                "prices.source price_list needs prices.debtor: the debtor whose price list the shop "
                "shows (Profit_SalesPrice takes it as a filter)"
            )
        return self


class ArticleSettings(Strict):
    """The articles flow of one tenant (AFAS → Lightspeed)."""

    schedule: str = Field("0 * * * *", description="cron expression of the articles DAG")
    fields: list[LeadField] = Field(
        default_factory=lambda: list(DEFAULT_FIELDS), description="the shop fields that follow AFAS"
    )
    match_on: list[ArticleMatchCode] = Field(
        default_factory=lambda: ["articleCode", "sku"],
        description="variant codes tried in this order against the AFAS item code",
    )
    prices: ArticlePrices = Field(default_factory=ArticlePrices)
    vat_groups: dict[str, Annotated[Decimal, Field(strict=False)]] = Field(
        default_factory=lambda: dict(DEFAULT_VAT_GROUPS),
        description="AFAS VAT group → the Lightspeed tax rate in percent",
    )
    languages: list[str] = Field(default_factory=list, description="shop languages whose texts follow AFAS")
    create_missing: bool = Field(False, description="create a product for an AFAS item the shop lacks")
    include_blocked_when_creating: bool = Field(
        False, description="also create products for blocked items (hidden)"
    )
    max_title_length: int = Field(255, ge=10, le=10_000, description="longest title the shop takes")
    full_comparison_hours: int = Field(24, ge=1, le=24 * 14, description="hours between full comparisons")
    overlap_minutes: int = Field(10, ge=0, le=1440, description="incremental reads start this early")
    max_writes_per_run: int | None = Field(None, ge=1, le=100_000, description="cap on writes per run")

    @field_validator("schedule")
    @classmethod
    def _cron(cls, value: str) -> str:
        return checked_cron(value)

    @field_validator("fields", "match_on")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("needs at least one entry")
        if len(set(value)) != len(value):
            raise ValueError(f"names an entry twice: {value}")
        return value

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: list[str]) -> list[str]:
        cleaned = [lang.strip().lower() for lang in value]
        bad = [lang for lang in cleaned if len(lang) != 2 or not lang.isalpha()]
        if bad:
            raise ValueError(f"languages are two-letter shop languages such as nl, en: not {bad}")
        return list(dict.fromkeys(cleaned))

    @field_validator("vat_groups")
    @classmethod
    def _rates(cls, value: dict[str, Decimal]) -> dict[str, Decimal]:
        bad = {k: v for k, v in value.items() if not Decimal(0) <= v < Decimal(100)}
        if bad:
            raise ValueError(f"vat_groups rates are percentages from 0 to 100: {bad}")
        return {k.strip().upper(): v for k, v in value.items()}
