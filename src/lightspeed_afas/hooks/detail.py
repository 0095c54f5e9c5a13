"""The detail-log tap: every request and response body, redacted, handed to a callback.

The callback is only set when the tenant has detail logging on. What reaches it never holds the
``Authorization`` header, the AFAS token (either form), or the Lightspeed key and secret.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

REDACTED = "***"

_order_number: contextvars.ContextVar[str | None] = contextvars.ContextVar("order_number", default=None)


@dataclass(frozen=True)
class Exchange:
    """One HTTP exchange as the detail log keeps it."""

    at: str
    api: str
    method: str
    url: str
    request_body: str | None
    status: int
    response_body: str | None
    duration_ms: float
    order_number: str | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


DetailSink = Callable[[Exchange], None]


@contextlib.contextmanager
def for_order(order_number: str | None) -> Iterator[None]:
    """Attribute the exchanges made inside the block to a Lightspeed order number."""
    token = _order_number.set(order_number)
    try:
        yield
    finally:
        _order_number.reset(token)


def current_order() -> str | None:
    return _order_number.get()


class Redactor:
    """Replaces every known secret (and its obvious encodings) in a text."""

    def __init__(self, secrets: list[str]) -> None:
        # Longest first, so a secret that contains another is replaced whole.
        self._secrets = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)

    def __call__(self, text: str | None) -> str | None:
        if text is None:
            return None
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text


def body_text(body: bytes | str | dict[str, Any] | list[Any] | None) -> str | None:
    """A request or response body as text for the log (JSON kept compact, bytes decoded)."""
    if body is None:
        return None
    if isinstance(body, bytes):
        return body.decode("utf-8", errors="replace")
    if isinstance(body, str):
        return body
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def make_exchange(
    redact: Redactor,
    api: str,
    method: str,
    url: str,
    request_body: bytes | str | dict[str, Any] | list[Any] | None,
    status: int,
    response_body: bytes | str | None,
    duration_ms: float,
) -> Exchange:
    """Build a redacted exchange record."""
    return Exchange(
        at=datetime.now(UTC).isoformat(timespec="milliseconds"),
        api=api,
        method=method,
        url=redact(url) or "",
        request_body=redact(body_text(request_body)),
        status=status,
        response_body=redact(body_text(response_body)),
        duration_ms=round(duration_ms, 1),
        order_number=current_order(),
    )
