"""What a run of a flow was asked to do: its window or its order numbers, and whether it is a dry run.

``orchestration.run_request`` builds one from the Airflow context; the flows only read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class RunMode(StrEnum):
    SCHEDULED = "scheduled"  # the scheduler's run: from the watermark to the end of its data interval
    RANGE = "range"  # a manual run with since (and until)
    ORDERS = "orders"  # a manual run with order_numbers
    BACKFILL = "backfill"  # a run of `airflow backfill create`: its data interval, exactly


@dataclass(frozen=True)
class RunRequest:
    run_id: str
    mode: RunMode
    window_start: datetime | None
    window_end: datetime | None
    order_numbers: tuple[str, ...] = ()
    dry_run: bool = False
