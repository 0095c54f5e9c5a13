"""Contract tests of the Lightspeed emulator's customers list, invoices, credit notes, their items and the
credit POST (erp-extras §1.5, §1.6, §3 items 10–12), each [U] rule's readings and their admin API."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import requests

from emulators.clock import ManualTime
from emulators.lightspeed import LightspeedConfig
from emulators.lightspeed import create_app as create_lightspeed
from emulators.lightspeed.config import DEFAULT_BASE_TIME
from emulators.lightspeed.invoices import seed_erp_demo
from emulators.server import serve_in_thread
from tests.support.lightspeed_fixtures import LS_AUTH, admin, filter_value, get

BROKEN = (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError)
MONEY = ("basePriceExcl", "basePriceIncl", "priceExcl", "priceIncl", "discountExcl", "discountIncl")
# An order with a 10 % coupon over two VAT rates, shipping and a payment fee: every amount has cents.
ORDER = {
    "customer": 7100001,
    "email": "credit@example.nl",
    "shipping": "6.95",
    "payment_fee": "0.35",
    "payment_title": "PayPal",
    "discount": {"kind": "percentage", "value": "0.10", "code": "WELKOM10"},
    "lines": [
        {"articleCode": "T-BONEN", "productTitle": "Bonen", "quantityOrdered": 3, "basePriceIncl": "7.95", "taxRate": "0.09"},
        {"articleCode": "T-FILTER", "sku": "F-1", "ean": "8700000000017", "productTitle": "Filters",
         "variantTitle": "100 st.", "quantityOrdered": 7, "basePriceIncl": "3.33", "taxRate": "0.21"},
    ],
}  # fmt: skip


def d(value) -> Decimal:
    return Decimal(str(value))


def rules(server, **changes):
    return admin(server, "POST", "/variant_rules", changes)["rules"]


def add_order(server, **overrides):
    """A new order (ORDER with ``overrides``) and its line ids, through the admin API only."""
    created = admin(server, "POST", "/orders", {"orders": [{**ORDER, **overrides}]})["orders"][0]
    order = next(o for o in admin(server, "GET", "/state")["orders"] if o["id"] == created["id"])
    return created["id"], [line["id"] for line in order["products"]["resource"]["embedded"]]


def credit(server, order_id, lang="nl", **fields):
    url = f"{server.url}/{lang}/orders/{order_id}/credit.json"
    return requests.post(url, auth=LS_AUTH, json={"credit": fields}, timeout=10)


def credited(server, order_id, **fields):
    response = credit(server, order_id, **fields)
    assert response.status_code == 201, response.text
    return response.json()["credit"]


def items(server, invoice_id, **params):
    response = get(server, f"/nl/invoices/{invoice_id}/items.json", **params)
    assert response.status_code == 200, response.text
    (key,) = response.json()
    return response.json()[key]


def invoice_ids(response):
    assert response.status_code == 200, response.text
    return [i["id"] for i in response.json()["invoices"]]


def customer_ids(response):
    assert response.status_code == 200, response.text
    return [c["id"] for c in response.json()["customers"]]


def new_customer(server, **spec):
    response = requests.post(
        f"{server.url}/_admin/customers", json={"email": "x@example.nl", **spec}, timeout=10
    )
    assert response.status_code == 201, response.text
    return response.json()["customer"]


def error_of(response, status):
    assert response.status_code == status, response.text
    body = response.json()["error"]
    assert body["code"] == status and body["request"] and body["method"]
    return body["message"]


# --- customers ---------------------------------------------------------------------------------------


def test_the_customer_list_pages_newest_id_first_and_refuses_a_limit_over_250(lightspeed):
    everything = customer_ids(get(lightspeed, "/nl/customers.json", limit=250))
    assert len(everything) == 20 and everything == sorted(everything, reverse=True)
    paged = [
        cid
        for page in (1, 2, 3)
        for cid in customer_ids(get(lightspeed, "/nl/customers.json", limit=7, page=page))
    ]
    assert paged == everything
    assert customer_ids(get(lightspeed, "/nl/customers.json", page=2)) == []  # 50 per page by default
    assert get(lightspeed, "/nl/customers/count.json").json() == {"count": 20}
    assert "maximum is 250" in error_of(get(lightspeed, "/nl/customers.json", limit=251), 400)
    assert "page" in error_of(get(lightspeed, "/nl/customers.json", page=0), 400)
    assert get(lightspeed, "/nl/customers.json", auth=None).status_code == 401
    assert error_of(get(lightspeed, "/xx/customers.json"), 404) == "Unknown or inactive language"


def test_a_listed_customer_has_the_reference_fields_and_equals_the_single_customer(lightspeed):
    listed = get(lightspeed, "/nl/customers.json", limit=250).json()["customers"]
    company = next(c for c in listed if c["isCompany"])
    person = next(c for c in listed if not c["isCompany"])
    assert get(lightspeed, f"/nl/customers/{company['id']}.json").json()["customer"] == company
    for customer in (company, person):
        assert customer["type"] == "registered" and customer["isConfirmed"] is True
        assert (
            customer["gender"] is False and customer["birthDate"] is False and customer["language"] is False
        )
        assert customer["updatedAt"] == customer["createdAt"]
        assert isinstance(customer["addressBillingNumber"], str)
        assert set(customer["addressBillingCountry"]) == {"id", "code", "code3", "title"}
        assert customer["invoices"]["resource"]["url"] == f"invoices?customer={customer['id']}"
    assert company["companyName"] and company["companyVatNumber"] and company["companyCoCNumber"]
    assert company["addressShippingCompany"] == company["companyName"]
    assert person["addressShippingCompany"] is False and person["companyName"] == ""
    assert get(lightspeed, "/nl/customers.json", fields="id,email", limit=1).json()["customers"][
        0
    ].keys() == {
        "id",
        "email",
    }


@pytest.mark.parametrize(
    ("zone", "low", "high"),
    [("Europe/Amsterdam", "2026-06-01 12:00:00", "2026-06-01 12:30:00"), ("UTC", "2026-06-01 10:00:00", "2026-06-01 10:30:00")],
)  # fmt: skip
def test_updated_at_filters_are_inclusive_in_the_filter_time_zone(lightspeed_factory, zone, low, high):
    server = lightspeed_factory(orders=0, filter_timezone=zone)
    inside = [
        new_customer(
            server, email=f"in{n}@example.nl", createdAt="2026-01-01T00:00:00+00:00", updatedAt=moment
        )["id"]
        for n, moment in enumerate(("2026-06-01T10:00:00+00:00", "2026-06-01T10:30:00+00:00"))
    ]
    new_customer(
        server,
        email="later@example.nl",
        createdAt="2026-01-01T00:00:00+00:00",
        updatedAt="2026-06-01T10:30:01+00:00",
    )
    window = {"updated_at_min": low, "updated_at_max": high}
    assert customer_ids(get(server, "/nl/customers.json", **window)) == inside[::-1]
    assert get(server, "/nl/customers/count.json", **window).json() == {"count": 2}
    message = error_of(get(server, "/nl/customers.json", updated_at_min="2026-06-01T10:00:00"), 400)
    assert "updated_at_min" in message and "YYYY-MM-DD HH:MM:SS" in message


@pytest.mark.parametrize("reading", ["ignore", "apply", "refuse"])
def test_the_created_at_filter_follows_its_rule(lightspeed_factory, reading):
    server = lightspeed_factory(orders=0, variant_rules={"customer_created_filter": reading})
    old = new_customer(server, email="old@example.nl", createdAt="2025-01-01T00:00:00+00:00")
    new = new_customer(server, email="new@example.nl", createdAt="2027-06-01T00:00:00+00:00")
    everything = customer_ids(get(server, "/nl/customers.json"))
    assert everything[:2] == [new["id"], old["id"]] and len(everything) == 6  # 4 seeded + 2
    response = get(server, "/nl/customers.json", created_at_min="2027-01-01 00:00:00")
    count = get(server, "/nl/customers/count.json", created_at_min="2027-01-01 00:00:00")
    if reading == "ignore":
        assert customer_ids(response) == everything and count.json() == {"count": 6}
        assert customer_ids(get(server, "/nl/customers.json", created_at_max="not a date")) == everything
    elif reading == "apply":
        assert customer_ids(response) == [new["id"]] and count.json() == {"count": 1}
        assert "created_at_max" in error_of(get(server, "/nl/customers.json", created_at_max="2026"), 400)
    else:
        assert error_of(response, 400) == "Unknown filter: created_at_min"
        assert error_of(count, 400) == "Unknown filter: created_at_min"


@pytest.mark.parametrize("reading", ["ignore", "apply", "refuse"])
def test_the_email_filter_follows_its_rule(lightspeed, reading):
    assert rules(lightspeed, customer_email_filter=reading)["customer_email_filter"] == reading
    wanted = new_customer(lightspeed, email="Zoe.Filter@Example.nl")
    everything = customer_ids(get(lightspeed, "/nl/customers.json", limit=250))
    response = get(lightspeed, "/nl/customers.json", email="  zoe.filter@example.NL", limit=250)
    if reading == "ignore":
        assert customer_ids(response) == everything and len(everything) == 21
    elif reading == "apply":
        assert customer_ids(response) == [wanted["id"]]
        assert get(lightspeed, "/nl/customers/count.json", email="nobody@example.nl").json() == {"count": 0}
    else:
        assert error_of(response, 400) == "Unknown filter: email"


def test_an_admin_customer_renders_its_spec_with_the_quirks(lightspeed):
    customer = new_customer(
        lightspeed,
        email="inkoop@bedrijf.nl",
        firstname="Ĳsbrand",
        middlename="van der",
        lastname="Wal",
        phone="0301234567",
        mobile="0612345678",
        gender="male",
        birthDate="1980-02-29",
        company={"name": "Bakkerij Wal B.V.", "coc": "12345678", "vat": "NL123456789B01"},
        street="Kerkstraat 12",
        number="",
        zipcode="1017 GC",
        city="Amsterdam",
        country=None,
        isConfirmed=True,
        language="en",
        memo="belt vaak",
        created_at="2026-05-01T08:00:00+00:00",
    )
    assert customer["id"] == 6856020 and customer["type"] == "registered"
    assert (customer["gender"], customer["birthDate"], customer["isConfirmed"]) == (
        "male",
        "1980-02-29",
        True,
    )
    assert customer["isCompany"] is True and customer["companyName"] == "Bakkerij Wal B.V."
    assert (customer["companyCoCNumber"], customer["companyVatNumber"]) == ("12345678", "NL123456789B01")
    assert customer["addressBillingNumber"] == "" and customer["addressBillingStreet"] == "Kerkstraat 12"
    assert customer["addressBillingCountry"] is False and customer["addressShippingCountry"] is False
    assert customer["addressBillingName"] == "Ĳsbrand van der Wal"
    assert customer["language"]["code"] == "en" and customer["memo"] == "belt vaak"
    assert customer["createdAt"] == customer["updatedAt"] == "2026-05-01T10:00:00+02:00"
    assert customer["lastOnlineAt"] is None and customer["mobile"] == "0612345678"
    assert get(lightspeed, f"/nl/customers/{customer['id']}.json").json()["customer"] == customer
    person = new_customer(lightspeed, email="p@example.nl")
    assert person["gender"] is False and person["birthDate"] is False and person["isConfirmed"] is False
    assert person["isCompany"] is False and person["addressShippingCompany"] is False


@pytest.mark.parametrize(
    "spec",
    [
        {"firstname": "no e-mail"},
        {"email": "a@b.nl", "gender": "m"},
        {"email": "a@b.nl", "birthDate": "1980-02-30"},
        {"email": "a@b.nl", "company": {"name": "X", "iban": "NL00"}},
        {"email": "a@b.nl", "language": "fr"},
        {"email": "a@b.nl", "shoeSize": 44},
        {"email": "a@b.nl", "id": 6856000},
        {"email": "a@b.nl", "createdAt": "2026-05-01 08:00:00"},
    ],
)
def test_a_bad_admin_customer_is_a_400_and_creates_nothing(lightspeed, spec):
    response = requests.post(f"{lightspeed.url}/_admin/customers", json=spec, timeout=10)
    assert response.status_code == 400 and response.json()["error"]
    assert get(lightspeed, "/nl/customers/count.json").json() == {"count": 20}


def test_an_admin_customer_change_bumps_updated_at_to_the_emulators_now(lightspeed):
    customer = new_customer(lightspeed, email="wijzig@example.nl", createdAt="2026-01-01T00:00:00+00:00")
    admin(lightspeed, "POST", "/clock", {"advance_seconds": 3600})
    changed = admin(
        lightspeed, "PUT", f"/customers/{customer['id']}", {"lastname": "Nieuw", "isConfirmed": True}
    )
    now = datetime.fromisoformat(admin(lightspeed, "GET", "/state")["now"])
    bumped = datetime.fromisoformat(changed["customer"]["updatedAt"])
    assert timedelta(0) <= now - bumped < timedelta(seconds=5)
    assert changed["customer"]["createdAt"] == customer["createdAt"]
    assert (changed["customer"]["lastname"], changed["customer"]["isConfirmed"]) == ("Nieuw", True)
    window = {"updated_at_min": filter_value(changed["customer"]["updatedAt"]), "limit": 250}
    assert customer["id"] in customer_ids(get(lightspeed, "/nl/customers.json", **window))
    window["updated_at_max"] = filter_value(customer["updatedAt"])
    assert customer_ids(get(lightspeed, "/nl/customers.json", **window)) == []  # no longer at its old time
    again = admin(lightspeed, "PUT", f"/customers/{customer['id']}", {"memo": "x"})["customer"]
    assert datetime.fromisoformat(again["updatedAt"]) >= bumped + timedelta(seconds=1)
    assert requests.put(f"{lightspeed.url}/_admin/customers/1", json={}, timeout=10).status_code == 404
    bad = requests.put(f"{lightspeed.url}/_admin/customers/{customer['id']}", json={"id": 5}, timeout=10)
    assert bad.status_code == 400


# --- invoices and credits ----------------------------------------------------------------------------


def test_an_orders_invoice_adds_up_to_the_order_with_the_discount_spread_over_its_products(lightspeed):
    order_id, line_ids = add_order(lightspeed)
    made = admin(lightspeed, "POST", f"/orders/{order_id}/invoice", {})
    assert made["created"] is True
    assert admin(lightspeed, "POST", f"/orders/{order_id}/invoice", {}) == {**made, "created": False}
    invoice = get(lightspeed, f"/nl/invoices/{made['invoice']['id']}.json").json()["invoice"]
    order = get(lightspeed, f"/nl/orders/{order_id}.json").json()["order"]
    assert (
        invoice["number"] == "INV00001" and invoice["isCreditNote"] is False and invoice["invoice"] is False
    )
    assert invoice["creditNote"] is False and invoice["status"] == "paid"
    assert (invoice["priceIncl"], invoice["priceExcl"]) == (order["priceIncl"], order["priceExcl"])
    assert invoice["order"]["resource"]["id"] == order_id and invoice["customer"]["resource"]["id"] == 7100001
    listed = items(lightspeed, invoice["id"])
    assert [i["type"] for i in listed] == ["product", "product", "shipment", "payment"]
    assert [i["orderProductId"] for i in listed] == [*line_ids, None, None]
    assert sum(d(i["priceIncl"]) for i in listed) == d(invoice["priceIncl"])
    assert sum(d(i["priceExcl"]) for i in listed) == d(invoice["priceExcl"])
    assert sum(d(i["discountIncl"]) for i in listed) == d(order["discountAmount"])
    filters = listed[1]
    assert (filters["title"], filters["variant"], filters["sku"], filters["ean"]) == (
        "Filters",
        "100 st.",
        "F-1",
        "8700000000017",
    )
    for item in listed:
        assert d(item["priceIncl"]) == item["quantity"] * d(item["basePriceIncl"]) - d(item["discountIncl"])
        share = d(item["discountIncl"]) / (1 + d(item["taxRate"]))  # each line's discount carries its own VAT
        assert abs(d(item["discountExcl"]) - share) <= Decimal("0.01")
    assert all(d(i["discountIncl"]) > 0 for i in listed[:2])
    assert listed[2]["title"] == "_shipmentcosts_" and listed[2]["variant"] == "PostNL"
    assert (listed[3]["title"], listed[3]["variant"], listed[3]["priceIncl"]) == (
        "_paymentcosts_",
        "PayPal",
        0.35,
    )
    lines = get(lightspeed, f"/nl/orders/{order_id}/products.json").json()["orderProducts"]
    assert [line["quantityInvoiced"] for line in lines] == [3, 7]
    assert [line["quantityRefunded"] for line in lines] == [0, 0]


def test_an_amount_discount_is_spread_over_lines_of_one_rate_pro_rata(lightspeed):
    lines = [
        {"articleCode": f"T-{n}", "quantityOrdered": qty, "basePriceIncl": price, "taxRate": "0.21"}
        for n, (qty, price) in enumerate([(1, "10.00"), (2, "7.77"), (3, "1.99")])
    ]
    order_id, _ = add_order(lightspeed, lines=lines, discount={"kind": "amount", "value": "5.00"})
    invoice = admin(lightspeed, "POST", f"/orders/{order_id}/invoice", {})["invoice"]
    products = [i for i in invoice["items"]["resource"]["embedded"] if i["type"] == "product"]
    goods = sum(i["quantity"] * d(i["basePriceIncl"]) for i in products)
    assert sum(d(i["discountIncl"]) for i in products) == Decimal("5.00")
    for item in products:
        expected = Decimal("5.00") * item["quantity"] * d(item["basePriceIncl"]) / goods
        assert abs(d(item["discountIncl"]) - expected) <= Decimal("0.01")
        assert abs(d(item["discountExcl"]) - d(item["discountIncl"]) / Decimal("1.21")) <= Decimal("0.01")
    order = get(lightspeed, f"/nl/orders/{order_id}.json").json()["order"]
    assert (invoice["priceIncl"], invoice["priceExcl"]) == (order["priceIncl"], order["priceExcl"])


def test_partial_credits_sum_exactly_to_the_invoiced_line(lightspeed):
    order_id, (beans, filters) = add_order(lightspeed)
    before = get(lightspeed, f"/nl/orders/{order_id}.json").json()["order"]["updatedAt"]
    notes = [
        credited(lightspeed, order_id, orderProducts=[{"id": filters, "quantity": n}]) for n in (3, 3, 1)
    ]
    (original,) = [i for i in admin(lightspeed, "GET", "/state")["invoices"] if not i["isCreditNote"]]
    invoiced = next(i for i in original["items"]["resource"]["embedded"] if i["orderProductId"] == filters)
    parts = [items(lightspeed, note["id"]) for note in notes]
    assert all(len(p) == 1 and p[0]["orderProductId"] == filters for p in parts)
    assert [p[0]["quantity"] for p in parts] == [3, 3, 1]
    for name in MONEY[2:]:
        assert sum(d(p[0][name]) for p in parts) == d(invoiced[name]), name
    for part in parts:
        item = part[0]
        assert (item["basePriceIncl"], item["basePriceExcl"]) == (
            invoiced["basePriceIncl"],
            invoiced["basePriceExcl"],
        )
        assert d(item["priceIncl"]) == item["quantity"] * d(item["basePriceIncl"]) - d(item["discountIncl"])
        assert d(item["priceIncl"]) > 0 and d(item["discountIncl"]) > 0
    first = parts[0][0]
    assert d(first["discountIncl"]) == (d(invoiced["discountIncl"]) * 3 / 7).quantize(Decimal("0.01"))
    assert [(n["priceIncl"], n["priceExcl"]) for n in notes] == [
        (p[0]["priceIncl"], p[0]["priceExcl"]) for p in parts
    ]
    lines = get(lightspeed, f"/nl/orders/{order_id}/products.json").json()["orderProducts"]
    assert [line["quantityRefunded"] for line in lines] == [0, 7]
    after = get(lightspeed, f"/nl/orders/{order_id}.json").json()["order"]["updatedAt"]
    assert datetime.fromisoformat(after) > datetime.fromisoformat(before)
    message = error_of(credit(lightspeed, order_id, orderProducts=[{"id": filters, "quantity": 1}]), 400)
    assert message == f"Cannot credit 1 of order product {filters}: 0 of 7 left to credit"
    assert [n["number"] for n in notes] == ["INV00002", "INV00003", "INV00004"]


def test_a_shipping_only_credit_takes_the_shipment_once(lightspeed):
    order_id, _ = add_order(lightspeed)
    note = credited(lightspeed, order_id, creditShipment=True)
    (item,) = items(lightspeed, note["id"])
    assert (item["type"], item["title"], item["priceIncl"], item["priceExcl"]) == (
        "shipment",
        "_shipmentcosts_",
        6.95,
        5.74,
    )
    assert (note["priceIncl"], note["priceExcl"]) == (6.95, 5.74)
    message = error_of(credit(lightspeed, order_id, creditShipment=True), 400)
    assert message.startswith("Nothing to credit")
    pickup, _ = add_order(lightspeed, shipping="0", shipping_address=False)
    assert error_of(credit(lightspeed, pickup, creditShipment=True), 400).startswith("Nothing to credit")
    payment = credited(lightspeed, order_id, creditPayment=True, creditShipment=True)
    assert [(i["type"], i["priceIncl"]) for i in items(lightspeed, payment["id"])] == [("payment", 0.35)]


def test_two_credit_notes_for_one_order_point_at_its_original_invoice(lightspeed):
    order_id, (beans, filters) = add_order(lightspeed)
    other, _ = add_order(lightspeed, customer=False)
    admin(lightspeed, "POST", f"/orders/{other}/invoice", {})
    first = credited(lightspeed, order_id, notifyNew=True, orderProducts=[{"id": beans, "quantity": 1}])
    second = credited(
        lightspeed, order_id, orderProducts=[{"id": beans, "quantity": 2}, {"id": filters, "quantity": 1}]
    )
    original = first["invoice"]["resource"]["id"]
    assert second["invoice"]["resource"] == first["invoice"]["resource"]
    assert first["invoice"]["resource"]["url"] == f"invoices/{original}"
    assert first["invoice"]["resource"]["link"] == f"{lightspeed.url}/nl/invoices/{original}.json"
    assert invoice_ids(get(lightspeed, "/nl/invoices.json", order=order_id)) == [
        second["id"],
        first["id"],
        original,
    ]
    assert get(lightspeed, "/nl/invoices/count.json", order=order_id).json() == {"count": 3}
    assert len(invoice_ids(get(lightspeed, "/nl/invoices.json", order=other))) == 1
    assert invoice_ids(get(lightspeed, "/nl/invoices.json", customer=7100001)) == [
        second["id"],
        first["id"],
        original,
    ]
    assert "order" in error_of(get(lightspeed, "/nl/invoices.json", order="ORD1"), 400)
    for note in (first, second):
        assert note["isCreditNote"] is True and note["status"] == "not_paid" and note["creditNote"] is False
        assert note["order"]["resource"]["id"] == order_id and note["customer"]["resource"]["id"] == 7100001
    assert (first["doNotifyNew"], second["doNotifyNew"]) == (True, False)
    assert [i["quantity"] for i in items(lightspeed, second["id"])] == [2, 1]
    lines = get(lightspeed, f"/nl/orders/{order_id}/products.json").json()["orderProducts"]
    assert [line["quantityRefunded"] for line in lines] == [3, 1]
    guest = credited(
        lightspeed, other, orderProducts=[{"id": _line_ids(lightspeed, other)[0], "quantity": 1}]
    )
    assert guest["customer"] is False and guest["order"]["resource"]["id"] == other


def _line_ids(server, order_id):
    return [
        line["id"] for line in get(server, f"/nl/orders/{order_id}/products.json").json()["orderProducts"]
    ]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"credit": {"orderProducts": [{"id": 1, "quantity": 1}]}}, "Unknown order product 1"),
        ({"credit": {"orderProducts": [{"id": "12", "quantity": 1}]}}, "credit.orderProducts[0].id"),
        ({"credit": {"orderProducts": [{"id": "LINE", "quantity": 0}]}}, "credit.orderProducts[0].quantity"),
        ({"credit": {"orderProducts": [{"id": "LINE", "quantity": 4}]}}, "Cannot credit 4 of order product"),
        (
            {"credit": {"orderProducts": [{"id": "LINE", "quantity": 1}, {"id": "LINE", "quantity": 1}]}},
            "twice",
        ),
        (
            {"credit": {"orderProducts": [{"id": "LINE", "qty": 1}]}},
            "Unknown field credit.orderProducts[0].qty",
        ),
        ({"credit": {"creditShipment": "yes"}}, "credit.creditShipment"),
        ({"credit": {"refundAll": True}}, "Unknown field credit.refundAll"),
        ({"credit": {}}, "Nothing to credit"),
        ({"credit": {"creditPayment": True, "orderProducts": []}}, "Nothing to credit"),
        ({"refund": {}}, "root key"),
        ([], "JSON object"),
    ],
)
def test_a_bad_credit_is_a_400_that_says_why_and_changes_nothing(lightspeed, body, fragment):
    order_id, (beans, _) = add_order(lightspeed, payment_fee="0")
    body = copy.deepcopy(body)
    if isinstance(body, dict) and "credit" in body:
        for entry in body["credit"].get("orderProducts", []):
            entry["id"] = beans if entry["id"] == "LINE" else entry["id"]
    url = f"{lightspeed.url}/nl/orders/{order_id}/credit.json"
    response = requests.post(url, auth=LS_AUTH, json=body, timeout=10)
    assert fragment in error_of(response, 400)
    assert get(lightspeed, "/nl/invoices/count.json").json() == {"count": 0}
    assert [
        line["quantityRefunded"]
        for line in get(lightspeed, f"/nl/orders/{order_id}/products.json").json()["orderProducts"]
    ] == [0, 0]


def test_crediting_an_unknown_order_is_a_404(lightspeed):
    assert error_of(credit(lightspeed, 1, creditShipment=True), 404) == "Order not found"
    assert error_of(credit(lightspeed, "abc", creditShipment=True), 404) == "Order not found"
    response = requests.post(f"{lightspeed.url}/_admin/orders/1/credit", json={"credit": {}}, timeout=10)
    assert response.status_code == 404 and response.json() == {"error": "no order 1"}


@pytest.mark.parametrize("signs", ["positive", "negative"])
def test_credit_item_signs_follow_the_rule_and_the_header_stays_positive(lightspeed, signs):
    rules(lightspeed, credit_item_signs=signs)
    order_id, (beans, _) = add_order(lightspeed)
    note = credited(lightspeed, order_id, creditShipment=True, orderProducts=[{"id": beans, "quantity": 2}])
    sign = -1 if signs == "negative" else 1
    credit_items = items(lightspeed, note["id"])
    assert d(note["priceIncl"]) > 0 and d(note["priceExcl"]) > 0
    assert sum(d(i["priceIncl"]) for i in credit_items) == sign * d(note["priceIncl"])
    for item in credit_items:
        assert all(d(item[name]) * sign >= 0 for name in MONEY) and d(item["priceIncl"]) * sign > 0
        assert item["quantity"] > 0
        assert d(item["priceIncl"]) == item["quantity"] * d(item["basePriceIncl"]) - d(item["discountIncl"])
    original = items(lightspeed, note["invoice"]["resource"]["id"])
    assert all(d(i["priceIncl"]) >= 0 for i in original)  # only credit notes are signed


@pytest.mark.parametrize("root", ["invoiceItems", "invoiceItem", "items"])
def test_the_items_root_follows_the_rule_and_single_items_are_invoice_item(lightspeed_factory, root):
    server = lightspeed_factory(variant_rules={"invoice_items_root": root})
    order_id, _ = add_order(server)
    invoice = admin(server, "POST", f"/orders/{order_id}/invoice", {})["invoice"]
    body = get(server, f"/nl/invoices/{invoice['id']}/items.json").json()
    assert list(body) == [root] and len(body[root]) == 4
    assert get(server, f"/nl/invoices/{invoice['id']}/items/count.json").json() == {"count": 4}
    first = body[root][0]
    assert get(server, f"/nl/invoices/{invoice['id']}/items/{first['id']}.json").json() == {
        "invoiceItem": first
    }
    assert [
        i["id"] for i in get(server, f"/nl/invoices/{invoice['id']}/items.json", limit=2, page=2).json()[root]
    ] == [i["id"] for i in body[root][2:]]
    other, _ = add_order(server)
    other_invoice = admin(server, "POST", f"/orders/{other}/invoice", {})["invoice"]
    wrong = get(server, f"/nl/invoices/{other_invoice['id']}/items/{first['id']}.json")
    assert error_of(wrong, 404) == "Invoice item not found"
    assert error_of(get(server, "/nl/invoices/1/items.json"), 404) == "Invoice not found"
    assert error_of(get(server, "/nl/invoices/1.json"), 404) == "Invoice not found"


@pytest.mark.parametrize("reading", ["false", "link"])
def test_the_credited_invoice_link_follows_the_rule(lightspeed, reading):
    rules(lightspeed, credited_invoice_link=reading)
    order_id, (beans, _) = add_order(lightspeed)
    invoice = admin(
        lightspeed, "POST", f"/orders/{order_id}/invoice", {"createdAt": "2026-11-01T10:00:00+00:00"}
    )
    before = invoice["invoice"]
    credited(lightspeed, order_id, orderProducts=[{"id": beans, "quantity": 1}])
    latest = credited(lightspeed, order_id, orderProducts=[{"id": beans, "quantity": 1}])
    after = get(lightspeed, f"/nl/invoices/{before['id']}.json").json()["invoice"]
    if reading == "false":
        assert after["creditNote"] is False and after["updatedAt"] == before["updatedAt"]
    else:
        assert after["creditNote"]["resource"] == {
            "id": latest["id"],
            "url": f"invoices/{latest['id']}",
            "link": f"{lightspeed.url}/nl/invoices/{latest['id']}.json",
        }
        assert datetime.fromisoformat(after["updatedAt"]) > datetime.fromisoformat(before["updatedAt"])
    assert latest["creditNote"] is False  # a credit note itself is never credited


def test_item_types_and_the_credit_response_root_follow_their_rules(lightspeed):
    rules(lightspeed, invoice_item_types="product/shipping/payment", credit_response="invoice")
    order_id, _ = add_order(lightspeed)
    response = credit(lightspeed, order_id, creditShipment=True, creditPayment=True)
    assert response.status_code == 201 and list(response.json()) == ["invoice"]
    note = response.json()["invoice"]
    assert [i["type"] for i in items(lightspeed, note["id"])] == ["shipping", "payment"]
    rules(lightspeed, create_status=200)
    assert (
        credit(
            lightspeed, order_id, orderProducts=[{"id": _line_ids(lightspeed, order_id)[0], "quantity": 1}]
        ).status_code
        == 200
    )


def test_invoice_date_filters_follow_their_rule(lightspeed):
    order_id, _ = add_order(lightspeed)
    other, _ = add_order(lightspeed)
    early = admin(
        lightspeed, "POST", f"/orders/{order_id}/invoice", {"createdAt": "2026-06-01T10:00:00+00:00"}
    )["invoice"]
    late = admin(lightspeed, "POST", f"/orders/{other}/invoice", {"createdAt": "2026-06-02T10:00:00+00:00"})[
        "invoice"
    ]
    window = {"updated_at_min": "2026-06-01 12:00:00", "updated_at_max": "2026-06-01 12:00:00"}
    assert invoice_ids(get(lightspeed, "/nl/invoices.json", **window)) == [early["id"]]
    assert invoice_ids(get(lightspeed, "/nl/invoices.json", created_at_min="2026-06-02 00:00:00")) == [
        late["id"]
    ]
    changed = admin(
        lightspeed,
        "PUT",
        f"/invoices/{early['id']}",
        {"status": "not_paid", "updatedAt": "2026-06-03T10:00:00+00:00"},
    )
    assert (
        changed["invoice"]["status"] == "not_paid"
        and changed["invoice"]["updatedAt"] == "2026-06-03T12:00:00+02:00"
    )
    assert invoice_ids(get(lightspeed, "/nl/invoices.json", updated_at_min="2026-06-03 00:00:00")) == [
        early["id"]
    ]
    assert "updated_at_max" in error_of(
        get(lightspeed, "/nl/invoices.json", updated_at_max="2026-06-03"), 400
    )
    rules(lightspeed, invoice_date_filters="ignore")
    assert invoice_ids(get(lightspeed, "/nl/invoices.json", **window)) == [late["id"], early["id"]]
    assert invoice_ids(get(lightspeed, "/nl/invoices.json", updated_at_max="junk")) == [
        late["id"],
        early["id"],
    ]
    rules(lightspeed, invoice_date_filters="refuse")
    assert error_of(get(lightspeed, "/nl/invoices.json", **window), 400).startswith(
        "Unknown filter: updated_at_m"
    )
    assert (
        error_of(get(lightspeed, "/nl/invoices/count.json", created_at_max="x"), 400)
        == "Unknown filter: created_at_max"
    )
    assert invoice_ids(get(lightspeed, "/nl/invoices.json")) == [late["id"], early["id"]]


def test_the_credit_note_filter_follows_its_rule(lightspeed):
    order_id, (beans, _) = add_order(lightspeed)
    note = credited(lightspeed, order_id, orderProducts=[{"id": beans, "quantity": 1}])
    original = note["invoice"]["resource"]["id"]
    assert invoice_ids(get(lightspeed, "/nl/invoices.json", isCreditNote="true")) == [note["id"], original]
    rules(lightspeed, invoice_credit_filter="apply")
    assert invoice_ids(get(lightspeed, "/nl/invoices.json", isCreditNote="true")) == [note["id"]]
    assert invoice_ids(get(lightspeed, "/nl/invoices.json", isCreditNote="0")) == [original]
    assert get(lightspeed, "/nl/invoices/count.json", isCreditNote="false").json() == {"count": 1}
    assert "isCreditNote" in error_of(get(lightspeed, "/nl/invoices.json", isCreditNote="yes"), 400)
    rules(lightspeed, invoice_credit_filter="refuse")
    assert (
        error_of(get(lightspeed, "/nl/invoices.json", isCreditNote="true"), 400)
        == "Unknown filter: isCreditNote"
    )


def test_the_invoice_list_pages_newest_first_with_fields(lightspeed):
    made = [
        admin(lightspeed, "POST", f"/orders/{add_order(lightspeed)[0]}/invoice", {})["invoice"]["id"]
        for _ in range(5)
    ]
    pages = [invoice_ids(get(lightspeed, "/nl/invoices.json", limit=2, page=p)) for p in (1, 2, 3)]
    assert sum(pages, []) == made[::-1] and [len(p) for p in pages] == [2, 2, 1]
    assert "maximum is 250" in error_of(get(lightspeed, "/nl/invoices.json", limit=251), 400)
    first = get(lightspeed, "/nl/invoices.json", fields="id,number,isCreditNote", limit=1).json()["invoices"][
        0
    ]
    assert first == {"id": made[-1], "number": "INV00005", "isCreditNote": False}
    single = get(lightspeed, f"/nl/invoices/{made[0]}.json", fields="id,priceIncl").json()["invoice"]
    assert set(single) == {"id", "priceIncl"}


def test_admin_invoice_changes_bump_updated_at_and_are_checked(lightspeed):
    order_id, _ = add_order(lightspeed, paymentStatus="not_paid")
    invoice = admin(
        lightspeed, "POST", f"/orders/{order_id}/invoice", {"createdAt": "2026-06-01T10:00:00+00:00"}
    )["invoice"]
    assert invoice["status"] == "not_paid" and invoice["items"]["resource"]["embedded"]
    paid = admin(lightspeed, "PUT", f"/invoices/{invoice['id']}", {"status": "paid", "isVatShifted": True})[
        "invoice"
    ]
    assert paid["status"] == "paid" and paid["isVatShifted"] is True
    assert datetime.fromisoformat(paid["updatedAt"]) > datetime.fromisoformat(invoice["updatedAt"])
    assert paid["createdAt"] == invoice["createdAt"]
    for body in ({"status": "refunded"}, {"memo": "x"}, {"doNotifyPaid": "yes"}):
        assert (
            requests.put(
                f"{lightspeed.url}/_admin/invoices/{invoice['id']}", json=body, timeout=10
            ).status_code
            == 400
        )
    assert requests.put(f"{lightspeed.url}/_admin/invoices/1", json={}, timeout=10).status_code == 404
    assert requests.post(f"{lightspeed.url}/_admin/orders/1/invoice", json={}, timeout=10).status_code == 404


def test_the_admin_credit_mirrors_the_public_one_and_a_reseed_drops_the_invoices(lightspeed):
    order_id, (beans, _) = add_order(lightspeed)
    body = {"credit": {"orderProducts": [{"id": beans, "quantity": 2}]}}
    note = admin(lightspeed, "POST", f"/orders/{order_id}/credit", body)["credit"]
    assert note["isCreditNote"] is True and [
        i["quantity"] for i in note["items"]["resource"]["embedded"]
    ] == [2]
    too_many = requests.post(f"{lightspeed.url}/_admin/orders/{order_id}/credit", json=body, timeout=10)
    assert too_many.status_code == 400 and "1 of 3 left" in too_many.json()["error"]
    state = admin(lightspeed, "GET", "/state")["invoices"]
    assert [i["id"] for i in state] == [note["invoice"]["resource"]["id"], note["id"]]
    admin(lightspeed, "POST", "/reset", {})
    assert admin(lightspeed, "GET", "/state")["invoices"] == []
    assert get(lightspeed, "/nl/invoices/count.json").json() == {"count": 0}
    again, _ = add_order(lightspeed)
    assert admin(lightspeed, "POST", f"/orders/{again}/invoice", {})["invoice"]["number"] == "INV00001"


def test_invoice_routes_and_the_credit_are_rate_limited_and_authenticated(lightspeed_factory):
    server = lightspeed_factory(rate_limits=(3, 100, 1000), real_time=ManualTime())
    order_id, (beans, _) = add_order(server)
    assert get(server, "/nl/invoices.json").status_code == 200
    assert get(server, "/nl/customers.json").status_code == 200
    assert credit(server, order_id, orderProducts=[{"id": beans, "quantity": 1}]).status_code == 201
    blocked = credit(server, order_id, orderProducts=[{"id": beans, "quantity": 1}])
    assert (
        error_of(blocked, 429)
        and blocked.headers["Retry-After"]
        and "X-RateLimit-Remaining" in blocked.headers
    )
    assert error_of(get(server, "/nl/invoices/count.json"), 429)
    calls = admin(server, "GET", "/calls")["calls"]
    assert calls["POST /{lang}/orders/{id}/credit.json"] == 2 and calls["GET /{lang}/invoices.json"] == 1
    # the admin mirror is neither limited nor counted
    body = {"credit": {"orderProducts": [{"id": beans, "quantity": 1}]}}
    assert admin(server, "POST", f"/orders/{order_id}/credit", body)["credit"]["isCreditNote"] is True
    assert get(server, "/nl/invoices.json", auth=("wrong", "key")).status_code == 401
    assert get(server, "/nl/orders/1/products.json").status_code == 429  # still blocked, nothing else spent


def test_a_credit_whose_answer_is_dropped_was_applied_and_faults_hit_the_invoice_routes(lightspeed):
    order_id, (beans, _) = add_order(lightspeed)
    admin(lightspeed, "POST", "/faults", {"drop_after_post": {"count": 1}})
    with pytest.raises(BROKEN):
        credit(lightspeed, order_id, orderProducts=[{"id": beans, "quantity": 1}])
    assert [
        line["quantityRefunded"]
        for line in get(lightspeed, f"/nl/orders/{order_id}/products.json").json()["orderProducts"]
    ] == [1, 0]
    assert get(lightspeed, "/nl/invoices/count.json", order=order_id).json() == {"count": 2}
    admin(lightspeed, "POST", "/faults", {"status_5xx": {"count": 1, "status": 503}})
    assert error_of(get(lightspeed, "/nl/invoices.json"), 503)
    assert get(lightspeed, "/nl/invoices.json").status_code == 200
    admin(lightspeed, "POST", "/faults", {"post_5xx": {"count": 1}})
    assert error_of(credit(lightspeed, order_id, orderProducts=[{"id": beans, "quantity": 1}]), 503)
    assert get(lightspeed, "/nl/invoices/count.json", order=order_id).json() == {"count": 2}  # nothing made


def test_the_erp_demo_seed_adds_a_customer_without_orders_and_a_partial_credit():
    app = create_lightspeed(LightspeedConfig())
    shop = app.state.emulator.shop
    made = seed_erp_demo(shop, DEFAULT_BASE_TIME)
    assert set(made) == {"customer", "order", "invoice", "creditNote"} and all(made.values())
    with serve_in_thread(app) as server:
        customer = get(server, f"/nl/customers/{made['customer']}.json").json()["customer"]
        assert customer["type"] == "registered" and customer["email"] == "lieke.vandam@example.nl"
        assert datetime.fromisoformat(customer["createdAt"]) == DEFAULT_BASE_TIME - timedelta(minutes=30)
        assert get(server, "/nl/orders/count.json", customer=made["customer"]).json() == {"count": 0}
        assert invoice_ids(get(server, "/nl/invoices.json", order=made["order"])) == [
            made["creditNote"],
            made["invoice"],
        ]
        note = get(server, f"/nl/invoices/{made['creditNote']}.json").json()["invoice"]
        assert note["isCreditNote"] is True and note["invoice"]["resource"]["id"] == made["invoice"]
        (item,) = items(server, made["creditNote"])
        lines = get(server, f"/nl/orders/{made['order']}/products.json").json()["orderProducts"]
        line = next(line for line in lines if line["id"] == item["orderProductId"])
        assert line["quantityRefunded"] == item["quantity"] < line["quantityOrdered"]
        order = get(server, f"/nl/orders/{made['order']}.json").json()["order"]
        assert order["paymentStatus"] == "paid" and order["customer"] is not False
    assert (
        seed_erp_demo(create_lightspeed(LightspeedConfig(orders=0)).state.emulator.shop, DEFAULT_BASE_TIME)[
            "order"
        ]
        is None
    )
