"""The dashboard's endpoints, mounted by the plugin in Airflow's own API server app, on a seeded ledger
(SQLite and PostgreSQL), behind Airflow's authentication."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from lightspeed_afas.ledger.queries import week_start
from tests.support.dashboard import make_token
from tests.support.dashboard_seed import LEGACY, REASON_ITEM, REASON_VAT, RUN_1, RUN_2, TENANT

BASE = "/lightspeed-afas"
DAG_ID = f"lightspeed_afas_{TENANT}"
ZONE = ZoneInfo("Europe/Amsterdam")


def test_plugin_registers_the_app_and_the_nav_entry(client, admin_cookies):
    response = client.get("/api/v2/plugins", cookies=admin_cookies)
    assert response.status_code == 200
    plugin = next(p for p in response.json()["plugins"] if p["name"] == "lightspeed_afas_dashboard")
    assert [(a["url_prefix"], a["name"]) for a in plugin["fastapi_apps"]] == [(BASE, "Lightspeed → AFAS")]
    view = plugin["external_views"][0]
    assert (view["name"], view["href"], view["destination"], view["url_route"], view["nav_top_level"]) == (
        "Lightspeed → AFAS",
        f"{BASE}/",
        "nav",
        "lightspeed-afas",
        True,
    )
    icon = client.get(view["icon"])
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")


def test_anonymous_and_forged_requests_are_refused(client, seeded):
    assert client.get(f"{BASE}/api/overview").status_code == 401
    forged = client.get(f"{BASE}/api/overview", cookies={"_token": "not-a-jwt"})
    assert forged.status_code == 403
    assert (
        client.post(f"{BASE}/api/tenants/{TENANT}/resync", json={"order_numbers": ["ORD1003"]}).status_code
        == 401
    )
    page = client.get(f"{BASE}/tenants/{TENANT}", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"].startswith("/auth/login?next=")
    assert "ORD1003" not in page.text


def test_overview_counts_per_tenant(client, admin_cookies, seeded):
    response = client.get(f"{BASE}/api/overview", cookies=admin_cookies)
    assert response.status_code == 200
    rows = {row["tenant"]: row for row in response.json()["tenants"]}
    assert {TENANT, LEGACY, "demo"} <= set(rows)
    acme = rows[TENANT]
    assert acme["name"] == "Acme Dashboard Shop" and acme["configured"] and acme["enabled"]
    assert acme["last_run"]["run_id"] == RUN_2 and acme["last_run"]["outcome"] == "failed"
    assert acme["booked_today"] == 1  # ORD1004; run 1 was three days ago
    in_week = seeded.earlier >= week_start(seeded.now, ZONE)
    assert acme["booked_this_week"] == 1 + (2 if in_week else 0)
    assert (acme["failed"], acme["quarantined"]) == (1, 1)
    assert acme["orders_by_status"]["booked"] == 3
    assert acme["lightspeed_calls_24h"] == 25 and acme["lightspeed_day_budget"] == 12_000
    daily = {d["day"]: d for d in acme["daily"]}
    assert len(acme["daily"]) == 30
    today = seeded.now.astimezone(ZONE).date().isoformat()
    earlier = seeded.earlier.astimezone(ZONE).date().isoformat()
    assert daily[today] == {"day": today, "booked": 1, "failed": 2}
    assert daily[earlier] == {"day": earlier, "booked": 2, "failed": 1}
    assert sum(d["booked"] for d in acme["daily"]) == 3
    assert rows[LEGACY]["configured"] is False and rows[LEGACY]["booked_today"] == 1
    assert rows["demo"]["last_run"] is None


def test_orders_filter_by_status_and_search_by_number(client, admin_cookies, seeded):
    url = f"{BASE}/api/tenants/{TENANT}/orders"
    problems = client.get(url, cookies=admin_cookies).json()["orders"]
    by_number = {o["order_number"]: o for o in problems}
    assert set(by_number) == {"ORD1003", "ORD1005"}
    failed = by_number["ORD1003"]
    assert (failed["status"], failed["action"], failed["attempts"], failed["run_id"]) == (
        "failed",
        "failed",
        2,
        RUN_2,
    )
    assert (failed["reason"], failed["profit_log_reference"], failed["debtor_id"]) == (
        REASON_ITEM,
        "PLR-1003-B",
        "10003",
    )
    quarantined = by_number["ORD1005"]
    assert (quarantined["status"], quarantined["reason"], quarantined["profit_log_reference"]) == (
        "quarantined",
        REASON_VAT,
        "PLR-1005",
    )
    booked = client.get(url, params={"status": "booked"}, cookies=admin_cookies).json()["orders"]
    assert sorted(o["order_number"] for o in booked) == ["ORD1001", "ORD1002", "ORD1004"]
    assert {o["order_number"]: o["afas_order_number"] for o in booked}["ORD1001"] == "5001"
    assert {o["order_number"]: o["run_id"] for o in booked}["ORD1001"] == RUN_1
    found = client.get(url, params={"status": "all", "q": "1004"}, cookies=admin_cookies).json()["orders"]
    assert [o["order_number"] for o in found] == ["ORD1004"]
    # LIKE wildcards in the search are literal characters
    assert client.get(url, params={"status": "all", "q": "%"}, cookies=admin_cookies).json()["orders"] == []
    assert client.get(url, params={"status": "bogus"}, cookies=admin_cookies).status_code == 422
    assert client.get(f"{BASE}/api/tenants/nosuch/orders", cookies=admin_cookies).status_code == 404
    bookings = client.get(f"{BASE}/api/tenants/{TENANT}/bookings", cookies=admin_cookies).json()["bookings"]
    # newest first (ORD1001 and ORD1002 were recorded at the same moment: last recorded first)
    assert [b["order_number"] for b in bookings] == ["ORD1004", "ORD1002", "ORD1001"]
    assert bookings[0]["action"] == "created" and bookings[0]["run_id"] == RUN_2


def test_pages_show_tenants_chart_problems_and_run_links(client, admin_cookies, seeded):
    overview = client.get(f"{BASE}/", cookies=admin_cookies)
    assert overview.status_code == 200 and overview.headers["content-type"].startswith("text/html")
    assert f'href="{BASE}/tenants/{TENANT}"' in overview.text
    assert "<svg" in overview.text and "bar-booked" in overview.text and "bar-failed" in overview.text
    assert f"/dags/{DAG_ID}/runs/" in overview.text
    page = client.get(f"{BASE}/tenants/{TENANT}", cookies=admin_cookies)
    assert page.status_code == 200
    assert 'data-order="ORD1003"' in page.text and 'data-order="ORD1005"' in page.text
    assert 'class="pick" value="ORD1003"' in page.text
    assert "PLR-1003-B" in page.text and "Artikel &#x27;ONBEKEND-1&#x27; bestaat niet" in page.text
    assert f'href="/dags/{DAG_ID}/runs/manual__2026-11-23T10%3A00%3A00%2B00%3A00"' in page.text
    searched = client.get(
        f"{BASE}/tenants/{TENANT}", params={"q": "1001", "status": "all"}, cookies=admin_cookies
    )
    assert (
        'data-order="ORD1001"' in searched.text
        and 'data-order="ORD1003"' not in searched.text.split("Latest bookings")[0]
    )


def test_resync_accepts_only_open_problems_and_needs_trigger_rights(client, admin_cookies, seeded):
    url = f"{BASE}/api/tenants/{TENANT}/resync"
    booked = client.post(url, json={"order_numbers": ["ORD1001", "ORD1003"]}, cookies=admin_cookies)
    assert booked.status_code == 422 and "ORD1001 (booked)" in booked.json()["detail"]
    unknown = client.post(url, json={"order_numbers": ["ORD4242"]}, cookies=admin_cookies)
    assert unknown.status_code == 422 and "not in the ledger" in unknown.json()["detail"]
    assert client.post(url, json={"order_numbers": []}, cookies=admin_cookies).status_code == 422
    viewer = {"_token": make_token("viewer", "VIEWER")}
    assert client.get(f"{BASE}/api/tenants/{TENANT}", cookies=viewer).status_code == 200
    refused = client.post(url, json={"order_numbers": ["ORD1003"]}, cookies=viewer)
    assert refused.status_code == 403
    legacy = client.post(
        f"{BASE}/api/tenants/{LEGACY}/resync", json={"order_numbers": ["ORD9"]}, cookies=admin_cookies
    )
    assert legacy.status_code == 422  # ORD9 is booked


def test_the_ledger_connection_may_be_stored_in_airflow(
    client, admin_cookies, tenants, tmp_path, monkeypatch
):
    """A ledger connection saved in the UI (metadata DB, not the environment) is the one the page reads."""
    from airflow.models.connection import Connection
    from airflow.utils.session import create_session

    from tests.support.dashboard_seed import seed

    path = tmp_path / "stored-ledger.db"
    seed(f"sqlite:///{path}")
    monkeypatch.delenv("AIRFLOW_CONN_LIGHTSPEED_AFAS_LEDGER")
    with create_session() as session:
        session.add(Connection(conn_id="lightspeed_afas_ledger", conn_type="sqlite", host=str(path)))
    try:
        rows = {
            r["tenant"]: r
            for r in client.get(f"{BASE}/api/overview", cookies=admin_cookies).json()["tenants"]
        }
        assert rows[TENANT]["failed"] == 1 and rows[TENANT]["last_run"]["run_id"] == RUN_2
    finally:
        with create_session() as session:
            session.query(Connection).filter(Connection.conn_id == "lightspeed_afas_ledger").delete()


def test_pages_say_which_time_zone_their_times_are_in(client, admin_cookies, seeded):
    """The ledger's times are shown in the tenant's zone with their offset; the Airflow UI shows UTC."""
    from datetime import UTC, datetime

    booking = client.get(f"{BASE}/api/tenants/{TENANT}/bookings", cookies=admin_cookies).json()["bookings"][0]
    at = datetime.fromisoformat(booking["at"])
    assert at.utcoffset().total_seconds() == 0, "the JSON API gives UTC, with its offset"
    local = at.astimezone(ZONE)
    shown = f"{local:%Y-%m-%d %H:%M} {local.isoformat()[-6:]}</time>"
    in_utc = f'title="{at.astimezone(UTC):%Y-%m-%d %H:%M} UTC in the Airflow UI"'

    page = client.get(f"{BASE}/tenants/{TENANT}", params={"status": "all"}, cookies=admin_cookies).text
    assert "<th>When (Europe/Amsterdam)</th>" in page and "<th>Started (Europe/Amsterdam)</th>" in page
    assert "Times are in Europe/Amsterdam, the tenant's time zone" in page and "Airflow UI shows UTC" in page
    row = page.split(f'data-order="{booking["order_number"]}"')[1].split("</tr>")[0]
    assert shown in row and in_utc in row

    overview = client.get(f"{BASE}/", cookies=admin_cookies).text
    assert "<th>Last run (tenant time)</th>" in overview and "the Airflow UI shows UTC" in overview
    tenant_row = overview.split(f'data-tenant="{TENANT}"')[1].split("</tr>")[0]
    rows = client.get(f"{BASE}/api/overview", cookies=admin_cookies).json()["tenants"]
    last_run = next(r["last_run"] for r in rows if r["tenant"] == TENANT)
    started = datetime.fromisoformat(last_run["started_at"]).astimezone(ZONE)
    assert f"{started:%Y-%m-%d %H:%M} {started.isoformat()[-6:]}</time>" in tenant_row
    assert "Europe/Amsterdam" in tenant_row
