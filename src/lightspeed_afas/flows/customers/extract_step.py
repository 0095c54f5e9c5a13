"""Step 1 of the customers flow, extract_customers: open the run's ledger row, read the customers that
changed in the window (and the ones that failed before), and keep those that need a relation.

A customer needs one when the ledger has none for it yet — with ``include: new`` only customers
created in the window (or seen before without a relation: unconfirmed, failed), with
``new_and_changed`` also customers changed since the version the ledger last resolved.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from lightspeed_afas.domain.customers import WebshopCustomer, parse_customer
from lightspeed_afas.domain.lightspeed_values import OrderDataError
from lightspeed_afas.flows.clients import Hooks
from lightspeed_afas.flows.customers.settings import FLOW, CustomerSyncSettings
from lightspeed_afas.flows.orders.run_report import counts_text
from lightspeed_afas.flows.record_flow import RecordRead, open_read
from lightspeed_afas.flows.request import RunRequest
from lightspeed_afas.hooks.errors import LightspeedBudgetExhaustedError, LightspeedNotFoundError
from lightspeed_afas.ledger import Ledger
from lightspeed_afas.ledger.flow_items import DONE, ItemOutcome, ItemState

log = logging.getLogger(__name__)

RETRIED_PER_RUN = 50  # failed customers outside the window re-read by id per run (one call each)


def extract_customers(
    settings: CustomerSyncSettings, request: RunRequest, ledger: Ledger, hooks: Hooks
) -> RecordRead:
    read, start, end = open_read(
        ledger, settings.tenant, FLOW, request, settings.start_date, settings.overlap, "customers"
    )
    try:
        raw = [c for page in hooks.lightspeed.iter_customer_pages(start, end) for c in page]
        read.count("seen", len(raw))
        _choose(settings, ledger, raw, start, read)
        _retry_failed(settings, ledger, hooks, {c.get("id") for c in raw}, read)
    except LightspeedBudgetExhaustedError as exc:
        read.complete, read.stopped_because = False, str(exc)
        log.warning("Reading customers stopped early: %s", exc)
    log.info("extract_customers: %s", counts_text(read.counts, "no customer changed in the window"))
    return read


def _choose(
    settings: CustomerSyncSettings,
    ledger: Ledger,
    raw: list[dict[str, Any]],
    start: datetime,
    read: RecordRead,
) -> None:
    states = ledger.item_states(settings.tenant, FLOW, [c["id"] for c in raw if isinstance(c.get("id"), int)])
    for data in raw:
        try:
            customer = parse_customer(data)
        except OrderDataError as exc:
            _unusable(data, exc, read)
            continue
        _consider(settings, customer, states.get(customer.id), start, read)


def _consider(
    settings: CustomerSyncSettings,
    customer: WebshopCustomer,
    state: ItemState | None,
    start: datetime,
    read: RecordRead,
) -> None:
    if state is not None and state.status in DONE:
        if settings.include == "new" or state.version == customer.updated_at_raw:
            read.count("unchanged")
            return
    elif state is not None and state.status == "quarantined" and state.version == customer.updated_at_raw:
        read.count("quarantined")  # until it changes in the shop
        return
    elif state is None and settings.include == "new" and customer.created_at < start:
        read.count("not new")  # an existing customer who changed: the tenant looks only at new ones
        return
    if settings.confirmed_only and not customer.is_confirmed:
        read.decided.append(
            ItemOutcome(
                customer.id,
                "skipped",
                version=customer.updated_at_raw,
                reason="has not confirmed their e-mail address (customers.confirmed_only)",
            )
        )
        return
    read.records.append(customer.to_json())
    read.count("to resolve")


def _unusable(data: dict[str, Any], exc: Exception, read: RecordRead) -> None:
    customer_id = data.get("id")
    if not isinstance(customer_id, int):
        read.count("unreadable")
        log.warning("A customer without a usable id was left out: %s", exc)
        return
    read.decided.append(
        ItemOutcome(
            customer_id, "failed", version=str(data.get("updatedAt") or ""), reason=f"unusable: {exc}"
        )
    )


def _retry_failed(
    settings: CustomerSyncSettings, ledger: Ledger, hooks: Hooks, seen: set[Any], read: RecordRead
) -> None:
    """Customers that failed before and are not in this window: read again by id."""
    for state in ledger.items_to_retry(settings.tenant, FLOW, limit=RETRIED_PER_RUN):
        if state.item_id in seen:
            continue
        try:
            data = hooks.lightspeed.get_customer(state.item_id)
        except LightspeedNotFoundError:
            read.decided.append(
                ItemOutcome(state.item_id, "skipped", reason="the customer no longer exists in the shop")
            )
            continue
        read.count("retrying")
        try:
            customer = parse_customer(data)
        except OrderDataError as exc:
            _unusable(data, exc, read)
            continue
        read.records.append(customer.to_json())
