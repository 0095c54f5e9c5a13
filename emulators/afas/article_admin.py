"""The articles' admin routes (listed in ``admin``; what the data means: ``articles``, ``article_writes``,
``article_tables``).
Bad input → 400 ``{"error": "…"}``, nothing written."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request

from emulators.afas import article_tables, article_writes
from emulators.afas.admin import _bad, _body

if TYPE_CHECKING:
    from emulators.afas.emulator import AfasEmulator
    from emulators.afas.state import AfasState


def _route(
    emu: Callable[[], AfasEmulator], what: str, action: Callable[[AfasState, dict[str, Any]], Any]
) -> Callable[[Request], Any]:
    async def handle(request: Request) -> Any:
        e = emu()
        try:
            body = await _body(request)
            with e.lock:
                return action(e.state, body)
        except (ValueError, TypeError) as error:
            return _bad(f"invalid {what}: {error}")

    return handle


def install_article_admin(app: FastAPI) -> None:
    def emu() -> AfasEmulator:
        return app.state.emulator

    app.post("/_admin/articles")(_route(emu, "articles", article_writes.admin_upsert))
    app.post("/_admin/barcodes")(_route(emu, "barcodes", article_tables.admin_barcodes))
    app.post("/_admin/prices")(_route(emu, "prices", article_tables.admin_prices))
    rules = _route(emu, "article rules", lambda state, body: {"rules": article_writes.set_rules(state, body)})
    app.post("/_admin/article_rules")(rules)

    @app.get("/_admin/articles")
    def article_view() -> Any:
        with emu().lock:
            return article_writes.admin_view(emu().state)

    @app.delete("/_admin/articles/{code}")
    def article_delete(code: str) -> Any:
        with emu().lock:
            return {"deleted": article_writes.admin_delete(emu().state, code)}
