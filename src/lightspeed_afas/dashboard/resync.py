"""Re-sync: check the orders a user picked, then trigger the tenant's DAG with them, as that user.

The run is triggered through Airflow's REST API (``POST /api/v2/dags/{dag_id}/dagRuns`` with
``conf: {"order_numbers": [...]}``) with the caller's own token, so Airflow checks the user's right to
trigger runs as it does for the UI's Trigger button. The call goes to the API server's own socket
(``LIGHTSPEED_AFAS_AIRFLOW_API_URL`` overrides it, e.g. behind a proxy that rewrites paths).
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import quote

from fastapi import HTTPException, Request
from pydantic import BaseModel, Field

from lightspeed_afas.dashboard import access, data
from lightspeed_afas.ledger.queries import PROBLEM_STATUSES
from lightspeed_afas.orchestration.run_request import MAX_ORDER_NUMBERS

API_URL_ENV = "LIGHTSPEED_AFAS_AIRFLOW_API_URL"
TOKEN_COOKIE = "_token"  # airflow.api_fastapi.auth.managers.base_auth_manager.COOKIE_NAME_JWT_TOKEN
MAX_RESYNC_ORDERS = MAX_ORDER_NUMBERS  # what one run re-syncs at most


class ResyncBody(BaseModel):
    order_numbers: list[str] = Field(min_length=1, max_length=MAX_RESYNC_ORDERS)


def order_numbers(body: ResyncBody) -> list[str]:
    """The body's order numbers, trimmed and without repeats; 422 when none is left."""
    numbers = list(dict.fromkeys(n.strip() for n in body.order_numbers if n.strip()))
    if not numbers:
        raise HTTPException(422, "order_numbers: give at least one order number")
    return numbers


def check(request: Request, tenant: str, numbers: list[str], user: Any) -> data.TenantInfo:
    """The tenant, when every order is failed or quarantined, it has a DAG, and ``user`` may run it."""
    ledger = access.queries(request)
    info = access.tenant(ledger, user, tenant)
    statuses = ledger.order_statuses(tenant, numbers)
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
        raise HTTPException(409, f"Tenant {tenant!r} has no enabled tenant file, so it has no DAG to run")
    if not access.may(user, info.dag_id, "POST", run=True):
        raise HTTPException(403, f"You may not trigger runs of {info.dag_id}")
    return info


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
    _, root = access.paths(request)
    host, port = request.scope.get("server") or (request.url.hostname, request.url.port)
    if host in (None, "", "0.0.0.0", "::"):
        host = "127.0.0.1"
    if ":" in str(host):
        host = f"[{host}]"
    return f"{request.url.scheme}://{host}:{port}{root}"


def _refused(response: Any) -> HTTPException:
    """Airflow's refusal of the run, with its status where the caller can act on it (else 502)."""
    try:
        detail = response.json().get("detail", response.text)
    except ValueError:
        detail = response.text
    status = response.status_code if response.status_code in (401, 403, 404, 409, 422) else 502
    return HTTPException(status, f"Airflow refused the run ({response.status_code}): {detail}")


async def trigger_resync(request: Request, dag_id: str, numbers: list[str], user: Any) -> dict[str, Any]:
    """Trigger ``dag_id`` with ``order_numbers`` through Airflow's REST API, as the calling user."""
    import httpx

    token = _token(request)
    if not token:
        raise HTTPException(401, "Not authenticated")
    base = airflow_api_base(request)
    headers = {"Authorization": f"Bearer {token}"}
    _, root = access.paths(request)
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
        raise _refused(response)
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
