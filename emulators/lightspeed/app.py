"""The Lightspeed eCom API emulator: routes, auth, rate limits, faults and the admin API.

Public API (HTTP Basic auth = API key / secret; ``{lang}`` a two-letter active shop language):
  GET /{lang}/orders.json            page, limit (≤ 250, default 50), updated_at_min/max,
                                     created_at_min/max ("YYYY-MM-DD HH:MM:SS", read in the configured
                                     filter time zone, bounds inclusive), number, customer.
                                     Sorted by id, newest first — not by updatedAt, so pages drift when
                                     an order changes mid-scan, as with the real API.
  GET /{lang}/orders/count.json      same filters → {"count": n}
  GET /{lang}/orders/{id}.json       {"order": …} with lines under products.resource.embedded
  GET /{lang}/orders/{id}/products.json → {"orderProducts": […]}
  GET /{lang}/customers/{id}.json    {"customer": …}
  GET /{lang}/shop.json              {"shop": …}

Admin API (no auth; for tests and the demo), JSON in and out:
  POST   /_admin/reset            {"seed": "demo", "orders": 60}            reseed
  POST   /_admin/orders           {"orders": [partial order, …]} or {"generate": n}  → {"orders": [{id, number}]}
         A partial order may set: number, email, firstname, middlename, lastname, phone, customer
         (false = guest), company {name, vat, coc}, country, street, number_addr, extension, zipcode,
         city, comment, status, paymentStatus, shipmentStatus, payment_id, payment_title, payment_fee,
         shipping, discount {kind: percentage|amount, value, code}, lines [{articleCode, sku, ean,
         productTitle, variantTitle, quantityOrdered, basePriceIncl, taxRate, raw}], createdAt,
         updatedAt, raw {field: value} (overrides the rendered JSON — hostile data).
  PATCH  /_admin/orders/{id}      same fields; bumps updatedAt to now unless given
  DELETE /_admin/orders/{id}
  POST   /_admin/faults           {"transient_404": {"count": n}} | {"status_5xx": {"count": n, "status": 503}}
                                  | {"latency_ms": 50} | {"rate_limit": {"limits": [300, 3000, 12000]}}
                                  | {"exhaust": "5min"|"hour"|"day"} | {"retry_after_format": "seconds"|"http-date"}
                                  | {"clear": true}
  POST   /_admin/clock            {"advance_seconds": n} | {"scale": f}
  GET    /_admin/calls            counters per endpoint and status, 429s;  POST /_admin/calls/reset
  GET    /_admin/state            orders (rendered, lines embedded), rate-limit windows, faults
"""

from __future__ import annotations

import asyncio
import base64
import secrets
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from email.utils import format_datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from emulators.clock import EmulatorClock
from emulators.lightspeed import demo
from emulators.lightspeed.ratelimit import RateLimiter
from emulators.lightspeed.store import ShopState

DEMO_API_KEY = "d3m0k3y0000000000000000000000001"
DEMO_API_SECRET = "d3m0s3cr3t0000000000000000000001"
FILTER_FORMAT = "%Y-%m-%d %H:%M:%S"
FILTERS = ("updated_at_min", "updated_at_max", "created_at_min", "created_at_max")


@dataclass
class LightspeedConfig:
    api_key: str = DEMO_API_KEY
    api_secret: str = DEMO_API_SECRET
    languages: tuple[str, ...] = ("nl", "en")
    seed: str = "demo"
    orders: int = 60
    rate_limits: tuple[int, int, int] = (300, 3000, 12000)
    clock_scale: float = 1.0
    filter_timezone: str = "Europe/Amsterdam"
    base_time: datetime = field(default_factory=lambda: datetime(2026, 11, 20, 12, 0, tzinfo=UTC))
    line_price_semantics: str = "line_total"  # or "unit"
    retry_after_format: str = "seconds"  # or "http-date"
    reset_quirk: bool = False


@dataclass
class Faults:
    transient_404: int = 0
    status_5xx: int = 0
    status_code: int = 503
    latency_ms: float = 0.0


class LightspeedEmulator:
    def __init__(self, config: LightspeedConfig) -> None:
        self.config = config
        self.clock = EmulatorClock(config.clock_scale)
        self.limiter = RateLimiter(self.clock, config.rate_limits, config.reset_quirk)
        self.faults = Faults()
        self.calls: Counter[str] = Counter()
        self.statuses: Counter[str] = Counter()
        self.lock = threading.RLock()
        self.shop = ShopState(line_price_semantics=config.line_price_semantics)
        self.next_id = 0
        self.reseed(config.seed, config.orders)

    def reseed(self, seed: str, count: int) -> None:
        orders, customers = demo.generate(seed, count, self.config.base_time, ZoneInfo("Europe/Amsterdam"))
        with self.lock:
            self.shop.orders = {o["id"]: o for o in orders}
            self.shop.customers = {c.id: c for c in customers}
            self.next_id = max(self.shop.orders, default=218240000) + 7
            self.next_line = 95000000

    # -- admin helpers ----------------------------------------------------------------------------

    def add_order(self, spec: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            order_id = int(spec.get("id") or self.next_id)
            self.next_id = max(self.next_id, order_id) + 7
            now = self.clock.now()
            base = {
                "id": order_id,
                "number": f"ORD{order_id % 100000:05d}",
                "created": now,
                "updated": now,
                "customer": next(iter(self.shop.customers.values())),
                "email": "klant@example.nl",
                "firstname": "Jan",
                "middlename": "",
                "lastname": "Jansen",
                "phone": "",
                "country": "nl",
                "street": "Markt",
                "number_addr": "1",
                "extension": "",
                "zipcode": "3833 LC",
                "city": "Leusden",
                "company": None,
                "comment": "",
                "payment_id": "ideal",
                "payment_title": "iDEAL",
                "payment_fee": Decimal("0"),
                "shipping": Decimal("0"),
                "discount": {"kind": None},
                "status": "processing_awaiting_shipment",
                "paymentStatus": "paid",
                "shipmentStatus": "not_shipped",
                "lines": [demo.line_from_product(demo.PRODUCTS[0], 1, self._line_id())],
            }
            self.shop.orders[order_id] = base
            self.apply_changes(base, spec, bump=False)
            return base

    def _line_id(self) -> int:
        self.next_line += 1
        return self.next_line

    def apply_changes(self, order: dict[str, Any], spec: dict[str, Any], bump: bool) -> None:
        simple = (
            "number",
            "email",
            "firstname",
            "middlename",
            "lastname",
            "phone",
            "country",
            "street",
            "number_addr",
            "extension",
            "zipcode",
            "city",
            "comment",
            "status",
            "paymentStatus",
            "shipmentStatus",
            "payment_id",
            "payment_title",
            "raw",
        )
        for key in simple:
            if key in spec:
                order[key] = spec[key]
        for key in ("payment_fee", "shipping"):
            if key in spec:
                order[key] = Decimal(str(spec[key]))
        if "discount" in spec:
            order["discount"] = dict(spec["discount"] or {"kind": None})
        if "customer" in spec:
            value = spec["customer"]
            if value is False or value is None:
                order["customer"] = None
            else:
                customer_id = int(value)
                if customer_id not in self.shop.customers:
                    template = next(iter(self.shop.customers.values()))
                    self.shop.customers[customer_id] = demo.Customer(
                        **{**template.__dict__, "id": customer_id, "email": order["email"]}
                    )
                order["customer"] = self.shop.customers[customer_id]
        if "company" in spec:
            company = spec["company"]
            order["company"] = (
                (company["name"], company.get("vat", ""), company.get("coc", "")) if company else None
            )
        if "lines" in spec:
            order["lines"] = [self._line(raw) for raw in spec["lines"]]
        for key, attr in (("createdAt", "created"), ("updatedAt", "updated")):
            if key in spec:
                order[attr] = datetime.fromisoformat(spec[key])
        if bump and "updatedAt" not in spec:
            order["updated"] = max(self.clock.now(), order["updated"] + timedelta(seconds=1))

    def _line(self, raw: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": int(raw.get("id") or self._line_id()),
            "articleCode": raw.get("articleCode", ""),
            "sku": raw.get("sku", ""),
            "ean": raw.get("ean", ""),
            "productTitle": raw.get("productTitle", "Artikel"),
            "variantTitle": raw.get("variantTitle", ""),
            "brandTitle": raw.get("brandTitle", ""),
            "quantityOrdered": int(raw.get("quantityOrdered", 1)),
            "basePriceIncl": Decimal(str(raw.get("basePriceIncl", "1.00"))),
            "taxRate": Decimal(str(raw.get("taxRate", "0.21"))),
            "raw": raw.get("raw", {}),
        }


def _error(
    status: int, message: str, request: Request, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = {
        "error": {"code": status, "method": request.method, "request": request.url.path, "message": message}
    }
    return JSONResponse(body, status_code=status, headers=headers)


def create_app(config: LightspeedConfig | None = None) -> FastAPI:
    emulator = LightspeedEmulator(config or LightspeedConfig())
    app = FastAPI(title="Lightspeed eCom emulator", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.emulator = emulator

    @app.middleware("http")
    async def api_gate(request: Request, call_next: Any) -> Any:
        path = request.url.path
        if path.startswith("/_admin"):
            return await call_next(request)
        emu: LightspeedEmulator = app.state.emulator
        route = _route_name(path)
        if emu.faults.latency_ms:
            await asyncio.sleep(emu.faults.latency_ms / 1000)
        key = _basic_login(request)
        rate_key = key[0] if key else "anonymous"
        allowed, headers, retry_after = emu.limiter.take(rate_key)

        def done(response: Any) -> Any:
            for name, value in headers.items():
                response.headers[name] = value
            with emu.lock:
                emu.calls[f"{request.method} {route}"] += 1
                emu.statuses[str(response.status_code)] += 1
            return response

        if key is None or not (
            secrets.compare_digest(key[0], emu.config.api_key)
            and secrets.compare_digest(key[1], emu.config.api_secret)
        ):
            return done(
                _error(401, "Invalid API key or secret", request, {"WWW-Authenticate": 'Basic realm="api"'})
            )
        if not allowed:
            if emu.config.retry_after_format == "http-date":
                value = format_datetime(datetime.now(UTC) + timedelta(seconds=retry_after + 1), usegmt=True)
            else:
                value = str(max(1, int(retry_after + 0.999)))
            return done(_error(429, "Too many requests", request, {"Retry-After": value}))
        lang = path.strip("/").split("/", 1)[0]
        if len(lang) != 2 or lang not in emu.config.languages:
            return done(_error(404, "Unknown or inactive language", request))
        with emu.lock:
            if emu.faults.status_5xx > 0:
                emu.faults.status_5xx -= 1
                return done(_error(emu.faults.status_code, "Service temporarily unavailable", request))
            if route.startswith("/{lang}/orders/{id}") and emu.faults.transient_404 > 0:
                emu.faults.transient_404 -= 1
                return done(_error(404, "Not found", request))
        return done(await call_next(request))

    _public_routes(app)
    _admin_routes(app)
    return app


def _route_name(path: str) -> str:
    parts = path.strip("/").split("/")
    if not parts or not parts[0]:
        return "/"
    normalised = ["{lang}"] + ["{id}" if p.split(".")[0].isdigit() else p for p in parts[1:]]
    out = "/" + "/".join(normalised)
    return out.replace("{id}", "{id}.json") if out.endswith("{id}") else out


def _basic_login(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        user, _, password = base64.b64decode(header[6:]).decode("utf-8").partition(":")
    except (ValueError, UnicodeDecodeError):
        return None
    return user, password


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _parse_filter(request: Request, name: str, zone: ZoneInfo) -> datetime | None | JSONResponse:
    value = request.query_params.get(name)
    if value is None:
        return None
    try:
        naive = datetime.strptime(value, FILTER_FORMAT)
    except ValueError:
        return _error(
            400, f"Invalid value for {name}: expected format YYYY-MM-DD HH:MM:SS, got {value!r}", request
        )
    return naive.replace(tzinfo=zone)


def _filtered(emu: LightspeedEmulator, request: Request) -> list[dict[str, Any]] | JSONResponse:
    zone = ZoneInfo(emu.config.filter_timezone)
    bounds: dict[str, datetime | None] = {}
    for name in FILTERS:
        parsed = _parse_filter(request, name, zone)
        if isinstance(parsed, JSONResponse):
            return parsed
        bounds[name] = parsed
    number = request.query_params.get("number")
    customer = request.query_params.get("customer")
    with emu.lock:
        orders = sorted(emu.shop.orders.values(), key=lambda o: o["id"], reverse=True)
    out = []
    for order in orders:
        if bounds["updated_at_min"] and order["updated"] < bounds["updated_at_min"]:
            continue
        if bounds["updated_at_max"] and order["updated"] > bounds["updated_at_max"]:
            continue
        if bounds["created_at_min"] and order["created"] < bounds["created_at_min"]:
            continue
        if bounds["created_at_max"] and order["created"] > bounds["created_at_max"]:
            continue
        if number is not None and order["number"] != number:
            continue
        if customer is not None and (order["customer"] is None or str(order["customer"].id) != customer):
            continue
        out.append(order)
    return out


def _int_param(request: Request, name: str, default: int) -> int | JSONResponse:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) < 1:
        return _error(400, f"Invalid value for {name}: expected a positive integer, got {raw!r}", request)
    return int(raw)


def _public_routes(app: FastAPI) -> None:
    def emu() -> LightspeedEmulator:
        return app.state.emulator

    @app.get("/{lang}/orders.json")
    def list_orders(lang: str, request: Request) -> Any:
        page, limit = _int_param(request, "page", 1), _int_param(request, "limit", 50)
        for value in (page, limit):
            if isinstance(value, JSONResponse):
                return value
        if limit > 250:
            return _error(400, f"Invalid value for limit: the maximum is 250, got {limit}", request)
        orders = _filtered(emu(), request)
        if isinstance(orders, JSONResponse):
            return orders
        chunk = orders[(page - 1) * limit : page * limit]
        with emu().lock:
            return {"orders": [emu().shop.render_order(o, _base(request), lang, embed=False) for o in chunk]}

    @app.get("/{lang}/orders/count.json")
    def count_orders(lang: str, request: Request) -> Any:
        orders = _filtered(emu(), request)
        if isinstance(orders, JSONResponse):
            return orders
        return {"count": len(orders)}

    @app.get("/{lang}/orders/{order_id}.json")
    def get_order(lang: str, order_id: str, request: Request) -> Any:
        order = emu().shop.orders.get(int(order_id)) if order_id.isdigit() else None
        if order is None:
            return _error(404, "Order not found", request)
        with emu().lock:
            return {"order": emu().shop.render_order(order, _base(request), lang, embed=True)}

    @app.get("/{lang}/orders/{order_id}/products.json")
    def get_lines(lang: str, order_id: str, request: Request) -> Any:
        order = emu().shop.orders.get(int(order_id)) if order_id.isdigit() else None
        if order is None:
            return _error(404, "Order not found", request)
        with emu().lock:
            return {"orderProducts": emu().shop.render_lines(order, None, _base(request), lang)}

    @app.get("/{lang}/customers/{customer_id}.json")
    def get_customer(lang: str, customer_id: str, request: Request) -> Any:
        customer = emu().shop.customers.get(int(customer_id)) if customer_id.isdigit() else None
        if customer is None:
            return _error(404, "Customer not found", request)
        return {"customer": emu().shop.render_customer(customer, _base(request), lang)}

    @app.get("/{lang}/shop.json")
    def get_shop(lang: str, request: Request) -> Any:
        return {
            "shop": {
                "id": 310000,
                "title": "De Koffiebranderij (demo)",
                "mainDomain": "koffiebranderij.example.nl",
                "language": {"id": 1, "code": lang, "locale": f"{lang}_NL", "title": "Nederlands"},
                "currency": {
                    "shortcode": "EUR",
                    "symbol": "€",
                    "title": "Euro",
                    "isDefault": True,
                    "currencyRate": 1,
                },
                "languages": link_list(_base(request), emu().config.languages),
            }
        }


def link_list(base: str, languages: tuple[str, ...]) -> list[dict[str, Any]]:
    return [{"code": lang, "isActive": True, "link": f"{base}/{lang}/shop.json"} for lang in languages]


def _admin_routes(app: FastAPI) -> None:
    def emu() -> LightspeedEmulator:
        return app.state.emulator

    @app.post("/_admin/reset")
    async def reset(request: Request) -> Any:
        body = await _json(request)
        emulator = emu()
        emulator.reseed(
            str(body.get("seed", emulator.config.seed)), int(body.get("orders", emulator.config.orders))
        )
        return {"orders": len(emulator.shop.orders)}

    @app.post("/_admin/orders")
    async def add_orders(request: Request) -> Any:
        body = await _json(request)
        created = []
        emulator = emu()
        if "generate" in body:
            extra, _ = demo.generate(
                f"extra-{len(emulator.shop.orders)}", int(body["generate"]), emulator.clock.now(), None
            )
            with emulator.lock:
                for order in extra:
                    order["id"] = emulator.next_id
                    emulator.next_id += 7
                    order["number"] = f"ORD{order['id'] % 1000000:06d}"
                    order["customer"] = (
                        None if order["customer"] is None else next(iter(emulator.shop.customers.values()))
                    )
                    emulator.shop.orders[order["id"]] = order
                    created.append(order)
        for spec in body.get("orders", []):
            created.append(emulator.add_order(spec))
        return {"orders": [{"id": o["id"], "number": o["number"]} for o in created]}

    @app.patch("/_admin/orders/{order_id}")
    async def patch_order(order_id: int, request: Request) -> Any:
        body = await _json(request)
        emulator = emu()
        with emulator.lock:
            order = emulator.shop.orders.get(order_id)
            if order is None:
                return JSONResponse({"error": "no such order"}, status_code=404)
            emulator.apply_changes(order, body, bump=True)
            return {"id": order_id, "updatedAt": order["updated"].isoformat()}

    @app.delete("/_admin/orders/{order_id}")
    def delete_order(order_id: int) -> Any:
        with emu().lock:
            removed = emu().shop.orders.pop(order_id, None)
        return {"deleted": removed is not None}

    @app.post("/_admin/faults")
    async def faults(request: Request) -> Any:
        body = await _json(request)
        emulator = emu()
        with emulator.lock:
            if body.get("clear"):
                emulator.faults = Faults()
                emulator.limiter.set_limits(emulator.config.rate_limits)
            if "transient_404" in body:
                emulator.faults.transient_404 = int(body["transient_404"]["count"])
            if "status_5xx" in body:
                emulator.faults.status_5xx = int(body["status_5xx"]["count"])
                emulator.faults.status_code = int(body["status_5xx"].get("status", 503))
            if "latency_ms" in body:
                emulator.faults.latency_ms = float(body["latency_ms"])
            if "rate_limit" in body:
                emulator.limiter.set_limits(tuple(int(x) for x in body["rate_limit"]["limits"]))  # type: ignore[arg-type]
            if "retry_after_format" in body:
                emulator.config.retry_after_format = str(body["retry_after_format"])
            if "reset_quirk" in body:
                emulator.limiter.reset_quirk = bool(body["reset_quirk"])
        if "exhaust" in body:
            emulator.limiter.exhaust(emulator.config.api_key, str(body["exhaust"]))
        return {"faults": emulator.faults.__dict__, "limits": emulator.limiter.limits}

    @app.post("/_admin/clock")
    async def clock(request: Request) -> Any:
        body = await _json(request)
        if "advance_seconds" in body:
            emu().clock.advance(float(body["advance_seconds"]))
        if "scale" in body:
            emu().clock.set_scale(float(body["scale"]))
        return {"now": emu().clock.now().isoformat(), "scale": emu().clock.scale}

    @app.get("/_admin/calls")
    def calls() -> Any:
        emulator = emu()
        with emulator.lock:
            return {
                "calls": dict(emulator.calls),
                "statuses": dict(emulator.statuses),
                "total": sum(emulator.calls.values()),
                "rate_limited": emulator.statuses.get("429", 0),
            }

    @app.post("/_admin/calls/reset")
    def reset_calls() -> Any:
        with emu().lock:
            emu().calls.clear()
            emu().statuses.clear()
        return {"ok": True}

    @app.get("/_admin/state")
    def state(request: Request) -> Any:
        emulator = emu()
        with emulator.lock:
            orders = [
                emulator.shop.render_order(o, _base(request), "nl", embed=True)
                for o in sorted(emulator.shop.orders.values(), key=lambda o: o["id"])
            ]
            return {
                "orders": orders,
                "rate_limits": emulator.limiter.snapshot(),
                "faults": emulator.faults.__dict__,
            }


async def _json(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw:
        return {}
    import json

    return json.loads(raw)
