"""HTTP plumbing both hooks share: an answer read whole but bounded, its JSON, and the backoff.

A body is streamed and reading stops past a limit with ``BodyTooLargeError``, so a runaway answer can
neither exhaust the worker's memory nor fill the detail log. Parsing never raises anything but one of
``PARSE_ERRORS``, whatever the bytes: each hook turns that into its own error.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Any

import requests

from lightspeed_afas.hooks.errors import ConnectorError

_CHUNK = 64 * 1024

# Errors a JSON parser raises on a body it cannot read: invalid JSON or bytes (ValueError, which
# JSONDecodeError and UnicodeDecodeError are) and nesting deeper than the interpreter's stack.
PARSE_ERRORS = (ValueError, RecursionError)

# A query string as (name, value) pairs, in order (a name may repeat).
Params = list[tuple[str, str]]


@dataclass(frozen=True)
class Answer:
    """One HTTP answer, its body read whole (never more than the hook's limit)."""

    status: int
    reason: str
    url: str
    headers: requests.structures.CaseInsensitiveDict
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """The body parsed; raises one of ``PARSE_ERRORS`` when it cannot be."""
        return json.loads(self.body)

    def json_or_none(self) -> Any:
        """The body parsed, or ``None`` when it is empty or not readable JSON (for error answers)."""
        try:
            return self.json()
        except PARSE_ERRORS:
            return None


class BodyTooLargeError(ConnectorError):
    """Raised inside ``ApiHook._send`` when an answer passes the limit; each hook maps it to its own."""

    def __init__(self, status: int, size: int, limit: int) -> None:
        super().__init__(f"the answer ({status}) is over {limit:,} bytes (read {size:,})")
        self.status = status
        self.size = size
        self.limit = limit


def read_bounded(response: requests.Response, limit: int) -> bytes:
    """The (decoded) body, read in chunks; ``BodyTooLargeError`` as soon as it passes ``limit``."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLargeError(response.status_code, int(declared), limit)
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_content(_CHUNK):
        size += len(chunk)
        if size > limit:
            raise BodyTooLargeError(response.status_code, size, limit)
        chunks.append(chunk)
    return b"".join(chunks)


def backoff_delay(attempt: int, base: float, cap: float, rng: random.Random) -> float:
    """Exponential backoff with full jitter: a random wait in [base, min(cap, base·2^attempt)]."""
    ceiling = min(cap, base * (2**attempt))
    return rng.uniform(base, max(base, ceiling))


def int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def float_or_none(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
