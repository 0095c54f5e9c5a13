"""Step 2, resolve_relations: find the AFAS order of each webshop order and the debtor of each new one;
create the sales relations that are missing (under the tenant's lease)."""

from __future__ import annotations

import logging

from lightspeed_afas.domain.booking import BookingError, build_document
from lightspeed_afas.domain.relations import relation_key
from lightspeed_afas.domain.webshop_order import WebshopOrder
from lightspeed_afas.flows import afas_side
from lightspeed_afas.flows.afas_side import AfasOrder
from lightspeed_afas.flows.clients import Hooks
from lightspeed_afas.flows.orders.extract import BOOKED
from lightspeed_afas.flows.orders.lease import take_lease
from lightspeed_afas.flows.orders.results import Extracted, Resolved, Settled
from lightspeed_afas.flows.orders.settings import SyncSettings
from lightspeed_afas.flows.relations import DRY_RUN_DEBTOR, find_or_create_debtors
from lightspeed_afas.flows.request import RunMode, RunRequest
from lightspeed_afas.ledger import Ledger

log = logging.getLogger(__name__)


def resolve_relations(
    settings: SyncSettings, request: RunRequest, ledger: Ledger, hooks: Hooks, extracted: Extracted
) -> Resolved:
    """Find the AFAS order of each webshop order and the debtor of each new one; create missing debtors."""
    orders = [item.order for item in extracted.to_book]
    verifying = {str(item.order.id) for item in extracted.to_book if item.intent == "verify"}
    if not orders:
        return Resolved()
    take_lease(ledger, settings.tenant, request.run_id)
    # This run may have waited for the lease while an overlapping run booked the same orders: what the
    # ledger now holds at this very version is settled, not sent again.
    settled = _settled_meanwhile(ledger, settings.tenant, orders, request.mode == RunMode.ORDERS)
    orders = [o for o in orders if str(o.id) not in settled]
    resolved = Resolved(settled=settled)
    found = afas_side.find_orders_by_reference(hooks.afas, settings.lookups, [o.number for o in orders])
    needs_debtor = _match(settings, orders, found, verifying, resolved)
    if settings.rules.document == "sales_order":  # updates name the lines they change
        to_update = [o for key, o in resolved.afas_orders.items() if key not in verifying]
        afas_side.attach_line_guids(hooks.afas, settings.lookups, to_update)
    resolved.debtors, resolved.relations_created = _resolve_debtors(
        settings, hooks, needs_debtor, resolved.failures, request.dry_run
    )
    log.info(
        "resolve_relations: %d orders already in AFAS, %d need a debtor (%d relations created), %d failed%s",
        len(resolved.afas_orders),
        len(needs_debtor),
        resolved.relations_created,
        len(resolved.failures),
        f", {len(settled)} booked by an overlapping run meanwhile" if settled else "",
    )
    return resolved


def _match(
    settings: SyncSettings,
    orders: list[WebshopOrder],
    found: dict[str, list[AfasOrder]],
    verifying: set[str],
    resolved: Resolved,
) -> list[WebshopOrder]:
    """Note each order's AFAS order (or why it has none it can use); returns the orders that need a
    debtor: new, not cancelled, and bookable."""
    needs_debtor: list[WebshopOrder] = []
    for order in orders:
        key, matches = str(order.id), found.get(order.number, [])
        if len(matches) > 1:
            numbers = ", ".join(m.order_number for m in matches)
            resolved.failures[key] = (
                f"AFAS holds {len(matches)} orders with reference {order.number} ({numbers}); remove the extra ones"
            )
        elif matches:
            resolved.afas_orders[key] = matches[0]
        elif order.status != "cancelled":
            try:  # an order that cannot be booked gets no relation created for it
                build_document(order, DRY_RUN_DEBTOR, settings.rules)
            except BookingError as exc:
                resolved.failures[key] = str(exc)
                continue
            needs_debtor.append(order)
    return needs_debtor


def _settled_meanwhile(
    ledger: Ledger, tenant: str, orders: list[WebshopOrder], forced: bool
) -> dict[str, Settled]:
    if forced:  # a re-sync of named orders books them whatever the ledger says
        return {}
    states = ledger.order_states(tenant, [o.id for o in orders])
    settled: dict[str, Settled] = {}
    for order in orders:
        state = states.get(order.id)
        if state and state.status in BOOKED and state.updated_at == order.updated_at_raw:
            settled[str(order.id)] = Settled(
                "booked by an overlapping run while this one waited", state.afas_order_number, state.debtor_id
            )
    return settled


def _resolve_debtors(
    settings: SyncSettings,
    hooks: Hooks,
    orders: list[WebshopOrder],
    failures: dict[str, str],
    dry_run: bool = False,
) -> tuple[dict[str, str], int]:
    """The debtor of each order (guests on the tenant's guest debtor, the others found or created by
    e-mail: ``flows.relations``); returns the debtors by order id and how many relations were created.
    Orders without one land in ``failures``."""
    guests = {str(o.id): settings.guest_debtor for o in orders if o.is_guest and settings.guest_debtor}
    others = {str(o.id): o for o in orders if str(o.id) not in guests}
    found = find_or_create_debtors(settings, hooks, others, dry_run)
    failures.update(found.failures)
    emails = {relation_key(others[key]) for key in found.created}
    return {**guests, **found.by_key}, len(emails)
