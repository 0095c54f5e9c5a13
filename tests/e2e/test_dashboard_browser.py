"""The page in a real browser: Debian's headless Chromium driven by Playwright against a real
``airflow api-server`` (started here, stopped with its whole process group) on a seeded ledger.

Log in on Airflow's login page, open "Lightspeed → AFAS" from the UI's navigation, open the tenant, find
the failed order, re-sync it, and see the triggered run. The screenshot is kept in the test's tmp dir and
copied to test-artifacts/dashboard/dashboard-resync.png.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import requests

from tests.conftest import REPO
from tests.support.dashboard_seed import TENANT, seed
from tests.support.live_airflow import live_api_server

CHROMIUM = Path("/usr/bin/chromium")
DAG_ID = f"lightspeed_afas_{TENANT}"
ARTIFACTS = REPO / "test-artifacts" / "dashboard"  # ignored by git, like the system test's


@pytest.fixture
def airflow(tenants, tmp_path):
    ledger = tmp_path / "ledger.db"
    seed(f"sqlite:///{ledger}")
    with live_api_server(tmp_path / "airflow-home", tenants.root, ledger) as live:
        yield live


def test_log_in_find_the_failed_order_and_resync_it(airflow, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    assert CHROMIUM.exists(), "Debian's chromium is missing: `make browser` installs it"
    screenshot = tmp_path / "dashboard-resync.png"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1000})
            page.goto(f"{airflow.url}/lightspeed-afas/")  # anonymous: sent to Airflow's login
            expect(page).to_have_url(
                f"{airflow.url}/auth/login?next="
                + requests.utils.quote(f"{airflow.url}/lightspeed-afas/", safe="")
            )
            page.goto(f"{airflow.url}/")
            page.locator("input[name=username]").fill(airflow.username)
            page.locator("input[name=password]").fill(airflow.password)
            page.get_by_role("button", name="Sign in").click()

            page.get_by_role("link", name="Lightspeed → AFAS").click()  # the plugin's nav entry
            frame = page.frame_locator("iframe")
            overview = frame.locator(f'tr[data-tenant="{TENANT}"]')
            expect(overview).to_contain_text("failed")
            expect(frame.locator("svg.chart").first).to_be_visible()

            frame.get_by_role("link", name=TENANT, exact=True).click()
            frame.locator("#search").fill("1003")
            frame.get_by_role("button", name="Show").click()
            row = frame.locator('#orders tr[data-order="ORD1003"]')
            expect(row).to_contain_text("PLR-1003-B")
            expect(frame.locator('#orders tr[data-order="ORD1005"]')).to_have_count(0)
            row.locator("input.pick").check()
            frame.get_by_role("button", name="Re-sync selected (1)").click()

            run_link = frame.locator("#resync-run")
            expect(run_link).to_be_visible(timeout=30_000)
            expect(frame.locator("#resync-state")).to_have_text("queued")
            expect(frame.locator("#resync-result")).to_contain_text("is paused")
            run_id = run_link.inner_text()
            assert run_id.startswith("manual__")
            assert (
                run_link.get_attribute("href")
                == f"/dags/{DAG_ID}/runs/{requests.utils.quote(run_id, safe='')}"
            )
            page.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(screenshot, ARTIFACTS / screenshot.name)
    assert screenshot.stat().st_size > 10_000
    run = requests.get(
        f"{airflow.url}/api/v2/dags/{DAG_ID}/dagRuns/{run_id}",
        headers={"Authorization": f"Bearer {airflow.token()}"},
        timeout=30,
    )
    assert run.status_code == 200
    assert run.json()["conf"] == {"order_numbers": ["ORD1003"]}
    assert json.loads(json.dumps(run.json()["state"])) == "queued"
