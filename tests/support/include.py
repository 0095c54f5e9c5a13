"""A private copy of include/ per test (pointed to by LIGHTSPEED_AFAS_INCLUDE_DIR), and tenant-file writers."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from lightspeed_afas.config import INCLUDE_ENV, clear_cache

REPO_INCLUDE = Path(__file__).resolve().parents[2] / "include"


class Include:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.tenants = root / "tenants"
        self.mappings = root / "mappings"
        self.demo: dict[str, Any] = yaml.safe_load((self.tenants / "demo.yaml").read_text())

    def tenant(
        self, tenant_id: str, changes: dict[str, Any] | None = None, drop: tuple[str, ...] = ()
    ) -> Path:
        """Write ``<tenant_id>.yaml`` from the demo tenant, with nested ``changes`` and dotted keys dropped."""
        data = copy.deepcopy(self.demo)
        data["tenant"] = tenant_id
        for dotted, value in (changes or {}).items():
            *parents, last = dotted.split(".")
            node = data
            for key in parents:
                node = node.setdefault(key, {})
            node[last] = value
        for dotted in drop:
            *parents, last = dotted.split(".")
            node = data
            for key in parents:
                node = node[key]
            del node[last]
        return self.write(f"{tenant_id}.yaml", yaml.safe_dump(data, sort_keys=False))

    def write(self, name: str, text: str, folder: str = "tenants") -> Path:
        path = self.root / folder / name
        path.write_text(text)
        clear_cache()
        return path


@pytest.fixture
def include(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Include:
    root = tmp_path / "include"
    shutil.copytree(REPO_INCLUDE, root)
    monkeypatch.setenv(INCLUDE_ENV, str(root))
    clear_cache()
    yield Include(root)
    clear_cache()
