"""``python -m lightspeed_afas webhooks install|list|remove <tenant>`` and ``webhooks serve``.

``install`` registers one Lightspeed ``orders`` webhook per action of the tenant's ``webhooks.actions``
at ``<public_url>/lightspeed/<tenant>/<token>?action=<action>``, idempotently: what is there already is
kept, an inactive or changed one is updated, one the tenant no longer wants (another action, an old
``public_url``) and a duplicate are removed; run it again after a change or an error. ``remove`` deletes
the tenant's webhooks (only ours: their address has the receiver's path for this tenant). ``serve`` runs
the receiver (``lightspeed_afas.webhooks``).
"""

from __future__ import annotations

import argparse
import logging
from typing import Any

from lightspeed_afas.cli.registry import arg, subcommand

ORDERS = "orders"


def our_path(tenant: str) -> str:
    return f"/lightspeed/{tenant}/"


def wanted_webhooks(tenant: Any, secret: str) -> dict[str, dict[str, Any]]:
    """The webhooks the tenant file asks for, by address."""
    from lightspeed_afas.domain.webhook_signature import address_token

    block = tenant.webhooks
    base = f"{block.public_url}{our_path(tenant.tenant)}{address_token(secret, tenant.tenant)}"
    language = _language(tenant)
    return {
        f"{base}?action={action}": {
            "isActive": True,
            "itemGroup": ORDERS,
            "itemAction": action,
            "language": language,
            "format": "json",
            "address": f"{base}?action={action}",
        }
        for action in block.actions
    }


def _language(tenant: Any) -> str:
    from lightspeed_afas.config.airflow_connections import connection_outside_tasks

    extra = connection_outside_tasks(tenant.lightspeed.conn_id).extra_dejson or {}
    return str(extra.get("language") or "nl")


def plan(
    existing: list[dict[str, Any]], wanted: dict[str, dict[str, Any]], tenant: str
) -> dict[str, list[Any]]:
    """What ``install`` does: create, update (id, fields), delete (id), keep (id)."""
    ours = [h for h in existing if our_path(tenant) in str(h.get("address") or "")]
    out: dict[str, list[Any]] = {"create": [], "update": [], "delete": [], "keep": []}
    seen: set[str] = set()
    for hook in sorted(ours, key=lambda h: int(h.get("id") or 0)):
        address = str(hook.get("address"))
        fields = wanted.get(address)
        if fields is None or address in seen:
            out["delete"].append(hook["id"])
            continue
        seen.add(address)
        language = hook.get("language")
        code = language.get("code") if isinstance(language, dict) else language
        differs = (
            hook.get("isActive") is not True
            or hook.get("itemGroup") != ORDERS
            or hook.get("itemAction") != fields["itemAction"]
            or hook.get("format") != "json"
            or code != fields["language"]
        )
        out["update" if differs else "keep"].append((hook["id"], fields) if differs else hook["id"])
    out["create"] = [fields for address, fields in wanted.items() if address not in seen]
    return out


def _hook_and_tenant(tenant_id: str) -> tuple[Any, Any, str]:
    from lightspeed_afas.config import load_tenant
    from lightspeed_afas.config.airflow_connections import connection_outside_tasks, outside_task
    from lightspeed_afas.hooks.lightspeed import LightspeedEcomHook

    tenant = load_tenant(tenant_id)
    secret = connection_outside_tasks(tenant.lightspeed.conn_id).password or ""
    return outside_task(LightspeedEcomHook)(tenant.lightspeed.conn_id), tenant, secret


@subcommand(
    "webhooks",
    "register, list or remove the shop's order webhooks (install|list|remove <tenant>), or run the receiver (serve)",
    arg("action", choices=["install", "list", "remove", "serve"]),
    arg("tenant", nargs="?", default=None),
    arg("--host", default="127.0.0.1", help="serve: the address to listen on"),
    arg("--port", type=int, default=8090, help="serve: the port to listen on"),
)
def webhooks_command(args: argparse.Namespace) -> int:
    if args.action == "serve":
        return serve(args.host, args.port)
    if not args.tenant:
        print(f"webhooks {args.action} needs a tenant")
        return 2
    hook, tenant, secret = _hook_and_tenant(args.tenant)
    try:
        existing = hook.list_webhooks()
        if args.action == "list":
            return _list(existing, args.tenant)
        if args.action == "remove":
            return _remove(hook, existing, args.tenant)
        if tenant.webhooks is None:
            print(f"tenant {args.tenant} has no webhooks: block; add one (see README, 'Webhooks') first")
            return 1
        return _install(hook, plan(existing, wanted_webhooks(tenant, secret), args.tenant))
    finally:
        hook.close()


def _list(existing: list[dict[str, Any]], tenant: str) -> int:
    from lightspeed_afas.tables import text_table

    rows = [
        (str(h.get("id")), str(h.get("itemGroup")), str(h.get("itemAction")), "yes" if h.get("isActive") else "no",
         "ours" if our_path(tenant) in str(h.get("address") or "") else "other", _masked(str(h.get("address") or "")))
        for h in existing
    ]  # fmt: skip
    print(
        text_table(("id", "group", "action", "active", "whose", "address"), rows)
        if rows
        else "The shop has no webhooks."
    )
    return 0


def _masked(address: str) -> str:
    """The address without its token (it is as good as a password)."""
    head, sep, rest = address.partition("/lightspeed/")
    if not sep:
        return address
    tenant, _, tail = rest.partition("/")
    return f"{head}/lightspeed/{tenant}/…{tail[tail.find('?') :] if '?' in tail else ''}"


def _remove(hook: Any, existing: list[dict[str, Any]], tenant: str) -> int:
    ours = [h for h in existing if our_path(tenant) in str(h.get("address") or "")]
    for h in ours:
        hook.delete_webhook(h["id"])
    print(f"Removed {len(ours)} webhook(s) of tenant {tenant}; the shop's other webhooks are untouched.")
    return 0


def _install(hook: Any, todo: dict[str, list[Any]]) -> int:
    for webhook_id in todo["delete"]:
        hook.delete_webhook(webhook_id)
    for webhook_id, fields in todo["update"]:
        hook.update_webhook(webhook_id, fields)
    for fields in todo["create"]:
        hook.create_webhook(fields)
    print(
        f"Webhooks: {len(todo['create'])} created, {len(todo['update'])} updated, {len(todo['delete'])} removed, "
        f"{len(todo['keep'])} already right."
    )
    return 0


def serve(host: str, port: int) -> int:
    """Run the receiver until stopped."""
    import uvicorn

    from lightspeed_afas.webhooks.serve import receiver_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    uvicorn.run(receiver_app(), host=host, port=port, log_level="warning")
    return 0
