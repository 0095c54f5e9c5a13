"""Orders, lines and customers rendered the way the real API renders them, quirks included on purpose.

- ``false`` for unset strings, objects and dates: ``referralId``, ``gender``, ``birthDate``,
  ``addressBillingRegionData``, ``quote``, ``shipmentId`` on pick-up orders, ``addressShippingCompany``
  without a company, every ``addressShipping*`` object (``addressShippingCountry``) on pick-up orders
  (the strings there are ``""``), ``customer`` on guest orders, ``customFields`` on lines.
- Numbers as strings: ``addressBillingNumber``/``addressShippingNumber`` always; ``priceCost`` and
  ``weight`` on orders whose ``(id // 7) % 7 == 0`` (about one in seven; deterministic).
- ``[]`` for empty objects: ``paymentData`` always, ``shipmentData`` on pick-up orders.
- Timestamps in Europe/Amsterdam with the offset of their date (+01:00 / +02:00, via zoneinfo).
- Countries ``{id, code, code3, title}`` with lower-case ISO codes; tax rates as fractions (0.21, 0.09,
  0); money as JSON numbers (integral amounts as ints, e.g. ``0``, as PHP's JSON encoder does).
- Resource links ``{"resource": {"id", "url", "link"}}``, collections with ``"id": false``; ``link``
  uses the request's base URL. The list endpoint does not embed lines; the single order does, under
  ``products.resource.embedded``.
- ``raw`` on an order or line (admin API) overrides rendered keys verbatim, for hostile data.
"""

from __future__ import annotations

import copy
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from emulators.lightspeed.demo import COUNTRIES, Customer
from emulators.lightspeed.money import COST_VAT, Totals, cents, totals

SHOP_ZONE = ZoneInfo("Europe/Amsterdam")
LANGUAGE_TITLES = {"nl": "Nederlands", "en": "English", "de": "Deutsch", "fr": "Français"}


def stamp(moment: datetime) -> str:
    return moment.astimezone(SHOP_ZONE).isoformat(timespec="seconds")


def num(value: Decimal) -> float | int:
    """Money as the API sends it: a JSON number."""
    return int(value) if value == value.to_integral_value() and abs(value) < 10**12 else float(value)


def link(base: str, lang: str, url: str, resource_id: Any = False) -> dict[str, Any]:
    path, _, query = url.partition("?")
    return {
        "resource": {
            "id": resource_id,
            "url": url,
            "link": f"{base}/{lang}/{path}.json" + (f"?{query}" if query else ""),
        }
    }


def country(code: str | None) -> dict[str, Any] | bool:
    if not code:
        return False
    cid, code3, title = COUNTRIES.get(code, (0, code + "x", code.upper()))
    return {"id": cid, "code": code, "code3": code3, "title": title}


def language(lang: str) -> dict[str, Any]:
    return {"id": 1, "code": lang, "locale": f"{lang}_NL", "title": LANGUAGE_TITLES.get(lang, lang)}


def only_fields(body: dict[str, Any], fields: list[str] | None) -> dict[str, Any]:
    """``?fields=a,b`` keeps those keys (unknown names are ignored), in the resource's own order."""
    if not fields:
        return body
    return {key: value for key, value in body.items() if key in fields}


def _shipping_address(order: dict[str, Any]) -> dict[str, Any]:
    ship_to = order.get("ship_to", "billing")
    company = order.get("company")
    if ship_to is None:  # picked up in the shop: the API leaves the address unset
        blank: dict[str, Any] = dict.fromkeys(
            ("Name", "Street", "Street2", "Number", "Extension", "Zipcode", "City", "Region"), ""
        )
        return {"Company": False, **blank, "Country": False, "RegionData": False}
    if ship_to == "billing":
        ship_to = {
            "name": " ".join(p for p in (order["firstname"], order["middlename"], order["lastname"]) if p),
            "street": order["street"],
            "number": order["number_addr"],
            "extension": order["extension"],
            "zipcode": order["zipcode"],
            "city": order["city"],
            "country": order["country"],
            "company": company[0] if company else None,
        }
    return {
        "Company": ship_to.get("company") or False,
        "Name": ship_to.get("name", ""),
        "Street": ship_to.get("street", ""),
        "Street2": "",
        "Number": str(ship_to.get("number", "")),
        "Extension": ship_to.get("extension", ""),
        "Zipcode": ship_to.get("zipcode", ""),
        "City": ship_to.get("city", ""),
        "Region": "",
        "Country": country(ship_to.get("country")),
        "RegionData": False,
    }


def shipment_title(order: dict[str, Any]) -> str:
    return "Afhalen in de winkel" if order.get("ship_to", "billing") is None else "PostNL"


def _cost_rates(incl: Decimal, excl: Decimal) -> list[dict[str, Any]]:
    return [{"name": "21%", "rate": num(COST_VAT), "amount": num(incl - excl)}] if incl else []


def render_order(
    order: dict[str, Any], base: str, lang: str, embed: bool, line_semantics: str = "line_total"
) -> dict[str, Any]:
    t = totals(order)
    customer: Customer | None = order["customer"]
    company = order.get("company")
    discount = order["discount"]
    string_numbers = (order["id"] // 7) % 7 == 0
    cost = num(cents(t.goods_incl * Decimal("0.45")))
    weight = len(order["lines"]) * 250
    picked_up = order.get("ship_to", "billing") is None
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
        "priceCost": str(cost) if string_numbers else cost,
        "priceExcl": num(t.price_excl),
        "priceIncl": num(t.price_incl),
        "weight": str(weight) if string_numbers else weight,
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
    }
    body.update({f"addressShipping{key}": value for key, value in _shipping_address(order).items()})
    body.update(
        {
            "paymentId": order["payment_id"],
            "paymentStatus": order["paymentStatus"],
            "paymentIsPost": False,
            "paymentIsInvoiceExternal": order["payment_id"] == "afterpay",
            "paymentTaxRate": num(COST_VAT),
            "paymentTaxRates": _cost_rates(t.payment_incl, t.payment_excl),
            "paymentBasePriceExcl": num(t.payment_excl),
            "paymentBasePriceIncl": num(t.payment_incl),
            "paymentPriceExcl": num(t.payment_excl),
            "paymentPriceIncl": num(t.payment_incl),
            "paymentTitle": order["payment_title"],
            "paymentData": [],
            "shipmentId": False if picked_up else "core|1|1",
            "shipmentStatus": order["shipmentStatus"],
            "shipmentIsCashOnDelivery": False,
            "shipmentIsPickup": picked_up,
            "shipmentTaxRate": num(COST_VAT),
            "shipmentTaxRates": _cost_rates(t.shipping_incl, t.shipping_excl),
            "shipmentBasePriceExcl": num(t.shipping_excl),
            "shipmentBasePriceIncl": num(t.shipping_incl),
            "shipmentPriceExcl": num(t.shipping_excl),
            "shipmentPriceIncl": num(t.shipping_incl),
            "shipmentDiscountExcl": 0,
            "shipmentDiscountIncl": 0,
            "shipmentTitle": shipment_title(order),
            "shipmentData": [] if picked_up else {"deliver_at_neighbours": False, "delivery_time": "10:00"},
            "shippingDate": None,
            "deliveryDate": None,
            "isDiscounted": bool(t.discount_incl),
            "discountType": discount.get("kind") or "",
            "discountAmount": num(t.discount_incl),
            "discountPercentage": num(Decimal(str(discount["value"])))
            if discount.get("kind") == "percentage"
            else 0,
            "discountCouponCode": discount.get("code", ""),
            "isNewCustomer": customer is None,
            "comment": order["comment"],
            "memo": order.get("memo", ""),
            "allowNotifications": True,
            "doNotifyNew": True,
            "doNotifyReminder": True,
            "doNotifyCancelled": True,
            "language": language(lang),
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
    )
    if embed:
        body["products"]["resource"]["embedded"] = render_lines(order, base, lang, line_semantics, t)
    for key, value in order.get("raw", {}).items():
        body[key] = copy.deepcopy(value)
    return body


def render_lines(
    order: dict[str, Any], base: str, lang: str, line_semantics: str = "line_total", t: Totals | None = None
) -> list[dict[str, Any]]:
    t = t or totals(order)
    as_total = line_semantics == "line_total"
    out = []
    for line, amounts in zip(order["lines"], t.lines, strict=True):
        rate = num(Decimal(line["taxRate"]))
        quantity = line["quantityOrdered"]
        product_id = 1000 + line["id"] % 97
        rendered = {
            "id": line["id"],
            "supplierTitle": "",
            "brandTitle": line.get("brandTitle", ""),
            "productTitle": line["productTitle"],
            "variantTitle": line.get("variantTitle", ""),
            "taxRate": rate,
            "taxRates": [
                {"name": f"{num(Decimal(line['taxRate']) * 100)}%", "rate": rate, "amount": num(amounts.vat)}
            ],
            "quantityOrdered": quantity,
            "quantityInvoiced": line.get("quantityInvoiced", 0),
            "quantityShipped": quantity if order["shipmentStatus"] == "shipped" else 0,
            "quantityRefunded": line.get("quantityRefunded", 0),
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
            "priceCost": num(cents(amounts.unit_incl * Decimal("0.45"))),
            "customExcl": 0,
            "customIncl": 0,
            "basePriceExcl": num(amounts.unit_excl),
            "basePriceIncl": num(amounts.unit_incl),
            "priceExcl": num(amounts.total_excl if as_total else amounts.unit_excl),
            "priceIncl": num(amounts.total_incl if as_total else amounts.unit_incl),
            "discountExcl": 0,
            "discountIncl": 0,
            "customFields": False,
            "product": link(base, lang, f"products/{product_id}", product_id),
            "variant": link(base, lang, f"variants/{product_id + 1000}", product_id + 1000),
        }
        for key, value in line.get("raw", {}).items():
            rendered[key] = copy.deepcopy(value)
        out.append(rendered)
    return out


def render_customer(customer: Customer, base: str, lang: str) -> dict[str, Any]:
    """A customer (§1.5's field set): ``false`` for an unknown gender, birth date, language, shipping
    company or country; ``null`` ``lastOnlineAt`` for one never online; ``…Number`` a string (may be
    ``""``); the shipping address is the billing address."""
    company = customer.company
    name = " ".join(p for p in (customer.firstname, customer.middlename, customer.lastname) if p)
    address = {
        "Street": customer.street,
        "Street2": "",
        "Number": customer.number,
        "Extension": customer.extension,
        "Zipcode": customer.zipcode,
        "City": customer.city,
        "Region": "",
        "Country": country(customer.country),
    }
    body: dict[str, Any] = {
        "id": customer.id,
        "createdAt": stamp(customer.created_at),
        "updatedAt": stamp(customer.updated_at or customer.created_at),
        "lastOnlineAt": stamp(customer.last_online_at) if customer.last_online_at else None,
        "isConfirmed": customer.is_confirmed,
        "type": customer.type,
        "remoteIp": "127.0.0.1",
        "userAgent": "Mozilla/5.0",
        "referralId": False,
        "gender": customer.gender or False,
        "birthDate": customer.birth_date or False,
        "nationalId": "",
        "email": customer.email,
        "firstname": customer.firstname,
        "middlename": customer.middlename,
        "lastname": customer.lastname,
        "phone": customer.phone,
        "mobile": customer.mobile,
        "isCompany": company is not None,
        "companyName": company[0] if company else "",
        "companyCoCNumber": company[2] if company else "",
        "companyVatNumber": company[1] if company else "",
        "addressBillingName": name,
    }
    body.update({f"addressBilling{key}": value for key, value in address.items()})
    body["addressShippingCompany"] = company[0] if company else False
    body["addressShippingName"] = name
    body.update({f"addressShipping{key}": value for key, value in address.items()})
    body.update(
        {
            "memo": customer.memo,
            "doNotifyRegistered": True,
            "doNotifyConfirmed": True,
            "doNotifyPassword": True,
            "language": language(customer.language) if customer.language else False,
            "groups": link(base, lang, f"groups?customer={customer.id}"),
            "invoices": link(base, lang, f"invoices?customer={customer.id}"),
            "orders": link(base, lang, f"orders?customer={customer.id}"),
            "reviews": link(base, lang, f"reviews?customer={customer.id}"),
            "shipments": link(base, lang, f"shipments?customer={customer.id}"),
            "tickets": link(base, lang, f"tickets?customer={customer.id}"),
            "metafields": link(base, lang, f"customers/{customer.id}/metafields"),
            "login": link(base, lang, f"customers/{customer.id}/login"),
        }
    )
    return body
