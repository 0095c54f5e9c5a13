"""The receiver as ``webhooks serve`` runs it: tenants from their files, secrets from their Airflow
connections, Airflow's API from the environment (``airflow_api``), the ledger outside tasks.

The tenant file is read on every webhook (a changed block applies at once); the API secret is kept for
``SECRET_TTL`` seconds, so a rotated secret applies within a minute without a restart."""

from __future__ import annotations

import logging
import threading

from cachetools import TTLCache
from starlette.applications import Starlette

from lightspeed_afas.webhooks.airflow_api import AirflowApi
from lightspeed_afas.webhooks.receiver import TenantHooks, create_receiver, decision_recorder
from lightspeed_afas.webhooks.trigger import RunTrigger

log = logging.getLogger(__name__)
SECRET_TTL = 60.0
_secrets: TTLCache[str, str] = TTLCache(maxsize=4096, ttl=SECRET_TTL)
_secrets_lock = threading.Lock()


def tenant_hooks(tenant_id: str) -> TenantHooks | None:
    """The receiver's view of a tenant (None: no such enabled tenant with a webhooks block)."""
    from lightspeed_afas.config import ConfigError, load_tenant
    from lightspeed_afas.config.airflow_connections import connection_outside_tasks

    try:
        tenant = load_tenant(tenant_id)
    except (ConfigError, FileNotFoundError, ValueError):
        return None
    if not tenant.enabled or tenant.webhooks is None:
        return None
    block = tenant.webhooks
    secret = _secret(connection_outside_tasks, tenant.lightspeed.conn_id)
    if not secret:
        return None
    return TenantHooks(
        tenant.tenant,
        secret,
        tuple(block.actions),
        block.signature,
        block.algorithm,
        block.max_body_bytes,
        block.debounce_seconds,
    )


def _secret(lookup: object, conn_id: str) -> str:
    with _secrets_lock:
        cached = _secrets.get(conn_id)
    if cached is not None:
        return cached
    try:
        secret = str(lookup(conn_id).password or "")  # type: ignore[operator]
    except Exception:
        log.exception("The receiver cannot read connection %s", conn_id)
        return ""  # not cached: the next webhook tries again
    with _secrets_lock:
        _secrets[conn_id] = secret
    return secret


def receiver_app() -> Starlette:
    from lightspeed_afas.ledger import Ledger, ledger_url_outside_tasks

    ledger = Ledger(ledger_url_outside_tasks())

    def debounce_seconds(tenant: str) -> float:
        hooks = tenant_hooks(tenant)
        return 2.0 if hooks is None else hooks.debounce_seconds

    trigger = RunTrigger(AirflowApi.from_env(), decision_recorder(ledger.record_webhook), debounce_seconds)
    return create_receiver(tenant_hooks, trigger, ledger.record_webhook)
