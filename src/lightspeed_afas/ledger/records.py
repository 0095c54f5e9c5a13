"""What the ledger hands out and takes in: an order's state, one order's outcome, and their column widths.

The ledger is the basic log: numbers, statuses and reasons — never an order's contents.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lightspeed_afas.domain.vocabulary import Action
from lightspeed_afas.ledger import clock

NUMBER_WIDTH = 64  # lsafas_*.order_number
UPDATED_AT_WIDTH = 40  # lsafas_*.updated_at

# An order's status in ``lsafas_order_state`` after an attempt with this action.
STATUS_AFTER: dict[str, str] = {
    Action.CREATED: "booked",
    Action.UPDATED: "booked",
    Action.UNCHANGED: "booked",
    Action.SKIPPED: "skipped",
    Action.DELETED: "deleted",
    Action.FAILED: "failed",
    Action.QUARANTINED: "quarantined",
}
ORDER_STATUSES = tuple(dict.fromkeys(STATUS_AFTER.values()))  # booked, skipped, deleted, failed, quarantined


def clip(value: str | None, width: int) -> str | None:
    """``value`` cut to a column's width, marked with … when it was longer."""
    if value is None or len(value) <= width:
        return value
    return value[: width - 1] + "…"


@dataclass(frozen=True)
class OrderState:
    """What the ledger last knew about one Lightspeed order."""

    order_id: int
    order_number: str
    updated_at: str | None
    payload_hash: str | None
    afas_order_number: str | None
    debtor_id: str | None
    status: str
    failures: int  # consecutive failures (0 once booked)
    reason: str | None
    last_attempt_at: datetime | None = None  # when the last attempt was recorded (UTC)

    @classmethod
    def from_row(cls, row: Any) -> OrderState:
        """The state of a ``lsafas_order_state`` row."""
        return cls(
            order_id=int(row["order_id"]),
            order_number=row["order_number"],
            updated_at=row["updated_at"],
            payload_hash=row["payload_hash"],
            afas_order_number=row["afas_order_number"],
            debtor_id=row["debtor_id"],
            status=row["status"],
            failures=int(row["failures"]),
            reason=row["reason"],
            last_attempt_at=clock.aware(row["changed_at"]),
        )


@dataclass(frozen=True)
class OrderOutcome:
    """One order's result in one run, as the ledger records it (no order contents)."""

    order_id: int
    order_number: str
    updated_at: str | None
    action: str
    payload_hash: str | None = None
    afas_order_number: str | None = None
    debtor_id: str | None = None
    reason: str | None = None
    profit_log_reference: str | None = None
    # Set by ``Ledger.record``: this failure repeats what the ledger last recorded for the order (same
    # status, same reason), so it is a known problem rather than a new one. Not stored.
    repeated: bool = field(default=False, compare=False)

    def __post_init__(self) -> None:
        if self.action not in STATUS_AFTER:
            raise ValueError(f"unknown ledger action {self.action!r}")
        # Hostile webshop data must not stop the ledger (PostgreSQL enforces the column widths); such an
        # order fails on its own data anyway, and its id still identifies it.
        object.__setattr__(self, "order_number", clip(self.order_number, NUMBER_WIDTH))
        object.__setattr__(self, "updated_at", clip(self.updated_at, UPDATED_AT_WIDTH))
