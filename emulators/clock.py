"""The emulators' clock: real time, optionally compressed (``scale`` emulated seconds per real second)
and shifted by an admin offset (e.g. to jump to the next day so a day budget resets).

"Real time" is ``time.monotonic`` unless a test passes its own ``real_seconds`` (a ``ManualTime``), so a
test decides exactly when windows reset instead of depending on where the wall clock falls.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta


class ManualTime:
    """A real-time source that only moves when told to (``advance``): pass it as ``real_seconds``."""

    def __init__(self, start: float = 1000.0) -> None:
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("real time only moves forward")
        with self._lock:
            self._now += seconds


class EmulatorClock:
    def __init__(self, scale: float = 1.0, real_seconds: Callable[[], float] = time.monotonic) -> None:
        if scale <= 0:
            raise ValueError("clock scale must be positive")
        self._lock = threading.Lock()
        self._real = real_seconds
        self._scale = scale
        self._real0 = real_seconds()
        self._emulated0 = 0.0
        self._wall0 = datetime.now(UTC)

    @property
    def scale(self) -> float:
        return self._scale

    def seconds(self) -> float:
        """Emulated seconds since the clock started (monotonic)."""
        with self._lock:
            return self._emulated0 + (self._real() - self._real0) * self._scale

    def now(self) -> datetime:
        return self._wall0 + timedelta(seconds=self.seconds())

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._emulated0 += seconds

    def set_scale(self, scale: float) -> None:
        if scale <= 0:
            raise ValueError("clock scale must be positive")
        with self._lock:
            now = self._real()
            self._emulated0 += (now - self._real0) * self._scale
            self._real0 = now
            self._scale = scale

    def to_real(self, emulated_seconds: float) -> float:
        return emulated_seconds / self._scale
