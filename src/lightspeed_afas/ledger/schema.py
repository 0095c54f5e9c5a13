"""The ledger's tables (SQLAlchemy Core; SQLite and PostgreSQL) and its versioned migrations.

The ledger is the basic log: numbers, statuses and reasons — never an order's contents (no names,
addresses, e-mails, lines or amounts). Migrations are append-only: a deployed version never changes.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from lightspeed_afas.ledger.meta import metadata
from lightspeed_afas.ledger.schema_articles import (  # noqa: F401 - the tables of version 5, re-exported
    V5_TABLES,
    article_item,
    article_product,
    article_variant,
    article_write,
)
from lightspeed_afas.ledger.schema_flow_items import (  # noqa: F401 - the tables of versions 6 and 7, re-exported
    V6_TABLES,
    V7_TABLES,
    flow_item,
    flow_item_attempt,
    webhook,
)

schema_version = sa.Table(
    "lsafas_schema_version",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("description", sa.String(200), nullable=False),
)

sync_run = sa.Table(
    "lsafas_sync_run",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("tenant", sa.String(64), nullable=False),
    sa.Column("run_id", sa.String(250), nullable=False),
    sa.Column("mode", sa.String(20), nullable=False),
    sa.Column("window_start", sa.DateTime(timezone=True)),
    sa.Column("window_end", sa.DateTime(timezone=True)),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True)),
    sa.Column("outcome", sa.String(20), nullable=False),  # running, success, partial, failed
    sa.Column("counts", sa.JSON, nullable=False),
    sa.Column("calls", sa.JSON, nullable=False),
    sa.Column("rate_limited", sa.Integer, nullable=False, default=0),
    sa.Column("duration_s", sa.Float),
    sa.Column("message", sa.Text),
    sa.Index("ix_lsafas_sync_run_tenant_started", "tenant", "started_at"),
)

order_attempt = sa.Table(
    "lsafas_order_attempt",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("tenant", sa.String(64), nullable=False),
    sa.Column("order_id", sa.BigInteger, nullable=False),
    sa.Column("order_number", sa.String(64), nullable=False),
    sa.Column("updated_at", sa.String(40)),  # Lightspeed updatedAt as sent (with its offset)
    sa.Column("payload_hash", sa.String(64)),
    sa.Column("afas_order_number", sa.String(32)),
    sa.Column("debtor_id", sa.String(32)),
    sa.Column("action", sa.String(20), nullable=False),
    sa.Column("reason", sa.Text),
    sa.Column("profit_log_reference", sa.String(64)),
    sa.Column("attempt", sa.Integer, nullable=False),
    sa.Column("run_id", sa.String(250), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_lsafas_order_attempt_tenant_number", "tenant", "order_number"),
    sa.Index("ix_lsafas_order_attempt_tenant_at", "tenant", "at"),
)

order_state = sa.Table(
    "lsafas_order_state",
    metadata,
    sa.Column("tenant", sa.String(64), primary_key=True),
    sa.Column("order_id", sa.BigInteger, primary_key=True),
    sa.Column("order_number", sa.String(64), nullable=False),
    sa.Column("updated_at", sa.String(40)),
    sa.Column("payload_hash", sa.String(64)),
    sa.Column("afas_order_number", sa.String(32)),
    sa.Column("debtor_id", sa.String(32)),
    sa.Column("status", sa.String(20), nullable=False),  # booked, skipped, failed, quarantined
    sa.Column("failures", sa.Integer, nullable=False, default=0),
    sa.Column("reason", sa.Text),
    sa.Column("last_run_id", sa.String(250)),
    sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_lsafas_order_state_tenant_status", "tenant", "status"),
)

watermark = sa.Table(
    "lsafas_watermark",
    metadata,
    sa.Column("tenant", sa.String(64), primary_key=True),
    sa.Column("extracted_until", sa.DateTime(timezone=True), nullable=False),
    sa.Column("run_id", sa.String(250)),
    sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
)

lease = sa.Table(
    "lsafas_lease",
    metadata,
    sa.Column("tenant", sa.String(64), primary_key=True),
    sa.Column("holder", sa.String(250), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
)

detail_log = sa.Table(
    "lsafas_detail_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("tenant", sa.String(64), nullable=False),
    sa.Column("run_id", sa.String(250)),
    sa.Column("order_number", sa.String(64)),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("api", sa.String(20), nullable=False),
    sa.Column("method", sa.String(10), nullable=False),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("status", sa.Integer, nullable=False),
    sa.Column("request_body", sa.Text),
    sa.Column("response_body", sa.Text),
    sa.Column("duration_ms", sa.Float),
    sa.Index("ix_lsafas_detail_log_tenant_at", "tenant", "at"),
    sa.Index("ix_lsafas_detail_log_tenant_order", "tenant", "order_number"),
)


retention_run = sa.Table(
    "lsafas_retention_run",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.String(250), nullable=False),
    sa.Column("kind", sa.String(40), nullable=False),  # detail_log, ledger, task_logs, staged_xcom
    sa.Column("cutoff", sa.DateTime(timezone=True), nullable=False),
    sa.Column("deleted", sa.Integer, nullable=False),
    sa.Column("oldest_kept", sa.DateTime(timezone=True)),
    sa.Column("dry_run", sa.Boolean, nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_lsafas_retention_run_at", "at"),
)

# Which problems were notified on which channel (``ops.notify``): at most one message per problem.
notification = sa.Table(
    "lsafas_notification",
    metadata,
    sa.Column("tenant", sa.String(64), primary_key=True),
    sa.Column("channel", sa.String(20), primary_key=True),
    sa.Column("problem_key", sa.String(200), primary_key=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("notified_at", sa.DateTime(timezone=True), nullable=False),
)

# -- version 4: the flows beside orders (stock first) ------------------------------------------------

# One row per run of a non-order flow (the orders flow keeps ``lsafas_sync_run``).
flow_run = sa.Table(
    "lsafas_flow_run",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("tenant", sa.String(64), nullable=False),
    sa.Column("flow", sa.String(20), nullable=False),
    sa.Column("run_id", sa.String(250), nullable=False),
    sa.Column("mode", sa.String(20), nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True)),
    sa.Column("outcome", sa.String(20), nullable=False),  # running, success, partial, failed, dry_run
    sa.Column("counts", sa.JSON, nullable=False),
    sa.Column("calls", sa.JSON, nullable=False),
    sa.Column("duration_s", sa.Float),
    sa.Column("message", sa.Text),
    sa.Index("ix_lsafas_flow_run_tenant_flow_started", "tenant", "flow", "started_at"),
    sa.Index("ix_lsafas_flow_run_started", "started_at"),
)

# The stock flow's map of the shop's variants: codes (not personal data), tracking, the level last
# known in the shop, and whether the flow keeps the variant's level or leaves it alone (and why).
stock_variant = sa.Table(
    "lsafas_stock_variant",
    metadata,
    sa.Column("tenant", sa.String(64), primary_key=True),
    sa.Column("variant_id", sa.BigInteger, primary_key=True),
    sa.Column("product_id", sa.BigInteger),
    sa.Column("article_code", sa.String(255)),
    sa.Column("sku", sa.String(255)),
    sa.Column("ean", sa.String(255)),
    sa.Column("stock_tracking", sa.String(20)),
    sa.Column("updated_at", sa.String(40)),  # Lightspeed updatedAt as sent
    sa.Column("item_code", sa.String(255)),  # the AFAS item it follows (normalised), when matched
    sa.Column("shop_level", sa.Integer),  # last read from the shop or set by a push
    sa.Column("status", sa.String(20), nullable=False),  # kept, left_alone
    sa.Column("reason", sa.Text),
    sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),  # last read from the shop
    sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_lsafas_stock_variant_tenant_status", "tenant", "status"),
)

# Every level the stock flow wrote (or tried to): basic log, retention applies.
stock_push = sa.Table(
    "lsafas_stock_push",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("tenant", sa.String(64), nullable=False),
    sa.Column("run_id", sa.String(250), nullable=False),
    sa.Column("variant_id", sa.BigInteger, nullable=False),
    sa.Column("item_code", sa.String(255)),
    sa.Column("old_level", sa.Integer),
    sa.Column("new_level", sa.Integer, nullable=False),
    sa.Column("outcome", sa.String(20), nullable=False),  # pushed, failed, gone, unknown
    sa.Column("reason", sa.Text),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_lsafas_stock_push_tenant_at", "tenant", "at"),
    sa.Index("ix_lsafas_stock_push_at", "at"),
)

# Small per-flow cursors: the variant map's refresh time, the last full comparison, …
flow_state = sa.Table(
    "lsafas_flow_state",
    metadata,
    sa.Column("tenant", sa.String(64), primary_key=True),
    sa.Column("flow", sa.String(20), primary_key=True),
    sa.Column("key", sa.String(40), primary_key=True),
    sa.Column("value", sa.JSON),
    sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
)

# What webshop orders the order flow could not book yet still hold: item code and quantity per order
# (no personal data), so the stock flow can subtract them. Removed when the order is booked.
unbooked_line = sa.Table(
    "lsafas_unbooked_line",
    metadata,
    sa.Column("tenant", sa.String(64), primary_key=True),
    sa.Column("order_id", sa.BigInteger, primary_key=True),
    sa.Column("item_code", sa.String(255), primary_key=True),  # normalised (trimmed, upper case)
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
)

V4_TABLES = (flow_run, stock_variant, stock_push, flow_state, unbooked_line)


# Version 1 as it was deployed (tables only; the later versions add to it).
V1_TABLES = (sync_run, order_attempt, order_state, watermark, lease, detail_log)


def _v1(conn: sa.Connection) -> None:
    for table in V1_TABLES:
        table.create(conn, checkfirst=True)


# Indexes added by version 2: the retention DAG deletes by time across tenants, and a retried task
# finds its run's row by run id. Plain DDL, so the tables above stay exactly as version 1 made them.
V2_INDEXES = (
    ("ix_lsafas_sync_run_tenant_run", "lsafas_sync_run", "tenant, run_id"),
    ("ix_lsafas_sync_run_started", "lsafas_sync_run", "started_at"),
    ("ix_lsafas_order_attempt_at", "lsafas_order_attempt", "at"),
    ("ix_lsafas_order_state_changed", "lsafas_order_state", "changed_at"),
    ("ix_lsafas_detail_log_at", "lsafas_detail_log", "at"),
)


def _v2(conn: sa.Connection) -> None:
    retention_run.create(conn, checkfirst=True)
    for name, table, columns in V2_INDEXES:
        conn.execute(sa.text(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})"))


def _v3(conn: sa.Connection) -> None:
    # Before version 3 the notifier created this table itself, so a ledger may already have it.
    notification.create(conn, checkfirst=True)


def _tables(*tables: sa.Table) -> Callable[[sa.Connection], None]:
    """A version that only adds tables (4 and later)."""

    def step(conn: sa.Connection) -> None:
        for table in tables:
            table.create(conn, checkfirst=True)

    return step


# Append only. Each entry: (version, description, step).
MIGRATIONS: list[tuple[int, str, Callable[[sa.Connection], None]]] = [
    (1, "runs, order attempts, order state, watermark, lease, detail log", _v1),
    (2, "retention runs; time indexes for retention; run-id index for retried tasks", _v2),
    (3, "notifications sent (the table the notifier used to create itself)", _v3),
    (
        4,
        "flows beside orders: flow runs, stock variant map and pushes, flow state, unbooked lines",
        _tables(*V4_TABLES),
    ),
    (5, "articles flow: items, the shop's catalogue as read, field writes", _tables(*V5_TABLES)),
    (6, "customers and credit-notes flows: record state and attempts", _tables(*V6_TABLES)),
    (7, "webhooks received: what each was about and what became of it", _tables(*V7_TABLES)),
]
