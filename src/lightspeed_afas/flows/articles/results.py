"""What one step of the articles flow hands the next: typed results with their XCom form (JSON).

Item data itself stays in the ledger (``lsafas_article_item``); XCom carries the prices and barcodes of
the full reads (no change date: they are compared every run) and the planned field changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from lightspeed_afas.domain.articles import Change

Json = dict[str, Any]


@dataclass
class ArticleRead:
    """read_afas_articles: what AFAS gave this run."""

    run_pk: int
    prices: dict[str, Decimal] = field(default_factory=dict)
    bad_prices: dict[str, str] = field(default_factory=dict)
    barcodes: dict[str, str] = field(default_factory=dict)
    read: str = "incremental"  # incremental, full (Profit_Article)
    changed_items: int = 0  # Profit_Article rows read
    rows_without_code: int = 0
    removed_items: list[str] = field(default_factory=list)
    stats: Json = field(default_factory=dict)
    read_at: str = ""  # when AFAS was read (the pipeline's clock)
    fingerprint: str = ""  # of what the later steps plan from (``flows.idle``)
    unchanged: Json | None = None  # an idle run: the last clean plan's counts (nothing to write)

    def to_xcom(self) -> Json:
        return {
            "run_pk": self.run_pk,
            "prices": {k: str(v) for k, v in self.prices.items()},
            "bad_prices": self.bad_prices,
            "barcodes": self.barcodes,
            "read": self.read,
            "changed_items": self.changed_items,
            "rows_without_code": self.rows_without_code,
            "removed_items": self.removed_items,
            "stats": self.stats,
            "read_at": self.read_at,
            "fingerprint": self.fingerprint,
            "unchanged": self.unchanged,
        }

    @classmethod
    def from_xcom(cls, data: Json) -> ArticleRead:
        return cls(
            run_pk=int(data["run_pk"]),
            prices={k: Decimal(v) for k, v in (data.get("prices") or {}).items()},
            bad_prices=dict(data.get("bad_prices") or {}),
            barcodes=dict(data.get("barcodes") or {}),
            read=str(data.get("read", "incremental")),
            changed_items=int(data.get("changed_items", 0)),
            rows_without_code=int(data.get("rows_without_code", 0)),
            removed_items=list(data.get("removed_items") or []),
            stats=dict(data.get("stats") or {}),
            read_at=str(data.get("read_at") or ""),
            fingerprint=str(data.get("fingerprint") or ""),
            unchanged=data.get("unchanged"),
        )


@dataclass
class ArticlePlan:
    """plan_articles: the fields to write, the products to create, and what was left alone and why."""

    changes: list[Change] = field(default_factory=list)
    creations: list[str] = field(default_factory=list)  # item codes
    hashes: dict[str, str] = field(default_factory=dict)  # item code → hash of what AFAS asks (changed items)
    targets: dict[str, Json] = field(default_factory=dict)  # item to create → its values
    languages: list[str] = field(default_factory=list)
    items: int = 0
    followed: int = 0
    unchanged: int = 0  # followed, nothing to write
    left_alone: dict[str, int] = field(default_factory=dict)  # reason kind → count
    examples: list[Json] = field(default_factory=list)  # a few left-alone items / field problems
    field_problems: int = 0
    refresh: str = "incremental"
    complete: bool = True
    stopped_because: str | None = None
    stats: Json = field(default_factory=dict)

    def to_xcom(self) -> Json:
        data = {k: v for k, v in self.__dict__.items() if k != "changes"}
        return {**data, "changes": [c.as_dict() for c in self.changes]}

    @classmethod
    def from_xcom(cls, data: Json) -> ArticlePlan:
        plan = cls(**{k: v for k, v in data.items() if k != "changes"})
        plan.changes = [Change.from_dict(c) for c in data.get("changes") or []]
        return plan
