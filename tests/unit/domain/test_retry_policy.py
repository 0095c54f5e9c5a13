"""The retry backoff of failed orders: a schedule on consecutive failures, from the last attempt."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lightspeed_afas.domain.retry_policy import RETRY_BACKOFF, next_retry_at, retry_delay, retry_due
from lightspeed_afas.ledger import OrderState

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def state(status: str = "failed", failures: int = 1, at: datetime | None = T0) -> OrderState:
    return OrderState(1, "ORD1", None, None, None, None, status, failures, "AFAS: x", at)


def test_the_schedule_is_15_minutes_1_4_12_then_24_hours_repeating():
    assert [retry_delay(n) for n in range(1, 8)] == [
        timedelta(minutes=15),
        timedelta(hours=1),
        timedelta(hours=4),
        timedelta(hours=12),
        timedelta(hours=24),
        timedelta(hours=24),
        timedelta(hours=24),
    ]
    assert retry_delay(0) == timedelta(0)
    assert RETRY_BACKOFF == tuple(retry_delay(n) for n in range(1, len(RETRY_BACKOFF) + 1))


@pytest.mark.parametrize(("failures", "wait"), [(1, timedelta(minutes=15)), (3, timedelta(hours=4))])
def test_a_failed_order_is_due_once_its_wait_after_the_last_attempt_has_passed(failures, wait):
    failed = state(failures=failures)
    assert next_retry_at(failed) == T0 + wait
    assert not retry_due(failed, T0 + wait - timedelta(seconds=1))
    assert retry_due(failed, T0 + wait)


def test_five_attempts_take_more_than_17_hours_whatever_the_number_of_runs():
    moment, attempts = T0, 1
    failures = 1
    while attempts < 5:
        moment = next_retry_at(state(failures=failures, at=moment))
        attempts += 1
        failures += 1
    assert moment - T0 == timedelta(hours=17, minutes=15)


@pytest.mark.parametrize("status", ["booked", "skipped", "quarantined"])
def test_only_failed_orders_wait(status):
    assert next_retry_at(state(status=status)) is None
    assert retry_due(state(status=status), T0)


def test_a_failure_without_a_recorded_time_is_due():
    assert retry_due(state(at=None), T0)


def test_the_backoff_reads_as_people_write_it():
    from lightspeed_afas.domain.retry_policy import backoff_text

    assert backoff_text() == "15 min, 1 h, 4 h, 12 h, 24 h"
