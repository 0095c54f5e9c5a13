"""The ``doctor``'s checks of a tenant's webhooks (its ``webhooks:`` block):

- the Lightspeed key lists the shop's webhooks (``webhooks.json``, ``LightspeedEcomHook.list_webhooks``):
  ``webhooks install`` reads and writes them there;
- the shop's webhooks of this tenant are the ones ``webhooks install`` would make (``cli.webhooks.plan``
  of ``wanted_webhooks``): ok when it would change nothing; a FAIL when a wanted one is missing, inactive
  or different (that action's webhooks do not reach the receiver as configured); a note when only extra
  ones of this tenant are left (a duplicate, an action no longer wanted, an old ``public_url``) — both
  with the counts and the command that fixes it;
- a note that the receiver's reachability from the internet is not checked (the doctor runs inside).

The addresses hold the tenant's token (as good as a password): only counts and ``public_url`` are said.
``Registered.list_probe`` is a probe for ``doctor._check`` (its OK line, or ``ValueError`` with what to
fix); ``Registered.verdict`` then says ("ok" | "fail" | "note", line).
"""

from __future__ import annotations

from typing import Any

INSTALL = "run python -m lightspeed_afas webhooks install {tenant}"


class Registered:
    """The shop's webhooks against what ``webhooks install`` would make, for one tenant."""

    def __init__(self, tenant: Any, lightspeed: Any) -> None:
        self.tenant, self.lightspeed = tenant, lightspeed
        self.label = f"Lightspeed webhooks of {tenant.lightspeed.conn_id}"
        self.todo: dict[str, list[Any]] | None = None
        self.wanted = 0

    def list_probe(self) -> str:
        """List the shop's webhooks and plan what ``install`` would do (the answer kept for ``verdict``)."""
        from lightspeed_afas.cli.webhooks import our_path, plan, wanted_webhooks
        from lightspeed_afas.config.airflow_connections import connection_outside_tasks
        from lightspeed_afas.hooks.errors import LightspeedAuthError  # the hooks import Airflow

        try:
            existing = self.lightspeed.list_webhooks()
        except LightspeedAuthError as exc:
            raise ValueError(
                f"{exc} webhooks install registers the receiver through webhooks.json: the key must be "
                "allowed to read and write webhooks."
            ) from None
        tenant_id = self.tenant.tenant
        secret = connection_outside_tasks(self.tenant.lightspeed.conn_id).password or ""
        wanted = wanted_webhooks(self.tenant, secret)
        self.todo, self.wanted = plan(existing, wanted, tenant_id), len(wanted)
        ours = sum(1 for h in existing if our_path(tenant_id) in str(h.get("address") or ""))
        return f"webhooks.json answers: the shop has {len(existing)} webhook(s), {ours} of them this tenant's"

    def verdict(self) -> tuple[str, str]:
        """("ok" | "fail" | "note", the line) after a ``list_probe`` that answered."""
        assert self.todo is not None, "list_probe first"
        todo, tenant_id = self.todo, self.tenant.tenant
        block = self.tenant.webhooks
        what = f"webhooks of tenant {tenant_id}"
        counts = (
            f"{len(todo['create'])} to create, {len(todo['update'])} to update, {len(todo['delete'])} to "
            f"remove, {len(todo['keep'])} already right"
        )
        fix = INSTALL.format(tenant=tenant_id)
        if todo["create"] or todo["update"]:
            return "fail", (
                f"{what}: the shop does not have the {self.wanted} order webhook(s) webhooks.actions asks "
                f"for at {block.public_url} ({counts}): {fix}"
            )
        if todo["delete"]:
            return "note", (
                f"{what}: the {self.wanted} wanted are registered, and {len(todo['delete'])} more of this "
                f"tenant's (a duplicate, an action no longer wanted or an old public_url) that install "
                f"removes ({counts}): {fix}"
            )
        actions = ", ".join(block.actions)
        return "ok", (
            f"{what}: the shop has the {self.wanted} order webhook(s) webhooks install makes ({actions}, "
            f"at {block.public_url}); nothing to do"
        )


def not_checked(tenant: Any) -> list[str]:
    """With a webhooks block: what the doctor cannot see from inside."""
    if tenant.webhooks is None:
        return []
    url = tenant.webhooks.public_url
    return [
        f"not checked: that Lightspeed reaches the receiver at {url} from the internet (the doctor does "
        f'not call it); GET {url}/health from outside answers {{"status": "ok"}}, and the webhooks it '
        f"answered show in python -m lightspeed_afas log {tenant.tenant} --webhooks"
    ]
