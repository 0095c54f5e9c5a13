"""LightspeedEcomHook: the Lightspeed eCom (C-Series) REST client.

Connection (type ``lightspeed_ecom``): host = API base URL (``https://api.webshopapp.com``), login = API
key, password = API secret, extra ``{"language": "nl"}`` plus optional ``filter_timezone`` (how the shop
reads naive ``updated_at_*`` filter values; default Europe/Amsterdam, the reference leaves it open) and
``max_wait_seconds`` (the longest a call may wait for the rate limit before giving up for this run).

Pacing: every response carries ``X-RateLimit-Remaining`` / ``X-RateLimit-Reset`` as ``5min/hour/day``.
The hook waits for a window's reset *before* it runs dry instead of provoking a 429, and raises
``LightspeedBudgetExhaustedError`` instead of sleeping for hours when the day (or a long hour) is spent.
"""

from __future__ import annotations

import base64
import email.utils
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import requests
from requests.auth import HTTPBasicAuth

from lightspeed_afas.hooks.base import (
    PARSE_ERRORS,
    Answer,
    ApiHook,
    BodyTooLargeError,
    backoff_delay,
)
from lightspeed_afas.hooks.errors import (
    LightspeedAuthError,
    LightspeedBadRequestError,
    LightspeedBadResponseError,
    LightspeedBudgetExhaustedError,
    LightspeedError,
    LightspeedLanguageError,
    LightspeedNotFoundError,
    LightspeedUnavailableError,
)

PAGE_SIZE = 250  # the API's maximum ``limit``
# The most pages one order scan reads: 2,000 pages of 250 = 500,000 orders in one window. A key's day
# budget is about 12,000 calls, so a bigger window could not be processed in one run anyway; a server
# that never sends a short page stops here instead of paging forever. Split long loads (since/until).
MAX_ORDER_PAGES = 2_000
FILTER_FORMAT = "%Y-%m-%d %H:%M:%S"
WINDOWS = ("5min", "hour", "day")


@dataclass
class RateLimitState:
    """What the last response said about the three windows; deadlines on the monotonic clock."""

    remaining: list[int | None] = field(default_factory=lambda: [None, None, None])
    resets_at: list[float | None] = field(default_factory=lambda: [None, None, None])
    distrust_next: list[bool] = field(default_factory=lambda: [False, False, False])

    def update(self, headers: requests.structures.CaseInsensitiveDict, now: float) -> None:
        remaining = _triple(headers.get("X-RateLimit-Remaining"))
        resets = _triple(headers.get("X-RateLimit-Reset"))
        for i in range(3):
            if resets[i] is not None:
                self.resets_at[i] = now + resets[i]
            if remaining[i] is None:
                continue
            if self.distrust_next[i]:
                # Known server quirk: right after a reset the first answer may carry the new reset time
                # with the stale remaining count. Trust the next answer, not this one.
                self.distrust_next[i] = False
                self.remaining[i] = None
                continue
            self.remaining[i] = remaining[i]


def _triple(value: str | None) -> list[int | None]:
    if not value:
        return [None, None, None]
    parts = value.split("/")
    out: list[int | None] = []
    for i in range(3):
        try:
            out.append(int(float(parts[i])))
        except (IndexError, ValueError):
            out.append(None)
    return out


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: either delta-seconds or an HTTP date (both are seen)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class LightspeedEcomHook(ApiHook):
    """Reads orders, order lines, customers and the shop from one Lightspeed eCom shop."""

    conn_name_attr = "lightspeed_conn_id"
    default_conn_name = "lightspeed_default"
    conn_type = "lightspeed_ecom"
    hook_name = "Lightspeed eCom"
    api_name = "lightspeed"

    connect_timeout = 10.0
    read_timeout = 60.0
    server_error_attempts = 5
    not_found_attempts = 4
    rate_limit_attempts = 8

    def __init__(self, lightspeed_conn_id: str = default_conn_name, **kwargs: Any) -> None:
        super().__init__(lightspeed_conn_id, **kwargs)
        self.limits = RateLimitState()

    # -- connection -------------------------------------------------------------------------------

    def _login_is_secret(self) -> bool:
        return True  # the API key is half of the credential

    def _secrets(self) -> list[str]:
        """Key, secret and the ``Authorization: Basic base64(key:secret)`` the session sends."""
        conn = self.get_connection(self.conn_id)
        secrets = super()._secrets()
        if conn.login and conn.password:
            pair = f"{conn.login}:{conn.password}"
            encoded = base64.b64encode(pair.encode("latin-1", errors="replace")).decode("ascii")
            secrets += [pair, encoded, f"Basic {encoded}"]
        return secrets

    @property
    def language(self) -> str:
        language = str(self.extra.get("language", "nl")).strip().lower()
        if len(language) != 2 or not language.isalpha():
            raise LightspeedError(
                f"Connection '{self.conn_id}': extra 'language' must be a two-letter shop language "
                f"such as 'nl', not {language!r}."
            )
        return language

    @property
    def filter_timezone(self) -> ZoneInfo:
        return ZoneInfo(str(self.extra.get("filter_timezone", "Europe/Amsterdam")))

    @property
    def max_wait_seconds(self) -> float:
        return float(self.extra.get("max_wait_seconds", 300))

    def _configure(self, session: requests.Session) -> None:
        conn = self.get_connection(self.conn_id)
        if not conn.login or not conn.password:
            raise LightspeedAuthError(
                f"Connection '{self.conn_id}' needs the API key as login and the API secret as password."
            )
        session.auth = HTTPBasicAuth(conn.login, conn.password)
        session.headers["Accept"] = "application/json"
        session.headers["User-Agent"] = "lightspeed-afas (Airflow)"

    def url(self, path: str) -> str:
        self.session  # noqa: B018 - initialises base_url from the connection
        return f"{self.base_url.rstrip('/')}/{self.language}/{path.lstrip('/')}.json"

    # -- the API ----------------------------------------------------------------------------------

    def format_filter_time(self, moment: datetime) -> str:
        """An aware datetime as the naive ``YYYY-MM-DD HH:MM:SS`` the filters take, in the shop's zone."""
        if moment.tzinfo is None:
            raise ValueError("filter times must be timezone-aware")
        return moment.astimezone(self.filter_timezone).strftime(FILTER_FORMAT)

    def window_params(self, updated_min: datetime, updated_max: datetime) -> list[tuple[str, str]]:
        return [
            ("updated_at_min", self.format_filter_time(updated_min)),
            ("updated_at_max", self.format_filter_time(updated_max)),
        ]

    def iter_order_pages(
        self, updated_min: datetime, updated_max: datetime | None = None, page_size: int = PAGE_SIZE
    ) -> Iterator[list[dict[str, Any]]]:
        """Yield pages of orders changed in [min, max], as they arrive, until a short page.

        ``updated_max`` defaults to now, frozen once at the scan's start so the window cannot grow.
        """
        frozen_max = updated_max or datetime.now(UTC)
        params = self.window_params(updated_min, frozen_max)
        previous: list[Any] = []
        for page in range(1, MAX_ORDER_PAGES + 1):
            body = self.get_json(
                "orders", params + [("limit", str(page_size)), ("page", str(page))], endpoint="orders"
            )
            orders = body.get("orders") or []
            ids = [o.get("id") if isinstance(o, dict) else o for o in orders]
            self._check_page(page, len(orders), page_size, ids == previous and bool(ids))
            yield orders
            if len(orders) < page_size:
                return
            previous = ids
        raise LightspeedBadResponseError(
            f"Lightspeed GET orders (connection '{self.conn_id}') still had full pages after "
            f"{MAX_ORDER_PAGES} pages of {page_size}: stopped. Load a window that large in shorter "
            "pieces (trigger the DAG with since/until)."
        )

    def _check_page(self, page: int, rows: int, page_size: int, repeated: bool) -> None:
        """Stop on a pager that does not advance: more rows than asked, or the previous page again."""
        if rows > page_size:
            raise LightspeedBadResponseError(
                f"Lightspeed answered GET orders page {page} (connection '{self.conn_id}') with {rows} "
                f"orders where {page_size} were asked: the server ignores 'limit'. Stopped reading."
            )
        if repeated:
            raise LightspeedBadResponseError(
                f"Lightspeed answered GET orders page {page} (connection '{self.conn_id}') with the same "
                f"orders as page {page - 1}: the server ignores 'page'. Stopped reading."
            )

    def count_orders(self, updated_min: datetime, updated_max: datetime) -> int:
        body = self.get_json(
            "orders/count", self.window_params(updated_min, updated_max), endpoint="orders/count"
        )
        return int(body.get("count", 0))

    def find_orders_by_number(self, number: str) -> list[dict[str, Any]]:
        return self.get_json("orders", [("number", number)], endpoint="orders").get("orders") or []

    def get_order(self, order_id: int) -> dict[str, Any]:
        """One order with its lines embedded under ``products.resource.embedded``."""
        return self.get_json(f"orders/{int(order_id)}", endpoint="orders/{id}")["order"]

    def get_order_lines(self, order_id: int) -> list[dict[str, Any]]:
        body = self.get_json(f"orders/{int(order_id)}/products", endpoint="orders/{id}/products")
        return body.get("orderProducts") or []

    def get_customer(self, customer_id: int) -> dict[str, Any]:
        return self.get_json(f"customers/{int(customer_id)}", endpoint="customers/{id}")["customer"]

    def get_shop(self) -> dict[str, Any]:
        return self.get_json("shop", endpoint="shop")["shop"]

    def test_connection(self) -> tuple[bool, str]:
        """The UI's Test button: read the shop with these credentials and language (one try, no waiting)."""
        self.server_error_attempts = self.not_found_attempts = 1
        self.rate_limit_attempts = 0
        try:
            shop = self.get_shop()
        except LightspeedError as exc:
            return False, self.redact(str(exc))
        except Exception as exc:  # the UI shows the message; never a traceback
            return False, self.redact(f"{type(exc).__name__}: {exc}")
        title = shop.get("title") or shop.get("id") or "?"
        return True, self.redact(f"Connected to Lightspeed shop '{title}' in language '{self.language}'.")

    def _too_large(self, method: str, endpoint: str, exc: BodyTooLargeError) -> LightspeedError:
        return LightspeedBadResponseError(
            f"Lightspeed answered {method} {endpoint} (connection '{self.conn_id}') with {exc.status} and "
            f"a body over {exc.limit:,} bytes: stopped reading it. Check that the connection's host "
            "is the API's base URL.",
            exc.status,
        )

    # -- one call, with pacing and the retry policy -----------------------------------------------

    def get_json(
        self, path: str, params: list[tuple[str, str]] | None = None, *, endpoint: str
    ) -> dict[str, Any]:
        """GET ``/{lang}/{path}.json``: paced, retried by error class, the body parsed."""
        url = self.url(path)
        server_errors = not_found = rate_limited = 0
        transient_404 = path.startswith("orders/")
        while True:
            self._pace()
            try:
                response = self._send(
                    "GET", url, endpoint, params=params, timeout=(self.connect_timeout, self.read_timeout)
                )
            except requests.RequestException as exc:
                server_errors += 1
                if server_errors >= self.server_error_attempts:
                    raise LightspeedUnavailableError(
                        self.redact(
                            f"Lightspeed did not answer GET {endpoint} after {server_errors} tries: {exc}"
                        )
                    ) from None
                self.stats.record_retry(self.api_name, "connection")
                self.wait(backoff_delay(server_errors, 1.0, 30.0, self._rng), "connection error")
                continue
            self.limits.update(response.headers, time.monotonic())
            status = response.status
            if status < 300:
                return _json(response, endpoint)
            message = _error_message(response, self.redact)
            if status == 429:
                rate_limited += 1
                wait = retry_after_seconds(response.headers.get("Retry-After"))
                self._wait_for_budget(wait, rate_limited)
                continue
            if status in (401, 403):
                raise LightspeedAuthError(
                    f"Lightspeed refused connection '{self.conn_id}' ({status}: {message}). Check the API key "
                    "and secret, that the key is enabled, and that it may read orders and customers.",
                    status,
                )
            if status == 404 and "language" in message.lower():
                raise LightspeedLanguageError(
                    f"Lightspeed says '{message}' for language '{self.language}' (connection "
                    f"'{self.conn_id}'): set extra.language to a language that is active on the shop.",
                    status,
                )
            if status == 404:
                not_found += 1
                if transient_404 and not_found < self.not_found_attempts:
                    # The API is known to answer 404 for existing orders now and then.
                    self.stats.record_retry(self.api_name, "transient 404")
                    self.wait(backoff_delay(not_found, 0.5, 4.0, self._rng), "404 on an order endpoint")
                    continue
                raise LightspeedNotFoundError(
                    f"Lightspeed has no {endpoint} at {path} (404: {message}).", status
                )
            if status == 400:
                raise LightspeedBadRequestError(f"Lightspeed rejected GET {endpoint}: {message}", status)
            server_errors += 1
            if server_errors >= self.server_error_attempts:
                raise LightspeedUnavailableError(
                    f"Lightspeed kept failing GET {endpoint} ({status}: {message}) after {server_errors} tries.",
                    status,
                )
            self.stats.record_retry(self.api_name, str(status))
            self.wait(backoff_delay(server_errors, 1.0, 30.0, self._rng), f"HTTP {status}")

    def _pace(self) -> None:
        """Wait for a window that is spent to reset, or give up when that would take too long."""
        now = time.monotonic()
        for i, window in enumerate(WINDOWS):
            remaining, resets_at = self.limits.remaining[i], self.limits.resets_at[i]
            if remaining is None or remaining > 0 or resets_at is None:
                continue
            wait = resets_at - now
            if wait <= 0:
                self.limits.remaining[i] = None
                continue
            if window == "day" or wait > self.max_wait_seconds:
                raise self._exhausted(window, wait)
            self.wait(wait + 0.05, f"Lightspeed {window} budget spent, resets in {wait:.0f} s")
            self.limits.remaining[i] = None
            self.limits.distrust_next[i] = True
            now = time.monotonic()

    def _wait_for_budget(self, retry_after: float | None, attempt: int) -> None:
        spent = [w for i, w in enumerate(WINDOWS) if self.limits.remaining[i] == 0]
        window = spent[-1] if spent else "5min"
        if retry_after is None:
            idx = WINDOWS.index(window)
            deadline = self.limits.resets_at[idx]
            retry_after = max(1.0, deadline - time.monotonic()) if deadline else 60.0
        if window == "day" or retry_after > self.max_wait_seconds or attempt > self.rate_limit_attempts:
            raise self._exhausted(window, retry_after)
        self.wait(retry_after, f"429 from Lightspeed, Retry-After {retry_after:.0f} s")
        for i in range(3):
            if self.limits.remaining[i] == 0:
                self.limits.remaining[i] = None

    def _exhausted(self, window: str, wait: float) -> LightspeedBudgetExhaustedError:
        resets_at = datetime.now(UTC) + timedelta(seconds=wait)
        return LightspeedBudgetExhaustedError(
            f"The Lightspeed {window} request budget of connection '{self.conn_id}' is spent until "
            f"{resets_at:%Y-%m-%d %H:%M:%S} UTC ({wait:.0f} s). The run stops here; the next run resumes "
            "from the watermark.",
            window=window,
            resets_at=resets_at,
        )


def _json(response: Answer, endpoint: str) -> dict[str, Any]:
    try:
        body = response.json()
    except PARSE_ERRORS as exc:
        raise LightspeedBadResponseError(
            f"Lightspeed answered GET {endpoint} with a body that is not readable JSON "
            f"({response.status}, {type(exc).__name__}).",
            response.status,
        ) from None
    if not isinstance(body, dict):
        raise LightspeedBadResponseError(
            f"Lightspeed answered GET {endpoint} with a JSON {type(body).__name__}.", response.status
        )
    return body


def _error_message(response: Answer, redact: Callable[[str], str]) -> str:
    """``error.message`` as the official client reads it, else the raw text; redacted, then cut."""
    try:
        body = response.json()
    except PARSE_ERRORS:
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and error.get("message"):
        text = str(error["message"])
    elif isinstance(error, str):
        text = error
    else:
        text = response.text.strip() or response.reason or ""
    # redacted before it is cut (with a margin for the longest encoded secret), so a cut can never
    # leave half a secret behind
    return redact(text[:8192])[:300]
