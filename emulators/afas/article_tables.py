"""The barcode and price tables of the articles (``articles``): ``POST /_admin/barcodes`` and
``POST /_admin/prices``, each all checked before any row is written.

Barcode row ``{"item", "barcode", "type"?, "dim1"?, "dim2"?, "raw"?, "delete"?}``: keyed by item and
barcode (upsert); ``type`` a VaBc code "0"–"8", by default "3" (EAN13) for 13 digits, "1" (EAN8) for 8, else
"0"; the dimension codes must fit the article (none for VaTp 0, ``dim1`` for 3, both for 4); ``raw`` as for
articles, over the Profit_Barcode_per_Item row; ``"delete": true`` removes the row.

Price row ``{"item", "price", "debtor"?, "date"?, "quantity"?, "discount"?, "delete"?}``: keyed by item,
debtor (null: every debtor), start date (``YYYY-MM-DD``, null: always) and quantity (the scale break,
default 1); ``price`` and ``discount`` (default 0) per unit, excl. VAT; ``"delete": true`` removes the row.

The item must be an existing article. A change moves the article's ModifiedDate only when
``barcode_change_moves_modified_date`` / ``price_change_moves_modified_date`` say so.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from emulators.afas.article_rules import BARCODE_TYPES, BARCODES
from emulators.afas.articles import Article, BarcodeRow, PriceRow, amount, default_barcode_type, fits, text
from emulators.afas.validate import schema

if TYPE_CHECKING:
    from emulators.afas.state import AfasState

BARCODE_KEYS = {"item", "barcode", "type", "dim1", "dim2", "raw", "delete"}
PRICE_KEYS = {"item", "price", "debtor", "date", "quantity", "discount", "delete"}


def _rows(body: dict[str, Any]) -> list[Any]:
    if set(body) - {"rows"}:
        raise ValueError(f"unknown keys: {sorted(set(body) - {'rows'})}")
    rows = body.get("rows", [])
    if not isinstance(rows, list):
        raise ValueError("rows must be a list")
    return rows


def _start(state: AfasState, spec: Any, keys: set[str]) -> tuple[Article, bool]:
    if not isinstance(spec, dict):
        raise ValueError("a row is an object")
    if set(spec) - keys:
        raise ValueError(f"unknown row fields: {sorted(set(spec) - keys)}")
    article = state.articles.find(spec.get("item"))
    if article is None:
        raise ValueError(f"item {spec.get('item')!r} is not an article")
    delete = spec.get("delete", False)
    if not isinstance(delete, bool):
        raise ValueError("delete must be true or false")
    return article, delete


def _barcode(state: AfasState, spec: Any) -> tuple[Article, BarcodeRow, bool]:
    article, delete = _start(state, spec, BARCODE_KEYS)
    barcode = str(text(spec.get("barcode"), "barcode", 30, nullable=False))
    kind = spec.get("type", default_barcode_type(barcode))
    if kind not in BARCODE_TYPES:
        raise ValueError(f"type must be one of {list(BARCODE_TYPES)}")
    dim1, dim2 = (text(spec.get(name), name, 10) for name in ("dim1", "dim2"))
    if not delete and not fits(article, dim1, dim2):
        raise ValueError(f"article {article.code} (VaTp {article.kind}) takes no such dimension codes")
    raw, allowed = spec.get("raw", {}), set(schema()["get"][BARCODES]["fields"])
    if not isinstance(raw, dict) or not set(raw) <= allowed:
        raise ValueError(f"raw maps field ids from {sorted(allowed)} to values")
    return article, BarcodeRow(barcode, kind, dim1, dim2, dict(raw)), delete


def _touch(state: AfasState, article: Article, moves: bool) -> None:
    if moves:
        article.modified = state.now()


def admin_barcodes(state: AfasState, body: dict[str, Any]) -> dict[str, int]:
    writes = [_barcode(state, spec) for spec in _rows(body)]
    book, moves = state.articles, state.articles.rules.barcode_change_moves_modified_date
    for article, row, delete in writes:
        rows = book.barcodes.setdefault(article.code, {})
        before = rows.pop(row.barcode, None) if delete else rows.get(row.barcode)
        if not delete:
            rows[row.barcode] = row
        if not rows:
            del book.barcodes[article.code]
        _touch(state, article, ((before != row) if not delete else before is not None) and moves)
    return {"rows": len(writes)}


def _price(state: AfasState, spec: Any) -> tuple[Article, PriceRow, bool]:
    article, delete = _start(state, spec, PRICE_KEYS)
    debtor = spec.get("debtor")
    if debtor is not None and (not isinstance(debtor, str) or not debtor):
        raise ValueError("debtor must be a debtor number (text) or null")
    start = spec.get("date")
    if start is not None:
        try:
            start = date.fromisoformat(str(start))
        except ValueError:
            raise ValueError("date must be YYYY-MM-DD or null") from None
    number = amount(spec.get("quantity", 1), "quantity", positive=True)
    price = Decimal(0) if delete and "price" not in spec else amount(spec.get("price"), "price")
    discount = amount(spec.get("discount", 0), "discount")
    if discount > price and not delete:
        raise ValueError("discount must not exceed price")
    return article, PriceRow(price, debtor, start, number, discount), delete


def admin_prices(state: AfasState, body: dict[str, Any]) -> dict[str, int]:
    writes = [_price(state, spec) for spec in _rows(body)]
    book, moves = state.articles, state.articles.rules.price_change_moves_modified_date
    for article, row, delete in writes:
        rows = book.prices.setdefault(article.code, {})
        key = (row.debtor, row.start, row.quantity)
        before = rows.pop(key, None) if delete else rows.get(key)
        if not delete:
            rows[key] = row
        if not rows:
            del book.prices[article.code]
        _touch(state, article, ((before != row) if not delete else before is not None) and moves)
    return {"rows": len(writes)}
