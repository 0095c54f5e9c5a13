"""Faults a test can inject through ``POST /_admin/faults``; each counted fault answers one request.

- ``status_5xx``: the next n requests of any route answer ``status``;
- ``transient_404``: the next n requests of the chosen routes answer 404;
- ``put_5xx``: the next n PUT requests answer ``status`` (nothing is applied);
- ``put_429``: the next n PUT requests answer 429 with ``Retry-After`` (``retry_after`` real seconds,
  default 1, in the configured format) — the per-second cap; nothing is applied, and the request was
  counted against the windows before the fault, as the cap's 429s are;
- ``drop_after_put``: the next n *successful* PUTs are applied, then the connection is dropped without
  an answer (a refused PUT is answered as usual and does not use one up);
- ``post_5xx``: the next n POST requests (a product or variant create) answer ``status`` (default
  503); nothing is created;
- ``drop_after_post``: the next n *successful* POSTs create their product or variant, then the
  connection is dropped the same way (a refused POST does not use one up);
- ``latency_ms``: a delay before every request.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from fastapi.responses import Response

# Which API routes a transient 404 may hit. "orders" is what the tap's comment describes: any order
# endpoint (list, count, single order, its lines) may answer 404 for a moment.
TRANSIENT_404_PATHS = {
    "orders": lambda route: route.startswith("/{lang}/orders"),
    "order": lambda route: route.startswith("/{lang}/orders/{id}"),
    "any": lambda route: True,
}
UNAVAILABLE = "Service temporarily unavailable"


def _server_status(spec: dict[str, Any], name: str) -> int:
    status = int(spec.get("status", 503))
    if not 500 <= status <= 599:
        raise ValueError(f"{name}.status must be 5xx")
    return status


@dataclass
class Faults:
    transient_404: int = 0
    transient_404_paths: str = "orders"
    status_5xx: int = 0
    status_code: int = 503
    latency_ms: float = 0.0
    put_5xx: int = 0
    put_5xx_status: int = 503
    put_429: int = 0
    put_429_retry_after: float = 1.0
    drop_after_put: int = 0
    post_5xx: int = 0
    post_5xx_status: int = 503
    drop_after_post: int = 0

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
            status = _server_status(body["status_5xx"], "status_5xx")
            self.status_5xx, self.status_code = int(body["status_5xx"]["count"]), status
        if "latency_ms" in body:
            self.latency_ms = float(body["latency_ms"])
        if "put_5xx" in body:
            status = _server_status(body["put_5xx"], "put_5xx")
            self.put_5xx, self.put_5xx_status = int(body["put_5xx"]["count"]), status
        if "put_429" in body:
            retry_after = float(body["put_429"].get("retry_after", 1))
            if retry_after < 0:
                raise ValueError("put_429.retry_after must not be negative")
            self.put_429, self.put_429_retry_after = int(body["put_429"]["count"]), retry_after
        if "drop_after_put" in body:
            self.drop_after_put = int(body["drop_after_put"]["count"])
        if "post_5xx" in body:
            status = _server_status(body["post_5xx"], "post_5xx")
            self.post_5xx, self.post_5xx_status = int(body["post_5xx"]["count"]), status
        if "drop_after_post" in body:
            self.drop_after_post = int(body["drop_after_post"]["count"])

    def take(self, route: str, method: str = "GET") -> tuple[int, str] | None:
        """The fault this request gets, if any (and spend it)."""
        if self.status_5xx > 0:
            self.status_5xx -= 1
            return self.status_code, UNAVAILABLE
        if method == "PUT" and self.put_5xx > 0:
            self.put_5xx -= 1
            return self.put_5xx_status, UNAVAILABLE
        if method == "POST" and self.post_5xx > 0:
            self.post_5xx -= 1
            return self.post_5xx_status, UNAVAILABLE
        if method == "PUT" and self.put_429 > 0:
            self.put_429 -= 1
            return 429, "Too many requests: rate limit exceeded"
        if self.transient_404 > 0 and TRANSIENT_404_PATHS[self.transient_404_paths](route):
            self.transient_404 -= 1
            return 404, "Not found"
        return None

    def take_drop(self, method: str = "PUT") -> bool:
        """Whether this applied PUT (or POST) loses its answer (and spend one)."""
        name = "drop_after_post" if method == "POST" else "drop_after_put"
        if getattr(self, name) > 0:
            setattr(self, name, getattr(self, name) - 1)
            return True
        return False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class DroppedResponse(Response):
    """Sends the status line and a Content-Length larger than what follows, then fails: uvicorn closes
    the connection mid-response, so the client sees a broken connection and never the result. (The
    same mechanism as the AFAS emulator's; ``emulators.server`` keeps uvicorn from logging it.)"""

    def __init__(self, root: str = "variant") -> None:
        super().__init__(status_code=200)
        self.root = root

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", b"4096"),
                ],
            }
        )
        body = b'{"' + self.root.encode() + b'":'
        await send({"type": "http.response.body", "body": body, "more_body": True})
        raise ConnectionAbortedError("emulated fault: connection dropped after the write was applied")
