"""Lightspeed's three rate-limit windows per API key (5 minutes, hour, day), on the emulator clock.

Fixed windows that start with the first request after the previous one ended. Headers state
``a/b/c`` for the three windows; ``X-RateLimit-Reset`` is in real seconds, so a client that sleeps
that long is right even on a compressed clock.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field

from emulators.clock import EmulatorClock

WINDOW_SECONDS = (300, 3600, 86400)


@dataclass
class Window:
    limit: int
    length: float
    started: float | None = None
    used: int = 0

    # Elapsed time first, then compared with or subtracted from the length: ``started + length - now``
    # rounds (268.728 + 300 - 268.728 is 300.00000000000006), and a window that starts now would then
    # announce a reset in 301 s instead of 300, depending on the clock's reading.
    def roll(self, now: float) -> None:
        if self.started is None or now - self.started >= self.length:
            self.started = now
            self.used = 0

    def remaining(self) -> int:
        return max(0, self.limit - self.used)

    def reset_in(self, now: float) -> float:
        return self.length if self.started is None else max(0.0, self.length - (now - self.started))


@dataclass
class KeyLimits:
    windows: list[Window]
    last_remaining: list[int] = field(default_factory=lambda: [0, 0, 0])


class RateLimiter:
    def __init__(self, clock: EmulatorClock, limits: tuple[int, int, int], reset_quirk: bool = False) -> None:
        self.clock = clock
        self.limits = limits
        self.reset_quirk = reset_quirk
        self._keys: dict[str, KeyLimits] = {}
        self._lock = threading.Lock()

    def _for(self, key: str) -> KeyLimits:
        if key not in self._keys:
            self._keys[key] = KeyLimits(
                [Window(lim, sec) for lim, sec in zip(self.limits, WINDOW_SECONDS, strict=True)]
            )
        return self._keys[key]

    def set_limits(self, limits: tuple[int, int, int]) -> None:
        with self._lock:
            self.limits = limits
            for state in self._keys.values():
                for window, limit in zip(state.windows, limits, strict=True):
                    window.limit = limit

    def exhaust(self, key: str, window_name: str) -> None:
        index = {"5min": 0, "hour": 1, "day": 2}[window_name]
        with self._lock:
            now = self.clock.seconds()
            window = self._for(key).windows[index]
            window.roll(now)
            window.used = window.limit

    def take(self, key: str) -> tuple[bool, dict[str, str], float]:
        """Count one request. Returns (allowed, headers, retry-after in real seconds)."""
        with self._lock:
            now = self.clock.seconds()
            state = self._for(key)
            rolled = []
            for window in state.windows:
                before = window.started
                window.roll(now)
                rolled.append(before is not None and window.started != before)
            blocked = [w for w in state.windows if w.remaining() <= 0]
            if not blocked:
                for window in state.windows:
                    window.used += 1
            remaining = [w.remaining() for w in state.windows]
            if self.reset_quirk:
                # The documented server quirk: the first answer after a reset reports the new reset
                # time but the remaining count of before the reset.
                remaining = [state.last_remaining[i] if rolled[i] else r for i, r in enumerate(remaining)]
            state.last_remaining = [w.remaining() for w in state.windows]
            resets = [self.clock.to_real(w.reset_in(now)) for w in state.windows]
            headers = {
                "X-RateLimit-Limit": "/".join(str(w.limit) for w in state.windows),
                "X-RateLimit-Remaining": "/".join(str(r) for r in remaining),
                "X-RateLimit-Reset": "/".join(str(math.ceil(r)) for r in resets),
            }
            retry_after = max((self.clock.to_real(w.reset_in(now)) for w in blocked), default=0.0)
            return not blocked, headers, retry_after

    def snapshot(self) -> dict[str, object]:
        with self._lock:
            now = self.clock.seconds()
            return {
                key: [
                    {"limit": w.limit, "used": w.used, "reset_in_s": round(w.reset_in(now), 1)}
                    for w in s.windows
                ]
                for key, s in self._keys.items()
            }
