"""Where a wait happens (``hooks.waiting``): slept in the worker, deferred to the triggerer, or given up —
the rule itself, the Lightspeed pacer and the AFAS hook under it, and the replay that lets a resumed
Lightspeed step ask nothing twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests
from requests.structures import CaseInsensitiveDict

from lightspeed_afas.hooks.errors import (
    AfasUnavailableError,
    LightspeedBudgetExhaustedError,
    MustWaitError,
)
from lightspeed_afas.hooks.metrics import CallStats
from lightspeed_afas.hooks.replay import Replay, request_key
from lightspeed_afas.hooks.waiting import (
    DEFER,
    GIVE_UP,
    IN_WORKER_SECONDS,
    MAX_DEFER_SECONDS,
    SLEEP,
    WaitRule,
)

# -- the rule ---------------------------------------------------------------------------------------


def test_a_task_that_cannot_defer_sleeps_up_to_max_wait_as_before():
    rule = WaitRule(max_in_worker=300.0, max_deferred=300.0, budget=None)
    assert [rule.choose(s) for s in (5, 20.5, 300, 300.1)] == [SLEEP, SLEEP, SLEEP, GIVE_UP]
    assert rule.cap() == 300.0


def test_the_line_is_twenty_seconds_and_the_cap_gives_up_as_before():
    assert IN_WORKER_SECONDS == 20.0
    assert MAX_DEFER_SECONDS == {"lightspeed": 300.0, "afas": 900.0}
    rule = WaitRule(max_in_worker=300.0, max_deferred=300.0, budget=3600.0)
    assert [rule.choose(s) for s in (0, 20, 20.01, 299, 300, 301)] == [
        SLEEP,
        SLEEP,
        DEFER,
        DEFER,
        DEFER,
        GIVE_UP,
    ]
    assert rule.cap() == 300.0


def test_a_max_wait_below_the_line_still_gives_up_past_it():
    """A connection that says ``max_wait_seconds: 2`` gives up past 2 s, in the worker or not."""
    rule = WaitRule(max_in_worker=2.0, max_deferred=2.0, budget=3600.0)
    assert [rule.choose(s) for s in (1, 2, 3, 19, 60)] == [SLEEP, SLEEP, GIVE_UP, GIVE_UP, GIVE_UP]
    assert rule.cap() == 2.0


def test_the_task_s_deferral_budget_bounds_every_deferral():
    rule = WaitRule(max_in_worker=120.0, max_deferred=1800.0, budget=100.0)
    assert [rule.choose(s) for s in (10, 60, 100, 101)] == [SLEEP, DEFER, DEFER, GIVE_UP]
    spent = WaitRule(max_in_worker=120.0, max_deferred=1800.0, budget=0.0)
    assert [spent.choose(s) for s in (10, 21, 60)] == [SLEEP, GIVE_UP, GIVE_UP]
    assert spent.cap() == IN_WORKER_SECONDS


# -- Lightspeed: the pacer under the rule -----------------------------------------------------------


def _spent(hook, reset: str) -> None:
    hook.pacer.saw(CaseInsensitiveDict({"X-RateLimit-Remaining": "0/10/100", "X-RateLimit-Reset": reset}))


@pytest.fixture
def ls_hook(monkeypatch):
    from tests.support.hook_env import lightspeed_connection

    def make(replay: bool = True, budget: float | None = 3600.0, reserve: float = 0.0, **extra):
        from lightspeed_afas.hooks import LightspeedEcomHook

        lightspeed_connection(monkeypatch, "ls_wait", "http://127.0.0.1:9", "k", "s", **extra)
        slept: list[float] = []
        hook = LightspeedEcomHook("ls_wait", reserve=reserve, sleep=slept.append)
        hook.defer_budget = budget
        hook.replay = Replay() if replay else None
        return hook, slept

    return make


def test_a_spent_window_that_resets_soon_is_slept_in_the_worker(ls_hook):
    hook, slept = ls_hook()
    _spent(hook, "12/600/9000")
    hook.pacer.before_call()
    assert len(slept) == 1 and 11 < slept[0] <= 12.05


def test_a_spent_window_that_resets_later_defers_to_the_triggerer(ls_hook):
    hook, slept = ls_hook()
    _spent(hook, "90/600/9000")
    with pytest.raises(MustWaitError) as info:
        hook.pacer.before_call()
    assert slept == [] and info.value.api == "lightspeed" and 89 < info.value.seconds <= 90.05
    assert timedelta(seconds=88) < info.value.until - datetime.now(UTC) <= timedelta(seconds=91)
    assert "5min budget spent" in info.value.reason


@pytest.mark.parametrize(("remaining", "window"), [("5/0/100", "hour"), ("5/10/0", "day")])
def test_a_spent_hour_or_day_still_ends_the_run_partial(ls_hook, remaining, window):
    hook, slept = ls_hook()
    hook.pacer.saw(
        CaseInsensitiveDict({"X-RateLimit-Remaining": remaining, "X-RateLimit-Reset": "30/900/9000"})
    )
    with pytest.raises(LightspeedBudgetExhaustedError) as info:
        hook.pacer.before_call()
    assert info.value.window == window and slept == []


def test_a_long_retry_after_defers_and_one_over_the_cap_gives_up(ls_hook):
    hook, slept = ls_hook()
    with pytest.raises(MustWaitError) as info:
        hook.pacer.after_429(45.0, attempt=1, max_attempts=8)
    assert info.value.seconds == 45.0 and slept == []
    with pytest.raises(LightspeedBudgetExhaustedError):
        hook.pacer.after_429(301.0, attempt=1, max_attempts=8)
    hook.pacer.after_429(3.0, attempt=1, max_attempts=8)
    assert slept == [3.0]


@pytest.mark.parametrize(
    "how",
    [
        {"replay": False},  # no replay: a re-run would ask again, so the step waits as before
        {"budget": None},  # not under the deferrable operator (the CLI, tests, benchmarks)
    ],
)
def test_a_hook_that_may_not_defer_sleeps_as_before(ls_hook, how):
    hook, slept = ls_hook(**how)
    _spent(hook, "90/600/9000")
    hook.pacer.before_call()
    assert len(slept) == 1 and 89 < slept[0] <= 90.05


def test_a_flow_with_a_reserve_still_stops_at_a_429(ls_hook):
    hook, slept = ls_hook(reserve=0.4)
    with pytest.raises(LightspeedBudgetExhaustedError):
        hook.pacer.after_429(45.0, attempt=1, max_attempts=8)
    assert slept == []


def test_the_line_and_the_cap_are_connection_extras(ls_hook):
    """``max_wait_seconds``, when the connection sets it, caps deferred waits too (as before, the longest
    a call waits before the step gives up)."""
    hook, slept = ls_hook(in_worker_wait_seconds=1, max_wait_seconds=30)
    hook.pacer.after_429(0.5, attempt=1, max_attempts=8)
    with pytest.raises(MustWaitError):
        hook.pacer.after_429(2.0, attempt=1, max_attempts=8)
    with pytest.raises(LightspeedBudgetExhaustedError):
        hook.pacer.after_429(31.0, attempt=1, max_attempts=8)
    assert slept == [0.5]


# -- the replay -------------------------------------------------------------------------------------


def test_a_replay_gives_each_request_its_answers_in_order_then_asks():
    first = Replay(datetime(2026, 11, 1, 12, tzinfo=UTC))
    key = request_key("GET", "http://shop/nl/orders.json", [("page", "1")])
    assert first.next(key) is None
    first.keep(key, b'{"orders": [1]}')
    assert first.next(key) is None  # its own answers are not replayed to the same attempt
    first.keep(key, b'{"orders": [2]}')  # asked again (a rescan): a second answer
    resumed = Replay.from_json(first.to_json())
    assert resumed.started_at == first.started_at and resumed.recorded == 2
    assert [resumed.next(key), resumed.next(key), resumed.next(key)] == [
        b'{"orders": [1]}',
        b'{"orders": [2]}',
        None,
    ]
    resumed.keep(key, b'{"orders": [3]}')
    again = Replay.from_json(resumed.to_json())
    assert [again.next(key) for _ in range(4)] == [
        b'{"orders": [1]}',
        b'{"orders": [2]}',
        b'{"orders": [3]}',
        None,
    ]
    assert again.replayed == 3


def test_a_resumed_hook_answers_from_the_replay_without_a_call(shop):
    server, make_hook = shop(orders=3)
    first = make_hook(stats=CallStats())
    first.replay = Replay()
    orders = first.get_json("orders", [("page", "1")], endpoint="orders")
    shop_info = first.get_shop()
    before = requests.get(f"{server.url}/_admin/calls", timeout=10).json()["total"]
    resumed = make_hook(stats=CallStats())
    resumed.replay = Replay.from_json(first.replay.to_json())
    assert resumed.get_json("orders", [("page", "1")], endpoint="orders") == orders
    assert resumed.get_shop() == shop_info
    assert requests.get(f"{server.url}/_admin/calls", timeout=10).json()["total"] == before
    assert resumed.stats.total_calls("lightspeed") == 0 and resumed.replay.replayed == 2
    resumed.get_json("orders", [("page", "2")], endpoint="orders")  # not asked before: asked now
    assert requests.get(f"{server.url}/_admin/calls", timeout=10).json()["total"] == before + 1


def test_call_statistics_travel_with_a_deferral_and_say_it():
    stats = CallStats()
    stats.record("lightspeed", "GET", "orders", 200, 12.0)
    stats.record("lightspeed", "GET", "orders", 429, 3.0)
    assert "deferred_s" not in stats.summary()  # a step that never deferred reports as before
    stats.record_deferral("lightspeed", 45.0)
    carried = CallStats.from_state(stats.to_state())
    carried.record("lightspeed", "GET", "orders/{id}", 200, 8.0)
    summary = carried.summary()
    assert summary["calls"] == {"lightspeed": 3} and summary["rate_limited"] == {"lightspeed": 1}
    assert summary["deferred_s"] == {"lightspeed": 45.0}


# -- AFAS: a 503 defers only before the step's first answer -----------------------------------------


def test_afas_maintenance_at_the_first_call_defers(afas_env):
    server, make_hook = afas_env
    slept: list[float] = []
    hook = make_hook(sleep=slept.append)
    hook.defer_budget = 3600.0
    requests.post(
        f"{server.url}/_admin/faults", json={"unavailable": {"count": 1, "retry_after": 600}}, timeout=10
    )
    with pytest.raises(MustWaitError) as info:
        hook.metainfo()
    assert info.value.api == "afas" and info.value.seconds == 600 and slept == []


def test_afas_maintenance_past_the_cap_gives_up_at_once(afas_env):
    server, make_hook = afas_env
    slept: list[float] = []
    hook = make_hook(sleep=slept.append)
    hook.defer_budget = 3600.0
    faults = {"unavailable": {"count": 1, "retry_after": 1800}}
    requests.post(f"{server.url}/_admin/faults", json=faults, timeout=10)
    with pytest.raises(AfasUnavailableError, match="retry after 1800 s"):
        hook.metainfo()  # half an hour: over MAX_DEFER_SECONDS (900), the task fails and Airflow retries
    assert slept == []


def test_afas_maintenance_after_the_first_answer_waits_in_the_worker_as_before(afas_env):
    server, make_hook = afas_env
    slept: list[float] = []
    hook = make_hook(sleep=slept.append)
    hook.defer_budget = 3600.0
    hook.metainfo()  # the step has had an answer: a re-run would repeat it
    requests.post(
        f"{server.url}/_admin/faults", json={"unavailable": {"count": 1, "retry_after": 60}}, timeout=10
    )
    hook.metainfo()
    assert slept == [60]
    requests.post(
        f"{server.url}/_admin/faults", json={"unavailable": {"count": 1, "retry_after": 600}}, timeout=10
    )
    with pytest.raises(AfasUnavailableError):
        hook.metainfo()  # over max_wait_seconds (120): gives up as before


def test_a_step_that_has_written_keeps_its_afas_waits_in_the_worker(afas_env):
    server, make_hook = afas_env
    slept: list[float] = []
    hook = make_hook(sleep=slept.append)
    hook.defer_budget = 3600.0
    hook.keep_waits_in_worker()
    requests.post(
        f"{server.url}/_admin/faults", json={"unavailable": {"count": 1, "retry_after": 30}}, timeout=10
    )
    hook.metainfo()
    assert slept == [30]


def test_a_503_that_names_no_wait_is_backed_off_in_the_worker_never_deferred(misbehaving):
    from tests.support.echo_server import Reply

    answers = iter([Reply(503, b'{"message": "busy"}')] * 3)
    server = misbehaving.start(lambda request: next(answers, Reply(200, b'{"info": {}}')))
    hook = misbehaving.afas(server)
    slept: list[float] = []
    hook._sleep = slept.append
    hook.defer_budget = 3600.0
    hook.metainfo()
    assert len(slept) == 3 and server.count("metainfo") == 4  # our own backoff: slept, as before
