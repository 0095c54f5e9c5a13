"""The tenant's write lease: one run at a time looks AFAS up for writing and writes to it.

resolve_relations takes it before its look-ups, load_to_afas before its writes; the task of
load_to_afas (or the run's teardown) releases it.
"""

from __future__ import annotations

from datetime import timedelta

from lightspeed_afas.ledger import Ledger

LEASE_TTL = timedelta(minutes=30)


class LeaseHeldError(RuntimeError):
    """Another run of this tenant is writing to AFAS right now; this task retries later."""


def take_lease(ledger: Ledger, tenant: str, run_id: str) -> None:
    """Hold the tenant's lease for this run, or raise ``LeaseHeldError`` naming the run that holds it."""
    holder = ledger.acquire_lease(tenant, run_id, LEASE_TTL)
    if holder is not None:
        raise LeaseHeldError(
            f"Run {holder} of tenant {tenant} is writing to AFAS; this task waits for it (it retries)."
        )
