"""What the DAGs of every flow share: the teardown that closes a run and removes its staged data."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import TriggerRule

from lightspeed_afas.orchestration.deferrable import StepOperator
from lightspeed_afas.orchestration.entry import purge_staged_data

TEARDOWN = "purge_staged_data"


def teardown_task(tenant_id: str) -> PythonOperator:
    """``purge_staged_data``: runs whatever happened to the steps (set it up with ``as_teardown``)."""
    return PythonOperator(
        task_id=TEARDOWN,
        python_callable=purge_staged_data,
        op_kwargs={"tenant_id": tenant_id},
        trigger_rule=TriggerRule.ALL_DONE,
        retries=0,
        do_xcom_push=False,  # its count would be staged again after the purge; the log says it
    )


# The non-order flows (AFAS → Lightspeed) have priority 1 against the orders' ORDERS_PRIORITY (dag_factory).
FLOW_PRIORITY = 1


def flow_step_task(
    cfg: Any,
    step: str,
    python_callable: Callable[..., Any],
    lightspeed_steps: tuple[str, ...],
    **op_kwargs: Any,
) -> PythonOperator:
    """One step of a non-order flow: in the key's Lightspeed pool when it calls Lightspeed, in the AFAS
    pool otherwise; behind the orders' tasks when worker slots are scarce."""
    pool = cfg.lightspeed.pool if step in lightspeed_steps else cfg.afas.pool
    return StepOperator(  # a PythonOperator whose long waits defer to the triggerer
        task_id=step,
        python_callable=python_callable,
        op_kwargs={"step": step, "tenant_id": cfg.tenant, **op_kwargs},
        show_return_value_in_logs=False,
        priority_weight=FLOW_PRIORITY,
        weight_rule="absolute",
        pool=pool,
        pool_slots=1,
    )


def chain_steps(steps: list[PythonOperator], tenant_id: str) -> None:
    """``a >> b >> c``, and the teardown after the last one, set up by the first one."""
    for upstream, downstream in zip(steps, steps[1:], strict=False):
        upstream >> downstream
    purge = teardown_task(tenant_id)
    steps[-1] >> purge
    purge.as_teardown(setups=steps[0])
