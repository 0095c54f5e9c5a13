"""Who asks and what they may see: the caller's Airflow user, the tenants whose DAG they may read, the
ledger the app reads, and the app's paths as the browser sees them.

Authentication is Airflow's own: the API server's ``get_user`` resolves the ``Authorization: Bearer``
JWT, else the UI's ``_token`` cookie; the configured auth manager says whether the user may read (or
trigger) a tenant's DAG. A tenant whose DAG the user may not read does not exist for them.
"""

from __future__ import annotations

import threading
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request

from lightspeed_afas.dashboard import data
from lightspeed_afas.ledger.queries import LedgerQueries

URL_PREFIX = "/lightspeed-afas"

_ledgers: dict[str, Any] = {}
_ledgers_lock = threading.Lock()


def ledger_url() -> str:
    """The ledger's URL as the API server sees the ``lightspeed_afas_ledger`` connection (stored
    connections included)."""
    from lightspeed_afas.ledger import ledger_url_outside_tasks

    return ledger_url_outside_tasks()


def queries(request: Request) -> LedgerQueries:
    """The ledger (the app's own URL in tests, else Airflow's ``lightspeed_afas_ledger`` connection)."""
    from lightspeed_afas.ledger import Ledger

    url = request.app.state.ledger_url or ledger_url()
    with _ledgers_lock:
        if url not in _ledgers:
            _ledgers[url] = Ledger(url)
        return LedgerQueries(_ledgers[url].engine)


def paths(request: Request) -> tuple[str, str]:
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
    """The user; the JSON API answers 401 to an anonymous caller."""
    return await _resolve_user(request)


async def page_user(request: Request) -> Any:
    """The user, or None: pages send an anonymous visitor to the login instead of answering 401."""
    try:
        return await _resolve_user(request)
    except HTTPException:
        return None


UserDep = Annotated[Any, Depends(require_user)]
PageUserDep = Annotated[Any, Depends(page_user)]


def may(user: Any, dag_id: str, method: str = "GET", run: bool = False) -> bool:
    """Whether the auth manager lets ``user`` read ``dag_id`` (``run``: act on its runs with ``method``)."""
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.auth.managers.models.resource_details import DagAccessEntity, DagDetails

    return get_auth_manager().is_authorized_dag(
        method=method,
        access_entity=DagAccessEntity.RUN if run else None,
        details=DagDetails(id=dag_id),
        user=user,
    )


def visible_tenants(ledger: LedgerQueries, user: Any) -> list[data.TenantInfo]:
    """The tenants whose DAG ``user`` may read."""
    return [v for v in data.known_tenants(ledger).values() if may(user, v.dag_id)]


def tenant(ledger: LedgerQueries, user: Any, tenant_id: str) -> data.TenantInfo:
    """One tenant ``user`` may see; 404 for one that does not exist or whose DAG they may not read."""
    info = data.known_tenants(ledger).get(tenant_id)
    if info is None or not may(user, info.dag_id):
        raise HTTPException(404, f"No tenant {tenant_id!r} (or you may not see its DAG)")
    return info


def status_param(status: str) -> str:
    """The ``status`` filter of a request, or 422."""
    if status not in data.STATUS_FILTERS:
        raise HTTPException(422, f"status must be one of {', '.join(data.STATUS_FILTERS)}")
    return status
