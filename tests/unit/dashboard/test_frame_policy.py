"""Every response of the dashboard, in Airflow's own API server app, forbids framing by other sites
(clickjacking of the Re-sync button) and allows Airflow's UI, which shows the page in its nav."""

from __future__ import annotations

import pytest

from tests.support.dashboard_seed import TENANT

BASE = "/lightspeed-afas"


def assert_frame_policy(response) -> None:
    assert response.headers["content-security-policy"] == "frame-ancestors 'self'", response.url
    assert response.headers["x-frame-options"] == "SAMEORIGIN", response.url


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/", 200),
        (f"/tenants/{TENANT}", 200),
        ("/api/overview", 200),
        (f"/api/tenants/{TENANT}/orders", 200),
        ("/api/tenants/nosuchtenant", 404),
        (f"/api/tenants/{TENANT}/orders?status=nonsense", 422),
        ("/icon.svg", 200),
    ],
)
def test_signed_in_responses_carry_the_frame_policy(client, admin_cookies, seeded, path, status):
    response = client.get(f"{BASE}{path}", cookies=admin_cookies)
    assert response.status_code == status
    assert_frame_policy(response)


def test_anonymous_answers_carry_it_too(client, seeded):
    page = client.get(f"{BASE}/tenants/{TENANT}", follow_redirects=False)
    assert page.status_code == 303
    assert_frame_policy(page)
    api = client.get(f"{BASE}/api/overview")
    assert api.status_code == 401
    assert_frame_policy(api)


def test_a_policy_of_the_page_itself_is_extended_not_replaced():
    from fastapi import FastAPI
    from fastapi.responses import Response
    from fastapi.testclient import TestClient

    from lightspeed_afas.dashboard.app import frame_policy

    app = FastAPI()
    app.middleware("http")(frame_policy)

    @app.get("/")
    def own() -> Response:
        return Response("x", headers={"Content-Security-Policy": "default-src 'self';"})

    with TestClient(app) as local:
        answer = local.get("/")
    assert answer.headers["content-security-policy"] == "default-src 'self'; frame-ancestors 'self'"
    assert answer.headers["x-frame-options"] == "SAMEORIGIN"
