"""The tenant page's Stock section: the last stock run, the levels it pushed, the variants left alone —
from a ledger seeded through its own API, as HTML (escaped) and as JSON, behind Airflow's login."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from lightspeed_afas.dashboard.stock_data import stock_view
from lightspeed_afas.dashboard.stock_section import stock_section
from lightspeed_afas.domain.stock import Push, Variant
from lightspeed_afas.ledger import Ledger
from lightspeed_afas.ledger.stock import PushResult
from tests.support.dashboard_seed import TENANT, frozen_ledger_clock

BASE = "/lightspeed-afas"
ZONE = ZoneInfo("Europe/Amsterdam")
OLD_RUN = "scheduled__2026-11-22T10:00:00+00:00"
RUN = "scheduled__2026-11-23T10:15:00+00:00"
STOPPED = "Lightspeed budget: the rest of this window is left to the orders flow"
REFUSED = "Lightspeed: <b>stockLevel</b> must be a number & positive"
SHARED = "variants 6, 7 all match AFAS item DUBBEL: give each its own code"
NO_MATCH = "no AFAS item has its code (articleCode 'NIET-IN-AFAS')"
TRACKING_OFF = "stockTracking is disabled in the shop"


def variant(vid: int, article: str | None = None, ean: str | None = None, level: int = 1) -> Variant:
    return Variant(vid, 900 + vid, article, None, ean, "enabled", level, "2026-11-20T10:00:00+01:00")


def seed_stock(url: str, now: datetime, extra_pushes: int = 0) -> None:
    """Two stock runs of TENANT: an old one (one push) and the last, partial one: a push of each outcome
    (and ``extra_pushes`` more), and three reasons to leave a variant alone."""
    ledger = Ledger(url)
    with frozen_ledger_clock(now - timedelta(days=1)):
        pk = ledger.start_flow_run(TENANT, "stock", OLD_RUN, "scheduled")
        ledger.save_variants(TENANT, [variant(1, "KOF-1")])
        ledger.record_pushes(TENANT, OLD_RUN, [PushResult(Push(1, "KOF-1", 0, 99), "pushed", 99)])
        ledger.finish_flow_run(pk, "success", {"pushed": 1, "planned": 1}, {"lightspeed": 2, "afas": 1})
    with frozen_ledger_clock(now):
        pk = ledger.start_flow_run(TENANT, "stock", RUN, "scheduled")
        ledger.save_variants(
            TENANT,
            [variant(1, "KOF-1"), variant(2, "KOF-2"), variant(3, "KOF-3"), variant(4, "KOF-4")]
            + [variant(5, "NIET-IN-AFAS"), variant(6, "DUBBEL"), variant(7, None, "DUBBEL")],
            replace_all=True,
        )
        ledger.set_decisions(
            TENANT,
            {1: "KOF-1", 2: "KOF-2", 3: "KOF-3"},
            {4: TRACKING_OFF, 5: NO_MATCH, 6: SHARED, 7: SHARED},
        )
        results = [
            PushResult(Push(1, "KOF-1", 1, 12), "pushed", 12),
            PushResult(Push(2, "KOF-2", None, 0), "failed", reason=REFUSED),
            PushResult(Push(3, "KOF-3", 4, 2), "gone", reason="the variant is no longer in the shop (404)"),
        ]
        results += [PushResult(Push(100 + i, f"X-{i}", 0, 5), "pushed", 5) for i in range(extra_pushes)]
        ledger.record_pushes(TENANT, RUN, results)
        counts = {"variants": 7, "kept": 0, "left_alone": 4, "planned": 5 + extra_pushes, "pushed": 1}
        counts |= {"failed": 1, "gone": 1, "not_pushed": 2, "afas_items": 3}
        counts["pushed"] += extra_pushes
        ledger.finish_flow_run(pk, "partial", counts, {"lightspeed": 9, "afas": 1}, STOPPED)


# -- the data ------------------------------------------------------------------------------------------


def test_the_view_holds_the_last_run_its_pushes_failed_first_and_the_reasons_grouped(tmp_path):
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    seed_stock(url, datetime(2026, 11, 23, 10, 15, tzinfo=UTC), extra_pushes=60)
    view = stock_view(Ledger(url).engine, TENANT)
    run = view["last_run"]
    assert (run["run_id"], run["outcome"], run["message"]) == (RUN, "partial", STOPPED)
    assert run["started_at"] == "2026-11-23T10:15:00+00:00" and run["calls"] == {"lightspeed": 9, "afas": 1}
    assert view["dag_id"] == f"lightspeed_afas_{TENANT}__stock"
    assert view["pushes_total"] == 63 and len(view["pushes"]) == 50  # of this run only, 50 shown
    assert [p["outcome"] for p in view["pushes"][:3]] == ["failed", "gone", "pushed"]
    assert view["pushes"][0] | {"at": None} == {
        "variant_id": 2,
        "item_code": "KOF-2",
        "old_level": None,
        "new_level": 0,
        "outcome": "failed",
        "reason": REFUSED,
        "at": None,
    }
    assert 99 not in {p["new_level"] for p in view["pushes"]}, "the old run's push is not this run's"
    assert (view["variants"], view["left_alone_total"]) == (6, 4)  # variant 3 left the map (gone)
    groups = {g["kind"]: g for g in view["left_alone"]}
    assert {k: g["count"] for k, g in groups.items()} == {
        "code shared by several variants": 2,
        "no matching AFAS item": 1,
        "tracking disabled": 1,
    }
    assert view["left_alone"][0]["kind"] == "code shared by several variants"  # the most first
    assert groups["code shared by several variants"]["examples"] == [
        {"variant_id": 6, "product_id": 906, "codes": {"articleCode": "DUBBEL"}, "reason": SHARED},
        {"variant_id": 7, "product_id": 907, "codes": {"ean": "DUBBEL"}, "reason": SHARED},
    ]


def test_a_tenant_without_stock_runs_has_an_empty_view(tmp_path):
    view = stock_view(Ledger(f"sqlite:///{tmp_path / 'ledger.db'}").engine, TENANT)
    assert view["last_run"] is None and view["pushes"] == [] and view["left_alone"] == []
    html = stock_section(view, "", ZONE)
    assert "No stock run yet." in html and "No variants in the map yet." in html


# -- the HTML ------------------------------------------------------------------------------------------


def _view(**changes: object) -> dict:
    view = {
        "tenant": TENANT,
        "dag_id": f"lightspeed_afas_{TENANT}__stock",
        "last_run": {
            "run_id": "<run>",
            "mode": "scheduled",
            "outcome": "partial",
            "started_at": "2026-11-23T10:15:00+00:00",
            "finished_at": None,
            "duration_s": 2.5,
            "counts": {"pushed": 1, "planned": 3, "not_pushed": 2, "failed": 0, "left_alone": 1, "gone": 0},
            "calls": {"lightspeed": 1234, "afas": 1},
            "message": "<script>alert(1)</script>",
        },
        "pushes": [
            {
                "variant_id": 5,
                "item_code": "<i>X</i>",
                "old_level": None,
                "new_level": 4,
                "outcome": "pushed",
                "reason": "a & b",
                "at": "2026-11-23T10:15:00+00:00",
            }
        ],
        "pushes_total": 51,
        "variants": 2,
        "left_alone": [
            {
                "kind": "other",
                "count": 1,
                "examples": [
                    {"variant_id": 9, "product_id": None, "codes": {"sku": "<b>"}, "reason": "<em>why</em>"}
                ],
            }
        ],
        "left_alone_total": 1,
    }
    return view | changes


def test_the_section_shows_the_run_and_escapes_every_value():
    html = stock_section(_view(), "/root", ZONE)
    for raw in ("<script>", "<i>X</i>", "<b>", "<em>", "<run>"):
        assert raw not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "a &amp; b" in html and "&lt;em&gt;" in html
    assert "Stopped:" in html and "1,234 / 1" in html and "2026-11-23 11:15 +01:00" in html
    assert 'href="/root/dags/lightspeed_afas_dashacme__stock"' in html
    assert '<td class="num">? → 4</td>' in html
    assert "… and 50 more" in html and f"log {TENANT} --flow stock --run &lt;run&gt;" in html
    assert "Variants left alone (1 of 2)" in html and "variant 9" in html and "sku &lt;b&gt;" in html
    assert 'class="v warn">2<' in html, "not pushed is a warning"
    assert stock_section(None, "", ZONE) == ""


def test_a_run_without_pushes_says_why_and_a_full_map_says_all_follow():
    dry = _view(pushes=[], pushes_total=0, left_alone=[], left_alone_total=0)
    dry["last_run"] = dry["last_run"] | {"outcome": "dry_run", "message": None}
    html = stock_section(dry, "", ZONE)
    assert "a dry run pushes nothing" in html and "Stopped:" not in html and "… and" not in html
    assert "None: all 2 variants follow AFAS." in html
    calm = _view(pushes=[], pushes_total=0)
    calm["last_run"] = calm["last_run"] | {"outcome": "success", "counts": {"planned": 0}}
    assert "every followed variant already had AFAS&#x27;s level" in stock_section(calm, "", ZONE)


# -- the page and the JSON API, in Airflow's API server ------------------------------------------------


def test_the_tenant_page_has_a_stock_section_only_with_a_stock_block(client, admin_cookies, seeded, tenants):
    tenants.tenant(TENANT, {"name": "Acme Dashboard Shop", "stock": {"schedule": "5,20,35,50 * * * *"}})
    seed_stock(seeded.url, seeded.now)
    page = client.get(f"{BASE}/tenants/{TENANT}", cookies=admin_cookies)
    assert page.status_code == 200
    html = page.text
    assert '<section id="stock"><h2>Stock</h2>' in html and RUN in html
    assert 'id="stock-pushes"' in html and '<tr data-variant="2">' in html
    assert "Lightspeed: &lt;b&gt;stockLevel&lt;/b&gt; must be a number &amp; positive" in html
    assert "<b>stockLevel</b>" not in html
    assert 'data-kind="code shared by several variants"' in html and STOPPED in html
    assert html.index('id="runs"') < html.index('id="stock"'), "after the order runs"

    api = client.get(f"{BASE}/api/tenants/{TENANT}/stock", cookies=admin_cookies)
    assert api.status_code == 200
    body = api.json()
    assert body["last_run"]["run_id"] == RUN and body["pushes_total"] == 3
    assert [p["variant_id"] for p in body["pushes"]] == [2, 3, 1]
    assert client.get(f"{BASE}/api/tenants/{TENANT}/stock").status_code == 401

    tenants.tenant(TENANT, {"name": "Acme Dashboard Shop", "stock": None})  # the stock flow is off
    html = client.get(f"{BASE}/tenants/{TENANT}", cookies=admin_cookies).text
    assert 'id="stock"' not in html and 'id="runs"' in html
    assert client.get(f"{BASE}/api/tenants/{TENANT}/stock", cookies=admin_cookies).status_code == 404
