"""When a failed order is tried again: a backoff on its consecutive failures, not once per run.

A run that meets an order's known failure again would otherwise spend an attempt per run, and a
backfill (dozens of runs in minutes) would quarantine the order before anyone could fix it. So after
its n-th consecutive failure an order waits ``RETRY_BACKOFF[n - 1]`` (the last step repeats) from its
last attempt before a scheduled or backfill run tries it again. An order that changed in the webshop
since it failed is tried at once (the change may be the fix), and so is a re-sync by ``order_numbers``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

# The wait after the 1st, 2nd, 3rd, ... consecutive failure. With the default max_attempts of 5 an
# order is quarantined some 17 hours after its first failure, whatever the number of runs.
RETRY_BACKOFF: tuple[timedelta, ...] = (
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=4),
    timedelta(hours=12),
    timedelta(hours=24),
)

Clock = Callable[[], datetime]


class OrderAttempts(Protocol):
    """What the backoff needs of an order's state (the ledger's ``OrderState`` has it)."""

    @property
    def status(self) -> str: ...
    @property
    def failures(self) -> int: ...
    @property
    def last_attempt_at(self) -> datetime | None: ...


def utc_now() -> datetime:
    """The system clock (the pipeline's default ``SyncSettings.clock``)."""
    return datetime.now(UTC)


def retry_delay(failures: int) -> timedelta:
    """How long an order waits after its ``failures``-th consecutive failure."""
    if failures < 1:
        return timedelta(0)
    return RETRY_BACKOFF[min(failures, len(RETRY_BACKOFF)) - 1]


def next_retry_at(state: OrderAttempts) -> datetime | None:
    """When a scheduled run may try a failed order again; None when it is not waiting for a retry."""
    if state.status != "failed" or state.last_attempt_at is None:
        return None
    return state.last_attempt_at + retry_delay(state.failures)


def retry_due(state: OrderAttempts, now: datetime) -> bool:
    """True when the order is not failed, or its backoff has passed."""
    due = next_retry_at(state)
    return due is None or now >= due


def backoff_text() -> str:
    """``15 min, 1 h, 4 h, 12 h, 24 h``: the backoff as people read it (the last step repeats)."""

    def one(step: timedelta) -> str:
        minutes = int(step.total_seconds() // 60)
        return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h"

    return ", ".join(one(step) for step in RETRY_BACKOFF)
