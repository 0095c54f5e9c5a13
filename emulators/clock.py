"""The emulators' clock: real time, optionally compressed (``scale`` emulated seconds per real second)
and shifted by an admin offset (e.g. to jump to the next day so a day budget resets)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta


class EmulatorClock:
    def __init__(self, scale: float = 1.0) -> None:
        if scale <= 0:
            raise ValueError("clock scale must be positive")
        self._lock = threading.Lock()
        self._scale = scale
        self._real0 = time.monotonic()
        self._emulated0 = 0.0
        self._wall0 = datetime.now(UTC)

    @property
    def scale(self) -> float:
        return self._scale

    def seconds(self) -> float:
        """Emulated seconds since the clock started (monotonic)."""
        with self._lock:
            return self._emulated0 + (time.monotonic() - self._real0) * self._scale

    def now(self) -> datetime:
        return self._wall0 + timedelta(seconds=self.seconds())

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._emulated0 += seconds

    def set_scale(self, scale: float) -> None:
        if scale <= 0:
            raise ValueError("clock scale must be positive")
        with self._lock:
            now = time.monotonic()
            self._emulated0 += (now - self._real0) * self._scale
            self._real0 = now
            self._scale = scale

    def to_real(self, emulated_seconds: float) -> float:
        return emulated_seconds / self._scale
