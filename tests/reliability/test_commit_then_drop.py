"""Commit then drop: AFAS performs a write and the client never hears back — at every write point of a
run (relation insert, order insert, order update), at seeded random moments.

Each hypothesis example is a fresh shop and AFAS environment and a plan of one to three rounds. A round
adds orders (new customers among them), changes orders that were booked, arms one fault — drop the
answer of the next N relation inserts, order inserts, order updates or any write, or let one write
commit and then stall past the client's read timeout — and runs the sync. Afterwards clean runs
continue until nothing is left to retry, and the books must hold every order exactly once, one
relation per e-mail address, and a ledger entry for every order.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from emulators.lightspeed import LightspeedConfig
from lightspeed_afas.hooks.afas import AfasProfitHook
from tests.reliability.conftest import EXAMPLES, SEED, now_utc, running_stack, stamp

KINDS = ("relation", "order_insert", "order_update", "any_write", "timeout")
CONVERGE_RUNS = 4


def fault_body(kind: str, count: int, org: bool) -> dict[str, Any]:
    if kind == "relation":
        connector = "KnSalesRelationOrg" if org else "KnSalesRelationPer"
        return {"drop_after_commit": {"count": count, "connector": connector, "verb": "POST"}}
    if kind == "order_insert":
        return {"drop_after_commit": {"count": count, "connector": "FbSales", "verb": "POST"}}
    if kind == "order_update":
        return {"drop_after_commit": {"count": count, "connector": "FbSales", "verb": "PUT"}}
    if kind == "any_write":
        return {"drop_after_commit": {"count": count}}
    # Commit, then answer only after the client's read timeout (patched to 1.5 s below).
    return {"hang_after_commit": {"count": 1, "seconds": 2.5}}


rounds = st.lists(
    st.fixed_dictionaries(
        {
            "kind": st.sampled_from(KINDS),
            "count": st.integers(1, 4),
            "org": st.booleans(),
            "new_orders": st.integers(0, 3),
            "company": st.booleans(),
            "changed": st.integers(0, 3),
        }
    ),
    min_size=1,
    max_size=3,
)


@pytest.fixture(scope="module")
def drop_stack(airflow_db, tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(AfasProfitHook, "read_timeout", 1.5)
        # Hundreds of runs on one API key: the rate limits are another test's subject.
        shop = LightspeedConfig(orders=9, rate_limits=(10**6, 10**6, 10**6))
        with running_stack(tmp_path_factory.mktemp("drop"), mp, shop=shop) as env:
            yield env


def new_orders(stack, plan: dict[str, Any], tag: str) -> None:
    moment = stamp(now_utc() - timedelta(seconds=30))
    specs = []
    for i in range(plan["new_orders"]):
        spec: dict[str, Any] = {
            "customer": False,
            "email": f"nieuw-{tag}-{i}@example.nl",
            "lastname": f"Klant{i}",
            "createdAt": moment,
            "updatedAt": moment,
            "lines": [{"articleCode": "ART-1001", "quantityOrdered": 1 + i}],
        }
        if plan["company"] and i == 0:
            spec["company"] = {"name": f"Bedrijf {tag} BV", "vat": "NL001234567B01", "coc": "12345678"}
        specs.append(spec)
    # A returning customer orders again: the relation must be found, not made twice.
    if specs:
        specs.append({**specs[0], "lines": [{"articleCode": "ART-1002", "quantityOrdered": 1}]})
    if specs:
        stack.shop_admin("POST", "/orders", {"orders": specs})


def change_booked_orders(stack, count: int) -> None:
    states = stack.ledger.orders_with_status("shop", ["booked"])
    moment = stamp(now_utc() - timedelta(seconds=20))
    for state in states[:count]:
        stack.shop_admin(
            "PATCH",
            f"/orders/{state.order_id}",
            {
                "lines": [{"articleCode": "ART-1003", "quantityOrdered": 2 + state.order_id % 3}],
                "discount": {"kind": None},
                "updatedAt": moment,
            },
        )


@seed(SEED)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=False,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
@given(shop_seed=st.integers(0, 10**6), orders=st.integers(3, 9), plan=rounds)
def test_commit_then_drop_at_random_write_points_loses_and_doubles_nothing(
    drop_stack, tally, shop_seed, orders, plan
):
    stack = drop_stack
    stack.reset(seed=f"drop-{shop_seed}", orders=orders)
    scenario = f"seed {shop_seed}, {orders} orders, " + ", ".join(f"{r['kind']}×{r['count']}" for r in plan)
    for n, round_plan in enumerate(plan):
        new_orders(stack, round_plan, f"{shop_seed}-{n}")
        change_booked_orders(stack, round_plan["changed"])
        stack.afas_admin(
            "POST", "/faults", fault_body(round_plan["kind"], round_plan["count"], round_plan["org"])
        )
        result = stack.run()
        stack.afas_admin("POST", "/faults", {"clear": True})
        tally.runs["under a write fault"] += 1
        assert result.state in ("success", "failed"), f"{scenario}: the run crashed: {result.error_text}"
        tally.runs["under a write fault, survived"] += 1
    for kind, n in stack.write_faults_seen().items():
        tally.faults[kind] += n
    for _ in range(CONVERGE_RUNS):
        result = stack.run()
        tally.runs["clean, after faults"] += 1
        assert result.state in ("success", "failed"), f"{scenario}: {result.error_text}"
        if not stack.ledger.orders_with_status("shop", ["failed", "quarantined"]):
            break
    books = stack.books()
    tally.books("commit then drop", books)
    assert books.duplicate_orders == {}, scenario
    assert books.duplicate_relations == {}, scenario
    assert books.lost == [], scenario
