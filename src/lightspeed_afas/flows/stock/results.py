"""What one step of the stock flow hands the next: typed results with their XCom form (JSON)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from lightspeed_afas.domain.stock import Push

Json = dict[str, Any]


@dataclass
class StockRead:
    """read_afas_stock: the quantity per item code, and the items AFAS gave no usable quantity for."""

    run_pk: int
    quantities: dict[str, Decimal] = field(default_factory=dict)
    bad_items: dict[str, str] = field(default_factory=dict)
    rows: int = 0
    rows_without_code: int = 0
    afas_calls: int = 0
    stats: Json = field(default_factory=dict)
    read_at: str = ""  # when AFAS was read (the pipeline's clock)
    fingerprint: str = ""  # of what the later steps plan from (``flows.idle``)
    unchanged: Json | None = None  # an idle run: the last clean plan's counts (nothing to push)

    def to_xcom(self) -> Json:
        return {
            "run_pk": self.run_pk,
            "quantities": {code: str(q) for code, q in self.quantities.items()},
            "bad_items": self.bad_items,
            "rows": self.rows,
            "rows_without_code": self.rows_without_code,
            "stats": self.stats,
            "read_at": self.read_at,
            "fingerprint": self.fingerprint,
            "unchanged": self.unchanged,
        }

    @classmethod
    def from_xcom(cls, data: Json) -> StockRead:
        return cls(
            run_pk=int(data["run_pk"]),
            quantities={code: Decimal(q) for code, q in (data.get("quantities") or {}).items()},
            bad_items=dict(data.get("bad_items") or {}),
            rows=int(data.get("rows", 0)),
            rows_without_code=int(data.get("rows_without_code", 0)),
            stats=dict(data.get("stats") or {}),
            read_at=str(data.get("read_at") or ""),
            fingerprint=str(data.get("fingerprint") or ""),
            unchanged=data.get("unchanged"),
        )


@dataclass
class StockPlan:
    """plan_stock: the levels to push, and what the run decided about the other variants."""

    pushes: list[Push] = field(default_factory=list)
    variants: int = 0  # in the map
    kept: int = 0  # followed, level already right
    left_alone: dict[str, int] = field(default_factory=dict)  # reason kind → count
    left_alone_examples: list[Json] = field(default_factory=list)  # a few, for the log
    refresh: str = "incremental"  # incremental, full
    complete: bool = True  # the variant map is up to date
    stopped_because: str | None = None
    stats: Json = field(default_factory=dict)

    def to_xcom(self) -> Json:
        return {
            "pushes": [p.as_dict() for p in self.pushes],
            "variants": self.variants,
            "kept": self.kept,
            "left_alone": self.left_alone,
            "left_alone_examples": self.left_alone_examples,
            "refresh": self.refresh,
            "complete": self.complete,
            "stopped_because": self.stopped_because,
            "stats": self.stats,
        }

    @classmethod
    def from_xcom(cls, data: Json) -> StockPlan:
        return cls(
            pushes=[Push.from_dict(p) for p in data.get("pushes") or []],
            variants=int(data.get("variants", 0)),
            kept=int(data.get("kept", 0)),
            left_alone=dict(data.get("left_alone") or {}),
            left_alone_examples=list(data.get("left_alone_examples") or []),
            refresh=str(data.get("refresh", "incremental")),
            complete=bool(data.get("complete", True)),
            stopped_because=data.get("stopped_because"),
            stats=dict(data.get("stats") or {}),
        )
