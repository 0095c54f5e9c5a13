"""Reading an admin request's body: what every admin route of the Lightspeed emulator shares (``admin``,
``customers``, ``invoices``), kept apart so those modules need not import each other."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

from fastapi import Request

from emulators.lightspeed.store import AdminError


async def read_json(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw:
        return {}
    try:
        body = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise AdminError(f"body is not JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise AdminError("body must be a JSON object")
    return body


@contextlib.contextmanager
def admin_input(what: str) -> Iterator[None]:
    """Malformed admin input is the caller's mistake: a 400, not a 500."""
    try:
        yield
    except AdminError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise AdminError(f"{what}: {type(exc).__name__}: {exc}") from exc
