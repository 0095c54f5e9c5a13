"""Loading tenant files and mapping rules: validate, merge overrides, and cache by file modification time.

The DAG file is parsed every 30 s by the dag-processor and again before every task; parsing the same
unchanged YAML again is wasted work, so results are cached per process by (mtime, size) of the files.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from lightspeed_afas.config.errors import ConfigError, ConfigProblem, problems_from_validation
from lightspeed_afas.config.mapping import MappingRules
from lightspeed_afas.config.paths import display_path, mappings_dir, tenants_dir
from lightspeed_afas.config.tenant import TENANT_ID, TenantConfig
from lightspeed_afas.config.yaml_io import read_yaml

YAML_SUFFIXES = (".yaml", ".yml")
T = TypeVar("T")
Stamp = tuple[int, int]


@dataclass(frozen=True)
class LoadedTenant:
    """A valid tenant file with its merged mapping rules, and advice that is not an error."""

    config: TenantConfig
    mapping: MappingRules
    path: Path
    notes: tuple[str, ...] = ()

    @property
    def tenant(self) -> str:
        return self.config.tenant

    @property
    def label(self) -> str:
        return display_path(self.path)


@dataclass(frozen=True)
class TenantLoadResult:
    """Every valid tenant (sorted by id) and, per invalid file, what is wrong with it."""

    tenants: tuple[LoadedTenant, ...] = ()
    errors: tuple[ConfigError, ...] = ()
    by_id: dict[str, LoadedTenant] = field(default_factory=dict, compare=False, repr=False)

    def get(self, tenant_id: str) -> LoadedTenant | None:
        return self.by_id.get(tenant_id)


def deep_merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """Merge ``overrides`` into a copy of ``base``: mappings merge key by key, anything else (lists too) replaces."""
    merged = copy.deepcopy(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


# -- caching ----------------------------------------------------------------------------------------------

_cache: dict[Any, tuple[Any, Any]] = {}


def _stamp(path: Path) -> Stamp:
    st = os.stat(path)
    return (st.st_mtime_ns, st.st_size)


def _cached(key: Any, stamp: Any, build: Callable[[], T]) -> T:
    hit = _cache.get(key)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    value = build()
    _cache[key] = (stamp, value)
    return value


def clear_cache() -> None:
    _cache.clear()


# -- mappings ---------------------------------------------------------------------------------------------


def mapping_path(name: str, directory: Path | None = None) -> Path:
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
    stamp = _stamp(path)
    document = _cached(("mapping-doc", str(path)), stamp, lambda: _mapping_document(path))
    if not overrides:
        return _cached(("mapping", str(path)), stamp, lambda: MappingRules.model_validate(document))
    key = ("mapping", str(path), json.dumps(overrides, sort_keys=True, default=str))
    try:
        return _cached(key, stamp, lambda: MappingRules.model_validate(deep_merge(document, overrides)))
    except ValidationError as exc:
        blame = overrides_from or f"{label} (with overrides)"
        raise ConfigError(problems_from_validation(blame, exc, prefix="mapping_overrides")) from None


# -- tenants ----------------------------------------------------------------------------------------------


def _tenant_from_file(path: Path, mapping_directory: Path | None) -> LoadedTenant:
    label = display_path(path)
    document = read_yaml(path, label)
    if not isinstance(document, dict):
        raise ConfigError([ConfigProblem(label, None, "a tenant file must be a YAML mapping of settings")])
    try:
        config = TenantConfig.model_validate(document)
    except ValidationError as exc:
        raise ConfigError(problems_from_validation(label, exc)) from None
    if config.tenant != path.stem:
        raise ConfigError(
            [
                ConfigProblem(
                    label,
                    "tenant",
                    f"{config.tenant!r} differs from the file name; name the file {config.tenant}.yaml "
                    f"or set tenant: {path.stem}",
                )
            ]
        )
    mapping = _tenant_mapping(config, label, mapping_directory)
    return LoadedTenant(config=config, mapping=mapping, path=path, notes=tuple(_notes(config, mapping)))


def _tenant_mapping(config: TenantConfig, label: str, directory: Path | None) -> MappingRules:
    path = mapping_path(config.mapping, directory)
    if not path.is_file():
        raise ConfigError(
            [ConfigProblem(label, "mapping", f"no mapping file {display_path(path)} for {config.mapping!r}")]
        )
    try:
        load_mapping(config.mapping, None, directory)
    except ConfigError as exc:
        raise ConfigError(
            [
                ConfigProblem(label, "mapping", f"mapping {config.mapping!r} is invalid: {p}")
                for p in exc.problems
            ]
        ) from None
    return load_mapping(config.mapping, config.mapping_overrides, directory, overrides_from=label)


def _notes(config: TenantConfig, mapping: MappingRules) -> Iterable[str]:
    """Valid but worth knowing: settings that make some orders fail on purpose."""
    items = config.afas.items
    if items.payment_fee is None:
        yield "orders with payment costs fail: afas.items.payment_fee is not set"
    if mapping.rounding.mode == "book_line" and items.rounding is None:
        yield (
            "orders whose VAT rounding leaves a cent fail: rounding.mode is book_line "
            "but afas.items.rounding is not set"
        )
    if not mapping.vat_codes:
        yield "every order fails: the mapping has no vat_codes"


def load_tenant_file(
    path: Path, mapping_directory: Path | None = None, *, _mappings_stamp: Any = None
) -> LoadedTenant:
    """One tenant file, validated with its merged mapping; ConfigError naming the file and field otherwise."""
    path = Path(path)
    label = display_path(path)
    if not TENANT_ID.match(path.stem):
        raise ConfigError(
            [ConfigProblem(label, None, "the file name must be <tenant>.yaml with [a-z0-9_] only")]
        )
    if _mappings_stamp is None:
        _mappings_stamp = _mapping_stamps(mapping_directory)
    try:
        stamp: Any = (_stamp(path), _mappings_stamp)
    except OSError as exc:
        raise ConfigError([ConfigProblem(label, None, f"cannot read the file: {exc}")]) from None
    return _cached(("tenant", str(path)), stamp, lambda: _tenant_from_file(path, mapping_directory))


def _mapping_stamps(directory: Path | None) -> tuple[tuple[str, Stamp], ...]:
    """A cheap fingerprint of every mapping file, so a changed mapping re-validates its tenants."""
    base = directory or mappings_dir()
    key = ("mapping-dir", str(base))
    try:
        dir_stamp = _stamp(base)
    except OSError:
        return ()
    files = _cached(key, dir_stamp, lambda: sorted(p for p in base.glob("*.yaml") if p.is_file()))
    return tuple((p.name, _stamp(p)) for p in files if p.exists())


def tenant_files(directory: Path, only: str | None = None) -> list[Path]:
    """The YAML files in a tenants directory (or just ``only``'s), sorted; dot-files are ignored."""
    if not directory.is_dir():
        return []
    if only is not None:
        return [p for p in (directory / f"{only}{suffix}" for suffix in YAML_SUFFIXES) if p.is_file()]
    return sorted(
        p
        for p in directory.iterdir()
        if p.suffix in YAML_SUFFIXES and not p.name.startswith(".") and p.is_file()
    )


def load_tenants(
    directory: Path | None = None, mapping_directory: Path | None = None, *, only: str | None = None
) -> TenantLoadResult:
    """Every tenant file in ``directory`` (default ``include/tenants``): valid tenants and per-file errors.

    ``only`` reads just that tenant's file(s) — what a task start needs.
    """
    directory = Path(directory) if directory is not None else tenants_dir()
    if mapping_directory is None and directory.parent.joinpath("mappings").is_dir():
        mapping_directory = directory.parent / "mappings"
    loaded: list[LoadedTenant] = []
    errors: list[ConfigError] = []
    mappings_stamp = _mapping_stamps(mapping_directory)
    for path in tenant_files(directory, only):
        try:
            loaded.append(load_tenant_file(path, mapping_directory, _mappings_stamp=mappings_stamp))
        except ConfigError as exc:
            errors.append(exc)
    by_id: dict[str, list[LoadedTenant]] = {}
    for tenant in loaded:
        by_id.setdefault(tenant.tenant, []).append(tenant)
    valid: list[LoadedTenant] = []
    for tenant_id, same in sorted(by_id.items()):
        if len(same) == 1:
            valid.append(same[0])
            continue
        files = ", ".join(t.label for t in same)
        for t in same:
            errors.append(
                ConfigError(
                    [ConfigProblem(t.label, "tenant", f"duplicate tenant id {tenant_id!r} in {files}")]
                )
            )
    errors.sort(key=lambda e: e.file)
    return TenantLoadResult(tuple(valid), tuple(errors), {t.tenant: t for t in valid})


def load_tenant(tenant_id: str, directory: Path | None = None) -> TenantConfig:
    """The validated tenant config of one tenant id (the tasks' view); ConfigError when missing or invalid."""
    directory = Path(directory) if directory is not None else tenants_dir()
    for suffix in YAML_SUFFIXES:
        path = directory / f"{tenant_id}{suffix}"
        if path.is_file():
            mapping_directory = (
                directory.parent / "mappings" if (directory.parent / "mappings").is_dir() else None
            )
            return load_tenant_file(path, mapping_directory).config
    raise ConfigError(
        [
            ConfigProblem(
                display_path(directory / f"{tenant_id}.yaml"), None, "no tenant file for this tenant id"
            )
        ]
    )
