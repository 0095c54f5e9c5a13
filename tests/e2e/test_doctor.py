"""``python -m lightspeed_afas doctor`` against the emulators: what passes, and what it says when not."""

from __future__ import annotations

import json
import os

from lightspeed_afas.cli.main import main


def test_doctor_passes_for_a_correct_tenant(sync_env, capsys):
    assert main(["doctor", "shop"]) == 0
    out = capsys.readouterr().out
    assert "ok   Lightspeed connection ls_shop" in out and "UpdateConnector FbSales is allowed" in out
    assert "journal VK exists in administration 1" in out and "shop: all checks passed" in out


def test_doctor_names_each_problem(sync_env, capsys, monkeypatch):
    sync_env.tenant(afas={"sales_journal": "XX", "administration": 7})
    assert main(["doctor", "shop"]) == 1
    out = capsys.readouterr().out
    assert "FAIL afas.administration: administration 7 does not exist" in out
    assert "2 problem(s) to fix" in out or "problem(s) to fix" in out
    monkeypatch.setenv(
        "AIRFLOW_CONN_AFAS_SHOP",
        json.dumps(
            {
                "conn_type": "afas_profit",
                "host": f"{sync_env.afas.url}/ProfitRestServices",
                "password": "WRONG",
            }
        ),
    )
    assert main(["doctor", "shop"]) == 1
    out = capsys.readouterr().out
    assert "FAIL AFAS connection afas_shop" in out and "token" in out and "WRONG" not in out


def test_doctor_finds_connections_stored_in_the_metadata_db(sync_env, capsys, monkeypatch):
    """``airflow connections add`` and the UI store connections in the metadata DB: the tasks see them
    there, and so must the doctor (the Task SDK's lookup outside a task does not)."""
    from airflow.models.connection import Connection
    from airflow.utils.session import create_session

    stored = {}
    for conn_id in ("ls_shop", "afas_shop"):
        env = f"AIRFLOW_CONN_{conn_id.upper()}"
        stored[conn_id] = Connection.from_json(os.environ[env], conn_id)
        monkeypatch.delenv(env)
    try:
        with create_session() as session:
            session.add_all(stored.values())
        assert main(["doctor", "shop"]) == 0, capsys.readouterr().out
        out = capsys.readouterr().out
        assert "ok   Lightspeed connection ls_shop" in out and "ok   AFAS connection afas_shop" in out
    finally:
        with create_session() as session:
            session.query(Connection).filter(Connection.conn_id.in_(list(stored))).delete()


def test_doctor_says_how_to_create_a_connection_defined_nowhere(sync_env, capsys, monkeypatch):
    monkeypatch.delenv("AIRFLOW_CONN_LS_SHOP")
    assert main(["doctor", "shop"]) == 1
    out = capsys.readouterr().out
    assert "FAIL Lightspeed connection ls_shop: The conn_id `ls_shop` isn't defined" in out
    assert "airflow connections add" in out and "Admin → Connections" in out


# -- a tenant with a stock block ------------------------------------------------------------------------


def test_doctor_checks_the_stock_connector_and_the_variants(sync_env, capsys):
    sync_env.tenant(stock={"schedule": "*/15 * * * *"})
    assert main(["doctor", "shop"]) == 0, capsys.readouterr().out
    out = capsys.readouterr().out
    assert "ok   Lightspeed variants of ls_shop: variants/count answers" in out
    assert (
        "ok   stock GetConnector Profit_Stock_per_Warehouse: 5 field(s), with item Item_code, quantity In_stock"
        in out
    )
    assert "note not checked (it would write to the shop)" in out and "shop: all checks passed" in out


def test_doctor_names_a_missing_stock_field_and_a_connector_not_offered(sync_env, capsys):
    sync_env.tenant(stock={"fields": {"quantity": "Vrije_voorraad"}})
    assert main(["doctor", "shop"]) == 1
    out = capsys.readouterr().out
    assert (
        "FAIL stock GetConnector Profit_Stock_per_Warehouse: GetConnector Profit_Stock_per_Warehouse has no "
        "field stock.fields.quantity = 'Vrije_voorraad'; its fields are " in out
    )
    assert "shop: 1 problem(s) to fix" in out
    sync_env.tenant(stock={"connector": "Geen_Voorraad"})
    assert main(["doctor", "shop"]) == 1
    line = next(x for x in capsys.readouterr().out.splitlines() if "stock GetConnector" in x)
    assert line.startswith("FAIL stock GetConnector Geen_Voorraad: ") and "stock.connector" in line
