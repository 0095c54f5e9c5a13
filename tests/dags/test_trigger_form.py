"""The manual-trigger form: a normal run needs no param, so the form marks none as required, and a
trigger without conf (or with the values an untouched form sends) validates as Airflow validates it."""

from __future__ import annotations

from pathlib import Path

import airflow
import pytest
from airflow.serialization.serialized_objects import DagSerialization

from lightspeed_afas.config import load_tenants
from lightspeed_afas.orchestration.dag_factory import build_dags
from lightspeed_afas.orchestration.run_request import MAX_ORDER_NUMBERS
from lightspeed_afas.orchestration.trigger_params import trigger_params

UI_ASSETS = Path(airflow.__file__).parent / "ui" / "dist" / "assets"
# Airflow 3.3.2's trigger form (FieldRow's isRequired, minified in the UI bundle): a param is required
# when its schema has a type and that type is not a list containing "null".
UI_REQUIRED_RULE = "!!e.schema.type&&(!Array.isArray(e.schema.type)||!e.schema.type.includes(`null`))"


def marked_required(schema: dict) -> bool:
    """What the trigger form decides, in Python (``UI_REQUIRED_RULE``)."""
    kind = schema.get("type")
    return bool(kind) and (not isinstance(kind, list) or "null" not in kind)


def test_the_rule_is_the_one_the_installed_ui_applies():
    bundles = [p for p in UI_ASSETS.glob("index-*.js") if UI_REQUIRED_RULE in p.read_text(encoding="utf-8")]
    assert bundles, (
        "Airflow's trigger form no longer decides 'required' as UI_REQUIRED_RULE says: look up the rule "
        "in the installed UI bundle and update marked_required (and orchestration.trigger_params)"
    )


def test_no_trigger_param_is_marked_required():
    required = [name for name, param in trigger_params().items() if marked_required(param.schema)]
    assert required == [], f"the trigger form would mark {required} required; a normal run needs none"


@pytest.fixture
def serialized_dag(airflow_db, include):
    """The tenant DAG as the API server sees it when a run is triggered."""
    include.tenant("formcheck")
    dag = build_dags(load_tenants())["lightspeed_afas_formcheck"]
    return DagSerialization.from_dict(DagSerialization.to_dict(dag))


@pytest.mark.parametrize(
    "conf",
    [
        None,  # the API or CLI without conf
        {},
        {"since": None, "until": None, "order_numbers": None, "dry_run": None},  # a cleared form
        {"order_numbers": ["ORD1001", "ORD1002"], "dry_run": True},
        {"since": "2026-11-01T00:00:00+01:00", "dry_run": False},
    ],
)
def test_a_trigger_validates_with_or_without_params(serialized_dag, conf):
    # What create_dagrun does before it creates the run (a ParamValidationError refuses the trigger).
    values = serialized_dag.params.deep_merge(conf).validate()
    assert set(values) == {"since", "until", "order_numbers", "dry_run"}


def test_the_form_says_how_many_order_numbers_a_run_takes():
    assert f"at most {MAX_ORDER_NUMBERS}" in trigger_params()["order_numbers"].description
