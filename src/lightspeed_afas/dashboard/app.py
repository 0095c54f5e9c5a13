"""The dashboard's FastAPI app, mounted by the Airflow plugin in the API server at ``/lightspeed-afas``.

Authentication is Airflow's own (``dashboard.access``): every route resolves the caller with the API
server's ``get_user`` and asks the configured auth manager whether the user may read the tenant's DAG.
The routes are in ``dashboard.routes``, the pages in ``dashboard.page``; Re-sync triggers the tenant DAG
through Airflow's REST API with the caller's own token (``dashboard.resync``).

The app reads the ledger only; it never sees order contents (the ledger has none).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response

from lightspeed_afas.dashboard import routes
from lightspeed_afas.dashboard.access import URL_PREFIX
from lightspeed_afas.dashboard.resync import MAX_RESYNC_ORDERS

__all__ = ["FRAME_HEADERS", "MAX_RESYNC_ORDERS", "URL_PREFIX", "create_app", "frame_policy"]

FRAME_HEADERS = {
    # Only Airflow's own UI (same origin: it shows the page in its nav) may frame the dashboard; no other
    # site can overlay the Re-sync button (clickjacking). CSP for current browsers, X-Frame-Options for old.
    "Content-Security-Policy": "frame-ancestors 'self'",
    "X-Frame-Options": "SAMEORIGIN",
}


async def frame_policy(request: Request, call_next: Any) -> Response:
    """Middleware: every response of the app gets ``FRAME_HEADERS`` (a page's own CSP is extended)."""
    response = await call_next(request)
    policy = response.headers.get("Content-Security-Policy")
    if policy and "frame-ancestors" not in policy:
        response.headers["Content-Security-Policy"] = f"{policy.rstrip('; ')}; frame-ancestors 'self'"
    elif not policy:
        response.headers["Content-Security-Policy"] = FRAME_HEADERS["Content-Security-Policy"]
    response.headers.setdefault("X-Frame-Options", FRAME_HEADERS["X-Frame-Options"])
    return response


def create_app(ledger_url: str | None = None) -> FastAPI:
    """The dashboard app; ``ledger_url`` pins the ledger (tests), else the Airflow connection decides."""
    app = FastAPI(title="Lightspeed → AFAS dashboard", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.ledger_url = ledger_url
    app.middleware("http")(frame_policy)
    app.include_router(routes.pages)
    app.include_router(routes.api)
    return app
