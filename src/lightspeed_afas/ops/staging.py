"""Order data staged between tasks by Airflow's object-storage XCom backend, and its removal.

With ``[common.io] xcom_objectstorage_threshold = 0`` every XCom value of the sync DAGs is written
under ``xcom_objectstorage_path/<dag_id>/<run_id>/`` and the metadata DB only holds the path. The
teardown removes a run's folder when the run ends (kept for the detail-log period when the tenant has
detail logging on); the retention DAG removes what crashed runs left behind.

A run id is whatever the user or the REST API gave (Airflow accepts ``.``), so the teardown deletes a
folder only when the DAG id and the run id are each one plain folder name and the resolved folder lies
strictly under the DAG's own folder: never the DAG's folder itself, a sibling, or anything above.
"""

from __future__ import annotations

import logging
import os
import posixpath
from pathlib import PurePosixPath
from typing import Any

log = logging.getLogger(__name__)

XCOM_BACKEND = "airflow.providers.common.io.xcom.backend.XComObjectStorageBackend"


class UnsafeStagingPathError(ValueError):
    """A DAG id or run id that would make the run's staging folder another folder than its own."""


def staging_root() -> Any | None:
    """The XCom object-storage base path, or None when the backend is not configured."""
    from airflow.sdk import ObjectStoragePath
    from airflow.sdk.configuration import conf

    if conf.get("core", "xcom_backend", fallback="") != XCOM_BACKEND:
        return None
    path = conf.get("common.io", "xcom_objectstorage_path", fallback="")
    return ObjectStoragePath(path) if path else None


def unsafe_segment(value: object) -> str | None:
    """Why ``value`` cannot be one folder name under the staging root, or None when it can."""
    if not isinstance(value, str) or value == "":
        return "it is empty"
    if value in (".", ".."):
        return f"{value!r} names a folder above the run's own"
    if "/" in value or "\\" in value:
        return "it holds a / or \\ (a path, not one folder name)"
    if any(ord(char) < 32 or ord(char) == 127 for char in value):
        return "it holds a control character"
    return None


def _resolved(path: Any) -> PurePosixPath:
    """The path with ``.``, ``..`` and (on local disk) symbolic links resolved."""
    if getattr(path, "protocol", "file") in ("file", "local"):
        return PurePosixPath(os.path.realpath(path.path))
    return PurePosixPath(posixpath.normpath(path.path))


def run_folder(root: Any, dag_id: str, run_id: str) -> Any:
    """``<root>/<dag_id>/<run_id>``; UnsafeStagingPathError unless both are single folder names and the
    folder lies strictly under the DAG's own folder, which lies strictly under the root."""
    for what, value in (("dag_id", dag_id), ("run_id", run_id)):
        reason = unsafe_segment(value)
        if reason:
            raise UnsafeStagingPathError(f"{what} {value!r} is not a safe folder name: {reason}")
    dag_folder = root / dag_id
    folder = dag_folder / run_id
    base, dag_path, run_path = _resolved(root), _resolved(dag_folder), _resolved(folder)
    for inner, outer, what in (
        (dag_path, base, "the staging root"),
        (run_path, dag_path, "the DAG's folder"),
    ):
        if inner == outer or not inner.is_relative_to(outer):
            raise UnsafeStagingPathError(f"{inner} does not lie strictly under {what} {outer}")
    return folder


def purge_run(dag_id: str, run_id: str) -> int:
    """Delete every staged XCom file of one run; returns how many files were removed."""
    root = staging_root()
    if root is None:
        log.warning("The object-storage XCom backend is not configured: nothing staged to purge.")
        return 0
    try:
        folder = run_folder(root, dag_id, run_id)
    except UnsafeStagingPathError as exc:
        log.error(
            "Refusing to purge the staged XCom files of %r / %r: %s. Nothing was deleted; the retention "
            "DAG removes staged files once they are old enough.",
            dag_id,
            run_id,
            exc,
        )
        return 0
    if not folder.exists():
        return 0
    removed = sum(1 for p in folder.rglob("*") if p.is_file())
    folder.fs.rm(folder.path, recursive=True)
    log.info("Purged %d staged XCom file(s) of %s / %s.", removed, dag_id, run_id)
    return removed
