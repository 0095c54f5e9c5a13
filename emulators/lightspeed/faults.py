"""Faults a test can inject through ``POST /_admin/faults``; each counted fault answers one request."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

# Which API routes a transient 404 may hit. "orders" is what the tap's comment describes: any order
# endpoint (list, count, single order, its lines) may answer 404 for a moment.
TRANSIENT_404_PATHS = {
    "orders": lambda route: route.startswith("/{lang}/orders"),
    "order": lambda route: route.startswith("/{lang}/orders/{id}"),
    "any": lambda route: True,
}


@dataclass
class Faults:
    transient_404: int = 0
    transient_404_paths: str = "orders"
    status_5xx: int = 0
    status_code: int = 503
    latency_ms: float = 0.0

    def configure(self, body: dict[str, Any]) -> None:
        if body.get("clear"):
            self.__init__()  # type: ignore[misc]
        if "transient_404" in body:
            spec = body["transient_404"]
            paths = spec.get("paths", "orders")
            if paths not in TRANSIENT_404_PATHS:
                raise ValueError(f"transient_404.paths: one of {sorted(TRANSIENT_404_PATHS)}")
            self.transient_404, self.transient_404_paths = int(spec["count"]), paths
        if "status_5xx" in body:
            status = int(body["status_5xx"].get("status", 503))
            if not 500 <= status <= 599:
                raise ValueError("status_5xx.status must be 5xx")
            self.status_5xx, self.status_code = int(body["status_5xx"]["count"]), status
        if "latency_ms" in body:
            self.latency_ms = float(body["latency_ms"])

    def take(self, route: str) -> tuple[int, str] | None:
        """The fault this request gets, if any (and spend it)."""
        if self.status_5xx > 0:
            self.status_5xx -= 1
            return self.status_code, "Service temporarily unavailable"
        if self.transient_404 > 0 and TRANSIENT_404_PATHS[self.transient_404_paths](route):
            self.transient_404 -= 1
            return 404, "Not found"
        return None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
