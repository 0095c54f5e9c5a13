"""Paging through Lightspeed's orders: page after page until a short one, guarded against a pager that
does not advance (more orders than asked, or the previous page again) and capped at a page count.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from lightspeed_afas.hooks.errors import LightspeedBadResponseError
from lightspeed_afas.hooks.http import Params

# ``LightspeedEcomHook.get_json`` bound to the orders endpoint: params -> the answer's JSON object.
GetOrders = Callable[[Params], dict[str, Any]]


def order_pages(
    get_orders: GetOrders,
    params: Params,
    page_size: int,
    max_pages: int,
    conn_id: str,
    root: str = "orders",
    advice: str = "Load a window that large in shorter pieces (trigger the DAG with since/until).",
    first_page: int = 1,
) -> Iterator[list[dict[str, Any]]]:
    """Yield pages of ``root`` (orders, variants) for ``params``, as they arrive, until a short page."""
    previous: list[Any] = []
    for page in range(first_page, first_page + max_pages):
        body = get_orders(params + [("limit", str(page_size)), ("page", str(page))])
        items = body.get(root) or []
        ids = [o.get("id") if isinstance(o, dict) else o for o in items]
        check_page(conn_id, page, len(items), page_size, ids == previous and bool(ids), root)
        yield items
        if len(items) < page_size:
            return
        previous = ids
    raise LightspeedBadResponseError(
        f"Lightspeed GET {root} (connection '{conn_id}') still had full pages after "
        f"{max_pages} pages of {page_size}: stopped. {advice}"
    )


def check_page(
    conn_id: str, page: int, rows: int, page_size: int, repeated: bool, root: str = "orders"
) -> None:
    """Stop on a pager that does not advance: more rows than asked, or the previous page again."""
    if rows > page_size:
        raise LightspeedBadResponseError(
            f"Lightspeed answered GET {root} page {page} (connection '{conn_id}') with {rows} "
            f"{root} where {page_size} were asked: the server ignores 'limit'. Stopped reading."
        )
    if repeated:
        raise LightspeedBadResponseError(
            f"Lightspeed answered GET {root} page {page} (connection '{conn_id}') with the same "
            f"{root} as page {page - 1}: the server ignores 'page'. Stopped reading."
        )
