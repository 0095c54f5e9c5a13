"""``log <tenant> --webhooks``: the receiver's log, newest first — the webhooks it answered (group, action,
order id, HTTP status, outcome, reason) and its run decisions (run id) — in the tenant's time zone, with
``--since``, ``--limit`` and ``--json`` as in the other views; other options are refused."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from lightspeed_afas.cli.main import main
from lightspeed_afas.ledger import Ledger

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
RUN = "manual__2026-11-23T09:40:00+00:00"
FORGED = "no valid X-Signature"


@pytest.fixture
def ledger(airflow_db, tmp_path, monkeypatch, include) -> Ledger:
    """``acme`` (a tenant file in Europe/Amsterdam) with only the receiver's rows: no run, no order yet."""
    include.tenant("acme", {"webhooks": {"public_url": "https://hooks.example.nl"}})
    path = tmp_path / "ledger.db"
    monkeypatch.setenv(
        "AIRFLOW_CONN_LIGHTSPEED_AFAS_LEDGER", json.dumps({"conn_type": "sqlite", "host": str(path)})
    )
    ledger = Ledger(f"sqlite:///{path}")

    def hook(minutes: int, status: int, outcome: str, **values: object) -> None:
        ledger.record_webhook("acme", status, outcome, at=NOW - timedelta(minutes=minutes), **values)

    hook(60 * 26, 404, "refused", reason="no such webhook address")
    hook(21, 202, "queued", item_group="orders", action="created", item_id=1003)
    hook(20, 200, "triggered", action="run", run_id=RUN)
    hook(
        15,
        202,
        "joined",
        item_group="orders",
        action="paid",
        item_id=1003,
        reason="a run is asked for already",
    )
    hook(12, 401, "refused", item_group="orders", reason=FORGED)
    hook(10, 500, "failed", action="run", reason="Airflow answered 503 " + "x" * 120)
    ledger.record_webhook("other", 202, "queued", item_group="orders", action="created", item_id=9, at=NOW)
    return ledger


def _body(out: str) -> list[list[str]]:
    return [line.split() for line in out.splitlines()[2:] if line.startswith("2026-")]


def test_the_receivers_rows_newest_first_in_the_tenants_zone(ledger, capsys):
    assert main(["log", "acme", "--webhooks"]) == 0
    out = capsys.readouterr().out
    header = out.splitlines()[0].split()
    assert header == ["time", "(Europe/Amsterdam)", "group", "action", "order", "id", "status", "outcome", "run",
                      "reason"]  # fmt: skip
    rows = _body(out)
    assert [r[2:8] for r in rows[:5]] == [
        ["-", "run", "-", "500", "failed", "-"],
        ["orders", "-", "-", "401", "refused", "-"],
        ["orders", "paid", "1003", "202", "joined", "-"],
        ["-", "run", "-", "200", "triggered", RUN],
        ["orders", "created", "1003", "202", "queued", "-"],
    ]
    assert rows[0][:2] == ["2026-11-23", "10:50:00+01:00"], "the tenant's time, with its offset"
    assert rows[-1][:2] == ["2026-11-22", "09:00:00+01:00"] and rows[-1][6] == "refused"
    assert len(rows) == 6 and "9" not in [r[4] for r in rows], "no other tenant's"
    lines = out.splitlines()
    assert FORGED in lines[3] and "a run is asked for already" in lines[4]
    assert lines[2].endswith("…") and "x" * 120 not in out, "reasons cut unless --wide"
    assert (
        "6 row(s), newest first: 4 webhook(s) (joined 1, queued 1, refused 2), 2 run decision(s) (failed 1, "
        "triggered 1); times in Europe/Amsterdam, the tenant's time zone; the Airflow UI shows UTC." in out
    )
    assert main(["log", "acme", "--webhooks", "--wide"]) == 0
    assert "x" * 120 in capsys.readouterr().out


def test_since_limit_and_json(ledger, capsys):
    assert main(["log", "acme", "--webhooks", "--since", "2026-11-23T10:44", "--limit", "2"]) == 0
    out = capsys.readouterr().out
    assert [r[6] for r in _body(out)] == ["failed", "refused"]
    assert "2 row(s), newest first" in out and "more than 2: raise --limit" in out

    assert main(["log", "acme", "--webhooks", "--since", "2026-11-23T10:44"]) == 0  # 09:44 UTC on
    assert len(_body(capsys.readouterr().out)) == 3

    assert main(["log", "acme", "--webhooks", "--json", "--limit", "3"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["outcome"], r["status"], r["run_id"]) for r in rows] == [
        ("failed", 500, None),
        ("refused", 401, None),
        ("joined", 202, None),
    ]
    assert (
        rows[2]["item_id"] == 1003
        and rows[2]["action"] == "paid"
        and rows[0]["at"].startswith("2026-11-23T09:50")
    )

    assert main(["log", "acme", "--webhooks", "--since", "2026-11-24"]) == 0
    assert capsys.readouterr().out.startswith("No webhooks since 2026-11-24 00:00:00+01:00 for acme:")


def test_other_options_do_not_go_with_webhooks_and_an_unknown_tenant_is_said(ledger, capsys):
    for extra in (["--runs"], ["--open"], ["--flow", "stock"], ["--order", "ORD1"], ["--status", "failed"]):
        assert main(["log", "acme", "--webhooks", *extra]) == 2, extra
        assert "--webhooks lists the receiver's log on its own" in capsys.readouterr().err
    assert main(["log", "nobody", "--webhooks"]) == 1
    assert "has no entries for tenant 'nobody'" in capsys.readouterr().out
    assert main(["log", "acme"]) == 1, "the orders view still wants a run or an order"


def test_since_in_the_tenants_zone_narrows_the_bookings_too_on_sqlite(ledger, capsys):
    """SQLite keeps the UTC times without their offset: ``--since`` is compared as UTC (it was an hour off)."""
    from lightspeed_afas.ledger import OrderOutcome
    from tests.support.dashboard_seed import frozen_ledger_clock

    with frozen_ledger_clock(NOW - timedelta(minutes=10)):  # 10:50 in Amsterdam
        ledger.record("acme", "r1", [OrderOutcome(1, "ORD1", "u1", "created", "h1", "60000001", "10001")], 5)
    assert main(["log", "acme", "--since", "2026-11-23T10:44"]) == 0
    assert "ORD1" in capsys.readouterr().out
    assert main(["log", "acme", "--since", "2026-11-23T10:51"]) == 0
    assert "No bookings match." in capsys.readouterr().out
