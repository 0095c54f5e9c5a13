"""The Lightspeed emulator's shop, catalogue, rate limiter, faults, call counters and webhook sender
(``app.state.emulator``), and the request helpers every public route shares (paging, filters, errors)."""

from __future__ import annotations

import copy
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from fastapi import Request

from emulators.clock import EmulatorClock
from emulators.lightspeed.catalog import Catalog
from emulators.lightspeed.config import LightspeedConfig, VariantRules
from emulators.lightspeed.faults import Faults
from emulators.lightspeed.ratelimit import RateLimiter
from emulators.lightspeed.shop_settings import ShopLimits, TaxTable
from emulators.lightspeed.store import ShopState
from emulators.lightspeed.webhook_delivery import Deliverer

FILTER_FORMAT = "%Y-%m-%d %H:%M:%S"
FILTERS = {
    "updated_at_min": ("updated", False),
    "updated_at_max": ("updated", True),
    "created_at_min": ("created", False),
    "created_at_max": ("created", True),
}
MAX_LIMIT = 250


class ApiError(Exception):
    """Answered as ``{"error": {"code", "method", "request", "message"}}`` with ``status``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


class LightspeedEmulator:
    """Everything one emulated shop holds; ``app.state.emulator`` in the app."""

    def __init__(self, config: LightspeedConfig, clock: EmulatorClock | None = None) -> None:
        self.config = config
        self.clock = clock or EmulatorClock(config.clock_scale)
        self.limiter = RateLimiter(self.clock, config.rate_limits, config.reset_quirk)
        self.faults = Faults()
        self.shop = ShopState(config.base_time)
        self.shop.reseed(config.seed, config.orders)
        self.catalog = Catalog(config.base_time, VariantRules(), config.languages, self.clock.now)
        self.taxes, self.shop_limits = TaxTable(), ShopLimits(config)
        self.reset_catalog()
        self.shop.on_new_orders = self.catalog.apply_orders
        self.calls: Counter[str] = Counter()
        self.statuses: Counter[str] = Counter()
        self.lock = threading.RLock()
        self.deliveries = Deliverer(
            config.webhook_delivery, lambda: self.clock.now().isoformat(timespec="milliseconds")
        )
        self.webhook_secret = config.webhook_secret

    def reset_webhook_delivery(self) -> None:
        """The configured delivery settings and webhook secret again; pending deliveries and the
        delivery log dropped."""
        self.deliveries.reset(self.config.webhook_delivery)
        self.webhook_secret = self.config.webhook_secret

    def close(self) -> None:
        """Stop the webhook sender (pending deliveries are dropped)."""
        self.deliveries.stop()

    def reset_catalog(self) -> None:
        """The demo catalogue again, under the configured rules, with the seeded taxes and the
        configured shop limits."""
        with self.catalog.lock:
            self.catalog.rules = copy.deepcopy(self.config.variant_rules)
            self.catalog.reseed()
            self.taxes, self.shop_limits = TaxTable(), ShopLimits(self.config)

    def count(self, route: str, status: int | str) -> None:
        with self.lock:
            self.calls[route] += 1
            self.statuses[str(status)] += 1

    def retry_after(self, real_seconds: float) -> str:
        if self.config.retry_after_format == "http-date":
            return format_datetime(datetime.now(UTC) + timedelta(seconds=real_seconds + 1), usegmt=True)
        return str(max(1, int(real_seconds + 0.999)))


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def int_param(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ApiError(400, f"Invalid value for {name}: expected a positive integer, got {raw!r}")
    return int(raw)


def page_window(request: Request) -> tuple[int, int]:
    """(start, stop) of the requested page: ``page`` 1-based, ``limit`` default 50, at most 250."""
    page, limit = int_param(request, "page", 1), int_param(request, "limit", 50)
    if limit > MAX_LIMIT:
        raise ApiError(400, f"Invalid value for limit: the maximum is {MAX_LIMIT}, got {limit}")
    return (page - 1) * limit, page * limit


def filter_bound(request: Request, name: str, emu: LightspeedEmulator) -> datetime | None:
    value = request.query_params.get(name)
    if value is None:
        return None
    try:
        naive = datetime.strptime(value, FILTER_FORMAT)
    except ValueError:
        raise ApiError(
            400, f"Invalid value for {name}: expected format YYYY-MM-DD HH:MM:SS, got {value!r}"
        ) from None
    return naive.replace(tzinfo=emu.config.filter_zone)


def time_bounds(request: Request, emu: LightspeedEmulator) -> list[tuple[str, bool, datetime]]:
    """The ``*_at_min/max`` filters given: (internal field, is a maximum, bound)."""
    bounds = [(field, is_max, filter_bound(request, name, emu)) for name, (field, is_max) in FILTERS.items()]
    return [(field, is_max, bound) for field, is_max, bound in bounds if bound is not None]


def outside(item: dict, bounds: list[tuple[str, bool, datetime]]) -> bool:
    return any((item[f] > bound) if is_max else (item[f] < bound) for f, is_max, bound in bounds)


def requested_fields(request: Request) -> list[str] | None:
    raw = request.query_params.get("fields")
    return [f.strip() for f in raw.split(",") if f.strip()] if raw else None
