"""Deterministic demo data: a Dutch coffee shop's customers and orders, with the API's own quirks.

Money semantics (the reference leaves the line fields open; this emulator decides, and the connector
must not assume): ``basePriceIncl``/``basePriceExcl`` are the unit price, ``priceIncl``/``priceExcl``
the line total (unit × quantity) — or, with ``line_price_semantics="unit"``, the unit price again. The
order's ``priceIncl`` = Σ line ``priceIncl`` (as line totals) + ``shipmentPriceIncl`` +
``paymentPriceIncl`` − ``discountAmount`` (the discount incl. VAT). Excl. amounts and ``taxRates`` are
derived per line and rounded half-up to cents, so the sum of rounded VAT can differ by a cent from the
VAT on the total, as in real shops.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from emulators.demo_catalogue import PRODUCTS, DemoProduct

CENT = Decimal("0.01")

COUNTRIES = {
    "nl": (150, "nld", "Netherlands, The"),
    "be": (21, "bel", "Belgium"),
    "de": (81, "deu", "Germany"),
    "fr": (73, "fra", "France"),
    "at": (14, "aut", "Austria"),
}

PEOPLE = [
    ("Zoë", "van 't", "Hoff", "nl"),
    ("Jürgen", "", "Groß", "de"),
    ("Sanne", "de", "Vries", "nl"),
    ("Daan", "", "Jansen", "nl"),
    ("Émilie", "", "Lefèvre", "be"),
    ("Ğülşen", "", "Çelik", "nl"),
    ("Bram", "van der", "Berg", "nl"),
    ("Fleur", "", "Bakker", "nl"),
    ("Lars", "", "Ærøskøbing", "de"),
    ("Noor", "el", "Amrani", "nl"),
    ("Pieter", "", "Claes", "be"),
    ("Anouk", "", "Visser", "nl"),
    ("Mila", "", "Smit", "nl"),
    ("Tobias", "", "Müller", "at"),
    ("Femke", "van", "Dijk", "nl"),
    ("Sophie", "", "Dubois", "fr"),
]

COMPANIES = [
    ("Koffiebar De Gouden Boon B.V.", "NL812345678B01", "12345678"),
    ("Kantoor & Co VOF", "NL823456789B01", "23456789"),
    ("Brasserie 't Hoekje", "BE0123456789", "0123456789"),
    ("Rösterei Hansen GmbH", "DE123456789", "HRB12345"),
]

STREETS = {
    "nl": [
        ("Kerkstraat", "Amsterdam", "1017 GC"),
        ("Oudegracht", "Utrecht", "3511 AB"),
        ("Markt", "Leusden", "3833 LC"),
    ],
    "be": [("Meir", "Antwerpen", "2000"), ("Rue Neuve", "Bruxelles", "1000")],
    "de": [("Königsallee", "Düsseldorf", "40212"), ("Hauptstraße", "Köln", "50667")],
    "at": [("Mariahilfer Straße", "Wien", "1060")],
    "fr": [("Rue de Rivoli", "Paris", "75001")],
}

PAYMENTS = [
    ("ideal", "iDEAL", Decimal("0")),
    ("creditcard", "Creditcard", Decimal("0")),
    ("paypal", "PayPal", Decimal("0.35")),
    ("afterpay", "Riverty (achteraf betalen)", Decimal("1.95")),
    ("banktransfer", "Bankoverschrijving", Decimal("0")),
]

COMMENTS = [
    "",
    "",
    "",
    "Graag na 17:00 bezorgen",
    "Cadeau — graag zonder prijs",
    "Bel even aan bij de buren 🙂",
]


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


def excl(amount_incl: Decimal, rate: Decimal) -> Decimal:
    return cents(amount_incl / (1 + rate))


@dataclass
class Customer:
    id: int
    email: str
    firstname: str
    middlename: str
    lastname: str
    country: str
    street: str
    number: str
    extension: str
    zipcode: str
    city: str
    phone: str
    company: tuple[str, str, str] | None
    created_at: datetime


def make_customers(rng: random.Random, count: int, base_time: datetime) -> list[Customer]:
    customers = []
    for i in range(count):
        first, middle, last, country = PEOPLE[i % len(PEOPLE)]
        street, city, zipcode = rng.choice(STREETS[country])
        company = COMPANIES[i % len(COMPANIES)] if i % 6 == 5 else None
        local = f"{first}.{last}".lower().replace(" ", "").replace("'", "")
        customers.append(
            Customer(
                id=6856000 + i,
                email=f"{local}{i}@example.{'nl' if country == 'nl' else country}",
                firstname=first,
                middlename=middle,
                lastname=last,
                country=country,
                street=street,
                number=str(rng.randint(1, 250)),
                extension=rng.choice(["", "", "", "a", "bis", "2-hoog"]),
                zipcode=zipcode,
                city=city,
                phone=f"06{rng.randint(10000000, 99999999)}",
                company=company,
                created_at=base_time - timedelta(days=rng.randint(30, 400)),
            )
        )
    return customers


def make_lines(rng: random.Random, first_line_id: int) -> list[dict[str, Any]]:
    lines = []
    for n, product in enumerate(rng.sample(PRODUCTS[:-1], k=rng.choice([1, 1, 2, 2, 3, 4]))):
        if rng.random() < 0.02:
            product = PRODUCTS[-1]  # a product that was never created in AFAS
        lines.append(line_from_product(product, rng.choice([1, 1, 1, 2, 3]), first_line_id + n))
    return lines


def line_from_product(product: DemoProduct, quantity: int, line_id: int) -> dict[str, Any]:
    total_incl = cents(product.price_incl * quantity)
    return {
        "id": line_id,
        "articleCode": product.article_code,
        "sku": product.sku,
        "ean": product.ean,
        "productTitle": product.title,
        "variantTitle": product.variant,
        "brandTitle": product.brand,
        "quantityOrdered": quantity,
        "basePriceIncl": product.price_incl,
        "taxRate": product.tax_rate,
        "_total_incl": total_incl,
    }


def generate(
    seed: str, count: int, base_time: datetime, zone: Any
) -> tuple[list[dict[str, Any]], list[Customer]]:
    """``count`` orders (internal form, see store.py) over the days before ``base_time``."""
    rng = random.Random(f"lightspeed-demo:{seed}")
    customers = make_customers(rng, max(4, count // 3), base_time)
    orders: list[dict[str, Any]] = []
    line_id = 90000001
    start = base_time - timedelta(days=40)  # spans the October DST change: +02:00 and +01:00 offsets
    for i in range(count):
        created = start + timedelta(minutes=int(i * (40 * 24 * 60) / max(1, count)) + rng.randint(0, 9))
        roll = rng.random()
        customer = None if roll < 0.15 else customers[int(rng.random() ** 1.6 * len(customers))]
        lines = make_lines(rng, line_id)
        line_id += len(lines)
        order = {
            "id": 218240000 + i * 7,
            "number": f"ORD{10001 + i:05d}",
            "created": created,
            "updated": created + timedelta(seconds=rng.randint(5, 3600)),
            "customer": customer,
            "lines": lines,
        }
        order.update(_contact(rng, customer, i))
        order.update(_costs(rng, i))
        order.update(_statuses(rng))
        orders.append(order)
    return orders, customers


def _contact(rng: random.Random, customer: Customer | None, i: int) -> dict[str, Any]:
    if customer is None:  # a guest: contact details only on the order
        first, middle, last, country = PEOPLE[(i * 5) % len(PEOPLE)]
        street, city, zipcode = rng.choice(STREETS[country])
        email = f"gast{i}.{last}@example.org".lower()
        company = None
        number, extension, phone = str(rng.randint(1, 99)), "", ""
    else:
        first, middle, last, country = (
            customer.firstname,
            customer.middlename,
            customer.lastname,
            customer.country,
        )
        street, city, zipcode = customer.street, customer.city, customer.zipcode
        number, extension, phone = customer.number, customer.extension, customer.phone
        company = customer.company
        email = customer.email
        if rng.random() < 0.2:  # typed differently on a later order
            email = f" {email.capitalize()} " if rng.random() < 0.5 else email.upper()
    return {
        "email": email,
        "firstname": first,
        "middlename": middle,
        "lastname": last,
        "phone": phone,
        "country": country,
        "street": street,
        "number_addr": number,
        "extension": extension,
        "zipcode": zipcode,
        "city": city,
        "company": company,
        "comment": rng.choice(COMMENTS),
    }


def _costs(rng: random.Random, i: int) -> dict[str, Any]:
    payment_id, payment_title, fee = rng.choice(PAYMENTS)
    discount = {"kind": None}
    if rng.random() < 0.2:
        discount = rng.choice(
            [
                {"kind": "percentage", "value": Decimal("0.10"), "code": "WELKOM10"},
                {"kind": "amount", "value": Decimal("5.00"), "code": "KOFFIE5"},
            ]
        )
    return {
        "payment_id": payment_id,
        "payment_title": payment_title,
        "payment_fee": fee,
        "shipping": Decimal("0") if rng.random() < 0.25 else rng.choice([Decimal("4.95"), Decimal("6.95")]),
        "discount": discount,
    }


def _statuses(rng: random.Random) -> dict[str, Any]:
    roll = rng.random()
    if roll < 0.05:
        return {"status": "cancelled", "paymentStatus": "cancelled", "shipmentStatus": "cancelled"}
    if roll < 0.12:
        return {
            "status": "processing_awaiting_payment",
            "paymentStatus": "not_paid",
            "shipmentStatus": "not_shipped",
        }
    if roll < 0.6:
        return {
            "status": "processing_awaiting_shipment",
            "paymentStatus": "paid",
            "shipmentStatus": "not_shipped",
        }
    return {"status": "completed_shipped", "paymentStatus": "paid", "shipmentStatus": "shipped"}
