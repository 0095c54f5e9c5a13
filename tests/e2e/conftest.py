"""End to end: the tenant DAG run with ``dag.test()`` against both emulators over real HTTP."""

from __future__ import annotations

import contextlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from emulators.afas import DEMO_TOKEN_DATA, AfasConfig
from emulators.afas import create_app as create_afas
from emulators.demo_catalogue import tenant_file
from emulators.lightspeed import DEMO_API_KEY, DEMO_API_SECRET, LightspeedConfig
from emulators.lightspeed import create_app as create_lightspeed
from emulators.server import RunningServer, admin_call, serve_in_thread
from lightspeed_afas.domain import retry_policy
from lightspeed_afas.ledger import Ledger
from tests.conftest import REPO
from tests.support.fake_clock import FakeClock

TENANT = tenant_file("shop", "Testwinkel", "ls_shop", "afas_shop")


@dataclass
class SyncEnv:
    lightspeed: RunningServer
    afas: RunningServer
    include: Path
    ledger_path: Path
    clock: FakeClock  # the pipeline's clock: it stands still between runs unless a test advances it

    # -- driving ----------------------------------------------------------------------------------

    def tenant(self, **changes: Any) -> None:
        data = json.loads(json.dumps(TENANT))
        for key, value in changes.items():
            if isinstance(value, dict) and isinstance(data.get(key), dict):
                data[key].update(value)
            else:
                data[key] = value
        (self.include / "tenants" / "shop.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")

    def run(self, *, logical_date: Any = None, flow: str = "orders", **params: Any) -> Any:
        """One DAG run of the tenant's ``flow`` (``params`` as a manual trigger would pass them;
        ``logical_date`` gives the run that interval's data interval)."""
        from airflow.dag_processing.dagbag import DagBag

        bag = DagBag(dag_folder=str(REPO / "dags"))
        assert not bag.import_errors, bag.import_errors
        dag = bag.dags["lightspeed_afas_shop" + ("" if flow == "orders" else f"__{flow}")]
        for task in dag.tasks:
            task.retries = (
                0  # a failing task fails the run now, instead of dag.test() waiting out retry delays
            )
        if logical_date is not None:
            return dag.test(run_conf=params or None, logical_date=logical_date)
        return dag.test(run_conf=params or None)

    def summary(self, run: Any, task_id: str = "load_to_afas") -> dict[str, Any]:
        """The run summary ``load_to_afas`` (or another last task) returned (its XCom; the tenant needs
        ``detail_logging``, else the run's teardown purged the staged file) — or, for a run that ended in
        its first step (nothing to do: the later tasks skipped), the summary that step's XCom holds."""
        from airflow.models.xcom import XComModel
        from airflow.providers.common.io.xcom.backend import XComObjectStorageBackend
        from airflow.utils.session import create_session

        from lightspeed_afas.orchestration.idle import RUN_SUMMARY

        with create_session() as session:
            rows = {
                row.task_id: row.value
                for row in session.query(XComModel).filter_by(
                    dag_id=run.dag_id, run_id=run.run_id, key="return_value", map_index=-1
                )
            }
        values = {
            task: XComObjectStorageBackend.deserialize_value(type("R", (), {"value": value})())
            for task, value in rows.items()
        }
        if task_id in values:
            return values[task_id]
        (ended,) = [v[RUN_SUMMARY] for v in values.values() if isinstance(v, dict) and RUN_SUMMARY in v]
        return ended

    @property
    def ledger(self) -> Ledger:
        return Ledger(f"sqlite:///{self.ledger_path}")

    # -- looking ----------------------------------------------------------------------------------

    def afas_state(self) -> dict[str, Any]:
        return requests.get(f"{self.afas.url}/_admin/state", timeout=10).json()

    def afas_orders_by_reference(self) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = {}
        for order in self.afas_state()["orders"]:
            out.setdefault(order["fields"]["RfCs"], []).append(order)
        return out

    def calls(self) -> tuple[dict[str, Any], dict[str, Any]]:
        return (
            requests.get(f"{self.lightspeed.url}/_admin/calls", timeout=10).json(),
            requests.get(f"{self.afas.url}/_admin/calls", timeout=10).json(),
        )

    def reset_calls(self) -> None:
        requests.post(f"{self.lightspeed.url}/_admin/calls/reset", timeout=10).raise_for_status()
        requests.post(f"{self.afas.url}/_admin/calls/reset", timeout=10).raise_for_status()

    def shop_admin(self, method: str, path: str, body: Any = None) -> Any:
        return admin_call(self.lightspeed.url, method, path, body, timeout=10)

    def afas_admin(self, method: str, path: str, body: Any = None) -> Any:
        return admin_call(self.afas.url, method, path, body, timeout=10)


@pytest.fixture
def sync_env(airflow_db, tmp_path, monkeypatch):
    include = tmp_path / "include"
    (include / "tenants").mkdir(parents=True)
    shutil.copytree(REPO / "include" / "mappings", include / "mappings")
    with contextlib.ExitStack() as stack:
        shop = stack.enter_context(serve_in_thread(create_lightspeed(LightspeedConfig(orders=24))))
        afas = stack.enter_context(serve_in_thread(create_afas(AfasConfig())))
        monkeypatch.setenv("LIGHTSPEED_AFAS_INCLUDE_DIR", str(include))
        monkeypatch.setenv(
            "AIRFLOW_CONN_LS_SHOP",
            json.dumps(
                {
                    "conn_type": "lightspeed_ecom",
                    "host": shop.url,
                    "login": DEMO_API_KEY,
                    "password": DEMO_API_SECRET,
                    "extra": {"language": "nl"},
                }
            ),
        )
        monkeypatch.setenv(
            "AIRFLOW_CONN_AFAS_SHOP",
            json.dumps(
                {
                    "conn_type": "afas_profit",
                    "host": f"{afas.url}/ProfitRestServices",
                    "password": DEMO_TOKEN_DATA,
                }
            ),
        )
        ledger_path = tmp_path / "ledger.db"
        monkeypatch.setenv(
            "AIRFLOW_CONN_LIGHTSPEED_AFAS_LEDGER",
            json.dumps({"conn_type": "sqlite", "host": str(ledger_path)}),
        )
        clock = FakeClock()
        monkeypatch.setattr(retry_policy, "utc_now", clock)
        env = SyncEnv(shop, afas, include, ledger_path, clock)
        env.tenant()
        yield env
        # Staged files a detail-logging tenant keeps are this test's; later tests scan the folder.
        from lightspeed_afas.ops.staging import staging_root

        for dag_id in ("lightspeed_afas_shop", "lightspeed_afas_shop__stock"):
            shutil.rmtree(Path(staging_root().path) / dag_id, ignore_errors=True)
