"""The articles flow in the ledger: the items AFAS has, the shop's catalogue as read, and every field
written. Catalogue data only (codes, item texts, prices), no personal data. Items and the catalogue are
state (rebuilt by full comparisons); the writes are basic log (retention applies)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from lightspeed_afas.domain.article_rows import Article
from lightspeed_afas.ledger import clock
from lightspeed_afas.ledger import schema as t

CHUNK = 500


@dataclass(frozen=True)
class ItemRow:
    """One AFAS item as the ledger has it."""

    code: str
    article: Article | None
    variant_id: int | None
    product_id: int | None
    status: str
    reason: str | None
    pushed_hash: str | None
    create_started_at: datetime | None
    create_title: str | None


@dataclass(frozen=True)
class ShopVariant:
    id: int
    product_id: int | None
    codes: dict[str, str | None]  # articleCode, sku, ean (normalised)
    shop: dict[str, Any]


@dataclass(frozen=True)
class WriteRow:
    """One field written (or tried): ``outcome`` written, failed, gone, unknown or created."""

    item_code: str
    target: str
    target_id: int | None
    field: str
    old: Any
    new: Any
    outcome: str
    reason: str | None = None
    lang: str | None = None


class ArticleLog:
    """The articles flow's tables of ``self.engine``'s ledger (a part of ``Ledger``)."""

    engine: sa.Engine

    # -- AFAS items ---------------------------------------------------------------------------------

    def article_items(self, tenant: str) -> dict[str, ItemRow]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(t.article_item).where(t.article_item.c.tenant == tenant)).mappings()
            return {str(r["item_code"]): _item(r) for r in rows}

    def save_articles(self, tenant: str, articles: Iterable[Article]) -> int:
        """Store AFAS's values of these items (new items start ``missing``: not matched yet)."""
        c = t.article_item.c
        now = clock.now_utc()
        given = {a.code: a for a in articles}
        codes = list(given)
        with self.engine.begin() as conn:
            known = set()
            for start in range(0, len(codes), CHUNK):
                chunk = codes[start : start + CHUNK]
                known |= set(
                    conn.execute(
                        sa.select(c.item_code).where(c.tenant == tenant, c.item_code.in_(chunk))
                    ).scalars()
                )
            updates = [
                {"code": code, "afas": given[code].as_dict(), "now": now} for code in codes if code in known
            ]
            if updates:
                conn.execute(
                    t.article_item.update()
                    .where(c.tenant == tenant, c.item_code == sa.bindparam("code"))
                    .values(afas=sa.bindparam("afas"), changed_at=sa.bindparam("now")),
                    updates,
                )
            inserts = [
                {
                    "tenant": tenant,
                    "item_code": code,
                    "afas": given[code].as_dict(),
                    "status": "missing",
                    "changed_at": now,
                }
                for code in codes
                if code not in known
            ]
            if inserts:
                conn.execute(t.article_item.insert(), inserts)
        return len(codes)

    def remove_articles_except(self, tenant: str, keep: set[str]) -> list[str]:
        """Drop the items AFAS no longer has (a full read saw every one; AFAS deletes are hard deletes),
        but never one whose product creation is under way."""
        items = self.article_items(tenant)
        gone = [code for code, row in items.items() if code not in keep and row.status != "creating"]
        c = t.article_item.c
        with self.engine.begin() as conn:
            for start in range(0, len(gone), CHUNK):
                conn.execute(
                    t.article_item.delete().where(
                        c.tenant == tenant, c.item_code.in_(gone[start : start + CHUNK])
                    )
                )
        return gone

    def set_item_states(self, tenant: str, states: Mapping[str, Mapping[str, Any]]) -> None:
        """Update items' columns (``status``, ``reason``, ``variant_id``, ``product_id``, ``pushed_hash``,
        ``pushed_at``, ``create_started_at``, ``create_title``): only those named per item."""
        if not states:
            return
        c = t.article_item.c
        now = clock.now_utc()
        with self.engine.begin() as conn:
            for code, values in states.items():
                conn.execute(
                    t.article_item.update()
                    .where(c.tenant == tenant, c.item_code == code)
                    .values(**values, changed_at=now)
                )

    # -- the shop's catalogue ---------------------------------------------------------------------

    def shop_variants(self, tenant: str) -> dict[int, ShopVariant]:
        c = t.article_variant.c
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(t.article_variant).where(c.tenant == tenant)).mappings()
            return {
                int(r["variant_id"]): ShopVariant(
                    int(r["variant_id"]),
                    r["product_id"],
                    {"articleCode": r["article_code"], "sku": r["sku"], "ean": r["ean"]},
                    dict(r["shop"] or {}),
                )
                for r in rows
            }

    def shop_products(self, tenant: str) -> dict[int, dict[str, Any]]:
        c = t.article_product.c
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(c.product_id, c.shop).where(c.tenant == tenant))
            return {int(pid): dict(shop or {}) for pid, shop in rows}

    def save_shop_variants(self, tenant: str, variants: Sequence[ShopVariant]) -> None:
        now = clock.now_utc()
        rows = [
            {
                "tenant": tenant,
                "variant_id": v.id,
                "product_id": v.product_id,
                "article_code": v.codes.get("articleCode"),
                "sku": v.codes.get("sku"),
                "ean": v.codes.get("ean"),
                "shop": v.shop,
                "seen_at": now,
            }
            for v in variants
        ]
        _replace(self.engine, t.article_variant, t.article_variant.c.variant_id, tenant, rows, "variant_id")

    def save_shop_products(self, tenant: str, products: Mapping[int, Mapping[str, Any]]) -> None:
        """Merge what was read (visibility, texts of the languages read) into the stored products."""
        if not products:
            return
        stored = self._stored_products(tenant, list(products))
        now = clock.now_utc()
        rows = []
        for pid, read in products.items():
            merged = dict(stored.get(pid) or {})
            texts = {**(merged.get("texts") or {})}
            texts.update(read.get("texts") or {})
            merged.update({k: v for k, v in read.items() if k != "texts"})
            merged["texts"] = texts
            rows.append({"tenant": tenant, "product_id": pid, "shop": merged, "seen_at": now})
        _replace(self.engine, t.article_product, t.article_product.c.product_id, tenant, rows, "product_id")

    def _stored_products(self, tenant: str, ids: list[int]) -> dict[int, dict[str, Any]]:
        c = t.article_product.c
        found: dict[int, dict[str, Any]] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(ids), CHUNK):
                chunk = ids[start : start + CHUNK]
                rows = conn.execute(
                    sa.select(c.product_id, c.shop).where(c.tenant == tenant, c.product_id.in_(chunk))
                )
                found.update({int(pid): dict(shop or {}) for pid, shop in rows})
        return found

    def remove_catalogue_not_seen_since(self, tenant: str, since: datetime) -> int:
        """After a full read: drop variants and products no read saw since ``since`` (deleted in the shop)."""
        removed = 0
        with self.engine.begin() as conn:
            for table in (t.article_variant, t.article_product):
                result = conn.execute(table.delete().where(table.c.tenant == tenant, table.c.seen_at < since))
                removed += int(result.rowcount or 0) if table is t.article_variant else 0
        return removed

    # -- writes -----------------------------------------------------------------------------------

    def record_article_writes(self, tenant: str, run_id: str, writes: Sequence[WriteRow]) -> None:
        if not writes:
            return
        now = clock.now_utc()
        rows = [
            {
                "tenant": tenant,
                "run_id": run_id,
                "item_code": w.item_code,
                "target": w.target,
                "target_id": w.target_id,
                "field": w.field,
                "lang": w.lang,
                "old_value": _cut(w.old),
                "new_value": _cut(w.new),
                "outcome": w.outcome,
                "reason": (w.reason or None) and w.reason[:1000],
                "at": now,
            }
            for w in writes
        ]
        with self.engine.begin() as conn:
            conn.execute(t.article_write.insert(), rows)

    def article_writes(
        self, tenant: str, run_id: str | None = None, limit: int = 1000
    ) -> list[dict[str, Any]]:
        c = t.article_write.c
        query = sa.select(t.article_write).where(c.tenant == tenant)
        if run_id is not None:
            query = query.where(c.run_id == run_id)
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(c.id.desc()).limit(limit)).mappings()
            return [dict(r) for r in rows]


def _replace(
    engine: sa.Engine, table: sa.Table, key: sa.Column, tenant: str, rows: list[dict[str, Any]], name: str
) -> None:
    ids = [r[name] for r in rows]
    with engine.begin() as conn:
        for start in range(0, len(ids), CHUNK):
            conn.execute(table.delete().where(table.c.tenant == tenant, key.in_(ids[start : start + CHUNK])))
        if rows:
            conn.execute(table.insert(), rows)


def _cut(value: Any) -> str | None:
    return None if value is None else str(value)[:255]


def _item(r: Mapping[str, Any]) -> ItemRow:
    return ItemRow(
        code=str(r["item_code"]),
        article=Article.from_dict(r["afas"]) if r["afas"] else None,
        variant_id=r["variant_id"],
        product_id=r["product_id"],
        status=str(r["status"]),
        reason=r["reason"],
        pushed_hash=r["pushed_hash"],
        create_started_at=clock.aware(r["create_started_at"]) if r["create_started_at"] else None,
        create_title=r["create_title"],
    )
