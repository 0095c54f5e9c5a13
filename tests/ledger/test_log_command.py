"""The ``log`` command finds the ledger the way the team configured it — also a connection stored in
Airflow's metadata DB (the UI), which the Task SDK's lookup does not see outside a task."""

from __future__ import annotations

from lightspeed_afas.cli import main
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
