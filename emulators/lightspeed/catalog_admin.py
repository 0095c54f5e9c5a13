"""The products' admin API (for tests; no caps, no create rules): ``POST /_admin/products`` and
``GET /_admin/products`` (described in ``admin``)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request

from emulators.lightspeed.admin import admin_input, read_json
from emulators.lightspeed.catalog import Catalog
from emulators.lightspeed.catalog_write import DATA_FIELDS, PRODUCT_TEXTS, REFERENCES, VISIBILITY
from emulators.lightspeed.emulator import LightspeedEmulator
from emulators.lightspeed.serialize import stamp
from emulators.lightspeed.store import AdminError, parse_moment

PRODUCT_SPEC = {"id", *PRODUCT_TEXTS, "visibility", "isVisible", *DATA_FIELDS, *REFERENCES}
PRODUCT_SPEC |= {"variants", "createdAt", "updatedAt", "raw"}


def _product_fields(product: dict[str, Any], spec: dict[str, Any], catalog: Catalog) -> None:
    for key in ("fulltitle", "description", "content", "url"):
        if key in spec:
            product[key] = catalog.texts(spec[key])
    visibility = spec.get("visibility", "visible")
    if visibility not in VISIBILITY:
        raise AdminError(f"visibility: one of {', '.join(VISIBILITY)}, got {visibility!r}")
    shown = spec.get("isVisible", visibility != "hidden")
    if not isinstance(shown, bool):
        raise AdminError(f"isVisible: true or false, got {shown!r}")
    product.update(visibility=visibility, isVisible=shown)
    for key in DATA_FIELDS:
        product[key] = str(spec.get(key, ""))
    for key in REFERENCES:
        value = spec.get(key, False)
        if value is not False and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise AdminError(f"{key}: an id or false, got {value!r}")
        product[key] = value
    product["raw"] = dict(spec.get("raw", {}))
    for key, name in (("createdAt", "created"), ("updatedAt", "updated")):
        if key in spec:
            product[name] = parse_moment(spec[key], key)


def add_product(catalog: Catalog, spec: dict[str, Any]) -> dict[str, Any]:
    """A product from an admin spec with its variants (none given: one default variant); a bad spec
    leaves nothing behind."""
    if not isinstance(spec, dict) or set(spec) - PRODUCT_SPEC:
        raise AdminError(f"a product spec has keys among {sorted(PRODUCT_SPEC)}, got {spec!r}")
    with catalog.lock:
        wanted = spec.get("id")
        if wanted is not None and int(wanted) in catalog.products:
            raise AdminError(f"product {wanted} exists")
        product = catalog.new_product(wanted, spec.get("title"), catalog.now())
        made: list[int] = []
        try:
            _product_fields(product, spec, catalog)
            variants = spec.get("variants") or [{}]
            for index, vspec in enumerate(variants):
                if not isinstance(vspec, dict) or "product" in vspec:
                    raise AdminError("variants: specs as POST /_admin/variants takes, without product")
                vspec = {"isDefault": index == 0, **vspec, "product": product["id"]}
                made.append(catalog.add(vspec)["id"])
        except (TypeError, ValueError, AttributeError):  # AdminError too
            for vid in made:
                catalog.delete(vid)
            del catalog.products[product["id"]]
            raise
        return {"id": product["id"], "variants": made, "updatedAt": stamp(product["updated"])}


def product_view(product: dict[str, Any], variant_ids: list[int]) -> dict[str, Any]:
    out: dict[str, Any] = {"id": product["id"]}
    out.update({key: dict(product[key]) for key in PRODUCT_TEXTS})
    out.update(visibility=product["visibility"], isVisible=product["isVisible"])
    out.update({key: product.get(key, "") for key in DATA_FIELDS})
    out.update({key: product.get(key, False) for key in REFERENCES})
    out.update(createdAt=stamp(product["created"]), updatedAt=stamp(product["updated"]))
    out["variants"] = variant_ids
    return out


def product_admin_routes(app: FastAPI) -> None:
    def emu() -> LightspeedEmulator:
        return app.state.emulator

    @app.post("/_admin/products")
    async def add_products(request: Request) -> Any:
        body, catalog = await read_json(request), emu().catalog
        if set(body) != {"products"} or not isinstance(body["products"], list):
            raise AdminError('products: the body is {"products": [spec, …]}')
        with admin_input("products"):
            return {"products": [add_product(catalog, spec) for spec in body["products"]]}

    @app.get("/_admin/products")
    def list_admin_products() -> Any:
        catalog = emu().catalog
        with catalog.lock:
            by_product: dict[int, list[int]] = {}
            for vid in sorted(catalog.variants):
                by_product.setdefault(catalog.variants[vid]["product"], []).append(vid)
            products = [
                product_view(catalog.products[pid], by_product.get(pid, []))
                for pid in sorted(catalog.products)
            ]
        return {"products": products}
