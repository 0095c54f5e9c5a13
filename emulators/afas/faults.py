"""Faults on demand (set through ``POST /_admin/faults``):

- ``unavailable``: HTTP 503 with AFAS's maintenance body and ``retry_after`` (reference §7.24), for the
  next ``count`` calls or for ``seconds`` of emulator time;
- ``drop_after_commit``: the next ``count`` writes (optionally only for ``connector`` and/or ``verb``) are
  applied, then the connection is dropped mid-response — the client never learns the result;
- ``hang_after_commit``: likewise applied, then the answer waits ``seconds`` (to provoke client timeouts);
- ``latency_ms``: a delay before every call.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from fastapi.responses import Response

MAINTENANCE_MESSAGE = (
    "Service temporarily unavailable due to scheduled maintenance. Please check afasstatus.nl for details."
)


@dataclass
class CommitFault:
    count: int
    connector: str | None = None
    verb: str | None = None
    seconds: float = 0.0

    def applies(self, connector: str, verb: str) -> bool:
        return (
            self.count > 0
            and self.connector in (None, connector)
            and (self.verb is None or self.verb.upper() == verb)
        )


@dataclass
class Faults:
    unavailable_count: int = 0
    unavailable_until: float | None = None  # emulator seconds
    retry_after: int | None = None
    drop: CommitFault | None = None
    hang: CommitFault | None = None
    latency_ms: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def configure(self, body: dict[str, Any], now: float) -> None:
        """Apply an admin request body (see the module docstring); raises ``ValueError`` on a bad one."""
        known = {"clear", "unavailable", "drop_after_commit", "hang_after_commit", "latency_ms"}
        if set(body) - known:
            raise ValueError(f"unknown faults: {sorted(set(body) - known)}")
        if body.get("clear"):
            self.__init__()  # type: ignore[misc]
        if "unavailable" in body:
            spec = body["unavailable"]
            self.retry_after = int(spec["retry_after"]) if spec.get("retry_after") is not None else None
            if spec.get("seconds") is not None:
                self.unavailable_until = now + float(spec["seconds"])
                self.unavailable_count = 0
            else:
                self.unavailable_count = int(spec.get("count", 1))
                self.unavailable_until = None
        for name, attribute in (("drop_after_commit", "drop"), ("hang_after_commit", "hang")):
            if name in body:
                spec = body[name]
                setattr(
                    self,
                    attribute,
                    CommitFault(
                        count=int(spec.get("count", 1)),
                        connector=spec.get("connector"),
                        verb=spec.get("verb"),
                        seconds=float(spec.get("seconds", 5.0)),
                    ),
                )
        if "latency_ms" in body:
            self.latency_ms = max(0.0, float(body["latency_ms"]))

    def take_unavailable(self, now: float) -> int | None:
        """The ``retry_after`` to answer with if this call gets a 503, else None (and uses up one)."""
        if self.unavailable_until is not None and now < self.unavailable_until:
            return (
                self.retry_after if self.retry_after is not None else math.ceil(self.unavailable_until - now)
            )
        if self.unavailable_count > 0:
            self.unavailable_count -= 1
            return self.retry_after if self.retry_after is not None else 7200
        return None

    def take_commit_fault(self, connector: str, verb: str) -> tuple[str, float] | None:
        """("drop", 0) or ("hang", seconds) for this committed write, using one up; else None."""
        for kind, fault in (("drop", self.drop), ("hang", self.hang)):
            if fault is not None and fault.applies(connector, verb):
                fault.count -= 1
                return kind, fault.seconds
        return None


def maintenance_body(retry_after: int) -> dict[str, Any]:
    return {
        "error": {"code": {"example": "503"}, "message": {"example": MAINTENANCE_MESSAGE}},
        "retry_after": retry_after,
    }


class DroppedResponse(Response):
    """Sends the status line and a Content-Length larger than what follows, then fails: uvicorn closes
    the connection mid-response, so the client sees a broken connection and never the result."""

    def __init__(self) -> None:
        super().__init__(status_code=201)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 201,
                "headers": [
                    (b"content-type", b"application/json; charset=utf-8"),
                    (b"content-length", b"4096"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": b'{"results":', "more_body": True})
        raise ConnectionAbortedError("emulated fault: connection dropped after commit")
