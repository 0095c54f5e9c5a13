"""The Airflow glue: DAG factories, run requests, staged data, the task entry point."""
