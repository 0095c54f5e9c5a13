"""The articles flow's ledger tables (version 5 of ``schema``'s migrations)."""

from __future__ import annotations

import sqlalchemy as sa

from lightspeed_afas.ledger.meta import metadata

# The articles flow (version 5). Catalogue data only (codes, texts, prices of items), no personal data.
# Per AFAS item: its last-read Profit_Article values, the shop variant/product it follows, what was last
# pushed (a hash of what AFAS asked), and a creation in progress (so a lost POST answer is looked up).
article_item = sa.Table(
    "lsafas_article_item",
    metadata,
    sa.Column("tenant", sa.String(64), primary_key=True),
    sa.Column("item_code", sa.String(255), primary_key=True),  # normalised (trimmed, upper case)
    sa.Column("afas", sa.JSON),  # the item's Profit_Article values as last read
    sa.Column("variant_id", sa.BigInteger),
    sa.Column("product_id", sa.BigInteger),
    sa.Column("status", sa.String(20), nullable=False),  # followed, left_alone, missing, creating, created
    sa.Column("reason", sa.Text),
    sa.Column("pushed_hash", sa.String(64)),
    sa.Column("pushed_at", sa.DateTime(timezone=True)),
    sa.Column("create_started_at", sa.DateTime(timezone=True)),
    sa.Column("create_title", sa.String(255)),
    sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_lsafas_article_item_tenant_status", "tenant", "status"),
)
# The shop's catalogue as the articles flow last read it (or wrote it): variant codes and the values
# AFAS leads on. State, rebuilt by every full comparison.
article_variant = sa.Table(
    "lsafas_article_variant",
    metadata,
    sa.Column("tenant", sa.String(64), primary_key=True),
    sa.Column("variant_id", sa.BigInteger, primary_key=True),
    sa.Column("product_id", sa.BigInteger),
    sa.Column("article_code", sa.String(255)),
    sa.Column("sku", sa.String(255)),
    sa.Column("ean", sa.String(255)),
    sa.Column("shop", sa.JSON, nullable=False),  # priceExcl, priceIncl, ean, tax as the shop holds them
    sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
)
article_product = sa.Table(
    "lsafas_article_product",
    metadata,
    sa.Column("tenant", sa.String(64), primary_key=True),
    sa.Column("product_id", sa.BigInteger, primary_key=True),
    sa.Column("shop", sa.JSON, nullable=False),  # visibility, texts per language
    sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
)
# Every field the articles flow wrote (or tried to): basic log, retention applies.
article_write = sa.Table(
    "lsafas_article_write",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("tenant", sa.String(64), nullable=False),
    sa.Column("run_id", sa.String(250), nullable=False),
    sa.Column("item_code", sa.String(255), nullable=False),
    sa.Column("target", sa.String(20), nullable=False),  # variant, product
    sa.Column("target_id", sa.BigInteger),
    sa.Column("field", sa.String(40), nullable=False),  # a shop field; "create" for a new product
    sa.Column("lang", sa.String(8)),
    sa.Column("old_value", sa.String(255)),
    sa.Column("new_value", sa.String(255)),
    sa.Column("outcome", sa.String(20), nullable=False),  # written, failed, gone, unknown, created
    sa.Column("reason", sa.Text),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_lsafas_article_write_tenant_at", "tenant", "at"),
    sa.Index("ix_lsafas_article_write_at", "at"),
)
V5_TABLES = (article_item, article_variant, article_product, article_write)
