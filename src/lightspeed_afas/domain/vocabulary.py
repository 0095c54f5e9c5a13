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
    """What ``transform`` plans for one order and ``load_to_afas`` does with it: the first three write
    to AFAS, the others only record an outcome."""

    INSERT = "insert"
    UPDATE = "update"
    DELETE = "delete"
    SKIP = "skip"
    FAIL = "fail"  # refused before anything was sent (booking checks, relation, duplicates in AFAS)
    SETTLED = "settled"  # an overlapping run booked it at this version while this run waited
    UNCHANGED = "unchanged"  # a re-sync of an order AFAS holds at this very content
    EXISTS = "exists"  # an insert found by reference under the lease: already in AFAS


WRITES = frozenset({Operation.INSERT, Operation.UPDATE, Operation.DELETE})


# The order flow's steps, in order: its task ids, and what each reads (the outputs of those before it).
ORDER_STEPS = ("extract_orders", "resolve_relations", "transform", "load_to_afas")
# The stock flow's steps (its task ids), in order.
STOCK_STEPS = ("read_afas_stock", "plan_stock", "push_stock")
# The articles flow's steps (its task ids), in order.
ARTICLE_STEPS = ("read_afas_articles", "plan_articles", "push_articles")
# The customers and credit-notes DAGs' task ids, in order (DESIGN.md "Several flows per tenant").
CUSTOMER_STEPS = ("extract_customers", "resolve_relations")
CREDIT_NOTE_STEPS = ("extract_credit_notes", "transform", "load_to_afas")
