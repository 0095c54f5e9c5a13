"""LightspeedEcomHook: the Lightspeed eCom (C-Series) REST client.

Connection (type ``lightspeed_ecom``): host = API base URL (``https://api.webshopapp.com``), login = API
key, password = API secret, extra ``{"language": "nl"}`` plus optional ``filter_timezone`` (how the shop
reads naive ``updated_at_*`` filter values; default Europe/Amsterdam, the reference leaves it open) and
``max_wait_seconds`` (the longest a call may wait for the rate limit before giving up for this run) and
``in_worker_wait_seconds`` (up to which a wait is slept in the task; a task defers a longer one to the
triggerer: ``hooks.waiting``).

This module is the API and the retry policy by error class. Pacing by the rate-limit headers lives in
``hooks.lightspeed_pacing``, order paging in ``hooks.lightspeed_pager``, what an answer means in
``hooks.lightspeed_answers``.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import requests
from requests.auth import HTTPBasicAuth
from requests.structures import CaseInsensitiveDict

from lightspeed_afas.hooks.base import ApiHook
from lightspeed_afas.hooks.errors import (
    LightspeedAuthError,
    LightspeedError,
    LightspeedNotFoundError,
    LightspeedUnavailableError,
)
from lightspeed_afas.hooks.http import Answer, BodyTooLargeError, Params, backoff_delay
from lightspeed_afas.hooks.lightspeed_answers import error_message, raise_for_refusal, success_body, too_large
from lightspeed_afas.hooks.lightspeed_catalog import CatalogCalls
from lightspeed_afas.hooks.lightspeed_pacing import Pacer, RateLimitState, retry_after_seconds
from lightspeed_afas.hooks.lightspeed_pager import order_pages
from lightspeed_afas.hooks.lightspeed_sales import SalesCalls
from lightspeed_afas.hooks.lightspeed_variants import VariantCalls
from lightspeed_afas.hooks.lightspeed_webhooks import WebhookCalls
from lightspeed_afas.hooks.replay import Replay, request_key

__all__ = ["MAX_ORDER_PAGES", "PAGE_SIZE", "LightspeedEcomHook", "RateLimitState", "retry_after_seconds"]

PAGE_SIZE = 250  # the API's maximum ``limit``
# The most pages one order scan reads: 2,000 pages of 250 = 500,000 orders in one window. A key's day
# budget is about 12,000 calls, so a bigger window could not be processed in one run anyway; a server
# that never sends a short page stops here instead of paging forever. Split long loads (since/until).
MAX_ORDER_PAGES = 2_000
FILTER_FORMAT = "%Y-%m-%d %H:%M:%S"


@dataclass
class _Tries:
    """How often one call has failed so far, per error class."""

    server_errors: int = 0
    not_found: int = 0
    rate_limited: int = 0


class LightspeedEcomHook(VariantCalls, CatalogCalls, SalesCalls, WebhookCalls, ApiHook):
    """Reads orders, order lines, customers and the shop from one Lightspeed eCom shop; reads variants
    and writes their stock levels (``VariantCalls``); reads and writes the catalogue (``CatalogCalls``);
    reads customers and invoices page by page (``SalesCalls``); manages the shop's webhooks
    (``WebhookCalls``)."""

    conn_name_attr = "lightspeed_conn_id"
    default_conn_name = "lightspeed_default"
    conn_type = "lightspeed_ecom"
    hook_name = "Lightspeed eCom"
    api_name = "lightspeed"

    server_error_attempts = 5
    not_found_attempts = 4
    rate_limit_attempts = 8

    def __init__(
        self, lightspeed_conn_id: str = default_conn_name, *, reserve: float = 0.0, **kwargs: Any
    ) -> None:
        """``reserve``: the share of every rate-limit window this hook's caller leaves to the orders
        flow (0 for the orders flow itself; see ``Pacer``)."""
        super().__init__(lightspeed_conn_id, **kwargs)
        self.pacer = Pacer(self.conn_id, self.wait_or_defer, lambda: self.wait_rule().cap(), reserve)
        self.limits = self.pacer.limits
        # With a replay (``hooks.replay``) the GETs' answers are kept, and a resumed step's are replayed:
        # only then may a wait for the budget defer (the step asks nothing twice when it runs again).
        self.replay: Replay | None = None

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

    def can_defer(self) -> bool:
        return self.replay is not None and super().can_defer()

    def _configure(self, session: requests.Session) -> None:
        conn = self.get_connection(self.conn_id)
        if not conn.login or not conn.password:
            raise LightspeedAuthError(
                f"Connection '{self.conn_id}' needs the API key as login and the API secret as password."
            )
        session.auth = HTTPBasicAuth(conn.login, conn.password)
        session.headers["Accept"] = "application/json"
        session.headers["User-Agent"] = "lightspeed-afas (Airflow)"

    def url(self, path: str, lang: str | None = None) -> str:
        self.session  # noqa: B018 - initialises base_url from the connection
        return f"{self.base_url.rstrip('/')}/{lang or self.language}/{path.lstrip('/')}.json"

    # -- the API ----------------------------------------------------------------------------------

    def format_filter_time(self, moment: datetime) -> str:
        """An aware datetime as the naive ``YYYY-MM-DD HH:MM:SS`` the filters take, in the shop's zone."""
        if moment.tzinfo is None:
            raise ValueError("filter times must be timezone-aware")
        return moment.astimezone(self.filter_timezone).strftime(FILTER_FORMAT)

    def window_params(self, updated_min: datetime, updated_max: datetime) -> Params:
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
        yield from order_pages(
            lambda params: self.get_json("orders", params, endpoint="orders"),
            self.window_params(updated_min, frozen_max),
            page_size,
            MAX_ORDER_PAGES,
            self.conn_id,
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
        return too_large(method, endpoint, self.conn_id, exc)

    # -- one call, with pacing and the retry policy -----------------------------------------------

    def get_json(self, path: str, params: Params | None = None, *, endpoint: str) -> dict[str, Any]:
        """GET ``/{lang}/{path}.json``: paced, retried by error class, the body parsed."""
        return self.call_json("GET", path, params, endpoint=endpoint)

    def call_json(
        self,
        method: str,
        path: str,
        params: Params | None = None,
        json_body: Any = None,
        *,
        endpoint: str,
        lang: str | None = None,
        once: bool = False,
    ) -> dict[str, Any]:
        """One call to ``/{lang}/{path}.json``: paced, retried by error class, the body parsed.

        Idempotent calls (GETs, and PUTs that set absolute values) are simply sent again after a lost
        answer. ``once`` (a POST that creates): no answer or a 5xx raises ``LightspeedUnavailableError``
        at once — it may have been applied, so the caller looks before it sends it again (a 429 is
        retried: it was not applied). ``lang``: another shop language than the connection's."""
        url = self.url(path, lang)
        replay = self.replay if method == "GET" else None
        key = request_key(method, url, params) if replay is not None else ""
        if replay is not None and (kept := replay.next(key)) is not None:  # an earlier attempt had it
            return success_body(Answer(200, "OK", url, CaseInsensitiveDict(), kept), f"{method} {endpoint}")
        tries = _Tries(server_errors=self.server_error_attempts - 1 if once else 0)
        while True:
            self.pacer.before_call()
            try:
                answer = self._send(method, url, endpoint, params=params, json_body=json_body)
            except requests.RequestException as exc:
                self._retry_server_error(
                    tries,
                    lambda n, exc=exc: LightspeedUnavailableError(
                        self.redact(f"Lightspeed did not answer {method} {endpoint} after {n} tries: {exc}")
                    ),
                    "connection",
                    "connection error",
                )
                continue
            self.pacer.saw(answer.headers)
            if answer.status < 300:
                body = success_body(answer, f"{method} {endpoint}")
                if replay is not None:
                    replay.keep(key, answer.body)
                return body
            self._after_failure(answer, method, path, endpoint, tries)

    def _after_failure(self, answer: Answer, method: str, path: str, endpoint: str, tries: _Tries) -> None:
        """Wait before the next try of a failed call, or raise the error that ends it."""
        status = answer.status
        message = error_message(answer, self.redact)
        if status == 429:
            tries.rate_limited += 1
            retry_after = retry_after_seconds(answer.headers.get("Retry-After"))
            self.pacer.after_429(retry_after, tries.rate_limited, self.rate_limit_attempts)
            return
        raise_for_refusal(status, message, f"{method} {endpoint}", self.conn_id, self.language)
        if status == 404:
            tries.not_found += 1
            if method == "GET" and path.startswith("orders/") and tries.not_found < self.not_found_attempts:
                # The API is known to answer 404 for existing orders now and then.
                self.stats.record_retry(self.api_name, "transient 404")
                self.wait(backoff_delay(tries.not_found, 0.5, 4.0, self._rng), "404 on an order endpoint")
                return
            raise LightspeedNotFoundError(f"Lightspeed has no {endpoint} at {path} (404: {message}).", status)
        self._retry_server_error(
            tries,
            lambda n: LightspeedUnavailableError(
                f"Lightspeed kept failing {method} {endpoint} ({status}: {message}) after {n} tries.", status
            ),
            str(status),
            f"HTTP {status}",
        )

    def _retry_server_error(
        self, tries: _Tries, give_up: Callable[[int], LightspeedError], counter: str, reason: str
    ) -> None:
        """Count a failure of the server or the network; wait before the next try, or ``give_up``."""
        tries.server_errors += 1
        if tries.server_errors >= self.server_error_attempts:
            raise give_up(tries.server_errors) from None
        self.stats.record_retry(self.api_name, counter)
        self.wait(backoff_delay(tries.server_errors, 1.0, 30.0, self._rng), reason)
