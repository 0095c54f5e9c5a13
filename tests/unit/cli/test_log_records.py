"""``log <tenant> --flow customers|credit_notes``: the flow's runs, what one run did to each record (its
attempts), and the records not in AFAS now (failed, waiting, quarantined) with their numbers and reasons."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from lightspeed_afas.cli.main import main
from lightspeed_afas.ledger import Ledger
from tests.support.record_seed import (
    CREDIT_REFUSED,
    CREDIT_TOTAL,
    NO_COUNTRY,
    OLD_RUN,
    REFUSED,
    RUN,
    STOPPED,
    UNCONFIRMED,
    WAITING,
    seed_records,
)

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@pytest.fixture
def ledger(airflow_db, tmp_path, monkeypatch) -> Ledger:
    """Two customers runs and two credit-notes runs of ``acme`` (a day apart), in the ledger the CLI reads."""
    path = tmp_path / "ledger.db"
    monkeypatch.setenv(
        "AIRFLOW_CONN_LIGHTSPEED_AFAS_LEDGER", json.dumps({"conn_type": "sqlite", "host": str(path)})
    )
    return seed_records(f"sqlite:///{path}", "acme", NOW)


def _rows(table: str) -> dict[str, str]:
    """A table's body lines by their first cell after the time (the two time cells)."""
    return {line.split()[2]: line for line in table.splitlines()[2:-1]}


def test_the_customers_runs_and_the_newest_runs_customers(ledger, capsys):
    assert main(["log", "acme", "--flow", "customers"]) == 0
    runs, attempts = capsys.readouterr().out.split("\n\n")
    lines = runs.splitlines()
    assert lines[0].split()[:6] == ["started", "(UTC)", "run", "mode", "outcome", "created"]
    assert lines[0].split()[6:] == ["linked", "failed", "quarantined", "skipped", "calls", "message"]
    assert lines[2].split()[2:9] == [RUN, "manual", "partial", "1", "1", "1", "1"]
    assert "LS 3 / AFAS 5" in lines[2] and STOPPED in lines[2]
    assert OLD_RUN in lines[3] and "failed" in lines[3]
    assert "2 customers run(s), newest first; times in UTC" in runs

    header = attempts.splitlines()[0].split()
    assert header == ["time", "(UTC)", "customer", "action", "debtor", "reason"]
    by_customer = _rows(attempts)
    assert set(by_customer) == {"502", "503", "504", "505", "506"}, "the older run's 501 is not listed"
    assert by_customer["506"].split()[3:5] == ["created", "10006"]
    assert by_customer["503"].split()[3:5] == ["linked", "10003"]
    assert "quarantined" in by_customer["502"] and REFUSED in by_customer["502"]
    assert NO_COUNTRY in by_customer["504"] and UNCONFIRMED in by_customer["505"]
    assert (
        f"5 customer(s) of run {RUN} (created 1, failed 1, linked 1, quarantined 1, skipped 1), newest first."
        in attempts
    )


def test_the_credit_notes_attempts_name_the_note_its_order_and_the_afas_document(ledger, capsys):
    assert main(["log", "acme", "--flow", "credit_notes"]) == 0
    runs, attempts = capsys.readouterr().out.split("\n\n")
    assert "waiting" in runs.splitlines()[0] and "2 credit-notes run(s)" in runs
    assert runs.splitlines()[2].split()[2:11] == [RUN, "scheduled", "failed", "0", "1", "1", "1", "1", "0"]
    assert attempts.splitlines()[0].split() == [
        "time", "(UTC)", "credit", "note", "id", "order", "action", "AFAS", "document", "reason",
    ]  # fmt: skip
    notes = _rows(attempts)
    assert notes["INV00004"].split()[3:7] == ["1742004", "ORD1004", "linked", "7004"]
    assert (
        notes["INV00002"].split()[3:7] == ["1742002", "ORD1002", "waiting", "-"]
        and WAITING in notes["INV00002"]
    )
    assert "quarantined" in notes["INV00005"] and CREDIT_TOTAL in notes["INV00005"]
    assert "INV00001" not in attempts
    assert f"4 credit note(s) of run {RUN} (failed 1, linked 1, quarantined 1, waiting 1)" in attempts


def test_one_runs_records_with_run_only_the_runs_with_runs_and_since(ledger, capsys):
    assert main(["log", "acme", "--flow", "credit_notes", "--run", OLD_RUN]) == 0
    attempts = capsys.readouterr().out.split("\n\n")[1]
    assert set(_rows(attempts)) == {"INV00001", "INV00002"} and "7001" in attempts
    assert f"2 credit note(s) of run {OLD_RUN} (created 1, waiting 1)" in attempts

    assert main(["log", "acme", "--flow", "customers", "--runs", "--limit", "1"]) == 0
    out = capsys.readouterr().out
    assert RUN in out and OLD_RUN not in out and "customer(s)" not in out

    assert main(["log", "acme", "--flow", "customers", "--limit", "2"]) == 0
    out = capsys.readouterr().out
    assert "2 customer(s) of run" in out and "more than 2: raise --limit" in out

    assert main(["log", "acme", "--flow", "customers", "--since", "2026-11-23"]) == 0
    assert OLD_RUN not in capsys.readouterr().out

    assert main(["log", "acme", "--flow", "customers", "--run", "manual__nope"]) == 1
    assert "No customers run 'manual__nope' for tenant 'acme'" in capsys.readouterr().err


def test_a_run_that_recorded_nothing_says_so(ledger, capsys):
    pk = ledger.start_flow_run("acme", "customers", "manual__quiet", "manual")
    ledger.finish_flow_run(pk, "ok", {"seen": 3, "unchanged": 3}, {"lightspeed": 1, "afas": 0})
    assert main(["log", "acme", "--flow", "customers"]) == 0
    out = capsys.readouterr().out
    assert "Run manual__quiet recorded no customer (a dry run, or nothing new in its window)." in out


def test_the_open_records_quarantined_failed_then_waiting(ledger, capsys):
    assert main(["log", "acme", "--flow", "credit_notes", "--open"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split()[:7] == ["credit", "note", "id", "order", "status", "failures", "changed"]
    assert [line.split()[0] for line in lines[2:5]] == ["INV00005", "INV00003", "INV00002"]
    assert lines[3].split()[1:5] == ["1742003", "ORD1003", "failed", "1"] and "10003" in lines[3]
    assert CREDIT_REFUSED in lines[3]
    assert "3 of 5 credit note(s) not in AFAS (quarantined 1, failed 1, waiting 1); times in UTC" in out
    assert "trigger lightspeed_afas_acme__credit_notes with since/until" in out
    assert "A waiting credit note's order is not in AFAS yet" in out

    assert main(["log", "acme", "--flow", "customers", "--open"]) == 0
    out = capsys.readouterr().out
    rows = out.splitlines()
    assert rows[0].split()[:3] == ["customer", "status", "failures"]
    assert rows[2].split()[:3] == ["502", "quarantined", "2"] and rows[3].split()[:3] == [
        "504",
        "failed",
        "1",
    ]
    assert "2 of 6 customer(s) not in AFAS (quarantined 1, failed 1)" in out and "waiting" not in out

    assert main(["log", "acme", "--flow", "credit_notes", "--open", "--limit", "1"]) == 0
    out = capsys.readouterr().out
    assert "INV00005" in out and "INV00003" not in out and "; 2 more: raise --limit" in out


def test_json_output(ledger, capsys):
    assert main(["log", "acme", "--flow", "credit_notes", "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["run_id"] == RUN and [r["run_id"] for r in body["runs"]] == [RUN, OLD_RUN]
    assert {a["action"] for a in body["attempts"]} == {"linked", "waiting", "failed", "quarantined"}
    assert {a["number"] for a in body["attempts"]} == {"INV00002", "INV00003", "INV00004", "INV00005"}

    assert main(["log", "acme", "--flow", "customers", "--open", "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert found["counts"] == {"created": 2, "linked": 1, "failed": 1, "quarantined": 1, "skipped": 1}
    assert [(s["item_id"], s["status"], s["failures"]) for s in found["open"]] == [
        (502, "quarantined", 2),
        (504, "failed", 1),
    ]

    assert main(["log", "acme", "--flow", "customers", "--runs", "--json"]) == 0
    assert [r["outcome"] for r in json.loads(capsys.readouterr().out)] == ["partial", "failed"]


def test_options_that_do_not_fit_the_flow_are_refused(ledger, capsys):
    assert main(["log", "acme", "--run", RUN]) == 2
    assert "--run needs --flow stock or --flow articles or --flow customers or --flow credit_notes" in (
        capsys.readouterr().err
    )
    assert main(["log", "acme", "--flow", "credit_notes", "--status", "failed"]) == 2
    assert "are for the orders flow; with --flow credit_notes use --run" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["log", "acme", "--flow", "credit-notes"])
    assert "invalid choice: 'credit-notes'" in capsys.readouterr().err


def test_a_tenant_with_orders_but_no_record_runs(ledger, capsys):
    from lightspeed_afas.ledger import OrderOutcome

    ledger.record("shop", "r1", [OrderOutcome(1, "ORD1", "u1", "created", "h", "600", "100")], 5)
    assert main(["log", "shop", "--flow", "credit_notes"]) == 0
    assert capsys.readouterr().out.strip() == "No credit-notes runs for shop."
    assert main(["log", "shop", "--flow", "customers", "--open"]) == 0
    out = capsys.readouterr().out
    assert "No customer is failing, waiting or quarantined: all 0 in the ledger" in out
