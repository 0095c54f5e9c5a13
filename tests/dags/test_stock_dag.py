"""The stock DAG: one per tenant with a ``stock:`` block, its tasks, pools, priorities and trigger form."""

from __future__ import annotations

from pathlib import Path

from airflow.dag_processing.dagbag import DagBag
from airflow.sdk import CronDataIntervalTimetable

from lightspeed_afas.config import clear_cache
from lightspeed_afas.domain.vocabulary import STOCK_STEPS
from lightspeed_afas.orchestration.dag_factory import ORDERS_PRIORITY
from lightspeed_afas.orchestration.dag_parts import TEARDOWN
from lightspeed_afas.orchestration.stock_dag import PRIORITY

DAGS = Path(__file__).resolve().parents[2] / "dags"


def dagbag() -> DagBag:
    clear_cache()
    return DagBag(dag_folder=str(DAGS))


def test_a_tenant_without_a_stock_block_has_no_stock_dag(include):
    include.tenant("plain", drop=("stock",))
    bag = dagbag()
    assert bag.import_errors == {}
    assert "lightspeed_afas_plain" in bag.dag_ids and "lightspeed_afas_plain__stock" not in bag.dag_ids


def test_the_stock_dag_has_its_three_steps_in_the_pools_with_orders_first(include):
    include.tenant("acme", {"lightspeed.conn_id": "ls_acme", "stock.schedule": "5,20,35,50 * * * *"})
    bag = dagbag()
    dag = bag.dags["lightspeed_afas_acme__stock"]
    assert [t.task_id for t in dag.topological_sort()] == [*STOCK_STEPS, TEARDOWN]
    assert isinstance(dag.timetable, CronDataIntervalTimetable)
    assert dag.timetable.expression == "5,20,35,50 * * * *"
    assert dag.catchup is False and dag.max_active_runs == 1
    tasks = {t.task_id: t for t in dag.tasks}
    assert tasks["read_afas_stock"].pool == "afas_demo"
    assert tasks["plan_stock"].pool == tasks["push_stock"].pool == "lightspeed_ls_acme"
    assert all(tasks[s].priority_weight == PRIORITY for s in STOCK_STEPS)
    assert tasks[TEARDOWN].is_teardown
    orders = bag.dags["lightspeed_afas_acme"]
    assert all(t.priority_weight == ORDERS_PRIORITY for t in orders.tasks if t.task_id != "purge_staged_data")
    assert all(t.pool != "lightspeed_ls_acme" for t in orders.tasks)  # orders never queue behind stock
    assert PRIORITY < ORDERS_PRIORITY
    assert set(dag.params) == {"dry_run", "full_comparison", "resume"}
    assert "Profit_Stock_per_Warehouse" in dag.doc_md and "40%" in dag.doc_md


def test_only_the_starting_tasks_dag_is_built(include, monkeypatch):
    from lightspeed_afas.orchestration.dag_factory import tenant_dags

    include.tenant("acme")
    assert list(tenant_dags("lightspeed_afas_acme__stock")) == ["lightspeed_afas_acme__stock"]
    assert list(tenant_dags("lightspeed_afas_acme")) == ["lightspeed_afas_acme"]
    assert tenant_dags("lightspeed_afas_acme__nothing") == {}
