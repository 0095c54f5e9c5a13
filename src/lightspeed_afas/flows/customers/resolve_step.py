"""Step 2 of the customers flow, resolve_relations: find each customer's AFAS sales relation by e-mail,
create the ones AFAS lacks (the order flow's own code, ``flows.relations``, under the tenant's write
lease so the two flows never create one relation twice), record customer id ↔ debtor in the ledger, and
close the run."""

from __future__ import annotations

import logging
from typing import Any

from lightspeed_afas.domain.customers import WebshopCustomer
from lightspeed_afas.flows.clients import Hooks
from lightspeed_afas.flows.customers.settings import FLOW, CustomerSyncSettings
from lightspeed_afas.flows.orders.lease import take_lease
from lightspeed_afas.flows.record_flow import RecordRead, finish_record_run
from lightspeed_afas.flows.relations import DRY_RUN_DEBTOR, find_or_create_debtors
from lightspeed_afas.flows.request import RunRequest
from lightspeed_afas.ledger import Ledger
from lightspeed_afas.ledger.flow_items import ItemOutcome

log = logging.getLogger(__name__)


def resolve_customer_relations(
    settings: CustomerSyncSettings,
    request: RunRequest,
    ledger: Ledger,
    hooks: Hooks,
    read: RecordRead,
    calls: Any,
) -> dict[str, Any]:
    """Resolve, record and close the run; ``calls`` gives the run's calls per API when asked."""
    customers = {str(c["id"]): WebshopCustomer.from_json(c) for c in read.records}
    outcomes = list(read.decided)
    if customers:
        take_lease(ledger, settings.tenant, request.run_id)
        try:
            outcomes += _resolved(settings, hooks, customers, request.dry_run)
        finally:
            ledger.release_lease(settings.tenant, request.run_id)
    if request.dry_run:
        stored = outcomes
        log.info("DRY RUN: nothing was written to AFAS or the ledger; relations it would create are above.")
    else:
        stored = ledger.record_items(
            settings.tenant, FLOW, request.run_id, outcomes, settings.max_attempts, at=settings.clock()
        )
    return finish_record_run(ledger, settings.tenant, FLOW, request, read, stored, calls())


def _resolved(
    settings: CustomerSyncSettings, hooks: Hooks, customers: dict[str, WebshopCustomer], dry_run: bool
) -> list[ItemOutcome]:
    found = find_or_create_debtors(settings, hooks, customers, dry_run, what="customer")
    outcomes = []
    for key, customer in customers.items():
        debtor = found.by_key.get(key)
        if debtor is None:
            action, reason = "failed", found.failures.get(key, "no debtor was resolved")
        elif debtor == DRY_RUN_DEBTOR:
            action, reason, debtor = "created", "would create a sales relation (dry run)", None
        elif key in found.created:
            action, reason = "created", f"created sales relation {debtor}"
        else:
            action, reason = "linked", f"AFAS already has debtor {debtor} for the e-mail address"
        outcomes.append(
            ItemOutcome(
                customer.id,
                action,
                version=customer.updated_at_raw,
                afas_id=debtor,
                debtor_id=debtor,
                reason=reason,
            )
        )
    created = sum(o.action == "created" for o in outcomes)
    log.info(
        "resolve_relations: %d customers, %d relations created, %d found in AFAS, %d failed",
        len(outcomes),
        created,
        sum(o.action == "linked" for o in outcomes),
        sum(o.action == "failed" for o in outcomes),
    )
    return outcomes
