"""The ledger tables of the flows that book Lightspeed records into AFAS one by one — customers and
credit notes (version 6 of ``schema``'s migrations) — and of the webhooks that trigger the orders flow
(version 7).

Numbers and statuses only, no personal data: a customer is its Lightspeed id and its AFAS debtor
number; a credit note its id, its number, its order's number and the AFAS document it became.
"""

from __future__ import annotations

import sqlalchemy as sa

from lightspeed_afas.ledger.meta import metadata

# Per flow and Lightspeed id: where the record stands (the flows' dedupe and retry state).
flow_item = sa.Table(
    "lsafas_flow_item",
    metadata,
    sa.Column("tenant", sa.String(64), primary_key=True),
    sa.Column("flow", sa.String(20), primary_key=True),  # customers, credit_notes
    sa.Column("item_id", sa.BigInteger, primary_key=True),  # the Lightspeed customer / invoice id
    sa.Column("number", sa.String(100)),  # the credit note's number (customers: none)
    sa.Column("status", sa.String(20), nullable=False),  # see ledger.flow_items
    sa.Column("version", sa.String(40)),  # Lightspeed's updatedAt as sent, of the last attempt
    sa.Column("payload_hash", sa.String(64)),
    sa.Column("afas_id", sa.String(32)),  # the debtor number / AFAS document number
    sa.Column("debtor_id", sa.String(16)),
    sa.Column("order_id", sa.BigInteger),  # credit notes: the original order
    sa.Column("order_number", sa.String(100)),
    sa.Column("reason", sa.Text),
    sa.Column("failures", sa.Integer, nullable=False, default=0),
    sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
    sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_lsafas_flow_item_status", "tenant", "flow", "status"),
    sa.Index("ix_lsafas_flow_item_changed", "changed_at"),
)
# Every attempt: the basic log of these flows (retention applies).
flow_item_attempt = sa.Table(
    "lsafas_flow_item_attempt",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("tenant", sa.String(64), nullable=False),
    sa.Column("flow", sa.String(20), nullable=False),
    sa.Column("run_id", sa.String(250), nullable=False),
    sa.Column("item_id", sa.BigInteger, nullable=False),
    sa.Column("number", sa.String(100)),
    sa.Column("action", sa.String(20), nullable=False),
    sa.Column("afas_id", sa.String(32)),
    sa.Column("reason", sa.Text),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_lsafas_flow_item_attempt_run", "tenant", "flow", "run_id"),
    sa.Index("ix_lsafas_flow_item_attempt_at", "at"),
)
V6_TABLES = (flow_item, flow_item_attempt)

# Every webhook the receiver answered (version 7): the basic log of the webhooks (retention applies).
# What it was about (group, action, the Lightspeed id) and what became of it — no body, no personal data.
webhook = sa.Table(
    "lsafas_webhook",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("tenant", sa.String(64), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("item_group", sa.String(20)),
    sa.Column("action", sa.String(20)),
    sa.Column("item_id", sa.BigInteger),
    sa.Column("status", sa.Integer, nullable=False),  # the HTTP status the receiver answered
    sa.Column("outcome", sa.String(20), nullable=False),  # triggered, coalesced, ignored, refused
    sa.Column("run_id", sa.String(250)),  # the orders run it triggered (or joined)
    sa.Column("reason", sa.Text),
    sa.Index("ix_lsafas_webhook_tenant_at", "tenant", "at"),
    sa.Index("ix_lsafas_webhook_at", "at"),
)
V7_TABLES = (webhook,)
