"""``airflow backfill create`` on a tenant DAG creates runs with real, contiguous 15-minute intervals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from airflow.models.backfill import ReprocessBehavior, _create_backfill
from airflow.models.dagbundle import DagBundleModel
from airflow.models.dagrun import DagRun
from airflow.utils.session import create_session
from airflow.utils.types import DagRunType
from sqlalchemy import select

from tests.dags.test_invalid_tenant_files import parse, persist


def test_backfill_creates_one_run_per_interval(airflow_db, include):
    bundle = "backfill-test"
    with create_session() as session:
        session.merge(DagBundleModel(name=bundle))
    include.tenant("backfilled")
    persist(bundle, parse(bundle))

    dag_id = "lightspeed_afas_backfilled"
    backfill = _create_backfill(
        dag_id=dag_id,
        from_date=datetime(2026, 11, 2, 0, 0, tzinfo=UTC),
        to_date=datetime(2026, 11, 2, 1, 0, tzinfo=UTC),
        max_active_runs=1,
        reverse=False,
        dag_run_conf=None,
        triggering_user_name="test",
        reprocess_behavior=ReprocessBehavior.NONE,
    )
    with create_session() as session:
        runs = session.scalars(
            select(DagRun).where(DagRun.dag_id == dag_id).order_by(DagRun.data_interval_start)
        ).all()
        intervals = [(r.data_interval_start, r.data_interval_end) for r in runs]
        assert {r.run_type for r in runs} == {DagRunType.BACKFILL_JOB}
        assert {r.backfill_id for r in runs} == {backfill.id}
    assert intervals[0][0] == datetime(2026, 11, 2, 0, 0, tzinfo=UTC)
    assert len(intervals) >= 4
    for (start, end), (next_start, _) in zip(intervals, intervals[1:], strict=False):
        assert end - start == timedelta(minutes=15) and next_start == end
