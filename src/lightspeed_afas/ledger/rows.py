"""Ledger rows as the dashboard and the notifications read them: plain dicts, times in ISO 8601 (UTC)."""

from __future__ import annotations

from typing import Any

from lightspeed_afas.ledger.clock import iso

_ATTEMPT_KEYS = ("afas_order_number", "debtor_id", "action", "reason", "profit_log_reference")


def run_row(row: Any) -> dict[str, Any]:
    """A ``lsafas_sync_run`` row."""
    return {
        "run_id": row["run_id"],
        "mode": row["mode"],
        "outcome": row["outcome"],
        "started_at": iso(row["started_at"]),
        "finished_at": iso(row["finished_at"]),
        "window_start": iso(row["window_start"]),
        "window_end": iso(row["window_end"]),
        "counts": dict(row["counts"] or {}),
        "calls": dict(row["calls"] or {}),
        "rate_limited": int(row["rate_limited"] or 0),
        "duration_s": row["duration_s"],
        "message": row["message"],
    }


def attempt_row(row: Any) -> dict[str, Any]:
    """A ``lsafas_order_attempt`` row (``attempts``: its attempt number)."""
    return {
        "order_id": int(row["order_id"]),
        "order_number": row["order_number"],
        **{key: row[key] for key in _ATTEMPT_KEYS},
        "attempts": int(row["attempt"] or 0),
        "run_id": row["run_id"],
        "at": iso(row["at"]),
    }


def order_row(row: Any) -> dict[str, Any]:
    """An order's state joined with its latest attempt (none: the state's run and time stand in)."""
    return {
        **attempt_row(row),
        "status": row["status"],
        "failures": int(row["failures"] or 0),
        "run_id": row["run_id"] or row["last_run_id"],
        "at": iso(row["at"] or row["changed_at"]),
    }
