"""The tenant page's Articles section: the last articles run, the fields written lately, the writes failing
now, the items left alone and the fields skipped — from a ledger seeded through its own API, as HTML
(escaped) and in the tenant JSON, behind Airflow's login."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from lightspeed_afas.dashboard.article_data import article_view, open_failures
from lightspeed_afas.dashboard.article_section import article_section
from lightspeed_afas.ledger import Ledger
from tests.support.article_seed import (
    DIMENSIONS,
    NOT_IN_SHOP,
    RUN,
    SHARED,
    SKIPPED,
    STOPPED,
    UNANSWERED,
    seed_articles,
)
from tests.support.dashboard_seed import TENANT

BASE = "/lightspeed-afas"
ZONE = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


# -- the data ------------------------------------------------------------------------------------------


def test_the_view_holds_the_last_run_the_writes_the_open_failures_and_the_reasons(tmp_path):
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    seed_articles(url, TENANT, NOW)
    view = article_view(Ledger(url).engine, TENANT)
    run = view["last_run"]
    assert (run["run_id"], run["outcome"], run["message"]) == (RUN, "partial", STOPPED)
    assert run["counts"]["written"] == 2 and run["calls"] == {"lightspeed": 14, "afas": 3}
    assert view["dag_id"] == f"lightspeed_afas_{TENANT}__articles"

    assert [w["item_code"] for w in view["writes"]] == [
        "NEW-1", "KOF-5", "KOF-4", "KOF-2", "KOF-3", "KOF-1", "KOF-3", "KOF-1",
    ]  # fmt: skip
    assert view["writes"][5] | {"at": None} == {
        "item_code": "KOF-1",
        "target": "variant",
        "target_id": 1,
        "field": "priceExcl",
        "lang": None,
        "old_value": "12.50",
        "new_value": "13.95",
        "outcome": "written",
        "reason": None,
        "run_id": RUN,
        "at": None,
    }
    assert not view["writes_more"]
    # KOF-3's old failure was written since; the gone variant is no failure.
    assert [(f["item_code"], f["outcome"]) for f in view["failures"]] == [
        ("KOF-4", "unknown"),
        ("KOF-2", "failed"),
    ]
    assert view["failures_total"] == 2 and view["failures"][0]["reason"] == UNANSWERED

    assert view["items"] == {"followed": 6, "left_alone": 4, "missing": 1, "creating": 0, "created": 1}
    assert view["items_total"] == 12 and view["left_alone_total"] == 4
    groups = {g["kind"]: g for g in view["left_alone"]}
    assert {k: g["count"] for k, g in groups.items()} == {
        "not in the shop": 2,
        "article dimensions": 1,
        "code shared by several variants": 1,
    }
    assert view["left_alone"][0]["kind"] == "not in the shop"  # the most first
    assert groups["article dimensions"]["examples"] == [
        {"item_code": "MAAT-1", "variant_id": 20, "product_id": None, "reason": DIMENSIONS}
    ]
    assert [e["item_code"] for e in groups["not in the shop"]["examples"]] == ["NIET-1", "NIET-2"]
    assert groups["code shared by several variants"]["examples"][0]["reason"] == SHARED
    assert [(g["kind"], g["count"]) for g in view["skipped"]] == [("price", 1), ("tax", 1)]
    assert view["skipped"][0]["examples"][0] | {"reason": SKIPPED} == {
        "item_code": "KOF-6",
        "variant_id": 16,
        "product_id": 916,
        "reason": SKIPPED,
    }
    assert view["skipped_total"] == 1


def test_a_later_write_settles_a_failure_and_a_later_failure_reopens_it():
    def row(outcome: str, field: str = "ean", lang: str | None = None) -> dict:
        return {
            "item_code": "A",
            "target": "variant",
            "target_id": 1,
            "field": field,
            "lang": lang,
            "outcome": outcome,
        }

    assert open_failures([row("written"), row("failed")]) == []  # newest first
    assert open_failures([row("failed"), row("written")]) == [row("failed")]
    assert open_failures([row("unknown", "title", "nl"), row("written", "title", "en")]) == [
        row("unknown", "title", "nl")
    ]
    assert open_failures([row("gone")]) == []


def test_a_tenant_without_articles_runs_has_an_empty_view(tmp_path):
    view = article_view(Ledger(f"sqlite:///{tmp_path / 'ledger.db'}").engine, TENANT)
    assert view["last_run"] is None and view["writes"] == [] and view["left_alone"] == []
    assert view["failures_total"] == 0 and view["items_total"] == 0
    html = article_section(view, "", ZONE)
    assert "No articles run yet." in html and "No AFAS items read yet." in html
    assert "None yet: no articles run has written a field." in html and "no field's last write failed" in html


# -- the HTML ------------------------------------------------------------------------------------------


def _write(**changes: object) -> dict:
    write = {
        "item_code": "<i>X</i>",
        "target": "variant",
        "target_id": 5,
        "field": "priceExcl",
        "lang": None,
        "old_value": None,
        "new_value": "<b>4.00</b>",
        "outcome": "written",
        "reason": "a & b",
        "run_id": "<run>",
        "at": "2026-11-23T10:15:00+00:00",
    }
    return write | changes


def _view(**changes: object) -> dict:
    view = {
        "tenant": TENANT,
        "dag_id": f"lightspeed_afas_{TENANT}__articles",
        "last_run": {
            "run_id": "<run>",
            "mode": "scheduled",
            "outcome": "partial",
            "started_at": "2026-11-23T10:15:00+00:00",
            "finished_at": None,
            "duration_s": 2.5,
            "counts": {"written": 1, "planned_fields": 3, "not_written": 2, "failed": 0, "afas_items": 7},
            "calls": {"lightspeed": 1234, "afas": 3},
            "message": "<script>alert(1)</script>",
        },
        "writes": [
            _write(),
            _write(field="title", lang="en", target="product", target_id=9, old_value="x" * 80),
        ],
        "writes_more": True,
        "failures": [_write(outcome="failed", reason="<em>no</em>")],
        "failures_total": 3,
        "items": {"followed": 5, "left_alone": 1, "missing": 0, "creating": 0, "created": 0},
        "items_total": 6,
        "left_alone": [
            {
                "kind": "other",
                "count": 1,
                "examples": [
                    {"item_code": "<b>", "variant_id": None, "product_id": None, "reason": "<em>why</em>"}
                ],
            }
        ],
        "left_alone_total": 1,
        "skipped": [],
        "skipped_total": 0,
    }
    return view | changes


def test_the_section_shows_the_run_and_escapes_every_value():
    html = article_section(_view(), "/root", ZONE)
    for raw in ("<script>", "<i>X</i>", "<b>", "<em>", "<run>"):
        assert raw not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "a &amp; b" in html and "&lt;em&gt;why" in html
    assert "Stopped:" in html and "1,234 / 3" in html and "2026-11-23 11:15 +01:00" in html
    assert 'href="/root/dags/lightspeed_afas_dashacme__articles"' in html
    assert "&lt;b&gt;4.00&lt;/b&gt;" in html and "title (en)" in html and "product 9" in html
    assert "x" * 59 + "…" in html and "x" * 60 not in html.replace('title="' + "x" * 80, "")
    assert f"log {TENANT} --flow articles --run &lt;run&gt;" in html
    assert "Writes failing now (3)" in html and "the newest 1 of 3 shown" in html
    assert "Items left alone (1 of 6)" in html and "no variant" in html
    assert "afas items 7" in html and "followed 5, left alone 1" in html
    assert 'class="v warn">2<' in html, "not written is a warning"
    assert "Fields skipped" not in html
    assert article_section(None, "", ZONE) == ""


def test_a_dry_run_without_writes_and_an_item_list_that_all_follow():
    dry = _view(
        writes=[], writes_more=False, failures=[], failures_total=0, left_alone=[], left_alone_total=0
    )
    dry["last_run"] = dry["last_run"] | {"outcome": "dry_run", "message": None}
    html = article_section(dry, "", ZONE)
    assert "the last run was a dry run, which writes nothing" in html and "Stopped:" not in html
    assert "None: every item the shop has follows AFAS." in html and 'id="articles-failures-empty"' in html


# -- the page and the JSON, in Airflow's API server ----------------------------------------------------


def test_the_tenant_page_has_an_articles_section_only_with_an_articles_block(
    client, admin_cookies, seeded, tenants
):
    tenants.tenant(TENANT, {"name": "Acme Dashboard Shop", "articles": {"schedule": "0 * * * *"}})
    seed_articles(seeded.url, TENANT, seeded.now)
    page = client.get(f"{BASE}/tenants/{TENANT}", cookies=admin_cookies)
    assert page.status_code == 200
    html = page.text
    assert '<section id="articles"><h2>Articles</h2>' in html and RUN in html
    assert 'id="articles-writes"' in html and '<tr data-item="KOF-2">' in html
    assert "Lightspeed: &lt;b&gt;ean&lt;/b&gt; must be 8 or 13 digits &amp; numeric" in html
    assert "<b>ean</b>" not in html
    assert 'data-kind="not in the shop"' in html and NOT_IN_SHOP in html and STOPPED in html
    assert html.index('id="runs"') < html.index('id="articles"'), "after the order runs"

    api = client.get(f"{BASE}/api/tenants/{TENANT}", cookies=admin_cookies)
    assert api.status_code == 200
    body = api.json()["articles"]
    assert body["last_run"]["run_id"] == RUN and body["failures_total"] == 2

    tenants.tenant(TENANT, {"name": "Acme Dashboard Shop", "articles": None})  # the articles flow is off
    html = client.get(f"{BASE}/tenants/{TENANT}", cookies=admin_cookies).text
    assert 'id="articles"' not in html and 'id="runs"' in html
    assert client.get(f"{BASE}/api/tenants/{TENANT}", cookies=admin_cookies).json()["articles"] is None
