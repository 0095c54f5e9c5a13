"""The shop's state and how it is rendered the way the real API renders it, quirks included.

Quirks reproduced on purpose: ``false`` for unset strings, objects and dates; ``addressBillingNumber``
always a string; ``priceCost``/``weight`` as strings on every seventh order; ``[]`` for empty
``paymentData``/``shipmentData``/``customFields``; timestamps in Europe/Amsterdam (+01:00 / +02:00 by
date); ``customer: false`` for guest orders; countries as ``{id, code, code3, title}`` with lower-case
ISO codes; tax rates as fractions; money as JSON floats. A test can also inject raw values into a
rendered order (``raw`` in the admin seed) to produce hostile data.
"""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from emulators.lightspeed.demo import COUNTRIES, Customer, cents, excl

SHOP_ZONE = ZoneInfo("Europe/Amsterdam")


def stamp(moment: datetime) -> str:
    return moment.astimezone(SHOP_ZONE).isoformat(timespec="seconds")


def num(value: Decimal) -> float | int:
    """Money as the API sends it: a JSON number."""
    return int(value) if value == value.to_integral_value() and abs(value) < 10**12 else float(value)


def link(base: str, lang: str, url: str, resource_id: Any = False) -> dict[str, Any]:
    return {"resource": {"id": resource_id, "url": url, "link": f"{base}/{lang}/{url}.json"}}


def country(code: str) -> dict[str, Any] | bool:
    if not code:
        return False
    cid, code3, title = COUNTRIES.get(code, (0, code + "x", code.upper()))
    return {"id": cid, "code": code, "code3": code3, "title": title}


@dataclass
class Totals:
    lines: list[dict[str, Decimal]]
    goods_incl: Decimal
    discount_incl: Decimal
    discount_excl: Decimal
    shipping_incl: Decimal
    shipping_excl: Decimal
    payment_incl: Decimal
    payment_excl: Decimal
    vat_by_rate: dict[Decimal, Decimal]

    @property
    def price_incl(self) -> Decimal:
        return self.goods_incl + self.shipping_incl + self.payment_incl - self.discount_incl

    @property
    def price_excl(self) -> Decimal:
        goods_excl = sum((ln["total_excl"] for ln in self.lines), Decimal("0"))
        return goods_excl + self.shipping_excl + self.payment_excl - self.discount_excl


def totals(order: dict[str, Any]) -> Totals:
    lines = []
    by_rate: dict[Decimal, Decimal] = {}
    vat: dict[Decimal, Decimal] = {}
    for line in order["lines"]:
        rate = Decimal(line["taxRate"])
        unit = Decimal(line["basePriceIncl"])
        total = cents(unit * line["quantityOrdered"])
        total_excl = excl(total, rate)
        lines.append({"total_incl": total, "total_excl": total_excl, "unit_excl": excl(unit, rate)})
        by_rate[rate] = by_rate.get(rate, Decimal("0")) + total
        vat[rate] = vat.get(rate, Decimal("0")) + (total - total_excl)
    goods = sum(by_rate.values(), Decimal("0"))
    discount = order["discount"]
    if discount.get("kind") == "percentage":
        discount_incl = cents(goods * Decimal(discount["value"]))
    elif discount.get("kind") == "amount":
        discount_incl = min(Decimal(discount["value"]), goods)
    else:
        discount_incl = Decimal("0")
    discount_excl = Decimal("0")
    if discount_incl and goods:
        for rate, amount in by_rate.items():
            share = cents(discount_incl * amount / goods)
            share_excl = excl(share, rate)
            discount_excl += share_excl
            vat[rate] -= share - share_excl
    high = Decimal("0.21")
    shipping, fee = Decimal(order["shipping"]), Decimal(order["payment_fee"])
    for amount in (shipping, fee):
        if amount:
            vat[high] = vat.get(high, Decimal("0")) + (amount - excl(amount, high))
    return Totals(
        lines, goods, discount_incl, discount_excl, shipping, excl(shipping, high), fee, excl(fee, high), vat
    )


@dataclass
class ShopState:
    """Orders (internal form), customers, and the configuration of the rendering."""

    orders: dict[int, dict[str, Any]] = field(default_factory=dict)
    customers: dict[int, Customer] = field(default_factory=dict)
    line_price_semantics: str = "line_total"
    lock: threading.RLock = field(default_factory=threading.RLock)

    def render_order(self, order: dict[str, Any], base: str, lang: str, embed: bool) -> dict[str, Any]:
        t = totals(order)
        customer: Customer | None = order["customer"]
        company = order.get("company")
        odd = (order["id"] // 7) % 7 == 0  # the string-number quirk, deterministically on some orders
        body: dict[str, Any] = {
            "id": order["id"],
            "createdAt": stamp(order["created"]),
            "updatedAt": stamp(order["updated"]),
            "number": order["number"],
            "status": order["status"],
            "customStatusId": None,
            "channel": "main",
            "remoteIp": "127.0.0.1",
            "userAgent": "Mozilla/5.0",
            "referralId": False,
            "priceCost": str(num(cents(t.goods_incl * Decimal("0.45"))))
            if odd
            else num(cents(t.goods_incl * Decimal("0.45"))),
            "priceExcl": num(t.price_excl),
            "priceIncl": num(t.price_incl),
            "weight": str(len(order["lines"]) * 250) if odd else len(order["lines"]) * 250,
            "volume": 0,
            "colli": 0,
            "gender": False,
            "birthDate": False,
            "nationalId": "",
            "email": order["email"],
            "firstname": order["firstname"],
            "middlename": order["middlename"],
            "lastname": order["lastname"],
            "phone": order["phone"],
            "mobile": "",
            "newsletterSubscribed": False,
            "isCompany": company is not None,
            "companyName": company[0] if company else "",
            "companyCoCNumber": company[2] if company else "",
            "companyVatNumber": company[1] if company else "",
            "addressBillingName": " ".join(
                p for p in (order["firstname"], order["middlename"], order["lastname"]) if p
            ),
            "addressBillingStreet": order["street"],
            "addressBillingStreet2": "",
            "addressBillingNumber": str(order["number_addr"]),
            "addressBillingExtension": order["extension"],
            "addressBillingZipcode": order["zipcode"],
            "addressBillingCity": order["city"],
            "addressBillingRegion": "",
            "addressBillingCountry": country(order["country"]),
            "addressBillingRegionData": False,
            "addressShippingCompany": company[0] if company else False,
            "addressShippingName": " ".join(p for p in (order["firstname"], order["lastname"]) if p),
            "addressShippingStreet": order["street"],
            "addressShippingStreet2": "",
            "addressShippingNumber": str(order["number_addr"]),
            "addressShippingExtension": order["extension"],
            "addressShippingZipcode": order["zipcode"],
            "addressShippingCity": order["city"],
            "addressShippingRegion": "",
            "addressShippingCountry": country(order["country"]),
            "addressShippingRegionData": False,
            "paymentId": order["payment_id"],
            "paymentStatus": order["paymentStatus"],
            "paymentIsPost": False,
            "paymentIsInvoiceExternal": False,
            "paymentTaxRate": 0.21,
            "paymentTaxRates": [{"name": "21%", "rate": 0.21, "amount": num(t.payment_incl - t.payment_excl)}]
            if t.payment_incl
            else [],
            "paymentBasePriceIncl": num(t.payment_incl),
            "paymentBasePriceExcl": num(t.payment_excl),
            "paymentPriceIncl": num(t.payment_incl),
            "paymentPriceExcl": num(t.payment_excl),
            "paymentTitle": order["payment_title"],
            "paymentData": [],
            "shipmentId": "core|1|1" if t.shipping_incl else False,
            "shipmentStatus": order["shipmentStatus"],
            "shipmentIsCashOnDelivery": False,
            "shipmentIsPickup": not t.shipping_incl,
            "shipmentTaxRate": 0.21,
            "shipmentTaxRates": [
                {"name": "21%", "rate": 0.21, "amount": num(t.shipping_incl - t.shipping_excl)}
            ]
            if t.shipping_incl
            else [],
            "shipmentBasePriceIncl": num(t.shipping_incl),
            "shipmentBasePriceExcl": num(t.shipping_excl),
            "shipmentPriceIncl": num(t.shipping_incl),
            "shipmentPriceExcl": num(t.shipping_excl),
            "shipmentDiscountIncl": 0,
            "shipmentDiscountExcl": 0,
            "shipmentTitle": "PostNL" if t.shipping_incl else "Afhalen in de winkel",
            "shipmentData": []
            if not t.shipping_incl
            else {"deliver_at_neighbours": False, "delivery_time": "10:00"},
            "shippingDate": None,
            "deliveryDate": None,
            "isDiscounted": bool(t.discount_incl),
            "discountType": order["discount"].get("kind") or "",
            "discountAmount": num(t.discount_incl),
            "discountPercentage": num(Decimal(order["discount"]["value"]))
            if order["discount"].get("kind") == "percentage"
            else 0,
            "discountCouponCode": order["discount"].get("code", ""),
            "isNewCustomer": customer is None,
            "comment": order["comment"],
            "memo": "",
            "allowNotifications": True,
            "doNotifyNew": True,
            "doNotifyReminder": True,
            "doNotifyCancelled": True,
            "language": {
                "id": 1,
                "code": lang,
                "locale": f"{lang}_NL",
                "title": "Nederlands" if lang == "nl" else lang,
            },
            "giftCardsPayment": [],
            "taxRates": [
                {"name": f"{num(rate * 100)}%", "rate": num(rate), "amount": num(amount)}
                for rate, amount in sorted(t.vat_by_rate.items(), reverse=True)
            ],
            "customer": link(base, lang, f"customers/{customer.id}", customer.id) if customer else False,
            "invoices": link(base, lang, f"invoices?order={order['id']}"),
            "shipments": link(base, lang, f"shipments?order={order['id']}"),
            "products": link(base, lang, f"orders/{order['id']}/products"),
            "metafields": link(base, lang, f"orders/{order['id']}/metafields"),
            "quote": False,
            "events": link(base, lang, f"orders/events?order={order['id']}"),
        }
        if embed:
            body["products"]["resource"]["embedded"] = self.render_lines(order, t, base, lang)
        for key, value in order.get("raw", {}).items():
            body[key] = copy.deepcopy(value)
        return body

    def render_lines(
        self, order: dict[str, Any], t: Totals | None, base: str, lang: str
    ) -> list[dict[str, Any]]:
        t = t or totals(order)
        out = []
        for line, amounts in zip(order["lines"], t.lines, strict=True):
            unit_incl = Decimal(line["basePriceIncl"])
            quantity = line["quantityOrdered"]
            as_total = self.line_price_semantics == "line_total"
            rendered = {
                "id": line["id"],
                "supplierTitle": "",
                "brandTitle": line.get("brandTitle", ""),
                "productTitle": line["productTitle"],
                "variantTitle": line.get("variantTitle", ""),
                "taxRate": num(Decimal(line["taxRate"])),
                "taxRates": [
                    {
                        "name": "btw",
                        "rate": num(Decimal(line["taxRate"])),
                        "amount": num(amounts["total_incl"] - amounts["total_excl"]),
                    }
                ],
                "quantityOrdered": quantity,
                "quantityInvoiced": 0,
                "quantityShipped": quantity if order["shipmentStatus"] == "shipped" else 0,
                "quantityRefunded": 0,
                "quantityReturned": 0,
                "articleCode": line.get("articleCode", ""),
                "ean": line.get("ean", ""),
                "sku": line.get("sku", ""),
                "weight": 250,
                "volume": 0,
                "colli": 1,
                "sizeX": 0,
                "sizeY": 0,
                "sizeZ": 0,
                "priceCost": num(cents(unit_incl * Decimal("0.45"))),
                "customExcl": 0,
                "customIncl": 0,
                "basePriceExcl": num(amounts["unit_excl"]),
                "basePriceIncl": num(unit_incl),
                "priceExcl": num(amounts["total_excl"] if as_total else amounts["unit_excl"]),
                "priceIncl": num(amounts["total_incl"] if as_total else unit_incl),
                "discountExcl": 0,
                "discountIncl": 0,
                "customFields": False,
                "product": link(base, lang, f"products/{1000 + line['id'] % 97}", 1000 + line["id"] % 97),
                "variant": link(base, lang, f"variants/{2000 + line['id'] % 97}", 2000 + line["id"] % 97),
            }
            for key, value in line.get("raw", {}).items():
                rendered[key] = copy.deepcopy(value)
            out.append(rendered)
        return out

    def render_customer(self, customer: Customer, base: str, lang: str) -> dict[str, Any]:
        company = customer.company
        return {
            "id": customer.id,
            "createdAt": stamp(customer.created_at),
            "updatedAt": stamp(customer.created_at),
            "lastOnlineAt": stamp(customer.created_at),
            "isConfirmed": True,
            "remoteIp": "127.0.0.1",
            "userAgent": "Mozilla/5.0",
            "referralId": False,
            "gender": False,
            "birthDate": False,
            "nationalId": "",
            "email": customer.email,
            "firstname": customer.firstname,
            "middlename": customer.middlename,
            "lastname": customer.lastname,
            "phone": customer.phone,
            "mobile": "",
            "isCompany": company is not None,
            "companyName": company[0] if company else "",
            "companyCoCNumber": company[2] if company else "",
            "companyVatNumber": company[1] if company else "",
            "addressBillingName": f"{customer.firstname} {customer.lastname}",
            "addressBillingStreet": customer.street,
            "addressBillingStreet2": "",
            "addressBillingNumber": customer.number,
            "addressBillingExtension": customer.extension,
            "addressBillingZipcode": customer.zipcode,
            "addressBillingCity": customer.city,
            "addressBillingRegion": "",
            "addressBillingCountry": country(customer.country),
            "addressShippingCompany": company[0] if company else False,
            "addressShippingName": f"{customer.firstname} {customer.lastname}",
            "addressShippingStreet": customer.street,
            "addressShippingStreet2": "",
            "addressShippingNumber": customer.number,
            "addressShippingExtension": customer.extension,
            "addressShippingZipcode": customer.zipcode,
            "addressShippingCity": customer.city,
            "addressShippingRegion": "",
            "addressShippingCountry": country(customer.country),
            "memo": "",
            "doNotifyRegistered": True,
            "doNotifyConfirmed": True,
            "doNotifyPassword": True,
            "orders": link(base, lang, f"orders?customer={customer.id}"),
        }
