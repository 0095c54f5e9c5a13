"""The shop's webhooks (``webhooks.json``, reference erp-extras §1.8): list, create, update, delete.

A create is sent **once** (a lost answer may have made the webhook): ``webhooks install`` is idempotent
and run again finds it, and removes a duplicate.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lightspeed_afas.hooks.lightspeed_pager import order_pages


class WebhookCalls:
    """Webhooks, on top of ``LightspeedEcomHook.call_json`` (a mix-in of the hook)."""

    conn_id: str
    call_json: Callable[..., dict[str, Any]]

    def list_webhooks(self) -> list[dict[str, Any]]:
        pages = order_pages(
            lambda p: self.call_json("GET", "webhooks", p, endpoint="webhooks"),
            [],
            250,
            20,
            self.conn_id,
            root="webhooks",
            advice="The shop has more webhooks than it may hold.",
        )
        return [hook for page in pages for hook in page]

    def create_webhook(self, fields: dict[str, Any]) -> dict[str, Any]:
        body = self.call_json(
            "POST", "webhooks", json_body={"webhook": fields}, endpoint="webhooks", once=True
        )
        return dict(body.get("webhook") or {})

    def update_webhook(self, webhook_id: int, fields: dict[str, Any]) -> dict[str, Any]:
        body = self.call_json(
            "PUT", f"webhooks/{int(webhook_id)}", json_body={"webhook": fields}, endpoint="webhooks/{id}"
        )
        return dict(body.get("webhook") or {})

    def delete_webhook(self, webhook_id: int) -> None:
        self.call_json("DELETE", f"webhooks/{int(webhook_id)}", endpoint="webhooks/{id}")
