"""The ledger's clock: every time it stores is UTC, and SQLite's naive datetimes are read back as UTC.

Modules call ``clock.now_utc()`` through the module, so a test can move the ledger's clock in one place.
"""

from __future__ import annotations

from datetime import UTC, datetime


def now_utc() -> datetime:
    """The time now, in UTC."""
    return datetime.now(UTC)


def aware(value: datetime | None) -> datetime | None:
    """``value`` as an aware UTC datetime (SQLite returns naive datetimes; the ledger stores UTC)."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def iso(value: datetime | None) -> str | None:
    """``value`` as an ISO 8601 string in UTC, or None."""
    value = aware(value)
    return value.isoformat() if value else None
