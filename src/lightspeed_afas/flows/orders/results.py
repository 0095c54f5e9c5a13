"""What one step of the order flow hands the next: typed results with their XCom form.

Each result has ``to_xcom()`` (the JSON-safe dict Airflow stores) and ``from_xcom()`` (its reverse).
The dicts keep the exact keys and key order runs have always written, so a run started before an
upgrade is read by the steps after it; keys added later (``settled``, ``requested``) default when absent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from lightspeed_afas.domain.vocabulary import PROBLEMS, Operation
from lightspeed_afas.domain.webshop_order import WebshopOrder
from lightspeed_afas.flows.afas_side import AfasOrder
from lightspeed_afas.ledger import OrderOutcome

Json = dict[str, Any]


@dataclass
class ToBook:
    """An order extract_orders found may need booking: its XCom form, content hash and intent
    (``new``, ``change``, ``cancel`` or ``verify``). The order is parsed when a step first asks."""

    data: Json  # WebshopOrder.to_json()
    hash: str
    intent: str

    @classmethod
    def of(cls, order: WebshopOrder, content_hash: str, intent: str) -> ToBook:
        item = cls(order.to_json(), content_hash, intent)
        item.__dict__["order"] = order  # already parsed: fills the cached property
        return item

    @cached_property
    def order(self) -> WebshopOrder:
        return WebshopOrder.from_json(self.data)

    def to_xcom(self) -> Json:
        return {"order": self.data, "hash": self.hash, "intent": self.intent}

    @classmethod
    def from_xcom(cls, data: Json) -> ToBook:
        return cls(data["order"], data["hash"], data["intent"])


@dataclass
class Extracted:
    """What extract_orders hands on; ``scan_window`` and ``select_and_fetch`` fill it as they go."""

    to_book: list[ToBook] = field(default_factory=list)
    outcomes: list[OrderOutcome] = field(default_factory=list)  # decided here: failed parse, unchanged …
    counts: dict[str, int] = field(default_factory=dict)
    complete: bool = True
    stopped_because: str | None = None
    # A re-sync by number: what became of the numbers that end here, without a ledger outcome.
    requested: dict[str, dict[str, str]] = field(default_factory=dict)
    run_pk: int | None = None  # the run's ledger row
    window: tuple[datetime, datetime] | None = None  # the window scanned; None for a re-sync by number
    stats: Json = field(default_factory=dict)  # the task's call statistics (set by the task)

    def count(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def note(self, number: str, result: str, reason: str) -> None:
        self.requested[number] = {"result": result, "reason": reason}

    def nothing_to_book(self) -> bool:
        """No order for the later steps, and no problem decided here (a problem fails the run and is
        notified by load_to_afas): the run can end in extract_orders."""
        return not self.to_book and not any(o.action in PROBLEMS for o in self.outcomes)

    def window_text(self) -> list[str] | None:
        return [moment.isoformat() for moment in self.window] if self.window else None

    def to_xcom(self) -> Json:
        return {
            "run_pk": self.run_pk,
            "window": self.window_text(),
            "complete": self.complete,
            "stopped_because": self.stopped_because,
            "to_book": [item.to_xcom() for item in self.to_book],
            "outcomes": [dict(o.__dict__, action=str(o.action)) for o in self.outcomes],
            "counts": self.counts,
            "requested": self.requested,
            "stats": self.stats,
        }

    @classmethod
    def from_xcom(cls, data: Json) -> Extracted:
        window = data.get("window")
        return cls(
            to_book=[ToBook.from_xcom(item) for item in data.get("to_book", [])],
            outcomes=[OrderOutcome(**o) for o in data.get("outcomes", [])],
            counts=dict(data.get("counts", {})),
            complete=data["complete"],
            stopped_because=data.get("stopped_because"),
            requested=dict(data.get("requested") or {}),
            run_pk=data.get("run_pk"),
            window=(datetime.fromisoformat(window[0]), datetime.fromisoformat(window[1])) if window else None,
            stats=dict(data.get("stats") or {}),
        )


@dataclass
class Settled:
    """An order an overlapping run booked at this very version while this run waited for the lease."""

    reason: str
    afas_order_number: str | None
    debtor_id: str | None

    def to_xcom(self) -> Json:
        return {
            "reason": self.reason,
            "afas_order_number": self.afas_order_number,
            "debtor_id": self.debtor_id,
        }


@dataclass
class Resolved:
    """What resolve_relations hands on, each keyed by the webshop order id (as a string)."""

    afas_orders: dict[str, AfasOrder] = field(default_factory=dict)  # already in AFAS
    debtors: dict[str, str] = field(default_factory=dict)  # the debtor of each new order
    failures: dict[str, str] = field(default_factory=dict)  # the reason an order cannot be booked
    settled: dict[str, Settled] = field(default_factory=dict)
    relations_created: int = 0
    stats: Json = field(default_factory=dict)

    def to_xcom(self) -> Json:
        return {
            "afas_orders": {k: v.as_dict() for k, v in self.afas_orders.items()},
            "debtors": self.debtors,
            "failures": {k: {"reason": reason} for k, reason in self.failures.items()},
            "settled": {k: v.to_xcom() for k, v in self.settled.items()},
            "relations_created": self.relations_created,
            "stats": self.stats,
        }

    @classmethod
    def from_xcom(cls, data: Json) -> Resolved:
        return cls(
            afas_orders={k: AfasOrder.from_dict(v) for k, v in data.get("afas_orders", {}).items()},
            debtors=dict(data.get("debtors", {})),
            failures={k: v["reason"] for k, v in data.get("failures", {}).items()},
            settled={k: Settled(**v) for k, v in (data.get("settled") or {}).items()},
            relations_created=data.get("relations_created", 0),
            stats=dict(data.get("stats") or {}),
        )


@dataclass
class OrderOperation:
    """What load_to_afas does for one order: ``op`` and, as it needs them, the connector, the exact
    payload, the reason, and the AFAS order and debtor.

    ``in_afas``: the operation concerns an order AFAS holds (or a run booked): its XCom form names the AFAS
    order number and the debtor even when they are unknown, where a new order only names its debtor."""

    order_id: int
    number: str
    updated_at: str
    hash: str
    op: Operation
    connector: str | None = None
    payload: Json | None = None
    reason: str | None = None
    afas_order_number: str | None = None
    debtor_id: str | None = None
    in_afas: bool = False

    def to_xcom(self) -> Json:
        out: Json = {"order_id": self.order_id, "number": self.number, "updated_at": self.updated_at}
        out.update(hash=self.hash, op=self.op.value)  # plain strings: XCom backends serialise JSON
        for key in ("connector", "payload", "reason"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.in_afas:
            out["afas_order_number"] = self.afas_order_number
        if self.in_afas or self.debtor_id is not None:
            out["debtor_id"] = self.debtor_id
        return out

    @classmethod
    def from_xcom(cls, data: Json) -> OrderOperation:
        known = {k: data.get(k) for k in ("connector", "payload", "reason", "afas_order_number", "debtor_id")}
        return cls(
            data["order_id"],
            data["number"],
            data["updated_at"],
            data["hash"],
            Operation(data["op"]),
            **known,
            in_afas="afas_order_number" in data,
        )


@dataclass
class Transformed:
    """What transform hands on: one operation per order extract_orders found to book."""

    operations: list[OrderOperation] = field(default_factory=list)
    stats: Json = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        """How many operations of each kind, by the operation's name."""
        counts: dict[str, int] = {}
        for op in self.operations:
            counts[op.op.value] = counts.get(op.op.value, 0) + 1
        return counts

    def to_xcom(self) -> Json:
        return {"operations": [op.to_xcom() for op in self.operations], "stats": self.stats}

    @classmethod
    def from_xcom(cls, data: Json) -> Transformed:
        return cls(
            [OrderOperation.from_xcom(op) for op in data.get("operations", [])],
            dict(data.get("stats") or {}),
        )
