"""Order data staged between tasks by Airflow's object-storage XCom backend, and its removal.

With ``[common.io] xcom_objectstorage_threshold = 0`` every XCom value of the sync DAGs is written
under ``xcom_objectstorage_path/<dag_id>/<run_id>/`` and the metadata DB only holds the path. The
teardown removes a run's folder when the run ends (kept for the detail-log period when the tenant has
detail logging on); the retention DAG removes what crashed runs left behind.
"""

from __future__ import annotations

import logging
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
