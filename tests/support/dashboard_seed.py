"""A seeded ledger for the dashboard and notification tests, written through the ledger's own API.

The clock of the ledger is moved so that the history spans several days (``at`` comes from
``lightspeed_afas.ledger.clock.now_utc``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from lightspeed_afas.ledger import Ledger, OrderOutcome
from lightspeed_afas.ledger import clock as ledger_clock

TENANT = "dashacme"
LEGACY = "oldshop"  # history in the ledger, no tenant file any more
RUN_1 = "scheduled__2026-11-20T10:00:00+00:00"
RUN_2 = "manual__2026-11-23T10:00:00+00:00"
REASON_ITEM = "Artikel 'ONBEKEND-1' bestaat niet (ItCd)"
REASON_VAT = "Btw-code 9 is onbekend"


@dataclass(frozen=True)
class Seeded:
    url: str
    now: datetime
    earlier: datetime  # run 1, three days before ``now``


@contextlib.contextmanager
def frozen_ledger_clock(moment: datetime) -> Iterator[None]:
    original = ledger_clock.now_utc
    ledger_clock.now_utc = lambda: moment
    try:
        yield
    finally:
        ledger_clock.now_utc = original


def outcome(order_id: int, action: str, **kw: object) -> OrderOutcome:
    return OrderOutcome(
        order_id=order_id,
        order_number=f"ORD{order_id}",
        updated_at="2026-11-20T10:00:00+01:00",
        action=action,
        payload_hash=f"hash{order_id}" if action in ("created", "updated") else None,
        **kw,
    )


def seed(url: str, now: datetime | None = None) -> Seeded:
    """Two runs of TENANT (three days apart) and one of LEGACY; see the tests for what they hold."""
    now = now or datetime.now(UTC)
    earlier = now - timedelta(days=3)
    ledger = Ledger(url)
    with frozen_ledger_clock(earlier):
        pk = ledger.start_run(TENANT, RUN_1, "scheduled", earlier - timedelta(minutes=15), earlier)
        ledger.record(
            TENANT,
            RUN_1,
            [
                outcome(1001, "created", afas_order_number="5001", debtor_id="10001"),
                outcome(1002, "created", afas_order_number="5002", debtor_id="10002"),
                outcome(
                    1003, "failed", debtor_id="10003", reason=REASON_ITEM, profit_log_reference="PLR-1003-A"
                ),
            ],
            max_failures=3,
        )
        ledger.finish_run(pk, "failed", {"created": 2, "failed": 1}, {"lightspeed": 40, "afas": 12}, 0)
    with frozen_ledger_clock(now):
        pk = ledger.start_run(TENANT, RUN_2, "orders", None, None)
        ledger.record(
            TENANT,
            RUN_2,
            [
                outcome(1004, "created", afas_order_number="5004", debtor_id="10004"),
                outcome(
                    1003, "failed", debtor_id="10003", reason=REASON_ITEM, profit_log_reference="PLR-1003-B"
                ),
            ],
            max_failures=3,
        )
        ledger.record(
            TENANT,
            RUN_2,
            [outcome(1005, "failed", debtor_id="10005", reason=REASON_VAT, profit_log_reference="PLR-1005")],
            max_failures=1,  # quarantined at once
        )
        ledger.finish_run(
            pk, "failed", {"created": 1, "failed": 1, "quarantined": 1}, {"lightspeed": 25, "afas": 9}, 0
        )
        pk = ledger.start_run(LEGACY, "scheduled__legacy", "scheduled", now - timedelta(minutes=15), now)
        ledger.record(
            LEGACY, "scheduled__legacy", [outcome(9, "created", afas_order_number="77")], max_failures=3
        )
        ledger.finish_run(pk, "success", {"created": 1}, {"lightspeed": 3, "afas": 2}, 0)
    return Seeded(url, now, earlier)
