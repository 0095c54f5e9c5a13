"""The tenant page's Webhooks section: the last 24 hours' webhooks and run requests as cards, the latest
refusals (status and reason) and the runs the receiver triggered (linked to Airflow) — from a ledger seeded
through the receiver's own ``record_webhook``, as HTML (escaped) and in the tenant JSON, behind Airflow's
login; a tenant without a ``webhooks:`` block gets no section."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from lightspeed_afas.dashboard.webhook_data import webhook_view
from lightspeed_afas.dashboard.webhook_section import webhook_section
from lightspeed_afas.ledger import Ledger
from tests.support.dashboard_seed import TENANT

BASE = "/lightspeed-afas"
ZONE = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
HOOKS = {"public_url": "https://hooks.example.nl", "actions": ["created", "paid"]}
FORGED = "no valid X-Signature (<b>forged</b>)"
HOSTILE_ACTION = "unknown action '<script>alert(1)'"
RUN_A = "manual__2026-11-23T09:00:00+00:00"
RUN_B = "manual__2026-11-23T09:40:00+00:00"
AIRFLOW_DOWN = "Airflow answered 503 <i>Service Unavailable</i>"


def seed_webhooks(url: str, tenant: str, now: datetime) -> Ledger:
    """A day of the receiver's log: accepted, joined, ignored and refused webhooks, run decisions; one
    older refusal and one older run (outside the 24 hours); another tenant's rows."""
    ledger = Ledger(url)

    def hook(minutes: float, status: int, outcome: str, **values: object) -> None:
        ledger.record_webhook(tenant, status, outcome, at=now - timedelta(minutes=minutes), **values)

    order = {"item_group": "orders"}
    hook(60 * 30, 401, "refused", reason="old refusal")  # 30 hours ago: listed, not counted
    hook(60 * 30, 200, "triggered", action="run", run_id="manual__old")
    hook(61, 202, "queued", **order, action="created", item_id=1001)
    hook(60, 200, "triggered", action="run", run_id=RUN_A)
    hook(59, 202, "joined", **order, action="paid", item_id=1001, reason="a run is asked for already")
    hook(58, 200, "joined", action="run", run_id=RUN_A)
    hook(
        50,
        200,
        "ignored",
        **order,
        action="updated",
        item_id=1002,
        reason="the tenant does not act on updated",
    )
    hook(
        45,
        404,
        "refused",
        reason="no such webhook address (unknown tenant, no webhooks block, or a wrong token)",
    )
    hook(30, 401, "refused", **order, reason=FORGED)
    hook(25, 400, "refused", reason=HOSTILE_ACTION)
    hook(21, 202, "queued", **order, action="created", item_id=1003)
    hook(20, 200, "triggered", action="run", run_id=RUN_B)
    hook(11, 202, "queued", **order, action="paid", item_id=1003)
    hook(10, 500, "failed", action="run", reason=AIRFLOW_DOWN)
    ledger.record_webhook("other", 202, "queued", item_group="orders", action="created", item_id=9, at=now)
    ledger.record_webhook("other", 200, "triggered", action="run", run_id="manual__other", at=now)
    return ledger


# -- the data ------------------------------------------------------------------------------------------


def test_the_view_counts_the_last_24_hours_and_lists_refusals_and_run_requests(tmp_path):
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    seed_webhooks(url, TENANT, NOW)
    view = webhook_view(Ledger(url).engine, TENANT, NOW)
    assert view["dag_id"] == f"lightspeed_afas_{TENANT}" and view["since"] == "2026-11-22T10:00:00+00:00"
    assert view["webhooks"] == {"queued": 3, "joined": 1, "ignored": 1, "refused": 3}
    assert view["received"] == 8, "the webhooks answered; run decisions are not webhooks"
    assert view["runs"] == {"triggered": 2, "joined": 1, "failed": 1}, "the joined run is not a webhook's"
    assert view["last_received_at"] == "2026-11-23T09:49:00+00:00", "the paid webhook, not the failed run"

    assert [(r["status"], r["reason"]) for r in view["refusals"]] == [
        (400, HOSTILE_ACTION),
        (401, FORGED),
        (404, "no such webhook address (unknown tenant, no webhooks block, or a wrong token)"),
        (401, "old refusal"),
    ], "newest first, older than 24 hours too"
    assert view["refusals"][1] == {
        "at": "2026-11-23T09:30:00+00:00",
        "item_group": "orders",
        "action": None,
        "item_id": None,
        "status": 401,
        "outcome": "refused",
        "run_id": None,
        "reason": FORGED,
    }
    assert [(r["outcome"], r["run_id"]) for r in view["run_requests"]] == [
        ("failed", None),
        ("triggered", RUN_B),
        ("triggered", RUN_A),
        ("triggered", "manual__old"),
    ], "triggered and failed requests only (a joined one started no run); no other tenant's"
    assert view["run_requests"][0]["reason"] == AIRFLOW_DOWN and view["run_requests"][0]["status"] == 500


def test_a_tenant_without_webhooks_yet_has_an_empty_view(tmp_path):
    view = webhook_view(Ledger(f"sqlite:///{tmp_path / 'ledger.db'}").engine, TENANT, NOW)
    assert view["received"] == 0 and set(view["webhooks"].values()) == set(view["runs"].values()) == {0}
    assert view["last_received_at"] is None and view["refusals"] == [] and view["run_requests"] == []
    html = webhook_section(view, "", ZONE)
    assert html.startswith('<section id="webhooks"><h2>Webhooks</h2>')
    assert 'id="webhooks-none"' in html and f"webhooks install {TENANT}" in html
    assert 'id="webhooks-refusals-empty"' in html and 'id="webhooks-runs-empty"' in html
    assert 'data-count="Webhooks received, 24 h"><div class="v ">0<' in html


# -- the HTML ------------------------------------------------------------------------------------------


def _view(**changes: object) -> dict:
    view = {
        "tenant": "<acme>",
        "dag_id": "lightspeed_afas_<acme>",
        "since": "2026-11-22T10:00:00+00:00",
        "received": 7,
        "webhooks": {"queued": 2, "joined": 1, "ignored": 1, "refused": 3},
        "runs": {"triggered": 2, "joined": 1, "failed": 1},
        "last_received_at": "2026-11-23T09:49:00+00:00",
        "refusals": [
            {
                "at": "2026-11-23T09:35:00+00:00",
                "item_group": "<g>",
                "action": "<img src=x onerror=alert(1)>",
                "item_id": 1004,
                "status": 400,
                "outcome": "refused",
                "run_id": None,
                "reason": "unknown action '<script>alert(1)</script>' & more",
            }
        ],
        "run_requests": [
            {
                "at": "2026-11-23T09:40:00+00:00",
                "item_group": None,
                "action": "run",
                "item_id": None,
                "status": 200,
                "outcome": "triggered",
                "run_id": 'manual__"<x>"',
                "reason": None,
            },
            {
                "at": "2026-11-23T09:50:00+00:00",
                "item_group": None,
                "action": "run",
                "item_id": None,
                "status": 500,
                "outcome": "failed",
                "run_id": None,
                "reason": "Airflow: <b>503</b>",
            },
        ],
    }
    return view | changes


def test_the_section_shows_the_cards_the_refusals_and_the_runs_and_escapes_every_value():
    html = webhook_section(_view(), "/root", ZONE)
    for raw in ("<script>", "<img", "<g>", "<acme>", '"<x>"', "<b>503"):
        assert raw not in html
    assert "unknown action &#x27;&lt;script&gt;alert(1)&lt;/script&gt;&#x27; &amp; more" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "Airflow: &lt;b&gt;503&lt;/b&gt;" in html
    assert "log &lt;acme&gt; --webhooks" in html
    assert "Last webhook received: " in html and "2026-11-23 10:49 +01:00" in html

    cards = html[html.index('id="webhooks-cards"') : html.index("<h3>")]
    assert [c.split('"')[0] for c in cards.split('data-count="')[1:]] == [
        "Webhooks received, 24 h",
        "Refused",
        "Ignored (action not wanted)",
        "Joined a waiting run",
        "Runs triggered",
        "Run requests failed",
    ], "no calls card"
    assert 'data-count="Refused"><div class="v warn">3<' in cards
    assert 'data-count="Run requests failed"><div class="v bad">1<' in cards
    assert 'data-count="Runs triggered"><div class="v ">2<' in cards

    refusals = html[html.index('id="webhooks-refusals"') : html.index('id="webhooks-runs"')]
    assert "Latest refusals (1)" in html and '<td class="num">400</td>' in refusals
    assert "<td>1004</td>" in refusals and "2026-11-23 10:35 +01:00" in refusals

    runs = html[html.index('id="webhooks-runs"') :]
    href = "/root/dags/lightspeed_afas_%3Cacme%3E/runs/manual__%22%3Cx%3E%22"
    assert f'<a target="_top" href="{href}"' in runs, "the Airflow run page, as the other sections link"
    assert 'title="manual__&quot;&lt;x&gt;&quot;"' in runs
    assert '<span class="badge b-triggered">triggered</span>' in runs
    assert '<span class="badge b-failed">failed</span>' in runs and '<span class="muted">—</span>' in runs


def test_no_block_no_section():
    assert webhook_section(None, "", ZONE) == ""


# -- the page and the JSON, in Airflow's API server ----------------------------------------------------


def test_the_tenant_page_has_a_webhooks_section_only_with_the_block(client, admin_cookies, seeded, tenants):
    tenants.tenant(TENANT, {"name": "Acme Dashboard Shop", "webhooks": HOOKS})
    seed_webhooks(seeded.url, TENANT, seeded.now)
    html = client.get(f"{BASE}/tenants/{TENANT}", cookies=admin_cookies).text
    assert '<section id="webhooks"><h2>Webhooks</h2>' in html
    assert html.index('id="runs"') < html.index('id="webhooks"')
    assert "no valid X-Signature (&lt;b&gt;forged&lt;/b&gt;)" in html and "<b>forged</b>" not in html
    assert (
        f'href="/dags/lightspeed_afas_{TENANT}/runs/{RUN_B.replace(":", "%3A").replace("+", "%2B")}"' in html
    )
    assert 'data-count="Runs triggered"><div class="v ">2<' in html

    body = client.get(f"{BASE}/api/tenants/{TENANT}", cookies=admin_cookies).json()
    assert body["webhooks"]["runs"]["triggered"] == 2 and body["webhooks"]["received"] == 8
    assert [r["run_id"] for r in body["webhooks"]["run_requests"]][1:3] == [RUN_B, RUN_A]

    tenants.tenant(TENANT, {"name": "Acme Dashboard Shop", "webhooks": None})
    html = client.get(f"{BASE}/tenants/{TENANT}", cookies=admin_cookies).text
    assert 'id="webhooks"' not in html and 'id="runs"' in html
    assert client.get(f"{BASE}/api/tenants/{TENANT}", cookies=admin_cookies).json()["webhooks"] is None
