"""The credit-notes flow end to end: the credit-notes DAG (extract_credit_notes → transform →
load_to_afas) run with ``dag.test()`` against both emulators over HTTP, after the orders DAG booked the
orders the refunds belong to."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from tests.e2e.test_order_cases import COFFEE, MUG, booked, empty_shop, order
from tests.e2e.test_order_sync import recently

D = Decimal
RATES = {"1": D("0.21"), "2": D("0.09"), "3": D("0")}  # the default mapping's VAT codes


def shop_order(env: Any, number: str) -> dict[str, Any]:
    return next(o for o in env.shop_admin("GET", "/state")["orders"] if o["number"] == number)


def line_ids(env: Any, number: str) -> dict[str, int]:
    lines = shop_order(env, number)["products"]["resource"]["embedded"]
    return {line["articleCode"]: line["id"] for line in lines}


def refund(
    env: Any, number: str, lines: dict[str, int], shipping: bool = False, payment: bool = False
) -> dict:
    """Credit ``lines`` (article code → quantity) of order ``number``; the credit note is dated inside the
    next run's window."""
    ids = line_ids(env, number)
    body = {
        "credit": {
            "creditShipment": shipping,
            "creditPayment": payment,
            "orderProducts": [{"id": ids[code], "quantity": qty} for code, qty in lines.items()],
        }
    }
    order_id = shop_order(env, number)["id"]
    note = env.shop_admin("POST", f"/orders/{order_id}/credit", body)["credit"]
    env.shop_admin("PUT", f"/invoices/{note['id']}", {"updatedAt": recently()})
    env.shop_admin("PATCH", f"/orders/{order_id}", {"updatedAt": recently()})  # the credit moved it to now
    return note


def credits(env: Any, key: str = "orders") -> dict[str, dict[str, Any]]:
    """AFAS documents whose reference is a credit note number (INV…)."""
    return {ref: doc for ref, doc in booked(env, key).items() if ref.startswith("INV")}


def total_incl(doc: dict[str, Any]) -> Decimal:
    total = D(0)
    for line in doc["lines"]:
        f = line
        amount = (D(str(f["QuUn"])) * D(str(f["Upri"]))).quantize(D("0.01"))
        total += amount  # the default mapping books prices incl. VAT
    return total


@pytest.fixture
def refunds_env(sync_env):
    sync_env.tenant(credit_notes={"schedule": "*/15 * * * *"})
    orders = empty_shop(
        sync_env,
        order(email="fleur@example.nl", lastname="Boer", lines=[MUG, COFFEE], shipping="6.95", payment_fee="0.35",
              at=recently()),
        order(email="kees@example.nl", lastname="Kees", at=recently()),
    )  # fmt: skip
    assert sync_env.run().state == "success"
    sync_env.numbers = sorted(orders)
    return sync_env


def test_partial_refunds_shipping_only_and_two_credit_notes_for_one_order_each_book_once(refunds_env):
    env = refunds_env
    first, _ = env.numbers
    debtor = booked(env)[first]["fields"]["DbId"]
    mug = refund(env, first, {"ART-2001": 1})
    ship = refund(env, first, {}, shipping=True)
    rest = refund(env, first, {"ART-2001": 1, "ART-1001": 3}, payment=True)
    run = env.run(flow="credit_notes")
    assert run.state == "success"
    got = credits(env)
    assert set(got) == {mug["number"], ship["number"], rest["number"]}
    for note in (mug, ship, rest):
        doc = got[note["number"]]
        assert doc["fields"]["DbId"] == debtor, "on the debtor of the original order"
        assert first in doc["fields"]["Re"]
        assert total_incl(doc) == -D(str(note["priceIncl"])), "the credit is the refund, to the cent"
        assert all(D(str(ln["QuUn"])) < 0 < D(str(ln["Upri"])) for ln in doc["lines"])
    mug_line = got[mug["number"]]["lines"][0]
    assert mug_line["ItCd"] == "ART-2001" and mug_line["QuUn"] in (-1, "-1", D(-1))
    assert [ln["ItCd"] for ln in got[ship["number"]]["lines"]] == ["VERZEND"]
    states = {s.number: s for s in env.ledger.items("shop", "credit_notes")}
    assert {n: s.status for n, s in states.items()} == dict.fromkeys(got, "created")
    assert states[mug["number"]].order_number == first and states[mug["number"]].debtor_id == debtor

    env.reset_calls()
    assert env.run(flow="credit_notes").state == "success"
    lightspeed, afas = env.calls()
    assert sum(afas["calls"].values()) == 0, "a booked credit note costs no AFAS call again"
    assert sum(lightspeed["calls"].values()) == 1, "one page of invoices"
    assert set(credits(env)) == set(got)


def test_a_refund_of_an_order_not_in_afas_waits_and_books_once_the_order_is(refunds_env):
    env = refunds_env
    env.shop_admin("POST", "/orders", {"orders": [order(email="laat@example.nl", lastname="Laat", number="ORD-LAAT",
                                                        at=recently())]})  # fmt: skip
    note = refund(env, "ORD-LAAT", {"ART-2001": 1})
    assert env.run(flow="credit_notes").state == "success"
    (state,) = env.ledger.items("shop", "credit_notes")
    assert state.status == "waiting" and "ORD-LAAT is not in AFAS yet" in state.reason
    assert note["number"] not in credits(env)
    assert env.run().state == "success"  # the orders flow books the order
    assert env.run(flow="credit_notes").state == "success"
    assert credits(env)[note["number"]]["fields"]["DbId"] == booked(env)["ORD-LAAT"]["fields"]["DbId"]


@pytest.mark.parametrize(
    ("afas_rule", "marking", "sent_sign"),
    [("cror_required", "negative_lines_with_cror", -1), ("cror_flips", "cror_positive_lines", 1)],
)
def test_each_credit_marking_books_under_the_afas_reading_it_is_for(
    refunds_env, afas_rule, marking, sent_sign
):
    env = refunds_env
    env.afas_admin("POST", "/credit_rules", {"credit_marking": afas_rule})
    first, _ = env.numbers
    note = refund(env, first, {"ART-1001": 2})
    env.tenant(credit_notes={"credit_marking": "negative_lines"})  # the default does not fit this AFAS
    assert env.run(flow="credit_notes").state == "failed"
    (state,) = env.ledger.items("shop", "credit_notes")
    assert state.status == "failed" and state.reason.startswith("AFAS:")
    assert note["number"] not in credits(env)
    env.tenant(credit_notes={"credit_marking": marking})
    assert env.run(flow="credit_notes").state == "success"
    doc = credits(env)[note["number"]]
    assert doc["fields"].get("CrOr") in (True, "true", 1)
    assert total_incl(doc) == -D(str(note["priceIncl"])), "booked negative whichever way it was sent"


def test_a_lost_answer_on_the_insert_is_looked_up_and_never_booked_twice(refunds_env):
    env = refunds_env
    first, second = env.numbers
    one, two = refund(env, first, {"ART-2001": 1}), refund(env, second, {"ART-2001": 1})
    env.afas_admin("POST", "/faults", {"drop_after_commit": {"count": 1, "connector": "FbSales"}})
    assert env.run(flow="credit_notes").state == "success"
    assert set(credits(env)) == {one["number"], two["number"]}
    assert all(
        len(docs) == 1 for ref, docs in env.afas_orders_by_reference().items() if ref.startswith("INV")
    )
    assert {s.status for s in env.ledger.items("shop", "credit_notes")} == {"created"}


def test_direct_invoice_tenants_get_their_credits_as_direct_invoices(sync_env):
    env = sync_env
    env.tenant(credit_notes={}, afas={"document": "direct_invoice"})
    (number,) = empty_shop(env, order(email="balie@example.nl", lastname="Balie", at=recently()))
    assert env.run().state == "success"
    note = refund(env, number, {"ART-2001": 1})
    assert env.run(flow="credit_notes", dry_run=True).state == "success"
    assert credits(env, "invoices") == {} and env.ledger.items("shop", "credit_notes") == []
    assert env.run(flow="credit_notes").state == "success"
    doc = credits(env, "invoices")[note["number"]]
    assert doc["fields"]["DbId"] == booked(env, "invoices")[number]["fields"]["DbId"]
    assert total_incl(doc) == -D(str(note["priceIncl"]))


def test_a_credit_note_refused_max_attempts_times_is_quarantined_and_left_until_it_changes(refunds_env):
    env = refunds_env
    env.tenant(credit_notes={}, max_attempts=2)
    env.afas_admin(
        "POST", "/credit_rules", {"credit_marking": "cror_required"}
    )  # the default marking is refused
    first, _ = env.numbers
    note = refund(env, first, {"ART-2001": 1})
    for _ in range(2):
        assert env.run(flow="credit_notes").state == "failed"
    (state,) = env.ledger.items("shop", "credit_notes")
    assert state.status == "quarantined" and state.failures == 2
    env.reset_calls()
    assert env.run(flow="credit_notes").state == "success"
    _, afas = env.calls()
    assert sum(afas["calls"].values()) == 0, "a quarantined credit note is not sent again"
    env.tenant(credit_notes={"credit_marking": "negative_lines_with_cror"}, max_attempts=2)
    changed = (datetime.now(UTC) - timedelta(minutes=18)).isoformat()  # after refund()'s 20 minutes ago
    env.shop_admin("PUT", f"/invoices/{note['id']}", {"updatedAt": changed})  # it changed in the shop
    assert env.run(flow="credit_notes").state == "success"
    assert note["number"] in credits(env)
