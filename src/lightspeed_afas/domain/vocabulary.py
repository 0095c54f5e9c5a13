"""The words the ledger, the flows and the reports share: what became of an order, and what a write does.

They are ``StrEnum``s, so a value is its own string in the ledger, in XCom and in JSON, and comparing
with the plain string still holds.
"""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    """What one attempt did with one order (a row of the basic log)."""

    CREATED = "created"
    UPDATED = "updated"
    DELETED = "deleted"
    SKIPPED = "skipped"
    UNCHANGED = "unchanged"
    FAILED = "failed"
    QUARANTINED = "quarantined"


BOOKED = frozenset({Action.CREATED, Action.UPDATED})
PROBLEMS = frozenset({Action.FAILED, Action.QUARANTINED})


class Operation(StrEnum):
    """What ``load_to_afas`` sends for one order."""

    INSERT = "insert"
    UPDATE = "update"
    DELETE = "delete"
    SKIP = "skip"
