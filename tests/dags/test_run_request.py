"""resolve_run_window: each mode, the param combinations, and manual runs without a logical date."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pendulum
import pytest

from lightspeed_afas.config import load_tenant_file
from lightspeed_afas.orchestration.run_request import (
    MAX_ORDER_NUMBERS,
    InvalidRunParamsError,
    RunRequest,
    last_complete_interval,
    resolve_run_request,
    resolve_run_window,
)

RUN_AFTER = pendulum.datetime(2026, 11, 3, 10, 7, 12, tz="UTC")
PARAMS = {"since": None, "until": None, "order_numbers": [], "dry_run": False}


@pytest.fixture
def tenant(include):
    return load_tenant_file(include.tenants / "demo.yaml")


def context(run_type: str, params: dict | None = None, interval: tuple | None = None, **extra) -> dict:
    ctx = {
        "run_id": f"{run_type}__x",
        "params": {**PARAMS, **(params or {})},
        "dag_run": SimpleNamespace(run_type=run_type, run_after=RUN_AFTER, dag_id="lightspeed_afas_demo"),
        **extra,
    }
    if interval:
        ctx["data_interval_start"], ctx["data_interval_end"] = interval
    return ctx


def test_scheduled_run_uses_its_data_interval(tenant):
    interval = (
        pendulum.datetime(2026, 11, 3, 9, 45, tz="Europe/Amsterdam"),
        pendulum.datetime(2026, 11, 3, 10, 0, tz="Europe/Amsterdam"),
    )
    request = resolve_run_window(context("scheduled", interval=interval), tenant)
    assert request == RunRequest(
        "scheduled__x",
        "scheduled",
        datetime(2026, 11, 3, 8, 45, tzinfo=UTC),
        datetime(2026, 11, 3, 9, 0, tzinfo=UTC),
    )
    assert request.window_start.tzinfo is UTC and type(request.window_start) is datetime


def test_backfill_run_is_its_interval_exactly(tenant):
    interval = (
        pendulum.datetime(2026, 11, 1, 0, 0, tz="UTC"),
        pendulum.datetime(2026, 11, 1, 0, 15, tz="UTC"),
    )
    request = resolve_run_window(context("backfill", interval=interval), tenant)
    assert (request.mode, request.window_start, request.window_end) == (
        "backfill",
        datetime(2026, 11, 1, 0, 0, tzinfo=UTC),
        datetime(2026, 11, 1, 0, 15, tzinfo=UTC),
    )


def test_manual_run_without_logical_date_takes_the_last_complete_interval(tenant):
    request = resolve_run_window(context("manual"), tenant)  # no data_interval_* keys at all
    assert (request.mode, request.window_start, request.window_end) == (
        "scheduled",
        datetime(2026, 11, 3, 9, 45, tzinfo=UTC),
        datetime(2026, 11, 3, 10, 0, tzinfo=UTC),
    )
    assert not request.dry_run


def test_manual_run_with_an_empty_interval_also_takes_the_last_complete_one(tenant):
    moment = pendulum.datetime(2026, 11, 3, 10, 7, tz="UTC")
    request = resolve_run_window(context("manual", interval=(moment, moment)), tenant)
    assert (request.window_start, request.window_end) == (
        datetime(2026, 11, 3, 9, 45, tzinfo=UTC),
        datetime(2026, 11, 3, 10, 0, tzinfo=UTC),
    )


def test_range_run(tenant):
    params = {"since": "2026-10-01T00:00:00+02:00", "until": "2026-10-02T00:00:00Z", "dry_run": True}
    request = resolve_run_window(context("manual", params), tenant)
    assert request == RunRequest(
        "manual__x",
        "range",
        datetime(2026, 9, 30, 22, 0, tzinfo=UTC),
        datetime(2026, 10, 2, 0, 0, tzinfo=UTC),
        (),
        True,
    )


def test_range_run_until_defaults_to_run_start_and_naive_times_are_shop_time(tenant):
    request = resolve_run_window(context("manual", {"since": "2026-11-03T09:00:00"}), tenant)
    assert (request.window_start, request.window_end) == (datetime(2026, 11, 3, 8, 0, tzinfo=UTC), RUN_AFTER)


def test_orders_run(tenant):
    request = resolve_run_window(context("manual", {"order_numbers": [" ORD1 ", "ORD2", "ORD1", ""]}), tenant)
    assert request == RunRequest("manual__x", "orders", None, None, ("ORD1", "ORD2"), False)


def test_a_cleared_trigger_form_is_a_normal_run(tenant):
    params = {"since": None, "until": None, "order_numbers": None, "dry_run": None}
    request = resolve_run_window(context("manual", params), tenant)
    assert (request.mode, request.order_numbers, request.dry_run) == ("scheduled", (), False)


def test_orders_run_takes_up_to_the_limit_of_different_numbers(tenant):
    numbers = [f"ORD{i}" for i in range(MAX_ORDER_NUMBERS)]
    request = resolve_run_window(context("manual", {"order_numbers": numbers * 3}), tenant)
    assert request.order_numbers == tuple(numbers), "repeats do not count against the limit"


def test_more_order_numbers_than_the_limit_are_refused_with_what_to_do(tenant):
    numbers = [f"ORD{i}" for i in range(40_000)]
    with pytest.raises(InvalidRunParamsError) as caught:
        resolve_run_window(context("manual", {"order_numbers": numbers}), tenant)
    message = str(caught.value)
    assert "40,000" in message and f"at most {MAX_ORDER_NUMBERS}" in message and "since/until" in message
    assert "\n" not in message and "ORD1" not in message, "one line, without the numbers given"


def test_the_dashboard_resyncs_at_most_what_a_run_takes():
    from lightspeed_afas.dashboard.app import MAX_RESYNC_ORDERS

    assert MAX_RESYNC_ORDERS == MAX_ORDER_NUMBERS


class CountedNumber(str):
    """An order number that counts the equality checks made on it (``str()`` and ``strip()`` keep it)."""

    comparisons = 0

    def __eq__(self, other: object) -> bool:
        CountedNumber.comparisons += 1
        return str.__eq__(self, other)

    __hash__ = str.__hash__

    def __str__(self) -> str:
        return self

    def strip(self, chars: str | None = None) -> str:
        return self


def test_order_numbers_are_de_duplicated_with_one_look_up_each(tenant, monkeypatch):
    # Every number four times, each a separate object: a hash look-up compares a number only with an
    # equal one (3 repeats per number); a scan of the numbers kept so far compares it with all of them.
    distinct = [f"ORD{i}" for i in range(MAX_ORDER_NUMBERS)]
    given = [CountedNumber(n) for _ in range(4) for n in distinct]
    monkeypatch.setattr(CountedNumber, "comparisons", 0)
    request = resolve_run_window(context("manual", {"order_numbers": given}), tenant)
    comparisons = CountedNumber.comparisons
    assert comparisons <= len(given), f"{comparisons} comparisons to de-duplicate {len(given)} numbers"
    assert request.order_numbers == tuple(distinct)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"until": "2026-10-02T00:00:00Z"}, "until without since"),
        ({"since": "2026-10-02T00:00:00Z", "until": "2026-10-01T00:00:00Z"}, "must be before until"),
        ({"since": "2026-10-02T00:00:00Z", "until": "2026-10-02T00:00:00Z"}, "must be before until"),
        (
            {"since": "2026-10-01T00:00:00Z", "order_numbers": ["ORD1"]},
            "order_numbers and since exclude each other",
        ),
        ({"since": "yesterday"}, "since 'yesterday' is not a date-time"),
        ({"order_numbers": 5}, "order_numbers must be a list"),
    ],
)
def test_contradicting_params_fail_without_retries(tenant, params, message):
    with pytest.raises(InvalidRunParamsError, match=message) as caught:
        resolve_run_window(context("manual", params), tenant)
    from airflow.sdk.exceptions import AirflowFailException

    assert isinstance(caught.value, AirflowFailException)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # 29 March 2026, 03:05 CEST = 01:05 UTC: the clock jumped from 02:00 to 03:00 local.
        (
            datetime(2026, 3, 29, 1, 5, tzinfo=UTC),
            (datetime(2026, 3, 29, 0, 45, tzinfo=UTC), datetime(2026, 3, 29, 1, 0, tzinfo=UTC)),
        ),
        # 25 October 2026, 02:20 CET (second time round) = 01:20 UTC.
        (
            datetime(2026, 10, 25, 1, 20, tzinfo=UTC),
            (datetime(2026, 10, 25, 1, 0, tzinfo=UTC), datetime(2026, 10, 25, 1, 15, tzinfo=UTC)),
        ),
        (
            datetime(2026, 11, 3, 10, 0, tzinfo=UTC),
            (datetime(2026, 11, 3, 9, 45, tzinfo=UTC), datetime(2026, 11, 3, 10, 0, tzinfo=UTC)),
        ),
    ],
)
def test_last_complete_interval_across_dst(moment, expected):
    assert last_complete_interval("*/15 * * * *", "Europe/Amsterdam", moment) == expected


def test_resolve_run_request_finds_the_tenant_from_the_dag(include):
    request = resolve_run_request(context("manual", {"dry_run": True}))
    assert request.mode == "scheduled" and request.dry_run


def test_a_webhook_run_reads_from_the_watermark_up_to_its_own_start(tenant):
    interval = (
        pendulum.datetime(2026, 11, 3, 9, 45, tz="UTC"),
        pendulum.datetime(2026, 11, 3, 10, 0, tz="UTC"),
    )
    ctx = context("manual", interval=interval)
    ctx["dag_run"].conf = {"source": "webhook"}
    request = resolve_run_window(ctx, tenant)
    assert (request.mode, request.window_start, request.window_end) == ("scheduled", None, RUN_AFTER)
    with_since = context("manual", params={"since": "2026-11-01T00:00:00Z"})
    with_since["dag_run"].conf = {"source": "webhook"}
    assert resolve_run_window(with_since, tenant).mode == "range", "explicit params win"
