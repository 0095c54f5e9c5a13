"""The daily log-retention and reconciliation DAG (the logic is in lightspeed_afas.orchestration.retention_dag)."""

from airflow.sdk import get_parsing_context

from lightspeed_afas.ops.retention import DAG_ID
from lightspeed_afas.orchestration.retention_dag import build

# When a task of another DAG starts, this file is not needed: build nothing.
if get_parsing_context().dag_id in (None, DAG_ID):
    dag = build()
