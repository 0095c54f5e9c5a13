"""The project installs as an Airflow provider and Airflow runs against the test harness."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO, TEST_ENV


def test_package_is_discovered_as_an_airflow_provider():
    from airflow.providers_manager import ProvidersManager

    providers = ProvidersManager().providers
    assert "lightspeed-afas" in providers
    assert providers["lightspeed-afas"].data["name"] == "Lightspeed eCom to AFAS Profit"


def test_metadata_db_is_migrated_and_uses_the_throwaway_home(airflow_db):
    import sqlalchemy

    assert str(airflow_db).startswith(TEST_ENV["AIRFLOW_HOME"])
    engine = sqlalchemy.create_engine(f"sqlite:///{airflow_db}")
    with engine.connect() as conn:
        revision = conn.execute(sqlalchemy.text("select version_num from alembic_version")).scalar_one()
        tables = set(sqlalchemy.inspect(conn).get_table_names())
    engine.dispose()
    assert revision
    assert {"dag", "dag_run", "task_instance", "connection", "xcom"} <= tables


def test_airflow_cli_sees_the_project_configuration(airflow_db):
    airflow_bin = Path(sys.executable).parent / "airflow"
    out = subprocess.run(
        [str(airflow_bin), "config", "get-value", "core", "dags_folder"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert out.stdout.strip().splitlines()[-1] == str(REPO / "dags")
