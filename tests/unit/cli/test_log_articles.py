"""``log <tenant> --flow articles``: the articles runs, the fields one run wrote (shop value → AFAS value),
and the open problems (items left alone, fields skipped, writes failing now)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from lightspeed_afas.cli.main import main
from lightspeed_afas.ledger import Ledger
from tests.support.article_seed import (
    DIMENSIONS,
    OLD_RUN,
    REFUSED,
    RUN,
    SHARED,
    STOPPED,
    seed_articles,
)

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@pytest.fixture
def ledger(airflow_db, tmp_path, monkeypatch) -> Ledger:
    """Two articles runs of ``acme`` (a day apart), in the ledger the CLI reads."""
    path = tmp_path / "ledger.db"
    monkeypatch.setenv(
        "AIRFLOW_CONN_LIGHTSPEED_AFAS_LEDGER", json.dumps({"conn_type": "sqlite", "host": str(path)})
    )
    return seed_articles(f"sqlite:///{path}", "acme", NOW)


def test_the_articles_runs_and_the_newest_runs_fields(ledger, capsys):
    assert main(["log", "acme", "--flow", "articles"]) == 0
    out = capsys.readouterr().out
    runs, writes = out.split("\n\n")
    header = runs.splitlines()[0]
    for column in ("started (UTC)", "written", "created", "left alone", "failed", "not written", "calls"):
        assert column in header
    lines = runs.splitlines()
    assert RUN in lines[2] and "partial" in lines[2] and "LS 14 / AFAS 3" in lines[2] and STOPPED in lines[2]
    assert lines[2].split()[4:9] == ["2", "1", "4", "1", "3"]
    assert OLD_RUN in lines[3] and "failed" in lines[3]
    assert "2 articles run(s), newest first; times in UTC" in runs

    rows = writes.splitlines()
    assert rows[0].split()[:4] == ["time", "(UTC)", "AFAS", "item"] and "shop → AFAS" in rows[0]
    by_item = {line.split()[2]: line for line in rows[2:-1]}
    assert (
        "priceExcl" in by_item["KOF-1"]
        and "variant 1" in by_item["KOF-1"]
        and "12.50 → 13.95" in by_item["KOF-1"]
    )
    assert (
        "title (nl)" in by_item["KOF-4"]
        and "product 904" in by_item["KOF-4"]
        and "unknown" in by_item["KOF-4"]
    )
    assert "failed" in by_item["KOF-2"] and REFUSED in by_item["KOF-2"]
    assert "create" in by_item["NEW-1"] and "- → Koffie NEW-1" in by_item["NEW-1"]
    assert "Koffie KOF-1" not in writes, "the older run's title write is not listed"
    assert (
        f"6 field(s) of run {RUN} (created 1, gone 1, unknown 1, failed 1, written 2), newest first."
        in writes
    )


def test_one_runs_fields_with_run_and_only_the_runs_with_runs(ledger, capsys):
    assert main(["log", "acme", "--flow", "articles", "--run", OLD_RUN]) == 0
    writes = capsys.readouterr().out.split("\n\n")[1]
    assert "Koffie → Koffie KOF-1" in writes and "KOF-2" not in writes
    assert f"2 field(s) of run {OLD_RUN}" in writes

    assert main(["log", "acme", "--flow", "articles", "--runs", "--limit", "1"]) == 0
    out = capsys.readouterr().out
    assert RUN in out and OLD_RUN not in out and "field(s)" not in out

    assert main(["log", "acme", "--flow", "articles", "--limit", "2"]) == 0
    out = capsys.readouterr().out
    assert "2 field(s)" in out and "more than 2: raise --limit" in out

    assert main(["log", "acme", "--flow", "articles", "--since", "2026-11-23"]) == 0
    assert OLD_RUN not in capsys.readouterr().out

    assert main(["log", "acme", "--flow", "articles", "--run", "manual__nope"]) == 1
    assert "No articles run 'manual__nope' for tenant 'acme'" in capsys.readouterr().err


def test_a_run_that_wrote_nothing_says_so(ledger, capsys):
    pk = ledger.start_flow_run("acme", "articles", "manual__quiet", "manual")
    ledger.finish_flow_run(pk, "dry_run", {"planned_fields": 3}, {"lightspeed": 1, "afas": 3})
    assert main(["log", "acme", "--flow", "articles"]) == 0
    out = capsys.readouterr().out
    assert "Run manual__quiet wrote no field (a dry run, or the shop already showed what AFAS holds)." in out


def test_the_open_problems_items_left_alone_and_writes_failing(ledger, capsys):
    assert main(["log", "acme", "--flow", "articles", "--open"]) == 0
    items, failing = capsys.readouterr().out.split("\n\n")
    lines = items.splitlines()
    assert lines[0].split() == ["AFAS", "item", "status", "variant", "product", "kind", "why"]
    kinds = [line.split()[0] for line in lines[2:-1]]
    assert kinds == ["MAAT-1", "DUBBEL", "NIET-1", "NIET-2", "KOF-6"], "by kind, the skipped fields last"
    assert "left_alone  20" in lines[2] and DIMENSIONS[:60] in lines[2]
    assert SHARED in lines[3] and "fields skipped" in lines[6] and "916" in lines[6]
    assert (
        "5 of 12 AFAS item(s) (article dimensions 1, code shared by several variants 1, not in the shop 2"
        in items
    )
    assert "fields skipped 1)" in items

    rows = failing.splitlines()
    assert "run" in rows[0].split()
    assert [r.split()[2] for r in rows[2:4]] == ["KOF-4", "KOF-2"]
    assert "KOF-3" not in failing, "its old failure was written since"
    assert "KOF-5" not in failing, "a gone variant is no failing write"
    assert "2 write(s) failing now, newest first; times in UTC" in failing

    assert main(["log", "acme", "--flow", "articles", "--open", "--limit", "1"]) == 0
    out = capsys.readouterr().out
    assert "; 4 more: raise --limit" in out and "; 1 more: raise --limit" in out


def test_json_output(ledger, capsys):
    assert main(["log", "acme", "--flow", "articles", "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["run_id"] == RUN and [r["run_id"] for r in body["runs"]] == [RUN, OLD_RUN]
    assert {w["outcome"] for w in body["writes"]} == {"written", "failed", "unknown", "gone", "created"}
    assert main(["log", "acme", "--flow", "articles", "--open", "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert (found["items"][0]["item_code"], found["items"][0]["kind"]) == ("MAAT-1", "article dimensions")
    assert [w["item_code"] for w in found["failing_writes"]] == ["KOF-4", "KOF-2"]


def test_options_that_do_not_fit_the_flow_are_refused(ledger, capsys):
    assert main(["log", "acme", "--run", RUN]) == 2
    assert "--run needs --flow stock or --flow articles" in capsys.readouterr().err
    assert main(["log", "acme", "--flow", "articles", "--order", "ORD1"]) == 2
    assert "are for the orders flow; with --flow articles use --run" in capsys.readouterr().err


def test_a_tenant_with_orders_but_no_articles_runs(ledger, capsys):
    from lightspeed_afas.ledger import OrderOutcome

    ledger.record("shop", "r1", [OrderOutcome(1, "ORD1", "u1", "created", "h", "600", "100")], 5)
    assert main(["log", "shop", "--flow", "articles"]) == 0
    assert capsys.readouterr().out.strip() == "No articles runs for shop."
    assert main(["log", "shop", "--flow", "articles", "--open"]) == 0
    out = capsys.readouterr().out
    assert "No AFAS item is left alone: all 0 follow AFAS" in out and "No write is failing" in out
