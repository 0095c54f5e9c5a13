"""The product routes, the variant POST/DELETE and the products' admin API (checks and rules in
``catalog_write``, shapes in ``catalog_render``).

Public (the API's auth, rate limits, language and faults):
  GET    /{lang}/products.json        page, limit (≤ 250), updated_at_min/max, created_at_min/max,
                                      fields (+ brand, supplier, type, isVisible, title per
                                      ``product_filters``) → {"products": […]}, newest id first
  GET    /{lang}/products/count.json  the same filters → {"count": n}
  GET    /{lang}/products/{id}.json   {"product": …}; unknown: 404 "Product not found"
  POST   /{lang}/products.json        {"product": {…}} → ``create_status`` {"product": …}, with one
                                      default variant (``GET variants.json?product=id``)
  PUT    /{lang}/products/{id}.json   {"product": {…}} → 200 {"product": …}
  DELETE /{lang}/products/{id}.json   → ``delete_status``; ``product_delete``
  POST   /{lang}/variants.json        {"variant": {…, "product": id}} → ``create_status`` {"variant": …}
  DELETE /{lang}/variants/{id}.json   → ``delete_status``; ``last_variant_delete``
A POST the route applied loses its answer under the ``drop_after_post`` fault.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from emulators.lightspeed.catalog import Catalog
from emulators.lightspeed.catalog_put import parse_body
from emulators.lightspeed.catalog_render import render_product, render_variant
from emulators.lightspeed.catalog_write import (
    create_product,
    create_variant,
    delete_product,
    delete_variant,
    update_product,
)
from emulators.lightspeed.emulator import (
    ApiError,
    LightspeedEmulator,
    base_url,
    outside,
    page_window,
    requested_fields,
    time_bounds,
)
from emulators.lightspeed.serialize import only_fields

PRODUCT_FILTERS = ("brand", "supplier", "type", "isVisible", "title")
FLAGS = {"true": True, "1": True, "false": False, "0": False}


def _filter_check(name: str, value: str, catalog: Catalog, lang: str) -> Callable[[dict[str, Any]], bool]:
    if name == "title":
        return lambda p: catalog.text(p["title"], lang) == value
    if name == "isVisible":
        if value not in FLAGS:
            raise ApiError(400, f"Invalid value for isVisible: expected true or false, got {value!r}")
        return lambda p: p["isVisible"] is FLAGS[value]
    if not value.isdigit():
        raise ApiError(400, f"Invalid value for {name}: expected an id, got {value!r}")
    return lambda p: p.get(name, False) == int(value)


def filtered_products(emu: LightspeedEmulator, request: Request, lang: str) -> list[dict[str, Any]]:
    bounds, rule = time_bounds(request, emu), emu.catalog.rules.product_filters
    wanted = [(name, request.query_params[name]) for name in PRODUCT_FILTERS if name in request.query_params]
    if wanted and rule == "refuse":
        raise ApiError(400, f"Unknown filter: {wanted[0][0]}")
    checks = [_filter_check(n, v, emu.catalog, lang) for n, v in wanted] if rule == "apply" else []
    with emu.catalog.lock:
        products = sorted(emu.catalog.products.values(), key=lambda p: p["id"], reverse=True)
        return [p for p in products if not outside(p, bounds) and all(check(p) for check in checks)]


def deleted(status: int) -> Response:
    return Response(status_code=204) if status == 204 else JSONResponse({}, status_code=status)


def product_routes(app: FastAPI) -> None:
    """The public product routes."""

    def emu() -> LightspeedEmulator:
        return app.state.emulator

    def product_or_404(product_id: str) -> dict[str, Any]:
        product = emu().catalog.products.get(int(product_id)) if product_id.isdigit() else None
        if product is None:
            raise ApiError(404, "Product not found")
        return product

    @app.get("/{lang}/products.json")
    def list_products(lang: str, request: Request) -> Any:
        start, stop = page_window(request)
        catalog, fields = emu().catalog, requested_fields(request)
        chosen = filtered_products(emu(), request, lang)[start:stop]
        with catalog.lock:
            rendered = [render_product(catalog, p, base_url(request), lang) for p in chosen]
        return JSONResponse({"products": [only_fields(p, fields) for p in rendered]})

    @app.get("/{lang}/products/count.json")
    def count_products(lang: str, request: Request) -> Any:
        return {"count": len(filtered_products(emu(), request, lang))}

    @app.get("/{lang}/products/{product_id}.json")
    def get_product(lang: str, product_id: str, request: Request) -> Any:
        catalog = emu().catalog
        with catalog.lock:
            body = render_product(catalog, product_or_404(product_id), base_url(request), lang)
        return JSONResponse({"product": only_fields(body, requested_fields(request))})

    @app.put("/{lang}/products/{product_id}.json")
    async def put_product(lang: str, product_id: str, request: Request) -> Any:
        raw, catalog = await request.body(), emu().catalog
        with catalog.lock:
            product = product_or_404(product_id)
            update_product(catalog, product, parse_body(raw, "product"), lang)
            body = {"product": render_product(catalog, product, base_url(request), lang)}
        with emu().lock:
            request.state.drop_connection = emu().faults.take_drop("PUT") and "product"
        return JSONResponse(body)

    @app.delete("/{lang}/products/{product_id}.json")
    def remove_product(lang: str, product_id: str) -> Any:
        catalog = emu().catalog
        with catalog.lock:
            delete_product(catalog, product_or_404(product_id)["id"])
            return deleted(catalog.rules.delete_status)


def write_routes(app: FastAPI) -> None:
    """``POST /{lang}/products.json``, ``POST /{lang}/variants.json``, ``DELETE`` of a variant."""

    def emu() -> LightspeedEmulator:
        return app.state.emulator

    def answer(request: Request, root: str, body: dict[str, Any]) -> JSONResponse:
        with emu().lock:
            request.state.drop_connection = emu().faults.take_drop("POST") and root
        return JSONResponse({root: body}, status_code=emu().catalog.rules.create_status)

    @app.post("/{lang}/products.json")
    async def post_product(lang: str, request: Request) -> Any:
        raw, catalog = await request.body(), emu().catalog
        with catalog.lock:
            product = create_product(emu(), parse_body(raw, "product"), lang)
            body = render_product(catalog, product, base_url(request), lang)
        return answer(request, "product", body)

    @app.post("/{lang}/variants.json")
    async def post_variant(lang: str, request: Request) -> Any:
        raw, catalog = await request.body(), emu().catalog
        with catalog.lock:
            variant = create_variant(emu(), parse_body(raw, "variant"), lang)
            body = render_variant(catalog, variant, base_url(request), lang)
        return answer(request, "variant", body)

    @app.delete("/{lang}/variants/{variant_id}.json")
    def remove_variant(lang: str, variant_id: str) -> Any:
        catalog = emu().catalog
        if not variant_id.isdigit():
            raise ApiError(404, "Variant not found")
        with catalog.lock:
            delete_variant(catalog, int(variant_id))
            return deleted(catalog.rules.delete_status)
