"""One Airflow DAG per tenant file in include/tenants/ (the logic is in lightspeed_afas.orchestration.dag_factory)."""

from airflow.sdk import get_parsing_context

from lightspeed_afas.orchestration.dag_factory import tenant_dags

# When a task starts, get_parsing_context().dag_id names its DAG and only that DAG is built.
globals().update(tenant_dags(get_parsing_context().dag_id))
