"""Loading tenant files (``include/tenants/<tenant>.yaml``): validated, with their merged mapping rules.

Every invalid file is reported on its own (``TenantLoadResult.errors``) and never stops the valid ones.
Results are cached per process by the (mtime, size) of the tenant file and of every mapping file
(``config.file_cache``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from lightspeed_afas.config.errors import ConfigError, ConfigProblem, problems_from_validation
from lightspeed_afas.config.file_cache import cached, stamp
from lightspeed_afas.config.mapping import MappingRules
from lightspeed_afas.config.mapping_files import load_mapping, mapping_path, mapping_stamps, mappings_beside
from lightspeed_afas.config.paths import display_path, tenants_dir
from lightspeed_afas.config.tenant import TENANT_ID, TenantConfig
from lightspeed_afas.config.yaml_io import read_yaml

YAML_SUFFIXES = (".yaml", ".yml")


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


def _problem(label: str, key: str | None, message: str) -> ConfigError:
    return ConfigError([ConfigProblem(label, key, message)])


def _tenant_from_file(path: Path, mapping_directory: Path | None) -> LoadedTenant:
    label = display_path(path)
    document = read_yaml(path, label)
    if not isinstance(document, dict):
        raise _problem(label, None, "a tenant file must be a YAML mapping of settings")
    try:
        config = TenantConfig.model_validate(document)
    except ValidationError as exc:
        raise ConfigError(problems_from_validation(label, exc)) from None
    if config.tenant != path.stem:
        raise _problem(
            label,
            "tenant",
            f"{config.tenant!r} differs from the file name; name the file {config.tenant}.yaml "
            f"or set tenant: {path.stem}",
        )
    mapping = _tenant_mapping(config, label, mapping_directory)
    return LoadedTenant(config=config, mapping=mapping, path=path, notes=tuple(_notes(config, mapping)))


def _tenant_mapping(config: TenantConfig, label: str, directory: Path | None) -> MappingRules:
    path = mapping_path(config.mapping, directory)
    if not path.is_file():
        raise _problem(label, "mapping", f"no mapping file {display_path(path)} for {config.mapping!r}")
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
        raise _problem(label, None, "the file name must be <tenant>.yaml with [a-z0-9_] only")
    if _mappings_stamp is None:
        _mappings_stamp = mapping_stamps(mapping_directory)
    try:
        file_stamp: Any = (stamp(path), _mappings_stamp)
    except OSError as exc:
        raise _problem(label, None, f"cannot read the file: {exc}") from None
    return cached(("tenant", str(path)), file_stamp, lambda: _tenant_from_file(path, mapping_directory))


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


def _unique_ids(loaded: list[LoadedTenant], errors: list[ConfigError]) -> list[LoadedTenant]:
    """The tenants whose id no other file claims, sorted by id; an error per file of a duplicate id."""
    by_id: dict[str, list[LoadedTenant]] = {}
    for tenant in loaded:
        by_id.setdefault(tenant.tenant, []).append(tenant)
    valid: list[LoadedTenant] = []
    for tenant_id, same in sorted(by_id.items()):
        if len(same) == 1:
            valid.append(same[0])
            continue
        files = ", ".join(t.label for t in same)
        errors.extend(
            _problem(t.label, "tenant", f"duplicate tenant id {tenant_id!r} in {files}") for t in same
        )
    return valid


def load_tenants(
    directory: Path | None = None, mapping_directory: Path | None = None, *, only: str | None = None
) -> TenantLoadResult:
    """Every tenant file in ``directory`` (default ``include/tenants``): valid tenants and per-file errors.

    ``only`` reads just that tenant's file(s) — what a task start needs.
    """
    directory = Path(directory) if directory is not None else tenants_dir()
    if mapping_directory is None:
        mapping_directory = mappings_beside(directory)
    loaded: list[LoadedTenant] = []
    errors: list[ConfigError] = []
    mappings_stamp = mapping_stamps(mapping_directory)
    for path in tenant_files(directory, only):
        try:
            loaded.append(load_tenant_file(path, mapping_directory, _mappings_stamp=mappings_stamp))
        except ConfigError as exc:
            errors.append(exc)
    valid = _unique_ids(loaded, errors)
    errors.sort(key=lambda e: e.file)
    return TenantLoadResult(tuple(valid), tuple(errors), {t.tenant: t for t in valid})


def load_tenant(tenant_id: str, directory: Path | None = None) -> TenantConfig:
    """The validated tenant config of one tenant id (the tasks' view); ConfigError when missing or invalid."""
    directory = Path(directory) if directory is not None else tenants_dir()
    for suffix in YAML_SUFFIXES:
        path = directory / f"{tenant_id}{suffix}"
        if path.is_file():
            return load_tenant_file(path, mappings_beside(directory)).config
    raise _problem(display_path(directory / f"{tenant_id}.yaml"), None, "no tenant file for this tenant id")
