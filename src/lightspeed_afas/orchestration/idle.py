"""Idle runs: a run whose first step finds nothing to do ends in that step, and Airflow skips the rest.

Most of a tenant's 96 runs a day have nothing to book (orders, customers, credit notes) or nothing to
write (stock, articles: AFAS gave what the last clean run planned from). For such a run the first step
does what the last step would have done with nothing — records its own decisions, closes the run's ledger
row with its counts and outcome, moves the watermark or cursor, logs the run summary — and returns the
step's XCom value with the summary under ``RUN_SUMMARY``. The task callable (``orchestration.entry``)
then pushes that value itself and raises the Task SDK's ``DownstreamTasksSkipped`` with every later task
of the DAG, the teardown ``purge_staged_data`` included: the task runner reports them to the API server,
which sets them ``skipped`` while they have not started, and the first task ends ``success``. No worker
process starts for a skipped task; the run ends ``success`` (``skipped`` leaves count as done).

The teardown is skipped too because an idle run leaves it nothing to do: it takes no lease, its ledger
row is closed, and the only staged file is the first step's own XCom value (no order data: nothing was
to be booked), which the retention DAG removes with the other staged files after
``staged_data_retention_hours``. A run with something to do runs every task, as before.

A skipped task that someone clears and runs all the same finds ``RUN_SUMMARY`` in the first step's value
and returns it without doing anything (``summary_if_ended``): the run is not finished twice.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any, NoReturn

log = logging.getLogger(__name__)

RUN_SUMMARY = "run_summary"  # key of the first step's XCom value when the run ended in that step
WHY = "idle_reason"  # key of the same value: what the log line says there was nothing of


def ended_here(value: Any) -> bool:
    """Whether ``value`` (a step's XCom value) is that of a first step that ended the run."""
    return isinstance(value, Mapping) and isinstance(value.get(RUN_SUMMARY), Mapping)


def summary_if_ended(step: str, first: str, upstream: Mapping[str, Any]) -> dict[str, Any] | None:
    """For a later step: the run summary when the run ended in ``first`` (the step then has nothing to do)."""
    value = upstream.get(first)
    if step == first or not ended_here(value):
        return None
    log.info("The run ended in %s (%s): %s has nothing to do.", first, value.get(WHY), step)
    return dict(value[RUN_SUMMARY])


def idle_value(xcom: dict[str, Any], summary: dict[str, Any], why: str) -> dict[str, Any]:
    """The first step's XCom value for a run that ends in it."""
    return {**xcom, RUN_SUMMARY: summary, WHY: why}


def end_run_here(context: Mapping[str, Any], value: dict[str, Any], steps: Sequence[str]) -> NoReturn:
    """Push the first step's value and skip every later task of the run (see the module)."""
    from airflow.sdk.exceptions import DownstreamTasksSkipped

    task, ti = context["task"], context["ti"]
    later = set(task.get_flat_relative_ids(upstream=False))
    order = {name: i for i, name in enumerate(steps)}
    tasks = sorted(later, key=lambda name: (order.get(name, len(order)), name))
    ti.xcom_push(key="return_value", value=value)  # an exception leaves nothing for Airflow to push
    named = [name for name in tasks if name in order]
    rest = [name for name in tasks if name not in order]
    log.info(
        "%s: %s skipped%s",
        value.get(WHY, "nothing to do"),
        ", ".join(named) or "nothing",
        f", and {', '.join(rest)} (nothing to tear down: no lease taken, the run's ledger row is closed)"
        if rest
        else "",
    )
    raise DownstreamTasksSkipped(tasks=tasks)
