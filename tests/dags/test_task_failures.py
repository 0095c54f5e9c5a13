"""An expected failure (orders AFAS refused, contradicting params) ends its task with one line that says
what failed and what to do, without the pipeline's frames; the run summary is short lines."""

from __future__ import annotations

import logging
import traceback

import pytest
from airflow.sdk.exceptions import AirflowFailException

from lightspeed_afas.ledger import OrderOutcome
from lightspeed_afas.orchestration import entry
from lightspeed_afas.orchestration.run_request import InvalidRunParamsError
from lightspeed_afas.orchestration.task import NewFailuresError, new_failures_error, summary_text


def deep_in_the_pipeline(error: BaseException, depth: int = 4) -> None:
    if depth == 0:
        try:
            raise KeyError("an earlier error the failure was raised while handling")
        except KeyError:
            raise error  # noqa: B904 - the context is what run_step must drop
    deep_in_the_pipeline(error, depth - 1)


def failing_step(monkeypatch, error: BaseException) -> BaseException:
    monkeypatch.setattr(
        entry, "execute_in_task", lambda step, tenant_id, context: deep_in_the_pipeline(error)
    )
    with pytest.raises(type(error)) as caught:
        entry.run_step("load_to_afas", "acme", run_id="manual__x")
    return caught.value


@pytest.mark.parametrize(
    "error",
    [NewFailuresError("2 order(s) could not be booked"), InvalidRunParamsError("until without since")],
)
def test_an_expected_failure_leaves_without_the_pipelines_frames(monkeypatch, error):
    raised = failing_step(monkeypatch, error)
    assert raised is error and isinstance(raised, AirflowFailException), "no retry"
    names = [frame.name for frame in traceback.extract_tb(raised.__traceback__)]
    assert names[-1] == "run_step" and "deep_in_the_pipeline" not in names, names
    assert raised.__cause__ is None and raised.__suppress_context__, "no 'during handling' chain"


def test_an_unexpected_error_keeps_its_whole_traceback(monkeypatch):
    raised = failing_step(monkeypatch, RuntimeError("a bug"))
    names = [frame.name for frame in traceback.extract_tb(raised.__traceback__)]
    assert names.count("deep_in_the_pipeline") == 5 and isinstance(raised.__context__, KeyError)


def outcome(i: int, action: str = "failed") -> OrderOutcome:
    reason = "Artikel 'ART-9001' bestaat niet. " * 20  # AFAS messages can be long
    return OrderOutcome(i, f"ORD{1000 + i}", f"u{i}", action, "h", reason=reason)


def test_new_failures_end_the_task_with_one_line_and_list_the_orders_in_short_lines(caplog):
    failures = [outcome(i, "quarantined" if i == 3 else "failed") for i in range(30)]
    with caplog.at_level(logging.ERROR, logger="lightspeed_afas.orchestration.task"):
        error = new_failures_error("acme", failures)
    message = str(error)
    assert isinstance(error, NewFailuresError) and "\n" not in message and len(message) < 300
    assert message.startswith(
        "30 order(s) could not be booked (ORD1000, ORD1001, ORD1002, ORD1003, ORD1004, …)"
    )
    assert "python -m lightspeed_afas log acme --open" in message and "order_numbers" in message
    (record,) = caplog.records
    lines = record.getMessage().splitlines()
    assert lines[0] == "New problems in this run (30):" and lines[-1] == "  … and 10 more"
    assert len(lines) == 22 and all(len(line) <= 200 for line in lines)
    assert lines[4].startswith("  ORD1003  quarantined: Artikel 'ART-9001' bestaat niet.")


def test_the_run_summary_is_one_short_line_per_field():
    summary = {
        "tenant": "acme",
        "run_id": "scheduled__2026-11-03T09:45:00+00:00",
        "mode": "scheduled",
        "outcome": "failed",
        "window": ["2026-11-03T07:45:00+00:00", "2026-11-03T10:00:00+00:00"],
        "counts": {"seen": 120, "unchanged": 3, "created": 110, "failed": 7},
        "calls": {"lightspeed": 14, "afas": 260},
        "rate_limited": 0,
        "watermark": None,
        "stopped_because": "the Lightspeed day budget is used up " * 20,
        "new_problems": [{"order": f"ORD{i}", "status": "failed", "reason": "x" * 200} for i in range(7)],
        "known_failures_retried": [f"ORD{i}" for i in range(40)],
        "open_failures": [],
    }
    lines = summary_text(summary).splitlines()
    assert len(lines) == len(summary) and all(len(line) <= 220 for line in lines)
    assert "  outcome: failed" in lines and "  watermark: -" in lines and "  open failures: -" in lines
    assert "  window: 2026-11-03T07:45:00+00:00 → 2026-11-03T10:00:00+00:00" in lines
    assert "  counts: seen 120, unchanged 3, created 110, failed 7" in lines
    assert "  new problems: 7 (listed above)" in lines
    assert "  known failures retried: ORD0, ORD1, ORD2, ORD3, ORD4, … (40 in all)" in lines
