"""``LedgerQueries.find_order_numbers``: what ``log --order`` looks up when a number is not exact (SQLite
and PostgreSQL)."""

from __future__ import annotations

from lightspeed_afas.ledger import OrderOutcome
from lightspeed_afas.ledger.queries import LedgerQueries


def test_exact_then_ending_then_containing_case_insensitive_and_per_tenant(ledger):
    numbers = ["ORD10028", "ORD10029", "ORD1002", "ord110028", "ORD5%0"]
    ledger.record(
        "acme", "r1", [OrderOutcome(i, n, "u1", "failed", reason="x") for i, n in enumerate(numbers, 1)], 5
    )
    ledger.record("other", "r1", [OrderOutcome(99, "ORD4711", "u1", "failed", reason="x")], 5)
    find = LedgerQueries(ledger.engine).find_order_numbers
    assert find("acme", "ORD10028") == ["ORD10028"]
    assert find("acme", "10028") == ["ORD10028", "ord110028"]
    assert find("acme", "Ord10029") == ["ORD10029"]
    assert find("acme", "ORD100") == ["ORD1002", "ORD10028", "ORD10029"]
    assert find("acme", "ORD100", limit=2) == ["ORD1002", "ORD10028"]
    assert find("acme", "5%0") == ["ORD5%0"] and find("acme", "%") == ["ORD5%0"]
    assert find("acme", "_") == [] and find("acme", "4711") == [] and find("acme", "  ") == []
