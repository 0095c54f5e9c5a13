"""Webhooks: the CRUD routes, the shop's webhooks, and turning the shop's events into deliveries
(erp-extras §1.8, §1.4, §3 items 14–17; the sender is ``webhook_delivery``).

Public (the order routes' auth, rate limits, language and faults):
  GET    /{lang}/webhooks.json         page (1-based), limit (default 50, max 250), fields
                                       → {"webhooks": […]}, newest id first
  GET    /{lang}/webhooks/count.json   {"count": n}
  GET    /{lang}/webhooks/{id}.json    {"webhook": …}; unknown: 404 "Webhook not found"
  POST   /{lang}/webhooks.json         {"webhook": {isActive, itemGroup, itemAction, language, format,
                                       address}} → ``create_status`` (201) {"webhook": …}
  PUT    /{lang}/webhooks/{id}.json    {"webhook": {<changed fields>}} → 200 {"webhook": …}; bumps
                                       ``updatedAt`` (at least +1 s)
  DELETE /{lang}/webhooks/{id}.json    → ``delete_status`` (204, or 200 ``{}``)
A webhook: ``id`` (from 4745101), ``createdAt``, ``updatedAt``, ``isActive``, ``itemGroup``,
``itemAction``, ``language`` ``{id, code, locale, title}`` (as ``/languages.json`` has it), ``format``,
``address`` — no ``secret``/``url`` field. The body's root-key checks are the variant PUT's. A POST needs
all six fields (DRU, the only create seen, sends all six); ``isActive`` true/false; ``itemGroup`` one of
customers, orders, invoices, shipments, products, variants, quotes, reviews, returns, subscriptions
(+ tickets, contacts per ``webhook_extra_groups``); ``itemAction`` one of created, updated, deleted, *,
paid, shipped, answered (the last three per ``webhook_action_groups``); ``format`` "json" or "xml"
(xml is stored, never delivered: see ``webhook_delivery``); ``address`` an http(s) URL with a host, at
most 2048 characters. ``id``/``createdAt``/``updatedAt`` follow ``readonly_fields``; any other field is
a 400 "Unknown field 'X'". Everything is checked first: a 400 changes nothing. A POST when the shop
has ``maxWebhooks`` webhooks (``shop/limits.json``, 10; active or not) is a 400 "The shop has reached
its maximum number of webhooks (N)" under ``shop_limit_exceeded`` "refuse". A ``drop_after_post``
(``drop_after_put``) fault loses the answer of an applied POST (PUT). Webhooks are shop data: a
reseed (``/_admin/reset``) drops them.

Rules (``VariantRules`` in ``config``; ``POST /_admin/variant_rules``; first value = default):
- ``webhook_action_groups`` orders_only|any: ``paid``/``shipped`` only with ``orders`` and ``answered``
  only with ``tickets`` (DRU's doc comment), else a 400 | any action with any group (LS-ENUM lists
  them without a restriction).
- ``webhook_language`` code|code_or_id: ``language`` is a code of an active shop language ("nl") | that,
  or its id in ``/languages.json`` (1, 2, …). Stored as the language either way.
- ``webhook_extra_groups`` refuse|accept: ``tickets`` and ``contacts`` (only in DRU's doc comment) are
  a 400 | accepted (no event ever reaches them).
- ``webhook_payload`` wrapped|unwrapped|id_only: a delivery's body is the resource as ``GET
  /{group}/{id}.json`` renders it, in the webhook's language, under its singular root key
  (``{"order": {…}}``) | the resource without the root key (``{…}``) | ``{"order": {"id": n}}``.
- ``webhook_signature`` md5_body_secret|md5_secret_body|none|uppercase_hex: ``X-Signature`` is the
  lower-case hex md5 of the raw body bytes followed by the secret (COMM-3614/4574) | of the secret
  followed by the body | absent | the first, in upper-case hex. The secret is the API secret, or the
  config's ``webhook_secret`` (``POST /_admin/webhook_delivery {"secret"}`` at run time).

Events (reported by ``store``, ``customers``, ``invoices`` with the shop's lock held): orders
created, updated, paid, shipped, deleted (a new order that is already paid is ``created`` and
``paid``); customers created, updated; invoices created (an invoice, a credit note), updated. Every
active webhook of that ``itemGroup`` whose ``itemAction`` is the event's or ``*`` gets one delivery per
event (so a change that makes an order paid gives a ``*`` webhook two: ``updated`` and ``paid``), in
webhook id order; the body is rendered when the event happens (a late delivery carries the state of
then), with the links under the base URL the webhook was created through. No other group has events.
The language of the texts is the webhook's ([U]; the only reading that needs no choice).

Admin (no auth, JSON):
  GET  /_admin/webhook_delivery        {"delivery": {settings}, "secret": the webhook secret or null}
  POST /_admin/webhook_delivery        any settings of ``webhook_delivery`` and/or "secret" (a string, or
                                       null for the API secret); checked as a whole → the same
  GET  /_admin/webhook_deliveries      ?wait=<seconds> waits (as flush) first → {"deliveries": [every
                                       attempt, oldest first], "pending": n, "summary": {…}}
  POST /_admin/webhook_deliveries/flush  {"timeout": 10} (seconds, at most 300) → 200 {"flushed": true,
                                       "pending": 0, "summary"} once nothing is pending, else 504
                                       {"error", "flushed": false, "pending": n}
  POST /_admin/webhook_deliveries/reset  pending deliveries dropped, the log cleared → {"ok": true}
An attempt: {delivery, event, webhook, group, action, resource, address, attempt, status (int or
null), error (null, "timeout", "connection error: …", "lost", or the xml refusal), ok, signed_ok,
signature, lost, duplicate, at (the emulator's clock)}. ``/_admin/reset`` also restores the configured
delivery settings and secret and drops the queue and the log.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from emulators.lightspeed import serialize
from emulators.lightspeed.admin_body import read_json
from emulators.lightspeed.catalog_products import deleted
from emulators.lightspeed.catalog_put import _bad, parse_body
from emulators.lightspeed.config import VariantRules
from emulators.lightspeed.emulator import (
    ApiError,
    LightspeedEmulator,
    base_url,
    page_window,
    requested_fields,
)
from emulators.lightspeed.invoices import Invoice, render_invoice
from emulators.lightspeed.shop_settings import render_languages
from emulators.lightspeed.store import AdminError
from emulators.lightspeed.webhook_delivery import Outgoing, summary

GROUPS = (
    "customers",
    "orders",
    "invoices",
    "shipments",
    "products",
    "variants",
    "quotes",
    "reviews",
    "returns",
    "subscriptions",
)
EXTRA_GROUPS = ("tickets", "contacts")
ACTIONS = ("created", "updated", "deleted", "*", "paid", "shipped", "answered")
ACTION_GROUP = {"paid": "orders", "shipped": "orders", "answered": "tickets"}
ATTRIBUTES = {  # body field → Webhook attribute
    "isActive": "is_active",
    "itemGroup": "group",
    "itemAction": "action",
    "language": "language",
    "format": "format",
    "address": "address",
}
FIELDS = tuple(ATTRIBUTES)
READ_ONLY = ("id", "createdAt", "updatedAt")
FORMATS = ("json", "xml")
ROOTS = {"orders": "order", "customers": "customer", "invoices": "invoice"}
MAX_ADDRESS = 2048
FIRST_ID = 4745101  # NT's live test reads webhook 4745101


@dataclass
class Webhook:
    id: int
    created: datetime
    updated: datetime
    is_active: bool
    group: str
    action: str
    language: str  # a code of config.languages
    format: str
    address: str
    base: str  # the API base URL it was created through: the payload's links use it


class WebhookBook:
    """The shop's webhooks (in ``shop.extras``, so a reseed drops them); used with the shop's lock."""

    def __init__(self) -> None:
        self.hooks: dict[int, Webhook] = {}
        self.next_id = FIRST_ID
        self.events = itertools.count(1)


def book(emu: LightspeedEmulator) -> WebhookBook:
    with emu.shop.lock:
        return emu.shop.extras.setdefault("webhooks", WebhookBook())


def render(hook: Webhook, languages: tuple[str, ...]) -> dict[str, Any]:
    language = next(lang for lang in render_languages(languages) if lang["code"] == hook.language)
    return {
        "id": hook.id,
        "createdAt": serialize.stamp(hook.created),
        "updatedAt": serialize.stamp(hook.updated),
        "isActive": hook.is_active,
        "itemGroup": hook.group,
        "itemAction": hook.action,
        "language": {key: language[key] for key in ("id", "code", "locale", "title")},
        "format": hook.format,
        "address": hook.address,
    }


# --- checking a body ---------------------------------------------------------------------------------


def _language(value: Any, rules: VariantRules, languages: tuple[str, ...]) -> str:
    if isinstance(value, str) and value in languages:
        return value
    by_id = rules.webhook_language == "code_or_id"
    if by_id and isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= len(languages):
        return languages[value - 1]
    codes = ", ".join(languages)
    expected = f"a language code of the shop ({codes})"
    if by_id:
        expected += f" or its id (1 to {len(languages)})"
    raise _bad("language", expected, value)


def _address(value: Any) -> str:
    if not isinstance(value, str) or len(value) > MAX_ADDRESS or any(c.isspace() for c in value):
        raise _bad("address", f"an http(s) URL of at most {MAX_ADDRESS} characters", value)
    try:
        parts = urlsplit(value)
        scheme, host, _ = parts.scheme, parts.hostname, parts.port  # a bad port raises here
    except ValueError:
        scheme, host = "", None
    if scheme not in ("http", "https") or not host:
        raise _bad("address", "an http(s) URL with a host", value)
    return value


def checked_fields(fields: dict[str, Any], rules: VariantRules, languages: tuple[str, ...]) -> dict[str, Any]:
    """The body's changes (field → value), or the 400 for the first bad field."""
    changes: dict[str, Any] = {}
    groups = GROUPS + (EXTRA_GROUPS if rules.webhook_extra_groups == "accept" else ())
    for name, value in fields.items():
        if name in READ_ONLY:
            if rules.readonly_fields == "refuse":
                raise ApiError(400, f"Field '{name}' is read-only")
            continue
        if name not in FIELDS:
            raise ApiError(400, f"Unknown field '{name}'")
        if name == "isActive" and not isinstance(value, bool):
            raise _bad(name, "true or false", value)
        if name == "itemGroup" and (not isinstance(value, str) or value not in groups):
            raise _bad(name, "one of " + ", ".join(groups), value)
        if name == "itemAction" and (not isinstance(value, str) or value not in ACTIONS):
            raise _bad(name, "one of " + ", ".join(ACTIONS), value)
        if name == "format" and (not isinstance(value, str) or value not in FORMATS):
            raise _bad(name, "json or xml", value)
        if name == "language":
            value = _language(value, rules, languages)
        if name == "address":
            value = _address(value)
        changes[name] = value
    return changes


def _check_pair(group: str, action: str, rules: VariantRules) -> None:
    only = ACTION_GROUP.get(action)
    if only and only != group and rules.webhook_action_groups == "orders_only":
        raise ApiError(
            400,
            f"Invalid value for field 'itemAction': {action!r} is only for itemGroup {only!r}, not {group!r}",
        )


def create_webhook(emu: LightspeedEmulator, fields: dict[str, Any], base: str) -> Webhook:
    rules = emu.catalog.rules
    changes = checked_fields(fields, rules, emu.config.languages)
    for name in FIELDS:
        if name not in changes:
            raise ApiError(400, f"Missing field '{name}'")
    _check_pair(changes["itemGroup"], changes["itemAction"], rules)
    webhooks = book(emu)
    with emu.shop.lock:
        cap = int(emu.shop_limits["maxWebhooks"])
        if len(webhooks.hooks) >= cap and rules.shop_limit_exceeded == "refuse":
            raise ApiError(400, f"The shop has reached its maximum number of webhooks ({cap})")
        now = emu.clock.now()
        hook = Webhook(
            id=webhooks.next_id,
            created=now,
            updated=now,
            is_active=changes["isActive"],
            group=changes["itemGroup"],
            action=changes["itemAction"],
            language=changes["language"],
            format=changes["format"],
            address=changes["address"],
            base=base,
        )
        webhooks.next_id += 1
        webhooks.hooks[hook.id] = hook
        return hook


def update_webhook(emu: LightspeedEmulator, hook: Webhook, fields: dict[str, Any]) -> None:
    rules = emu.catalog.rules
    changes = checked_fields(fields, rules, emu.config.languages)
    _check_pair(changes.get("itemGroup", hook.group), changes.get("itemAction", hook.action), rules)
    with emu.shop.lock:
        for name, value in changes.items():
            setattr(hook, ATTRIBUTES[name], value)
        hook.updated = max(emu.clock.now(), hook.updated + timedelta(seconds=1))


# --- events → deliveries -----------------------------------------------------------------------------


def signature(body: bytes, secret: str, rule: str) -> str | None:
    """``X-Signature`` for ``body`` under ``webhook_signature`` (None: no header)."""
    key = secret.encode("utf-8")
    if rule == "none":
        return None
    if rule == "md5_secret_body":
        return hashlib.md5(key + body, usedforsecurity=False).hexdigest()
    digest = hashlib.md5(body + key, usedforsecurity=False).hexdigest()
    return digest.upper() if rule == "uppercase_hex" else digest


def _resource_id(resource: Any) -> int:
    return resource["id"] if isinstance(resource, dict) else resource.id


def _rendered(emu: LightspeedEmulator, group: str, resource: Any, base: str, lang: str) -> dict[str, Any]:
    if group == "orders":
        return serialize.render_order(resource, base, lang, True, emu.config.line_price_semantics)
    if group == "customers":
        return serialize.render_customer(resource, base, lang)
    assert isinstance(resource, Invoice)
    return render_invoice(resource, base, lang, emu.catalog.rules)


def payload(emu: LightspeedEmulator, group: str, resource: Any, base: str, lang: str) -> bytes:
    """The body bytes of a delivery (as the API's JSON responses are encoded) under ``webhook_payload``."""
    rule, root = emu.catalog.rules.webhook_payload, ROOTS[group]
    if rule == "id_only":
        content: dict[str, Any] = {root: {"id": _resource_id(resource)}}
    else:
        body = _rendered(emu, group, resource, base, lang)
        content = {root: body} if rule == "wrapped" else body
    text = json.dumps(jsonable_encoder(content), ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.encode("utf-8")


def dispatch(emu: LightspeedEmulator, group: str, action: str, resource: Any) -> None:
    """Queue a delivery per matching active webhook (called with the shop's lock held)."""
    webhooks: WebhookBook | None = emu.shop.extras.get("webhooks")
    if webhooks is None or group not in ROOTS:
        return
    hooks = [
        webhooks.hooks[hid]
        for hid in sorted(webhooks.hooks)
        if webhooks.hooks[hid].is_active
        and webhooks.hooks[hid].group == group
        and webhooks.hooks[hid].action in (action, "*")
    ]
    if not hooks:
        return
    rule = emu.catalog.rules.webhook_signature
    secret = emu.webhook_secret or emu.config.api_secret
    event, bodies, outgoing = next(webhooks.events), {}, []
    for hook in hooks:
        key = (hook.base, hook.language)
        if key not in bodies:
            bodies[key] = payload(emu, group, resource, hook.base, hook.language)
        body = bodies[key]
        outgoing.append(
            Outgoing(
                event=event,
                webhook=hook.id,
                group=group,
                action=action,
                resource=_resource_id(resource),
                address=hook.address,
                format=hook.format,
                body=body,
                signature=signature(body, secret, rule),
                wrong_signature=signature(body, secret + "-not-the-secret", rule),
            )
        )
    emu.deliveries.submit(outgoing)


def install(emu: LightspeedEmulator) -> None:
    """Let the shop's events reach the webhooks."""
    emu.shop.on_event = lambda group, action, resource: dispatch(emu, group, action, resource)


# --- routes ------------------------------------------------------------------------------------------


def webhook_routes(app: FastAPI) -> None:
    """The public webhook routes (``count`` before ``{id}``)."""

    def emu() -> LightspeedEmulator:
        return app.state.emulator

    def hook_or_404(webhook_id: str) -> Webhook:
        hook = book(emu()).hooks.get(int(webhook_id)) if webhook_id.isdigit() else None
        if hook is None:
            raise ApiError(404, "Webhook not found")
        return hook

    def answer(request: Request, hook: Webhook, status: int) -> JSONResponse:
        with emu().lock:
            request.state.drop_connection = emu().faults.take_drop(request.method) and "webhook"
        return JSONResponse({"webhook": render(hook, emu().config.languages)}, status_code=status)

    @app.get("/{lang}/webhooks.json")
    def list_webhooks(lang: str, request: Request) -> Any:
        start, stop = page_window(request)
        fields = requested_fields(request)
        with emu().shop.lock:
            hooks = sorted(book(emu()).hooks.values(), key=lambda h: h.id, reverse=True)[start:stop]
            rendered = [render(h, emu().config.languages) for h in hooks]
        return {"webhooks": [serialize.only_fields(h, fields) for h in rendered]}

    @app.get("/{lang}/webhooks/count.json")
    def count_webhooks(lang: str) -> Any:
        return {"count": len(book(emu()).hooks)}

    @app.get("/{lang}/webhooks/{webhook_id}.json")
    def get_webhook(lang: str, webhook_id: str, request: Request) -> Any:
        with emu().shop.lock:
            body = render(hook_or_404(webhook_id), emu().config.languages)
        return {"webhook": serialize.only_fields(body, requested_fields(request))}

    @app.post("/{lang}/webhooks.json")
    async def post_webhook(lang: str, request: Request) -> Any:
        raw = await request.body()
        with emu().shop.lock:
            hook = create_webhook(emu(), parse_body(raw, "webhook"), base_url(request))
            return answer(request, hook, emu().catalog.rules.create_status)

    @app.put("/{lang}/webhooks/{webhook_id}.json")
    async def put_webhook(lang: str, webhook_id: str, request: Request) -> Any:
        raw = await request.body()
        with emu().shop.lock:
            hook = hook_or_404(webhook_id)
            update_webhook(emu(), hook, parse_body(raw, "webhook"))
            return answer(request, hook, 200)

    @app.delete("/{lang}/webhooks/{webhook_id}.json")
    def delete_webhook(lang: str, webhook_id: str) -> Any:
        with emu().shop.lock:
            hook = hook_or_404(webhook_id)
            del book(emu()).hooks[hook.id]
        return deleted(emu().catalog.rules.delete_status)


def _seconds(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 300:
        raise AdminError(f"{name}: seconds from 0 to 300, got {value!r}")
    return float(value)


def webhook_admin_routes(app: FastAPI) -> None:
    def emu() -> LightspeedEmulator:
        return app.state.emulator

    def delivery_settings() -> dict[str, Any]:
        return {"delivery": emu().deliveries.settings, "secret": emu().webhook_secret}

    def deliveries() -> dict[str, Any]:
        log = emu().deliveries.log()
        return {"deliveries": log, "pending": emu().deliveries.pending(), "summary": summary(log)}

    @app.get("/_admin/webhook_delivery")
    def get_delivery() -> Any:
        return delivery_settings()

    @app.post("/_admin/webhook_delivery")
    async def set_delivery(request: Request) -> Any:
        body = await read_json(request)
        changes = {name: value for name, value in body.items() if name != "secret"}
        secret = body.get("secret", emu().webhook_secret)
        if secret is not None and (not isinstance(secret, str) or not secret):
            raise AdminError(f"secret: a non-empty string, or null for the API secret, got {secret!r}")
        try:
            emu().deliveries.configure(changes)
        except ValueError as exc:
            raise AdminError(f"webhook_delivery: {exc}") from exc
        emu().webhook_secret = secret
        return delivery_settings()

    @app.get("/_admin/webhook_deliveries")
    async def list_deliveries(request: Request) -> Any:
        wait = request.query_params.get("wait")
        if wait is not None:
            try:
                seconds = float(wait)
            except ValueError:
                raise AdminError(f"wait: seconds from 0 to 300, got {wait!r}") from None
            await asyncio.to_thread(emu().deliveries.flush, _seconds(seconds, "wait"))
        return deliveries()

    @app.post("/_admin/webhook_deliveries/flush")
    async def flush(request: Request) -> Any:
        body = await read_json(request)
        unknown = sorted(set(body) - {"timeout"})
        if unknown:
            raise AdminError(f"unknown keys: {unknown}")
        timeout = _seconds(body.get("timeout", 10), "timeout")
        flushed = await asyncio.to_thread(emu().deliveries.flush, timeout)
        current = deliveries()
        if not flushed:
            message = f"{current['pending']} deliveries still pending after {timeout:g} s"
            return JSONResponse({"error": message, "flushed": False, "pending": current["pending"]}, 504)
        return {"flushed": True, "pending": current["pending"], "summary": current["summary"]}

    @app.post("/_admin/webhook_deliveries/reset")
    def reset_deliveries() -> Any:
        emu().deliveries.stop()
        emu().deliveries.clear_log()
        return {"ok": True}
