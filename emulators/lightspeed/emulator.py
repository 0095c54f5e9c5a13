"""The Lightspeed emulator's shop, rate limiter, faults and call counters (``app.state.emulator``)."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from fastapi import Request

from emulators.clock import EmulatorClock
from emulators.lightspeed.config import LightspeedConfig
from emulators.lightspeed.faults import Faults
from emulators.lightspeed.ratelimit import RateLimiter
from emulators.lightspeed.store import ShopState


class LightspeedEmulator:
    """Everything one emulated shop holds; ``app.state.emulator`` in the app."""

    def __init__(self, config: LightspeedConfig, clock: EmulatorClock | None = None) -> None:
        self.config = config
        self.clock = clock or EmulatorClock(config.clock_scale)
        self.limiter = RateLimiter(self.clock, config.rate_limits, config.reset_quirk)
        self.faults = Faults()
        self.shop = ShopState(config.base_time)
        self.shop.reseed(config.seed, config.orders)
        self.calls: Counter[str] = Counter()
        self.statuses: Counter[str] = Counter()
        self.lock = threading.RLock()

    def count(self, route: str, status: int) -> None:
        with self.lock:
            self.calls[route] += 1
            self.statuses[str(status)] += 1

    def retry_after(self, real_seconds: float) -> str:
        if self.config.retry_after_format == "http-date":
            return format_datetime(datetime.now(UTC) + timedelta(seconds=real_seconds + 1), usegmt=True)
        return str(max(1, int(real_seconds + 0.999)))


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")
