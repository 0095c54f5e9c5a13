"""Per-run call statistics of the API clients: calls per endpoint and verb, 429s, retries, latency."""

from __future__ import annotations

import statistics
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass
class CallStats:
    """Thread-safe counters one run shares between its hooks; ``summary()`` is small and JSON-safe."""

    calls: Counter[str] = field(default_factory=Counter)
    statuses: Counter[str] = field(default_factory=Counter)
    rate_limited: Counter[str] = field(default_factory=Counter)
    retries: Counter[str] = field(default_factory=Counter)
    latencies_ms: dict[str, list[float]] = field(default_factory=dict)
    waited_s: Counter[str] = field(default_factory=Counter)
    deferred_s: Counter[str] = field(default_factory=Counter)  # waited in the triggerer, not the worker
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, api: str, method: str, endpoint: str, status: int, latency_ms: float) -> None:
        """Count one HTTP exchange (``status`` 0 = no response)."""
        with self._lock:
            self.calls[f"{api} {method} {endpoint}"] += 1
            self.statuses[f"{api} {status}"] += 1
            self.latencies_ms.setdefault(api, []).append(latency_ms)
            if status == 429:
                self.rate_limited[api] += 1

    def record_retry(self, api: str, reason: str) -> None:
        with self._lock:
            self.retries[f"{api} {reason}"] += 1

    def record_wait(self, api: str, seconds: float) -> None:
        with self._lock:
            self.waited_s[api] += seconds

    def record_deferral(self, api: str, seconds: float) -> None:
        with self._lock:
            self.deferred_s[api] += seconds

    def to_state(self) -> dict[str, Any]:
        """Everything counted so far, JSON-safe: a deferred step carries it to its resumed attempt."""
        with self._lock:
            counters = ("calls", "statuses", "rate_limited", "retries", "waited_s", "deferred_s")
            return {
                **{name: dict(getattr(self, name)) for name in counters},
                "latencies_ms": {k: list(v) for k, v in self.latencies_ms.items()},
            }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> CallStats:
        stats = cls()
        for name in ("calls", "statuses", "rate_limited", "retries", "waited_s", "deferred_s"):
            getattr(stats, name).update(state.get(name) or {})
        stats.latencies_ms = {k: [float(x) for x in v] for k, v in (state.get("latencies_ms") or {}).items()}
        return stats

    def total_calls(self, api: str) -> int:
        with self._lock:
            return sum(n for key, n in self.calls.items() if key.startswith(f"{api} "))

    def summary(self) -> dict[str, Any]:
        """Counts per API, per endpoint, 429s, retries, seconds spent waiting (and, after a deferral,
        waiting in the triggerer), latency p50/p95 in ms."""
        with self._lock:
            apis = sorted(self.latencies_ms)
            summary = {
                "calls": {
                    api: sum(n for k, n in self.calls.items() if k.startswith(f"{api} ")) for api in apis
                },
                "calls_by_endpoint": dict(sorted(self.calls.items())),
                "statuses": dict(sorted(self.statuses.items())),
                "rate_limited": dict(sorted(self.rate_limited.items())),
                "retries": dict(sorted(self.retries.items())),
                "waited_s": {k: round(v, 3) for k, v in sorted(self.waited_s.items())},
                "latency_ms": {api: _percentiles(self.latencies_ms[api]) for api in apis},
            }
            if self.deferred_s:  # only steps that deferred say so
                summary["deferred_s"] = {k: round(v, 3) for k, v in sorted(self.deferred_s.items())}
            return summary


def _percentiles(values: list[float]) -> dict[str, float]:
    if len(values) == 1:
        return {"p50": round(values[0], 1), "p95": round(values[0], 1)}
    cuts = statistics.quantiles(values, n=20, method="inclusive")
    return {"p50": round(statistics.median(values), 1), "p95": round(cuts[18], 1)}


def calls_per_api(summaries: list[dict[str, Any]]) -> dict[str, int]:
    """The calls to each API over several tasks' ``CallStats.summary()``."""
    return {api: sum(s.get("calls", {}).get(api, 0) for s in summaries) for api in ("lightspeed", "afas")}
