"""Writes to the articles through the admin API (``POST /_admin/articles``, ``DELETE /_admin/articles/{code}``,
``GET /_admin/articles``, ``POST /_admin/article_rules``); what they mean is in ``articles``."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from emulators.afas.article_rules import VAT_GROUP_RATES, ArticleRules
from emulators.afas.articles import (
    FLAGS,
    TEXTS,
    Article,
    BarcodeRow,
    amount,
    fits,
    moment,
    raw_field_ids,
    text,
)

if TYPE_CHECKING:
    from emulators.afas.state import AfasState

MAX_GENERATE = 1_000_000
SPEC_KEYS = {"code", *TEXTS, *FLAGS, "vat_group", "price", "created", "modified", "raw"}
# Changes that always move ModifiedDate; ``price`` and ``barcode`` only when their rule says so.
MOVES = ("description", "extra_description", "unit", "group", "blocked", "vat_group", "stock", "price_group",
         "dim1", "dim2")  # fmt: skip
SIZES = ("S", "M", "L")
_WORDS = ("Koffie", "Thee", "Mok", "Filter", "Molen", "Beker", "Kan", "Lepel", "Bus", "Schaal")


def _parse(spec: Any) -> dict[str, Any]:
    """An article spec as typed changes; ``ValueError`` when anything is off."""
    if not isinstance(spec, dict):
        raise ValueError("an article is an object")
    if set(spec) - SPEC_KEYS:
        raise ValueError(f"unknown article fields: {sorted(set(spec) - SPEC_KEYS)}")
    out: dict[str, Any] = {"code": text(spec.get("code"), "code", 40, nullable=False)}
    for name, limit in TEXTS.items():
        if name in spec:
            out[name] = text(spec[name], name, limit, nullable=name != "unit")
    for name in FLAGS:
        if name in spec:
            if not isinstance(spec[name], bool):
                raise ValueError(f"{name} must be true or false")
            out[name] = spec[name]
    if "vat_group" in spec:
        if spec["vat_group"] not in VAT_GROUP_RATES:
            raise ValueError(f"vat_group must be one of {list(VAT_GROUP_RATES)}")
        out["vat_group"] = spec["vat_group"]
    if "price" in spec:
        out["price"] = amount(spec["price"], "price")
    for name in ("created", "modified"):
        if name in spec:
            out[name] = moment(spec[name], name)
    if "raw" in spec:
        raw, allowed = spec["raw"], raw_field_ids()
        if not isinstance(raw, dict) or not set(raw) <= allowed:
            raise ValueError(f"raw maps field ids from {sorted(allowed)} to values")
        out["raw"] = dict(raw)
    return out


def _changed(current: Article | None, changes: dict[str, Any], now: datetime, rules: ArticleRules) -> Article:
    """The article after ``changes``, with ModifiedDate moved as the rules say."""
    values = {k: v for k, v in changes.items() if k not in ("code", "created", "modified")}
    if current is None:
        created = changes.get("created", now)
        article = Article(changes["code"], created, changes.get("modified", created), **values)
    else:
        article = replace(current, **values)
        moving = list(MOVES)
        if rules.price_change_moves_modified_date:
            moving.append("price")
        if rules.barcode_change_moves_modified_date:
            moving.append("barcode")
        if any(getattr(article, name) != getattr(current, name) for name in moving):
            article.modified = now
        article.created = changes.get("created", article.created)
        article.modified = changes.get("modified", article.modified)
    if article.dim2 and not article.dim1:
        raise ValueError(f"article {article.code}: dim2 needs dim1")
    return article


def _ean13(digits: str) -> str:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits))
    return digits + str((10 - total % 10) % 10)


def _generated(count: Any, seed: Any) -> tuple[list[dict[str, Any]], dict[str, list[BarcodeRow]]]:
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_GENERATE:
        raise ValueError(f"generate must be a whole number from 0 to {MAX_GENERATE}")
    rng, specs, barcodes = random.Random(f"afas-articles:{seed}"), [], {}
    groups = list(VAT_GROUP_RATES)
    for i in range(1, count + 1):
        code = f"GEN-{i:06d}"
        spec: dict[str, Any] = {
            "code": code,
            "description": f"{rng.choice(_WORDS)} {i}",
            "group": rng.choice(("100", "200", "300")),
            "vat_group": rng.choices(groups, weights=(70, 25, 5))[0],
            "price": Decimal(rng.randint(50, 25000)) / 100,
            "blocked": rng.random() < 0.03,
            "stock": rng.random() < 0.9,
        }
        if rng.random() < 0.1:
            spec["dim1"], spec["barcode"] = "MATEN", None
            barcodes[code] = [BarcodeRow(_ean13(f"21{i:09d}{j}"), "3", size) for j, size in enumerate(SIZES)]
        else:
            spec["dim1"], spec["barcode"], barcodes[code] = None, _ean13(f"20{i:09d}0"), []
        specs.append(spec)
    return specs, barcodes


def _to_catalogue(state: AfasState, article: Article, folded: dict[str, str]) -> None:
    """Write the article into the catalogue as a type "2" item (sales lines are checked against it)."""
    code = folded.get(article.code.casefold(), article.code)
    item = state.catalogue.items.get(code, {})
    units = [article.unit, *(u for u in item.get("units", []) if u != article.unit)]
    rate = VAT_GROUP_RATES[article.vat_group]
    vat_code = item.get("vat_code")
    if state.catalogue.vat_codes.get(str(vat_code)) != rate:
        vat_code = next((c for c, r in sorted(state.catalogue.vat_codes.items()) if r == rate), vat_code)
    state.catalogue.items[code] = {**item, "type": "2", "units": units, "price": str(article.price),
                                   "description": article.description or article.code, "vat_code": vat_code}  # fmt: skip
    folded[code.casefold()] = code


def admin_upsert(state: AfasState, body: dict[str, Any]) -> dict[str, int]:
    """``POST /_admin/articles``: the specs and/or generated articles, all checked before any is written."""
    if set(body) - {"articles", "generate", "seed"}:
        raise ValueError(f"unknown keys: {sorted(set(body) - {'articles', 'generate', 'seed'})}")
    if not isinstance(body.get("articles", []), list):
        raise ValueError("articles must be a list")
    specs = [_parse(spec) for spec in body.get("articles", [])]
    generated: dict[str, list[BarcodeRow]] = {}
    if "generate" in body:
        more, generated = _generated(body["generate"], body.get("seed", ""))
        specs += more
    book, now, pending = state.articles, state.now(), {}
    for changes in specs:
        current = book.find(changes["code"])
        code = current.code if current else changes["code"]
        pending[code.casefold()] = _changed(pending.get(code.casefold(), current), changes, now, book.rules)
    folded = {c.casefold(): c for c in state.catalogue.items}
    for article in pending.values():
        rows = generated.get(article.code, book.barcodes.get(article.code, {}).values())
        if any(not fits(article, r.dim1, r.dim2) for r in rows):
            raise ValueError(f"article {article.code}: its barcode rows do not fit its dimensions")
        item = state.catalogue.items.get(folded.get(article.code.casefold(), ""), {"type": "2"})
        if item["type"] != "2":
            raise ValueError(
                f"{article.code} is an item of type {item['type']} in the catalogue, not an article"
            )
    moved = 0
    for article in pending.values():
        previous = book.find(article.code)
        moved += previous is None or previous.modified != article.modified
        book.put(article)
        _to_catalogue(state, article, folded)
    for code, rows in generated.items():  # generating replaces a GEN article's barcode rows
        book.barcodes[code] = {row.barcode: row for row in rows}
        if not rows:
            del book.barcodes[code]
    return {"articles": len(pending), "modified": moved}


def admin_delete(state: AfasState, code: str) -> bool:
    """A hard delete: the article, its barcodes, prices and catalogue item are gone."""
    book = state.articles
    article = book.find(code)
    if article is None:
        return False
    del book.items[article.code], book.folded[article.code.casefold()]
    book.barcodes.pop(article.code, None)
    book.prices.pop(article.code, None)
    folded = article.code.casefold()
    for item_code in [
        c for c, i in state.catalogue.items.items() if c.casefold() == folded and i["type"] == "2"
    ]:
        del state.catalogue.items[item_code]
    return True


def admin_view(state: AfasState) -> dict[str, Any]:
    book = state.articles
    barcodes = [
        {"item": code, "barcode": r.barcode, "type": r.type, "dim1": r.dim1, "dim2": r.dim2, "raw": r.raw}
        for code, rows in book.barcodes.items()
        for r in rows.values()
    ]
    prices = [
        {"item": code, "price": str(p.price), "debtor": p.debtor,
         "date": p.start.isoformat() if p.start else None, "quantity": str(p.quantity),
         "discount": str(p.discount)}
        for code, rows in book.prices.items()
        for p in rows.values()
    ]  # fmt: skip
    articles = [a.as_dict() for a in book.items.values()]
    return {"articles": articles, "barcodes": barcodes, "prices": prices, "rules": book.rules.as_dict()}


def set_rules(state: AfasState, changes: dict[str, Any]) -> dict[str, Any]:
    state.articles.rules = state.articles.rules.updated(changes)
    return state.articles.rules.as_dict()
