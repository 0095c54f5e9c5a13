"""What both API hooks share: one kept-alive session per hook, timing, counters and the detail-log tap.

Built on ``HttpHook`` for the connection handling (base URL, auth, extras, TCP keep-alive adapter), but
unlike ``HttpHook.run`` the session is created once and reused, so calls ride one kept-alive connection.

Answers are bounded: a body is streamed and reading stops past ``MAX_BODY_BYTES`` with the hook's own
error, so a runaway answer can neither exhaust the worker's memory nor fill the detail log.
"""

from __future__ import annotations

import json
import random
import threading
import time
from dataclasses import dataclass
from typing import Any

import requests
from airflow.providers.http.hooks.http import HttpHook

from lightspeed_afas.hooks.detail import DetailSink, make_exchange
from lightspeed_afas.hooks.errors import ConnectorError
from lightspeed_afas.hooks.metrics import CallStats
from lightspeed_afas.hooks.redaction import Redactor, secret_forms

# The largest answer a hook reads. Real answers are far smaller: a Lightspeed page of 250 orders is
# about 1-2 MB, an AFAS page of 1,000 rows within AFAS's "columns x rows < 150,000" advice a few MB.
MAX_BODY_BYTES = 20 * 1024 * 1024
_CHUNK = 64 * 1024

# Errors a JSON parser raises on a body it cannot read: invalid JSON or bytes (ValueError, which
# JSONDecodeError and UnicodeDecodeError are) and nesting deeper than the interpreter's stack.
PARSE_ERRORS = (ValueError, RecursionError)


def mask(secret: str | None) -> None:
    """Register a secret, in every form of ``secret_forms``, with Airflow's log masker.

    A no-op outside an Airflow process; the hooks' own redaction applies either way.
    """
    if not secret:
        return
    try:
        from airflow.sdk.log import mask_secret

        for form in sorted(secret_forms(secret)):
            mask_secret(form)
    except Exception:  # masking is best effort; redaction below still applies
        pass


@dataclass(frozen=True)
class Answer:
    """One HTTP answer, its body read whole (never more than ``MAX_BODY_BYTES``)."""

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


class BodyTooLargeError(ConnectorError):
    """Raised inside ``_send`` when an answer passes ``MAX_BODY_BYTES``; each hook maps it to its own."""

    def __init__(self, status: int, size: int, limit: int) -> None:
        super().__init__(f"the answer ({status}) is over {limit:,} bytes (read {size:,})")
        self.status = status
        self.size = size
        self.limit = limit


def backoff_delay(attempt: int, base: float, cap: float, rng: random.Random) -> float:
    """Exponential backoff with full jitter: a random wait in [base, min(cap, base·2^attempt)]."""
    ceiling = min(cap, base * (2**attempt))
    return rng.uniform(base, max(base, ceiling))


class ApiHook(HttpHook):
    """Common base of ``LightspeedEcomHook`` and ``AfasProfitHook``."""

    api_name = "api"

    def __init__(
        self,
        conn_id: str,
        *,
        stats: CallStats | None = None,
        detail_sink: DetailSink | None = None,
        sleep: Any = time.sleep,
    ) -> None:
        super().__init__(method="GET", http_conn_id=conn_id)
        self.conn_id = conn_id
        self.stats = stats or CallStats()
        self.detail_sink = detail_sink
        self._sleep = sleep
        self._rng = random.Random()
        self._session: requests.Session | None = None
        self._session_lock = threading.Lock()
        self._redact = Redactor([])
        self._extra: dict[str, Any] | None = None

    # -- connection -------------------------------------------------------------------------------

    @property
    def extra(self) -> dict[str, Any]:
        """The connection's extra; keys saved by older UIs as ``extra__<type>__<key>`` read as ``<key>``."""
        if self._extra is None:
            prefix = f"extra__{self.conn_type}__"
            raw = self.get_connection(self.conn_id).extra_dejson or {}
            self._extra = {k.removeprefix(prefix): v for k, v in raw.items() if v not in (None, "")}
        return self._extra

    def _secrets(self) -> list[str]:
        """Strings that must never leave the hook (subclasses add their derived forms, e.g. base64)."""
        conn = self.get_connection(self.conn_id)
        return [s for s in (conn.password, conn.login if self._login_is_secret() else None) if s]

    def _login_is_secret(self) -> bool:
        return False

    def _configure(self, session: requests.Session) -> None:
        """Subclasses set auth and headers here."""

    def _configure_session_from_extra(
        self, session: requests.Session, connection: Any, extra_options: dict[str, Any]
    ) -> requests.Session:
        # HttpHook sends every extra key as an HTTP header; ours are settings (language, token
        # options), so only the TLS/proxy options are taken from the extra.
        session.verify = self.extra.get("verify", True)
        if self.extra.get("proxies"):
            session.proxies = self.extra["proxies"]
        return session

    @property
    def session(self) -> requests.Session:
        with self._session_lock:
            if self._session is None:
                session = self.get_conn()
                secrets = self._secrets()
                for secret in secrets:
                    mask(secret)
                self._redact = Redactor(secrets)
                self._configure(session)
                self._session = session
            return self._session

    def close(self) -> None:
        with self._session_lock:
            if self._session is not None:
                self._session.close()
                self._session = None

    # -- one exchange -----------------------------------------------------------------------------

    def _send(
        self,
        method: str,
        url: str,
        endpoint: str,
        *,
        params: list[tuple[str, str]] | None = None,
        json_body: Any = None,
        timeout: tuple[float, float],
    ) -> Answer:
        """Send once; record counters and the detail log.

        Raises ``requests`` exceptions unchanged, and the hook's own error (``_too_large``) when the
        answer passes ``MAX_BODY_BYTES``.
        """
        session = self.session
        started = time.monotonic()
        try:
            response = session.request(
                method, url, params=params, json=json_body, timeout=timeout, stream=True
            )
            try:
                body = _read_bounded(response)
            finally:
                response.close()
        except requests.RequestException:
            elapsed = (time.monotonic() - started) * 1000
            self.stats.record(self.api_name, method, endpoint, 0, elapsed)
            self._tap(method, url, params, json_body, 0, None, elapsed)
            raise
        except BodyTooLargeError as exc:
            elapsed = (time.monotonic() - started) * 1000
            self.stats.record(self.api_name, method, endpoint, exc.status, elapsed)
            self._tap(method, response.url, None, json_body, exc.status, None, elapsed)
            raise self._too_large(method, endpoint, exc) from None
        elapsed = (time.monotonic() - started) * 1000
        self.stats.record(self.api_name, method, endpoint, response.status_code, elapsed)
        self._tap(method, response.url, None, json_body, response.status_code, body, elapsed)
        return Answer(response.status_code, response.reason or "", response.url, response.headers, body)

    def _too_large(self, method: str, endpoint: str, exc: BodyTooLargeError) -> ConnectorError:
        """The error to raise for an answer over ``MAX_BODY_BYTES`` (subclasses pick their class)."""
        return ConnectorError(f"{self.api_name} {method} {endpoint}: {exc}")

    def _tap(
        self,
        method: str,
        url: str,
        params: list[tuple[str, str]] | None,
        request_body: Any,
        status: int,
        response_body: bytes | None,
        elapsed_ms: float,
    ) -> None:
        if self.detail_sink is None:
            return
        if params:
            url = requests.Request(method, url, params=params).prepare().url or url
        self.detail_sink(
            make_exchange(
                self._redact, self.api_name, method, url, request_body, status, response_body, elapsed_ms
            )
        )

    def redact(self, text: str) -> str:
        """``text`` with every secret of this connection replaced (for messages built from responses)."""
        return self._redact(text) or ""

    def wait(self, seconds: float, reason: str) -> None:
        """Sleep ``seconds`` (counted in the call statistics), saying why in the task log."""
        if seconds <= 0:
            return
        self.stats.record_wait(self.api_name, seconds)
        self.log.info("%s: waiting %.1f s (%s)", self.api_name, seconds, reason)
        self._sleep(seconds)


def _read_bounded(response: requests.Response) -> bytes:
    """The (decoded) body, read in chunks; ``BodyTooLargeError`` as soon as it passes the limit."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise BodyTooLargeError(response.status_code, int(declared), MAX_BODY_BYTES)
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_content(_CHUNK):
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise BodyTooLargeError(response.status_code, size, MAX_BODY_BYTES)
        chunks.append(chunk)
    return b"".join(chunks)
