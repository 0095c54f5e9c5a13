"""Order data staged between tasks by Airflow's object-storage XCom backend, and its removal.

With ``[common.io] xcom_objectstorage_threshold = 0`` every XCom value of the sync DAGs is written
under ``xcom_objectstorage_path/<dag_id>/<run_id>/`` and the metadata DB only holds the path. The
teardown removes a run's folder when the run ends (kept for the detail-log period when the tenant has
detail logging on); the retention DAG removes what crashed runs left behind.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

log = logging.getLogger(__name__)

XCOM_BACKEND = "airflow.providers.common.io.xcom.backend.XComObjectStorageBackend"


def staging_root() -> Any | None:
    """The XCom object-storage base path, or None when the backend is not configured."""
    from airflow.sdk import ObjectStoragePath
    from airflow.sdk.configuration import conf

    if conf.get("core", "xcom_backend", fallback="") != XCOM_BACKEND:
        return None
    path = conf.get("common.io", "xcom_objectstorage_path", fallback="")
    return ObjectStoragePath(path) if path else None


def staging_is_configured() -> bool:
    try:
        return staging_root() is not None
    except Exception:  # outside Airflow (plain unit tests)
        return False


def purge_run(dag_id: str, run_id: str) -> int:
    """Delete every staged XCom file of one run; returns how many files were removed."""
    root = staging_root()
    if root is None:
        log.warning("The object-storage XCom backend is not configured: nothing staged to purge.")
        return 0
    folder = root / dag_id / run_id
    if not folder.exists():
        return 0
    removed = sum(1 for p in folder.rglob("*") if p.is_file())
    folder.fs.rm(folder.path, recursive=True)
    log.info("Purged %d staged XCom file(s) of %s / %s.", removed, dag_id, run_id)
    return removed


def stale_runs(
    dag_prefix: str, older_than: timedelta, now: datetime | None = None
) -> list[tuple[str, str, datetime]]:
    """(dag_id, run_id, newest file time) of staged runs whose newest file is older than ``older_than``."""
    root = staging_root()
    if root is None or not root.exists():
        return []
    cutoff = (now or datetime.now(UTC)) - older_than
    found: list[tuple[str, str, datetime]] = []
    for dag_dir in root.iterdir():
        if not dag_dir.name.startswith(dag_prefix):
            continue
        for run_dir in dag_dir.iterdir():
            times = [p.stat().st_mtime for p in run_dir.rglob("*") if p.is_file()]
            newest = datetime.fromtimestamp(max(times), UTC) if times else cutoff - timedelta(seconds=1)
            if newest < cutoff:
                found.append((dag_dir.name, run_dir.name, newest))
    return found
