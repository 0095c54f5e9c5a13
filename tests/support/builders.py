"""Builders for raw Lightspeed orders in the API's own shape (quirks included), for pipeline tests."""

from __future__ import annotations

from copy import deepcopy
from typing import Any

_LINE: dict[str, Any] = {
    "id": 1,
    "productTitle": "Koffiebonen Espresso",
    "variantTitle": "250 g",
    "articleCode": "ART-1001",
    "sku": "KOF-BON-250",
    "ean": "8712345000014",
    "quantityOrdered": 1,
    "taxRate": 0.09,
    "basePriceIncl": 8.95,
    "basePriceExcl": 8.21,
    "priceIncl": 8.95,
    "priceExcl": 8.21,
    "discountIncl": 0,
    "customFields": False,
}

_ORDER: dict[str, Any] = {
    "id": 1001,
    "number": "ORD01001",
    "createdAt": "2026-11-20T10:15:00+01:00",
    "updatedAt": "2026-11-20T10:16:00+01:00",
    "status": "processing_awaiting_shipment",
    "paymentStatus": "paid",
    "shipmentStatus": "not_shipped",
    "customer": {"resource": {"id": 501, "url": "customers/501", "link": "http://x/nl/customers/501.json"}},
    "email": "Zoe@Example.NL ",
    "firstname": "Zoë",
    "middlename": "van 't",
    "lastname": "Hoff",
    "phone": "0612345678",
    "mobile": "",
    "isCompany": False,
    "companyName": "",
    "companyCoCNumber": "",
    "companyVatNumber": "",
    "addressBillingName": "Zoë van 't Hoff",
    "addressBillingStreet": "Kerkstraat",
    "addressBillingNumber": "12",
    "addressBillingExtension": "a",
    "addressBillingZipcode": "1017 GC",
    "addressBillingCity": "Amsterdam",
    "addressBillingCountry": {"id": 150, "code": "nl", "code3": "nld", "title": "Netherlands, The"},
    "addressShippingCompany": False,
    "addressShippingName": "Zoë van 't Hoff",
    "addressShippingStreet": "Kerkstraat",
    "addressShippingNumber": "12",
    "addressShippingExtension": "a",
    "addressShippingZipcode": "1017 GC",
    "addressShippingCity": "Amsterdam",
    "addressShippingCountry": {"id": 150, "code": "nl", "code3": "nld", "title": "Netherlands, The"},
    "comment": "Graag na 17:00 bezorgen",
    "paymentId": "ideal",
    "paymentTitle": "iDEAL",
    "shipmentTitle": "PostNL",
    "priceIncl": 8.95,
    "priceExcl": 8.21,
    "shipmentPriceIncl": 0,
    "shipmentPriceExcl": 0,
    "shipmentTaxRate": 0.21,
    "paymentPriceIncl": 0,
    "paymentPriceExcl": 0,
    "paymentTaxRate": 0.21,
    "discountAmount": 0,
    "discountCouponCode": "",
    "paymentData": [],
    "shipmentData": [],
}


def raw_line(**overrides: Any) -> dict[str, Any]:
    line = deepcopy(_LINE)
    line.update(overrides)
    return line


def raw_order(lines: list[dict[str, Any]] | None = None, **overrides: Any) -> dict[str, Any]:
    """An order as ``GET /orders/{id}.json`` returns it, lines embedded; totals are NOT recomputed."""
    order = deepcopy(_ORDER)
    order.update(overrides)
    order["products"] = {
        "resource": {
            "id": False,
            "url": f"orders/{order['id']}/products",
            "link": "x",
            "embedded": lines or [raw_line()],
        }
    }
    return order
