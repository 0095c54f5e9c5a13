"""The emulator's settings. The demo credentials are fixed 32-character strings (the official PHP client
rejects any other length), printed by the CLI and used by ``make demo``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

DEMO_API_KEY = "d3m0k3y0000000000000000000000001"
DEMO_API_SECRET = "d3m0s3cr3t0000000000000000000001"
DEFAULT_BASE_TIME = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@dataclass
class LightspeedConfig:
    """``rate_limits`` are the 5-minute / hour / day budgets per API key; ``clock_scale`` emulated
    seconds per real second; ``filter_timezone`` how naive ``*_at_min/max`` values are read;
    ``base_time`` the moment the generated orders lead up to (their dates never use the wall clock);
    ``line_price_semantics`` whether line ``priceIncl``/``priceExcl`` are line totals or unit prices;
    ``retry_after_format`` of a 429; ``reset_quirk`` reproduces the stale remaining count right after a
    window resets."""

    api_key: str = DEMO_API_KEY
    api_secret: str = DEMO_API_SECRET
    languages: tuple[str, ...] = ("nl", "en")
    seed: str = "demo"
    orders: int = 60
    rate_limits: tuple[int, int, int] = (300, 3000, 12000)
    clock_scale: float = 1.0
    filter_timezone: str = "Europe/Amsterdam"
    base_time: datetime = field(default_factory=lambda: DEFAULT_BASE_TIME)
    line_price_semantics: str = "line_total"
    retry_after_format: str = "seconds"
    reset_quirk: bool = False

    def __post_init__(self) -> None:
        self.languages = tuple(self.languages)
        self.rate_limits = tuple(int(n) for n in self.rate_limits)  # type: ignore[assignment]
        if len(self.rate_limits) != 3 or min(self.rate_limits) < 0:
            raise ValueError("rate_limits: three budgets (5 minutes, hour, day)")
        if any(len(lang) != 2 for lang in self.languages):
            raise ValueError("languages are two-letter codes")
        if self.filter_timezone not in ("Europe/Amsterdam", "UTC"):
            raise ValueError("filter_timezone: 'Europe/Amsterdam' or 'UTC'")
        if self.line_price_semantics not in ("line_total", "unit"):
            raise ValueError("line_price_semantics: 'line_total' or 'unit'")
        if self.retry_after_format not in ("seconds", "http-date"):
            raise ValueError("retry_after_format: 'seconds' or 'http-date'")
        if self.base_time.tzinfo is None:
            raise ValueError("base_time must be timezone-aware")
        if self.clock_scale <= 0:
            raise ValueError("clock_scale must be positive")

    @property
    def filter_zone(self) -> ZoneInfo:
        return ZoneInfo(self.filter_timezone)
