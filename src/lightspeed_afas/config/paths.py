"""Where tenant files and mapping rules live.

Default: ``include/`` at the repository root. ``LIGHTSPEED_AFAS_INCLUDE_DIR`` points elsewhere (the compose
deployment mounts ``include/`` at ``/opt/airflow/include``); ``tenants/`` and ``mappings/`` are below it.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

INCLUDE_ENV = "LIGHTSPEED_AFAS_INCLUDE_DIR"
_REPO_INCLUDE = Path(__file__).resolve().parents[3] / "include"


def include_dir() -> Path:
    configured = os.environ.get(INCLUDE_ENV, "").strip()
    return Path(configured).expanduser() if configured else _REPO_INCLUDE


def tenants_dir() -> Path:
    return include_dir() / "tenants"


def mappings_dir() -> Path:
    return include_dir() / "mappings"


def display_path(path: Path) -> str:
    """A short, stable name for messages: ``include/tenants/acme.yaml`` wherever include/ is mounted."""
    return _display_path(os.fspath(path), os.environ.get(INCLUDE_ENV, ""))


@lru_cache(maxsize=8192)
def _display_path(path: str, configured_include: str) -> str:
    # Cached: it runs several times for every tenant file on every parse.
    absolute = os.path.abspath(path)
    prefix = os.path.join(os.path.abspath(include_dir()), "")
    if absolute.startswith(prefix):
        return "include/" + absolute[len(prefix) :].replace(os.sep, "/")
    # Elsewhere (validate on a copy): the last three parts, e.g. ``staging/tenants/acme.yaml``.
    return "/".join(absolute.split(os.sep)[-3:])
