"""The rows of the article GetConnectors and their filter rules; what they hold is in ``articles``."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from emulators.afas.article_rules import (
    ARTICLE,
    BARCODE_TYPES,
    BARCODES,
    BASIC,
    ITEM_KINDS,
    ITEM_SORTS,
    ITEM_TYPES,
    SALES_PRICE,
    STOCK_CHECKS,
    VAT_GROUP_RATES,
    ArticleRules,
)
from emulators.afas.articles import Article, BarcodeRow, PriceRow, default_barcode_type
from emulators.afas.config import AMSTERDAM
from emulators.afas.errors import ProfitError, does_not_exist, unexpected
from emulators.afas.query import Condition, parse_filters, typed

if TYPE_CHECKING:
    from emulators.afas.state import AfasState

DUMMY_DATE = "1900-01-01T00:00:00Z"
PARAMETERS = ("Debtor", "Date", "Currency", "Volume", "Level")
REQUIRED = ("Debtor", "Date")
CURRENCY = "EUR"
_STRICT_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")
_CENT = Decimal("0.01")
Groups = list[list[Condition]]


def _time(moment: datetime) -> str:
    return moment.astimezone(AMSTERDAM).strftime("%Y-%m-%dT%H:%M:%SZ")


def _with_raw(row: dict[str, Any], raw: dict[str, Any]) -> dict[str, Any]:
    row.update({k: v for k, v in raw.items() if k in row})
    return row


def _price(value: Decimal, article: Article, rules: ArticleRules) -> float:
    if rules.sales_price_incl_vat:
        value = (value * (1 + VAT_GROUP_RATES[article.vat_group])).quantize(_CENT, ROUND_HALF_UP)
    return float(value)


def article_row(article: Article, rules: ArticleRules) -> dict[str, Any]:
    row = {
        "ItemCode": article.code,
        "Description": article.description,
        "ExtraDescription": article.extra_description,
        "UnitId": article.unit,
        "Factor": 1,
        "ArtGroup": article.group,
        "Blocked": article.blocked,
        "Barcode": article.barcode,
        "VATGroup": article.vat_group,
        "ItemSortCode": rules.value(ITEM_SORTS, "0"),
        "ItemTypeCode": rules.value(ITEM_TYPES, article.kind),
        "Stock": article.stock,
        "BitDecimals": 0,
        "PriceGroup": article.price_group,
        "StockCode": rules.value(STOCK_CHECKS, "1" if article.stock else "3"),
        "StockDimId1": article.dim1,
        "StockDimId2": article.dim2,
        "CreateDate": _time(article.created),
        "ModifiedDate": _time(article.modified),
    }
    return _with_raw(row, article.raw)


def basic_row(state: AfasState, article: Article) -> dict[str, Any]:
    rules = state.articles.rules
    stock_code = state.stock.folded.get(article.code.casefold())
    entries = state.stock.items.get(stock_code, {}).values() if stock_code else []
    row = {
        "ItemCode": article.code,
        "Description": article.description,
        "UnitId": article.unit,
        "ArtGroup": article.group,
        "Blocked": article.blocked,
        "VATgroup": article.vat_group,
        "BasicSalesPrice": _price(article.price, article, rules),
        "StockActual": float(sum((getattr(e, rules.basic_stock_kind) for e in entries), Decimal(0))),
        "CreateDate": DUMMY_DATE,
        "DateModified": DUMMY_DATE,
    }
    return _with_raw(row, article.raw)


def barcode_rows(state: AfasState) -> list[dict[str, Any]]:
    book, rows = state.articles, []
    rules = book.rules
    for article in book.items.values():
        table = book.barcodes.get(article.code, {})
        entries = list(table.values())
        if article.barcode and article.barcode not in table:
            entries.insert(0, BarcodeRow(article.barcode, default_barcode_type(article.barcode)))
        for entry in entries:
            row = {
                "ItemType": rules.value(ITEM_KINDS, "2"),
                "ItemCode": article.code,
                "UnitId": article.unit,
                "BarcodeType": rules.value(BARCODE_TYPES, entry.type),
                "Barcode": entry.barcode,
                "StockDimCode1": entry.dim1,
                "StockDimCode2": entry.dim2,
                **dict.fromkeys(("SerialNumber", "BatchNumber", "DebtorId", "CreditorId")),
            }
            rows.append(_with_raw(row, entry.raw))
    return rows


def _parameters(state: AfasState, group: list[Condition]) -> dict[str, Any]:
    """A filter group's "(Filter)" parameters (operator 1), checked, with the defaults filled in."""
    given: dict[str, str] = {}
    for field_id, op, value in group:
        if field_id in PARAMETERS and op == 1:
            given.setdefault(field_id, value)
    missing = [p for p in REQUIRED if p not in given]
    if missing and state.articles.rules.sales_price_filters == "required":
        raise ProfitError(f"Verplicht filterveld ontbreekt: {', '.join(missing)}.")
    debtor = given.get("Debtor")
    if debtor is not None and debtor not in state.debtors:
        raise does_not_exist("Verkooprelatie (filter)")
    currency = given.get("Currency", CURRENCY)
    if not state.catalogue.has("currencies", currency):
        raise does_not_exist("Valutacode (filter)")
    try:
        moment = typed(given["Date"], {"format": "date-time"}) if "Date" in given else None
        volume = typed(given.get("Volume", "false"), {"type": "boolean"})
    except ValueError:
        raise unexpected() from None
    if moment is not None and moment.tzinfo is not None:
        raise unexpected()
    moment = moment or datetime.combine(state.now().astimezone(AMSTERDAM).date(), time())
    return {"Debtor": debtor, "Date": moment.strftime("%Y-%m-%dT%H:%M:%SZ"), "Currency": currency,
            "Volume": volume, "Level": given.get("Level"), "day": moment.date()}  # fmt: skip


def _scales(prices: dict[Any, PriceRow], article: Article, debtor: str | None, day: date) -> list[PriceRow]:
    """Per quantity the best price row for ``debtor`` on ``day``; quantity 1 falls back on the basic price."""
    best: dict[Decimal, tuple[tuple[bool, date], PriceRow]] = {}
    for row in prices.values():
        if (row.debtor is None or row.debtor == debtor) and (row.start is None or row.start <= day):
            rank = (row.debtor is not None, row.start or date.min)
            if row.quantity not in best or rank > best[row.quantity][0]:
                best[row.quantity] = (rank, row)
    if Decimal(1) not in best:
        best[Decimal(1)] = ((False, date.min), PriceRow(article.price))
    return [best[q][1] for q in sorted(best)]


def sales_price_rows(state: AfasState, groups: Groups) -> list[dict[str, Any]]:
    book, rows, seen = state.articles, [], []
    for group in groups or [[]]:
        params = _parameters(state, group)
        if params in seen:
            continue
        seen.append(params)
        if params["Currency"].casefold() != CURRENCY.casefold():
            continue
        head = {k: params[k] for k in PARAMETERS}
        for article in book.items.values():
            if article.blocked:
                continue
            scales = _scales(book.prices.get(article.code, {}), article, params["Debtor"], params["day"])
            for scale in scales if params["Volume"] else scales[:1]:
                rows.append({**head, "Item": article.code, "Description": article.description,
                             "Quantity": float(scale.quantity), "Unit": article.unit,
                             "GrossPrice": _price(scale.price, article, book.rules),
                             "Discount": _price(scale.discount, article, book.rules),
                             "Nettoprijs": _price(scale.price - scale.discount, article, book.rules)})  # fmt: skip
    return rows


def read(connector: str, state: AfasState, fields: dict[str, Any], params: dict[str, str]) -> list | None:
    """Rows of an article GetConnector, or None when ``connector`` is none of them."""
    book = state.articles
    if connector == ARTICLE:
        return [article_row(a, book.rules) for a in book.items.values()]
    if connector == BASIC:
        return [basic_row(state, a) for a in book.items.values()]
    if connector == BARCODES:
        return barcode_rows(state)
    if connector == SALES_PRICE:
        return sales_price_rows(state, parse_filters(params, fields))
    return None


def rewrite(connector: str, rules: ArticleRules) -> Callable[[Groups], Groups] | None:
    """Profit_Article's date-time filter rules, as a rewrite of the parsed filter; None for the others."""
    if connector != ARTICLE:
        return None

    def apply(groups: Groups) -> Groups:
        out = []
        for group in groups:
            conditions = []
            for field_id, op, value in group:
                if field_id in ("ModifiedDate", "CreateDate") and op in (1, 2, 3, 4, 5, 7):
                    _check_moment(value, rules)
                    if rules.modified_date_bounds == "exclusive":
                        op = {2: 4, 3: 5}.get(op, op)
                conditions.append((field_id, op, value))
            out.append(conditions)
        return out

    return apply


def _check_moment(value: str, rules: ArticleRules) -> None:
    if rules.modified_date_filter_format == "strict" and not _STRICT_MOMENT.fullmatch(value):
        raise unexpected()
    try:
        moment = typed(value, {"format": "date-time"})
    except ValueError:
        raise unexpected() from None
    if moment.tzinfo is not None:
        raise unexpected()
