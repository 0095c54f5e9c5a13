"""What the dashboard shows, assembled from the tenant files and the ledger (read only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from lightspeed_afas.config.dag_ids import DAG_PREFIX
from lightspeed_afas.dashboard.article_data import article_view
from lightspeed_afas.dashboard.record_data import FLOWS as RECORD_FLOWS
from lightspeed_afas.dashboard.record_data import record_view
from lightspeed_afas.dashboard.webhook_data import webhook_view
from lightspeed_afas.ledger.queries import (
    LIGHTSPEED_DAY_BUDGET,
    ORDER_STATUSES,
    PROBLEM_STATUSES,
    LedgerQueries,
)

DEFAULT_TIMEZONE = "Europe/Amsterdam"
STATUS_FILTERS = {
    "problems": PROBLEM_STATUSES,
    "all": (),
    **{status: (status,) for status in ORDER_STATUSES},
}


@dataclass(frozen=True)
class TenantInfo:
    """A tenant as the dashboard knows it: from its tenant file, or only from the ledger."""

    tenant: str
    name: str
    timezone: str
    enabled: bool
    configured: bool
    flows: tuple[str, ...] = ("orders",)  # from the tenant file: orders, and each flow whose block it has
    webhooks: bool = False  # the tenant file has a webhooks: block (the receiver's log is shown)

    @property
    def dag_id(self) -> str:
        return f"{DAG_PREFIX}{self.tenant}"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def known_tenants(queries: LedgerQueries) -> dict[str, TenantInfo]:
    """Tenants from the valid tenant files, plus tenants the ledger has history for (sorted by id)."""
    from lightspeed_afas.config import load_tenants

    found: dict[str, TenantInfo] = {}
    for loaded in load_tenants().tenants:
        cfg = loaded.config
        found[cfg.tenant] = TenantInfo(
            cfg.tenant, cfg.name, cfg.timezone, cfg.enabled, True, cfg.flows(), cfg.webhooks is not None
        )
    for tenant in queries.tenants():
        found.setdefault(tenant, TenantInfo(tenant, tenant, DEFAULT_TIMEZONE, False, False))
    return dict(sorted(found.items()))


def _summary(info: TenantInfo, found: dict[str, Any]) -> dict[str, Any]:
    statuses = found["status_counts"]
    return {
        "tenant": info.tenant,
        "name": info.name,
        "dag_id": info.dag_id,
        "timezone": info.timezone,
        "enabled": info.enabled,
        "configured": info.configured,
        "last_run": found["last_run"],
        "booked_today": found["booked_today"],
        "booked_this_week": found["booked_this_week"],
        "failed": statuses["failed"],
        "quarantined": statuses["quarantined"],
        "orders_by_status": statuses,
        "lightspeed_calls_24h": found["lightspeed_calls_24h"],
        "lightspeed_day_budget": LIGHTSPEED_DAY_BUDGET,
        "daily": [d.as_dict() for d in found["daily"]],
    }


def tenant_summary(queries: LedgerQueries, info: TenantInfo, now: datetime) -> dict[str, Any]:
    """One overview row: last run, bookings today / this week, problems now, call budget, 30-day chart;
    with an articles block also ``articles``, the Articles section (``article_data.article_view``); with a
    customers or credit_notes block also ``customers`` / ``credit_notes``, that flow's section
    (``record_data.record_view``); with a webhooks block also ``webhooks``, the receiver's log
    (``webhook_data.webhook_view``). A block the tenant lacks is None."""
    summary = overview(queries, [info], now)["tenants"][0]
    summary["articles"] = article_view(queries.engine, info.tenant) if "articles" in info.flows else None
    for flow in RECORD_FLOWS:
        summary[flow] = record_view(queries.engine, info.tenant, flow) if flow in info.flows else None
    summary["webhooks"] = webhook_view(queries.engine, info.tenant, now) if info.webhooks else None
    return summary


def overview(
    queries: LedgerQueries, tenants: list[TenantInfo], now: datetime | None = None
) -> dict[str, Any]:
    """Every tenant's row (the same few queries however many tenants there are)."""
    now = now or datetime.now(UTC)
    found = queries.summaries({i.tenant: i.zone for i in tenants}, now)
    return {"generated_at": now.isoformat(), "tenants": [_summary(i, found[i.tenant]) for i in tenants]}


def tenant_orders(
    queries: LedgerQueries, tenant: str, status: str = "problems", search: str | None = None, limit: int = 200
) -> list[dict[str, Any]]:
    if status not in STATUS_FILTERS:
        raise ValueError(f"status must be one of {', '.join(STATUS_FILTERS)}")
    return queries.orders(tenant, STATUS_FILTERS[status] or None, search or None, limit)
