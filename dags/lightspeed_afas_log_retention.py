"""The daily log-retention and reconciliation DAG (the logic is in lightspeed_afas.retention_dag)."""

from airflow.sdk import DAG

from lightspeed_afas.retention_dag import build

dag: DAG = build()
