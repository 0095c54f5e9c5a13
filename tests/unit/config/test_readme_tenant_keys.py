"""The README's "Tenant files" reference names every key of the tenant model, and only those, so it
cannot go stale; the demo tenant file points at that section."""

from __future__ import annotations

import re
import typing
from collections.abc import Iterator
from pathlib import Path

from pydantic import BaseModel

from lightspeed_afas.config.tenant import TenantConfig

REPO = Path(__file__).resolve().parents[3]
SECTION = "Tenant files"


def model_keys(model: type[BaseModel], prefix: str = "") -> Iterator[str]:
    """Every key of ``model`` as a dotted path, nested blocks and their keys included."""
    for name, field in model.model_fields.items():
        yield prefix + name
        for candidate in (field.annotation, *typing.get_args(field.annotation)):
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                yield from model_keys(candidate, f"{prefix}{name}.")


def documented_keys() -> set[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    match = re.search(rf"^## {SECTION}\n(.*?)(?=^## )", readme, re.MULTILINE | re.DOTALL)
    assert match, f'README.md has no "## {SECTION}" section'
    return set(re.findall(r"^\| `([a-z_.]+)` \|", match.group(1), re.MULTILINE))


def test_every_tenant_key_is_in_the_readme_reference_and_nothing_else():
    keys = set(model_keys(TenantConfig))
    documented = documented_keys()
    assert len(keys) > 50  # the walk reaches the nested blocks
    missing, stale = sorted(keys - documented), sorted(documented - keys)
    assert not missing, f'README.md "{SECTION}" lacks a row for: {", ".join(missing)}'
    assert not stale, (
        f'README.md "{SECTION}" documents keys the tenant model does not have: {", ".join(stale)}'
    )


def test_the_demo_tenant_file_points_at_the_reference():
    header = (REPO / "include" / "tenants" / "demo.yaml").read_text(encoding="utf-8").split("\ntenant:")[0]
    assert f'README.md, section "{SECTION}"' in header
    documented_keys()  # and the section exists
