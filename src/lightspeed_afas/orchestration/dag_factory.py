"""The DAGs of each tenant file: ``lightspeed_afas_<tenant>`` with extract_orders → resolve_relations →
transform → load_to_afas (and a teardown that removes the run's staged order data), and one DAG per
other flow whose block the file has (``lightspeed_afas_<tenant>__stock``: ``orchestration.stock_dag``;
``lightspeed_afas_<tenant>__articles``: ``orchestration.articles_dag``; ``__customers`` and
``__credit_notes``: ``orchestration.record_dags``).

**Intervals and catch-up.** Every run has a real data interval: the schedule is a
``CronDataIntervalTimetable`` (in Airflow 3.3 a bare cron string gives runs whose interval starts and
ends at the same moment, which would quietly extract nothing). ``catchup=False``: the pipeline keeps a
per-tenant watermark in its own ledger, and a scheduled run extracts from that watermark (minus the
overlap) to the end of its interval. So the first run after downtime — a paused DAG, a stopped
scheduler — covers every missed window in one run instead of queueing one run per missed quarter-hour,
and no window is ever skipped. Explicit historical ranges are loaded with ``airflow backfill create``
(one run per interval) or with one manual run with ``since``/``until``.

**Parsing.** Deterministic and offline: tenants sorted, no clock, no lambdas, no network, no Airflow
Variables; when a task starts only its own tenant's DAG is built (``get_parsing_context``). The task
callables import the pipeline inside the task.

**Invalid tenant files** never stop the other tenants' DAGs: each is an import error of its own, keyed
by the YAML path (``orchestration.tenant_file_errors``).

The DAG page is ``orchestration.dag_docs``, the trigger form ``orchestration.trigger_params``, the task
callables ``orchestration.entry``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG, CronDataIntervalTimetable

from lightspeed_afas.config import LoadedTenant, TenantConfig, TenantLoadResult, load_tenants
from lightspeed_afas.config.dag_ids import flow_dag_id, tenant_of_dag
from lightspeed_afas.orchestration.articles_dag import articles_dag
from lightspeed_afas.orchestration.dag_docs import doc_md
from lightspeed_afas.orchestration.dag_parts import teardown_task
from lightspeed_afas.orchestration.deferrable import StepOperator
from lightspeed_afas.orchestration.entry import STEPS, run_step
from lightspeed_afas.orchestration.record_dags import credit_notes_dag, customers_dag
from lightspeed_afas.orchestration.stock_dag import stock_dag
from lightspeed_afas.orchestration.tenant_file_errors import report_invalid_files
from lightspeed_afas.orchestration.trigger_params import trigger_params

__all__ = ["STEPS", "build_dags", "tenant_dag", "tenant_dags"]

AFAS_STEPS = ("resolve_relations", "load_to_afas")  # the steps that call AFAS run in its pool
# Orders first: when worker slots are scarce the scheduler starts these before the other flows' (1).
ORDERS_PRIORITY = 10
TAG = "lightspeed-afas"
DAGRUN_TIMEOUT = timedelta(hours=4)  # a scheduled run takes minutes; a long range load may take hours
RETRIES = {
    "retries": 3,
    "retry_delay": timedelta(minutes=1),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=15),
}


def notification_callbacks(cfg: TenantConfig) -> dict[str, Any]:
    """load_to_afas's callbacks: notify new problems when the run's load ends (tenants with notifications)."""
    if not cfg.notifications.enabled:
        return {}
    from lightspeed_afas.ops.notify import LightspeedAfasNotifier

    notifier = LightspeedAfasNotifier(cfg.tenant)
    return {"on_success_callback": notifier, "on_failure_callback": notifier}


def _step_task(cfg: TenantConfig, step: str) -> PythonOperator:
    extra: dict[str, Any] = {}
    if step in AFAS_STEPS:
        extra = {"pool": cfg.afas.pool, "pool_slots": cfg.afas.pool_slots}
    if step == "load_to_afas":
        extra.update(notification_callbacks(cfg))
    return StepOperator(  # a PythonOperator whose long waits defer to the triggerer
        task_id=step,
        python_callable=run_step,
        op_kwargs={"step": step, "tenant_id": cfg.tenant},
        # The return value is the step's XCom (order data); the task log gets a summary instead.
        show_return_value_in_logs=False,
        priority_weight=ORDERS_PRIORITY,
        weight_rule="absolute",
        **extra,
    )


def tenant_dag(tenant: LoadedTenant) -> DAG:
    """The DAG for one valid tenant."""
    cfg = tenant.config
    dag = DAG(
        dag_id=cfg.dag_id,
        description=f"{cfg.name}: Lightspeed eCom → AFAS Profit",
        schedule=CronDataIntervalTimetable(cfg.schedule, timezone=cfg.timezone),
        start_date=cfg.start_date,
        catchup=False,
        max_active_runs=1,
        dagrun_timeout=DAGRUN_TIMEOUT,
        tags=[TAG, cfg.tenant],
        doc_md=doc_md(tenant),
        default_args={"owner": cfg.owner, **RETRIES},
    )
    with dag:
        steps = [_step_task(cfg, step) for step in STEPS]
        for upstream, downstream in zip(steps, steps[1:], strict=False):
            upstream >> downstream
        purge = teardown_task(cfg.tenant)
        steps[-1] >> purge
        purge.as_teardown(setups=steps[0])
    # The params are added after the tasks exist, and without re-validating their constant defaults
    # (tests/dags checks them): every operator deep-copies the DAG's params when it is created, and
    # validating each default runs jsonschema — together most of the parse time with many tenants.
    # Tasks need no copy: a run's params are the DAG's, then the task's own (none here), then the conf.
    dag.params.update(trigger_params())
    return dag


FLOW_DAGS = {
    "orders": tenant_dag,
    "stock": stock_dag,
    "articles": articles_dag,
    "customers": customers_dag,
    "credit_notes": credit_notes_dag,
}


def build_dags(result: TenantLoadResult, only_dag_id: str | None = None) -> dict[str, DAG]:
    """DAGs of the valid, enabled tenants by DAG id (sorted); only ``only_dag_id`` when a task starts."""
    dags: dict[str, DAG] = {}
    for tenant in result.tenants:
        if not tenant.config.enabled:
            continue
        for flow in tenant.config.flows():
            dag_id = flow_dag_id(tenant.tenant, flow)
            if only_dag_id is None or only_dag_id == dag_id:
                dags[dag_id] = FLOW_DAGS[flow](tenant)
    return dags


def tenant_dags(only_dag_id: str | None = None) -> dict[str, DAG]:
    """Everything the DAG file needs: load the tenant files, report the invalid ones, build the DAGs."""
    if only_dag_id is not None:
        # A task is starting: read only its tenant's file.
        tenant_id = tenant_of_dag(only_dag_id)
        return build_dags(load_tenants(only=tenant_id), only_dag_id) if tenant_id else {}
    result = load_tenants()
    report_invalid_files(result.errors)
    return build_dags(result)
