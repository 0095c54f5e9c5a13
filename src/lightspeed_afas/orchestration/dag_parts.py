"""What the DAGs of every flow share: the teardown that closes a run and removes its staged data."""

from __future__ import annotations

from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import TriggerRule

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
