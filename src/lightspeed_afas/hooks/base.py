"""What both API hooks share: one kept-alive session per hook, timing, counters and the detail-log tap.

Built on ``HttpHook`` for the connection handling (base URL, auth, extras, TCP keep-alive adapter), but
unlike ``HttpHook.run`` the session is created once and reused, so calls ride one kept-alive connection.

Answers are bounded (``MAX_BODY_BYTES``, read by ``hooks.http.read_bounded``): past the limit the hook
raises its own error, so a runaway answer can neither exhaust the worker's memory nor fill the detail log.
"""

from __future__ import annotations

import random
import threading
import time
from typing import Any

import requests
from airflow.providers.http.hooks.http import HttpHook

from lightspeed_afas.hooks.detail import DetailSink, make_exchange
from lightspeed_afas.hooks.errors import ConnectorError, MustWaitError
from lightspeed_afas.hooks.http import Answer, BodyTooLargeError, Params, read_bounded
from lightspeed_afas.hooks.metrics import CallStats
from lightspeed_afas.hooks.redaction import Redactor, secret_forms
from lightspeed_afas.hooks.waiting import DEFER, IN_WORKER_SECONDS, MAX_DEFER_SECONDS, WaitRule

# The largest answer a hook reads. Real answers are far smaller: a Lightspeed page of 250 orders is
# about 1-2 MB, an AFAS page of 1,000 rows within AFAS's "columns x rows < 150,000" advice a few MB.
MAX_BODY_BYTES = 20 * 1024 * 1024


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


class ApiHook(HttpHook):
    """Common base of ``LightspeedEcomHook`` and ``AfasProfitHook``."""

    api_name = "api"
    connect_timeout = 10.0
    read_timeout = 60.0

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
        # Seconds of deferral the task still has (``hooks.waiting``); None: it cannot defer, and every
        # wait is slept in the worker up to ``max_wait_seconds``, as before.
        self.defer_budget: float | None = None
        self._waits_in_worker = False

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

    @property
    def timeout(self) -> tuple[float, float]:
        """(connect, read) seconds for one request."""
        return (self.connect_timeout, self.read_timeout)

    def _send(
        self, method: str, url: str, endpoint: str, *, params: Params | None = None, json_body: Any = None
    ) -> Answer:
        """Send once; record counters and the detail log.

        Raises ``requests`` exceptions unchanged, and the hook's own error (``_too_large``) when the
        answer passes ``MAX_BODY_BYTES``.
        """
        session = self.session
        started = time.monotonic()
        sent = (method, endpoint, json_body, started)
        try:
            response = session.request(
                method, url, params=params, json=json_body, timeout=self.timeout, stream=True
            )
            try:
                body = read_bounded(response, MAX_BODY_BYTES)
            finally:
                response.close()
        except requests.RequestException:
            self._record(*sent, url, params, 0, None)
            raise
        except BodyTooLargeError as exc:
            self._record(*sent, response.url, None, exc.status, None)
            raise self._too_large(method, endpoint, exc) from None
        self._record(*sent, response.url, None, response.status_code, body)
        return Answer(response.status_code, response.reason or "", response.url, response.headers, body)

    def _record(
        self,
        method: str,
        endpoint: str,
        request_body: Any,
        started: float,
        url: str,
        params: Params | None,
        status: int,
        response_body: bytes | None,
    ) -> None:
        """Count one exchange (status 0: no answer) and hand it to the detail log."""
        elapsed = (time.monotonic() - started) * 1000
        self.stats.record(self.api_name, method, endpoint, status, elapsed)
        self._tap(method, url, params, request_body, status, response_body, elapsed)

    def _too_large(self, method: str, endpoint: str, exc: BodyTooLargeError) -> ConnectorError:
        """The error to raise for an answer over ``MAX_BODY_BYTES`` (subclasses pick their class)."""
        return ConnectorError(f"{self.api_name} {method} {endpoint}: {exc}")

    def _tap(
        self,
        method: str,
        url: str,
        params: Params | None,
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

    # -- waiting: in the worker, or in the triggerer (``hooks.waiting``) ----------------------------

    @property
    def max_wait_seconds(self) -> float:
        """The longest wait slept where the task cannot defer (each hook has its default)."""
        return float(self.extra.get("max_wait_seconds", 300))

    def can_defer(self) -> bool:
        return self.defer_budget is not None and not self._waits_in_worker

    def keep_waits_in_worker(self) -> None:
        """From now on this step's waits are slept (or given up), never deferred: it has done something
        a re-run from its start would repeat."""
        self._waits_in_worker = True

    def wait_rule(self) -> WaitRule:
        """The connection's line and caps (``hooks.waiting``): ``max_wait_seconds``, when the connection
        sets it, caps deferred waits too."""
        deferred = self.extra.get("max_wait_seconds", MAX_DEFER_SECONDS.get(self.api_name, 300.0))
        return WaitRule(
            in_worker=float(self.extra.get("in_worker_wait_seconds", IN_WORKER_SECONDS)),
            max_in_worker=self.max_wait_seconds,
            max_deferred=float(deferred),
            budget=self.defer_budget if self.can_defer() else None,
        )

    def wait_or_defer(self, seconds: float, reason: str) -> None:
        """Wait ``seconds`` as the server asks: slept here when short (or when the task cannot defer),
        else ``MustWaitError`` (the caller has checked ``wait_rule().cap()`` for giving up)."""
        if self.wait_rule().choose(seconds) == DEFER:
            raise MustWaitError(self.api_name, seconds, reason)
        self.wait(seconds, reason)

    def wait(self, seconds: float, reason: str) -> None:
        """Sleep ``seconds`` (counted in the call statistics), saying why in the task log."""
        if seconds <= 0:
            return
        self.stats.record_wait(self.api_name, seconds)
        self.log.info("%s: waiting %.1f s (%s)", self.api_name, seconds, reason)
        self._sleep(seconds)
