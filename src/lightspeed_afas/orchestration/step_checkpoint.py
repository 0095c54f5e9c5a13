"""What a step that waits in the triggerer carries to its resumed attempt, and how its task tells the
step's hooks that they may defer.

``orchestration.deferrable.StepOperator`` runs every step inside ``deferrable_step``; the step's
``StepSession`` finds it (``current``) and opens its hooks with the deferral budget left, the call
statistics so far and — for the Lightspeed hook of a flow without a reserve, the orders flow — the answers
the earlier attempts had (``hooks.replay``). When a hook raises ``MustWaitError`` the operator takes the
session's replay and statistics into the next checkpoint, stores it as the task's XCom ``deferred_step``
(an XCom survives a deferral: the resumed task is the same try) and defers. Without the operator (a flow
run by the CLI, a test or a benchmark) there is no deferrable step and every wait is slept as before.

Only plain data lives here (the replay and the statistics as JSON): the module is imported when DAGs are
parsed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

CHECKPOINT_KEY = "deferred_step"  # the task's XCom key while it waits


@dataclass
class StepCheckpoint:
    """The deferrals so far, when the step first started, the Lightspeed answers it had (``Replay``
    JSON) and its call statistics (``CallStats`` state)."""

    deferrals: int = 0
    deferred_s: float = 0.0
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    replay: dict[str, Any] | None = None
    stats: dict[str, Any] | None = None

    def to_xcom(self) -> dict[str, Any]:
        return {
            "deferrals": self.deferrals,
            "deferred_s": round(self.deferred_s, 3),
            "started_at": self.started_at.isoformat(),
            "replay": self.replay,
            "stats": self.stats,
        }

    @classmethod
    def from_xcom(cls, data: dict[str, Any]) -> StepCheckpoint:
        return cls(
            deferrals=int(data.get("deferrals") or 0),
            deferred_s=float(data.get("deferred_s") or 0.0),
            started_at=datetime.fromisoformat(data["started_at"]),
            replay=data.get("replay"),
            stats=data.get("stats"),
        )


@dataclass
class DeferrableStep:
    """The running step's side of its task: the checkpoint it resumed from (a fresh one on the first
    attempt) and the session the step opened (its hooks and statistics), for the operator to read when
    the step must wait."""

    checkpoint: StepCheckpoint
    session: Any = None

    def next_checkpoint(self, api: str, seconds: float) -> StepCheckpoint:
        """The checkpoint after a wait of ``seconds`` for ``api`` that the task now defers."""
        before = self.checkpoint
        replay, stats = before.replay, before.stats
        if self.session is not None:
            lightspeed = self.session.hooks.lightspeed
            replay = lightspeed.replay.to_json() if lightspeed.replay is not None else replay
            self.session.stats.record_deferral(api, seconds)
            stats = self.session.stats.to_state()
        return StepCheckpoint(
            before.deferrals + 1, before.deferred_s + seconds, before.started_at, replay, stats
        )


_current: ContextVar[DeferrableStep | None] = ContextVar("lightspeed_afas_deferrable_step", default=None)


@contextlib.contextmanager
def deferrable_step(checkpoint: StepCheckpoint) -> Iterator[DeferrableStep]:
    """Run a step whose hooks may defer (``StepSession`` reads it through ``current``)."""
    step = DeferrableStep(checkpoint)
    token = _current.set(step)
    try:
        yield step
    finally:
        _current.reset(token)


def current() -> DeferrableStep | None:
    """The deferrable step running now, or None (the step cannot defer)."""
    return _current.get()
