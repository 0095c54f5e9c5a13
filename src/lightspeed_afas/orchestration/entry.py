"""The task callables of a tenant's orders DAG: the one way from an Airflow task to its step.

``run_step`` is the ``python_callable`` of the four steps (``dag_factory`` wires it; it is imported at
parse time, so everything heavy is imported inside). It loads the tenant, resolves the run request, pulls
the earlier steps' outputs and hands them to ``task.execute``, which opens the step's session (hooks,
ledger, run row) and calls the step in ``flows.orders`` (one module per step, typed results between
them, XCom JSON at the edges). ``purge_staged_data`` is the teardown. A first step that finds nothing
to do ends the run and skips the later tasks (``orchestration.idle``).
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from lightspeed_afas.domain.vocabulary import ORDER_STEPS
from lightspeed_afas.orchestration.idle import end_run_here, ended_here
from lightspeed_afas.orchestration.task_failures import ExpectedTaskFailure

log = logging.getLogger(__name__)

STEPS = ORDER_STEPS  # the task ids, in order
PREVIOUS = {step: STEPS[:i] for i, step in enumerate(STEPS)}  # the steps whose outputs a step reads


def run_step(step: str, tenant_id: str, **context: Any) -> Any:
    """Task callable: run one step for one tenant; returns the step's XCom value.

    An expected failure (orders AFAS refused, contradicting params) leaves without the pipeline's frames:
    its one-line message says what failed and what to do, and Airflow logs every failure's traceback.
    A first step with nothing to book skips the later tasks (``orchestration.idle``).
    """
    try:
        value = execute_in_task(step, tenant_id, context)
    except ExpectedTaskFailure as failure:
        raise failure.with_traceback(None) from None
    if step == STEPS[0] and ended_here(value):
        notify_at_the_end(tenant_id, context)
        end_run_here(context, value, STEPS)
    return value


def notify_at_the_end(tenant_id: str, context: dict[str, Any]) -> None:
    """A run that ends in extract_orders: what load_to_afas's notifier does when a run ends, for tenants
    with notifications — an idle run finds no new problem, but sends what an earlier run could not (a
    channel that was down): "the next run tries again" holds for idle runs too."""
    from lightspeed_afas.config import load_tenant

    if not load_tenant(tenant_id).notifications.enabled:
        return
    from lightspeed_afas.ops.notify import LightspeedAfasNotifier

    try:
        LightspeedAfasNotifier(tenant_id).notify(context)
    except Exception:  # as a callback's: a notification problem never fails the run
        log.exception("Notifying the tenant's open problems failed; the next run tries again.")


def execute_in_task(step: str, tenant_id: str, context: dict[str, Any]) -> dict[str, Any]:
    """The body of ``run_step``: the tenant's settings, the run request and the upstream outputs."""
    from lightspeed_afas.config import load_mapping, load_tenant
    from lightspeed_afas.flows.orders.tenant_settings import sync_settings
    from lightspeed_afas.ledger import Ledger
    from lightspeed_afas.orchestration.run_request import resolve_run_request
    from lightspeed_afas.orchestration.task import execute

    if step not in PREVIOUS:
        raise ValueError(f"unknown step {step!r}")
    tenant = load_tenant(tenant_id)
    settings = sync_settings(tenant, load_mapping(tenant.mapping, tenant.mapping_overrides))
    request = resolve_run_request(context)
    upstream = pull_upstream(context, step, PREVIOUS[step])
    log.info(
        "Tenant %s, run %s: %s (mode %s%s)",
        tenant_id,
        request.run_id,
        step,
        request.mode,
        ", dry run" if request.dry_run else "",
    )
    return execute(step, settings, request, Ledger.from_airflow(), upstream)


def pull_upstream(context: dict[str, Any], step: str, previous: tuple[str, ...]) -> dict[str, Any]:
    """The XCom values of the steps before ``step``, by task id; all of them must be there, unless the
    run ended in one of them (a skipped task cleared and run: it finds the run summary there)."""
    ti = context["ti"]
    upstream: dict[str, Any] = {}
    for name in previous:
        upstream[name] = ti.xcom_pull(task_ids=name)
        if ended_here(upstream[name]):
            return upstream
    missing = [name for name, value in upstream.items() if value is None]
    if missing:
        raise RuntimeError(f"{step} has no output from {', '.join(missing)}; re-run the whole DAG run")
    return upstream


def run_flow_step(step: str, tenant_id: str, flow: str, **context: Any) -> Any:
    """Task callable of every flow beside orders (``orchestration.stock_dag``, ``articles_dag``,
    ``record_dags``): the flow's settings and run request, the upstream outputs, then its executor."""
    from lightspeed_afas.config import load_tenant
    from lightspeed_afas.ledger import Ledger

    try:
        steps, settings, request, execute = _flow_parts(flow, load_tenant(tenant_id), context)
        previous = steps[: steps.index(step)] if step in steps else ()
        upstream = pull_upstream(context, step, previous)
        log.info(
            "Tenant %s, %s run %s: %s (%s%s%s)",
            tenant_id,
            flow.replace("_", " "),
            request.run_id,
            step,
            request.mode,
            ", dry run" if request.dry_run else "",
            ", full comparison asked" if getattr(request, "full_comparison", False) else "",
        )
        value = execute(step, settings, request, Ledger.from_airflow(), upstream)
    except ExpectedTaskFailure as failure:
        raise failure.with_traceback(None) from None
    if step == steps[0] and ended_here(value):
        end_run_here(context, value, steps)
    return value


def _flow_parts(flow: str, tenant: Any, context: dict[str, Any]) -> tuple[tuple[str, ...], Any, Any, Any]:
    """(steps, settings, request, executor) of one run of ``flow``."""
    from lightspeed_afas.orchestration import run_request

    if flow == "stock":
        from lightspeed_afas.flows.stock import stock_settings
        from lightspeed_afas.orchestration.stock_task import STOCK_STEPS, execute_stock

        return STOCK_STEPS, stock_settings(tenant), run_request.stock_request(context), execute_stock
    if flow == "articles":
        from lightspeed_afas.flows.articles import article_settings
        from lightspeed_afas.orchestration.articles_task import ARTICLE_STEPS, execute_articles

        return ARTICLE_STEPS, article_settings(tenant), run_request.article_request(context), execute_articles
    from lightspeed_afas.config import load_mapping
    from lightspeed_afas.flows.credit_notes import credit_note_settings
    from lightspeed_afas.flows.customers import customer_settings
    from lightspeed_afas.orchestration.record_task import STEPS, execute_record_step

    if flow not in STEPS:
        raise ValueError(f"unknown flow {flow!r}")
    mapping = load_mapping(tenant.mapping, tenant.mapping_overrides)
    settings, block = (
        (customer_settings(tenant, mapping), tenant.customers)
        if flow == "customers"
        else (credit_note_settings(tenant, mapping), tenant.credit_notes)
    )
    request = run_request.record_request(context, tenant, block.schedule)
    return STEPS[flow], settings, request, functools.partial(execute_record_step, flow)


def purge_staged_data(tenant_id: str, **context: Any) -> int:
    """Teardown callable: remove the run's staged XCom files, unless the tenant keeps them (detail log)."""
    from lightspeed_afas.config import load_tenant
    from lightspeed_afas.config.dag_ids import flow_of_dag
    from lightspeed_afas.ledger import Ledger
    from lightspeed_afas.ops.staging import purge_run

    tenant = load_tenant(tenant_id)
    dag_run = context["dag_run"]
    ledger = Ledger.from_airflow()
    flow = (flow_of_dag(dag_run.dag_id) or (tenant_id, "orders"))[1]
    if flow == "orders":
        # A run that failed between resolve_relations and load_to_afas still holds the tenant's lease,
        # and its ledger row still says "running".
        ledger.release_lease(tenant.tenant, dag_run.run_id)
        closed = ledger.close_unfinished_run(
            tenant.tenant,
            dag_run.run_id,
            "the run ended before load_to_afas finished; see the failed task's log in Airflow",
        )
    else:
        if flow in ("customers", "credit_notes"):  # they write to AFAS under the tenant's lease too
            ledger.release_lease(tenant.tenant, dag_run.run_id)
        closed = ledger.close_unfinished_flow_run(
            tenant.tenant, flow, dag_run.run_id, "the run ended before its last task finished; see its log"
        )
    if closed:
        last = "load_to_afas" if flow == "orders" else "its last task"
        log.warning("The run ended before %s finished: its ledger row is marked failed.", last)
    if tenant.detail_logging:
        log.info(
            "Detail logging is on: staged data is kept up to %d days (the retention DAG removes it).",
            tenant.detail_log_days,
        )
        return 0
    return purge_run(dag_run.dag_id, dag_run.run_id)
