"""The HTTP receiver of Lightspeed's webhooks: ``POST /lightspeed/<tenant>/<token>``.

Checks, in this order, each refusal with its status and one log line without personal data (tenant,
group, action, Lightspeed id, why):

1. the tenant exists, is enabled and has a ``webhooks:`` block, and the token in the address is the one
   derived from its API secret (``domain.webhook_signature.address_token``) — else 404, as for any
   unknown address, so the receiver tells a stranger nothing;
2. the body is at most ``max_body_bytes`` — else 413, unread beyond that;
3. ``X-Signature`` per ``signature`` / ``algorithm`` — else 401;
4. the body is a JSON object holding an order (wrapped ``{"order": {…}}`` or not) with an id — else 400;
5. an order event the tenant wants (``actions``; the action from the query string ``?action=`` the
   installer puts in the address, else ``created``/``updated`` from the order's dates) — else 200 ``ignored``.

Then 202 at once: the run is asked for in the background (``trigger.RunTrigger``). What the webhook says
is never used — the run reads the shop itself — so a forged body that passed the checks can only cause a
run, never a booking. Only ``/lightspeed/…`` and ``/health`` exist: the receiver exposes nothing of Airflow.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from lightspeed_afas.domain.webhook_signature import signature_problem, token_matches
from lightspeed_afas.webhooks.trigger import Decision, RunTrigger

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TenantHooks:
    """What the receiver needs of one tenant."""

    tenant: str
    secret: str  # the shop's API secret (signature and address token)
    actions: tuple[str, ...]
    signature: str
    algorithm: str
    max_body_bytes: int
    debounce_seconds: float = 2.0


class Refused(Exception):
    def __init__(self, status: int, reason: str, **seen: Any) -> None:
        super().__init__(reason)
        self.status, self.reason, self.seen = status, reason, seen


def create_receiver(
    tenant_hooks: Callable[[str], TenantHooks | None],
    trigger: RunTrigger,
    record: Callable[..., None],
) -> Starlette:
    """The app; ``tenant_hooks`` finds a tenant's settings (None: no such tenant with webhooks),
    ``record(tenant, status, outcome, **values)`` writes the ledger row."""

    async def receive(request: Request) -> JSONResponse:
        tenant = request.path_params["tenant"]
        try:
            hooks = _known(tenant_hooks, tenant, request.path_params["token"])
            body = await _body(request, hooks.max_body_bytes)
            problem = signature_problem(
                body, request.headers.get("x-signature"), hooks.secret, hooks.signature, hooks.algorithm
            )
            if problem:
                raise Refused(401, problem)
            order_id, action = _event(body, request.query_params.get("action"))
        except Refused as refusal:
            return _answer(record, tenant, refusal.status, "refused", refusal.reason, **refusal.seen)
        seen = {"item_group": "orders", "action": action, "item_id": order_id}
        if action not in hooks.actions:
            return _answer(record, tenant, 200, "ignored", f"the tenant does not act on {action}", **seen)
        queued = trigger.request(tenant)
        outcome = "queued" if queued else "joined"
        return _answer(record, tenant, 202, outcome, None if queued else "a run is asked for already", **seen)

    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        trigger.start()
        try:
            yield
        finally:
            trigger.stop()

    return Starlette(
        routes=[
            Route("/lightspeed/{tenant}/{token}", receive, methods=["POST"]),
            Route("/health", health, methods=["GET"]),
        ],
        lifespan=lifespan,
    )


def _known(tenant_hooks: Callable[[str], TenantHooks | None], tenant: str, token: str) -> TenantHooks:
    hooks = tenant_hooks(tenant) if len(tenant) <= 200 else None
    if hooks is None or not token_matches(token, hooks.secret, tenant):
        raise Refused(404, "no such webhook address (unknown tenant, no webhooks block, or a wrong token)")
    return hooks


async def _body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise Refused(413, f"body of {declared} bytes is over the limit of {limit}")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise Refused(413, f"body over the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _event(body: bytes, action: str | None) -> tuple[int, str]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise Refused(400, "the body is not JSON") from None
    order = data.get("order", data) if isinstance(data, dict) else None
    order_id = order.get("id") if isinstance(order, dict) else None
    if not isinstance(order_id, int) or isinstance(order_id, bool) or order_id <= 0:
        raise Refused(400, "the body holds no order with an id")
    if action is None:
        action = (
            "created"
            if order.get("createdAt") and order.get("createdAt") == order.get("updatedAt")
            else "updated"
        )
    if action not in ("created", "updated", "paid", "shipped", "deleted"):
        raise Refused(400, f"unknown action {action[:20]!r}")
    return order_id, action


def _answer(
    record: Callable[..., None], tenant: str, status: int, outcome: str, reason: str | None, **seen: Any
) -> JSONResponse:
    log.info(
        "Webhook %s for tenant %s: %s %s %s%s",
        outcome,
        tenant[:64],
        seen.get("item_group") or "-",
        seen.get("action") or "-",
        seen.get("item_id") or "-",
        f" ({reason})" if reason else "",
    )
    try:
        record(tenant[:64], status, outcome, reason=reason, **seen)
    except Exception:  # the ledger being down must not turn a webhook into a 500 Lightspeed retries forever
        log.exception("Webhook for tenant %s: could not write the ledger row", tenant[:64])
    return JSONResponse({"outcome": outcome, **({"reason": reason} if reason else {})}, status_code=status)


def decision_recorder(record: Callable[..., None]) -> Callable[[Decision], None]:
    """``RunTrigger.on_decision`` that logs and records what became of a tenant's request."""

    def on_decision(decision: Decision) -> None:
        log.info(
            "Webhook run for tenant %s: %s %s%s",
            decision.tenant,
            decision.outcome,
            decision.run_id or "",
            f" ({decision.reason})" if decision.reason else "",
        )
        status = 500 if decision.outcome == "failed" else 200
        try:
            record(
                decision.tenant,
                status,
                decision.outcome,
                action="run",
                run_id=decision.run_id,
                reason=decision.reason,
            )
        except Exception:
            log.exception("Webhook run for tenant %s: could not write the ledger row", decision.tenant)

    return on_decision
