"""Data intervals: real 15-minute windows, contiguous, and none skipped or doubled across DST changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pendulum
import pytest
from airflow.sdk import DAG
from airflow.serialization.serialized_objects import DagSerialization
from airflow.timetables.base import TimeRestriction

from lightspeed_afas.config import load_tenant_file
from lightspeed_afas.orchestration.dag_factory import tenant_dag


def scheduler_timetable(dag: DAG):
    """The timetable as the scheduler sees it: from the serialized DAG."""
    return DagSerialization.from_dict(DagSerialization.to_dict(dag)).timetable


def intervals(timetable, start: datetime, count: int) -> list[tuple[datetime, datetime]]:
    restriction = TimeRestriction(earliest=pendulum.instance(start), latest=None, catchup=True)
    info = timetable.next_dagrun_info(last_automated_data_interval=None, restriction=restriction)
    out = []
    for _ in range(count):
        out.append((info.data_interval.start, info.data_interval.end))
        info = timetable.next_dagrun_info(
            last_automated_data_interval=info.data_interval, restriction=restriction
        )
    return out


@pytest.fixture
def timetable(include):
    return scheduler_timetable(tenant_dag(load_tenant_file(include.tenants / "demo.yaml")))


def test_a_bare_cron_string_gives_empty_intervals_in_this_airflow(monkeypatch):
    # Why the factory passes a timetable object: with Airflow 3.3's default config
    # ([scheduler] create_cron_data_intervals = False) a cron string becomes a trigger timetable.
    monkeypatch.setenv("AIRFLOW__SCHEDULER__CREATE_CRON_DATA_INTERVALS", "False")
    dag = DAG("bare_cron", schedule="*/15 * * * *", start_date=datetime(2026, 1, 1, tzinfo=UTC))
    ((start, end),) = intervals(scheduler_timetable(dag), datetime(2026, 3, 1, tzinfo=UTC), 1)
    assert start == end


def test_consecutive_intervals_are_contiguous_quarter_hours(timetable):
    found = intervals(timetable, datetime(2026, 11, 3, 9, 0, tzinfo=UTC), 8)
    assert found[0] == (datetime(2026, 11, 3, 9, 0, tzinfo=UTC), datetime(2026, 11, 3, 9, 15, tzinfo=UTC))
    for (_, end), (next_start, _) in zip(found, found[1:], strict=False):
        assert next_start == end
    assert all(end - start == timedelta(minutes=15) for start, end in found)


@pytest.mark.parametrize(
    ("night", "offset_before", "offset_after"),
    [
        (datetime(2026, 3, 28, 23, 0, tzinfo=UTC), timedelta(hours=1), timedelta(hours=2)),  # 29 March
        (datetime(2026, 10, 24, 23, 0, tzinfo=UTC), timedelta(hours=2), timedelta(hours=1)),  # 25 October
    ],
)
def test_no_window_skipped_or_doubled_across_dst(timetable, night, offset_before, offset_after):
    found = intervals(timetable, night, 6 * 4)  # six real hours around the change
    assert found[0][0] == night and found[-1][1] == night + timedelta(hours=6)
    for (_, end), (next_start, _) in zip(found, found[1:], strict=False):
        assert next_start == end
    assert all(end - start == timedelta(minutes=15) for start, end in found)
    assert len({start for start, _ in found}) == len(found) == 24
    amsterdam = pendulum.timezone("Europe/Amsterdam")
    assert found[0][0].astimezone(amsterdam).utcoffset() == offset_before
    assert found[-1][1].astimezone(amsterdam).utcoffset() == offset_after
