"""What a Lightspeed answer means: the JSON object of a success, the message of a failure, and the
errors no retry can fix (refused credentials, an inactive language, a rejected request).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lightspeed_afas.hooks.errors import (
    LightspeedAuthError,
    LightspeedBadRequestError,
    LightspeedBadResponseError,
    LightspeedLanguageError,
)
from lightspeed_afas.hooks.http import PARSE_ERRORS, Answer, BodyTooLargeError


def success_body(answer: Answer, endpoint: str) -> dict[str, Any]:
    """A 2xx body, which must be a JSON object (none at all for a 204: ``{}``); anything else is
    ``LightspeedBadResponseError``."""
    if answer.status == 204 and not answer.body.strip():
        return {}
    try:
        body = answer.json()
    except PARSE_ERRORS as exc:
        raise LightspeedBadResponseError(
            f"Lightspeed answered {endpoint} with a body that is not readable JSON "
            f"({answer.status}, {type(exc).__name__}).",
            answer.status,
        ) from None
    if not isinstance(body, dict):
        raise LightspeedBadResponseError(
            f"Lightspeed answered {endpoint} with a JSON {type(body).__name__}.", answer.status
        )
    return body


def error_message(answer: Answer, redact: Callable[[str], str]) -> str:
    """``error.message`` as the official client reads it, else the raw text; redacted, then cut."""
    body = answer.json_or_none()
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and error.get("message"):
        text = str(error["message"])
    elif isinstance(error, str):
        text = error
    else:
        text = answer.text.strip() or answer.reason or ""
    # redacted before it is cut (with a margin for the longest encoded secret), so a cut can never
    # leave half a secret behind
    return redact(text[:8192])[:300]


def raise_for_refusal(status: int, message: str, endpoint: str, conn_id: str, language: str) -> None:
    """Raise for an answer no retry can change (401/403, 404 for the language, 400); else return."""
    if status in (401, 403):
        raise LightspeedAuthError(
            f"Lightspeed refused connection '{conn_id}' ({status}: {message}). Check the API key "
            "and secret, that the key is enabled, and that it may read orders and customers.",
            status,
        )
    if status == 404 and "language" in message.lower():
        raise LightspeedLanguageError(
            f"Lightspeed says '{message}' for language '{language}' (connection "
            f"'{conn_id}'): set extra.language to a language that is active on the shop.",
            status,
        )
    if status == 400:
        raise LightspeedBadRequestError(f"Lightspeed rejected {endpoint}: {message}", status)


def too_large(method: str, endpoint: str, conn_id: str, exc: BodyTooLargeError) -> LightspeedBadResponseError:
    """The error for an answer over the body limit (not retried: the same request gets the same answer)."""
    return LightspeedBadResponseError(
        f"Lightspeed answered {method} {endpoint} (connection '{conn_id}') with {exc.status} and "
        f"a body over {exc.limit:,} bytes: stopped reading it. Check that the connection's host "
        "is the API's base URL.",
        exc.status,
    )
