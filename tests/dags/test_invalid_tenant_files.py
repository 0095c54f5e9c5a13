"""An invalid tenant file never breaks the other tenants, and shows up as an import error naming it.

Checked three ways: the DagBag, the dag-processor's own parse function, and what the processor stores
in the metadata DB (and when it clears it again).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import structlog
from airflow.dag_processing.dagbag import DagBag
from airflow.dag_processing.manager import DagFileProcessorManager
from airflow.dag_processing.processor import DagFileParseRequest, _parse_file
from airflow.models.dag import DagModel
from airflow.models.dagbundle import DagBundleModel
from airflow.models.errors import ParseImportError
from airflow.utils.session import create_session
from sqlalchemy import delete, select

from lightspeed_afas.config import clear_cache
from lightspeed_afas.orchestration.tenant_file_errors import report_invalid_files

DAGS = Path(__file__).resolve().parents[2] / "dags"
DAG_FILE = "lightspeed_afas_tenants.py"
BROKEN = "include/tenants/broken.yaml"


@pytest.fixture
def tenants(include):
    include.tenant("acme")
    include.tenant("broken", drop=("afas.items.shipping",))
    include.write("typo.yaml", "tenant: typo\nname: [Typo shop\n")
    return include


def test_dagbag_loads_the_valid_tenants_and_names_each_broken_file(tenants):
    clear_cache()
    bag = DagBag(dag_folder=str(DAGS))
    assert sorted(bag.dag_ids) == [
        "lightspeed_afas_acme",
        "lightspeed_afas_acme__articles",  # the tenants copy the demo tenant: its flows are on
        "lightspeed_afas_acme__credit_notes",
        "lightspeed_afas_acme__customers",
        "lightspeed_afas_acme__stock",
        "lightspeed_afas_demo",
        "lightspeed_afas_demo__articles",
        "lightspeed_afas_demo__credit_notes",
        "lightspeed_afas_demo__customers",
        "lightspeed_afas_demo__stock",
        "lightspeed_afas_log_retention",
    ]
    assert sorted(bag.import_errors) == [BROKEN, "include/tenants/typo.yaml"]
    assert bag.import_errors[BROKEN].splitlines()[0] == f"{BROKEN}: afas.items.shipping: field required"
    assert "python -m lightspeed_afas validate include/tenants/broken.yaml" in bag.import_errors[BROKEN]
    assert bag.import_errors["include/tenants/typo.yaml"].startswith(
        "include/tenants/typo.yaml:3: YAML syntax error:"
    )


def test_outside_an_airflow_import_the_errors_become_warnings(tenants):
    from lightspeed_afas.config import load_tenants
    from lightspeed_afas.orchestration.tenant_file_errors import TenantFileWarning

    with pytest.warns(TenantFileWarning, match="afas.items.shipping: field required"):
        assert report_invalid_files(load_tenants().errors) == 0


def parse(bundle: str) -> object:
    clear_cache()
    request = DagFileParseRequest(
        file=str(DAGS / DAG_FILE), bundle_path=DAGS, bundle_name=bundle, callback_requests=[]
    )
    return _parse_file(request, structlog.get_logger())


def persist(bundle: str, result: object) -> None:
    with create_session() as session:
        DagFileProcessorManager.persist_parsing_result(
            DagFileProcessorManager(max_runs=1),
            bundle_name=bundle,
            bundle_version=None,
            version_data=None,
            parsing_result=result,
            run_duration=0.1,
            relative_fileloc=DAG_FILE,
            session=session,
        )


def stored_errors(bundle: str) -> dict[str, str]:
    with create_session() as session:
        rows = session.scalars(select(ParseImportError).where(ParseImportError.bundle_name == bundle))
        return {row.filename: row.stacktrace for row in rows}


def stored_dags(bundle: str) -> dict[str, tuple[bool, bool]]:
    with create_session() as session:
        rows = session.scalars(select(DagModel).where(DagModel.bundle_name == bundle))
        return {row.dag_id: (row.is_stale, row.has_import_errors) for row in rows}


def test_dag_processor_stores_the_error_per_file_and_keeps_the_others_active(airflow_db, tenants):
    bundle = "tenant-errors-test"
    with create_session() as session:
        session.execute(delete(ParseImportError).where(ParseImportError.bundle_name == bundle))
        session.merge(DagBundleModel(name=bundle))

    result = parse(bundle)
    assert sorted(d.dag_id for d in result.serialized_dags) == [
        "lightspeed_afas_acme",
        "lightspeed_afas_acme__articles",
        "lightspeed_afas_acme__credit_notes",
        "lightspeed_afas_acme__customers",
        "lightspeed_afas_acme__stock",
        "lightspeed_afas_demo",
        "lightspeed_afas_demo__articles",
        "lightspeed_afas_demo__credit_notes",
        "lightspeed_afas_demo__customers",
        "lightspeed_afas_demo__stock",
    ]
    assert sorted(result.import_errors) == [BROKEN, "include/tenants/typo.yaml"]
    persist(bundle, result)
    errors = stored_errors(bundle)
    assert sorted(errors) == [BROKEN, "include/tenants/typo.yaml"]
    assert errors[BROKEN].startswith(f"{BROKEN}: afas.items.shipping: field required")
    # The valid tenants' DAGs are neither stale nor flagged: the error is not keyed by the DAG file.
    assert stored_dags(bundle) == {
        "lightspeed_afas_acme": (False, False),
        "lightspeed_afas_acme__articles": (False, False),
        "lightspeed_afas_acme__credit_notes": (False, False),
        "lightspeed_afas_acme__customers": (False, False),
        "lightspeed_afas_acme__stock": (False, False),
        "lightspeed_afas_demo": (False, False),
        "lightspeed_afas_demo__articles": (False, False),
        "lightspeed_afas_demo__credit_notes": (False, False),
        "lightspeed_afas_demo__customers": (False, False),
        "lightspeed_afas_demo__stock": (False, False),
    }

    # Fixed: the DAG appears at the next parse; the stored error stays until the processor's bundle
    # refresh clears errors of paths that are not DAG files.
    tenants.tenant("broken")
    (tenants.tenants / "typo.yaml").unlink()
    fixed = parse(bundle)
    assert fixed.import_errors == {}
    persist(bundle, fixed)
    assert set(stored_dags(bundle)) == {
        "lightspeed_afas_acme",
        "lightspeed_afas_acme__articles",
        "lightspeed_afas_acme__credit_notes",
        "lightspeed_afas_acme__customers",
        "lightspeed_afas_acme__stock",
        "lightspeed_afas_broken",
        "lightspeed_afas_broken__articles",
        "lightspeed_afas_broken__credit_notes",
        "lightspeed_afas_broken__customers",
        "lightspeed_afas_broken__stock",
        "lightspeed_afas_demo",
        "lightspeed_afas_demo__articles",
        "lightspeed_afas_demo__credit_notes",
        "lightspeed_afas_demo__customers",
        "lightspeed_afas_demo__stock",
    }
    assert sorted(stored_errors(bundle)) == [BROKEN, "include/tenants/typo.yaml"]
    DagFileProcessorManager(max_runs=1).clear_orphaned_import_errors(bundle, {DAG_FILE})
    assert stored_errors(bundle) == {}


def test_why_not_key_the_error_by_the_dag_file(airflow_db, include):
    # The alternative design, reporting invalid tenants as the DAG file's own import error, makes the
    # processor mark every DAG of that file stale: all tenants would stop.
    bundle = "tenant-errors-control"
    with create_session() as session:
        session.merge(DagBundleModel(name=bundle))
    include.tenant("acme")
    result = parse(bundle)
    result.import_errors = {DAG_FILE: "some tenant file is invalid"}
    persist(bundle, result)
    assert stored_dags(bundle) == {
        "lightspeed_afas_acme": (True, True),
        "lightspeed_afas_acme__articles": (True, True),
        "lightspeed_afas_acme__credit_notes": (True, True),
        "lightspeed_afas_acme__customers": (True, True),
        "lightspeed_afas_acme__stock": (True, True),
        "lightspeed_afas_demo": (True, True),
        "lightspeed_afas_demo__articles": (True, True),
        "lightspeed_afas_demo__credit_notes": (True, True),
        "lightspeed_afas_demo__customers": (True, True),
        "lightspeed_afas_demo__stock": (True, True),
    }
