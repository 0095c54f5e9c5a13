"""The share of a key's budget a non-order flow leaves to orders, read from the key's own headers."""

from __future__ import annotations

import pytest
from requests.structures import CaseInsensitiveDict

from lightspeed_afas.hooks.errors import BudgetReservedError, LightspeedBudgetExhaustedError
from lightspeed_afas.hooks.lightspeed_pacing import Pacer


def pacer(reserve: float) -> tuple[Pacer, list[float]]:
    waits: list[float] = []
    return Pacer("ls", lambda seconds, reason: waits.append(seconds), lambda: 300.0, reserve), waits


def saw(p: Pacer, remaining: str, limit: str = "300/3000/12000") -> None:
    p.saw(CaseInsensitiveDict({"X-RateLimit-Limit": limit, "X-RateLimit-Remaining": remaining,
                               "X-RateLimit-Reset": "120/1800/40000"}))  # fmt: skip


def test_before_any_answer_the_first_call_is_allowed():
    p, _ = pacer(0.4)
    p.before_call()


@pytest.mark.parametrize(("remaining", "allowed"), [("121/3000/12000", True), ("120/3000/12000", False),
                                                    ("299/1200/12000", False), ("299/2000/4801", True),
                                                    ("299/2000/4800", False)])  # fmt: skip
def test_a_call_that_would_leave_less_than_the_reserve_of_any_window_is_not_made(remaining, allowed):
    p, waits = pacer(0.4)
    saw(p, remaining)
    if allowed:
        p.before_call()
    else:
        with pytest.raises(BudgetReservedError) as caught:
            p.before_call()
        assert "kept for the orders flow" in str(caught.value)
        assert isinstance(caught.value, LightspeedBudgetExhaustedError)  # callers stop as for a spent budget
    assert waits == []


def test_the_orders_flow_has_no_reserve_and_uses_the_window_to_the_end():
    p, _ = pacer(0.0)
    saw(p, "1/3000/12000")
    p.before_call()


def test_a_flow_with_a_reserve_does_not_wait_out_a_429():
    p, waits = pacer(0.4)
    saw(p, "200/3000/12000")
    with pytest.raises(LightspeedBudgetExhaustedError):
        p.after_429(5.0, 1, 8)
    assert waits == []


def test_limits_follow_the_headers_of_a_bigger_plan():
    p, _ = pacer(0.4)
    saw(p, "400/12000/288000", limit="1000/12000/288000")
    with pytest.raises(BudgetReservedError):
        p.before_call()  # 40 % of 1,000 is kept: the call would leave 399
    saw(p, "401/12000/288000", limit="1000/12000/288000")
    p.before_call()
