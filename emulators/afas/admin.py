"""The emulator's admin API under ``/_admin`` (JSON, no auth; not part of AFAS):

  POST /_admin/reset               {"keep_catalogue": false}?   fresh state, faults and counters; the
                                   configured stock and article rules, the seeded stock, the articles of
                                   the catalogue again
  GET  /_admin/state               contacts (persons/organisations), debtors, orders (with lines and GUIDs),
                                   invoices (direct invoices), catalogue, errors, time, credit_rules; each
                                   order/invoice: connector, OrNu, state, status, invoice_number, fields,
                                   lines (booked: a credit's QuUn negative), totals, credit (bool: has a
                                   credit line, see ``credits``), rounding, created, modified
  GET  /_admin/calls               {"calls": {"GET /connectors/Profit_Debtor": n, "status 200": n, …},
                                    "by_status": {"GET /connectors/Profit_Debtor 200": n, …},
                                    "integration_ids": {"12345_678900": n, "(none)": n},
                                    "connection_close": n, "violations": {"connection_close": n,
                                    "missing_integration_id": n}, "max_in_flight": n, "in_flight": n,
                                    "unavailable": n (503s), "refused_in_flight": n, "dropped": n,
                                    "hung": n, "total": n}
  POST /_admin/calls/reset
  POST /_admin/faults              any of {"unavailable": {"count": n} | {"seconds": t}, +"retry_after": s?},
                                   {"drop_after_commit": {"count": n, "connector"?: c, "verb"?: v}},
                                   {"hang_after_commit": {"count": n, "seconds": s, "connector"?, "verb"?}},
                                   {"latency_ms": ms}, {"clear": true}           → the current faults
  PUT  /_admin/catalogue           {"replace"?: false, <section>: …} sections as in GET state's
                                   "catalogue": administrations {"1": "Demo BV"}, journals {"1": {"VK":
                                   {"description", "type"}}}, projects [..], warehouses [..], vat_codes
                                   {"1": "0.21"}, items {"ART-1001": {"type": "2", "units": ["STK"],
                                   "price"?: "8.21", "vat_code"?: "2"}}, currencies, payment_conditions,
                                   payment_types, countries [AFAS codes], default_warehouse "HOOFD"
                                                                               → the catalogue
  POST /_admin/orders/{OrNu}/state {"state": "open" | "delivered" | "invoiced"}
  POST /_admin/debtors             {"debtors": [{"debtor_id"?, "bcco"?, "kind"?: "person"|"organisation",
                                   "name"?, "email"?, "search_name"?, "currency"?, "payment_condition"?,
                                   "created"? (ISO)}]}                → {"debtors": [{"DbId", "BcCo"}]}
  POST /_admin/contacts            {"contacts": [{"bcco"?, "kind"?, "name"?, "email"?, "fields"?: {…},
                                   "address"?: {…}}]} (persons/organisations without a debtor, e.g. for
                                   MatchPer 0)                        → {"contacts": [BcCo, …]}
  GET  /_admin/errors              {"errors": [{"profitLogReference", "errorNumber", "externalMessage",
                                   "status", "method", "path", "connector", "integrationId", "at"}]}
  POST /_admin/clock               {"advance_seconds": s}              → {"now": ISO, "seconds": s}
  POST /_admin/stock               {"rows": [{"item", "warehouse"? (default warehouse), "physical"?,
                                   "reserved"?, "on_order"? (numbers or numeric strings, decimals too),
                                   "raw"?: {field id: value}}]} and/or {"generate": n, "seed"?: s,
                                   "warehouses"?: [..]} (items GEN-000001 … GEN-<n>, quantities from the
                                   seed) — upserts, all checked first     → {"rows": rows written}
  GET  /_admin/stock               {"items": {code: {warehouse: {physical, reserved, on_order, free,
                                   economic}}}, "rules": {…}}
  DELETE /_admin/stock/{item}      every warehouse's stock of the item  → {"deleted": bool}
  POST /_admin/stock_rules         {rule: value, …} (see ``stock``)      → {"rules": {…}}
  POST /_admin/articles            {"articles": [{"code", "description"?, "extra_description"?, "unit"?,
                                   "group"?, "blocked"?, "barcode"?, "vat_group"? HOOG|LAAG|GEEN, "stock"?,
                                   "price"? (excl. VAT), "price_group"?, "dim1"?, "dim2"?, "created"?,
                                   "modified"? (ISO), "raw"?: {field id: value}}]} and/or {"generate": n,
                                   "seed"?: s} (GEN-000001 …) — upserts (a change moves ModifiedDate as the
                                   article rules say), all checked first → {"articles": n, "modified": n}
  GET  /_admin/articles            {"articles": [..], "barcodes": [..], "prices": [..], "rules": {…}}
  DELETE /_admin/articles/{code}   a hard delete (with its barcodes and prices) → {"deleted": bool}
  POST /_admin/barcodes            {"rows": [{"item", "barcode", "type"?, "dim1"?, "dim2"?, "raw"?,
                                   "delete"?}]}                       → {"rows": n}
  POST /_admin/prices              {"rows": [{"item", "price", "debtor"?, "date"?, "quantity"?, "discount"?,
                                   "delete"?}]}                       → {"rows": n}
  POST /_admin/article_rules       {rule: value, …} (see ``articles``)   → {"rules": {…}}
  POST /_admin/credit_rules        {rule: value, …} (see ``credits``: credit_marking, credit_unit_price,
                                   mixed_lines, credit_stock, negative_rounding) → {"rules": {…}}; they
                                   apply to writes from then on (a reset restores the configured ones)
  GET  /_admin/credit_rules        → {"rules": {…}}

Bad admin input → 400 ``{"error": "…"}``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from emulators.afas import credits, stock
from emulators.afas.seed import add_contact, add_debtor
from emulators.afas.state import STATUS_TEXT, SalesOrder

if TYPE_CHECKING:
    from emulators.afas.emulator import AfasEmulator


def jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    return value


def _order(emu: AfasEmulator, order: SalesOrder) -> dict[str, Any]:
    return {
        "connector": order.connector,
        "OrNu": order.number,
        "state": order.state,
        "status": STATUS_TEXT[order.state],
        "invoice_number": order.invoice_number,
        "fields": jsonable(order.fields),
        "lines": [{"GuLi": ln.guid, "seq": ln.seq, **jsonable(ln.fields)} for ln in order.lines],
        "totals": jsonable(order.totals(emu.state.catalogue)),
        "credit": credits.is_credit(emu.state.credits, order),
        "rounding": order.rounding,
        "created": order.created.isoformat(),
        "modified": order.modified.isoformat(),
    }


def _bad(message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=400)


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    body = json.loads(raw) if raw.strip() else {}
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object")
    return body


def install_admin(app: FastAPI) -> None:
    def emu() -> AfasEmulator:
        return app.state.emulator

    @app.post("/_admin/reset")
    async def reset(request: Request) -> Any:
        try:
            body = await _body(request)
        except ValueError as error:
            return _bad(str(error))
        e = emu()
        with e.lock:
            e.reset(keep_catalogue=bool(body.get("keep_catalogue")))  # also the configured credit rules
            stock.configure(e.state, e.config)
        return {"ok": True}

    @app.get("/_admin/state")
    def state() -> Any:
        e = emu()
        with e.lock:
            s = e.state
            return {
                "time": s.now().isoformat(),
                "contacts": [
                    jsonable(
                        {
                            **asdict(c),
                            "fields": jsonable(c.fields),
                            "created": c.created.isoformat(),
                            "modified": c.modified.isoformat(),
                        }
                    )
                    for c in s.contacts.values()
                ],
                "debtors": [
                    jsonable(
                        {
                            **asdict(d),
                            "fields": jsonable(d.fields),
                            "created": d.created.isoformat(),
                            "modified": d.modified.isoformat(),
                        }
                    )
                    for d in s.debtors.values()
                ],
                "orders": [_order(e, o) for o in s.orders.values() if o.connector == "FbSales"],
                "invoices": [_order(e, o) for o in s.orders.values() if o.connector == "FbDirectInvoice"],
                "catalogue": s.catalogue.as_dict(),
                "errors": list(s.errors),
                "credit_rules": s.credits.as_dict(),
            }

    @app.get("/_admin/calls")
    def calls() -> Any:
        return emu().calls_summary()

    @app.post("/_admin/calls/reset")
    def reset_calls() -> Any:
        emu().reset_calls()
        return {"ok": True}

    @app.post("/_admin/faults")
    async def faults(request: Request) -> Any:
        e = emu()
        try:
            body = await _body(request)
            with e.lock:
                e.faults.configure(body, e.clock.seconds())
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            return _bad(f"invalid faults: {error}")
        return {"faults": e.faults.as_dict()}

    @app.put("/_admin/catalogue")
    async def catalogue(request: Request) -> Any:
        e = emu()
        try:
            body = await _body(request)
            replace = bool(body.pop("replace", False))
            with e.lock:
                updated = e.state.catalogue.copy()
                updated.apply(body, replace=replace)
                e.state.catalogue = updated
                return updated.as_dict()
        except (ValueError, TypeError, AttributeError, ArithmeticError) as error:
            return _bad(f"invalid catalogue: {error}")

    @app.post("/_admin/orders/{number}/state")
    async def order_state(number: str, request: Request) -> Any:
        e = emu()
        try:
            body = await _body(request)
        except ValueError as error:
            return _bad(str(error))
        if body.get("state") not in STATUS_TEXT:
            return _bad(f"state must be one of {sorted(STATUS_TEXT)}")
        with e.lock:
            order = e.state.orders.get(number)
            if order is None:
                return JSONResponse({"error": f"no order {number}"}, status_code=404)
            order.state = body["state"]
            order.modified = e.state.now()
            credits.sync_stock(e.state, order, number)
            return {"OrNu": number, "state": order.state, "status": STATUS_TEXT[order.state]}

    @app.post("/_admin/debtors")
    async def debtors(request: Request) -> Any:
        e = emu()
        try:
            body = await _body(request)
            with e.lock:
                created = [add_debtor(e.state, spec) for spec in body.get("debtors", [])]
        except (ValueError, TypeError, AttributeError) as error:
            return _bad(f"invalid debtors: {error}")
        return {"debtors": [{"DbId": d.debtor_id, "BcCo": d.bcco} for d in created]}

    @app.post("/_admin/contacts")
    async def contacts(request: Request) -> Any:
        e = emu()
        try:
            body = await _body(request)
            with e.lock:
                created = [add_contact(e.state, spec) for spec in body.get("contacts", [])]
        except (ValueError, TypeError, AttributeError) as error:
            return _bad(f"invalid contacts: {error}")
        return {"contacts": [c.bcco for c in created]}

    @app.get("/_admin/errors")
    def errors() -> Any:
        with emu().lock:
            return {"errors": list(emu().state.errors)}

    @app.post("/_admin/clock")
    async def clock(request: Request) -> Any:
        e = emu()
        try:
            body = await _body(request)
            e.clock.advance(float(body.get("advance_seconds", 0)))
        except (ValueError, TypeError) as error:
            return _bad(f"invalid clock request: {error}")
        return {"now": e.state.now().isoformat(), "seconds": e.clock.seconds()}

    install_stock_admin(app, emu)
    install_credit_admin(app, emu)


def install_stock_admin(app: FastAPI, emu: Callable[[], AfasEmulator]) -> None:
    @app.post("/_admin/stock")
    async def stock_rows(request: Request) -> Any:
        e = emu()
        try:
            body = await _body(request)
            with e.lock:
                return {"rows": stock.admin_upsert(e.state, body)}
        except (ValueError, TypeError) as error:
            return _bad(f"invalid stock: {error}")

    @app.get("/_admin/stock")
    def stock_view() -> Any:
        with emu().lock:
            return stock.admin_view(emu().state)

    @app.delete("/_admin/stock/{item}")
    def stock_delete(item: str) -> Any:
        with emu().lock:
            return {"deleted": stock.admin_delete(emu().state, item)}

    @app.post("/_admin/stock_rules")
    async def stock_rules(request: Request) -> Any:
        e = emu()
        try:
            body = await _body(request)
            with e.lock:
                return {"rules": stock.set_rules(e.state, body, e.config.direct_invoice_connector)}
        except (ValueError, TypeError) as error:
            return _bad(f"invalid stock rules: {error}")


def install_credit_admin(app: FastAPI, emu: Callable[[], AfasEmulator]) -> None:
    @app.post("/_admin/credit_rules")
    async def credit_rules(request: Request) -> Any:
        e = emu()
        try:
            body = await _body(request)
            with e.lock:
                return {"rules": credits.set_rules(e.state, body)}
        except (ValueError, TypeError) as error:
            return _bad(f"invalid credit rules: {error}")

    @app.get("/_admin/credit_rules")
    def credit_rules_view() -> Any:
        with emu().lock:
            return {"rules": emu().state.credits.as_dict()}
