"""The dashboard's routes: the HTML pages (``pages``) and the JSON API under ``/api`` (``api``).

Pages redirect an anonymous visitor to Airflow's login; the JSON API answers 401. Ledger reads run in
the thread pool, so a slow database does not hold up the API server's event loop.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from lightspeed_afas.dashboard import access, data, page, resync, stock_data
from lightspeed_afas.dashboard.access import PageUserDep, UserDep
from lightspeed_afas.dashboard.assets import ICON_SVG

pages = APIRouter()
api = APIRouter(prefix="/api")


def login_redirect(request: Request) -> RedirectResponse:
    """To Airflow's login, and back to this page after it."""
    _, root = access.paths(request)
    return RedirectResponse(f"{root}/auth/login?next={quote(str(request.url), safe='')}", status_code=303)


# -- pages ----------------------------------------------------------------------------------------


@pages.get("/", response_class=HTMLResponse)
async def overview_page(request: Request, user: PageUserDep) -> Any:
    if user is None:
        return login_redirect(request)
    prefix, root = access.paths(request)

    def build() -> str:
        ledger = access.queries(request)
        return page.overview_page(data.overview(ledger, access.visible_tenants(ledger, user)), prefix, root)

    return HTMLResponse(await run_in_threadpool(build))


@pages.get("/tenants/{tenant}", response_class=HTMLResponse)
async def tenant_page(
    request: Request, tenant: str, user: PageUserDep, status: str = "problems", q: str = ""
) -> Any:
    if user is None:
        return login_redirect(request)
    prefix, root = access.paths(request)
    status = access.status_param(status)

    def build() -> str:
        ledger = access.queries(request)
        info = access.tenant(ledger, user, tenant)
        return page.tenant_page(
            data.tenant_summary(ledger, info, datetime.now(UTC)),
            data.tenant_orders(ledger, tenant, status, q),
            ledger.latest_bookings(tenant, 50),
            ledger.runs(tenant, 15),
            status,
            q,
            prefix,
            root,
            stock_data.stock_view(ledger.engine, tenant) if "stock" in info.flows else None,
        )

    return HTMLResponse(await run_in_threadpool(build))


@pages.get("/icon.svg", include_in_schema=False)
def icon() -> Response:
    return Response(ICON_SVG, media_type="image/svg+xml", headers={"Cache-Control": "max-age=86400"})


# -- JSON API -------------------------------------------------------------------------------------


@api.get("/overview")
def api_overview(request: Request, user: UserDep) -> dict[str, Any]:
    ledger = access.queries(request)
    return data.overview(ledger, access.visible_tenants(ledger, user))


@api.get("/tenants/{tenant}")
def api_tenant(request: Request, tenant: str, user: UserDep) -> dict[str, Any]:
    ledger = access.queries(request)
    info = access.tenant(ledger, user, tenant)
    return {**data.tenant_summary(ledger, info, datetime.now(UTC)), "runs": ledger.runs(tenant, 15)}


@api.get("/tenants/{tenant}/orders")
def api_orders(
    request: Request,
    tenant: str,
    user: UserDep,
    status: str = "problems",
    q: str = "",
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> dict[str, Any]:
    ledger = access.queries(request)
    access.tenant(ledger, user, tenant)
    status = access.status_param(status)
    orders = data.tenant_orders(ledger, tenant, status, q, limit)
    return {"tenant": tenant, "status": status, "q": q, "orders": orders}


@api.get("/tenants/{tenant}/bookings")
def api_bookings(
    request: Request, tenant: str, user: UserDep, limit: Annotated[int, Query(ge=1, le=1000)] = 50
) -> dict[str, Any]:
    ledger = access.queries(request)
    access.tenant(ledger, user, tenant)
    return {"tenant": tenant, "bookings": ledger.latest_bookings(tenant, limit)}


@api.get("/tenants/{tenant}/stock")
def api_stock(request: Request, tenant: str, user: UserDep) -> dict[str, Any]:
    ledger = access.queries(request)
    info = access.tenant(ledger, user, tenant)
    if "stock" not in info.flows:
        raise HTTPException(404, f"Tenant {tenant!r} has no stock block: its stock flow is off")
    return stock_data.stock_view(ledger.engine, tenant)


@api.post("/tenants/{tenant}/resync")
async def api_resync(request: Request, tenant: str, body: resync.ResyncBody, user: UserDep) -> dict[str, Any]:
    numbers = resync.order_numbers(body)
    info = await run_in_threadpool(resync.check, request, tenant, numbers, user)
    return await resync.trigger_resync(request, info.dag_id, numbers, user)
