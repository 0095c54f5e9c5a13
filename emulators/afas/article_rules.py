"""The [U] rules of the article GetConnectors and the value sets their rows use; what each rule means is in
``articles``' docstring."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from emulators.afas.config import AfasConfig

ARTICLE = "Profit_Article"
BASIC = "Profit_Article_Basic"
BARCODES = "Profit_Barcode_per_Item"
SALES_PRICE = "Profit_SalesPrice"
CONNECTORS = (ARTICLE, BASIC, BARCODES, SALES_PRICE)

# VAT rate group (Profit_Article.VATGroup) → rate; this environment's groups.
VAT_GROUP_RATES = {"HOOG": Decimal("0.21"), "LAAG": Decimal("0.09"), "GEEN": Decimal("0")}
# Code → Dutch label, per value set: FbItemArticle VaTp (ItemTypeCode), ArSu (ItemSortCode), StCh
# (StockCode), VaBc (BarcodeType) and FbSales VaIt (Profit_Barcode_per_Item.ItemType).
ITEM_TYPES = {"0": "Standaard artikel", "3": "1 artikeldimensie", "4": "2 artikeldimensies"}
ITEM_SORTS = {"0": "Normaal"}
STOCK_CHECKS = {"1": "Economische voorraad (verkooporder)", "3": "Geen controle"}
BARCODE_TYPES = {
    "0": "Geen controle", "1": "EAN8", "2": "UPC", "3": "EAN13", "4": "EAN14", "5": "SSCC", "6": "Code 128",
    "7": "Interleaved 2/5", "8": "Interleaved 2/5 (controlegetal)",
}  # fmt: skip
ITEM_KINDS = {"2": "Artikel"}

CHOICES: dict[str, tuple[str, ...]] = {
    "modified_date_filter_format": ("strict", "lenient"),
    "modified_date_bounds": ("exclusive", "inclusive"),
    "sales_price_filters": ("required", "optional"),
    "article_value_sets": ("codes", "labels"),
    "basic_stock_kind": ("physical", "free", "economic"),
}
FLAGS = ("price_change_moves_modified_date", "barcode_change_moves_modified_date", "sales_price_incl_vat")


@dataclass(frozen=True)
class ArticleRules:
    """The [U] rules of ``articles`` (defaults: the strictest plausible reading)."""

    modified_date_filter_format: str = "strict"
    modified_date_bounds: str = "exclusive"
    price_change_moves_modified_date: bool = False
    barcode_change_moves_modified_date: bool = False
    sales_price_filters: str = "required"
    sales_price_incl_vat: bool = False
    article_value_sets: str = "codes"
    basic_stock_kind: str = "physical"

    @classmethod
    def from_config(cls, config: AfasConfig) -> ArticleRules:
        return cls().updated({name: getattr(config, name) for name in cls.__dataclass_fields__})

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def updated(self, changes: dict[str, Any]) -> ArticleRules:
        """These rules with ``changes`` applied; ``ValueError`` on an unknown rule or a bad value."""
        unknown = set(changes) - set(self.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown article rules: {sorted(unknown)}")
        for name, value in changes.items():
            if name in FLAGS and not isinstance(value, bool):
                raise ValueError(f"{name} must be true or false")
            if name in CHOICES and value not in CHOICES[name]:
                raise ValueError(f"{name} must be one of {list(CHOICES[name])}")
        return replace(self, **changes)

    def value(self, codes: dict[str, str], code: str) -> str:
        """``code`` of a value set as the rule renders it: the code itself or its label."""
        return codes.get(code, code) if self.article_value_sets == "labels" else code
