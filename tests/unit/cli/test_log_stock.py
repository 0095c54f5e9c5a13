"""``log <tenant> --flow stock``: the stock runs, one run's pushes, and the variants left alone."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from lightspeed_afas.cli.main import main
from lightspeed_afas.domain.stock import Push, Variant
from lightspeed_afas.ledger import Ledger
from lightspeed_afas.ledger.stock import PushResult
from tests.support.dashboard_seed import frozen_ledger_clock

NOW = datetime(2026, 11, 23, 10, 15, tzinfo=UTC)
OLD_RUN = "scheduled__2026-11-22T10:00:00+00:00"
RUN = "scheduled__2026-11-23T10:15:00+00:00"
STOPPED = "Lightspeed budget: the rest of this window is left to the orders flow"
REFUSED = "Lightspeed: stockLevel must be a number"
SHARED = "variants 6, 7 all match AFAS item DUBBEL: give each its own code"


def variant(vid: int, article: str | None = None, ean: str | None = None) -> Variant:
    return Variant(vid, 900 + vid, article, None, ean, "enabled", 1, "2026-11-20T10:00:00+01:00")


@pytest.fixture
def ledger(airflow_db, tmp_path, monkeypatch) -> Ledger:
    """Two stock runs of ``acme`` (a day apart) and one order run, in the ledger the CLI reads."""
    path = tmp_path / "ledger.db"
    monkeypatch.setenv(
        "AIRFLOW_CONN_LIGHTSPEED_AFAS_LEDGER", json.dumps({"conn_type": "sqlite", "host": str(path)})
    )
    ledger = Ledger(f"sqlite:///{path}")
    with frozen_ledger_clock(NOW - timedelta(days=1)):
        pk = ledger.start_flow_run("acme", "stock", OLD_RUN, "scheduled")
        ledger.save_variants("acme", [variant(1, "KOF-1")])
        ledger.record_pushes("acme", OLD_RUN, [PushResult(Push(1, "KOF-1", 0, 99), "pushed", 99)])
        ledger.finish_flow_run(pk, "success", {"pushed": 1, "planned": 1}, {"lightspeed": 2, "afas": 1})
    with frozen_ledger_clock(NOW):
        pk = ledger.start_flow_run("acme", "stock", RUN, "manual")
        variants = [variant(1, "KOF-1"), variant(2, "KOF-2"), variant(4, "KOF-4")]
        ledger.save_variants("acme", variants + [variant(6, "DUBBEL"), variant(7, None, "DUBBEL")])
        ledger.set_decisions(
            "acme",
            {1: "KOF-1", 2: "KOF-2"},
            {4: "stockTracking is disabled in the shop", 6: SHARED, 7: SHARED},
        )
        results = [
            PushResult(Push(1, "KOF-1", 1, 12), "pushed", 12),
            PushResult(Push(2, "KOF-2", None, 0), "failed", reason=REFUSED),
        ]
        ledger.record_pushes("acme", RUN, results)
        counts = {"planned": 4, "pushed": 1, "failed": 1, "not_pushed": 2, "left_alone": 3}
        ledger.finish_flow_run(pk, "partial", counts, {"lightspeed": 9, "afas": 1}, STOPPED)
    return ledger


def test_the_stock_runs_and_the_newest_runs_pushes(ledger, capsys):
    assert main(["log", "acme", "--flow", "stock"]) == 0
    out = capsys.readouterr().out
    runs, pushes = out.split("\n\n")
    assert "started (UTC)" in runs and "not pushed" in runs and "left alone" in runs
    lines = runs.splitlines()
    assert RUN in lines[2] and "partial" in lines[2] and "LS 9 / AFAS 1" in lines[2] and STOPPED in lines[2]
    assert OLD_RUN in lines[3] and "success" in lines[3]
    assert "2 stock run(s), newest first; times in UTC" in runs
    assert "KOF-2" in pushes and "failed" in pushes and REFUSED in pushes and "?" in pushes
    assert "99" not in pushes, "the older run's push is not listed"
    assert f"2 push(es) of run {RUN}, newest first." in pushes


def test_one_runs_pushes_with_run_and_only_the_runs_with_runs(ledger, capsys):
    assert main(["log", "acme", "--flow", "stock", "--run", OLD_RUN]) == 0
    pushes = capsys.readouterr().out.split("\n\n")[1]
    assert "99" in pushes and "KOF-2" not in pushes and f"1 push(es) of run {OLD_RUN}" in pushes

    assert main(["log", "acme", "--flow", "stock", "--runs", "--limit", "1"]) == 0
    out = capsys.readouterr().out
    assert RUN in out and OLD_RUN not in out and "push(es)" not in out

    assert main(["log", "acme", "--flow", "stock", "--limit", "1"]) == 0
    out = capsys.readouterr().out
    assert "1 push(es)" in out and "more than 1: raise --limit" in out

    assert main(["log", "acme", "--flow", "stock", "--since", "2026-11-23"]) == 0
    assert OLD_RUN not in capsys.readouterr().out

    assert main(["log", "acme", "--flow", "stock", "--run", "manual__nope"]) == 1
    assert "No stock run 'manual__nope' for tenant 'acme'" in capsys.readouterr().err


def test_the_variants_left_alone_with_their_reasons(ledger, capsys):
    assert main(["log", "acme", "--flow", "stock", "--open"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == ["variant", "product", "codes", "kind", "why", "it", "is", "left", "alone"]
    assert lines[2].split()[:3] == ["6", "906", "articleCode=DUBBEL"] and SHARED in lines[2]
    assert lines[3].split()[:3] == ["7", "907", "ean=DUBBEL"]
    assert "tracking disabled" in lines[4]
    assert "3 of 5 variant(s) left alone (code shared by several variants 2, tracking disabled 1)" in out

    assert main(["log", "acme", "--flow", "stock", "--open", "--limit", "1"]) == 0
    assert "; 2 more: raise --limit" in capsys.readouterr().out


def test_json_output(ledger, capsys):
    assert main(["log", "acme", "--flow", "stock", "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["run_id"] == RUN and [r["run_id"] for r in body["runs"]] == [RUN, OLD_RUN]
    assert {p["outcome"] for p in body["pushes"]} == {"pushed", "failed"}
    assert main(["log", "acme", "--flow", "stock", "--open", "--json"]) == 0
    alone = json.loads(capsys.readouterr().out)
    assert [(a["id"], a["kind"]) for a in alone][0] == (6, "code shared by several variants")


def test_options_that_do_not_fit_the_flow_are_refused(ledger, capsys):
    assert main(["log", "acme", "--run", RUN]) == 2
    assert "--run needs --flow stock" in capsys.readouterr().err
    assert main(["log", "acme", "--flow", "stock", "--order", "ORD1"]) == 2
    assert "are for the orders flow" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["log", "acme", "--flow", "returns"])
    capsys.readouterr()


def test_a_tenant_with_orders_but_no_stock_runs(ledger, capsys):
    from lightspeed_afas.ledger import OrderOutcome

    ledger.record("shop", "r1", [OrderOutcome(1, "ORD1", "u1", "created", "h", "600", "100")], 5)
    assert main(["log", "shop", "--flow", "stock"]) == 0
    assert capsys.readouterr().out.strip() == "No stock runs for shop."
    assert main(["log", "shop", "--flow", "stock", "--open"]) == 0
    assert "No variant is left alone: all 0 in the map" in capsys.readouterr().out
