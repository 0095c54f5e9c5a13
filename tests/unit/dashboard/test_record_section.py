"""The tenant page's Customers and Credit notes sections: the flow's runs, its records by status, the records
failing, waiting or quarantined now (with their numbers and reasons) and the ones in AFAS lately — from a
ledger seeded through its own API, as HTML (escaped) and in the tenant JSON, behind Airflow's login."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from lightspeed_afas.dashboard.components import count_cards, runs_table
from lightspeed_afas.dashboard.record_data import open_records, record_view
from lightspeed_afas.dashboard.record_section import record_section
from lightspeed_afas.ledger import Ledger
from lightspeed_afas.ledger.flow_items import ItemOutcome
from tests.support.dashboard_seed import TENANT, frozen_ledger_clock
from tests.support.record_seed import (
    CREDIT_REFUSED,
    CREDIT_TOTAL,
    NO_COUNTRY,
    OLD_RUN,
    REFUSED,
    RUN,
    STOPPED,
    WAITING,
    seed_records,
)

BASE = "/lightspeed-afas"
ZONE = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


# -- the data ------------------------------------------------------------------------------------------


def test_the_customers_view_holds_the_runs_the_statuses_and_the_open_and_booked_records(ledger_url):
    seed_records(ledger_url, TENANT, NOW)
    view = record_view(Ledger(ledger_url).engine, TENANT, "customers")
    assert view["dag_id"] == f"lightspeed_afas_{TENANT}__customers" and view["flow"] == "customers"
    assert [r["run_id"] for r in view["runs"]] == [RUN, OLD_RUN] and view["last_run"] == view["runs"][0]
    run = view["last_run"]
    assert (run["outcome"], run["mode"], run["message"]) == ("partial", "manual", STOPPED)
    assert run["counts"]["to resolve"] == 4 and run["calls"] == {"lightspeed": 3, "afas": 5}
    assert run["started_at"] == "2026-11-23T10:00:00+00:00"

    assert view["items"] == {
        "created": 2,
        "linked": 1,
        "waiting": 0,
        "failed": 1,
        "quarantined": 1,
        "skipped": 1,
    }
    assert (view["items_total"], view["open_total"], view["booked_total"]) == (6, 2, 3)
    assert view["open"] == [
        {
            "item_id": 502,
            "number": None,
            "status": "quarantined",
            "afas_id": None,
            "debtor_id": None,
            "order_id": None,
            "order_number": None,
            "reason": REFUSED,
            "failures": 2,
            "changed_at": "2026-11-23T10:00:00+00:00",
        },
        {
            "item_id": 504,
            "number": None,
            "status": "failed",
            "afas_id": None,
            "debtor_id": None,
            "order_id": None,
            "order_number": None,
            "reason": NO_COUNTRY,
            "failures": 1,
            "changed_at": "2026-11-23T10:00:00+00:00",
        },
    ]
    assert [(r["item_id"], r["status"], r["debtor_id"]) for r in view["booked"]] == [
        (506, "created", "10006"),
        (503, "linked", "10003"),
        (501, "created", "10001"),
    ]


def test_the_credit_notes_view_has_the_numbers_of_each_note_and_its_order(ledger_url):
    seed_records(ledger_url, TENANT, NOW)
    view = record_view(Ledger(ledger_url).engine, TENANT, "credit_notes")
    assert view["last_run"]["outcome"] == "failed" and view["last_run"]["message"] is None
    assert view["items"] == {
        "created": 1,
        "linked": 1,
        "waiting": 1,
        "failed": 1,
        "quarantined": 1,
        "skipped": 0,
    }
    assert [(r["number"], r["status"], r["order_number"], r["reason"]) for r in view["open"]] == [
        ("INV00005", "quarantined", "ORD1005", CREDIT_TOTAL),
        ("INV00003", "failed", "ORD1003", CREDIT_REFUSED),
        ("INV00002", "waiting", "ORD1002", WAITING),
    ], "quarantined first, then failed, then waiting"
    assert view["open"][1]["debtor_id"] == "10003" and view["open"][1]["item_id"] == 1742003
    assert [(r["number"], r["afas_id"], r["order_number"], r["debtor_id"]) for r in view["booked"]] == [
        ("INV00004", "7004", "ORD1004", "10004"),
        ("INV00001", "7001", "ORD1001", "10001"),
    ]
    assert view["open_total"] == 3 and view["booked_total"] == 2


def test_many_waiting_records_never_hide_a_quarantined_one(tmp_path):
    ledger = Ledger(f"sqlite:///{tmp_path / 'ledger.db'}")
    with frozen_ledger_clock(NOW.replace(hour=8)):
        ledger.record_items(TENANT, "credit_notes", "r1", [ItemOutcome(1, "failed", reason="x")], 1)
    with frozen_ledger_clock(NOW):
        waiting = [ItemOutcome(100 + i, "waiting", reason=WAITING) for i in range(5)]
        ledger.record_items(TENANT, "credit_notes", "r2", waiting, 5)
    found = open_records(ledger, TENANT, "credit_notes", shown=3)
    assert [(s.item_id, s.status) for s in found] == [(1, "quarantined"), (104, "waiting"), (103, "waiting")]
    view = record_view(ledger.engine, TENANT, "credit_notes")
    assert view["open_total"] == 6 and len(view["open"]) == 6 and view["runs"] == []


def test_a_tenant_without_runs_has_an_empty_view_and_an_unknown_flow_is_refused(tmp_path):
    engine = Ledger(f"sqlite:///{tmp_path / 'ledger.db'}").engine
    view = record_view(engine, TENANT, "customers")
    assert view["last_run"] is None and view["runs"] == [] and view["open"] == [] and view["booked"] == []
    assert view["items_total"] == 0 and set(view["items"].values()) == {0}
    html = record_section(view, "", ZONE)
    assert "No customers run yet." in html and "No customer in the ledger yet." in html
    assert "None: no customer is failing, waiting or quarantined." in html
    assert 'id="customers-runs"' not in html and 'id="customers-booked"' not in html
    with pytest.raises(ValueError, match="'stock' is not a record flow"):
        record_view(engine, TENANT, "stock")


# -- the HTML ------------------------------------------------------------------------------------------


def _record(**changes: object) -> dict:
    rec = {
        "item_id": 1742003,
        "number": "<i>INV3</i>",
        "status": "failed",
        "afas_id": None,
        "debtor_id": "10003",
        "order_id": 9003,
        "order_number": "<b>ORD3</b>",
        "reason": "AFAS: <em>no</em> & never",
        "failures": 2,
        "changed_at": "2026-11-23T10:15:00+00:00",
    }
    return rec | changes


def _view(flow: str = "credit_notes", **changes: object) -> dict:
    run = {
        "run_id": "<run>",
        "mode": "scheduled",
        "outcome": "partial",
        "started_at": "2026-11-23T10:15:00+00:00",
        "finished_at": None,
        "duration_s": 2.5,
        "counts": {"created": 3, "waiting": 2, "failed": 1, "to book": 6, "invoices read": 250},
        "calls": {"lightspeed": 1234, "afas": 7},
        "message": "<script>alert(1)</script>",
    }
    view = {
        "tenant": TENANT,
        "flow": flow,
        "dag_id": f"lightspeed_afas_{TENANT}__{flow}",
        "last_run": run,
        "runs": [run],
        "items": {"created": 3, "linked": 0, "waiting": 2, "failed": 1, "quarantined": 0, "skipped": 0},
        "items_total": 6,
        "open": [_record(), _record(item_id=1742004, status="waiting", number="INV4", debtor_id=None)],
        "open_total": 5,
        "booked": [_record(item_id=1742001, status="created", number="INV1", afas_id="7001", reason="ok")],
        "booked_total": 3,
    }
    return view | changes


def test_the_credit_notes_section_shows_each_number_and_escapes_every_value():
    html = record_section(_view(), "/root", ZONE)
    for raw in ("<script>", "<i>INV3</i>", "<b>ORD3</b>", "<em>", "<run>"):
        assert raw not in html
    assert html.startswith('<section id="credit-notes"><h2>Credit notes</h2>')
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "Stopped:" in html
    assert "AFAS: &lt;em&gt;no&lt;/em&gt; &amp; never" in html
    assert 'href="/root/dags/lightspeed_afas_dashacme__credit_notes"' in html
    assert "1,234 / 7" in html and "2026-11-23 11:15 +01:00" in html and "· 2.5 s" in html
    assert 'data-count="Waiting for their order"><div class="v warn">2<' in html
    assert 'data-count="Failed"><div class="v bad">1<' in html
    assert "to book 6, invoices read 250" in html, "the counts beside the cards"
    assert 'id="credit-notes-runs"' in html and "<th>Counts</th>" in html

    statuses = html[html.index('id="credit-notes-statuses"') :]
    assert '<tr data-status="waiting">' in statuses and '<tr data-status="linked">' not in statuses
    assert "Records by status (6)" in html

    assert "Not in AFAS now (5)" in html and "the first 2 of 5 shown" in html
    opened = html[html.index('id="credit-notes-open"') : html.index('id="credit-notes-booked"')]
    assert "<th>Credit note</th><th>Order</th><th>AFAS document</th><th>Debtor</th>" in opened
    assert "&lt;i&gt;INV3&lt;/i&gt;<br>" in opened and "id 1742003" in opened and "&lt;b&gt;ORD3" in opened
    assert '<tr data-item="1742004">' in opened and '<th class="num">Failures</th>' in opened
    assert f"log {TENANT} --flow credit_notes --open" in html
    assert f"log {TENANT} --flow credit_notes --run RUN_ID" in html

    booked = html[html.index('id="credit-notes-booked"') :]
    assert "In AFAS lately (1 of 3)" in html and "<td>7001</td>" in booked and "Failures" not in booked


def test_the_customers_section_shows_the_customer_id_and_the_debtor_only():
    view = _view(
        "customers",
        open=[_record(item_id=502, number=None, order_number=None, debtor_id=None, status="quarantined")],
        open_total=1,
        booked=[_record(item_id=501, number=None, order_number=None, afas_id="10001", debtor_id="10001")],
    )
    html = record_section(view, "", ZONE)
    assert html.startswith('<section id="customers"><h2>Customers</h2>')
    assert "<th>Customer</th><th>Debtor</th><th>Status</th>" in html
    assert "Credit note" not in html and "Order" not in html and "AFAS document" not in html
    assert '<tr data-item="502"><td>502</td><td><span class="muted">—</span></td>' in html
    assert '<tr data-item="501"><td>501</td><td>10001</td>' in html
    assert "Not in AFAS now (1)" in html and "shown)" not in html
    assert 'data-count="Relations created"' in html and 'data-count="Waiting for their order"' not in html
    assert record_section(None, "", ZONE) == ""


def test_shared_components_cards_and_runs_table():
    cards = count_cards(
        {"a": 3, "b": 0}, {"lightspeed": 5}, (("a", "A"), ("b", "B")), {"a": "bad", "b": "bad"}
    )
    assert 'data-count="A"><div class="v bad">3<' in cards and 'data-count="B"><div class="v ">0<' in cards
    assert "5 / 0" in cards
    assert runs_table([], "d", "", ZONE, "x-runs") == '<p class="muted" id="x-runs-empty">No runs yet.</p>'
    table = runs_table(_view()["runs"], "d", "", ZONE, "x-runs", "Counts")
    assert table.startswith('<table id="x-runs">') and "&lt;script&gt;" in table and "&lt;run&gt;" in table
    assert "created 3, waiting 2, failed 1" in table and '<td class="num">1234</td>' in table


# -- the page and the JSON, in Airflow's API server ----------------------------------------------------


def test_the_tenant_page_has_a_section_per_record_flow_the_tenant_has(client, admin_cookies, seeded, tenants):
    tenants.tenant(
        TENANT, {"name": "Acme Dashboard Shop", "customers": {"include": "new"}, "credit_notes": {}}
    )
    seed_records(seeded.url, TENANT, seeded.now)
    page = client.get(f"{BASE}/tenants/{TENANT}", cookies=admin_cookies)
    assert page.status_code == 200
    html = page.text
    assert '<section id="customers"><h2>Customers</h2>' in html
    assert '<section id="credit-notes"><h2>Credit notes</h2>' in html
    assert html.index('id="runs"') < html.index('id="customers"') < html.index('id="credit-notes"')
    assert "sales relation: AFAS refused the new sales relation: &lt;b&gt;Postcode&lt;/b&gt;" in html
    assert "<b>Postcode</b>" not in html and STOPPED in html
    assert '<tr data-item="1742005">' in html and "ORD1005" in html and "7004" in html

    api = client.get(f"{BASE}/api/tenants/{TENANT}", cookies=admin_cookies)
    assert api.status_code == 200
    body = api.json()
    assert body["customers"]["last_run"]["run_id"] == RUN and body["customers"]["open_total"] == 2
    assert [r["number"] for r in body["credit_notes"]["open"]] == ["INV00005", "INV00003", "INV00002"]

    tenants.tenant(TENANT, {"name": "Acme Dashboard Shop", "customers": None, "credit_notes": None})
    html = client.get(f"{BASE}/tenants/{TENANT}", cookies=admin_cookies).text
    assert 'id="customers"' not in html and 'id="credit-notes"' not in html and 'id="runs"' in html
    body = client.get(f"{BASE}/api/tenants/{TENANT}", cookies=admin_cookies).json()
    assert body["customers"] is None and body["credit_notes"] is None
