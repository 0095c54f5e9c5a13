"""The product's one dependency on Airflow's internals (``orchestration.airflow_import_errors``): a DAG
file hands the running DAG importer an import error keyed by another path.

Airflow has no supported API for this, so these tests exercise the real importer of the installed
Airflow. When an upgrade breaks one, its message names what moved; fix ``airflow_import_errors`` (and
only it), or find the supported way the new Airflow offers.
"""

from __future__ import annotations

import dataclasses
import importlib
import textwrap
from pathlib import Path

import airflow

from lightspeed_afas.orchestration import airflow_import_errors
from lightspeed_afas.orchestration.airflow_import_errors import ERROR_TYPE, IMPORTER_MODULE

TENANT_FILE = "include/tenants/broken.yaml"
DAG_FILE = textwrap.dedent(
    f"""
    # airflow DAG: the importer's safe mode skips files that do not mention both words
    from lightspeed_afas.orchestration.airflow_import_errors import add_import_errors

    HANDED = add_import_errors({{{TENANT_FILE!r}: "broken: afas.items.shipping: field required"}})
    assert HANDED, "no DagImportResult found on the call stack"
    """
)
CHANGED = f"Airflow {airflow.__version__} changed"


def test_the_importer_module_still_has_the_result_and_error_types():
    module = importlib.import_module(IMPORTER_MODULE)
    for name in ("DagImportResult", "DagImportError", "get_importer_registry"):
        assert hasattr(module, name), (
            f"{CHANGED} {IMPORTER_MODULE}: it has no {name} any more; "
            "lightspeed_afas.orchestration.airflow_import_errors imports it from there"
        )
    fields = {f.name for f in dataclasses.fields(module.DagImportError)}
    assert {"file_path", "message", "error_type"} <= fields, (
        f"{CHANGED} DagImportError's fields (now {sorted(fields)}); add_import_errors builds it with "
        "file_path, message and error_type"
    )
    assert "errors" in {f.name for f in dataclasses.fields(module.DagImportResult)}, (
        f"{CHANGED} DagImportResult: it has no errors list for add_import_errors to append to"
    )


def test_a_dag_file_run_by_the_real_importer_hands_it_an_error_keyed_by_another_path(tmp_path: Path):
    from airflow.dag_processing.importers import get_importer_registry

    dag_file = tmp_path / "hands_an_error.py"
    dag_file.write_text(DAG_FILE, encoding="utf-8")
    importer = get_importer_registry().get_importer(dag_file)
    assert importer is not None, f"{CHANGED} the importer registry: no importer for .py files"
    result = importer.import_file(dag_file, bundle_path=tmp_path, bundle_name="guard")
    handed = [e for e in result.errors if e.file_path == TENANT_FILE]
    assert handed, (
        f"{CHANGED} how {type(importer).__name__}.import_file runs a DAG file: its DagImportResult is "
        "no longer on the call stack while the module runs (errors: "
        f"{[(e.file_path, e.message) for e in result.errors]}). Update "
        "lightspeed_afas.orchestration.airflow_import_errors.active_import_result"
    )
    assert handed[0].error_type == ERROR_TYPE
    assert handed[0].message == "broken: afas.items.shipping: field required"
    assert [e.file_path for e in result.errors] == [TENANT_FILE], "the DAG file itself must import cleanly"


def test_outside_an_import_nothing_is_handed():
    assert airflow_import_errors.active_import_result() is None
    assert airflow_import_errors.add_import_errors({TENANT_FILE: "x"}) is False
