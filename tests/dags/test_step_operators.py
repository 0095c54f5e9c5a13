"""Every step of every flow runs under ``StepOperator`` (its long waits defer to the triggerer); the
teardowns stay plain ``PythonOperator``s. The serialized DAG names the operator, so the scheduler and the
UI show it, and the task ids users rely on are unchanged."""

from __future__ import annotations

from pathlib import Path

from airflow.dag_processing.dagbag import DagBag
from airflow.providers.standard.operators.python import PythonOperator
from airflow.serialization.serialized_objects import DagSerialization

from lightspeed_afas.config import clear_cache
from lightspeed_afas.orchestration.dag_parts import TEARDOWN
from lightspeed_afas.orchestration.deferrable import StepOperator

DAGS = Path(__file__).resolve().parents[2] / "dags"

TASKS = {
    "lightspeed_afas_demo": ["extract_orders", "resolve_relations", "transform", "load_to_afas"],
    "lightspeed_afas_demo__stock": ["read_afas_stock", "plan_stock", "push_stock"],
    "lightspeed_afas_demo__articles": ["read_afas_articles", "plan_articles", "push_articles"],
    "lightspeed_afas_demo__customers": ["extract_customers", "resolve_relations"],
    "lightspeed_afas_demo__credit_notes": ["extract_credit_notes", "transform", "load_to_afas"],
}


def test_every_step_is_a_step_operator_and_every_teardown_a_python_operator(include):
    clear_cache()
    bag = DagBag(dag_folder=str(DAGS))
    assert bag.import_errors == {}
    for dag_id, steps in TASKS.items():
        dag = bag.dags[dag_id]
        assert sorted(dag.task_ids) == sorted([*steps, TEARDOWN]), dag_id
        for step in steps:
            assert type(dag.get_task(step)) is StepOperator, (dag_id, step)
        assert type(dag.get_task(TEARDOWN)) is PythonOperator, dag_id
        serialized = DagSerialization.to_dict(dag)["dag"]["tasks"]
        names = {t["__var"]["task_id"]: t["__var"]["task_type"] for t in serialized}
        assert {names[step] for step in steps} == {"StepOperator"}, dag_id
