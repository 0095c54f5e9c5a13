"""What every task of every flow opens around its step: both hooks, their call statistics and (when the
tenant wants it) the detail-log buffer, written to the ledger when the task closes it.

Under ``orchestration.deferrable.StepOperator`` (every step's task) the hooks may defer a long wait to the
triggerer (``orchestration.step_checkpoint``), both within the deferral budget the task has left: the AFAS
hook until the step's first AFAS answer, the Lightspeed hook only in the orders flow, with a
``hooks.replay.Replay`` of the answers its earlier attempts had. The orders flow's one Lightspeed step
only reads, so replaying its answers continues it exactly; the other flows' Lightspeed steps write in
between (and stop at their reserve instead of waiting), so their waits stay as they were."""

from __future__ import annotations

from typing import Protocol

from lightspeed_afas.flows.clients import Hooks
from lightspeed_afas.flows.orders.settings import SyncSettings
from lightspeed_afas.hooks.afas import AfasProfitHook
from lightspeed_afas.hooks.detail import Exchange
from lightspeed_afas.hooks.lightspeed import LightspeedEcomHook
from lightspeed_afas.hooks.metrics import CallStats
from lightspeed_afas.hooks.replay import Replay
from lightspeed_afas.hooks.waiting import DEFERRED_PER_TASK_SECONDS
from lightspeed_afas.ledger import Ledger
from lightspeed_afas.orchestration import step_checkpoint


class SessionSettings(Protocol):
    """The part of a flow's settings a session reads."""

    tenant: str
    lightspeed_conn_id: str
    afas_conn_id: str
    detail_logging: bool


class RunOf(Protocol):
    run_id: str


class StepSession:
    """One task's hooks, call statistics and (when the tenant wants it) detail-log buffer.

    ``reserve``: the share of every Lightspeed rate-limit window this flow leaves to the orders flow
    (0 for the orders flow itself). ``replay``: whether the Lightspeed hook may defer, replaying its
    answers when resumed (None: for the orders flow's steps, see the module)."""

    def __init__(
        self,
        settings: SessionSettings,
        request: RunOf,
        ledger: Ledger,
        reserve: float = 0.0,
        replay: bool | None = None,
    ) -> None:
        self.settings = settings
        self.request = request
        self.ledger = ledger
        deferrable = step_checkpoint.current()
        counted = deferrable.checkpoint.stats if deferrable is not None else None
        self.stats = CallStats.from_state(counted) if counted else CallStats()  # the calls before a deferral
        self.exchanges: list[Exchange] = []
        sink = self.exchanges.append if settings.detail_logging else None
        self.hooks = Hooks(
            lightspeed=LightspeedEcomHook(
                settings.lightspeed_conn_id, reserve=reserve, stats=self.stats, detail_sink=sink
            ),
            afas=AfasProfitHook(settings.afas_conn_id, stats=self.stats, detail_sink=sink),
        )
        if deferrable is not None:
            self._may_defer(deferrable, isinstance(settings, SyncSettings) if replay is None else replay)

    def _may_defer(self, deferrable: step_checkpoint.DeferrableStep, replay: bool) -> None:
        """Let the hooks defer long waits, within the task's deferral budget (see the module)."""
        deferrable.session = self
        checkpoint = deferrable.checkpoint
        budget = max(0.0, DEFERRED_PER_TASK_SECONDS - checkpoint.deferred_s)
        self.hooks.lightspeed.defer_budget = self.hooks.afas.defer_budget = budget
        if replay:
            saved = checkpoint.replay
            self.hooks.lightspeed.replay = Replay.from_json(saved) if saved else Replay(checkpoint.started_at)

    def close(self) -> None:
        self.hooks.lightspeed.close()
        self.hooks.afas.close()
        if self.exchanges:
            self.ledger.add_detail(
                self.settings.tenant, self.request.run_id, [e.as_dict() for e in self.exchanges]
            )
            self.exchanges.clear()
