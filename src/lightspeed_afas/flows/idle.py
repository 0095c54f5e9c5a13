"""When a run of an AFAS → Lightspeed flow (stock, articles) has nothing to write: AFAS gave exactly what the
last clean run planned from, so planning again would write nothing.

The first step reads AFAS as always and takes a fingerprint of what the later steps would plan from: the
flow's settings, AFAS's values (and, for stock, what unbooked orders hold). A run that planned, wrote
everything it planned and ended ``success`` remembers its fingerprint (``remember``) with the counts of
what it left in place; any other run's first step forgets it (``forget``) before a later step starts, so
a run cut short never leaves a fingerprint behind. A later scheduled run whose fingerprint is the same
is idle (``unchanged_plan``): it reports the remembered counts and skips the Lightspeed steps — no
Lightspeed call at all.

What such a run does not see is the shop's own changes (a new variant, a code or a level edited in the
back office): the last clean plan is trusted for at most ``REPLAN_AFTER``, then a run plans against the
shop again even when AFAS changed nothing; the daily full comparison corrects drift as before. Dry runs
and runs asked for a full comparison (or, for stock, to resume) always plan: after a change in the shop,
trigger the DAG with ``full_comparison`` to have it applied now.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import Any

from lightspeed_afas.ledger import Ledger

LAST_PLAN = "last_clean_plan"  # flow-state key: {"fingerprint", "read_at", "counts"}
REPLAN_AFTER = timedelta(hours=1)
ASKED = ("dry_run", "full_comparison", "resume")  # trigger params that make a run plan whatever AFAS says


def fingerprint(*parts: Any) -> str:
    """A digest of JSON-able ``parts`` (dict keys sorted, other values as text)."""
    text = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def may_be_idle(request: Any) -> bool:
    """Whether a run may skip planning: one asked for nothing more (a manual run without params is a
    scheduled run here, as for orders); a dry run, a full comparison or a resume always plans."""
    return not any(getattr(request, name, False) for name in ASKED)


def unchanged_plan(
    ledger: Ledger, tenant: str, flow: str, digest: str, now: datetime
) -> dict[str, Any] | None:
    """The remembered counts when the last clean plan had this fingerprint and is recent enough."""
    last = ledger.flow_state(tenant, flow).get(LAST_PLAN)
    if not isinstance(last, dict) or last.get("fingerprint") != digest:
        return None
    try:
        read_at = datetime.fromisoformat(str(last.get("read_at")))
    except ValueError:
        return None
    if read_at.tzinfo is None or not timedelta(0) <= now - read_at < REPLAN_AFTER:
        return None
    return dict(last.get("counts") or {})


def remember(
    ledger: Ledger, tenant: str, flow: str, digest: str, read_at: str, counts: dict[str, Any]
) -> None:
    """After a clean run: its fingerprint, when AFAS was read for it, and what it left in place."""
    if digest:
        value = {"fingerprint": digest, "read_at": read_at, "counts": counts}
        ledger.set_flow_state(tenant, flow, **{LAST_PLAN: value})


def forget(ledger: Ledger, tenant: str, flow: str) -> None:
    """A run that plans: until it ends clean, no run may skip planning."""
    if LAST_PLAN in ledger.flow_state(tenant, flow):
        ledger.set_flow_state(tenant, flow, **{LAST_PLAN: None})
