"""Reading one raw Lightspeed eCom order into a ``WebshopOrder``.

``parse_order`` takes the order as ``GET /orders/{id}.json`` returns it (lines embedded) and either
returns the typed order or raises ``OrderDataError`` naming the field that is unusable. The value quirks
themselves (false-for-null, numbers as strings, offsets) are read by ``domain.lightspeed_values``.
"""

from __future__ import annotations

from typing import Any

from lightspeed_afas.domain.lightspeed_values import (
    OrderDataError,
    country,
    identifier,
    money,
    normalise_email,
    quantity,
    resource_id,
    text,
    timestamp,
    truthy,
)
from lightspeed_afas.domain.webshop_order import Address, OrderLine, WebshopOrder

__all__ = ["OrderDataError", "contact_fields", "embedded_lines", "parse_address", "parse_line", "parse_order"]


def embedded_lines(raw: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The lines a single-order GET embeds under ``products.resource.embedded`` (None when absent)."""
    products = raw.get("products")
    if isinstance(products, dict):
        resource = products.get("resource")
        if isinstance(resource, dict) and isinstance(resource.get("embedded"), list):
            return resource["embedded"]
    return None


def parse_address(raw: dict[str, Any], kind: str) -> Address:
    """The billing or shipping address (``kind``) of an order or a customer: the same field names."""
    p = f"address{kind}"
    return Address(
        name=text(raw.get(f"{p}Name")),
        company=text(raw.get(f"{p}Company")),
        street=text(raw.get(f"{p}Street")),
        street2=text(raw.get(f"{p}Street2")),
        number=text(raw.get(f"{p}Number")),
        extension=text(raw.get(f"{p}Extension")),
        zipcode=text(raw.get(f"{p}Zipcode")),
        city=text(raw.get(f"{p}City")),
        region=text(raw.get(f"{p}Region")),
        country=country(raw.get(f"{p}Country"), f"{p}Country"),
    )


def contact_fields(raw: dict[str, Any]) -> dict[str, Any]:
    """Who an order or a customer is — the same field names on both: e-mail, names, phone, company and
    the two addresses (what a relation is made of, ``domain.relations.RelationSource``)."""
    return {
        "email": normalise_email(raw.get("email")),
        "firstname": text(raw.get("firstname")),
        "middlename": text(raw.get("middlename")),
        "lastname": text(raw.get("lastname")),
        "phone": text(raw.get("phone")) or text(raw.get("mobile")),
        "is_company": truthy(raw.get("isCompany")),
        "company_name": text(raw.get("companyName")),
        "coc_number": text(raw.get("companyCoCNumber")),
        "vat_number": text(raw.get("companyVatNumber")),
        "billing": parse_address(raw, "Billing"),
        "shipping": parse_address(raw, "Shipping"),
    }


def parse_line(raw: dict[str, Any], index: int) -> OrderLine:
    """Line ``index`` (0-based) of an order; errors name it ``line <index + 1>``."""
    where = f"line {index + 1}"
    return OrderLine(
        id=identifier(raw.get("id"), f"{where}: id"),
        article_code=text(raw.get("articleCode")),
        sku=text(raw.get("sku")),
        ean=text(raw.get("ean")),
        title=text(raw.get("productTitle")),
        variant=text(raw.get("variantTitle")),
        quantity=quantity(raw.get("quantityOrdered"), f"{where}: quantityOrdered"),
        tax_rate=money(raw.get("taxRate"), f"{where}: taxRate"),
        base_price_incl=money(raw.get("basePriceIncl"), f"{where}: basePriceIncl"),
        base_price_excl=money(raw.get("basePriceExcl"), f"{where}: basePriceExcl"),
        price_incl=money(raw.get("priceIncl"), f"{where}: priceIncl", default=None),
        price_excl=money(raw.get("priceExcl"), f"{where}: priceExcl"),
        discount_incl=money(raw.get("discountIncl"), f"{where}: discountIncl"),
    )


def parse_order(raw: dict[str, Any], lines: list[dict[str, Any]] | None = None) -> WebshopOrder:
    """Parse one raw order; ``lines`` defaults to the lines embedded in it."""
    order_id = identifier(raw.get("id"), "id")
    raw_lines = lines if lines is not None else embedded_lines(raw)
    if raw_lines is None:
        raise OrderDataError("the order lines are missing (products.resource.embedded)")
    return WebshopOrder(
        id=order_id,
        number=text(raw.get("number")) or str(order_id),
        created_at=timestamp(raw.get("createdAt"), "createdAt"),
        updated_at=timestamp(raw.get("updatedAt"), "updatedAt"),
        updated_at_raw=text(raw.get("updatedAt")),
        status=text(raw.get("status")),
        payment_status=text(raw.get("paymentStatus")),
        shipment_status=text(raw.get("shipmentStatus")),
        customer_id=resource_id(raw.get("customer")),
        **contact_fields(raw),
        comment=text(raw.get("comment")),
        payment_id=text(raw.get("paymentId")),
        payment_title=text(raw.get("paymentTitle")),
        price_incl=money(raw.get("priceIncl"), "priceIncl", default=None),
        price_excl=money(raw.get("priceExcl"), "priceExcl"),
        shipment_title=text(raw.get("shipmentTitle")),
        shipment_price_incl=money(raw.get("shipmentPriceIncl"), "shipmentPriceIncl"),
        shipment_price_excl=money(raw.get("shipmentPriceExcl"), "shipmentPriceExcl"),
        shipment_tax_rate=money(raw.get("shipmentTaxRate"), "shipmentTaxRate"),
        payment_price_incl=money(raw.get("paymentPriceIncl"), "paymentPriceIncl"),
        payment_price_excl=money(raw.get("paymentPriceExcl"), "paymentPriceExcl"),
        payment_tax_rate=money(raw.get("paymentTaxRate"), "paymentTaxRate"),
        discount_amount=money(raw.get("discountAmount"), "discountAmount"),
        discount_code=text(raw.get("discountCouponCode")),
        lines=tuple(parse_line(line, i) for i, line in enumerate(raw_lines)),
    )
