"""The webhook latency benchmark's arithmetic (the measurement itself needs a running ``make demo``):
percentiles, and the polling latency it computes for the same order moments."""

from __future__ import annotations

from datetime import UTC, datetime

from bench.bench_webhook_latency import percentiles, polling_latency, report


def at(hour: int, minute: int, second: int = 0) -> float:
    return datetime(2026, 12, 3, hour, minute, second, tzinfo=UTC).timestamp()


def test_percentiles_are_the_median_the_95th_value_and_the_maximum():
    assert percentiles([float(i) for i in range(1, 21)]) == (10.5, 19.0, 20.0)


def test_polling_waits_for_the_next_quarter_hour_then_the_run():
    placed = {"A": (1, at(17, 29, 30)), "B": (2, at(17, 30, 0)), "C": (3, at(17, 44, 59))}
    assert polling_latency(placed, 4.0) == [34.0, 904.0, 5.0]


def test_the_report_names_every_part_it_has_figures_for():
    result = {
        "orders": 2, "booked": 2, "runs": 1, "polling": [30.0, 60.0],
        "parts": {"total": [5.0, 6.0], "receiver": [0.01, 0.02], "to_run": [], "pickup": [1.0, 2.0],
                  "start_up": [0.1, 0.1], "run": [3.0, 3.5]},
    }  # fmt: skip
    text = report(result)
    assert "placed → in AFAS (webhooks)" in text and "5.5s" in text
    assert "webhook → run created" not in text, "a part without figures is left out"
    assert "orders 2, booked 2, runs the receiver triggered 1" in text
