"""What the stock flow of one tenant needs to know, flattened from the tenant file; and what a run asks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

FLOW = "stock"


class StockConfigError(Exception):
    """The tenant's stock block does not fit the AFAS environment (a connector or field is missing):
    the run fails at once with what to fix; retrying cannot help."""


@dataclass(frozen=True)
class StockSyncSettings:
    tenant: str
    lightspeed_conn_id: str
    afas_conn_id: str
    connector: str
    item_field: str
    quantity_field: str
    warehouse_field: str | None
    warehouses: tuple[str, ...]
    match_on: tuple[str, ...]
    subtract_unbooked: bool
    full_comparison_every: timedelta
    overlap: timedelta
    max_pushes: int | None
    reserve_for_orders: float
    detail_logging: bool


def stock_settings(tenant: Any) -> StockSyncSettings:
    """The tenant's ``stock:`` block and the connections it uses (the tenant must have the block)."""
    stock = tenant.stock
    if stock is None:
        raise ValueError(f"tenant {tenant.tenant} has no stock block: its stock flow is off")
    return StockSyncSettings(
        tenant=tenant.tenant,
        lightspeed_conn_id=tenant.lightspeed.conn_id,
        afas_conn_id=tenant.afas.conn_id,
        connector=stock.connector,
        item_field=stock.fields.item_code,
        quantity_field=stock.fields.quantity,
        warehouse_field=stock.fields.warehouse,
        warehouses=tuple(stock.warehouses),
        match_on=tuple(stock.match_on),
        subtract_unbooked=stock.subtract_unbooked,
        full_comparison_every=timedelta(hours=stock.full_comparison_hours),
        overlap=timedelta(minutes=stock.overlap_minutes),
        max_pushes=stock.max_pushes_per_run,
        reserve_for_orders=tenant.lightspeed.reserve_for_orders,
        detail_logging=tenant.detail_logging,
    )


@dataclass(frozen=True)
class StockRequest:
    """One run of the stock flow: its id and mode, and the manual trigger's choices."""

    run_id: str
    mode: str  # scheduled, manual, backfill
    dry_run: bool = False
    full_comparison: bool = False  # read every variant's level now, whatever the schedule says
    resume: bool = False  # push again after a halt (a shop that did not take a level as sent)
