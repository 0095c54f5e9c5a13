"""Customers and invoices in Lightspeed eCom: what the customers and credit-notes flows read
(reference erp-extras §1.5, §1.6).

- ``customers.json`` takes ``updated_at_min/max`` [V]; ``created_at_*`` is uncertain, so it is never
  relied on: a new customer's ``updatedAt`` is at or after its ``createdAt``, so the updated window
  finds it, and "new only" is decided from ``createdAt`` here.
- ``invoices.json`` filters on ``updated_at_*`` are uncertain [U], and so is the order of its pages. The
  filter is sent; when the shop ignores it (a page holds invoices outside the window), paging stops at
  the first full page whose invoices all predate the window, if pages come newest first, and the rows
  are filtered here either way. A shop that refuses the filter (400) is read without it. ``isCreditNote`` is filtered here, never by the shop.
- The items' root key (``invoiceItems``) is uncertain: the one list in the body is taken, page by page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from lightspeed_afas.hooks.errors import LightspeedBadRequestError, LightspeedBadResponseError
from lightspeed_afas.hooks.http import Params
from lightspeed_afas.hooks.lightspeed_pager import check_page, order_pages

PAGE = 250
MAX_PAGES = 2_000
INVOICE_FIELDS = (
    "id", "createdAt", "updatedAt", "number", "status", "isCreditNote", "priceExcl", "priceIncl",
    "isVatShifted", "invoice", "order", "customer",
)  # fmt: skip


class SalesCalls:
    """Customers and invoices, on top of ``LightspeedEcomHook.call_json`` (a mix-in of the hook)."""

    conn_id: str
    call_json: Callable[..., dict[str, Any]]
    window_params: Callable[[datetime, datetime], Params]

    def iter_customer_pages(
        self, updated_min: datetime, updated_max: datetime
    ) -> Iterator[list[dict[str, Any]]]:
        """Pages of customers changed (or created) in [min, max], until a short page."""
        yield from order_pages(
            lambda p: self.call_json("GET", "customers", p, endpoint="customers"),
            self.window_params(updated_min, updated_max),
            PAGE,
            MAX_PAGES,
            self.conn_id,
            root="customers",
            advice="Load a window that large in shorter pieces (trigger the DAG with since/until).",
        )

    def iter_invoice_pages(
        self, updated_min: datetime, updated_max: datetime
    ) -> Iterator[list[dict[str, Any]]]:
        """Pages of invoices as the shop answers the window filter (it may ignore it, or refuse it: then
        the pages are read without it; see the module)."""
        window = self.window_params(updated_min, updated_max)
        dated = {"filter": True}

        def get(params: Params) -> dict[str, Any]:
            if not dated["filter"]:
                params = [p for p in params if p not in window]
            try:
                return self.call_json("GET", "invoices", params, endpoint="invoices")
            except LightspeedBadRequestError:
                if not dated["filter"]:
                    raise
                dated["filter"] = False  # the shop refuses the date filter: read without it
                return get(params)

        yield from order_pages(
            get,
            window + [("fields", ",".join(INVOICE_FIELDS))],
            PAGE,
            MAX_PAGES,
            self.conn_id,
            root="invoices",
            advice="Load a window that large in shorter pieces (trigger the DAG with since/until).",
        )

    def get_invoice(self, invoice_id: int) -> dict[str, Any]:
        return self.call_json("GET", f"invoices/{int(invoice_id)}", endpoint="invoices/{id}")["invoice"]

    def get_invoice_items(self, invoice_id: int) -> list[dict[str, Any]]:
        """The invoice's lines (root ``invoiceItems``, or whichever one list the shop answers with),
        every page of them."""
        items: list[dict[str, Any]] = []
        for page in range(1, MAX_PAGES + 1):
            body = self.call_json(
                "GET",
                f"invoices/{int(invoice_id)}/items",
                [("limit", str(PAGE)), ("page", str(page))],
                endpoint="invoices/{id}/items",
            )
            lists = [value for value in body.values() if isinstance(value, list)]
            if len(lists) != 1 or not all(isinstance(item, dict) for item in lists[0]):
                raise LightspeedBadResponseError(
                    f"Lightspeed answered GET invoices/{invoice_id}/items (connection '{self.conn_id}') "
                    f"with {sorted(body)} instead of one list of invoice items"
                )
            check_page(
                self.conn_id, page, len(lists[0]), PAGE, bool(items) and lists[0] == items[-PAGE:], "items"
            )
            items += lists[0]
            if len(lists[0]) < PAGE:
                return items
        raise LightspeedBadResponseError(f"invoice {invoice_id} has more than {MAX_PAGES} pages of items")
