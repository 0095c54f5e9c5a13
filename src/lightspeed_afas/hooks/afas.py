"""AfasProfitHook: the AFAS Profit REST client (GetConnectors, UpdateConnectors, metainfo).

Connection (type ``afas_profit``): host = the environment's base URL through ``/ProfitRestServices``,
password = the token — the whole ``<token><version>1</version><data>…</data></token>`` or only its data
part — and extra ``{"integration_id": "…"}`` (optional), ``max_parallel_calls`` (default 4, at most 8:
AFAS allows 8 parallel calls per environment), ``max_wait_seconds`` (longest wait for a 503's
``retry_after`` inside a run).

Writes are never retried blindly: AFAS keeps processing a request whose client timed out, so a POST or
PUT without an answer raises ``AfasAmbiguousWriteError`` and the caller looks the record up first.
"""

from __future__ import annotations

import base64
import re
import threading
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

import requests
import urllib3.exceptions

from lightspeed_afas.hooks.afas_filters import (
    MAX_URL_LENGTH,
    Filter,
    any_of,
    filter_params,
    query_string,
    split_to_fit,
)
from lightspeed_afas.hooks.base import (
    PARSE_ERRORS,
    Answer,
    ApiHook,
    BodyTooLargeError,
    backoff_delay,
)
from lightspeed_afas.hooks.errors import (
    AfasAmbiguousWriteError,
    AfasAuthError,
    AfasBadRequestError,
    AfasBadResponseError,
    AfasError,
    AfasNotFoundError,
    AfasUnavailableError,
    AfasValidationError,
)

AFAS_MAX_PARALLEL = 8
DEFAULT_PARALLEL = 4
DEFAULT_TAKE = 1000
# The most pages one GetConnector read takes: 250 pages of 1,000 = 250,000 rows. The connector's reads
# are look-ups by a batch of values and short lists (administrations, journals), and AFAS itself calls
# skips beyond ~100,000 slow; a server that ignores skip/take stops here instead of paging forever.
MAX_PAGES = 250

_TOKEN_XML = re.compile(
    r"^\s*<token>\s*<version>\s*1\s*</version>\s*<data>([^<]+)</data>\s*</token>\s*$", re.S
)

# One in-flight limit per AFAS environment, shared by every hook in this process.
_limits: dict[str, threading.BoundedSemaphore] = {}
_limits_lock = threading.Lock()


def token_xml(token: str) -> str:
    """The full token XML from either form a merchant may paste (whole XML, or only its data part)."""
    token = (token or "").strip()
    if not token:
        raise AfasAuthError("The AFAS connection has no token: put it in the password field.")
    match = _TOKEN_XML.match(token)
    if match:
        return f"<token><version>1</version><data>{match.group(1).strip()}</data></token>"
    if "<" in token or ">" in token or any(c.isspace() for c in token):
        raise AfasAuthError(
            "The AFAS token is neither the whole <token><version>1</version><data>…</data></token> XML "
            "nor only its data part: copy it again from the App Connector."
        )
    return f"<token><version>1</version><data>{token}</data></token>"


def authorization_header(token: str) -> str:
    """``AfasToken <base64 of the whole token XML>`` — AFAS refuses any other form."""
    return "AfasToken " + base64.b64encode(token_xml(token).encode("utf-8")).decode("ascii")


def _limit_for(base_url: str, size: int) -> threading.BoundedSemaphore:
    with _limits_lock:
        if base_url not in _limits:
            _limits[base_url] = threading.BoundedSemaphore(size)
        return _limits[base_url]


def _nothing_was_sent(exc: requests.RequestException) -> bool:
    """True when the request provably never reached AFAS (so even a write may be retried)."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    if isinstance(exc, requests.ConnectionError):
        reason = exc.args[0] if exc.args else None
        reason = getattr(reason, "reason", reason)
        return isinstance(reason, urllib3.exceptions.NewConnectionError)
    return False


class AfasProfitHook(ApiHook):
    """Reads and writes one AFAS Profit environment."""

    conn_name_attr = "afas_conn_id"
    default_conn_name = "afas_default"
    conn_type = "afas_profit"
    hook_name = "AFAS Profit"
    api_name = "afas"

    connect_timeout = 10.0
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
        conn = self.get_connection(self.conn_id)
        secrets = [conn.password or ""]
        try:
            xml = token_xml(conn.password or "")
            header = authorization_header(conn.password or "")
            data = _TOKEN_XML.match(xml).group(1)  # type: ignore[union-attr]
            data_b64 = base64.b64encode(data.encode("utf-8")).decode("ascii")
            secrets += [xml, header, header.split(" ", 1)[1], data, data_b64]
        except AfasAuthError:
            pass
        return [s for s in secrets if s]

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
        if not order_by:
            raise ValueError("get_rows needs order_by: paging without a sort order can skip rows in AFAS")
        fixed = [("orderbyfieldids", ",".join(order_by)), *filter_params(filters)]
        rows: list[dict[str, Any]] = []
        previous: list[Any] = []
        skip = 0
        for _ in range(MAX_PAGES):
            page_take = take if max_rows is None else min(take, max_rows - len(rows))
            params = [("skip", str(skip)), ("take", str(page_take)), *fixed]
            body = self._call(
                "GET", f"connectors/{quote(connector, safe='')}", f"connectors/{connector}", params
            )
            page = body.get("rows") or []
            self._check_page(connector, skip, page_take, page, previous)
            rows.extend(page)
            if len(page) < page_take or (max_rows is not None and len(rows) >= max_rows):
                return rows
            previous = page
            skip += page_take
        raise AfasBadResponseError(
            f"AFAS GetConnector {connector} still had full pages after {MAX_PAGES} pages of {take} rows: "
            "stopped. Narrow the filter: this connector reads look-ups and short lists only."
        )

    @staticmethod
    def _check_page(connector: str, skip: int, take: int, page: list[Any], previous: list[Any]) -> None:
        """Stop on a server that does not page: more rows than asked, or the previous page again."""
        if len(page) > take:
            raise AfasBadResponseError(
                f"AFAS answered GetConnector {connector} (skip {skip}, take {take}) with {len(page)} rows, "
                "more than asked: the server ignores take. Stopped reading."
            )
        if page and page == previous:
            raise AfasBadResponseError(
                f"AFAS answered GetConnector {connector} (skip {skip}, take {take}) with the same rows as "
                "the page before: the server ignores skip. Stopped reading."
            )

    def lookup(
        self, connector: str, field: str, values: Sequence[str], order_by: Sequence[str]
    ) -> list[dict[str, Any]]:
        """Rows whose ``field`` equals any of ``values``: one OR filter per batch that fits AFAS's URL limit."""
        unique = list(dict.fromkeys(v for v in values if v))
        if not unique:
            return []
        base = self.url(f"connectors/{quote(connector, safe='')}")
        fixed = [("skip", "0"), ("take", str(DEFAULT_TAKE)), ("orderbyfieldids", ",".join(order_by))]
        rows: list[dict[str, Any]] = []
        for batch in split_to_fit(base, fixed, field, unique):
            rows.extend(self.get_rows(connector, order_by, any_of(field, batch)))
        return rows

    # -- writing ----------------------------------------------------------------------------------

    def insert(self, connector: str, payload: dict[str, Any]) -> dict[str, Any]:
        """POST an UpdateConnector payload; returns the keys AFAS assigned (``OrNu``, ``DbId`` …)."""
        return self._results(
            connector, self._call("POST", f"connectors/{connector}", connector, json_body=payload)
        )

    def update(self, connector: str, payload: dict[str, Any]) -> dict[str, Any]:
        """PUT an UpdateConnector payload (keys inside it); returns the keys AFAS reports, if any."""
        return self._results(
            connector, self._call("PUT", f"connectors/{connector}", connector, json_body=payload)
        )

    def delete(self, connector: str, key_field: str, key_value: str) -> None:
        """DELETE ``/connectors/{C}/{C}/@{key}/{value}`` (the form of AFAS's OpenAPI spec)."""
        path = f"connectors/{connector}/{connector}/@{key_field}/{quote(str(key_value), safe='')}"
        self._call("DELETE", path, connector)

    @staticmethod
    def _results(connector: str, body: dict[str, Any]) -> dict[str, Any]:
        results = body.get("results") if isinstance(body, dict) else None
        if isinstance(results, dict) and isinstance(results.get(connector), dict):
            return dict(results[connector])
        return {}

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
        if method != "GET":
            return AfasAmbiguousWriteError(
                f"AFAS answered {method} {endpoint} with {exc.status} and a body over {exc.limit:,} "
                "bytes, which was not read; the write may or may not have happened. Look the record up "
                "before writing again.",
                connector=endpoint,
                method=method,
            )
        return AfasBadResponseError(
            f"AFAS answered GET {endpoint} with {exc.status} and a body over {exc.limit:,} bytes: "
            "stopped reading it. Ask for fewer rows (take) or check the connection's host.",
            exc.status,
        )

    # -- one call, with the in-flight limit and the retry policy ----------------------------------

    def _call(
        self,
        method: str,
        path: str,
        endpoint: str,
        params: list[tuple[str, str]] | None = None,
        json_body: Any = None,
    ) -> dict[str, Any]:
        url = self._call_url(path, endpoint, params)
        attempt = 0
        while True:
            attempt += 1
            answer = self._attempt(method, url, endpoint, json_body, attempt)
            if answer is None:
                self.stats.record_retry(self.api_name, "connection")
                self.wait(backoff_delay(attempt, 1.0, 30.0, self._rng), "connection error")
                continue
            if answer.status < 300:
                return self._parsed(answer, method, endpoint)
            wait = self._failure(answer, method, endpoint, attempt)
            self.stats.record_retry(self.api_name, "503" if answer.status == 503 else str(answer.status))
            self.wait(wait, "AFAS 503, retry_after" if answer.status == 503 else f"HTTP {answer.status}")

    def _call_url(self, path: str, endpoint: str, params: list[tuple[str, str]] | None) -> str:
        url = self.url(path)
        if params:
            url = f"{url}?{query_string(params)}"
            if len(url) > MAX_URL_LENGTH:
                raise AfasError(
                    f"AFAS GET {endpoint}: the URL would be {len(url)} characters, over AFAS's limit of "
                    f"{MAX_URL_LENGTH} (AFAS answers 404). Use smaller look-up batches."
                )
        return url

    def _attempt(self, method: str, url: str, endpoint: str, json_body: Any, attempt: int) -> Answer | None:
        """One send inside the in-flight limit; ``None`` when a retry may follow a connection error."""
        assert self._limit is not None
        with self._limit:
            try:
                return self._send(
                    method,
                    url,
                    endpoint,
                    json_body=json_body,
                    timeout=(self.connect_timeout, self.read_timeout),
                )
            except requests.RequestException as exc:
                if method != "GET" and not _nothing_was_sent(exc):
                    raise AfasAmbiguousWriteError(
                        f"AFAS {method} {endpoint} got no answer ({type(exc).__name__}); the write may or "
                        "may not have happened. Look the record up before writing again.",
                        connector=endpoint,
                        method=method,
                    ) from None
                if attempt >= self.attempts:
                    raise AfasUnavailableError(
                        self.redact(f"AFAS did not answer {method} {endpoint} after {attempt} tries: {exc}"),
                        status=0,
                    ) from None
                return None

    def _parsed(self, answer: Answer, method: str, endpoint: str) -> dict[str, Any]:
        """A 2xx body; one that cannot be read is an ambiguous write (it may have applied) or an error."""
        try:
            return _json_body(answer)
        except PARSE_ERRORS as exc:
            if method != "GET":
                raise AfasAmbiguousWriteError(
                    f"AFAS answered {method} {endpoint} with {answer.status} but a body that is not "
                    f"readable JSON ({type(exc).__name__}); the write may or may not have happened. Look "
                    "the record up before writing again.",
                    connector=endpoint,
                    method=method,
                ) from None
            raise AfasBadResponseError(
                f"AFAS answered GET {endpoint} with {answer.status} but a body that is not readable JSON "
                f"({type(exc).__name__}). Check the connection's host: it should end in /ProfitRestServices.",
                answer.status,
            ) from None

    def _failure(self, answer: Answer, method: str, endpoint: str, attempt: int) -> float:
        """Raise the error for a failed answer, or return how long to wait before the next try."""
        status = answer.status
        try:
            body = _json_body(answer)
        except PARSE_ERRORS:
            body = {}
        if status == 500 and "externalMessage" in body:
            reference = body.get("profitLogReference")
            raise AfasValidationError(
                self.redact(str(body.get("externalMessage"))),
                _int_or_none(body.get("errorNumber")),
                self.redact(str(reference)) if reference is not None else None,
                status,
            )
        if status in (401, 403):
            raise AfasAuthError(
                f"AFAS refused {method} {endpoint} for connection '{self.conn_id}' ({status}). Check the "
                "token, that the App Connector allows this connector, and any IP restriction.",
                status,
            )
        if status == 404:
            raise AfasNotFoundError(f"AFAS has no {endpoint} at this URL (404).", status)
        if status == 400:
            # AFAS's message, else the raw text; redacted before it is cut, so no half secret remains
            said = body.get("externalMessage") if isinstance(body.get("externalMessage"), str) else None
            detail = self.redact((said or answer.text.strip())[:8192])[:300]
            raise AfasBadRequestError(f"AFAS rejected {method} {endpoint}: {detail}", status)
        if status == 503:
            return self._unavailable_wait(answer, body, method, endpoint, attempt)
        if method != "GET":
            raise AfasAmbiguousWriteError(
                f"AFAS answered {method} {endpoint} with {status} and no error message; the write may "
                "or may not have happened. Look the record up before writing again.",
                connector=endpoint,
                method=method,
            )
        if attempt >= self.attempts:
            raise AfasUnavailableError(f"AFAS kept failing {method} {endpoint} ({status}).", status=status)
        return backoff_delay(attempt, 1.0, 30.0, self._rng)

    def _unavailable_wait(
        self, answer: Answer, body: dict[str, Any], method: str, endpoint: str, attempt: int
    ) -> float:
        retry_after = _float_or_none(body.get("retry_after")) or _float_or_none(
            answer.headers.get("Retry-After")
        )
        wait = retry_after if retry_after is not None else backoff_delay(attempt, 2.0, 60.0, self._rng)
        if wait > self.max_wait_seconds or attempt >= self.attempts:
            raise AfasUnavailableError(
                f"AFAS is unavailable (503, maintenance?) for {method} {endpoint}; it asks to retry "
                f"after {wait:.0f} s. The run stops; a later run continues.",
                retry_after=retry_after,
            )
        return wait


def _json_body(answer: Answer) -> dict[str, Any]:
    """The body as a dict (``{}`` when empty, a non-object wrapped as ``{"value": …}``).

    Raises one of ``PARSE_ERRORS`` when the body is not readable JSON.
    """
    if not answer.body.strip():
        return {}
    body = answer.json()
    return body if isinstance(body, dict) else {"value": body}


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _float_or_none(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
