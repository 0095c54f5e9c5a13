"""The ``log`` command finds the ledger the way the team configured it — also a connection stored in
Airflow's metadata DB (the UI), which the Task SDK's lookup does not see outside a task."""

from __future__ import annotations

from lightspeed_afas.cli.main import main
from lightspeed_afas.ledger import Ledger, OrderOutcome


def test_log_reads_a_ledger_connection_stored_in_the_metadata_db(airflow_db, tmp_path, monkeypatch, capsys):
    from airflow.models.connection import Connection
    from airflow.utils.session import create_session

    monkeypatch.delenv("AIRFLOW_CONN_LIGHTSPEED_AFAS_LEDGER", raising=False)
    path = tmp_path / "stored-ledger.db"
    Ledger(f"sqlite:///{path}").record(
        "acme", "r1", [OrderOutcome(1, "ORD4711", "u1", "created", "h", "60000009", "10009")], 5
    )
    with create_session() as session:
        session.add(Connection(conn_id="lightspeed_afas_ledger", conn_type="sqlite", host=str(path)))
    try:
        assert main(["log", "acme"]) == 0
        out = capsys.readouterr().out
        assert "ORD4711" in out and "60000009" in out and "created" in out
    finally:
        with create_session() as session:
            session.query(Connection).filter(Connection.conn_id == "lightspeed_afas_ledger").delete()


# -- --order without its prefix, and what the times are in (issue 14) -------------------------------------


def _ledger_at(path, monkeypatch) -> Ledger:
    import json

    monkeypatch.setenv(
        "AIRFLOW_CONN_LIGHTSPEED_AFAS_LEDGER", json.dumps({"conn_type": "sqlite", "host": str(path)})
    )
    ledger = Ledger(f"sqlite:///{path}")
    ledger.record(
        "acme",
        "r1",
        [
            OrderOutcome(1, "ORD10028", "u1", "created", "h1", "60000001", "10001"),
            OrderOutcome(2, "ORD10029", "u1", "created", "h2", "60000002", "10002"),
            OrderOutcome(
                3, "ORD1002", "u1", "failed", reason="AFAS: De ingevulde waarde bij 'Artikel' bestaat niet."
            ),
            OrderOutcome(4, "ORD1_2", "u1", "created", "h4", "60000004", "10004"),
        ],
        5,
    )
    return ledger


def test_an_order_number_without_its_prefix_is_found_and_the_assumption_said(
    airflow_db, tmp_path, monkeypatch, capsys
):
    _ledger_at(tmp_path / "ledger.db", monkeypatch)
    assert main(["log", "acme", "--order", "10028"]) == 0
    captured = capsys.readouterr()
    assert "no order '10028'; showing ORD10028" in captured.err
    assert "ORD10028" in captured.out and "60000001" in captured.out and "ORD10029" not in captured.out

    assert main(["log", "acme", "--order", "ORD10028"]) == 0  # exact: nothing assumed
    assert "showing" not in capsys.readouterr().err

    assert main(["log", "acme", "--order", "ord10029", "--json"]) == 0  # case-insensitive; stdout stays JSON
    captured = capsys.readouterr()
    assert "showing ORD10029" in captured.err and '"order_number": "ORD10029"' in captured.out

    assert main(["log", "acme", "--open", "--order", "1002"]) == 0  # ends in 1002: only ORD1002
    captured = capsys.readouterr()
    assert "showing ORD1002." in captured.err and "ORD1002" in captured.out and "Artikel" in captured.out


def test_an_ambiguous_or_unknown_order_lists_the_candidates_or_says_none(
    airflow_db, tmp_path, monkeypatch, capsys
):
    _ledger_at(tmp_path / "ledger.db", monkeypatch)
    assert main(["log", "acme", "--order", "ORD100"]) == 1  # ends in nothing, contained in three
    captured = capsys.readouterr()
    assert (
        "No order 'ORD100'; 3 order numbers end in or contain it: ORD1002, ORD10028, ORD10029" in captured.err
    )
    assert captured.out == ""
    assert main(["log", "acme", "--order", "4711"]) == 1
    assert "No order '4711' for tenant 'acme'" in capsys.readouterr().err
    assert main(["log", "acme", "--order", "%"]) == 1, "LIKE wildcards are literal characters"
    assert main(["log", "acme", "--order", "1_2"]) == 0
    assert "showing ORD1_2" in capsys.readouterr().err


def test_times_carry_their_zone_and_offset(airflow_db, tmp_path, monkeypatch, capsys, include):
    from datetime import UTC, datetime

    from tests.support.dashboard_seed import frozen_ledger_clock

    include.tenant("acme")  # the demo tenant's Europe/Amsterdam
    path = tmp_path / "ledger.db"
    with frozen_ledger_clock(datetime(2026, 11, 20, 10, 0, tzinfo=UTC)):
        _ledger_at(path, monkeypatch)
        Ledger(f"sqlite:///{path}").start_run("acme", "r1", "scheduled", None, None)
    assert main(["log", "acme"]) == 0
    out = capsys.readouterr().out
    assert "time (Europe/Amsterdam)" in out and "2026-11-20 11:00:00+01:00" in out
    assert "times in Europe/Amsterdam, the tenant's time zone; the Airflow UI shows UTC" in out
    assert main(["log", "acme", "--runs"]) == 0
    out = capsys.readouterr().out
    assert "started (Europe/Amsterdam)" in out and "2026-11-20 11:00:00+01:00" in out

    (include.tenants / "acme.yaml").unlink()
    from lightspeed_afas.config import clear_cache

    clear_cache()
    assert main(["log", "acme"]) == 0  # the tenant file is gone: its history is shown in UTC, and said so
    out = capsys.readouterr().out
    assert "time (UTC)" in out and "2026-11-20 10:00:00+00:00" in out and "no tenant file" in out


# -- no AIRFLOW_HOME: say what is assumed, create nothing ----------------------------------------------------


def _log_in_a_bare_shell(home, *args: str, **env: str):
    import os
    import subprocess
    import sys

    clean = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    clean.update(HOME=str(home), **env)
    return subprocess.run(
        [sys.executable, "-m", "lightspeed_afas", "log", "demo", *args],
        env=clean,
        cwd=home,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_without_airflow_home_and_without_airflow_it_refuses_and_creates_nothing(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    result = _log_in_a_bare_shell(home)
    assert result.returncode == 2, result.stderr
    assert (
        "AIRFLOW_HOME is not set" in result.stderr and f"{home / 'airflow'} does not exist" in result.stderr
    )
    assert "source .demo/env" in result.stderr and "Traceback" not in result.stderr
    assert list(home.iterdir()) == [], "no ~/airflow created"

    missing = tmp_path / "nowhere"
    result = _log_in_a_bare_shell(home, AIRFLOW_HOME=str(missing))
    assert result.returncode == 2 and f"AIRFLOW_HOME={missing} does not exist" in result.stderr
    assert not missing.exists() and list(home.iterdir()) == []


def test_without_airflow_home_it_reads_airflows_default_and_says_so(tmp_path):
    home = tmp_path / "home"
    (home / "airflow").mkdir(parents=True)
    result = _log_in_a_bare_shell(home)
    assert result.returncode == 1, result.stderr
    assert f"AIRFLOW_HOME is not set; using {home / 'airflow'}" in result.stderr
    ledger = home / "airflow" / "lightspeed_afas_ledger.db"
    assert f"the ledger {ledger} does not exist" in result.stderr and not ledger.exists(), "no empty ledger"

    Ledger(f"sqlite:///{ledger}").record(
        "demo", "r1", [OrderOutcome(1, "ORD10028", "u1", "created", "h", "60000009", "10009")], 5
    )
    result = _log_in_a_bare_shell(home, "--order", "10028")
    assert result.returncode == 0, result.stderr
    assert "using" in result.stderr and "showing ORD10028" in result.stderr and "60000009" in result.stdout


def test_open_problems_say_when_a_failed_order_is_tried_again(airflow_db, tmp_path, monkeypatch, capsys):
    """Not "retried by every run": the backoff from the last attempt, in the tenant's zone."""
    from datetime import UTC, datetime

    ledger = _ledger_at(tmp_path / "ledger.db", monkeypatch)
    at = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    ledger.record("acme", "r9", [OrderOutcome(9, "ORD9", "u9", "failed", "h", reason="Btw-code")], 5, at=at)
    assert main(["log", "acme", "--open", "--order", "ORD9"]) == 0
    out = capsys.readouterr().out
    assert "next retry" in out
    assert "2026-11-20 10:15:00+00:00" in out or "2026-11-20 11:15:00+01:00" in out  # 15 min after it
    assert "retried by every run" not in out and "15 min, 1 h, 4 h, 12 h, 24 h" in out
