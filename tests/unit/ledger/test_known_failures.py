"""What the ledger tells the retry policy: whether a failure repeats the last one, when it was, and
which webshop version failed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lightspeed_afas.ledger import OrderOutcome

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def failed(reason: str, updated_at: str = "u1") -> OrderOutcome:
    return OrderOutcome(1, "ORD1", updated_at, "failed", reason=reason)


def test_a_failure_is_repeated_only_with_the_same_status_and_reason(ledger):
    (first,) = ledger.record("acme", "r1", [failed("AFAS: item X")], 3, at=T0)
    (same,) = ledger.record("acme", "r2", [failed("AFAS: item X")], 3, at=T0 + timedelta(hours=1))
    (other,) = ledger.record("acme", "r3", [failed("AFAS: item Y")], 5, at=T0 + timedelta(hours=2))
    assert (first.repeated, same.repeated, other.repeated) == (False, True, False)


def test_quarantine_is_not_a_repeat_of_the_failure_before_it(ledger):
    ledger.record("acme", "r1", [failed("AFAS: item X")], 2, at=T0)
    (quarantined,) = ledger.record("acme", "r2", [failed("AFAS: item X")], 2, at=T0)
    assert (quarantined.action, quarantined.repeated) == ("quarantined", False)


def test_a_failure_after_a_booking_is_new_again(ledger):
    ledger.record("acme", "r1", [failed("AFAS: item X")], 5, at=T0)
    ledger.record("acme", "r2", [OrderOutcome(1, "ORD1", "u2", "created", "h", "600")], 5, at=T0)
    (again,) = ledger.record("acme", "r3", [failed("AFAS: item X", "u3")], 5, at=T0)
    assert not again.repeated


def test_the_state_holds_the_last_attempt_time_and_the_failed_version(ledger):
    ledger.record("acme", "r1", [OrderOutcome(1, "ORD1", "u1", "created", "h", "600")], 5, at=T0)
    later = T0 + timedelta(minutes=30)
    ledger.record("acme", "r2", [failed("AFAS: item X", "u2")], 5, at=later)
    state = ledger.order_states("acme", [1])[1]
    assert (state.status, state.updated_at, state.last_attempt_at) == ("failed", "u1", later)
    assert ledger.attempted_versions("acme", [state]) == {1: "u2"}
