"""Articles, their barcodes and their prices, and the four article GetConnectors (erp-extras §2 intro, §2.1,
§2.3, §3 items 19–21; AFAS's specs ``Artikelen.json`` and ``Verkoop en Orders.json``). Rows and filter
rules: ``article_rows``; admin API: ``article_admin``, ``article_writes``, ``article_tables`` (barcodes, prices).

State: per item code (codes compare case-insensitively) an article — ``description``, ``extra_description``,
``unit`` (basic unit, default "STK"), ``group`` (article group, default "100"), ``blocked``, ``barcode``
(the article-level barcode), ``vat_group`` ("HOOG" 21 %, "LAAG" 9 %, "GEEN" 0 %), ``stock`` (track stock),
``price`` (basic sales price, always excl. VAT), ``price_group``, ``dim1``/``dim2`` (dimension definitions,
e.g. "MATEN", "KLEUR": FbItemArticle ``StD1``/``StD2``; ``VaTp`` is "0" without, "3" with one, "4" with two),
``created``/``modified`` (emulator clock) and ``raw`` (field id → value written verbatim over the rendered
Profit_Article / Profit_Article_Basic row: ``{"ItemCode": null}``, ``{"BasicSalesPrice": "abc"}``, a
300-character ``Description``). Barcode rows per item (and dimension combination), price rows per item,
debtor, start date and quantity. At start and on reset every catalogue article (type "2") is an article:
its description, first unit, ``price`` (excl. VAT), the VAT group of its ``vat_code``'s rate (an unknown
rate → "HOOG"), group "100", the demo product's EAN as barcode, created = modified = the base time. An
article written through the admin API is also written into the catalogue (type "2", so sales lines may use
it); a delete is a hard delete — the article, its barcodes, its prices and its catalogue item simply
disappear, with no trace in any connector (as AFAS: "Deletes in AFAS zijn hard deletes"). Stock is the
stock book's (``stock``), untouched by articles.

GetConnectors (field ids exactly the spec's, in its order):
- ``Profit_Article``: one row per article (blocked ones too). ``Factor`` 1, ``BitDecimals`` 0,
  ``ItemTypeCode`` its VaTp, ``ItemSortCode`` "0" (ArSu Normaal), ``StockCode`` StCh "1" when it tracks
  stock, else "3"; ``ModifiedDate`` is the incremental cursor (sort on it and ``ItemCode`` to page).
- ``Profit_Article_Basic``: ``VATgroup`` (lower-case g), ``BasicSalesPrice``, ``StockActual`` (the stock
  book summed over warehouses, 0 without stock); ``CreateDate``/``DateModified`` are dummies: always
  ``1900-01-01T00:00:00Z``, so a client that reads it "incrementally" silently sees nothing change.
- ``Profit_Barcode_per_Item``: the article-level barcode (no dimension codes) and every barcode row, with
  ``StockDimCode1``/``StockDimCode2`` per dimension combination; ``UnitId`` the article's unit;
  ``SerialNumber``/``BatchNumber``/``DebtorId``/``CreditorId`` null. Barcode rows must fit the article:
  none of the dimension codes for VaTp 0, ``dim1`` only for VaTp 3, both for VaTp 4.
- ``Profit_SalesPrice``: "(Filter)" fields ``Debtor``, ``Date``, ``Currency``, ``Volume``, ``Level`` are
  input parameters, taken from a filter with operator 1 (=) in each OR-group; the rows echo them (so the
  filter then matches its own rows). Per non-blocked article: the best price row for the debtor and date
  (a row for that debtor beats a general one; then the latest start date not after ``Date``), per quantity
  scale break; without one the basic sales price at quantity 1. ``Volume`` true lists every scale break,
  false only quantity 1. ``GrossPrice`` − ``Discount`` = ``Nettoprijs``. Prices are in EUR: another known
  ``Currency`` gives no rows, an unknown one (or an unknown ``Debtor``) AFAS's 500 "De ingevulde waarde bij
  '…' bestaat niet."; ``Level`` is only echoed; a ``Date`` or ``Volume`` that does not parse → 500
  "onverwachte fout". ``Date`` takes ``YYYY-MM-DD`` or a date-time.

Rules (AfasConfig fields of the same name; ``POST /_admin/article_rules`` changes them at run time, a reset
restores the configured ones) — §3 items 19–21:
- ``modified_date_filter_format`` "strict" (default) | "lenient": the filter value on Profit_Article's
  ``ModifiedDate``/``CreateDate`` (operators 1–5, 7). Strict takes only ``YYYY-MM-DDTHH:MM:SS`` — no date
  alone, no ``Z`` (not even the one AFAS writes), no space, no fraction, no offset; lenient also takes those
  (an offset never). Anything else → 500 "Er is een onverwachte fout opgetreden." (SQL's conversion error).
- ``modified_date_bounds`` "exclusive" (default) | "inclusive": a row exactly on the bound (to the second).
  Exclusive leaves it out of ``>=`` (2) and ``<=`` (3) too — they act as ``>`` and ``<`` — so a client
  reading ``ModifiedDate >= last seen`` without an overlap loses rows changed within that second; inclusive
  is plain SQL. ``=`` and ``!=`` compare whole seconds either way.
- ``price_change_moves_modified_date`` false (default): a change of an article's ``price`` or of its price
  rows leaves ``ModifiedDate`` alone (true: moves it to now). ``barcode_change_moves_modified_date`` false
  (default): likewise for its ``barcode`` and barcode rows. Every other field change moves it; a change of
  ``raw`` or of stock never does; an upsert that changes nothing does not either.
- ``sales_price_filters`` "required" (default) | "optional": without both ``Debtor`` and ``Date`` (=) in
  every OR-group, required answers 500 "Verplicht filterveld ontbreekt: Debtor, Date." (naming the missing
  ones; errorNumber -2147180999); optional uses no debtor (``Debtor`` null: general prices only) and the
  emulator's today. ``Currency`` defaults to EUR, ``Volume`` to false, ``Level`` to null in both.
- ``sales_price_incl_vat`` false (default): whether Profit_SalesPrice's amounts and Profit_Article_Basic's
  ``BasicSalesPrice`` include VAT (the article's VAT group's rate, rounded half-up to cents).
- ``article_value_sets`` "codes" (default) | "labels": ``ItemTypeCode``, ``ItemSortCode``, ``StockCode``,
  ``BarcodeType`` and the barcode ``ItemType`` as codes ("0"/"3"/"4", "0", "1"/"3", VaBc "0"–"8", VaIt "2")
  or as their Dutch labels ("Standaard artikel", "Normaal", "EAN13", "Artikel", …) — item 20.
- ``basic_stock_kind`` "physical" (default; the field is "StockActual") | "free" | "economic":
  which stock figure ``StockActual`` is (§2.1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from emulators.afas.article_rules import ARTICLE, BASIC, VAT_GROUP_RATES, ArticleRules
from emulators.afas.config import AMSTERDAM
from emulators.afas.stock import quantity
from emulators.afas.validate import schema
from emulators.demo_catalogue import PRODUCTS

if TYPE_CHECKING:
    from emulators.afas.config import AfasConfig
    from emulators.afas.state import AfasState

TEXTS = {"description": 100, "extra_description": 100, "unit": 15, "group": 15, "barcode": 30,
         "price_group": 10, "dim1": 10, "dim2": 10}  # fmt: skip
FLAGS = ("blocked", "stock")


@dataclass
class Article:
    code: str
    created: datetime
    modified: datetime
    description: str | None = None
    extra_description: str | None = None
    unit: str = "STK"
    group: str | None = "100"
    blocked: bool = False
    barcode: str | None = None
    vat_group: str = "HOOG"
    stock: bool = True
    price: Decimal = Decimal(0)
    price_group: str | None = None
    dim1: str | None = None
    dim2: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        """FbItemArticle ``VaTp``: "0" standard, "3" one dimension, "4" two dimensions."""
        return "4" if self.dim2 else "3" if self.dim1 else "0"

    def as_dict(self) -> dict[str, Any]:
        out = {k: getattr(self, k) for k in ("code", *TEXTS, *FLAGS, "vat_group")}
        return {**out, "price": str(self.price), "kind": self.kind, "created": self.created.isoformat(),
                "modified": self.modified.isoformat(), "raw": dict(self.raw)}  # fmt: skip


@dataclass
class BarcodeRow:
    barcode: str
    type: str
    dim1: str | None = None
    dim2: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass
class PriceRow:
    price: Decimal
    debtor: str | None = None
    start: date | None = None
    quantity: Decimal = Decimal(1)
    discount: Decimal = Decimal(0)


PriceKey = tuple[str | None, date | None, Decimal]


@dataclass
class ArticleBook:
    rules: ArticleRules = field(default_factory=ArticleRules)
    items: dict[str, Article] = field(default_factory=dict)
    folded: dict[str, str] = field(default_factory=dict)  # casefolded code → its code here
    barcodes: dict[str, dict[str, BarcodeRow]] = field(default_factory=dict)  # code → barcode → row
    prices: dict[str, dict[PriceKey, PriceRow]] = field(default_factory=dict)  # code → key → row

    def find(self, code: Any) -> Article | None:
        known = self.folded.get(str(code).casefold()) if isinstance(code, str) else None
        return None if known is None else self.items[known]

    def put(self, article: Article) -> None:
        self.items[article.code] = article
        self.folded[article.code.casefold()] = article.code


def raw_field_ids() -> set[str]:
    gets = schema()["get"]
    return set(gets[ARTICLE]["fields"]) | set(gets[BASIC]["fields"])


def group_of_rate(rate: Decimal | None) -> str:
    return next((g for g, r in VAT_GROUP_RATES.items() if r == rate), "HOOG")


def configure(state: AfasState, config: AfasConfig) -> None:
    """Fresh articles from the catalogue, with the configured rules; ``ValueError`` on a bad config."""
    book = state.articles = ArticleBook(rules=ArticleRules.from_config(config))
    eans = {p.afas_item_code: p.ean for p in PRODUCTS if p.in_afas}
    for code, item in state.catalogue.items.items():
        if item.get("type") != "2" or code.casefold() in book.folded:
            continue
        rate = state.catalogue.vat_codes.get(str(item.get("vat_code")))
        article = Article(code, state.base_time, state.base_time, description=item.get("description"))
        article.unit = (item.get("units") or ["STK"])[0]
        article.price, article.vat_group = Decimal(str(item.get("price") or 0)), group_of_rate(rate)
        article.barcode = eans.get(code)
        book.put(article)


def text(value: Any, name: str, limit: int, nullable: bool = True) -> str | None:
    if value is None and nullable:
        return None
    if not isinstance(value, str) or not value or len(value) > limit:
        raise ValueError(f"{name} must be a text of 1 to {limit} characters{' or null' if nullable else ''}")
    return value


def amount(value: Any, name: str, positive: bool = False) -> Decimal:
    number = quantity(value, name)
    if number < 0 or (positive and number == 0):
        raise ValueError(f"{name} must be {'above' if positive else 'at least'} 0")
    return number


def moment(value: Any, name: str) -> datetime:
    """An ISO date-time; without an offset it is Amsterdam time."""
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", ""))
    except ValueError:
        raise ValueError(f"{name} must be an ISO date-time") from None
    return parsed.replace(tzinfo=AMSTERDAM) if parsed.tzinfo is None else parsed


def fits(article: Article, dim1: str | None, dim2: str | None) -> bool:
    """Whether a barcode row's dimension codes fit the article's kind (VaTp)."""
    return (dim1 is not None, dim2 is not None) == (article.dim1 is not None, article.dim2 is not None)


def default_barcode_type(barcode: str) -> str:
    """VaBc by the barcode's form: "3" EAN13 for 13 digits, "1" EAN8 for 8, else "0" (no check)."""
    return {13: "3", 8: "1"}.get(len(barcode), "0") if barcode.isdigit() else "0"
