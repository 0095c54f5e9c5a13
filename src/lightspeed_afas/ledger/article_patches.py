"""The articles flow's ledger after its writes: what the shop now holds, and which failures are old news."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from lightspeed_afas.ledger import schema as t

CHUNK = 500


class ArticlePatches:
    """After writes: what the shop now holds, merged into the stored catalogue (a part of ``Ledger``)."""

    engine: sa.Engine

    def patch_shop(
        self,
        tenant: str,
        variants: Mapping[int, Mapping[str, Any]],
        products: Mapping[int, Mapping[str | None, Mapping[str, Any]]],
    ) -> None:
        """``variants``: id → field values; ``products``: id → lang (None: shared) → field values."""
        for table, key, patches in (
            (t.article_variant, t.article_variant.c.variant_id, variants),
            (t.article_product, t.article_product.c.product_id, products),
        ):
            ids = list(patches)
            with self.engine.begin() as conn:
                for start in range(0, len(ids), CHUNK):
                    chunk = ids[start : start + CHUNK]
                    rows = conn.execute(
                        sa.select(key, table.c.shop).where(table.c.tenant == tenant, key.in_(chunk))
                    ).all()
                    for rid, shop in rows:
                        merged = _merged(dict(shop or {}), patches[rid], table is t.article_product)
                        conn.execute(
                            table.update().where(table.c.tenant == tenant, key == rid).values(shop=merged)
                        )

    def earlier_article_failures(
        self, tenant: str, codes: Sequence[str], before_run: str
    ) -> set[tuple[str, str, str]]:
        """(item, field, reason) of failed writes recorded by other runs: a failure seen before is no news."""
        c = t.article_write.c
        found: set[tuple[str, str, str]] = set()
        with self.engine.connect() as conn:
            for start in range(0, len(codes), CHUNK):
                rows = conn.execute(
                    sa.select(c.item_code, c.field, c.reason).where(
                        c.tenant == tenant,
                        c.outcome == "failed",
                        c.run_id != before_run,
                        c.item_code.in_(list(codes[start : start + CHUNK])),
                    )
                )
                found |= {(str(a), str(b), str(r or "")) for a, b, r in rows}
        return found


def _merged(shop: dict[str, Any], patch: Mapping[Any, Any], product: bool) -> dict[str, Any]:
    if not product:
        shop.update(patch)
        return shop
    texts = dict(shop.get("texts") or {})
    for lang, values in patch.items():
        if lang is None:
            shop.update(values)
        else:
            texts[lang] = {**(texts.get(lang) or {}), **values}
    shop["texts"] = texts
    return shop
