"""Deterministic demo data: a Dutch coffee shop's customers and orders (internal form, see ``store``).

Same seed, same shop: everything comes from ``random.Random(seed)`` and the given base time. About 85 %
of orders come from a pool of returning customers (some typing their e-mail differently on a later
order), the rest are guests (``customer: false``); a fifth of the customers are companies (NL, BE, DE
VAT numbers); Dutch, Belgian, German, Austrian and French addresses with non-ASCII names; coupon
discounts (percentage and fixed), shipping and payment fees, 21 / 9 / 0 % lines, lines with only a
``sku`` or only an ``ean``, pick-up orders without a shipping address, gifts shipped elsewhere,
cancelled and unpaid orders. Amounts follow ``money``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from emulators.demo_catalogue import PRODUCTS, DemoProduct

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
    # What the customers list and the admin API (``customers``) add; the defaults keep the seeded
    # customers as they were rendered before.
    updated_at: datetime | None = None  # None: created_at (set on creation)
    last_online_at: datetime | None = None  # None renders null (never online)
    mobile: str = ""
    gender: str | None = None  # "male" | "female"; None renders false
    birth_date: str | None = None  # "YYYY-MM-DD"; None renders false
    is_confirmed: bool = True
    memo: str = ""
    language: str | None = None  # a language code; None renders false
    type: str = "registered"

    def __post_init__(self) -> None:
        if self.updated_at is None:
            self.updated_at = self.created_at


def make_customers(rng: random.Random, count: int, base_time: datetime) -> list[Customer]:
    customers = []
    for i in range(count):
        first, middle, last, country = PEOPLE[i % len(PEOPLE)]
        company = COMPANIES[(i // 5) % len(COMPANIES)] if i % 5 == 4 else None
        if company:  # a company sits in the country of its VAT number
            country = company[1][:2].lower()
        street, city, zipcode = rng.choice(STREETS[country])
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
        customers[-1].last_online_at = customers[-1].created_at
    return customers


def make_lines(rng: random.Random, first_line_id: int) -> list[dict[str, Any]]:
    lines = []
    for n, product in enumerate(rng.sample(PRODUCTS[:-1], k=rng.choice([1, 1, 2, 2, 3, 4]))):
        if rng.random() < 0.02:
            product = PRODUCTS[-1]  # a product that was never created in AFAS
        lines.append(line_from_product(product, rng.choice([1, 1, 1, 2, 3]), first_line_id + n))
    return lines


def line_from_product(product: DemoProduct, quantity: int, line_id: int) -> dict[str, Any]:
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
        "raw": {},
    }


@dataclass
class Generated:
    orders: list[dict[str, Any]]
    customers: list[Customer]


def generate_orders(
    seed: str,
    count: int,
    base_time: datetime,
    *,
    customers: list[Customer] | None = None,
    span: timedelta = timedelta(days=40),
    first_id: int = 218240000,
    first_number: int = 10001,
    first_line_id: int = 90000001,
) -> Generated:
    """``count`` orders created over ``span`` before ``base_time`` (the default 40 days span the October
    DST change, so both +02:00 and +01:00 offsets occur). ``customers`` reuses an existing pool."""
    rng = random.Random(f"lightspeed-demo:{seed}")
    pool = customers if customers else make_customers(rng, max(4, count // 3), base_time)
    orders: list[dict[str, Any]] = []
    line_id = first_line_id
    start = base_time - span
    step = span.total_seconds() / max(1, count)
    for i in range(count):
        created = start + timedelta(seconds=int(i * step) + rng.randint(0, 540))
        customer = None if rng.random() < 0.15 else pool[int(rng.random() ** 1.6 * len(pool))]
        lines = make_lines(rng, line_id)
        line_id += len(lines)
        order: dict[str, Any] = {
            "id": first_id + i * 7,
            "number": f"ORD{first_number + i:05d}",
            "created": min(created, base_time),
            "updated": min(created + timedelta(seconds=rng.randint(5, 3600)), base_time),
            "customer": customer,
            "lines": lines,
            "raw": {},
        }
        order.update(_contact(rng, customer, i))
        order.update(_costs(rng))
        order["ship_to"] = _ship_to(rng, order)
        order.update(_statuses(rng))
        if order["ship_to"] is None and order["status"] == "completed_shipped":
            order["status"] = "completed_picked_up"
        orders.append(order)
    return Generated(orders, pool)


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


def _ship_to(rng: random.Random, order: dict[str, Any]) -> dict[str, Any] | str | None:
    """None: picked up in the shop, no shipping address at all; "billing": same as billing; or a gift
    sent to someone else in the same country."""
    if not order["shipping"]:
        return None
    if rng.random() >= 0.15:
        return "billing"
    first, middle, last, _ = rng.choice(PEOPLE)
    street, city, zipcode = rng.choice(STREETS[order["country"]])
    return {
        "name": " ".join(p for p in (first, middle, last) if p),
        "street": street,
        "number": str(rng.randint(1, 180)),
        "extension": "",
        "zipcode": zipcode,
        "city": city,
        "country": order["country"],
        "company": None,
    }


def _costs(rng: random.Random) -> dict[str, Any]:
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
