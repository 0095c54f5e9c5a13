"""What every task of every flow opens around its step: both hooks, their call statistics and (when the
tenant wants it) the detail-log buffer, written to the ledger when the task closes it."""

from __future__ import annotations

from typing import Protocol

from lightspeed_afas.flows.clients import Hooks
from lightspeed_afas.hooks.afas import AfasProfitHook
from lightspeed_afas.hooks.detail import Exchange
from lightspeed_afas.hooks.lightspeed import LightspeedEcomHook
from lightspeed_afas.hooks.metrics import CallStats
from lightspeed_afas.ledger import Ledger


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
    (0 for the orders flow itself)."""

    def __init__(
        self, settings: SessionSettings, request: RunOf, ledger: Ledger, reserve: float = 0.0
    ) -> None:
        self.settings = settings
        self.request = request
        self.ledger = ledger
        self.stats = CallStats()
        self.exchanges: list[Exchange] = []
        sink = self.exchanges.append if settings.detail_logging else None
        self.hooks = Hooks(
            lightspeed=LightspeedEcomHook(
                settings.lightspeed_conn_id, reserve=reserve, stats=self.stats, detail_sink=sink
            ),
            afas=AfasProfitHook(settings.afas_conn_id, stats=self.stats, detail_sink=sink),
        )

    def close(self) -> None:
        self.hooks.lightspeed.close()
        self.hooks.afas.close()
        if self.exchanges:
            self.ledger.add_detail(
                self.settings.tenant, self.request.run_id, [e.as_dict() for e in self.exchanges]
            )
            self.exchanges.clear()
