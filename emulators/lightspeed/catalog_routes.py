"""The catalogue's routes: the public variant and product endpoints and their admin API.

Public (the order routes' auth, rate limits, language and faults; state in ``catalog``, shapes in
``catalog_render``, the PUT's checks in ``catalog_put``):
  GET /{lang}/variants.json          page, limit (≤ 250), product, updated_at_min/max,
                                     created_at_min/max, fields (+ articleCode/ean/sku per
                                     ``variant_code_filters``) → {"variants": […]}, newest id first
  GET /{lang}/variants/count.json    the same filters → {"count": n}
  GET /{lang}/variants/{id}.json     {"variant": …}; unknown: 404 "Variant not found"
  PUT /{lang}/variants/{id}.json     {"variant": {…}} → 200 {"variant": …}
  PUT /{lang}/variants/bulk.json     404 (``variants_bulk`` "absent")
The product routes and the variant POST/DELETE are in ``catalog_products``; the admin routes are
listed in ``admin``.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from emulators.lightspeed.admin import admin_input, read_json
from emulators.lightspeed.catalog import CODE_FIELDS
from emulators.lightspeed.catalog_admin import product_admin_routes
from emulators.lightspeed.catalog_products import product_routes, write_routes
from emulators.lightspeed.catalog_put import apply_put, checked_changes, parse_body
from emulators.lightspeed.catalog_render import render_variant, summary, view
from emulators.lightspeed.catalog_write import resolve_tax
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
from emulators.lightspeed.settings_routes import settings_admin_routes, settings_routes
from emulators.lightspeed.store import AdminError


def filtered_variants(emu: LightspeedEmulator, request: Request) -> list[dict[str, Any]]:
    bounds = time_bounds(request, emu)
    product = request.query_params.get("product")
    if product is not None and not product.isdigit():
        raise ApiError(400, f"Invalid value for product: expected a product id, got {product!r}")
    codes = []
    for name in CODE_FIELDS:
        if name in request.query_params and emu.catalog.rules.variant_code_filters == "refuse":
            raise ApiError(400, f"Unknown filter: {name}")
        if name in request.query_params and emu.catalog.rules.variant_code_filters == "apply":
            codes.append((name, request.query_params[name]))
    with emu.catalog.lock:
        variants = sorted(emu.catalog.variants.values(), key=lambda v: v["id"], reverse=True)
    return [
        v
        for v in variants
        if not outside(v, bounds)
        and (product is None or v["product"] == int(product))
        and all(v[name] == code for name, code in codes)
    ]


def catalog_routes(app: FastAPI) -> None:
    """The public variant and product routes, and the shop settings' (``settings_routes``)."""
    variant_routes(app)
    write_routes(app)
    product_routes(app)
    settings_routes(app)


def variant_routes(app: FastAPI) -> None:
    def emu() -> LightspeedEmulator:
        return app.state.emulator

    def variant_or_404(variant_id: str) -> dict[str, Any]:
        variant = emu().catalog.variants.get(int(variant_id)) if variant_id.isdigit() else None
        if variant is None:
            raise ApiError(404, "Variant not found")
        return variant

    @app.get("/{lang}/variants.json")
    def list_variants(lang: str, request: Request) -> Any:
        start, stop = page_window(request)
        catalog, fields = emu().catalog, requested_fields(request)
        chosen = filtered_variants(emu(), request)[start:stop]
        with catalog.lock:
            rendered = [render_variant(catalog, v, base_url(request), lang) for v in chosen]
        return JSONResponse({"variants": [only_fields(v, fields) for v in rendered]})

    @app.get("/{lang}/variants/count.json")
    def count_variants(lang: str, request: Request) -> Any:
        return {"count": len(filtered_variants(emu(), request))}

    @app.put("/{lang}/variants/bulk.json")
    def bulk_variants(lang: str) -> Any:
        raise ApiError(404, "Resource not found")  # variants_bulk "absent": the only value there is

    @app.get("/{lang}/variants/{variant_id}.json")
    def get_variant(lang: str, variant_id: str, request: Request) -> Any:
        catalog = emu().catalog
        with catalog.lock:
            body = render_variant(catalog, variant_or_404(variant_id), base_url(request), lang)
        return JSONResponse({"variant": only_fields(body, requested_fields(request))})

    @app.put("/{lang}/variants/{variant_id}.json")
    async def put_variant(lang: str, variant_id: str, request: Request) -> Any:
        raw, catalog = await request.body(), emu().catalog
        with catalog.lock:
            variant = variant_or_404(variant_id)
            changes = checked_changes(parse_body(raw), catalog.rules)
            resolve_tax(emu(), changes)
            apply_put(catalog, variant, changes, lang)
            body = {"variant": render_variant(catalog, variant, base_url(request), lang)}
        with emu().lock:
            request.state.drop_connection = emu().faults.take_drop()
        return JSONResponse(body)


def catalog_admin_routes(app: FastAPI) -> None:
    def emu() -> LightspeedEmulator:
        return app.state.emulator

    def missing(variant_id: int) -> JSONResponse:
        return JSONResponse({"error": f"no variant {variant_id}"}, status_code=404)

    @app.post("/_admin/variants")
    async def add_variants(request: Request) -> Any:
        body, catalog = await read_json(request), emu().catalog
        unknown = set(body) - {"variants", "generate", "per_product", "seed"}
        if unknown:
            raise AdminError(f"unknown keys: {sorted(unknown)}")
        created = []
        with admin_input("variants"):
            if body.get("generate"):
                count, per_product = int(body["generate"]), int(body.get("per_product", 1))
                created += catalog.generate(count, per_product, str(body.get("seed", "bench")))
            for spec in body.get("variants", []):
                created.append(catalog.add(spec))
        return JSONResponse({"variants": [summary(v) for v in created]})

    @app.get("/_admin/variants")
    def list_admin_variants() -> Any:
        catalog = emu().catalog
        with catalog.lock:
            variants = [view(catalog.variants[vid]) for vid in sorted(catalog.variants)]
            return JSONResponse({"variants": variants, "products": len(catalog.products)})

    @app.get("/_admin/variants/{variant_id}")
    def get_admin_variant(variant_id: int) -> Any:
        catalog = emu().catalog
        with catalog.lock:
            variant = catalog.variants.get(variant_id)
            return missing(variant_id) if variant is None else view(variant, detail=True)

    @app.patch("/_admin/variants/{variant_id}")
    async def patch_variant(variant_id: int, request: Request) -> Any:
        body, catalog = await read_json(request), emu().catalog
        with catalog.lock:
            variant = catalog.variants.get(variant_id)
            if variant is None:
                return missing(variant_id)
            with admin_input("patch"):
                catalog.patch(variant, body)
            return {"id": variant_id, "updatedAt": view(variant)["updatedAt"]}

    @app.delete("/_admin/variants/{variant_id}")
    def delete_variant(variant_id: int) -> Any:
        return {"deleted": emu().catalog.delete(variant_id)}

    rule_routes(app)
    product_admin_routes(app)
    settings_admin_routes(app)


def rule_routes(app: FastAPI) -> None:
    def emu() -> LightspeedEmulator:
        return app.state.emulator

    @app.get("/_admin/variant_rules")
    def get_rules() -> Any:
        return {"rules": emu().catalog.rules.as_dict()}

    @app.post("/_admin/variant_rules")
    async def set_rules(request: Request) -> Any:
        body, catalog = await read_json(request), emu().catalog
        with catalog.lock:
            try:
                catalog.rules.update(body)
            except ValueError as exc:
                raise AdminError(f"variant_rules: {exc}") from exc
            return {"rules": catalog.rules.as_dict()}
