"""The articles DAG: one per tenant with an ``articles:`` block, its tasks, pools, priorities and form."""

from __future__ import annotations

import copy
from pathlib import Path

import yaml
from airflow.dag_processing.dagbag import DagBag
from airflow.sdk import CronDataIntervalTimetable

from lightspeed_afas.config import clear_cache
from lightspeed_afas.domain.vocabulary import ARTICLE_STEPS
from lightspeed_afas.orchestration.dag_factory import ORDERS_PRIORITY
from lightspeed_afas.orchestration.dag_parts import FLOW_PRIORITY, TEARDOWN

DAGS = Path(__file__).resolve().parents[2] / "dags"


def dagbag() -> DagBag:
    clear_cache()
    return DagBag(dag_folder=str(DAGS))


def test_a_tenant_without_an_articles_block_has_no_articles_dag(include):
    data = copy.deepcopy(include.demo)
    data["tenant"] = "plain"
    data.pop("articles", None)
    include.write("plain.yaml", yaml.safe_dump(data, sort_keys=False))
    bag = dagbag()
    assert bag.import_errors == {}
    assert "lightspeed_afas_plain" in bag.dag_ids and "lightspeed_afas_plain__articles" not in bag.dag_ids


def test_the_articles_dag_has_its_three_steps_in_the_pools_with_orders_first(include):
    include.tenant(
        "acme",
        {
            "lightspeed.conn_id": "ls_acme",
            "articles": {"schedule": "7 * * * *", "prices": {"source": "price_list", "debtor": "10001"}},
        },
    )
    bag = dagbag()
    assert bag.import_errors == {}
    dag = bag.dags["lightspeed_afas_acme__articles"]
    assert [t.task_id for t in dag.topological_sort()] == [*ARTICLE_STEPS, TEARDOWN]
    assert isinstance(dag.timetable, CronDataIntervalTimetable) and dag.timetable.expression == "7 * * * *"
    assert dag.catchup is False and dag.max_active_runs == 1
    tasks = {t.task_id: t for t in dag.tasks}
    assert tasks["read_afas_articles"].pool == "afas_demo"
    assert tasks["plan_articles"].pool == tasks["push_articles"].pool == "lightspeed_ls_acme"
    assert all(tasks[s].priority_weight == FLOW_PRIORITY < ORDERS_PRIORITY for s in ARTICLE_STEPS)
    assert tasks[TEARDOWN].is_teardown
    assert set(dag.params) == {"dry_run", "full_comparison"}
    assert "Profit_SalesPrice of debtor 10001" in dag.doc_md and "40%" in dag.doc_md


def test_a_bad_articles_block_is_an_import_error_naming_the_key(include):
    include.tenant("acme", {"articles": {"prices": {"source": "price_list"}}})
    bag = dagbag()
    (message,) = bag.import_errors.values()
    assert "prices.debtor" in message
