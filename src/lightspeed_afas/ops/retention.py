"""Retention: what the log-retention DAG deletes, and the limits nothing may cross.

Four kinds of data age out:

- **detail log** (request/response bodies): at most ``detail_log_days`` of its tenant (1–14; tenants
  no longer configured get the ceiling, 14);
- **basic log** (ledger runs, order attempts, order states, retention reports): ``basic_log_retention_days``,
  default 400, never below 365;
- **Airflow task logs** of the project's DAGs (they can hold detail output): ``task_log_retention_days``,
  default 14, at least 1;
- **staged XCom files** a crashed run left behind: ``staged_data_retention_hours``, default 24, never
  below 6 (a run may last up to 4 hours) — and a tenant with detail logging keeps them for its
  detail-log period, as the run's teardown promised.

The settings live in Airflow's configuration, section ``[lightspeed_afas]`` (environment:
``AIRFLOW__LIGHTSPEED_AFAS__BASIC_LOG_RETENTION_DAYS`` and so on). A value outside its limits is
clamped to the limit and the task log says so: nothing inside a retention period is ever deleted,
whatever the configuration says. Every cutoff is computed from one instant in UTC, and a row exactly at
its cutoff is kept.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from lightspeed_afas.config.dag_ids import DAG_PREFIX
from lightspeed_afas.ledger import BASIC_LOG_TABLES, Ledger
from lightspeed_afas.ops.retention_policy import LIMITS, RetentionConfigError, RetentionPolicy, policy
from lightspeed_afas.tables import text_table

__all__ = [
    "DAG_ID",
    "LIMITS",
    "PROJECT_DAG_PREFIX",
    "Purged",
    "RetentionConfigError",
    "RetentionPolicy",
    "policy",
    "purge_basic_log",
    "purge_detail_log",
    "purge_staged_files",
    "purge_task_logs",
    "staged_root",
    "table",
    "task_log_folder",
]

log = logging.getLogger(__name__)

DAG_ID = "lightspeed_afas_log_retention"
PROJECT_DAG_PREFIX = DAG_PREFIX  # every DAG of this project: tenants' flows and the retention DAG


@dataclass
class Purged:
    """What one kind of data lost (or with a dry run: would lose)."""

    kind: str
    cutoff: datetime
    deleted: int = 0
    oldest_kept: datetime | None = None
    detail: dict[str, int] = field(default_factory=dict)  # per tenant or per table

    def add(self, key: str, deleted: int, oldest_kept: datetime | None) -> None:
        self.deleted += deleted
        self.detail[key] = self.detail.get(key, 0) + deleted
        if oldest_kept is not None and (self.oldest_kept is None or oldest_kept < self.oldest_kept):
            self.oldest_kept = oldest_kept

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "cutoff": self.cutoff.isoformat(),
            "deleted": self.deleted,
            "oldest_kept": self.oldest_kept.isoformat() if self.oldest_kept else None,
            "detail": dict(sorted(self.detail.items())),
        }


# -- the ledger ---------------------------------------------------------------------------------------


def purge_detail_log(ledger: Ledger, rules: RetentionPolicy, now: datetime, dry_run: bool = False) -> Purged:
    """Each tenant's request/response bodies older than its detail-log period (the oldest cutoff is
    reported; tenants that left the configuration get the 14-day ceiling)."""
    tenants = sorted(set(ledger.tenants()) | set(rules.detail_days_by_tenant))
    result = Purged("detail_log", now - timedelta(days=LIMITS["detail_log_days"].ceiling or 14))
    for tenant in tenants:
        cutoff = now - timedelta(days=rules.detail_days(tenant))
        deleted, oldest = ledger.purge_before("detail_log", cutoff, tenant=tenant, dry_run=dry_run)
        result.add(tenant, deleted, oldest)
    return result


def purge_basic_log(ledger: Ledger, rules: RetentionPolicy, now: datetime, dry_run: bool = False) -> Purged:
    """Ledger rows older than the basic-log period: order attempts, runs, order states, reports."""
    result = Purged("basic_log", now - timedelta(days=rules.basic_log_days))
    for table in BASIC_LOG_TABLES:
        deleted, oldest = ledger.purge_before(table, result.cutoff, dry_run=dry_run)
        result.add(table, deleted, oldest)
    return result


# -- files --------------------------------------------------------------------------------------------


def _mtime(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, UTC)


def _files_of_project_dags(root: Path, folder_name: Callable[[str], bool]) -> Iterable[tuple[str, Path]]:
    if not root.is_dir():
        return
    for top in sorted(root.iterdir()):
        if top.is_dir() and folder_name(top.name):
            for path in sorted(top.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    yield top.name, path


def _remove_empty_dirs(top: Path) -> None:
    for folder in sorted((p for p in top.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
        try:
            folder.rmdir()
        except OSError:
            pass  # not empty


def _purge_files(
    root: Path,
    result: Purged,
    folder_name: Callable[[str], bool],
    key: Callable[[str], str],
    cutoff_of: Callable[[str], datetime],
    dry_run: bool,
) -> Purged:
    """Delete the files under ``root``'s matching top folders modified before their folder's cutoff."""
    touched: set[Path] = set()
    for folder, path in _files_of_project_dags(root, folder_name):
        modified = _mtime(path)
        if modified < cutoff_of(folder):
            if not dry_run:
                path.unlink()
                touched.add(root / folder)
            result.add(key(folder), 1, None)
        else:
            result.add(key(folder), 0, modified)
    for top in touched:
        _remove_empty_dirs(top)
    return result


def purge_task_logs(base: Path, rules: RetentionPolicy, now: datetime, dry_run: bool = False) -> Purged:
    """Airflow task log files of the project's DAGs (``dag_id=lightspeed_afas_*``) older than the period,
    by modification time; other DAGs' logs are not touched."""
    result = Purged("task_logs", now - timedelta(days=rules.task_log_days))
    return _purge_files(
        base,
        result,
        folder_name=lambda name: name.startswith(f"dag_id={PROJECT_DAG_PREFIX}"),
        key=lambda folder: folder.removeprefix("dag_id="),
        cutoff_of=lambda _folder: result.cutoff,
        dry_run=dry_run,
    )


def purge_staged_files(
    root: Path, rules: RetentionPolicy, now: datetime, detail_logging: dict[str, bool], dry_run: bool = False
) -> Purged:
    """Staged XCom files under ``<root>/<dag_id>/<run_id>/`` of the project's DAGs that no teardown
    removed (a crashed or killed run) — after ``staged_hours``, or for a tenant with detail logging
    after its detail-log period."""
    result = Purged("staged_xcom", now - timedelta(hours=rules.staged_hours))

    def cutoff_of(dag_id: str) -> datetime:
        tenant = dag_id.removeprefix(PROJECT_DAG_PREFIX)
        if detail_logging.get(tenant):
            return min(result.cutoff, now - timedelta(days=rules.detail_days(tenant)))
        return result.cutoff

    return _purge_files(
        root,
        result,
        folder_name=lambda name: name.startswith(PROJECT_DAG_PREFIX),
        key=lambda folder: folder,
        cutoff_of=cutoff_of,
        dry_run=dry_run,
    )


def task_log_folder() -> Path:
    from airflow.sdk.configuration import conf

    return Path(
        conf.get("logging", "base_log_folder", fallback="") or Path(os.environ["AIRFLOW_HOME"]) / "logs"
    )


def staged_root() -> Path | None:
    """The local folder of the XCom object storage, or None (not configured, or not on local disk: then
    the storage's own lifecycle rules must expire the files, which the task log says)."""
    from lightspeed_afas.ops.staging import staging_root

    root = staging_root()
    if root is None or getattr(root, "protocol", "file") not in ("file", "local"):
        return None
    return Path(root.path)


def table(results: Iterable[Purged], dry_run: bool) -> str:
    """What each purge deleted (or would delete), its cutoff and the oldest row or file it kept."""
    header = ("kind", "would delete" if dry_run else "deleted", "cutoff (UTC)", "oldest kept (UTC)")
    rows = [
        (
            r.kind,
            str(r.deleted),
            r.cutoff.strftime("%Y-%m-%d %H:%M:%S"),
            r.oldest_kept.strftime("%Y-%m-%d %H:%M:%S") if r.oldest_kept else "-",
        )
        for r in results
    ]
    return text_table(header, rows)
