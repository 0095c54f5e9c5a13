"""The daily reconciliation: what Lightspeed reports for a day, against what the ledger booked.

For one tenant and one day (in the tenant's time zone) it lists the orders Lightspeed reports as
changed that day (list pages only: about one call per 250 orders) and classifies each by the ledger:

- ``booked``: in AFAS at that version (created, updated, or a status-only change since);
- ``skipped``: deliberately not written (AFAS had processed it, cancelled with policy ``ignore`` …);
- ``failed`` / ``quarantined``: recorded with its reason, retried by later runs / waiting for a person;
- ``ineligible``: outside the tenant's order or payment statuses (not to be booked);
- ``missing``: to be booked, but the ledger has no record of that version. Zero for a healthy tenant.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from lightspeed_afas.flows.orders import Eligibility, Extracted, scan_window, sync_settings
from lightspeed_afas.ledger import Ledger, OrderState

log = logging.getLogger(__name__)

CATEGORIES = ("booked", "skipped", "failed", "quarantined", "ineligible", "missing")
_BY_STATUS = {"booked": "booked", "deleted": "booked", "skipped": "skipped"}


class ReconciliationError(RuntimeError):
    """Orders Lightspeed reports that the ledger never recorded; the message lists them."""


@dataclass
class Reconciliation:
    tenant: str
    day: date
    orders: pd.DataFrame  # one row per order: number, updated_at, status, payment_status, result

    @property
    def counts(self) -> dict[str, int]:
        found = self.orders["result"].value_counts() if len(self.orders) else pd.Series(dtype=int)
        return {"seen": len(self.orders), **{c: int(found.get(c, 0)) for c in CATEGORIES}}

    @property
    def missing(self) -> list[str]:
        if not len(self.orders):
            return []
        return sorted(self.orders.loc[self.orders["result"] == "missing", "number"].tolist())

    def table(self) -> str:
        return pd.DataFrame([self.counts], index=[f"{self.tenant} {self.day.isoformat()}"]).to_string()

    def summary(self) -> dict[str, Any]:
        return {
            "tenant": self.tenant,
            "day": self.day.isoformat(),
            **self.counts,
            "missing_orders": self.missing,
        }


def day_window(day: date, zone: str) -> tuple[datetime, datetime]:
    tz = ZoneInfo(zone)
    start = datetime.combine(day, time(0), tzinfo=tz)
    return start, datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)


def _when(value: Any) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(str(value))
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo else None


def classify(summary: dict[str, Any], state: OrderState | None, eligibility: Eligibility) -> str:
    """One order of the day (a list-page summary) against its ledger state."""
    changed = _when(summary.get("updatedAt"))
    recorded = _when(state.updated_at) if state else None
    current = state is not None and recorded is not None and changed is not None and recorded >= changed
    if current and state is not None:
        return _BY_STATUS.get(state.status, state.status if state.status in CATEGORIES else "missing")
    excluded = eligibility.reason_excluded(
        str(summary.get("status") or ""), str(summary.get("paymentStatus") or "")
    )
    booked_before = state is not None and state.status in ("booked", "failed", "quarantined")
    if excluded and not (booked_before and summary.get("status") == "cancelled"):
        return "ineligible"
    return "missing"


def reconcile_day(
    tenant: str,
    day: date,
    zone: str,
    overlap: timedelta,
    eligibility: Eligibility,
    ledger: Ledger,
    lightspeed: Any,
) -> Reconciliation:
    """Read the day's orders from Lightspeed (the window widened by the tenant's overlap, then cut to
    the day by each order's own ``updatedAt``) and classify them by the ledger."""
    start, end = day_window(day, zone)
    seen = scan_window(lightspeed, start - overlap, end + overlap, Extracted())
    in_day = {
        oid: raw
        for oid, raw in seen.items()
        if (changed := _when(raw.get("updatedAt"))) is not None and start <= changed < end
    }
    states = ledger.order_states(tenant, in_day)
    rows = [
        {
            "order_id": oid,
            "number": str(raw.get("number") or oid),
            "updated_at": raw.get("updatedAt"),
            "status": raw.get("status"),
            "payment_status": raw.get("paymentStatus"),
            "result": classify(raw, states.get(oid), eligibility),
        }
        for oid, raw in sorted(in_day.items())
    ]
    frame = pd.DataFrame(
        rows, columns=["order_id", "number", "updated_at", "status", "payment_status", "result"]
    )
    return Reconciliation(tenant, day, frame)


def run_for_tenant(tenant_id: str, day: date | None, context: dict[str, Any] | None = None) -> dict[str, Any]:
    """The reconciliation task of one tenant: the given day, else yesterday in the tenant's time zone.
    Fails with the order numbers when any order is missing."""
    from lightspeed_afas.config import load_mapping, load_tenant
    from lightspeed_afas.hooks.lightspeed import LightspeedEcomHook

    tenant = load_tenant(tenant_id)
    settings = sync_settings(tenant, load_mapping(tenant.mapping, tenant.mapping_overrides))
    zone = tenant.timezone
    if day is None:
        day = datetime.now(ZoneInfo(zone)).date() - timedelta(days=1)
    hook = LightspeedEcomHook(settings.lightspeed_conn_id)
    try:
        result = reconcile_day(
            tenant.tenant, day, zone, settings.overlap, settings.eligibility, Ledger.from_airflow(), hook
        )
    finally:
        hook.close()
    log.info("Reconciliation of %s for %s (%s):\n%s", tenant.tenant, day.isoformat(), zone, result.table())
    if result.missing:
        from lightspeed_afas.ops.notify import notify_reconciliation

        try:  # a failed notification must not hide the failed reconciliation
            notify_reconciliation(
                tenant.tenant, day.isoformat(), result.missing, (context or {}).get("run_id")
            )
        except Exception:
            log.exception("Could not send the reconciliation notification of %s", tenant.tenant)
        shown = ", ".join(result.missing[:50])
        more = f" and {len(result.missing) - 50} more" if len(result.missing) > 50 else ""
        raise ReconciliationError(
            f"{len(result.missing)} order(s) of {day.isoformat()} are in Lightspeed but not in the ledger: "
            f"{shown}{more}. Re-sync them (trigger lightspeed_afas_{tenant.tenant} with order_numbers), "
            "then look for why their run missed them in that day's task logs."
        )
    return result.summary()
