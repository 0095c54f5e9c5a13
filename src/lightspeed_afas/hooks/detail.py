"""The detail-log tap: every request and response body, redacted and bounded, handed to a callback.

The callback is only set when the tenant has detail logging on. What reaches it never holds the
``Authorization`` header, the AFAS token (either form), or the Lightspeed key and secret, in any of
their encodings (see ``redaction``). A body longer than ``DETAIL_BODY_LIMIT`` bytes is kept as its
first 64 KiB and a ``… [truncated N bytes]`` marker.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from lightspeed_afas.hooks.redaction import REDACTED, Redactor

__all__ = ["REDACTED", "DETAIL_BODY_LIMIT", "Exchange", "Redactor", "for_order", "make_exchange"]

# 64 KiB shows any real AFAS payload or Lightspeed page in full; a bigger body is kept as its head.
DETAIL_BODY_LIMIT = 64 * 1024
# Redaction looks this far past the cut, so a secret that straddles it is still found whole.
_REDACT_MARGIN = 8 * 1024

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


def body_bytes(body: bytes | str | dict[str, Any] | list[Any] | None) -> bytes | None:
    """A request or response body as bytes (JSON kept compact)."""
    if body is None or isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def log_body(redact: Redactor, body: bytes | str | dict[str, Any] | list[Any] | None) -> str | None:
    """A body as the detail log keeps it: decoded, redacted, cut to ``DETAIL_BODY_LIMIT`` with a marker."""
    raw = body_bytes(body)
    if raw is None:
        return None
    if len(raw) <= DETAIL_BODY_LIMIT:
        return redact(raw.decode("utf-8", errors="replace"))
    head = redact(raw[: DETAIL_BODY_LIMIT + _REDACT_MARGIN].decode("utf-8", errors="ignore")) or ""
    return f"{head[:DETAIL_BODY_LIMIT]}… [truncated {len(raw) - DETAIL_BODY_LIMIT} bytes]"


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
        request_body=log_body(redact, request_body),
        status=status,
        response_body=log_body(redact, response_body),
        duration_ms=round(duration_ms, 1),
        order_number=current_order(),
    )
