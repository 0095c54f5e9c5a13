"""The typed results between the order flow's steps keep the XCom JSON runs have always written.

The dicts below are the shapes the steps wrote before they returned typed results (one of every kind
of operation): a run started before an upgrade is read by the steps after it, and what the new code
writes for the same values is the same JSON, byte for byte (key order included).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from lightspeed_afas.domain.order_parsing import parse_order
from lightspeed_afas.domain.vocabulary import Action, Operation
from lightspeed_afas.flows.afas_side import AfasOrder
from lightspeed_afas.flows.orders.results import (
    Extracted,
    OrderOperation,
    Resolved,
    Settled,
    ToBook,
    Transformed,
)
from lightspeed_afas.ledger import OrderOutcome
from tests.support.builders import raw_order

STATS = {"calls": {"lightspeed": 3, "afas": 0}, "rate_limited": {"lightspeed": 0}}


def order_json() -> dict:
    return json.loads(json.dumps(parse_order(raw_order()).to_json()))


def old_extracted() -> dict:
    return {
        "run_pk": 7,
        "window": ["2026-11-20T11:45:00+00:00", "2026-11-20T12:00:00+00:00"],
        "complete": False,
        "stopped_because": "the Lightspeed day budget is spent",
        "to_book": [{"order": order_json(), "hash": "abc", "intent": "new"}],
        "outcomes": [
            {
                "order_id": 2,
                "order_number": "ORD2",
                "updated_at": "2026-11-20T11:50:00+00:00",
                "action": "unchanged",
                "payload_hash": "def",
                "afas_order_number": "6001",
                "debtor_id": "10001",
                "reason": "status-only change",
                "profit_log_reference": None,
                "repeated": False,
            }
        ],
        "counts": {"seen": 2, "to_new": 1, "unchanged": 1},
        "requested": {},
        "stats": STATS,
    }


def old_resolved() -> dict:
    return {
        "afas_orders": {
            "3": {"order_number": "6003", "debtor_id": "10003", "status": "Open", "line_guids": ["g1", "g2"]}
        },
        "debtors": {"1": "10001"},
        "failures": {
            "4": {"reason": "AFAS holds 2 orders with reference ORD4 (6004, 6005); remove the extra ones"}
        },
        "settled": {
            "5": {
                "reason": "booked by an overlapping run while this one waited",
                "afas_order_number": None,
                "debtor_id": "10005",
            }
        },
        "relations_created": 1,
        "stats": STATS,
    }


def base(n: int) -> dict:
    return {"order_id": n, "number": f"ORD{n}", "updated_at": "2026-11-20T11:50:00+00:00", "hash": f"h{n}"}


def old_operations() -> list[dict]:
    afas = {"afas_order_number": "6003", "debtor_id": None}
    payload = {"FbSales": {"Element": {"Fields": {"DbId": "10001"}}}}
    return [
        {**base(1), "op": "insert", "connector": "FbSales", "payload": payload, "debtor_id": "10001"},
        {**base(2), "op": "update", "connector": "FbSales", "payload": payload, **afas},
        {**base(3), "op": "delete", "connector": "FbSales", **afas},
        {**base(4), "op": "skip", "reason": "already invoiced in AFAS (direct invoices are final)", **afas},
        {**base(5), "op": "skip", "reason": "cancelled in the webshop and not in AFAS"},
        {**base(6), "op": "fail", "reason": "AFAS holds 2 orders with reference ORD6"},
        {**base(7), "op": "fail", "reason": "no VAT code for 9 %", "debtor_id": "10007"},
        {**base(8), "op": "fail", "reason": "no VAT code for 9 %", **afas},
        {
            **base(9),
            "op": "settled",
            "reason": "booked by an overlapping run",
            "afas_order_number": None,
            "debtor_id": None,
        },
        {**base(10), "op": "unchanged", "reason": "already booked as AFAS order 6010", **afas},
    ]


def same_json(new: dict, old: dict) -> bool:
    return json.dumps(new) == json.dumps(old)


def test_an_extract_result_written_before_the_upgrade_round_trips():
    old = old_extracted()
    extracted = Extracted.from_xcom(old)
    assert extracted.run_pk == 7 and extracted.window is not None
    assert extracted.window[1] == datetime(2026, 11, 20, 12, tzinfo=UTC)
    assert extracted.to_book[0].order.number == old["to_book"][0]["order"]["number"]
    assert extracted.outcomes[0].afas_order_number == "6001"
    assert same_json(extracted.to_xcom(), old)


def test_a_resolve_result_written_before_the_upgrade_round_trips():
    old = old_resolved()
    resolved = Resolved.from_xcom(old)
    assert resolved.afas_orders["3"].line_guids == ["g1", "g2"]
    assert resolved.failures["4"].startswith("AFAS holds 2 orders")
    assert resolved.settled["5"] == Settled(
        "booked by an overlapping run while this one waited", None, "10005"
    )
    assert same_json(resolved.to_xcom(), old)


def test_a_resolve_result_from_before_settled_existed_is_read():
    old = old_resolved()
    del old["settled"], old["stats"]
    assert Resolved.from_xcom(old).settled == {}


def test_every_kind_of_operation_written_before_the_upgrade_round_trips():
    old = {"operations": old_operations(), "stats": STATS}
    transformed = Transformed.from_xcom(old)
    assert [op.op for op in transformed.operations] == [o["op"] for o in old["operations"]]
    assert all(isinstance(op.op, Operation) for op in transformed.operations)
    assert transformed.counts() == {"insert": 1, "update": 1, "delete": 1, "skip": 2, "fail": 3, "settled": 1, "unchanged": 1}  # fmt: skip
    assert same_json(transformed.to_xcom(), old)


def test_the_xcom_form_holds_plain_strings():
    op = OrderOperation(1, "ORD1", "u", "h", Operation.INSERT, connector="FbSales", payload={}, debtor_id="1")
    assert type(op.to_xcom()["op"]) is str
    outcome = OrderOutcome(1, "ORD1", "u", Action.FAILED, reason="x")
    assert type(Extracted(outcomes=[outcome]).to_xcom()["outcomes"][0]["action"]) is str


def test_a_new_extract_result_writes_what_the_steps_wrote():
    order = parse_order(raw_order())
    item = ToBook.of(order, order.content_hash(), "new")
    assert item.order is order  # not parsed again
    extracted = Extracted(to_book=[item], run_pk=1)
    assert extracted.to_xcom()["to_book"] == [
        {"order": order.to_json(), "hash": order.content_hash(), "intent": "new"}
    ]
    assert extracted.to_xcom()["window"] is None


def test_afas_orders_keep_their_dict_form():
    data = {"order_number": "6001", "debtor_id": None, "status": None, "line_guids": []}
    assert AfasOrder.from_dict(data).as_dict() == data
