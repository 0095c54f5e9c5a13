"""Reading an AFAS GetConnector: paging with skip/take, guarded against a server that does not page.

AFAS does not guarantee an order without ``orderbyfieldids``, so every read is sorted; a page with more
rows than asked, or the previous page again, stops the read with ``AfasBadResponseError`` instead of
reading forever. Look-ups by many values are split in batches whose URL fits AFAS's limit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote

from lightspeed_afas.hooks.afas_filters import (
    MAX_URL_LENGTH,
    Filter,
    filter_params,
    query_string,
    split_to_fit,
)
from lightspeed_afas.hooks.errors import AfasBadResponseError, AfasError
from lightspeed_afas.hooks.http import Params

DEFAULT_TAKE = 1000

# ``AfasProfitHook._call``: (method, path, endpoint, params) -> the answer's JSON object.
Call = Callable[[str, str, str, Params], dict[str, Any]]


def read_rows(
    call: Call,
    connector: str,
    order_by: Sequence[str],
    filters: Filter,
    *,
    take: int,
    max_rows: int | None,
    max_pages: int,
) -> list[dict[str, Any]]:
    """All rows of ``connector`` matching ``filters``, page by page, at most ``max_pages`` pages."""
    if not order_by:
        raise ValueError("get_rows needs order_by: paging without a sort order can skip rows in AFAS")
    fixed = [("orderbyfieldids", ",".join(order_by)), *filter_params(filters)]
    path = f"connectors/{quote(connector, safe='')}"
    rows: list[dict[str, Any]] = []
    previous: list[Any] = []
    skip = 0
    for _ in range(max_pages):
        page_take = take if max_rows is None else min(take, max_rows - len(rows))
        params = [("skip", str(skip)), ("take", str(page_take)), *fixed]
        page = call("GET", path, f"connectors/{connector}", params).get("rows") or []
        check_page(connector, skip, page_take, page, previous)
        rows.extend(page)
        if len(page) < page_take or (max_rows is not None and len(rows) >= max_rows):
            return rows
        previous = page
        skip += page_take
    raise AfasBadResponseError(
        f"AFAS GetConnector {connector} still had full pages after {max_pages} pages of {take} rows: "
        "stopped. Narrow the filter: this connector reads look-ups and short lists only."
    )


def check_page(connector: str, skip: int, take: int, page: list[Any], previous: list[Any]) -> None:
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


def lookup_batches(
    connector_url: str, field: str, values: Sequence[str], order_by: Sequence[str]
) -> list[list[str]]:
    """``values`` in batches whose OR filter on ``field`` keeps the first page's URL within AFAS's limit."""
    fixed = [("skip", "0"), ("take", str(DEFAULT_TAKE)), ("orderbyfieldids", ",".join(order_by))]
    return split_to_fit(connector_url, fixed, field, values)


def url_with_params(url: str, endpoint: str, params: Params | None) -> str:
    """``url?params`` encoded as AFAS reads them; ``AfasError`` when that passes AFAS's URL limit."""
    if params:
        url = f"{url}?{query_string(params)}"
        if len(url) > MAX_URL_LENGTH:
            raise AfasError(
                f"AFAS GET {endpoint}: the URL would be {len(url)} characters, over AFAS's limit of "
                f"{MAX_URL_LENGTH} (AFAS answers 404). Use smaller look-up batches."
            )
    return url
