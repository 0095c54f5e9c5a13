"""Lightspeed's request budgets: reading the rate-limit headers, and pacing calls to stay inside them.

Every response carries ``X-RateLimit-Remaining`` / ``X-RateLimit-Reset`` as ``5min/hour/day``. The
``Pacer`` waits for a window's reset *before* it runs dry instead of provoking a 429, and raises
``LightspeedBudgetExhaustedError`` instead of sleeping for hours when the day (or a long hour) is spent.
Its waits go through the hook (``wait``, ``max_wait``), which sleeps a short one and hands a longer one
to Airflow's triggerer where the task allows it (``hooks.waiting``).
"""

from __future__ import annotations

import email.utils
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import requests

from lightspeed_afas.hooks.errors import BudgetReservedError, LightspeedBudgetExhaustedError

WINDOWS = ("5min", "hour", "day")


@dataclass
class RateLimitState:
    """What the last response said about the three windows; deadlines on the monotonic clock."""

    remaining: list[int | None] = field(default_factory=lambda: [None, None, None])
    limits: list[int | None] = field(default_factory=lambda: [None, None, None])
    resets_at: list[float | None] = field(default_factory=lambda: [None, None, None])
    distrust_next: list[bool] = field(default_factory=lambda: [False, False, False])

    def update(self, headers: requests.structures.CaseInsensitiveDict, now: float) -> None:
        remaining = _triple(headers.get("X-RateLimit-Remaining"))
        resets = _triple(headers.get("X-RateLimit-Reset"))
        for i, limit in enumerate(_triple(headers.get("X-RateLimit-Limit"))):
            if limit is not None:
                self.limits[i] = limit
        for i in range(3):
            if resets[i] is not None:
                self.resets_at[i] = now + resets[i]
            if remaining[i] is None:
                continue
            if self.distrust_next[i]:
                # Known server quirk: right after a reset the first answer may carry the new reset time
                # with the stale remaining count. Trust the next answer, not this one.
                self.distrust_next[i] = False
                self.remaining[i] = None
                continue
            self.remaining[i] = remaining[i]


def _triple(value: str | None) -> list[int | None]:
    if not value:
        return [None, None, None]
    parts = value.split("/")
    out: list[int | None] = []
    for i in range(3):
        try:
            out.append(int(float(parts[i])))
        except (IndexError, ValueError):
            out.append(None)
    return out


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: either delta-seconds or an HTTP date (both are seen)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class Pacer:
    """Keeps one connection's calls inside its three budgets (``limits``), waiting through ``wait``
    at most ``max_wait()`` seconds at a time.

    ``reserve`` (0 for the orders flow): the share of every window this caller leaves to others. A
    call that would leave less raises ``BudgetReservedError`` instead of being made, and the caller
    stops for this run. The count is the key's own (the headers), so every flow and tenant using the
    key is in it.
    """

    def __init__(
        self,
        conn_id: str,
        wait: Callable[[float, str], None],
        max_wait: Callable[[], float],
        reserve: float = 0.0,
    ) -> None:
        self.conn_id = conn_id
        self.limits = RateLimitState()
        self.reserve = reserve
        self._wait = wait
        self._max_wait = max_wait

    def saw(self, headers: requests.structures.CaseInsensitiveDict) -> None:
        """Take in what an answer's headers say about the budgets."""
        self.limits.update(headers, time.monotonic())

    def before_call(self) -> None:
        """Wait for a window that is spent to reset, or give up when that would take too long; with a
        reserve, stop before the call that would eat into it."""
        if self.reserve > 0:
            self._keep_reserve()
        now = time.monotonic()
        for i, window in enumerate(WINDOWS):
            remaining, resets_at = self.limits.remaining[i], self.limits.resets_at[i]
            if remaining is None or remaining > 0 or resets_at is None:
                continue
            wait = resets_at - now
            if wait <= 0:
                self.limits.remaining[i] = None
                continue
            if window == "day" or wait > self._max_wait():
                raise self.exhausted(window, wait)
            self._wait(wait + 0.05, f"Lightspeed {window} budget spent, resets in {wait:.0f} s")
            self.limits.remaining[i] = None
            self.limits.distrust_next[i] = True
            now = time.monotonic()

    def _keep_reserve(self) -> None:
        for i, window in enumerate(WINDOWS):
            remaining, limit = self.limits.remaining[i], self.limits.limits[i]
            if remaining is None or not limit:
                continue
            kept = math.ceil(self.reserve * limit)
            if remaining - 1 < kept:
                resets_at = self.limits.resets_at[i]
                wait = max(0.0, resets_at - time.monotonic()) if resets_at is not None else 0.0
                raise BudgetReservedError(
                    f"The Lightspeed {window} window of connection '{self.conn_id}' has {remaining} of "
                    f"{limit} calls left; {kept} ({self.reserve:.0%}) are kept for the orders flow. This "
                    f"flow stops here and its next run goes on (the window resets in {wait:.0f} s).",
                    window=window,
                    resets_at=datetime.now(UTC) + timedelta(seconds=wait),
                )

    def after_429(self, retry_after: float | None, attempt: int, max_attempts: int) -> None:
        """Wait as a 429 asks (or for the spent window's reset), or give up for this run."""
        spent = [w for i, w in enumerate(WINDOWS) if self.limits.remaining[i] == 0]
        window = spent[-1] if spent else "5min"
        if retry_after is None:
            deadline = self.limits.resets_at[WINDOWS.index(window)]
            retry_after = max(1.0, deadline - time.monotonic()) if deadline else 60.0
        if self.reserve > 0:
            # A flow that leaves a reserve does not wait out a 429: waiting would compete with orders.
            raise self.exhausted(window, retry_after)
        if window == "day" or retry_after > self._max_wait() or attempt > max_attempts:
            raise self.exhausted(window, retry_after)
        self._wait(retry_after, f"429 from Lightspeed, Retry-After {retry_after:.0f} s")
        for i in range(3):
            if self.limits.remaining[i] == 0:
                self.limits.remaining[i] = None

    def exhausted(self, window: str, wait: float) -> LightspeedBudgetExhaustedError:
        resets_at = datetime.now(UTC) + timedelta(seconds=wait)
        return LightspeedBudgetExhaustedError(
            f"The Lightspeed {window} request budget of connection '{self.conn_id}' is spent until "
            f"{resets_at:%Y-%m-%d %H:%M:%S} UTC ({wait:.0f} s). The run stops here; the next run resumes "
            "from the watermark.",
            window=window,
            resets_at=resets_at,
        )
