"""Loading mapping rules (``include/mappings/<name>.yaml``): validated, with a tenant's overrides merged.

Errors in a mapping file name the mapping file; errors a tenant's ``mapping_overrides`` cause name the
tenant file and the field under ``mapping_overrides``.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from lightspeed_afas.config.errors import ConfigError, ConfigProblem, problems_from_validation
from lightspeed_afas.config.file_cache import Stamp, cached, stamp
from lightspeed_afas.config.mapping import MappingRules
from lightspeed_afas.config.paths import display_path, mappings_dir
from lightspeed_afas.config.yaml_io import read_yaml


def deep_merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """Merge ``overrides`` into a copy of ``base``: mappings merge key by key, anything else (lists too) replaces."""
    merged = copy.deepcopy(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def mapping_path(name: str, directory: Path | None = None) -> Path:
    """Where the mapping named ``name`` lives (default directory ``include/mappings``)."""
    return (directory or mappings_dir()) / f"{name}.yaml"


def _mapping_document(path: Path) -> dict[str, Any]:
    """The mapping file's raw document (validated on its own, so its errors name the mapping file)."""
    label = display_path(path)
    document = read_yaml(path, label)
    if document is None:
        document = {}
    if not isinstance(document, dict):
        raise ConfigError([ConfigProblem(label, None, "a mapping file must be a YAML mapping of rules")])
    try:
        MappingRules.model_validate(document)
    except ValidationError as exc:
        raise ConfigError(problems_from_validation(label, exc)) from None
    return document


def load_mapping(
    name: str,
    overrides: dict[str, Any] | None = None,
    directory: Path | None = None,
    *,
    overrides_from: str | None = None,
) -> MappingRules:
    """The named mapping (``include/mappings/<name>.yaml``) with ``overrides`` merged over it, validated.

    Errors in the mapping file name the mapping file; errors the overrides cause name ``overrides_from``
    (the tenant file) and the field under ``mapping_overrides``.
    """
    path = mapping_path(name, directory)
    label = display_path(path)
    if not path.is_file():
        raise ConfigError([ConfigProblem(label, None, f"no mapping file named {name!r}")])
    file_stamp = stamp(path)
    document = cached(("mapping-doc", str(path)), file_stamp, lambda: _mapping_document(path))
    if not overrides:
        return cached(("mapping", str(path)), file_stamp, lambda: MappingRules.model_validate(document))
    key = ("mapping", str(path), json.dumps(overrides, sort_keys=True, default=str))
    try:
        return cached(key, file_stamp, lambda: MappingRules.model_validate(deep_merge(document, overrides)))
    except ValidationError as exc:
        blame = overrides_from or f"{label} (with overrides)"
        raise ConfigError(problems_from_validation(blame, exc, prefix="mapping_overrides")) from None


def mapping_stamps(directory: Path | None) -> tuple[tuple[str, Stamp], ...]:
    """A cheap fingerprint of every mapping file, so a changed mapping re-validates its tenants."""
    base = directory or mappings_dir()
    try:
        dir_stamp = stamp(base)
    except OSError:
        return ()
    files = cached(
        ("mapping-dir", str(base)), dir_stamp, lambda: sorted(p for p in base.glob("*.yaml") if p.is_file())
    )
    return tuple((p.name, stamp(p)) for p in files if p.exists())


def mappings_beside(tenants_directory: Path) -> Path | None:
    """The ``mappings`` directory next to a tenants directory, when there is one."""
    candidate = tenants_directory.parent / "mappings"
    return candidate if candidate.is_dir() else None
