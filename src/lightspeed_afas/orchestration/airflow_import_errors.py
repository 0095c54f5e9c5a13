"""The one place the product leans on Airflow's internals: handing the DAG importer extra import errors.

An invalid tenant file must show up as an import error of its own, keyed by the YAML path, while the
other tenants' DAGs of the same DAG file stay active. Airflow 3.3.2 has no supported way to do that:

- raising from the DAG file files the error under the DAG file, and the dag-processor then marks every
  DAG of that file stale (``tests/dags/test_invalid_tenant_files.py`` shows it);
- a warning becomes a ``DagImportWarning`` of the DAG file, not an import error;
- the importer registry (``airflow.dag_processing.importers.base.DagImporterRegistry``) takes no importer
  from configuration, plugins or providers.

So while ``PythonDagImporter.import_file`` runs the DAG file, its ``DagImportResult`` is on the call stack
(it passes it down to ``_load_modules_from_file``); ``add_import_errors`` finds it there and appends a
``DagImportError`` per file, which ``DagBag`` stores as ``import_errors[file_path]``.
``tests/dags/test_airflow_import_errors.py`` imports a DAG file through the real importer and fails with
a message naming what changed if an Airflow upgrade moves any of this.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

IMPORTER_MODULE = "airflow.dag_processing.importers.base"
ERROR_TYPE = "tenant_file"


def active_import_result() -> Any | None:
    """The ``DagImportResult`` of the Airflow importer that is running the DAG file, if any."""
    try:
        from airflow.dag_processing.importers.base import DagImportResult
    except ImportError:
        return None
    frame = sys._getframe(1)
    while frame is not None:
        for value in frame.f_locals.values():
            if isinstance(value, DagImportResult):
                return value
        frame = frame.f_back
    return None


def add_import_errors(errors: Mapping[str, str]) -> bool:
    """Add an import error per ``file path → message`` to the running import (a path it already has is
    left alone); False when no Airflow importer is running (a test, the CLI)."""
    result = active_import_result()
    if result is None:
        return False
    from airflow.dag_processing.importers.base import DagImportError

    known = {e.file_path for e in result.errors}
    for path, message in errors.items():
        if path not in known:
            result.errors.append(DagImportError(file_path=path, message=message, error_type=ERROR_TYPE))
    return True
