"""The Lightspeed eCom API emulator: auth, language, rate limits, faults and the read endpoints.

Public API (HTTP Basic auth: username = API key, password = API secret; ``{lang}`` a two-letter
language active on the shop, else 404 ``Unknown or inactive language``). Every body has one root key.
  GET /{lang}/orders.json            page (1-based), limit (default 50, max 250), updated_at_min/max,
                                     created_at_min/max, number, customer, fields → {"orders": […]}
  GET /{lang}/orders/count.json      the same filters → {"count": n}
  GET /{lang}/orders/{id}.json       {"order": …} with the lines under products.resource.embedded
  GET /{lang}/orders/{id}/products.json → {"orderProducts": […]}
  GET /{lang}/customers/{id}.json    {"customer": …}
  GET /{lang}/customers.json, /{lang}/customers/count.json   the list: see ``customers``
  GET /{lang}/invoices…, POST /{lang}/orders/{id}/credit.json   invoices, credit notes, their items
                                     and the credit: see ``invoices``
  GET /{lang}/shop.json              {"shop": …} (currency, language)
  GET|PUT|POST|DELETE /{lang}/variants…, /{lang}/products…   the catalogue: see ``catalog_routes``
                                     and ``catalog_products`` (writes: ``catalog_write``)
  GET /{lang}/taxes…, /{lang}/shop/limits.json, /{lang}/languages.json   see ``settings_routes``
  GET|POST|PUT|DELETE /{lang}/webhooks…   webhooks, and their deliveries on the shop's events: see
                                     ``webhooks`` (the sender: ``webhook_delivery``)

Choices where the reference is uncertain ([U]), the stricter plausible one, documented:
- Sort: newest id first, *not* by updatedAt, so pages drift when an order changes mid-scan.
- Filters take exactly ``YYYY-MM-DD HH:MM:SS`` (anything else: 400 naming the parameter and format),
  read in ``filter_timezone`` (default Europe/Amsterdam, or UTC), both bounds inclusive. A local time
  inside the spring-forward gap is read with the winter offset (02:30 → 03:30+02:00); one in the
  repeated autumn hour means its first occurrence (+02:00) — Python's ``fold=0``, as PHP reads them.
- The list does not embed lines (``products`` is a link with ``id: false``); the single order does.
- Errors: ``{"error": {"code", "method", "request", "message"}}`` with the HTTP status; clients read
  ``error.message``. Unknown routes answer the same way.
- Order of checks: auth (401) → rate limit (429) → language (404) → injected faults → the route.
  Every answer, 401/404/429 included, carries the rate-limit headers (see ``ratelimit``).
- 429 carries ``Retry-After`` in seconds, or as an HTTP date (``retry_after_format``).
- A ``drop_after_put`` (``drop_after_post``) fault answers an applied PUT (POST) by dropping the
  connection (counted "dropped").
The admin API is described in ``admin``; money semantics in ``money``; quirks in ``serialize``; the
catalogue's rules (the reference's [U] on variants and products) in ``catalog`` and ``catalog_write``.
"""

from __future__ import annotations

import asyncio
import base64
import secrets
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from emulators.clock import EmulatorClock
from emulators.lightspeed import serialize
from emulators.lightspeed.admin import admin_routes
from emulators.lightspeed.catalog_routes import catalog_admin_routes, catalog_routes
from emulators.lightspeed.config import LightspeedConfig
from emulators.lightspeed.customers import customer_admin_routes, customer_routes
from emulators.lightspeed.emulator import (
    ApiError,
    LightspeedEmulator,
    base_url,
    outside,
    page_window,
    requested_fields,
    time_bounds,
)
from emulators.lightspeed.faults import DroppedResponse
from emulators.lightspeed.invoices import invoice_admin_routes, invoice_routes
from emulators.lightspeed.webhooks import install, webhook_admin_routes, webhook_routes


def error_response(
    status: int, message: str, request: Request, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = {
        "error": {"code": status, "method": request.method, "request": request.url.path, "message": message}
    }
    return JSONResponse(body, status_code=status, headers=headers)


def create_app(config: LightspeedConfig | None = None, clock: EmulatorClock | None = None) -> FastAPI:
    """A fresh emulated shop; its state is ``app.state.emulator`` (a ``LightspeedEmulator``).

    ``clock`` replaces the real-time clock of ``config.clock_scale`` (tests pass one on a ``ManualTime``).
    """

    emulator = LightspeedEmulator(config or LightspeedConfig(), clock)
    install(emulator)
    app = FastAPI(title="Lightspeed eCom emulator", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.emulator = emulator

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.message, request)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = {404: "Resource not found", 405: "Method not allowed"}.get(exc.status_code, str(exc.detail))
        return error_response(exc.status_code, message, request)

    @app.middleware("http")
    async def api_gate(request: Request, call_next: Any) -> Any:
        path = request.url.path
        emu: LightspeedEmulator = app.state.emulator
        emu.deliveries.watch_running_loop()  # the webhook sender stops when this loop ends
        if path.startswith("/_admin"):
            return await deliver_sync(emu, await call_next(request))
        route = f"{request.method} {route_name(path)}"
        if emu.faults.latency_ms:
            await asyncio.sleep(emu.faults.latency_ms / 1000)
        login = basic_login(request)
        allowed, headers, wait = emu.limiter.take(login[0] if login else "anonymous")

        def done(response: Any) -> Any:
            response.headers.update(headers)
            emu.count(route, response.status_code)
            return response

        if login is None or not (
            secrets.compare_digest(login[0].encode(), emu.config.api_key.encode())
            and secrets.compare_digest(login[1].encode(), emu.config.api_secret.encode())
        ):
            challenge = {"WWW-Authenticate": 'Basic realm="Lightspeed eCom API"'}
            return done(error_response(401, "Invalid API key or secret", request, challenge))
        if not allowed:
            retry = {"Retry-After": emu.retry_after(wait)}
            return done(error_response(429, "Too many requests: rate limit exceeded", request, retry))
        lang = path.strip("/").split("/", 1)[0]
        if len(lang) != 2 or lang not in emu.config.languages:
            return done(error_response(404, "Unknown or inactive language", request))
        response = await deliver_sync(emu, await faults_then_route(emu, request, route, call_next))
        if isinstance(response, DroppedResponse):
            emu.count(route, "dropped")
            return response
        return done(response)

    customer_routes(app)  # before public_routes: /customers/count.json is not /customers/{id}.json
    invoice_routes(app)
    public_routes(app)
    catalog_routes(app)
    admin_routes(app)
    catalog_admin_routes(app)
    customer_admin_routes(app)
    invoice_admin_routes(app)
    webhook_routes(app)
    webhook_admin_routes(app)
    return app


async def deliver_sync(emu: LightspeedEmulator, response: Any) -> Any:
    """In the sender's "sync" mode, the deliveries a call caused are made before it is answered (in a
    worker thread, so a receiver may call the emulator back)."""
    if emu.deliveries.sync and emu.deliveries.pending():
        await asyncio.to_thread(emu.deliveries.drain)
    return response


async def faults_then_route(emu: LightspeedEmulator, request: Request, route: str, call_next: Any) -> Any:
    """An injected fault's answer, else the route's; a PUT (POST) the route applied under
    ``drop_after_put`` (``drop_after_post``) gets a ``DroppedResponse`` instead of its answer."""
    with emu.lock:
        fault = emu.faults.take(route.split(" ", 1)[1], request.method)
    if fault:
        retry = {"Retry-After": emu.retry_after(emu.faults.put_429_retry_after)} if fault[0] == 429 else None
        return error_response(fault[0], fault[1], request, retry)
    response = await call_next(request)
    drop = getattr(request.state, "drop_connection", False)
    if drop:
        async for _ in response.body_iterator:  # let the route finish; its answer is lost
            pass
        return DroppedResponse(drop if isinstance(drop, str) else "variant")
    return response


def route_name(path: str) -> str:
    """``/nl/orders/123/products.json`` → ``/{lang}/orders/{id}/products.json`` (for call counters)."""
    parts = path.strip("/").split("/")
    if not parts[0]:
        return "/"
    named = ["{lang}"]
    for part in parts[1:]:
        stem, dot, ext = part.partition(".")
        named.append(("{id}" + dot + ext) if stem.isdigit() else part)
    return "/" + "/".join(named)


def basic_login(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        user, sep, password = base64.b64decode(header[6:], validate=True).decode("utf-8").partition(":")
    except (ValueError, UnicodeDecodeError):
        return None
    return (user, password) if sep else None


def filtered_orders(emu: LightspeedEmulator, request: Request) -> list[dict[str, Any]]:
    bounds = time_bounds(request, emu)
    number = request.query_params.get("number")
    customer = request.query_params.get("customer")
    with emu.shop.lock:
        orders = sorted(emu.shop.orders.values(), key=lambda o: o["id"], reverse=True)
    out = []
    for order in orders:
        if outside(order, bounds):
            continue
        if number is not None and order["number"] != number:
            continue
        if customer is not None and (order["customer"] is None or str(order["customer"].id) != customer):
            continue
        out.append(order)
    return out


def public_routes(app: FastAPI) -> None:
    def emu() -> LightspeedEmulator:
        return app.state.emulator

    def order_or_404(order_id: str) -> dict[str, Any]:
        order = emu().shop.orders.get(int(order_id)) if order_id.isdigit() else None
        if order is None:
            raise ApiError(404, "Order not found")
        return order

    @app.get("/{lang}/orders.json")
    def list_orders(lang: str, request: Request) -> Any:
        start, stop = page_window(request)
        orders = filtered_orders(emu(), request)[start:stop]
        fields = requested_fields(request)
        with emu().shop.lock:
            rendered = [
                serialize.render_order(o, base_url(request), lang, False, emu().config.line_price_semantics)
                for o in orders
            ]
        return {"orders": [serialize.only_fields(o, fields) for o in rendered]}

    @app.get("/{lang}/orders/count.json")
    def count_orders(lang: str, request: Request) -> Any:
        return {"count": len(filtered_orders(emu(), request))}

    @app.get("/{lang}/orders/{order_id}.json")
    def get_order(lang: str, order_id: str, request: Request) -> Any:
        with emu().shop.lock:
            body = serialize.render_order(
                order_or_404(order_id), base_url(request), lang, True, emu().config.line_price_semantics
            )
        return {"order": serialize.only_fields(body, requested_fields(request))}

    @app.get("/{lang}/orders/{order_id}/products.json")
    def get_order_lines(lang: str, order_id: str, request: Request) -> Any:
        with emu().shop.lock:
            lines = serialize.render_lines(
                order_or_404(order_id), base_url(request), lang, emu().config.line_price_semantics
            )
        return {"orderProducts": lines}

    @app.get("/{lang}/customers/{customer_id}.json")
    def get_customer(lang: str, customer_id: str, request: Request) -> Any:
        customer = emu().shop.customers.get(int(customer_id)) if customer_id.isdigit() else None
        if customer is None:
            raise ApiError(404, "Customer not found")
        return {"customer": serialize.render_customer(customer, base_url(request), lang)}

    @app.get("/{lang}/shop.json")
    def get_shop(lang: str, request: Request) -> Any:
        base = base_url(request)
        return {
            "shop": {
                "id": 310000,
                "title": "De Koffiebranderij (demo)",
                "mainDomain": "koffiebranderij.example.nl",
                "language": serialize.language(lang),
                "languages": [
                    {**serialize.language(code), "isActive": True, "link": f"{base}/{code}/shop.json"}
                    for code in emu().config.languages
                ],
                "currency": {
                    "shortcode": "EUR",
                    "symbol": "€",
                    "title": "Euro",
                    "isDefault": True,
                    "currencyRate": 1,
                },
                "timezone": "Europe/Amsterdam",
            }
        }
