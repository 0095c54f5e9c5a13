"""The error taxonomy of both API clients: what went wrong, and what the caller may safely do next.

Every message is written for the data team: it says what failed and what to fix, and never contains a
token, an API secret or an ``Authorization`` header.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta


class ConnectorError(Exception):
    """Base class of every error the Lightspeed and AFAS clients raise."""


class MustWaitError(ConnectorError):
    """The server names a wait too long to sleep in the worker but short enough to wait out
    (``hooks.waiting``): the task defers to the triggerer until ``until`` and then runs the step again
    (``orchestration.deferrable``). Raised only by a hook its task allowed to defer, and only where a
    re-run repeats nothing (a Lightspeed step replays the answers it had; an AFAS step has had none yet).
    """

    def __init__(self, api: str, seconds: float, reason: str) -> None:
        super().__init__(f"{api}: {reason}; the task waits {seconds:.0f} s in the triggerer")
        self.api = api
        self.seconds = seconds
        self.reason = reason
        self.until = datetime.now(UTC) + timedelta(seconds=seconds)


# --- Lightspeed eCom -------------------------------------------------------------------------------


class LightspeedError(ConnectorError):
    """A Lightspeed eCom call failed; ``status`` is the HTTP status (0 when no response came)."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


class LightspeedAuthError(LightspeedError):
    """401/403: the API key or secret is wrong, the key is disabled, or it lacks a permission."""


class LightspeedLanguageError(LightspeedError):
    """404 ``Unknown or inactive language``: the connection's language is not active on the shop."""


class LightspeedNotFoundError(LightspeedError):
    """404 that persisted through the retries for transient 404s: the resource really is gone."""


class LightspeedUnavailableError(LightspeedError):
    """5xx or connection failures that outlasted the retries."""


class LightspeedBadRequestError(LightspeedError):
    """400: the request itself is wrong (e.g. a filter value in the wrong format)."""


class LightspeedBadResponseError(LightspeedError):
    """An answer the connector cannot use: not JSON, too large, or a pager that does not advance.

    Not retried: the same request gets the same answer. The message names the endpoint.
    """


class LightspeedBudgetExhaustedError(LightspeedError):
    """The API key's request budget is spent for longer than a run may wait.

    Not a crash: the pipeline catches it, keeps what it has, and the next run resumes from the watermark.
    """

    def __init__(self, message: str, window: str, resets_at: datetime | None) -> None:
        super().__init__(message, status=429)
        self.window = window
        self.resets_at = resets_at


class BudgetReservedError(LightspeedBudgetExhaustedError):
    """What is left of a rate-limit window is kept for the orders flow: a non-order flow stops here
    (nothing is lost: its next run computes what is still to do)."""


# --- AFAS Profit -----------------------------------------------------------------------------------


class AfasError(ConnectorError):
    """An AFAS Profit call failed; ``status`` is the HTTP status (0 when no response came)."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


class AfasValidationError(AfasError):
    """HTTP 500 with ``externalMessage``: AFAS refused the content (unknown item, debtor, field …).

    Retrying sends the same refusal; fix the data or the configuration. ``profit_log_reference`` lets the
    AFAS administrator find the full error in the environment log.
    """

    def __init__(
        self, external_message: str, error_number: int | None, profit_log_reference: str | None, status: int
    ) -> None:
        ref = f" (profitLogReference {profit_log_reference})" if profit_log_reference else ""
        super().__init__(f"AFAS refused the request: {external_message}{ref}", status=status)
        self.external_message = external_message
        self.error_number = error_number
        self.profit_log_reference = profit_log_reference


class AfasAuthError(AfasError):
    """401/403: the token is wrong or expired, the connector is not in the App Connector, or IP-blocked."""


class AfasNotFoundError(AfasError):
    """404: wrong URL or connector, or a query string over AFAS's 2,049-character limit."""


class AfasBadRequestError(AfasError):
    """400: malformed request (e.g. ``Invalid json``)."""


class AfasBadResponseError(AfasError):
    """A read whose answer the connector cannot use: not JSON, too large, or paging that does not advance.

    Not retried: the same request gets the same answer. The message names the connector.
    """


class AfasUnavailableError(AfasError):
    """503 (maintenance) or server errors that outlasted the retries; ``retry_after`` in seconds if told."""

    def __init__(self, message: str, status: int = 503, retry_after: float | None = None) -> None:
        super().__init__(message, status=status)
        self.retry_after = retry_after


class AfasAmbiguousWriteError(AfasError):
    """A POST/PUT/DELETE was sent but no usable answer came (timeout, dropped connection, or an
    answer that cannot be read).

    AFAS keeps processing a request whose client gave up, so the write may or may not have happened.
    Never retry blindly: look the record up (by reference) first.
    """

    def __init__(self, message: str, connector: str, method: str) -> None:
        super().__init__(message, status=0)
        self.connector = connector
        self.method = method


_QUOTED_VALUE = re.compile(r"(?i)\b(de waarde |the value )(.+?)( bij | for |$)")
_DOUBLE_QUOTED = re.compile(r'"[^"]*"|\u201c[^\u201d]*\u201d')
_EMAIL_LIKE = re.compile(r"[^\s@\"'<>()]+@[^\s@\"'<>()]+")


def without_values(message: str) -> str:
    """AFAS's ``externalMessage`` without the values it repeats from the payload (``De waarde "…" bij
    'E-mail werk' …``): the ledger keeps reasons, and must not keep a customer's details."""
    message = _QUOTED_VALUE.sub(lambda m: f"{m.group(1)}…{m.group(3)}", message)
    message = _DOUBLE_QUOTED.sub('"…"', message)
    return _EMAIL_LIKE.sub("…", message)
