"""The customers and credit-notes DAGs: one per tenant with the block, their tasks, pools, priorities,
params, and the run request their form makes."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from airflow.dag_processing.dagbag import DagBag

from lightspeed_afas.config import clear_cache, load_tenant_file
from lightspeed_afas.domain.vocabulary import CREDIT_NOTE_STEPS, CUSTOMER_STEPS
from lightspeed_afas.flows.request import RunMode
from lightspeed_afas.orchestration.dag_factory import ORDERS_PRIORITY
from lightspeed_afas.orchestration.dag_parts import FLOW_PRIORITY, TEARDOWN
from lightspeed_afas.orchestration.run_request import InvalidRunParamsError, record_request

DAGS = Path(__file__).resolve().parents[2] / "dags"


def dagbag() -> DagBag:
    clear_cache()
    return DagBag(dag_folder=str(DAGS))


def test_a_tenant_without_the_blocks_has_neither_dag(include):
    data = copy.deepcopy(include.demo)
    data["tenant"] = "plain"
    data.pop("customers", None)
    data.pop("credit_notes", None)
    include.write("plain.yaml", yaml.safe_dump(data, sort_keys=False))
    bag = dagbag()
    assert bag.import_errors == {}
    assert not {"lightspeed_afas_plain__customers", "lightspeed_afas_plain__credit_notes"} & set(bag.dag_ids)


def test_both_dags_have_their_steps_in_the_pools_with_orders_first(include):
    include.tenant(
        "acme",
        {
            "lightspeed.conn_id": "ls_acme",
            "customers": {"schedule": "*/5 * * * *"},
            "credit_notes": {"credit_marking": "negative_lines_with_cror"},
        },
    )
    bag = dagbag()
    assert bag.import_errors == {}
    customers = bag.dags["lightspeed_afas_acme__customers"]
    assert [t.task_id for t in customers.topological_sort()] == [*CUSTOMER_STEPS, TEARDOWN]
    assert customers.timetable.expression == "*/5 * * * *" and customers.max_active_runs == 1
    credits = bag.dags["lightspeed_afas_acme__credit_notes"]
    assert [t.task_id for t in credits.topological_sort()] == [*CREDIT_NOTE_STEPS, TEARDOWN]
    for dag, first in ((customers, "extract_customers"), (credits, "extract_credit_notes")):
        tasks = {t.task_id: t for t in dag.tasks}
        assert tasks[first].pool == "lightspeed_ls_acme"
        assert all(t.pool == "afas_demo" for name, t in tasks.items() if name not in (first, TEARDOWN))
        assert all(
            t.priority_weight == FLOW_PRIORITY < ORDERS_PRIORITY for n, t in tasks.items() if n != TEARDOWN
        )
        assert tasks[first].op_kwargs["flow"] == dag.dag_id.split("__")[1]
        assert tasks[TEARDOWN].is_teardown
        assert set(dag.params) == {"since", "until", "dry_run"}
    assert "negative_lines_with_cror" in credits.doc_md and "new only" in customers.doc_md


def context(**params):
    run = type(
        "Run",
        (),
        {"run_id": "manual__1", "run_type": "manual", "run_after": datetime(2026, 12, 1, tzinfo=UTC)},
    )
    return {"params": params, "dag_run": run(), "run_id": "manual__1"}


def test_the_form_makes_a_range_request_and_refuses_order_numbers(include):
    cfg = load_tenant_file(include.tenant("acme", {"customers": {}})).config
    request = record_request(context(since="2026-11-01T00:00:00+01:00", dry_run=True), cfg, "*/15 * * * *")
    assert request.mode == RunMode.RANGE and request.dry_run
    assert request.window_start == datetime(2026, 10, 31, 23, 0, tzinfo=UTC)
    with pytest.raises(InvalidRunParamsError, match="orders DAG"):
        record_request(context(order_numbers=["ORD1"]), cfg, "*/15 * * * *")
    manual = record_request(context(), cfg, "0 * * * *")  # no interval: the last whole hour
    assert manual.mode == RunMode.SCHEDULED and manual.window_end == datetime(2026, 12, 1, tzinfo=UTC)
