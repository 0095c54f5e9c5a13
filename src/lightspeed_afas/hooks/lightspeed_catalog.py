"""The catalogue in Lightspeed eCom: the product and variant pages the articles flow compares AFAS with,
the shop's taxes, and the writes it makes (reference §1.1–1.3).

- PUTs set absolute values, so a PUT whose answer was lost is sent again by ``call_json``.
- ``create_product`` POSTs **once**: a lost answer may mean a product was created, so it raises
  ``LightspeedUnavailableError`` and the caller looks for the product (``products_created_since``)
  before it sends the POST again.
- Texts are per shop language (``lang``); prices, codes and the tax are shared by every language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from lightspeed_afas.hooks.http import Params
from lightspeed_afas.hooks.lightspeed_pager import order_pages

CATALOG_VARIANT_FIELDS = (
    "id", "product", "articleCode", "sku", "ean", "priceExcl", "priceIncl", "tax", "isDefault", "updatedAt",
)  # fmt: skip
PRODUCT_FIELDS = ("id", "title", "description", "visibility", "createdAt", "updatedAt")
MAX_CATALOG_PAGES = 2_000


class CatalogCalls:
    """Products, catalogue variants and taxes, on top of ``LightspeedEcomHook.call_json`` (a mix-in)."""

    conn_id: str
    call_json: Callable[..., dict[str, Any]]
    format_lower_bound: Callable[[datetime, ZoneInfo | None], str]

    def iter_catalog_pages(
        self,
        resource: str,
        updated_min: datetime | None = None,
        zone: ZoneInfo | None = None,
        lang: str | None = None,
        first_page: int = 1,
    ) -> Iterator[list[dict[str, Any]]]:
        """Pages of ``products`` or ``variants`` (every one, or those updated since ``updated_min``)
        with the fields the articles flow compares, until a short page."""
        fields = PRODUCT_FIELDS if resource == "products" else CATALOG_VARIANT_FIELDS
        params: Params = [("fields", ",".join(fields))]
        if updated_min is not None:
            params.append(("updated_at_min", self.format_lower_bound(updated_min, zone)))
        yield from order_pages(
            lambda p: self.call_json("GET", resource, p, endpoint=resource, lang=lang),
            params,
            250,
            MAX_CATALOG_PAGES,
            self.conn_id,
            root=resource,
            advice="The shop has more products than the articles flow reads.",
            first_page=first_page,
        )

    def products_created_since(self, moment: datetime, zone: ZoneInfo | None = None) -> list[dict[str, Any]]:
        """Every product created at ``moment`` or later (however the shop reads the time), all pages:
        where a product whose POST answer was lost is looked for."""
        params: Params = [
            ("fields", ",".join(PRODUCT_FIELDS)),
            ("created_at_min", self.format_lower_bound(moment, zone)),
        ]
        pages = order_pages(
            lambda p: self.call_json("GET", "products", p, endpoint="products"),
            params,
            250,
            MAX_CATALOG_PAGES,
            self.conn_id,
            root="products",
            advice="The shop has more new products than the articles flow reads.",
        )
        return [product for page in pages for product in page]

    def product_variants(self, product_id: int) -> list[dict[str, Any]]:
        params: Params = [("product", str(int(product_id))), ("fields", ",".join(CATALOG_VARIANT_FIELDS))]
        return list(self.call_json("GET", "variants", params, endpoint="variants").get("variants") or [])

    def list_taxes(self) -> list[dict[str, Any]]:
        return list(self.call_json("GET", "taxes", endpoint="taxes").get("taxes") or [])

    def update_variant(
        self, variant_id: int, fields: dict[str, Any], lang: str | None = None
    ) -> dict[str, Any]:
        body = self.call_json(
            "PUT",
            f"variants/{int(variant_id)}",
            json_body={"variant": fields},
            endpoint="variants/{id}",
            lang=lang,
        )
        return body.get("variant") or {}

    def update_product(
        self, product_id: int, fields: dict[str, Any], lang: str | None = None
    ) -> dict[str, Any]:
        body = self.call_json(
            "PUT",
            f"products/{int(product_id)}",
            json_body={"product": fields},
            endpoint="products/{id}",
            lang=lang,
        )
        return body.get("product") or {}

    def create_product(self, fields: dict[str, Any]) -> dict[str, Any]:
        """POST one product (in the connection's language), sent once; see the module's docstring."""
        body = self.call_json(
            "POST", "products", json_body={"product": fields}, endpoint="products", once=True
        )
        return body.get("product") or {}
