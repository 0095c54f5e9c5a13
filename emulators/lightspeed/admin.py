"""The emulator's admin API under ``/_admin`` (no auth, JSON in and out; for tests, benchmarks, the demo).

  POST   /_admin/reset         {"seed": "demo", "orders": 60} (both optional) → {"orders": n}
                               Reseed the shop (orders and customers; invoices dropped) and the catalogue (one product
                               with one variant, stock 25, per demo-catalogue product; the gift cards
                               stockTracking "disabled", the workshop "indicator") and restore the
                               configured variant rules, the seeded taxes and the configured shop
                               limits; webhooks dropped, the configured webhook delivery settings
                               and secret restored, pending deliveries and their log dropped;
                               faults, clock and windows stay.
  POST   /_admin/orders        {"orders": [spec, …]} and/or {"generate": n, "span_minutes": 60}
                               → {"orders": [{"id", "number", "updatedAt"}, …]}
         spec (all optional): customer (false = guest; an id, new or existing), email, firstname,
         middlename, lastname, phone, street, number_addr, extension, zipcode, city, country ("nl"),
         company {name, vat, coc} | null, shipping_address false | "billing" | {name, street, number,
         extension, zipcode, city, country, company}, comment, memo, status, paymentStatus,
         shipmentStatus, payment_id, payment_title, payment_fee, shipping (incl. VAT),
         discount {kind: "percentage"|"amount", value, code} | null, lines [{articleCode, sku, ean,
         productTitle, variantTitle, brandTitle, quantityOrdered, basePriceIncl (unit, incl. VAT),
         taxRate (fraction), raw}], number, id, createdAt, updatedAt (ISO with offset), raw {key: value}
         (overrides the rendered JSON verbatim — hostile data). API names work too: addressBilling*
         (Street, Number, Extension, Zipcode, City, Country), companyName, companyVatNumber,
         companyCoCNumber, isCompany, paymentId, paymentTitle, paymentPriceIncl, shipmentPriceIncl,
         discountAmount, discountPercentage, discountCouponCode. Left out: a paid order of one product
         by the first customer of the pool (their details), no costs, created and updated now. A line
         whose articleCode/sku/ean is in the demo catalogue gets that product's title, price and rate.
         "generate" appends n generated orders (same customer pool) created within span_minutes
         before the emulator's now.
  PATCH  /_admin/orders/{id}   a spec as above (lines are replaced as a whole); bumps updatedAt to
                               the emulator's now (at least +1 s) unless "updatedAt" is given
                               → {"id", "updatedAt"}
  DELETE /_admin/orders/{id}   → {"deleted": true|false}; the order endpoints then answer 404
  POST   /_admin/variants      {"variants": [spec, …]} and/or {"generate": n, "per_product": 1,
                               "seed": "bench"} → {"variants": [{"id", "product", "articleCode", "sku",
                               "ean", "stockLevel", "updatedAt"}, …]}
         spec (all optional): product (an existing or new product id; left out: a new product whose
         default variant this is), product_title, title (a string, or {lang: text}), articleCode,
         sku, ean, stockTracking ("enabled"), stockLevel (0), priceExcl, priceIncl, priceCost,
         oldPriceExcl, oldPriceIncl, taxRate (0.21), isDefault, sortOrder, stockAlert, stockMinimum,
         stockBuyMinimum, stockBuyMaximum, weightUnit, volumeUnit, sizeUnit, createdAt, updatedAt,
         raw {key: value} (overrides the rendered JSON verbatim — hostile data). "generate" makes n
         variants, per_product to a new product, codes GEN-000001… (sku the same, a 13-digit ean),
         stock and price from the seed.
  PATCH  /_admin/variants/{id} a spec (no product): a back-office change; a stockLevel change is a
                               "backoffice" movement and bumps updatedAt only per the rule
                               stock_change_bumps_updated_at, other changes bump it → {"id", "updatedAt"}
  DELETE /_admin/variants/{id} → {"deleted": true|false}; the variant endpoints then answer 404
  GET    /_admin/variants      {"variants": [{"id", "product", "articleCode", "sku", "ean",
                               "stockTracking", "stockLevel", "updatedAt", "movements": n}], "products": n}
  GET    /_admin/variants/{id} the same with createdAt, title, isDefault, prices, raw, movementLog
  GET|POST /_admin/variant_rules  {<rule>: value, …} (see ``catalog`` and ``catalog_write``; the
                               customers' and invoices' rules in ``customers`` and ``invoices``;
                               order_decrements merges) → {"rules"}
  POST   /_admin/products      {"products": [spec, …]} → {"products": [{"id", "variants": [ids],
                               "updatedAt"}, …]} (no shop caps, no create rules; specs applied in order)
         spec (all optional): id (a new product id), title, fulltitle, description, content, url (a
         string for every language, or {lang: text} for some), visibility ("visible"), isVisible
         (follows visibility), data01..03, brand, supplier, type (ids or false), createdAt,
         updatedAt, raw {key: value}, variants [variant spec as POST /_admin/variants takes, without
         product; the first isDefault unless said] (left out or []: one default variant "Default")
  GET    /_admin/products      {"products": [{"id", "title", "fulltitle", "description", "content",
                               "url" (each {lang: text}, only the languages set), "visibility",
                               "isVisible", "data01".."data03", "brand", "supplier", "type",
                               "createdAt", "updatedAt", "variants": [ids]}, …]} by id
  POST   /_admin/taxes         {"taxes": [{id?, rate (fraction), title, isDefault}, …]} replaces the
                               table (see ``shop_settings``) → {"taxes": [rendered, …]}
  POST   /_admin/shop_limits   {maxProducts, maxProductsVariants, … any shopLimits field} → {"shopLimits"}
  POST   /_admin/faults        any of {"transient_404": {"count": n, "paths": "orders"|"order"|"any"}},
                               {"status_5xx": {"count": n, "status": 503}}, {"latency_ms": 50},
                               {"put_5xx": {"count": n, "status": 503}}, {"put_429": {"count": n,
                               "retry_after": 1}}, {"drop_after_put": {"count": n}}, {"post_5xx":
                               {"count": n, "status": 503}}, {"drop_after_post": {"count": n}} (see
                               ``faults``),
                               {"rate_limit": {"limits": [300, 3000, 12000]}},
                               {"exhaust": "5min"|"hour"|"day"}, {"retry_after_format": "seconds"|
                               "http-date"}, {"reset_quirk": true}, {"clear": true} (faults off, limits
                               back to the configured ones) → {"faults", "limits"}
  POST   /_admin/clock         {"advance_seconds": n} and/or {"scale": f} → {"now", "scale"}
  GET    /_admin/calls         {"calls": {"GET /{lang}/orders.json": n, …}, "statuses": {"200": n, …,
                               "dropped": n}, "total": n, "rate_limited": n}
  POST   /_admin/calls/reset   → {"ok": true}
  POST   /_admin/customers     a customer spec → 201 {"customer": rendered}: a registered customer
  PUT    /_admin/customers/{id} a spec (no id) → {"customer": rendered}; bumps updatedAt to the
                               emulator's now (at least +1 s) unless "updatedAt" is given
         spec: email (required on create), firstname, middlename, lastname, phone, mobile, gender
         ("male"|"female"|false), birthDate ("YYYY-MM-DD"|false), company {name, coc, vat} | null,
         street, number, extension, zipcode, city, country (""/null: false), isConfirmed (false),
         language, memo, type, id, created_at/createdAt, updatedAt, lastOnlineAt (see ``customers``)
  POST   /_admin/orders/{id}/invoice  {createdAt?, status?} → {"invoice", "created": bool}: the
                               order's invoice (made now if it has none)
  POST   /_admin/orders/{id}/credit   {"credit": {creditPayment, creditShipment, notifyNew,
                               updateStock, orderProducts: [{id, quantity}]}} → {"credit": the credit
                               note}; the public credit POST's checks and effects (see ``invoices``)
  PUT    /_admin/invoices/{id} {status, isVatShifted, doNotifyNew, doNotifyPaid, updatedAt} (all
                               optional) → {"invoice"}; bumps updatedAt unless "updatedAt" is given
  GET|POST /_admin/webhook_delivery, GET /_admin/webhook_deliveries, POST
         /_admin/webhook_deliveries/flush, …/reset   the webhook sender (see ``webhooks``)
  GET    /_admin/state         {"now", "orders": [rendered, lines embedded, by id], "customers",
                               "invoices": [rendered, items embedded, by id],
                               "rate_limits": {key: [{limit, used, reset_in_s}] ×3}, "faults"}
Bad admin input answers 400 ``{"error": "…"}``; an unknown order, variant, customer or invoice id 404.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from emulators.lightspeed import invoices, serialize
from emulators.lightspeed.admin_body import admin_input, read_json
from emulators.lightspeed.emulator import LightspeedEmulator, base_url
from emulators.lightspeed.store import AdminError


def summary(order: dict[str, Any]) -> dict[str, Any]:
    return {"id": order["id"], "number": order["number"], "updatedAt": serialize.stamp(order["updated"])}


def admin_routes(app: FastAPI) -> None:
    def emu() -> LightspeedEmulator:
        return app.state.emulator

    @app.exception_handler(AdminError)
    async def admin_error(request: Request, exc: AdminError) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=400)

    @app.post("/_admin/reset")
    async def reset(request: Request) -> Any:
        body = await read_json(request)
        emulator = emu()
        await asyncio.to_thread(emulator.reset_webhook_delivery)  # joins the sender: not on the loop
        emulator.shop.reseed(
            str(body.get("seed", emulator.config.seed)), int(body.get("orders", emulator.config.orders))
        )
        emulator.reset_catalog()
        return {"orders": len(emulator.shop.orders)}

    @app.post("/_admin/orders")
    async def add_orders(request: Request) -> Any:
        body = await read_json(request)
        emulator = emu()
        created = []
        if body.get("generate"):
            span = timedelta(minutes=float(body.get("span_minutes", 60)))
            created += emulator.shop.generate(int(body["generate"]), emulator.clock.now(), span)
        for spec in body.get("orders", []):
            with admin_input("orders"):
                created.append(emulator.shop.add_order(spec, emulator.clock.now()))
        return {"orders": [summary(o) for o in created]}

    @app.patch("/_admin/orders/{order_id}")
    async def patch_order(order_id: int, request: Request) -> Any:
        body = await read_json(request)
        emulator = emu()
        with emulator.shop.lock:
            order = emulator.shop.orders.get(order_id)
            if order is None:
                return JSONResponse({"error": f"no order {order_id}"}, status_code=404)
            with admin_input("patch"):
                emulator.shop.apply_changes(order, body, emulator.clock.now(), bump=True)
            return {"id": order_id, "updatedAt": serialize.stamp(order["updated"])}

    @app.delete("/_admin/orders/{order_id}")
    def delete_order(order_id: int) -> Any:
        return {"deleted": emu().shop.delete_order(order_id)}

    @app.post("/_admin/faults")
    async def faults(request: Request) -> Any:
        body = await read_json(request)
        emulator = emu()
        with emulator.lock:
            with admin_input("faults"):
                emulator.faults.configure(body)
            if body.get("clear"):
                emulator.limiter.set_limits(emulator.config.rate_limits)
                emulator.limiter.reset_quirk = emulator.config.reset_quirk
            if "rate_limit" in body:
                limits = tuple(int(x) for x in body["rate_limit"]["limits"])
                if len(limits) != 3:
                    raise AdminError("rate_limit.limits: three budgets (5 minutes, hour, day)")
                emulator.limiter.set_limits(limits)  # type: ignore[arg-type]
            if "retry_after_format" in body:
                if body["retry_after_format"] not in ("seconds", "http-date"):
                    raise AdminError("retry_after_format: 'seconds' or 'http-date'")
                emulator.config.retry_after_format = body["retry_after_format"]
            if "reset_quirk" in body:
                emulator.limiter.reset_quirk = bool(body["reset_quirk"])
        if "exhaust" in body:
            if body["exhaust"] not in ("5min", "hour", "day"):
                raise AdminError("exhaust: '5min', 'hour' or 'day'")
            emulator.limiter.exhaust(emulator.config.api_key, body["exhaust"])
        return {"faults": emulator.faults.as_dict(), "limits": list(emulator.limiter.limits)}

    @app.post("/_admin/clock")
    async def clock(request: Request) -> Any:
        body = await read_json(request)
        clock = emu().clock
        if "advance_seconds" in body:
            clock.advance(float(body["advance_seconds"]))
        if "scale" in body:
            if float(body["scale"]) <= 0:
                raise AdminError("scale must be positive")
            clock.set_scale(float(body["scale"]))
        return {"now": serialize.stamp(clock.now()), "scale": clock.scale}

    @app.get("/_admin/calls")
    def calls() -> Any:
        emulator = emu()
        with emulator.lock:
            return {
                "calls": dict(emulator.calls),
                "statuses": dict(emulator.statuses),
                "total": sum(emulator.calls.values()),
                "rate_limited": emulator.statuses.get("429", 0),
            }

    @app.post("/_admin/calls/reset")
    def reset_calls() -> Any:
        with emu().lock:
            emu().calls.clear()
            emu().statuses.clear()
        return {"ok": True}

    @app.get("/_admin/state")
    def state(request: Request) -> Any:

        emulator = emu()
        base, semantics = base_url(request), emulator.config.line_price_semantics
        lang = emulator.config.languages[0]
        with emulator.shop.lock:
            orders = [
                serialize.render_order(o, base, lang, True, semantics)
                for o in sorted(emulator.shop.orders.values(), key=lambda o: o["id"])
            ]
            customers = [
                serialize.render_customer(c, base, lang)
                for c in sorted(emulator.shop.customers.values(), key=lambda c: c.id)
            ]
        return {
            "now": serialize.stamp(emulator.clock.now()),
            "orders": orders,
            "customers": customers,
            "invoices": invoices.render_all(emulator, base, lang),
            "rate_limits": emulator.limiter.snapshot(),
            "faults": emulator.faults.as_dict(),
        }
