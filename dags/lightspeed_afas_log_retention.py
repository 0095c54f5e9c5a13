"""The daily log-retention and reconciliation DAG (the logic is in lightspeed_afas.retention_dag)."""

from lightspeed_afas.retention_dag import build

dag = build()
