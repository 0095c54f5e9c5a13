"""The dashboard's FastAPI app, mounted by the Airflow plugin in the API server at ``/lightspeed-afas``.

Authentication is Airflow's own: every route resolves the caller with the API server's ``get_user``
(the ``Authorization: Bearer`` JWT, else the UI's ``_token`` cookie) and asks the configured auth manager
whether the user may read the tenant's DAG; a tenant whose DAG the user may not read does not exist for
them. Pages redirect an anonymous visitor to Airflow's login; the JSON API answers 401.

Re-sync triggers the tenant DAG through Airflow's REST API (``POST /api/v2/dags/{dag_id}/dagRuns`` with
``conf: {"order_numbers": [...]}``) with the caller's own token, so Airflow checks the user's right to
trigger runs as it does for the UI's Trigger button. The call goes to the API server's own socket
(``LIGHTSPEED_AFAS_AIRFLOW_API_URL`` overrides it, e.g. behind a proxy that rewrites paths).

The app reads the ledger only; it never sees order contents (the ledger has none).
"""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from lightspeed_afas.dashboard import data, page
from lightspeed_afas.ledger.queries import PROBLEM_STATUSES, LedgerQueries
from lightspeed_afas.orchestration.run_request import MAX_ORDER_NUMBERS

URL_PREFIX = "/lightspeed-afas"
API_URL_ENV = "LIGHTSPEED_AFAS_AIRFLOW_API_URL"
TOKEN_COOKIE = "_token"  # airflow.api_fastapi.auth.managers.base_auth_manager.COOKIE_NAME_JWT_TOKEN
MAX_RESYNC_ORDERS = MAX_ORDER_NUMBERS  # what one run re-syncs at most

_ledgers: dict[str, Any] = {}
_ledgers_lock = threading.Lock()


class ResyncBody(BaseModel):
    order_numbers: list[str] = Field(min_length=1, max_length=MAX_RESYNC_ORDERS)


def ledger_url() -> str:
    """The ledger's URL as the API server sees the ``lightspeed_afas_ledger`` connection (stored
    connections included)."""
    from lightspeed_afas.ledger.store import ledger_url_outside_tasks

    return ledger_url_outside_tasks()


def _queries(request: Request) -> LedgerQueries:
    """The ledger (the app's own URL in tests, else Airflow's ``lightspeed_afas_ledger`` connection)."""
    from lightspeed_afas.ledger import Ledger

    url = request.app.state.ledger_url or ledger_url()
    with _ledgers_lock:
        if url not in _ledgers:
            _ledgers[url] = Ledger(url)
        return LedgerQueries(_ledgers[url].engine)


def _paths(request: Request) -> tuple[str, str]:
    """(this app's URL prefix, Airflow's root path) as the browser sees them."""
    prefix = str(request.scope.get("root_path", "")).rstrip("/")
    root = prefix[: -len(URL_PREFIX)] if prefix.endswith(URL_PREFIX) else ""
    return prefix, root


async def _resolve_user(request: Request) -> Any:
    """The Airflow user of this request; HTTPException 401/403 without a valid token."""
    from airflow.api_fastapi.core_api.security import bearer_scheme, get_user

    credentials = await bearer_scheme(request)
    return await get_user(request, None, credentials)


async def require_user(request: Request) -> Any:
    return await _resolve_user(request)


async def page_user(request: Request) -> Any:
    """The user, or None: pages send an anonymous visitor to the login instead of answering 401."""
    try:
        return await _resolve_user(request)
    except HTTPException:
        return None


UserDep = Annotated[Any, Depends(require_user)]
PageUserDep = Annotated[Any, Depends(page_user)]


def _may(user: Any, dag_id: str, method: str = "GET", run: bool = False) -> bool:
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.auth.managers.models.resource_details import DagAccessEntity, DagDetails

    return get_auth_manager().is_authorized_dag(
        method=method,
        access_entity=DagAccessEntity.RUN if run else None,
        details=DagDetails(id=dag_id),
        user=user,
    )


def _visible_tenants(queries: LedgerQueries, user: Any) -> dict[str, data.TenantInfo]:
    return {k: v for k, v in data.known_tenants(queries).items() if _may(user, v.dag_id)}


def _tenant(queries: LedgerQueries, user: Any, tenant: str) -> data.TenantInfo:
    info = data.known_tenants(queries).get(tenant)
    if info is None or not _may(user, info.dag_id):
        raise HTTPException(404, f"No tenant {tenant!r} (or you may not see its DAG)")
    return info


def _status_param(status: str) -> str:
    if status not in data.STATUS_FILTERS:
        raise HTTPException(422, f"status must be one of {', '.join(data.STATUS_FILTERS)}")
    return status


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

    # -- pages ------------------------------------------------------------------------------------

    def login_redirect(request: Request) -> RedirectResponse:
        _, root = _paths(request)
        return RedirectResponse(f"{root}/auth/login?next={quote(str(request.url), safe='')}", status_code=303)

    @app.get("/", response_class=HTMLResponse)
    async def overview_page(request: Request, user: PageUserDep) -> Any:
        if user is None:
            return login_redirect(request)
        prefix, root = _paths(request)

        def build() -> str:
            queries = _queries(request)
            tenants = list(_visible_tenants(queries, user).values())
            return page.overview_page(data.overview(queries, tenants), prefix, root)

        return HTMLResponse(await run_in_threadpool(build))

    @app.get("/tenants/{tenant}", response_class=HTMLResponse)
    async def tenant_page(
        request: Request,
        tenant: str,
        user: PageUserDep,
        status: str = "problems",
        q: str = "",
    ) -> Any:
        if user is None:
            return login_redirect(request)
        prefix, root = _paths(request)
        status = _status_param(status)

        def build() -> str:
            queries = _queries(request)
            info = _tenant(queries, user, tenant)
            summary = data.tenant_summary(queries, info, datetime.now(UTC))
            return page.tenant_page(
                summary,
                data.tenant_orders(queries, tenant, status, q),
                queries.latest_bookings(tenant, 50),
                queries.runs(tenant, 15),
                status,
                q,
                prefix,
                root,
            )

        return HTMLResponse(await run_in_threadpool(build))

    @app.get("/icon.svg", include_in_schema=False)
    def icon() -> Response:
        return Response(page.ICON_SVG, media_type="image/svg+xml", headers={"Cache-Control": "max-age=86400"})

    # -- JSON API ---------------------------------------------------------------------------------

    @app.get("/api/overview")
    def api_overview(request: Request, user: UserDep) -> dict[str, Any]:
        queries = _queries(request)
        return data.overview(queries, list(_visible_tenants(queries, user).values()))

    @app.get("/api/tenants/{tenant}")
    def api_tenant(request: Request, tenant: str, user: UserDep) -> dict[str, Any]:
        queries = _queries(request)
        info = _tenant(queries, user, tenant)
        return {
            **data.tenant_summary(queries, info, datetime.now(UTC)),
            "runs": queries.runs(tenant, 15),
        }

    @app.get("/api/tenants/{tenant}/orders")
    def api_orders(
        request: Request,
        tenant: str,
        user: UserDep,
        status: str = "problems",
        q: str = "",
        limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    ) -> dict[str, Any]:
        queries = _queries(request)
        _tenant(queries, user, tenant)
        status = _status_param(status)
        return {
            "tenant": tenant,
            "status": status,
            "q": q,
            "orders": data.tenant_orders(queries, tenant, status, q, limit),
        }

    @app.get("/api/tenants/{tenant}/bookings")
    def api_bookings(
        request: Request,
        tenant: str,
        user: UserDep,
        limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    ) -> dict[str, Any]:
        queries = _queries(request)
        _tenant(queries, user, tenant)
        return {"tenant": tenant, "bookings": queries.latest_bookings(tenant, limit)}

    @app.post("/api/tenants/{tenant}/resync")
    async def api_resync(request: Request, tenant: str, body: ResyncBody, user: UserDep) -> dict[str, Any]:
        numbers = list(dict.fromkeys(n.strip() for n in body.order_numbers if n.strip()))
        if not numbers:
            raise HTTPException(422, "order_numbers: give at least one order number")

        def check() -> data.TenantInfo:
            queries = _queries(request)
            info = _tenant(queries, user, tenant)
            statuses = queries.order_statuses(tenant, numbers)
            wrong = [
                f"{n} ({statuses.get(n, 'not in the ledger')})"
                for n in numbers
                if statuses.get(n) not in PROBLEM_STATUSES
            ]
            if wrong:
                raise HTTPException(
                    422, f"Only failed or quarantined orders can be re-synced here; not: {', '.join(wrong)}"
                )
            if not info.configured or not info.enabled:
                raise HTTPException(
                    409, f"Tenant {tenant!r} has no enabled tenant file, so it has no DAG to run"
                )
            if not _may(user, info.dag_id, "POST", run=True):
                raise HTTPException(403, f"You may not trigger runs of {info.dag_id}")
            return info

        info = await run_in_threadpool(check)
        return await trigger_resync(request, info.dag_id, numbers, user)

    return app


def _token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.cookies.get(TOKEN_COOKIE)


def airflow_api_base(request: Request) -> str:
    """Where this API server's REST API answers, reached from inside the server itself."""
    configured = os.environ.get(API_URL_ENV)
    if configured:
        return configured.rstrip("/")
    _, root = _paths(request)
    host, port = request.scope.get("server") or (request.url.hostname, request.url.port)
    if host in (None, "", "0.0.0.0", "::"):
        host = "127.0.0.1"
    if ":" in str(host):
        host = f"[{host}]"
    return f"{request.url.scheme}://{host}:{port}{root}"


async def trigger_resync(request: Request, dag_id: str, numbers: list[str], user: Any) -> dict[str, Any]:
    """Trigger ``dag_id`` with ``order_numbers`` through Airflow's REST API, as the calling user."""
    import httpx

    token = _token(request)
    if not token:
        raise HTTPException(401, "Not authenticated")
    base = airflow_api_base(request)
    headers = {"Authorization": f"Bearer {token}"}
    _, root = _paths(request)
    body = {
        "logical_date": None,
        "conf": {"order_numbers": numbers},
        "note": f"Re-sync of {len(numbers)} order(s) from the Lightspeed → AFAS page by {user.get_name()}",
    }
    dag_path = f"{base}/api/v2/dags/{quote(dag_id, safe='')}"
    async with httpx.AsyncClient(timeout=30) as client:
        dag_info = await client.get(dag_path, headers=headers)
        response = await client.post(f"{dag_path}/dagRuns", json=body, headers=headers)
    if response.status_code >= 400:
        try:
            detail = response.json().get("detail", response.text)
        except ValueError:
            detail = response.text
        status = response.status_code if response.status_code in (401, 403, 404, 409, 422) else 502
        raise HTTPException(status, f"Airflow refused the run ({response.status_code}): {detail}")
    run = response.json()
    run_id = run["dag_run_id"]
    paused = dag_info.status_code == 200 and bool(dag_info.json().get("is_paused"))
    return {
        "dag_id": dag_id,
        "run_id": run_id,
        "state": run.get("state"),
        "order_numbers": numbers,
        "url": f"{root}/dags/{quote(dag_id, safe='')}/runs/{quote(run_id, safe='')}",
        "warning": f"{dag_id} is paused: the run starts when the DAG is unpaused." if paused else None,
    }
