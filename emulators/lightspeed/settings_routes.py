"""The routes of the shop's settings (state and values in ``shop_settings``).

Public (the API's auth, rate limits, language and faults):
  GET /{lang}/taxes.json             {"taxes": [{id, isDefault, rate, title}, …]}, by id
  GET /{lang}/taxes/count.json       {"count": n}
  GET /{lang}/taxes/{id}.json        {"tax": …}; unknown: 404 "Tax not found"
  GET /{lang}/shop/limits.json       {"shopLimits": {maxProducts, maxProductsVariants, … every §1.4 field}}
  GET /{lang}/languages.json         {"languages": [{id, isActive, isDefault, code, locale, title}, …]}
Admin: POST /_admin/taxes, POST /_admin/shop_limits (see ``admin``).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request

from emulators.lightspeed.admin import admin_input, read_json
from emulators.lightspeed.emulator import ApiError, LightspeedEmulator
from emulators.lightspeed.shop_settings import render_languages
from emulators.lightspeed.store import AdminError


def settings_routes(app: FastAPI) -> None:
    """The public taxes, shop-limits and languages routes."""

    def emu() -> LightspeedEmulator:
        return app.state.emulator

    @app.get("/{lang}/taxes.json")
    def list_taxes(lang: str) -> Any:
        with emu().catalog.lock:
            return {"taxes": [tax.render() for tax in emu().taxes.listing()]}

    @app.get("/{lang}/taxes/count.json")
    def count_taxes(lang: str) -> Any:
        with emu().catalog.lock:
            return {"count": len(emu().taxes.listing())}

    @app.get("/{lang}/taxes/{tax_id}.json")
    def get_tax(lang: str, tax_id: str) -> Any:
        with emu().catalog.lock:
            tax = emu().taxes.get(int(tax_id)) if tax_id.isdigit() else None
            if tax is None:
                raise ApiError(404, "Tax not found")
            return {"tax": tax.render()}

    @app.get("/{lang}/shop/limits.json")
    def shop_limits(lang: str) -> Any:
        with emu().catalog.lock:
            return {"shopLimits": emu().shop_limits.render()}

    @app.get("/{lang}/languages.json")
    def languages(lang: str) -> Any:
        return {"languages": render_languages(emu().config.languages)}


def settings_admin_routes(app: FastAPI) -> None:
    """``POST /_admin/taxes`` (replace the table) and ``POST /_admin/shop_limits`` (change caps)."""

    def emu() -> LightspeedEmulator:
        return app.state.emulator

    @app.post("/_admin/taxes")
    async def replace_taxes(request: Request) -> Any:
        body = await read_json(request)
        if set(body) != {"taxes"}:
            raise AdminError('taxes: the body is {"taxes": [{id?, rate, title, isDefault}, …]}')
        with emu().catalog.lock, admin_input("taxes"):
            emu().taxes.replace(body["taxes"])
            return {"taxes": [tax.render() for tax in emu().taxes.listing()]}

    @app.post("/_admin/shop_limits")
    async def set_shop_limits(request: Request) -> Any:
        body = await read_json(request)
        with emu().catalog.lock, admin_input("shop_limits"):
            emu().shop_limits.update(body)
            return {"shopLimits": emu().shop_limits.render()}
