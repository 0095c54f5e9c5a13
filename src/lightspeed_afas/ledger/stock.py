"""The stock flow in the ledger: the variant map, the pushes, and what unbooked orders still hold.

Codes and levels only (no personal data). The map is state, not log: it is rebuilt by every full
comparison, never purged by age; the pushes are basic log (retention applies).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from lightspeed_afas.domain.stock import Push, Variant
from lightspeed_afas.ledger import clock
from lightspeed_afas.ledger import schema as t

CHUNK = 500
KEPT, LEFT_ALONE = "kept", "left_alone"


@dataclass(frozen=True)
class MappedVariant:
    """A variant of the map with what the flow decided about it."""

    variant: Variant
    item_code: str | None
    shop_level: int | None
    status: str
    reason: str | None


@dataclass(frozen=True)
class PushResult:
    """What became of one push: ``pushed`` (the shop holds ``level``), ``failed``, ``gone`` (404) or
    ``unknown`` (no answer)."""

    push: Push
    outcome: str
    level: int | None = None
    reason: str | None = None
    updated_at: str | None = None  # the variant's updatedAt in Lightspeed's answer


class StockLog:
    """The stock flow's tables of ``self.engine``'s ledger (a part of ``Ledger``)."""

    engine: sa.Engine

    def variant_map(self, tenant: str) -> dict[int, MappedVariant]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(t.stock_variant).where(t.stock_variant.c.tenant == tenant)
            ).mappings()
            return {int(r["variant_id"]): _mapped(r) for r in rows}

    def save_variants(self, tenant: str, variants: Iterable[Variant], replace_all: bool = False) -> None:
        """Store variants as read from the shop (codes, tracking, level); ``replace_all`` (a full read)
        also drops the variants the shop no longer has."""
        now = clock.now_utc()
        rows = [_variant_values(tenant, v, now) for v in variants]
        table = t.stock_variant
        with self.engine.begin() as conn:
            if replace_all:
                conn.execute(table.delete().where(table.c.tenant == tenant))
            else:
                ids = [r["variant_id"] for r in rows]
                for start in range(0, len(ids), CHUNK):
                    conn.execute(
                        table.delete().where(
                            table.c.tenant == tenant, table.c.variant_id.in_(ids[start : start + CHUNK])
                        )
                    )
            if rows:
                conn.execute(table.insert(), rows)

    def remove_variants_not_seen_since(self, tenant: str, since: datetime) -> int:
        """Drop the variants no read saw since ``since`` (the shop deleted them); returns how many."""
        table = t.stock_variant
        with self.engine.begin() as conn:
            result = conn.execute(table.delete().where(table.c.tenant == tenant, table.c.seen_at < since))
            return int(result.rowcount or 0)

    def remove_variants(self, tenant: str, variant_ids: Sequence[int]) -> None:
        table = t.stock_variant
        with self.engine.begin() as conn:
            for start in range(0, len(variant_ids), CHUNK):
                chunk = list(variant_ids[start : start + CHUNK])
                conn.execute(table.delete().where(table.c.tenant == tenant, table.c.variant_id.in_(chunk)))

    def set_decisions(self, tenant: str, items: Mapping[int, str], left_alone: Mapping[int, str]) -> None:
        """Record which item each variant follows and why the others are left alone (changed rows only)."""
        current = self.variant_map(tenant)
        now = clock.now_utc()
        updates: list[dict[str, Any]] = []
        for vid, mapped in current.items():
            wanted = (KEPT, items[vid], None) if vid in items else (LEFT_ALONE, None, left_alone.get(vid))
            if (mapped.status, mapped.item_code, mapped.reason) != wanted:
                updates.append({"vid": vid, "st": wanted[0], "ic": wanted[1], "rs": wanted[2], "now": now})
        if not updates:
            return
        table = t.stock_variant
        statement = (
            table.update()
            .where(table.c.tenant == tenant, table.c.variant_id == sa.bindparam("vid"))
            .values(
                status=sa.bindparam("st"),
                item_code=sa.bindparam("ic"),
                reason=sa.bindparam("rs"),
                changed_at=sa.bindparam("now"),
            )
        )
        with self.engine.begin() as conn:
            conn.execute(statement, updates)

    def record_pushes(self, tenant: str, run_id: str, results: Sequence[PushResult]) -> None:
        """One push row per result; a pushed level becomes the variant's known shop level; a variant
        the shop no longer has leaves the map."""
        if not results:
            return
        now = clock.now_utc()
        rows = [_push_values(tenant, run_id, r, now) for r in results]
        levels = [{"vid": r.push.variant_id, "lv": r.level} for r in results if r.level is not None]
        gone = [r.push.variant_id for r in results if r.outcome == "gone"]
        table = t.stock_variant
        with self.engine.begin() as conn:
            conn.execute(t.stock_push.insert(), rows)
            if levels:
                conn.execute(
                    table.update()
                    .where(table.c.tenant == tenant, table.c.variant_id == sa.bindparam("vid"))
                    .values(shop_level=sa.bindparam("lv")),
                    levels,
                )
            for start in range(0, len(gone), CHUNK):
                chunk = gone[start : start + CHUNK]
                conn.execute(table.delete().where(table.c.tenant == tenant, table.c.variant_id.in_(chunk)))

    def confirm_unknown_pushes(self, tenant: str) -> int:
        """Unanswered pushes (``unknown``) whose level the shop has been read to hold become ``pushed``;
        returns how many. The others stay ``unknown``: the plan pushes those levels again."""
        push, variant = t.stock_push, t.stock_variant
        held = (
            sa.select(variant.c.variant_id)
            .where(
                variant.c.tenant == tenant,
                variant.c.variant_id == push.c.variant_id,
                variant.c.shop_level == push.c.new_level,
            )
            .exists()
        )
        with self.engine.begin() as conn:
            result = conn.execute(
                push.update()
                .where(push.c.tenant == tenant, push.c.outcome == "unknown", held)
                .values(outcome="pushed", reason="the answer was lost; a later read of the shop confirmed it")
            )
            return int(result.rowcount or 0)

    def stock_pushes(self, tenant: str, run_id: str | None = None, limit: int = 1000) -> list[dict[str, Any]]:
        """Push rows, newest first (of one run when ``run_id`` is given)."""
        table = t.stock_push
        query = sa.select(table).where(table.c.tenant == tenant)
        if run_id is not None:
            query = query.where(table.c.run_id == run_id)
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(table.c.id.desc()).limit(limit)).mappings()
            return [dict(r, at=clock.aware(r["at"])) for r in rows]

    # -- what unbooked orders hold ------------------------------------------------------------------

    def hold_unbooked(self, tenant: str, holds: Mapping[int, Mapping[str, int]]) -> None:
        """Per order id, the item quantities it holds until it is booked (an empty mapping releases it)."""
        if not holds:
            return
        now = clock.now_utc()
        table = t.unbooked_line
        ids = sorted(holds)
        rows = [
            {"tenant": tenant, "order_id": oid, "item_code": code, "quantity": int(qty), "at": now}
            for oid in ids
            for code, qty in holds[oid].items()
            if qty > 0
        ]
        with self.engine.begin() as conn:
            for start in range(0, len(ids), CHUNK):
                chunk = ids[start : start + CHUNK]
                conn.execute(table.delete().where(table.c.tenant == tenant, table.c.order_id.in_(chunk)))
            if rows:
                conn.execute(table.insert(), rows)

    def unbooked_quantities(self, tenant: str) -> dict[str, int]:
        """Item code → the quantity on the tenant's orders that are not booked in AFAS yet."""
        table = t.unbooked_line
        query = (
            sa.select(table.c.item_code, sa.func.sum(table.c.quantity))
            .where(table.c.tenant == tenant)
            .group_by(table.c.item_code)
        )
        with self.engine.connect() as conn:
            return {str(code): int(total or 0) for code, total in conn.execute(query)}


def _mapped(row: Mapping[str, Any]) -> MappedVariant:
    variant = Variant(
        id=int(row["variant_id"]),
        product_id=row["product_id"],
        article_code=row["article_code"],
        sku=row["sku"],
        ean=row["ean"],
        tracking=row["stock_tracking"],
        level=row["shop_level"],
        updated_at=row["updated_at"],
    )
    return MappedVariant(variant, row["item_code"], row["shop_level"], row["status"], row["reason"])


def _variant_values(tenant: str, v: Variant, now: datetime) -> dict[str, Any]:
    return {
        "tenant": tenant,
        "variant_id": v.id,
        "product_id": v.product_id,
        "article_code": v.article_code,
        "sku": v.sku,
        "ean": v.ean,
        "stock_tracking": v.tracking,
        "updated_at": v.updated_at,
        "item_code": None,
        "shop_level": v.level,
        "status": LEFT_ALONE,
        "reason": "not planned yet",
        "seen_at": now,
        "changed_at": now,
    }


def _push_values(tenant: str, run_id: str, result: PushResult, now: datetime) -> dict[str, Any]:
    return {
        "tenant": tenant,
        "run_id": run_id,
        "variant_id": result.push.variant_id,
        "item_code": result.push.item_code,
        "old_level": result.push.old,
        "new_level": result.push.new,
        "outcome": result.outcome,
        "reason": result.reason or result.push.note,
        "at": now,
    }


def earlier_failures(
    ledger: StockLog, tenant: str, variant_ids: Sequence[int], before_run: str
) -> set[tuple[int, str]]:
    """(variant, reason) of failed pushes of earlier runs, to tell a new failure from a known one."""
    table = t.stock_push
    found: set[tuple[int, str]] = set()
    ids = sorted(set(variant_ids))
    with ledger.engine.connect() as conn:
        for start in range(0, len(ids), CHUNK):
            rows = conn.execute(
                sa.select(table.c.variant_id, table.c.reason).where(
                    table.c.tenant == tenant,
                    table.c.outcome == "failed",
                    table.c.run_id != before_run,
                    table.c.variant_id.in_(ids[start : start + CHUNK]),
                )
            )
            found.update((int(v), str(r or "")) for v, r in rows)
    return found
