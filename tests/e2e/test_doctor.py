"""``python -m lightspeed_afas doctor`` against the emulators: what passes, and what it says when not."""

from __future__ import annotations

import json

from lightspeed_afas.cli import main


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
