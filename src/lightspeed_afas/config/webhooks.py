"""The ``webhooks:`` block of a tenant file: Lightspeed's ``orders`` webhooks make the orders DAG run now
instead of at the next quarter-hour (DESIGN.md "Webhooks"). Polling stays the source of truth.

- ``public_url``: the receiver's address as Lightspeed reaches it (``https://hooks.example.nl``); the
  webhooks are registered at ``<public_url>/lightspeed/<tenant>/<token>``, the token derived from the
  shop's API secret (``domain.webhook_signature.address_token``): unguessable, and never stored.
- ``actions``: which order events trigger a run (``created``, ``updated``, ``paid``).
- ``signature``: ``required`` (default: a body without a valid ``X-Signature`` is refused), ``optional``
  (verified when present), ``off`` (only the address token counts). How Lightspeed signs is uncertain
  (reference erp-extras §1.8): ``algorithm`` ``md5_body_secret`` (md5 of the raw body then the secret, the
  community's reading) or ``md5_secret_body``.
- ``max_body_bytes``: larger bodies are refused (413) unread.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from lightspeed_afas.config.fields import Strict

WebhookAction = Literal["created", "updated", "paid"]


class WebhookSettings(Strict):
    """Webhooks of one tenant's shop."""

    public_url: str = Field(min_length=8, max_length=500, description="the receiver as Lightspeed reaches it")
    actions: list[WebhookAction] = Field(
        default_factory=lambda: ["created", "updated", "paid"], description="order events that trigger a run"
    )
    signature: Literal["required", "optional", "off"] = Field("required", description="X-Signature check")
    algorithm: Literal["md5_body_secret", "md5_secret_body"] = Field(
        "md5_body_secret", description="how Lightspeed computes X-Signature"
    )
    max_body_bytes: int = Field(1_000_000, ge=1_000, le=20_000_000, description="larger bodies are refused")
    debounce_seconds: float = Field(2.0, ge=0, le=60, description="webhooks this close together make one run")

    @field_validator("public_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError(f"public_url {value!r} must start with https:// (or http:// for a test set-up)")
        return value.rstrip("/")

    @field_validator("actions")
    @classmethod
    def _actions(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("actions needs at least one of created, updated, paid")
        return list(dict.fromkeys(value))
