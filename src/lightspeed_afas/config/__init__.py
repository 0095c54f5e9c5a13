"""Tenant files and mapping rules: validated YAML with errors that name the file and the field."""

from __future__ import annotations

from lightspeed_afas.config.errors import ConfigError, ConfigProblem
from lightspeed_afas.config.file_cache import clear_cache
from lightspeed_afas.config.loading import (
    LoadedTenant,
    TenantLoadResult,
    load_tenant,
    load_tenant_file,
    load_tenants,
    tenant_files,
)
from lightspeed_afas.config.mapping import REMARK_FIELDS, MappingRules
from lightspeed_afas.config.mapping_files import deep_merge, load_mapping
from lightspeed_afas.config.paths import INCLUDE_ENV, display_path, include_dir, mappings_dir, tenants_dir
from lightspeed_afas.config.tenant import TenantConfig

Tenant = TenantConfig  # the name the pipeline uses

__all__ = [
    "INCLUDE_ENV",
    "REMARK_FIELDS",
    "ConfigError",
    "ConfigProblem",
    "LoadedTenant",
    "MappingRules",
    "Tenant",
    "TenantConfig",
    "TenantLoadResult",
    "clear_cache",
    "deep_merge",
    "display_path",
    "include_dir",
    "load_mapping",
    "load_tenant",
    "load_tenant_file",
    "load_tenants",
    "mappings_dir",
    "tenant_files",
    "tenants_dir",
]
