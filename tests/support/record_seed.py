"""A ledger with two customers runs and two credit-notes runs of one tenant, written through the ledger's
own API: what the dashboard's Customers and Credit notes sections and ``log --flow customers|credit_notes``
read.

Customers. The old run (a day before ``now``) created customer 501's relation (debtor 10001) and failed
on 502. The last run (partial, stopped by the budget) found 503's relation in AFAS (debtor 10003),
failed on 502 again (quarantined: its second failure), failed on 504, skipped 505 (not confirmed) and
created 506's relation (debtor 10006).

Credit notes. The old run booked INV00001 (AFAS document 7001, order ORD1001) and left INV00002 waiting
for its order. The last run (failed) found INV00004 in AFAS (document 7004), left INV00002 waiting,
failed on INV00003 and quarantined INV00005 at its first failure.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from lightspeed_afas.ledger import Ledger
from lightspeed_afas.ledger.flow_items import ItemOutcome
from tests.support.dashboard_seed import frozen_ledger_clock

OLD_RUN = "scheduled__2026-11-22T10:00:00+00:00"
RUN = "scheduled__2026-11-23T10:00:00+00:00"
STOPPED = "Lightspeed budget: the rest of this window is left to the orders flow"
REFUSED = "sales relation: AFAS refused the new sales relation: <b>Postcode</b> is ongeldig & te lang"
NO_COUNTRY = "sales relation: the country 'xx' has no AFAS code in the mapping"
UNCONFIRMED = "has not confirmed their e-mail address (customers.confirmed_only)"
WAITING = "its order ORD1002 is not in AFAS yet; booked once the order is"
CREDIT_REFUSED = "AFAS: Artikel 'ONBEKEND' bestaat niet (ItCd)"
CREDIT_TOTAL = "the AFAS credit lines add up to -10.00 but the credit note is -12.10 (difference -2.10)."
CUSTOMER_COUNTS = {
    "seen": 7,
    "unchanged": 1,
    "to resolve": 4,
    "retrying": 1,
    "created": 1,
    "linked": 1,
    "failed": 1,
    "quarantined": 1,
    "skipped": 1,
}
CREDIT_COUNTS = {
    "invoices read": 40,
    "credit notes in window": 4,
    "to book": 4,
    "linked": 1,
    "waiting": 1,
    "failed": 1,
    "quarantined": 1,
}


def customer(item_id: int, action: str, debtor: str | None = None, reason: str | None = None) -> ItemOutcome:
    return ItemOutcome(
        item_id, action, version="2026-11-20T10:00:00+01:00", afas_id=debtor, debtor_id=debtor, reason=reason
    )


def credit_note(
    n: int, action: str, afas_id: str | None = None, debtor: str | None = None, reason: str | None = None
) -> ItemOutcome:
    return ItemOutcome(
        1742000 + n,
        action,
        version="2026-11-20T10:00:00+01:00",
        number=f"INV0000{n}",
        payload_hash=f"hash{n}",
        afas_id=afas_id,
        debtor_id=debtor,
        order_id=9000 + n,
        order_number=f"ORD100{n}",
        reason=reason,
    )


def seed_customers(ledger: Ledger, tenant: str, now: datetime) -> None:
    with frozen_ledger_clock(now - timedelta(days=1)):
        pk = ledger.start_flow_run(tenant, "customers", OLD_RUN, "scheduled")
        outcomes = [
            customer(501, "created", "10001", "created sales relation 10001"),
            customer(502, "failed", reason=REFUSED),
        ]
        ledger.record_items(tenant, "customers", OLD_RUN, outcomes, max_failures=2)
        ledger.finish_flow_run(pk, "failed", {"created": 1, "failed": 1}, {"lightspeed": 1, "afas": 3})
    with frozen_ledger_clock(now):
        pk = ledger.start_flow_run(tenant, "customers", RUN, "manual")
        outcomes = [
            customer(503, "linked", "10003", "AFAS already has debtor 10003 for the e-mail address"),
            customer(502, "failed", reason=REFUSED),  # its second failure: quarantined
            customer(504, "failed", reason=NO_COUNTRY),
            customer(505, "skipped", reason=UNCONFIRMED),
            customer(506, "created", "10006", "created sales relation 10006"),
        ]
        ledger.record_items(tenant, "customers", RUN, outcomes, max_failures=2)
        ledger.finish_flow_run(pk, "partial", CUSTOMER_COUNTS, {"lightspeed": 3, "afas": 5}, STOPPED)


def seed_credit_notes(ledger: Ledger, tenant: str, now: datetime) -> None:
    with frozen_ledger_clock(now - timedelta(days=1)):
        pk = ledger.start_flow_run(tenant, "credit_notes", OLD_RUN, "scheduled")
        outcomes = [
            credit_note(1, "created", "7001", "10001", "booked as AFAS credit 7001"),
            credit_note(2, "waiting", reason=WAITING),
        ]
        ledger.record_items(tenant, "credit_notes", OLD_RUN, outcomes, max_failures=5)
        ledger.finish_flow_run(pk, "ok", {"created": 1, "waiting": 1}, {"lightspeed": 4, "afas": 3})
    with frozen_ledger_clock(now):
        pk = ledger.start_flow_run(tenant, "credit_notes", RUN, "scheduled")
        ledger.record_items(
            tenant,
            "credit_notes",
            RUN,
            [
                credit_note(
                    4, "linked", "7004", "10004", "already in AFAS (found by reference before inserting)"
                ),
                credit_note(2, "waiting", reason=WAITING),
                credit_note(3, "failed", debtor="10003", reason=CREDIT_REFUSED),
            ],
            max_failures=5,
        )
        ledger.record_items(
            tenant, "credit_notes", RUN, [credit_note(5, "failed", reason=CREDIT_TOTAL)], max_failures=1
        )
        ledger.finish_flow_run(pk, "failed", CREDIT_COUNTS, {"lightspeed": 9, "afas": 4})


def seed_records(url: str, tenant: str, now: datetime) -> Ledger:
    """Both flows' two runs of ``tenant`` (see the module's docstring); the last ones at ``now``."""
    ledger = Ledger(url)
    seed_customers(ledger, tenant, now)
    seed_credit_notes(ledger, tenant, now)
    return ledger
