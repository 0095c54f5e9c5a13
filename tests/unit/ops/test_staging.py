"""The teardown's purge of a run's staged XCom files deletes that run's folder and nothing else, whatever
run id (Airflow accepts ``.``) or DAG id it is given."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from lightspeed_afas.ops import staging

DAG = "lightspeed_afas_acme"


@pytest.fixture
def root(tmp_path, monkeypatch) -> Path:
    """A staging root with two runs of the DAG, another DAG's run and a file next to the root."""
    base = tmp_path / "xcom"
    monkeypatch.setenv("AIRFLOW__CORE__XCOM_BACKEND", staging.XCOM_BACKEND)
    monkeypatch.setenv("AIRFLOW__COMMON_IO__XCOM_OBJECTSTORAGE_PATH", f"file://{base}")
    for folder in (f"{DAG}/run_1/extract_orders", f"{DAG}/run_2/transform", "lightspeed_afas_other/run_1"):
        (base / folder).mkdir(parents=True)
        (base / folder / "value.json").write_text("{}", encoding="utf-8")
    (tmp_path / "outside.txt").write_text("keep", encoding="utf-8")
    return base


def files(path: Path) -> set[str]:
    return {str(p.relative_to(path)) for p in path.rglob("*") if p.is_file()}


def test_a_normal_run_id_removes_only_that_runs_folder(root):
    before = files(root.parent)
    assert staging.purge_run(DAG, "run_1") == 1
    assert files(root.parent) == before - {f"xcom/{DAG}/run_1/extract_orders/value.json"}
    assert (root / DAG / "run_2").is_dir()


@pytest.mark.parametrize("run_id", [".", "..", "a/../..", "", "run_1/..", "..\\..", "run\n1"])
def test_a_run_id_that_is_not_one_folder_name_deletes_nothing(root, run_id, caplog):
    before = files(root.parent)
    with caplog.at_level(logging.ERROR, logger=staging.log.name):
        assert staging.purge_run(DAG, run_id) == 0
    assert files(root.parent) == before
    message = caplog.records[-1].getMessage()
    assert message.startswith(f"Refusing to purge the staged XCom files of {DAG!r} / {run_id!r}: run_id")
    assert "Nothing was deleted" in message


@pytest.mark.parametrize("dag_id", [".", "..", "", "lightspeed_afas_acme/..", "../xcom"])
def test_a_dag_id_that_is_not_one_folder_name_deletes_nothing(root, dag_id, caplog):
    before = files(root.parent)
    with caplog.at_level(logging.ERROR, logger=staging.log.name):
        assert staging.purge_run(dag_id, "run_1") == 0
    assert files(root.parent) == before
    assert f"dag_id {dag_id!r} is not a safe folder name" in caplog.records[-1].getMessage()


def test_a_run_folder_that_links_out_of_the_dags_folder_is_refused(root, tmp_path, caplog):
    (root / DAG / "linked").symlink_to(root / "lightspeed_afas_other")
    before = files(root.parent)
    with caplog.at_level(logging.ERROR, logger=staging.log.name):
        assert staging.purge_run(DAG, "linked") == 0
    assert files(root.parent) == before
    assert "does not lie strictly under the DAG's folder" in caplog.records[-1].getMessage()


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (".", "names a folder above"),
        ("..", "names a folder above"),
        ("a/b", "holds a / or \\"),
        ("a\\b", "holds a / or \\"),
        ("", "is empty"),
        ("a\x00b", "control character"),
    ],
)
def test_unsafe_segment_says_why(value, reason):
    assert reason in (staging.unsafe_segment(value) or "")


@pytest.mark.parametrize("value", ["manual__2026-11-20T10:15:00+00:00", "scheduled__x", "a..b", ".hidden"])
def test_airflows_usual_run_ids_are_safe(value):
    assert staging.unsafe_segment(value) is None
