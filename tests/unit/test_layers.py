"""The layers are a contract the machine checks: lint-imports keeps them, and an import that goes the wrong
way (a domain module importing the Airflow glue) breaks them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": f"{root / 'src'}{os.pathsep}{root}"}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(root / "pyproject.toml")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def copy_of_the_code(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    for part in ("src", "emulators"):
        shutil.copytree(REPO / part, root / part, ignore=ignore)
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    return root


def test_the_tree_keeps_every_layer_contract():
    result = lint_imports(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_domain_module_importing_the_airflow_glue_breaks_the_layers(tmp_path):
    root = copy_of_the_code(tmp_path)
    booking = root / "src" / "lightspeed_afas" / "domain" / "booking.py"
    booking.write_text(
        booking.read_text() + "\nfrom lightspeed_afas.orchestration import dag_factory  # noqa\n"
    )
    result = lint_imports(root)
    assert result.returncode != 0
    assert "lightspeed_afas.domain is not allowed to import lightspeed_afas.orchestration" in result.stdout


def test_a_cycle_between_two_emulator_modules_breaks_the_cycle_contract(tmp_path):
    root = copy_of_the_code(tmp_path)
    admin = root / "emulators" / "lightspeed" / "admin.py"
    admin.write_text(admin.read_text() + "\nfrom emulators.lightspeed import app  # noqa\n")
    result = lint_imports(root)
    assert result.returncode != 0
    assert "No cycles are allowed in emulators.lightspeed" in result.stdout
