"""The bridge between Airflow and the stock flow's steps: hooks, ledger, XCom, and the end of the run.

The Lightspeed hook of the stock flow keeps ``lightspeed.reserve_for_orders`` of every rate-limit window
free (``Pacer``): the orders flow of every tenant on the key is never starved by stock. A run whose AFAS
read gives what the last clean run planned from ends in read_afas_stock (``flows.idle``,
``orchestration.idle``).
"""

from __future__ import annotations

import logging
from typing import Any

from lightspeed_afas.domain import retry_policy
from lightspeed_afas.domain.vocabulary import STOCK_STEPS
from lightspeed_afas.flows.clients import Hooks
from lightspeed_afas.flows.stock import (
    StockRequest,
    StockSyncSettings,
    plan_stock,
    push_stock,
    read_afas_stock,
)
from lightspeed_afas.flows.stock.push_step import Pushed
from lightspeed_afas.flows.stock.report import StockRun, finish_stock_run, idle_plan
from lightspeed_afas.flows.stock.results import StockPlan, StockRead
from lightspeed_afas.flows.stock.settings import FLOW, StockConfigError
from lightspeed_afas.hooks.metrics import CallStats, calls_per_api
from lightspeed_afas.ledger import Ledger
from lightspeed_afas.orchestration.idle import idle_value, summary_if_ended
from lightspeed_afas.orchestration.step_session import StepSession
from lightspeed_afas.orchestration.task_failures import ExpectedTaskFailure

log = logging.getLogger(__name__)


class StockSetupError(ExpectedTaskFailure):
    """The stock block does not fit the AFAS environment; the message says what to set."""


class StockHaltedError(ExpectedTaskFailure):
    """The shop did not take a level as sent: pushing stops until a run with ``resume``."""


class NewStockFailuresError(ExpectedTaskFailure):
    """Lightspeed refused levels it had not refused before; later runs try them again."""


def execute_stock(
    step: str, settings: StockSyncSettings, request: StockRequest, ledger: Ledger, upstream: dict[str, Any]
) -> dict[str, Any]:
    """Run one stock step; ``upstream`` holds the earlier steps' XCom values by task id."""
    if step not in STOCK_STEPS:
        raise ValueError(f"unknown stock step {step!r}; the steps are {', '.join(STOCK_STEPS)}")
    ended = summary_if_ended(step, STOCK_STEPS[0], upstream)
    if ended is not None:
        return ended
    session = StepSession(settings, request, ledger, reserve=settings.reserve_for_orders)
    try:
        return _step(step, settings, request, ledger, session.hooks, upstream, session.stats)
    except StockConfigError as exc:
        # No retry can help, and the later tasks will not run: close the run's row here, with why.
        ledger.close_unfinished_flow_run(settings.tenant, FLOW, request.run_id, str(exc))
        raise StockSetupError(str(exc)) from None
    finally:
        session.close()


def _step(
    step: str,
    settings: StockSyncSettings,
    request: StockRequest,
    ledger: Ledger,
    hooks: Hooks,
    upstream: dict[str, Any],
    stats: CallStats,
) -> dict[str, Any]:
    if step == "read_afas_stock":
        read = read_afas_stock(settings, request, ledger, hooks, retry_policy.utc_now())
        read.stats = stats.summary()
        if read.unchanged is None:
            return read.to_xcom()
        done = StockRun(read, idle_plan(read), Pushed(), calls_per_api([read.stats]))
        summary = finish_stock_run(settings, request, ledger, done)
        return idle_value(
            read.to_xcom(), summary, "nothing to push (AFAS gave what the last clean run planned from)"
        )
    read = StockRead.from_xcom(upstream["read_afas_stock"])
    if step == "plan_stock":
        plan = plan_stock(settings, request, ledger, hooks, read, retry_policy.utc_now())
        plan.stats = stats.summary()
        return plan.to_xcom()
    plan = StockPlan.from_xcom(upstream["plan_stock"])
    pushed = push_stock(settings, request, ledger, hooks, plan)
    step_stats = [read.stats, plan.stats, stats.summary()]
    calls = calls_per_api(step_stats)
    summary = finish_stock_run(settings, request, ledger, StockRun(read, plan, pushed, calls))
    if summary["halted"] and not request.dry_run:
        raise StockHaltedError(str(summary["stopped_because"]))
    if summary["new_failures"] and not request.dry_run:
        raise NewStockFailuresError(
            f"Lightspeed refused {len(summary['new_failures'])} new stock level(s) (listed above and in "
            f"the ledger: python -m lightspeed_afas log {settings.tenant} --flow stock). Later runs try "
            "them again; fix the cause in the shop."
        )
    return summary
