"""AfasProfitHook: the AFAS Profit REST client (GetConnectors, UpdateConnectors, metainfo).

Connection (type ``afas_profit``): host = the environment's base URL through ``/ProfitRestServices``,
password = the token — the whole ``<token><version>1</version><data>…</data></token>`` or only its data
part (``hooks.afas_token``) — and extra ``{"integration_id": "…"}`` (optional), ``max_parallel_calls``
(default 4, at most 8: AFAS allows 8 parallel calls per environment), ``max_wait_seconds`` (longest wait
for a 503's ``retry_after`` inside a run) and ``in_worker_wait_seconds`` (up to which a wait is slept in the
task; a task defers a longer one to the triggerer: ``hooks.waiting``).

A 503 defers only while the step has had no other answer from AFAS: a step resumed after the wait runs
again from its start, and until its first answer it has read and written nothing it would repeat.

This module is the API and the call policy: the in-flight limit and when to retry. Paging lives in
``hooks.afas_reader``; what an answer means, and when a write is ambiguous, in ``hooks.afas_answers``.
Writes are never retried blindly: a POST or PUT without an answer raises ``AfasAmbiguousWriteError``.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

import requests

from lightspeed_afas.hooks.afas_answers import (
    asked_retry_after,
    error_body,
    no_answer,
    raise_for_failure,
    success_body,
    too_large,
    write_results,
)
from lightspeed_afas.hooks.afas_filters import Filter, any_of
from lightspeed_afas.hooks.afas_reader import DEFAULT_TAKE, lookup_batches, read_rows, url_with_params
from lightspeed_afas.hooks.afas_token import authorization_header, token_secrets, token_xml
from lightspeed_afas.hooks.base import ApiHook
from lightspeed_afas.hooks.errors import AfasAmbiguousWriteError, AfasError, AfasUnavailableError
from lightspeed_afas.hooks.http import Answer, BodyTooLargeError, Params, backoff_delay

__all__ = ["DEFAULT_TAKE", "MAX_PAGES", "AfasProfitHook", "authorization_header", "token_xml"]

AFAS_MAX_PARALLEL = 8
DEFAULT_PARALLEL = 4
# The most pages one GetConnector read takes: 250 pages of 1,000 = 250,000 rows. The connector's reads
# are look-ups by a batch of values and short lists (administrations, journals), and AFAS itself calls
# skips beyond ~100,000 slow; a server that ignores skip/take stops here instead of paging forever.
MAX_PAGES = 250

# One in-flight limit per AFAS environment, shared by every hook in this process.
_limits: dict[str, threading.BoundedSemaphore] = {}
_limits_lock = threading.Lock()


def _limit_for(base_url: str, size: int) -> threading.BoundedSemaphore:
    with _limits_lock:
        if base_url not in _limits:
            _limits[base_url] = threading.BoundedSemaphore(size)
        return _limits[base_url]


class AfasProfitHook(ApiHook):
    """Reads and writes one AFAS Profit environment."""

    conn_name_attr = "afas_conn_id"
    default_conn_name = "afas_default"
    conn_type = "afas_profit"
    hook_name = "AFAS Profit"
    api_name = "afas"

    read_timeout = 120.0
    attempts = 5

    def __init__(self, afas_conn_id: str = default_conn_name, **kwargs: Any) -> None:
        super().__init__(afas_conn_id, **kwargs)
        self._limit: threading.BoundedSemaphore | None = None

    # -- connection -------------------------------------------------------------------------------

    @property
    def max_parallel_calls(self) -> int:
        wanted = int(self.extra.get("max_parallel_calls", DEFAULT_PARALLEL))
        return max(1, min(wanted, AFAS_MAX_PARALLEL))

    @property
    def max_wait_seconds(self) -> float:
        return float(self.extra.get("max_wait_seconds", 120))

    def _secrets(self) -> list[str]:
        return token_secrets(self.get_connection(self.conn_id).password)

    def _configure(self, session: requests.Session) -> None:
        conn = self.get_connection(self.conn_id)
        session.auth = None
        session.headers["Authorization"] = authorization_header(conn.password or "")
        session.headers["Accept"] = "application/json"
        session.headers["Content-Type"] = "application/json;charset=utf-8"
        session.headers.pop("Connection", None)  # AFAS: never send "Connection: close"
        integration_id = str(self.extra.get("integration_id") or "").strip()
        if integration_id:
            session.headers["IntegrationId"] = integration_id
        self._limit = _limit_for(self.base_url.rstrip("/").lower(), self.max_parallel_calls)

    def url(self, path: str) -> str:
        self.session  # noqa: B018 - initialises base_url from the connection
        return f"{self.base_url.rstrip('/')}/{path.lstrip('/')}"

    # -- reading ----------------------------------------------------------------------------------

    def metainfo(self) -> dict[str, Any]:
        return self._call("GET", "metainfo", "metainfo")

    def metainfo_get(self, connector: str) -> dict[str, Any]:
        return self._call("GET", f"metainfo/get/{quote(connector, safe='')}", "metainfo/get/{id}")

    def metainfo_update(self, connector: str) -> dict[str, Any]:
        return self._call("GET", f"metainfo/update/{quote(connector, safe='')}", "metainfo/update/{id}")

    def get_rows(
        self,
        connector: str,
        order_by: Sequence[str],
        filters: Filter = (),
        take: int = DEFAULT_TAKE,
        max_rows: int | None = None,
    ) -> list[dict[str, Any]]:
        """All rows of a GetConnector matching ``filters``, paged with skip/take.

        ``order_by`` is required: AFAS does not guarantee an order without it, so paging could skip or
        repeat rows. Prefix a field with ``-`` for descending.
        """
        return read_rows(
            self._call, connector, order_by, filters, take=take, max_rows=max_rows, max_pages=MAX_PAGES
        )

    def lookup(
        self, connector: str, field: str, values: Sequence[str], order_by: Sequence[str]
    ) -> list[dict[str, Any]]:
        """Rows whose ``field`` equals any of ``values``: one OR filter per batch that fits AFAS's URL limit."""
        unique = list(dict.fromkeys(v for v in values if v))
        if not unique:
            return []
        batches = lookup_batches(self.url(f"connectors/{quote(connector, safe='')}"), field, unique, order_by)
        return [row for batch in batches for row in self.get_rows(connector, order_by, any_of(field, batch))]

    # -- writing ----------------------------------------------------------------------------------

    def insert(self, connector: str, payload: dict[str, Any]) -> dict[str, Any]:
        """POST an UpdateConnector payload; returns the keys AFAS assigned (``OrNu``, ``DbId`` …)."""
        return write_results(
            connector, self._call("POST", f"connectors/{connector}", connector, json_body=payload)
        )

    def update(self, connector: str, payload: dict[str, Any]) -> dict[str, Any]:
        """PUT an UpdateConnector payload (keys inside it); returns the keys AFAS reports, if any."""
        return write_results(
            connector, self._call("PUT", f"connectors/{connector}", connector, json_body=payload)
        )

    def delete(self, connector: str, key_field: str, key_value: str) -> None:
        """DELETE ``/connectors/{C}/{C}/@{key}/{value}`` (the form of AFAS's OpenAPI spec)."""
        path = f"connectors/{connector}/{connector}/@{key_field}/{quote(str(key_value), safe='')}"
        self._call("DELETE", path, connector)

    def test_connection(self) -> tuple[bool, str]:
        """The UI's Test button: read /metainfo with this token (one try, no waiting)."""
        self.attempts = 1
        try:
            info = self.metainfo()
        except AfasError as exc:
            return False, self.redact(str(exc))
        except Exception as exc:  # the UI shows the message; never a traceback or a secret
            return False, self.redact(f"{type(exc).__name__}: {exc}")
        about = info.get("info") if isinstance(info.get("info"), dict) else {}
        env, app = about.get("envid", "?"), about.get("appName", "?")
        gets, updates = len(info.get("getConnectors") or []), len(info.get("updateConnectors") or [])
        return True, self.redact(
            f"Connected to AFAS environment {env} as App Connector '{app}': "
            f"{gets} GetConnectors and {updates} UpdateConnectors allowed."
        )

    def _too_large(self, method: str, endpoint: str, exc: BodyTooLargeError) -> AfasError:
        return too_large(method, endpoint, exc)

    # -- one call, with the in-flight limit and the retry policy ----------------------------------

    def _call(
        self, method: str, path: str, endpoint: str, params: Params | None = None, json_body: Any = None
    ) -> dict[str, Any]:
        url = url_with_params(self.url(path), endpoint, params)
        attempt = 0
        while True:
            attempt += 1
            try:
                answer = self._attempt(method, url, endpoint, json_body, attempt)
            except AfasAmbiguousWriteError:
                self.keep_waits_in_worker()  # the write may have landed: a re-run must not repeat it
                raise
            if answer is not None and answer.status != 503:
                self.keep_waits_in_worker()  # from the first answer on, a re-run would repeat this one
            if answer is None:
                self.stats.record_retry(self.api_name, "connection")
                self.wait(backoff_delay(attempt, 1.0, 30.0, self._rng), "connection error")
                continue
            if answer.status < 300:
                return success_body(answer, method, endpoint)
            wait, named = self._failure(answer, method, endpoint, attempt)
            self.stats.record_retry(self.api_name, "503" if answer.status == 503 else str(answer.status))
            if named:  # AFAS says how long (maintenance): a long wait may go to the triggerer
                self.wait_or_defer(wait, f"AFAS 503 (maintenance?), retry_after {wait:.0f} s")
            else:
                self.wait(wait, "AFAS 503, backing off" if answer.status == 503 else f"HTTP {answer.status}")

    def _attempt(self, method: str, url: str, endpoint: str, json_body: Any, attempt: int) -> Answer | None:
        """One send inside the in-flight limit; ``None`` when a retry may follow a connection error."""
        assert self._limit is not None
        with self._limit:
            try:
                return self._send(method, url, endpoint, json_body=json_body)
            except requests.RequestException as exc:
                ambiguous = no_answer(method, endpoint, exc)
                if ambiguous is not None:
                    raise ambiguous from None
                if attempt >= self.attempts:
                    raise AfasUnavailableError(
                        self.redact(f"AFAS did not answer {method} {endpoint} after {attempt} tries: {exc}"),
                        status=0,
                    ) from None
                return None

    def _failure(self, answer: Answer, method: str, endpoint: str, attempt: int) -> tuple[float, bool]:
        """Raise the error for a failed answer, or return how long to wait before the next try and
        whether AFAS named that wait (a 503's ``retry_after``; our own backoff is always slept)."""
        body = error_body(answer)
        raise_for_failure(answer, body, method, endpoint, self.conn_id, self.redact)
        if answer.status == 503:
            return self._unavailable_wait(answer, body, method, endpoint, attempt)
        if attempt >= self.attempts:
            raise AfasUnavailableError(
                f"AFAS kept failing {method} {endpoint} ({answer.status}).", status=answer.status
            )
        return backoff_delay(attempt, 1.0, 30.0, self._rng), False

    def _unavailable_wait(
        self, answer: Answer, body: dict[str, Any], method: str, endpoint: str, attempt: int
    ) -> tuple[float, bool]:
        retry_after = asked_retry_after(answer, body)
        wait = retry_after if retry_after is not None else backoff_delay(attempt, 2.0, 60.0, self._rng)
        cap = self.wait_rule().cap() if retry_after is not None else self.max_wait_seconds
        if wait > cap or attempt >= self.attempts:
            raise AfasUnavailableError(
                f"AFAS is unavailable (503, maintenance?) for {method} {endpoint}; it asks to retry "
                f"after {wait:.0f} s. The run stops; a later run continues.",
                retry_after=retry_after,
            )
        return wait, retry_after is not None
