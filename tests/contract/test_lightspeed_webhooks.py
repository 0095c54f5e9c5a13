"""Contract tests of the Lightspeed emulator's webhooks: the CRUD routes and their rules, ``maxWebhooks``,
and the deliveries the shop's events cause — signature, payload, matching, loss, duplicates, bad
signatures, retries, ordering, sync mode and stopping with the server. Deliveries go to a real HTTP
receiver on an ephemeral port; a test waits for them only through the flush endpoint."""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pytest
import requests

from emulators.lightspeed import DEMO_API_SECRET, LightspeedConfig, create_app
from emulators.lightspeed.webhook_delivery import THREAD_NAME, XML_REFUSED
from emulators.server import serve_in_thread
from tests.support.echo_server import EchoServer, Reply, Seen, serve
from tests.support.lightspeed_fixtures import LS_AUTH, admin, get

SECRET = DEMO_API_SECRET.encode()
BROKEN = (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError)


# --- helpers -----------------------------------------------------------------------------------------


def post_hook(server, address="https://hooks.example.nl/lightspeed/shop1", lang="nl", **fields):
    body = {
        "isActive": True,
        "itemGroup": "orders",
        "itemAction": "*",
        "language": "nl",
        "format": "json",
        "address": address,
        **fields,
    }
    body = {name: value for name, value in body.items() if value is not ...}
    return requests.post(
        f"{server.url}/{lang}/webhooks.json", auth=LS_AUTH, json={"webhook": body}, timeout=10
    )


def hook(server, address, **fields) -> dict[str, Any]:
    response = post_hook(server, address, **fields)
    assert response.status_code == 201, response.text
    return response.json()["webhook"]


def put_hook(server, webhook_id, fields, lang="nl"):
    url = f"{server.url}/{lang}/webhooks/{webhook_id}.json"
    return requests.put(url, auth=LS_AUTH, json={"webhook": fields}, timeout=10)


def rules(server, **changes):
    return admin(server, "POST", "/variant_rules", changes)["rules"]


def delivery(server, **settings):
    return admin(server, "POST", "/webhook_delivery", settings)


def flush(server, timeout=10):
    answer = admin(server, "POST", "/webhook_deliveries/flush", {"timeout": timeout})
    assert answer["flushed"] is True and answer["pending"] == 0
    return answer["summary"]


def log(server) -> list[dict[str, Any]]:
    return admin(server, "GET", "/webhook_deliveries")["deliveries"]


def add_orders(server, *specs) -> list[int]:
    return [o["id"] for o in admin(server, "POST", "/orders", {"orders": list(specs)})["orders"]]


def header(seen: Seen, name: str) -> str | None:
    return next((value for key, value in seen.headers.items() if key.lower() == name.lower()), None)


def md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def received(sink: EchoServer, hook_name: str | None = None) -> list[Seen]:
    return [s for s in sink.seen if hook_name is None or s.query.get("hook") == hook_name]


@contextlib.contextmanager
def receiver(respond: Callable[[Seen], Reply] | None = None) -> Iterator[EchoServer]:
    with serve(respond or (lambda seen: Reply(200, b'{"ok":true}'))) as sink:
        yield sink


def webhook_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == THREAD_NAME]


# --- CRUD --------------------------------------------------------------------------------------------


def test_a_webhook_is_created_read_listed_changed_and_deleted(lightspeed):
    created = post_hook(lightspeed)
    assert created.status_code == 201
    first = created.json()["webhook"]
    assert set(first) == {
        "id",
        "createdAt",
        "updatedAt",
        "isActive",
        "itemGroup",
        "itemAction",
        "language",
        "format",
        "address",
    }
    assert first["id"] == 4745101 and first["isActive"] is True and first["format"] == "json"
    assert (first["itemGroup"], first["itemAction"]) == ("orders", "*")
    assert first["language"] == {"id": 1, "code": "nl", "locale": "nl_NL", "title": "Nederlands"}
    assert first["address"] == "https://hooks.example.nl/lightspeed/shop1"
    second = hook(
        lightspeed, "http://hooks.example.nl/c", itemGroup="customers", itemAction="created", language="en"
    )
    assert second["id"] == 4745102 and second["language"]["code"] == "en" and second["language"]["id"] == 2

    assert get(lightspeed, f"/nl/webhooks/{first['id']}.json").json() == {"webhook": first}
    listing = get(lightspeed, "/nl/webhooks.json").json()["webhooks"]
    assert [w["id"] for w in listing] == [second["id"], first["id"]]  # newest first
    assert get(lightspeed, "/nl/webhooks/count.json").json() == {"count": 2}
    assert get(lightspeed, "/nl/webhooks.json", limit=1, page=2).json()["webhooks"][0]["id"] == first["id"]
    assert get(lightspeed, "/nl/webhooks.json", fields="id,itemGroup").json()["webhooks"][0] == {
        "id": second["id"],
        "itemGroup": "customers",
    }

    changed = put_hook(lightspeed, first["id"], {"itemAction": "updated", "isActive": False})
    assert changed.status_code == 200
    body = changed.json()["webhook"]
    assert (
        body["itemAction"] == "updated" and body["isActive"] is False and body["address"] == first["address"]
    )
    assert datetime.fromisoformat(body["updatedAt"]) > datetime.fromisoformat(first["updatedAt"])
    assert body["createdAt"] == first["createdAt"]

    gone = requests.delete(f"{lightspeed.url}/nl/webhooks/{first['id']}.json", auth=LS_AUTH, timeout=10)
    assert gone.status_code == 204 and gone.content == b""
    missing = get(lightspeed, f"/nl/webhooks/{first['id']}.json")
    assert missing.status_code == 404 and missing.json()["error"]["message"] == "Webhook not found"
    assert put_hook(lightspeed, first["id"], {"isActive": True}).status_code == 404
    assert (
        requests.delete(f"{lightspeed.url}/nl/webhooks/x.json", auth=LS_AUTH, timeout=10).status_code == 404
    )
    assert get(lightspeed, "/nl/webhooks/count.json").json() == {"count": 1}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"address": ...}, "Missing field 'address'"),
        ({"isActive": ...}, "Missing field 'isActive'"),
        ({"language": ...}, "Missing field 'language'"),
        ({"secret": "s3cr3t"}, "Unknown field 'secret'"),
        ({"url": "https://hooks.example.nl/x"}, "Unknown field 'url'"),
        ({"isActive": "true"}, "'isActive'"),
        ({"itemGroup": "order"}, "'itemGroup'"),
        ({"itemGroup": "tickets"}, "'itemGroup'"),
        ({"itemAction": "create"}, "'itemAction'"),
        ({"itemGroup": "customers", "itemAction": "paid"}, "'paid' is only for itemGroup 'orders'"),
        ({"itemGroup": "invoices", "itemAction": "shipped"}, "'shipped' is only for itemGroup 'orders'"),
        ({"itemAction": "answered"}, "'answered' is only for itemGroup 'tickets'"),
        ({"language": 1}, "'language'"),
        ({"language": "de"}, "'language'"),
        ({"language": {"code": "nl"}}, "'language'"),
        ({"format": "XML"}, "'format'"),
        ({"format": "csv"}, "'format'"),
        ({"address": "ftp://hooks.example.nl/x"}, "'address'"),
        ({"address": "hooks.example.nl/x"}, "'address'"),
        ({"address": "http://"}, "'address'"),
        ({"address": "https://hooks.example.nl:99999/x"}, "'address'"),
        ({"address": "https://hooks example.nl/x"}, "'address'"),
        ({"address": "https://hooks.example.nl/" + "x" * 2048}, "'address'"),
        ({"address": 42}, "'address'"),
        ({"createdAt": "2026-01-01T00:00:00+01:00"}, "Field 'createdAt' is read-only"),
        ({"id": 1}, "Field 'id' is read-only"),
    ],
)
def test_a_webhook_body_is_checked_strictly(lightspeed, fields, message):
    response = post_hook(lightspeed, **fields)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert message in error["message"] and error["code"] == 400 and error["method"] == "POST"
    assert get(lightspeed, "/nl/webhooks/count.json").json() == {"count": 0}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{", "Invalid JSON"),
        (b"[]", "root key 'webhook'"),
        (b'{"hook": {}}', "Unknown root key 'hook'"),
        (b'{"webhook": []}', "must be a JSON object"),
    ],
)
def test_a_webhook_body_needs_the_webhook_root_key(lightspeed, body, message):
    response = requests.post(f"{lightspeed.url}/nl/webhooks.json", auth=LS_AUTH, data=body, timeout=10)
    assert response.status_code == 400 and message in response.json()["error"]["message"]


def test_the_rules_accept_what_the_strict_readings_refuse(lightspeed):
    assert post_hook(lightspeed, itemGroup="customers", itemAction="paid").status_code == 400
    rules(lightspeed, webhook_action_groups="any")
    assert (
        hook(lightspeed, "https://h.example.nl/1", itemGroup="customers", itemAction="paid")["itemAction"]
        == "paid"
    )
    assert hook(lightspeed, "https://h.example.nl/2", itemGroup="orders", itemAction="answered")

    assert post_hook(lightspeed, language=2).status_code == 400
    rules(lightspeed, webhook_language="code_or_id")
    assert hook(lightspeed, "https://h.example.nl/3", language=2)["language"]["code"] == "en"
    assert hook(lightspeed, "https://h.example.nl/4", language="nl")["language"]["id"] == 1
    for bad in (0, 3, True, "NL"):
        assert post_hook(lightspeed, language=bad).status_code == 400, bad

    assert post_hook(lightspeed, itemGroup="contacts").status_code == 400
    rules(lightspeed, webhook_extra_groups="accept", webhook_action_groups="orders_only")
    assert hook(lightspeed, "https://h.example.nl/5", itemGroup="contacts")["itemGroup"] == "contacts"
    assert hook(lightspeed, "https://h.example.nl/6", itemGroup="tickets", itemAction="answered")

    rules(lightspeed, readonly_fields="ignore")
    ignored = hook(lightspeed, "https://h.example.nl/7", id=1, createdAt="2000-01-01T00:00:00+00:00")
    assert ignored["id"] != 1 and not ignored["createdAt"].startswith("2000")
    assert hook(lightspeed, "https://h.example.nl/8", format="xml")["format"] == "xml"


def test_a_put_changes_only_what_it_sends_and_checks_the_resulting_pair(lightspeed):
    paid = hook(lightspeed, "https://h.example.nl/paid", itemAction="paid")
    refused = put_hook(lightspeed, paid["id"], {"itemGroup": "customers"})
    assert refused.status_code == 400 and "only for itemGroup 'orders'" in refused.json()["error"]["message"]
    for fields in (
        {"secret": "x"},
        {"address": "mailto:x@example.nl"},
        {"isActive": 1},
        {"isActive": True, "format": "yaml"},
    ):
        assert put_hook(lightspeed, paid["id"], fields).status_code == 400, fields
    assert get(lightspeed, f"/nl/webhooks/{paid['id']}.json").json()["webhook"] == paid  # nothing changed
    both = put_hook(
        lightspeed, paid["id"], {"itemGroup": "customers", "itemAction": "created", "language": "en"}
    )
    assert both.status_code == 200
    assert {k: both.json()["webhook"][k] for k in ("itemGroup", "itemAction")} == {
        "itemGroup": "customers",
        "itemAction": "created",
    }
    assert both.json()["webhook"]["language"]["code"] == "en"


def test_max_webhooks_is_enforced_under_the_shop_limit_rule(lightspeed):
    admin(lightspeed, "POST", "/shop_limits", {"maxWebhooks": 2})
    assert get(lightspeed, "/nl/shop/limits.json").json()["shopLimits"]["maxWebhooks"] == 2
    first = hook(lightspeed, "https://h.example.nl/1")
    hook(lightspeed, "https://h.example.nl/2", isActive=False)  # inactive ones count too
    refused = post_hook(lightspeed, "https://h.example.nl/3")
    assert refused.status_code == 400
    assert refused.json()["error"]["message"] == "The shop has reached its maximum number of webhooks (2)"
    requests.delete(f"{lightspeed.url}/nl/webhooks/{first['id']}.json", auth=LS_AUTH, timeout=10)
    hook(lightspeed, "https://h.example.nl/3")
    rules(lightspeed, shop_limit_exceeded="ignore")
    hook(lightspeed, "https://h.example.nl/4")
    assert get(lightspeed, "/nl/webhooks/count.json").json() == {"count": 3}


def test_delete_and_create_statuses_follow_their_rules(lightspeed):
    rules(lightspeed, create_status=200, delete_status=200)
    created = post_hook(lightspeed)
    assert created.status_code == 200
    gone = requests.delete(
        f"{lightspeed.url}/nl/webhooks/{created.json()['webhook']['id']}.json", auth=LS_AUTH, timeout=10
    )
    assert gone.status_code == 200 and gone.json() == {}


def test_webhook_routes_have_the_apis_auth_language_rate_limits_and_faults(lightspeed):
    response = get(lightspeed, "/nl/webhooks.json", auth=None)
    assert response.status_code == 401 and response.headers["X-RateLimit-Remaining"]
    assert get(lightspeed, "/de/webhooks.json").json()["error"]["message"] == "Unknown or inactive language"
    admin(lightspeed, "POST", "/faults", {"post_5xx": {"count": 1, "status": 502}})
    assert post_hook(lightspeed).status_code == 502
    assert get(lightspeed, "/nl/webhooks/count.json").json() == {"count": 0}
    admin(lightspeed, "POST", "/faults", {"drop_after_post": {"count": 1}})
    with pytest.raises(BROKEN):
        post_hook(lightspeed)
    assert get(lightspeed, "/nl/webhooks/count.json").json() == {"count": 1}  # applied, answer lost
    calls = admin(lightspeed, "GET", "/calls")["calls"]
    assert calls["POST /{lang}/webhooks.json"] == 2 and calls["GET /{lang}/webhooks/count.json"] == 2
    admin(lightspeed, "POST", "/faults", {"exhaust": "5min"})
    assert get(lightspeed, "/nl/webhooks.json").status_code == 429


# --- deliveries --------------------------------------------------------------------------------------


def test_an_order_event_is_posted_signed_with_the_order_as_the_api_renders_it(lightspeed):
    with receiver() as sink:
        made = hook(lightspeed, f"{sink.url}/lightspeed/shop1?token=abc", itemAction="created")
        [order_id] = add_orders(lightspeed, {"paymentStatus": "not_paid"})
        assert flush(lightspeed)["ok"] == 1
        [seen] = sink.seen
    assert seen.method == "POST" and seen.path == "/lightspeed/shop1" and seen.query == {"token": "abc"}
    assert header(seen, "Content-Type") == "application/json"
    assert header(seen, "X-Signature") == md5(seen.body + SECRET)
    assert {k.lower() for k in seen.headers} == {
        "host",
        "content-length",
        "accept-encoding",
        "content-type",
        "user-agent",
        "x-signature",
    }
    assert json.loads(seen.body) == get(lightspeed, f"/nl/orders/{order_id}.json").json()
    [entry] = log(lightspeed)
    assert entry["webhook"] == made["id"] and entry["resource"] == order_id and entry["event"] == 1
    assert (entry["group"], entry["action"], entry["attempt"], entry["status"]) == (
        "orders",
        "created",
        1,
        200,
    )
    assert entry["ok"] and entry["signed_ok"] and not entry["lost"] and not entry["duplicate"]
    assert entry["error"] is None and entry["signature"] == header(seen, "X-Signature") and entry["at"]


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("md5_body_secret", lambda body, key: md5(body + key)),
        ("md5_secret_body", lambda body, key: md5(key + body)),
        ("uppercase_hex", lambda body, key: md5(body + key).upper()),
        ("none", lambda body, key: None),
    ],
)
def test_the_signature_follows_the_rule(lightspeed, rule, expected):
    rules(lightspeed, webhook_signature=rule)
    with receiver() as sink:
        hook(lightspeed, f"{sink.url}/h", itemAction="created")
        add_orders(lightspeed, {})
        flush(lightspeed)
        [seen] = sink.seen
    assert header(seen, "X-Signature") == expected(seen.body, SECRET)
    assert log(lightspeed)[0]["signed_ok"] is (rule != "none")


def test_the_webhook_secret_signs_when_configured(lightspeed_factory):
    server = lightspeed_factory(webhook_secret="hook-secret-1")
    with receiver() as sink:
        hook(server, f"{sink.url}/h", itemAction="created")
        add_orders(server, {})
        flush(server)
        assert delivery(server, secret="hook-secret-2")["secret"] == "hook-secret-2"
        add_orders(server, {})
        flush(server)
        assert delivery(server, secret=None)["secret"] is None  # back to the API secret
        add_orders(server, {})
        flush(server)
        first, second, third = sink.seen
    assert header(first, "X-Signature") == md5(first.body + b"hook-secret-1")
    assert header(second, "X-Signature") == md5(second.body + b"hook-secret-2")
    assert header(third, "X-Signature") == md5(third.body + SECRET)
    admin(server, "POST", "/reset", {})
    assert admin(server, "GET", "/webhook_delivery")["secret"] == "hook-secret-1"


@pytest.mark.parametrize("shape", ["wrapped", "unwrapped", "id_only"])
def test_the_payload_shape_follows_the_rule(lightspeed, shape):
    rules(lightspeed, webhook_payload=shape)
    with receiver() as sink:
        hook(lightspeed, f"{sink.url}/h", itemAction="created")
        [order_id] = add_orders(lightspeed, {})
        flush(lightspeed)
        [seen] = sink.seen
    order = get(lightspeed, f"/nl/orders/{order_id}.json").json()["order"]
    expected = {"wrapped": {"order": order}, "unwrapped": order, "id_only": {"order": {"id": order_id}}}[
        shape
    ]
    assert json.loads(seen.body) == expected
    assert header(seen, "X-Signature") == md5(seen.body + SECRET)


def test_the_payload_is_in_the_webhooks_language(lightspeed):
    with receiver() as sink:
        hook(lightspeed, f"{sink.url}/h?hook=en", itemAction="created", language="en")
        hook(lightspeed, f"{sink.url}/h?hook=nl", itemAction="created", language="nl")
        [order_id] = add_orders(lightspeed, {})
        flush(lightspeed)
        [english], [dutch] = received(sink, "en"), received(sink, "nl")
    assert json.loads(english.body) == get(lightspeed, f"/en/orders/{order_id}.json").json()
    assert json.loads(dutch.body) == get(lightspeed, f"/nl/orders/{order_id}.json").json()
    assert "/en/" in json.loads(english.body)["order"]["products"]["resource"]["link"]


def test_only_active_webhooks_whose_group_and_action_match_are_called(lightspeed):
    names = ("created", "updated", "paid", "shipped", "*", "deleted")
    with receiver() as sink:
        ids = {name: hook(lightspeed, f"{sink.url}/h?hook={name}", itemAction=name)["id"] for name in names}
        ids["inactive"] = hook(lightspeed, f"{sink.url}/h?hook=inactive", isActive=False)["id"]
        ids["customers"] = hook(lightspeed, f"{sink.url}/h?hook=customers", itemGroup="customers")["id"]
        ids["xml"] = hook(lightspeed, f"{sink.url}/h?hook=xml", itemAction="created", format="xml")["id"]
        [order_id] = add_orders(lightspeed, {"paymentStatus": "not_paid", "shipmentStatus": "not_shipped"})
        admin(lightspeed, "PATCH", f"/orders/{order_id}", {"paymentStatus": "paid"})
        admin(lightspeed, "PATCH", f"/orders/{order_id}", {"memo": "no status change"})
        admin(lightspeed, "PATCH", f"/orders/{order_id}", {"shipmentStatus": "shipped"})
        assert admin(lightspeed, "DELETE", f"/orders/{order_id}") == {"deleted": True}
        flush(lightspeed)
        seen = {name: len(received(sink, name)) for name in ids}
    actions = {
        name: [e["action"] for e in log(lightspeed) if e["webhook"] == hid] for name, hid in ids.items()
    }
    assert actions == {
        "created": ["created"],
        "updated": ["updated", "updated", "updated"],
        "paid": ["paid"],
        "shipped": ["shipped"],
        "*": ["created", "updated", "paid", "updated", "updated", "shipped", "deleted"],
        "deleted": ["deleted"],
        "inactive": [],
        "customers": [],
        "xml": ["created"],
    }
    assert seen == {name: len(a) for name, a in actions.items()} | {"xml": 0}  # xml is never sent
    assert {e["resource"] for e in log(lightspeed)} == {order_id}


def test_a_new_paid_order_is_created_and_paid_and_a_generated_one_too(lightspeed):
    with receiver() as sink:
        hook(lightspeed, f"{sink.url}/h")
        [order_id] = add_orders(lightspeed, {"paymentStatus": "paid"})
        generated = admin(lightspeed, "POST", "/orders", {"generate": 3})["orders"]
        flush(lightspeed)
        assert len(sink.seen) == len(log(lightspeed))
    events = [(e["resource"], e["action"]) for e in log(lightspeed)]
    assert events[:2] == [(order_id, "created"), (order_id, "paid")]
    assert {r for r, a in events if a == "created"} == {order_id} | {o["id"] for o in generated}


def test_customer_and_invoice_events_carry_the_resource_as_the_api_renders_it(lightspeed):
    with receiver() as sink:
        hook(lightspeed, f"{sink.url}/h?hook=customers", itemGroup="customers")
        hook(lightspeed, f"{sink.url}/h?hook=invoices", itemGroup="invoices", itemAction="created")
        hook(lightspeed, f"{sink.url}/h?hook=orders", itemAction="updated")
        customer = admin(lightspeed, "POST", "/customers", {"email": "nieuw@example.nl", "firstname": "Nel"})
        customer_id = customer["customer"]["id"]
        admin(lightspeed, "PUT", f"/customers/{customer_id}", {"lastname": "Bakker"})
        [order_id] = add_orders(lightspeed, {"lines": [{"productTitle": "Koffie", "quantityOrdered": 2}]})
        line_id = get(lightspeed, f"/nl/orders/{order_id}/products.json").json()["orderProducts"][0]["id"]
        credit = {"credit": {"orderProducts": [{"id": line_id, "quantity": 1}]}}
        note = admin(lightspeed, "POST", f"/orders/{order_id}/credit", credit)["credit"]
        flush(lightspeed)
        customers, invoices, orders = (received(sink, name) for name in ("customers", "invoices", "orders"))
    entries = log(lightspeed)
    assert [(e["group"], e["action"]) for e in entries if e["group"] == "customers"] == [
        ("customers", "created"),
        ("customers", "updated"),
    ]
    assert json.loads(customers[-1].body) == get(lightspeed, f"/nl/customers/{customer_id}.json").json()
    assert json.loads(customers[0].body)["customer"]["lastname"] == ""  # rendered when it happened
    invoice_ids = [e["resource"] for e in entries if e["group"] == "invoices"]
    assert len(invoice_ids) == 2 and invoice_ids[1] == note["id"]  # the order's invoice, then the credit
    for seen, invoice_id in zip(invoices, invoice_ids, strict=True):
        assert json.loads(seen.body) == get(lightspeed, f"/nl/invoices/{invoice_id}.json").json()
    assert json.loads(invoices[1].body)["invoice"]["isCreditNote"] is True
    [order_update] = orders
    assert json.loads(order_update.body) == get(lightspeed, f"/nl/orders/{order_id}.json").json()


def test_an_order_that_brings_a_new_customer_reports_the_customer(lightspeed):
    with receiver() as sink:
        hook(lightspeed, f"{sink.url}/h", itemGroup="customers", itemAction="created")
        add_orders(lightspeed, {"customer": 99000001, "email": "Gast@Example.nl"})
        flush(lightspeed)
        [seen] = sink.seen
    assert json.loads(seen.body)["customer"]["id"] == 99000001


def test_loss_duplicates_and_bad_signatures_follow_the_seed(lightspeed_factory):
    settings = {"loss_rate": 0.25, "duplicate_rate": 0.25, "bad_signature_rate": 0.25, "seed": 11}

    def run() -> tuple[list[tuple[int, bool, bool, bool]], dict[str, int]]:
        server = lightspeed_factory(orders=0, webhook_delivery=settings)
        with receiver() as sink:
            hook(server, f"{sink.url}/h", itemAction="created")
            order_ids = add_orders(server, *({} for _ in range(24)))
            counts = flush(server)
            seen = list(sink.seen)
        entries = log(server)
        lost = [e for e in entries if e["lost"]]
        sent = [e for e in entries if not e["lost"]]
        assert counts["deliveries"] == 24 and counts["lost"] == len(lost)
        # what the receiver saw is exactly what the log says was sent
        assert len(seen) == len(sent) == 24 - counts["lost"] + counts["duplicates"]
        got = Counter(json.loads(s.body)["order"]["id"] for s in seen)
        assert set(got) == set(order_ids) - {e["resource"] for e in lost}
        assert {r for r, n in got.items() if n == 2} == {e["resource"] for e in sent if e["duplicate"]}
        forged = sum(header(s, "X-Signature") != md5(s.body + SECRET) for s in seen)
        assert forged == sum(not e["signed_ok"] for e in sent) == counts["bad_signatures"]
        pattern = [
            (order_ids.index(e["resource"]), e["lost"], e["duplicate"], e["signed_ok"]) for e in entries
        ]
        return pattern, counts

    pattern, counts = run()
    assert counts["lost"] > 0 and counts["duplicates"] > 0 and counts["bad_signatures"] > 0
    assert run() == (pattern, counts)  # the same seed, the same outcome


def test_rates_of_one_lose_or_repeat_every_delivery(lightspeed):
    with receiver() as sink:
        hook(lightspeed, f"{sink.url}/h", itemAction="created")
        delivery(lightspeed, loss_rate=1)
        add_orders(lightspeed, {}, {})
        assert flush(lightspeed)["lost"] == 2 and sink.seen == []
        admin(lightspeed, "POST", "/webhook_deliveries/reset")
        delivery(lightspeed, loss_rate=0, duplicate_rate=1, bad_signature_rate=1)
        add_orders(lightspeed, {})
        assert flush(lightspeed) == {
            "attempts": 2,
            "deliveries": 1,
            "ok": 2,
            "failed": 0,
            "lost": 0,
            "duplicates": 1,
            "bad_signatures": 2,
        }
        assert len(sink.seen) == 2 and sink.seen[0].body == sink.seen[1].body
        assert all(header(s, "X-Signature") != md5(s.body + SECRET) for s in sink.seen)


def test_a_failing_receiver_gets_the_configured_retries(lightspeed):
    hits: Counter[str] = Counter()

    def respond(seen: Seen) -> Reply:
        hits[seen.query["hook"]] += 1
        if seen.query["hook"] == "flaky" and hits["flaky"] > 2:
            return Reply(200, b"{}")
        return Reply(500, b'{"error":"down"}')

    with receiver(respond) as sink:
        flaky = hook(lightspeed, f"{sink.url}/h?hook=flaky", itemAction="created")["id"]
        delivery(lightspeed, retries=3, retry_backoff_ms=1)
        [order_id] = add_orders(lightspeed, {})
        flush(lightspeed)
        down = hook(lightspeed, f"{sink.url}/h?hook=down", itemAction="updated")["id"]
        delivery(lightspeed, retries=2)
        admin(lightspeed, "PATCH", f"/orders/{order_id}", {"memo": "x"})
        flush(lightspeed)
        delivery(lightspeed, retries=0)
        admin(lightspeed, "PATCH", f"/orders/{order_id}", {"memo": "y"})
        flush(lightspeed)
    entries = log(lightspeed)

    def attempts(hid: int) -> list[tuple[int, int, bool]]:
        return [(e["attempt"], e["status"], e["ok"]) for e in entries if e["webhook"] == hid]

    assert attempts(flaky) == [(1, 500, False), (2, 500, False), (3, 200, True)]
    assert attempts(down) == [(1, 500, False), (2, 500, False), (3, 500, False), (1, 500, False)]
    assert hits == {"flaky": 3, "down": 4}
    assert len({e["delivery"] for e in entries if e["webhook"] == down}) == 2


def test_a_receiver_that_does_not_answer_in_time_is_a_timeout(lightspeed):
    release = threading.Event()

    def respond(seen: Seen) -> Reply:
        release.wait(10)
        return Reply(200, b"{}")

    with receiver(respond) as sink:
        hook(lightspeed, f"{sink.url}/h", itemAction="created")
        delivery(lightspeed, timeout_ms=150, retries=1, retry_backoff_ms=1)
        add_orders(lightspeed, {})
        try:
            flush(lightspeed)
        finally:
            release.set()
        assert len(sink.seen) == 2
    assert [(e["attempt"], e["status"], e["error"]) for e in log(lightspeed)] == [
        (1, None, "timeout"),
        (2, None, "timeout"),
    ]


def test_an_unreachable_receiver_is_a_connection_error(lightspeed):
    with receiver() as sink:
        address = f"{sink.url}/h"
    hook(lightspeed, address, itemAction="created")  # the receiver is gone: its port refuses
    add_orders(lightspeed, {})
    flush(lightspeed)
    [entry] = log(lightspeed)
    assert entry["status"] is None and entry["error"].startswith("connection error") and not entry["ok"]


def test_an_xml_webhook_is_stored_but_its_deliveries_fail_without_a_request(lightspeed):
    with receiver() as sink:
        hook(lightspeed, f"{sink.url}/h", itemAction="created", format="xml")
        delivery(lightspeed, retries=3, retry_backoff_ms=1)
        add_orders(lightspeed, {})
        assert flush(lightspeed)["failed"] == 1
        assert sink.seen == []
    [entry] = log(lightspeed)
    assert (entry["status"], entry["error"], entry["ok"], entry["attempt"]) == (None, XML_REFUSED, False, 1)


def test_delivery_is_asynchronous_by_default(lightspeed):
    assert admin(lightspeed, "GET", "/webhook_delivery")["delivery"]["mode"] == "async"
    arrived, release = threading.Event(), threading.Event()

    def respond(seen: Seen) -> Reply:
        arrived.set()
        release.wait(10)
        return Reply(200, b"{}")

    with receiver(respond) as sink:
        hook(lightspeed, f"{sink.url}/h", itemAction="created")
        try:
            add_orders(lightspeed, {})  # answered while the receiver still holds the delivery
            assert arrived.wait(10)
            assert admin(lightspeed, "GET", "/webhook_deliveries")["pending"] == 1
        finally:
            release.set()
        flush(lightspeed)
        assert len(sink.seen) == 1
    assert [e["status"] for e in log(lightspeed)] == [200]


def test_sync_mode_delivers_before_the_admin_call_returns(lightspeed):
    delivery(lightspeed, mode="sync")
    with receiver() as sink:
        hook(lightspeed, f"{sink.url}/h", itemAction="created")
        [order_id] = add_orders(lightspeed, {})
        assert len(sink.seen) == 1  # no flush: the call waited
        answer = admin(lightspeed, "GET", "/webhook_deliveries")
        assert answer["pending"] == 0 and answer["deliveries"][0]["resource"] == order_id
        assert webhook_threads() == []


def test_sync_mode_lets_the_receiver_call_the_emulator_back(lightspeed):
    fetched: list[int] = []

    def respond(seen: Seen) -> Reply:
        order_id = json.loads(seen.body)["order"]["id"]
        fetched.append(get(lightspeed, f"/nl/orders/{order_id}.json").status_code)
        return Reply(200, b"{}")

    delivery(lightspeed, mode="sync", timeout_ms=5000)
    with receiver(respond) as sink:
        hook(lightspeed, f"{sink.url}/h", itemAction="created")
        add_orders(lightspeed, {})
        assert fetched == [200]  # the receiver's own call was answered while the admin call waited
    assert log(lightspeed)[0]["status"] == 200


@pytest.mark.parametrize("reorder", [True, False])
def test_jittered_deliveries_overtake_each_other_only_under_reorder(lightspeed, reorder):
    with receiver() as sink:
        hook(lightspeed, f"{sink.url}/h", itemAction="created")
        delivery(lightspeed, jitter_ms=400, reorder=reorder, seed="shuffle")
        order_ids = add_orders(lightspeed, *({} for _ in range(8)))
        flush(lightspeed)
        arrival = [json.loads(s.body)["order"]["id"] for s in sink.seen]
    assert sorted(arrival) == sorted(order_ids)
    assert (arrival != order_ids) is reorder


def test_under_reorder_a_retry_lets_later_deliveries_pass(lightspeed):
    hits: Counter[int] = Counter()

    def respond(seen: Seen) -> Reply:
        order_id = json.loads(seen.body)["order"]["id"]
        hits[order_id] += 1
        return Reply(503 if hits[order_id] == 1 and order_id == first else 200, b"{}")

    with receiver(respond) as sink:
        hook(lightspeed, f"{sink.url}/h", itemAction="updated")
        first, second = add_orders(lightspeed, {}, {})
        delivery(lightspeed, reorder=True, retries=1, retry_backoff_ms=300)
        for order_id in (first, second):
            admin(lightspeed, "PATCH", f"/orders/{order_id}", {"memo": "x"})
        flush(lightspeed)
        arrival = [json.loads(s.body)["order"]["id"] for s in sink.seen]
    assert arrival == [first, second, first]


def test_flush_answers_504_while_deliveries_are_pending_and_reset_drops_them(lightspeed):
    with receiver() as sink:
        hook(lightspeed, f"{sink.url}/h", itemAction="created")
        delivery(lightspeed, delay_ms=60_000)
        add_orders(lightspeed, {})
        response = requests.post(
            f"{lightspeed.url}/_admin/webhook_deliveries/flush", json={"timeout": 0.2}, timeout=10
        )
        assert response.status_code == 504
        assert response.json()["flushed"] is False and response.json()["pending"] == 1
        assert admin(lightspeed, "GET", "/webhook_deliveries?wait=0.1")["pending"] == 1
        assert admin(lightspeed, "POST", "/webhook_deliveries/reset") == {"ok": True}
        assert admin(lightspeed, "GET", "/webhook_deliveries") == {
            "deliveries": [],
            "pending": 0,
            "summary": {
                "attempts": 0,
                "deliveries": 0,
                "ok": 0,
                "failed": 0,
                "lost": 0,
                "duplicates": 0,
                "bad_signatures": 0,
            },
        }
        assert sink.seen == []


@pytest.mark.parametrize(
    "body",
    [
        {"loss_rate": 1.5},
        {"duplicate_rate": -0.1},
        {"bad_signature_rate": "0.5"},
        {"mode": "later"},
        {"retries": -1},
        {"retries": 1.5},
        {"reorder": "yes"},
        {"timeout_ms": 0},
        {"delay_ms": True},
        {"seed": 1.5},
        {"speed": 1},
        {"secret": ""},
        {"secret": 5},
        {"retries": 2, "loss_rate": 7},
    ],
)
def test_bad_delivery_settings_are_refused_as_a_whole(lightspeed, body):
    before = admin(lightspeed, "GET", "/webhook_delivery")
    response = requests.post(f"{lightspeed.url}/_admin/webhook_delivery", json=body, timeout=10)
    assert response.status_code == 400 and response.json()["error"]
    assert admin(lightspeed, "GET", "/webhook_delivery") == before


def test_bad_flush_and_wait_values_are_refused(lightspeed):
    for body in ({"timeout": -1}, {"timeout": 301}, {"timeout": "1"}, {"wait": 1}):
        response = requests.post(f"{lightspeed.url}/_admin/webhook_deliveries/flush", json=body, timeout=10)
        assert response.status_code == 400, body
    for wait in ("soon", "-1"):
        response = requests.get(f"{lightspeed.url}/_admin/webhook_deliveries?wait={wait}", timeout=10)
        assert response.status_code == 400, wait


def test_reset_restores_the_configured_delivery_rules_and_drops_webhooks(lightspeed_factory):
    server = lightspeed_factory(
        webhook_delivery={"retries": 2, "seed": 5}, variant_rules={"webhook_payload": "id_only"}
    )
    configured = admin(server, "GET", "/webhook_delivery")
    assert configured["delivery"]["retries"] == 2 and configured["delivery"]["seed"] == 5
    assert configured["delivery"]["mode"] == "async" and configured["secret"] is None
    with receiver() as sink:
        hook(server, f"{sink.url}/h", itemAction="created")
        changed = delivery(server, retries=0, mode="sync", reorder=True, secret="other")
        assert changed["delivery"]["retries"] == 0 and changed["delivery"]["reorder"] is True
        rules(server, webhook_payload="unwrapped", webhook_signature="none")
        add_orders(server, {})
        assert log(server)
    admin(server, "POST", "/reset", {})
    assert admin(server, "GET", "/webhook_delivery") == configured
    assert admin(server, "GET", "/webhook_deliveries")["deliveries"] == []
    assert get(server, "/nl/webhooks/count.json").json() == {"count": 0}
    restored = admin(server, "GET", "/variant_rules")["rules"]
    assert restored["webhook_payload"] == "id_only" and restored["webhook_signature"] == "md5_body_secret"
    assert hook(server, "https://h.example.nl/x")["id"] == 4745101  # ids start again


def test_the_config_checks_webhook_settings():
    for bad in (
        {"webhook_delivery": {"loss_rate": 2}},
        {"webhook_delivery": {"nope": 1}},
        {"webhook_secret": ""},
    ):
        with pytest.raises(ValueError):
            LightspeedConfig(**bad)
    assert LightspeedConfig(webhook_delivery={"mode": "sync"}).webhook_delivery.mode == "sync"


def test_the_sender_stops_with_the_server_and_leaves_no_thread():
    with receiver() as sink:
        app = create_app(LightspeedConfig(orders=0, webhook_delivery={"delay_ms": 60_000}))
        with serve_in_thread(app) as server:
            hook(server, f"{sink.url}/h", itemAction="created")
            add_orders(server, {})
            assert admin(server, "GET", "/webhook_deliveries")["pending"] == 1
            assert len(webhook_threads()) == 1  # the worker waits for the delivery's time
        assert webhook_threads() == []  # joined when the server's event loop ended
        assert app.state.emulator.deliveries.pending() == 0
        assert sink.seen == []


def test_the_worker_ends_when_the_queue_is_empty(lightspeed):
    with receiver() as sink:
        hook(lightspeed, f"{sink.url}/h", itemAction="created")
        add_orders(lightspeed, {})
        flush(lightspeed)
        assert len(sink.seen) == 1
    emulator_deliveries = lightspeed.app.state.emulator.deliveries
    for thread in webhook_threads():
        thread.join(5)
    assert webhook_threads() == [] and emulator_deliveries.pending() == 0
