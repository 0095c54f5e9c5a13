"""The receiver as ``webhooks serve`` runs it: tenants from their files, secrets from their Airflow
connections, Airflow's API from the environment (``airflow_api``), the ledger outside tasks."""

from __future__ import annotations

import functools
import logging

from starlette.applications import Starlette

from lightspeed_afas.webhooks.airflow_api import AirflowApi
from lightspeed_afas.webhooks.receiver import TenantHooks, create_receiver, decision_recorder
from lightspeed_afas.webhooks.trigger import RunTrigger

log = logging.getLogger(__name__)


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
        tenant.tenant, secret, tuple(block.actions), block.signature, block.algorithm, block.max_body_bytes
    )


@functools.lru_cache(maxsize=4096)
def _secret(lookup: object, conn_id: str) -> str:
    try:
        return str(lookup(conn_id).password or "")  # type: ignore[operator]
    except Exception:
        log.exception("The receiver cannot read connection %s", conn_id)
        return ""


def receiver_app() -> Starlette:
    from lightspeed_afas.ledger import Ledger, ledger_url_outside_tasks

    ledger = Ledger(ledger_url_outside_tasks())
    debounce = {}

    def debounce_seconds(tenant: str) -> float:
        if tenant not in debounce:
            hooks = tenant_hooks(tenant)
            debounce[tenant] = 2.0 if hooks is None else _debounce(tenant)
        return debounce[tenant]

    trigger = RunTrigger(AirflowApi.from_env(), decision_recorder(ledger.record_webhook), debounce_seconds)
    return create_receiver(tenant_hooks, trigger, ledger.record_webhook)


def _debounce(tenant_id: str) -> float:
    from lightspeed_afas.config import load_tenant

    block = load_tenant(tenant_id).webhooks
    return block.debounce_seconds if block else 2.0
