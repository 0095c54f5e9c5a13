"""Invalid tenant files reported to Airflow: one import error per file, keyed by the YAML path.

They never stop the other tenants' DAGs. Each error has one line per problem naming the field, and says
how to check the file. Keying it by the YAML path rather than the DAG file keeps the other tenants'
DAGs active (``airflow_import_errors`` says why and how). The dag-processor removes an error for a path
that is not a DAG file when it refreshes the bundle (``[dag_processor] refresh_interval``), so after a
fix the error is gone within that interval; while a file stays broken it re-appears at every parse.
"""

from __future__ import annotations

import logging
import warnings

from lightspeed_afas.config import ConfigError
from lightspeed_afas.orchestration.airflow_import_errors import add_import_errors

log = logging.getLogger(__name__)


class TenantFileWarning(UserWarning):
    """An invalid tenant file, when no Airflow importer is there to take it as an import error."""


def import_error_text(error: ConfigError) -> str:
    """The import error of one invalid tenant file: its problems, then what that means and what to do."""
    lines = [str(p) for p in error.problems]
    lines.append(
        f"This tenant's DAG is not loaded until the file is fixed; the other tenants keep running. "
        f"Check it with: python -m lightspeed_afas validate {error.file}"
    )
    return "\n".join(lines)


def report_invalid_files(errors: tuple[ConfigError, ...]) -> int:
    """Hand each invalid tenant file to Airflow as its own import error; returns how many were handed.

    Outside an Airflow import (tests, the CLI) each becomes a logged error and a ``TenantFileWarning``."""
    if not errors:
        return 0
    if add_import_errors({error.file: import_error_text(error) for error in errors}):
        return len(errors)
    for error in errors:
        log.error("Invalid tenant file:\n%s", import_error_text(error))
        warnings.warn(import_error_text(error), TenantFileWarning, stacklevel=2)
    return 0
