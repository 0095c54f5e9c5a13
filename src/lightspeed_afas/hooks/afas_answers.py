"""What an AFAS answer means: the body of a success, or the error of a failure — and when a write is
ambiguous.

Writes are never retried blindly: AFAS keeps processing a request whose client timed out, so a POST or
PUT without a readable answer raises ``AfasAmbiguousWriteError`` and the caller looks the record up
before writing again. A read that fails the same way is a plain error (or a retry, decided by the hook).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import requests
import urllib3.exceptions

from lightspeed_afas.hooks.errors import (
    AfasAmbiguousWriteError,
    AfasAuthError,
    AfasBadRequestError,
    AfasBadResponseError,
    AfasError,
    AfasNotFoundError,
    AfasValidationError,
)
from lightspeed_afas.hooks.http import PARSE_ERRORS, Answer, BodyTooLargeError, float_or_none, int_or_none


def ambiguous_write(method: str, endpoint: str, what: str) -> AfasAmbiguousWriteError:
    """``AFAS <what>; the write may or may not have happened …`` for a write without a clear answer."""
    return AfasAmbiguousWriteError(
        f"AFAS {what}; the write may or may not have happened. Look the record up before writing again.",
        connector=endpoint,
        method=method,
    )


def nothing_was_sent(exc: requests.RequestException) -> bool:
    """True when the request provably never reached AFAS (so even a write may be retried)."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    if isinstance(exc, requests.ConnectionError):
        reason = exc.args[0] if exc.args else None
        reason = getattr(reason, "reason", reason)
        return isinstance(reason, urllib3.exceptions.NewConnectionError)
    return False


def no_answer(method: str, endpoint: str, exc: requests.RequestException) -> AfasError | None:
    """The error for a write that got no answer and may have reached AFAS; ``None`` when a retry may follow."""
    if method != "GET" and not nothing_was_sent(exc):
        return ambiguous_write(method, endpoint, f"{method} {endpoint} got no answer ({type(exc).__name__})")
    return None


def too_large(method: str, endpoint: str, exc: BodyTooLargeError) -> AfasError:
    """The error for an answer over the body limit: ambiguous for a write, a bad response for a read."""
    if method != "GET":
        return ambiguous_write(
            method,
            endpoint,
            f"answered {method} {endpoint} with {exc.status} and a body over {exc.limit:,} bytes, which "
            "was not read",
        )
    return AfasBadResponseError(
        f"AFAS answered GET {endpoint} with {exc.status} and a body over {exc.limit:,} bytes: "
        "stopped reading it. Ask for fewer rows (take) or check the connection's host.",
        exc.status,
    )


def success_body(answer: Answer, method: str, endpoint: str) -> dict[str, Any]:
    """A 2xx body as a dict (``{}`` when empty, a non-object wrapped as ``{"value": …}``).

    One that cannot be read is an ambiguous write (it may have applied) or, for a read, an error.
    """
    if not answer.body.strip():
        return {}
    try:
        body = answer.json()
    except PARSE_ERRORS as exc:
        said = f"with {answer.status} but a body that is not readable JSON ({type(exc).__name__})"
        if method != "GET":
            raise ambiguous_write(method, endpoint, f"answered {method} {endpoint} {said}") from None
        raise AfasBadResponseError(
            f"AFAS answered GET {endpoint} {said}. Check the connection's host: it should end in "
            "/ProfitRestServices.",
            answer.status,
        ) from None
    return body if isinstance(body, dict) else {"value": body}


def error_body(answer: Answer) -> dict[str, Any]:
    """A failure's body when it is a JSON object, else ``{}``."""
    body = answer.json_or_none()
    return body if isinstance(body, dict) else {}


def raise_for_failure(
    answer: Answer,
    body: dict[str, Any],
    method: str,
    endpoint: str,
    conn_id: str,
    redact: Callable[[str], str],
) -> None:
    """Raise the error a failed answer means; return when a retry may help (a 503, or a failed read)."""
    status = answer.status
    if status == 500 and "externalMessage" in body:
        reference = body.get("profitLogReference")
        raise AfasValidationError(
            redact(str(body.get("externalMessage"))),
            int_or_none(body.get("errorNumber")),
            redact(str(reference)) if reference is not None else None,
            status,
        )
    if status in (401, 403):
        raise AfasAuthError(
            f"AFAS refused {method} {endpoint} for connection '{conn_id}' ({status}). Check the "
            "token, that the App Connector allows this connector, and any IP restriction.",
            status,
        )
    if status == 404:
        raise AfasNotFoundError(f"AFAS has no {endpoint} at this URL (404).", status)
    if status == 400:
        # AFAS's message, else the raw text; redacted before it is cut, so no half secret remains
        said = body.get("externalMessage") if isinstance(body.get("externalMessage"), str) else None
        detail = redact((said or answer.text.strip())[:8192])[:300]
        raise AfasBadRequestError(f"AFAS rejected {method} {endpoint}: {detail}", status)
    if status != 503 and method != "GET":
        raise ambiguous_write(
            method, endpoint, f"answered {method} {endpoint} with {status} and no error message"
        )


def asked_retry_after(answer: Answer, body: dict[str, Any]) -> float | None:
    """The wait a 503 asks for: its body's ``retry_after``, else the ``Retry-After`` header (seconds)."""
    return float_or_none(body.get("retry_after")) or float_or_none(answer.headers.get("Retry-After"))


def write_results(connector: str, body: dict[str, Any]) -> dict[str, Any]:
    """The keys AFAS reports for an UpdateConnector write (``results.<connector>``), else ``{}``."""
    results = body.get("results") if isinstance(body, dict) else None
    if isinstance(results, dict) and isinstance(results.get(connector), dict):
        return dict(results[connector])
    return {}
