"""The ledger on SQLite and PostgreSQL: migrations, runs, per-order outcomes, watermark and lease."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from lightspeed_afas.ledger import Ledger, OrderOutcome, connection_to_url, engine_for, schema

LATEST = schema.MIGRATIONS[-1][0]


def test_schema_is_created_and_migrations_are_not_applied_twice(ledger):
    assert ledger.schema_version() == LATEST
    assert ledger.migrate() == []
    tables = set(sa.inspect(ledger.engine).get_table_names())
    assert {"lsafas_sync_run", "lsafas_order_attempt", "lsafas_order_state", "lsafas_retention_run"} <= tables


def _ledger_at_version(url: str, version: int) -> sa.Engine:
    """The ledger exactly as ``version`` left it (its migrations applied, none after)."""
    engine = engine_for(url)
    with engine.begin() as conn:
        schema.schema_version.create(conn)
        for number, description, step in schema.MIGRATIONS[:version]:
            step(conn)
            conn.execute(
                schema.schema_version.insert().values(
                    version=number, description=description, applied_at=datetime.now(UTC)
                )
            )
    return engine


def test_a_version_1_ledger_is_migrated_and_keeps_its_rows(ledger_url):
    engine = _ledger_at_version(ledger_url, 1)  # with a booking in it
    assert "lsafas_retention_run" not in sa.inspect(engine).get_table_names()
    old = Ledger.__new__(Ledger)
    old.url, old.engine = ledger_url, engine
    old.record("acme", "r1", [OrderOutcome(1, "ORD1", "u1", "created", "h1", "60000001", "10001")], 5)

    ledger = Ledger(ledger_url)  # opening it migrates
    assert ledger.schema_version() == LATEST
    assert ledger.migrate() == []
    indexes = {ix["name"] for ix in sa.inspect(engine).get_indexes("lsafas_detail_log")}
    assert "ix_lsafas_detail_log_at" in indexes
    assert ledger.order_states("acme", [1])[1].afas_order_number == "60000001"
    assert [h["order_number"] for h in ledger.history("acme")] == ["ORD1"]


def _notifier_table_as_before_version_3(conn: sa.Connection) -> None:
    """``lsafas_notification`` as the notifier created it itself before version 3."""
    old = sa.Table(
        "lsafas_notification",
        sa.MetaData(),
        sa.Column("tenant", sa.String(64), primary_key=True),
        sa.Column("channel", sa.String(20), primary_key=True),
        sa.Column("problem_key", sa.String(200), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=False),
    )
    old.create(conn)
    conn.execute(
        old.insert().values(
            tenant="acme",
            channel="email",
            problem_key="order:1:failed:x",
            kind="order",
            notified_at=datetime.now(UTC),
        )
    )


NEWEST = max(version for version, _, _ in schema.MIGRATIONS)


def test_a_version_3_ledger_gets_the_tables_of_the_flows_beside_orders(ledger_url):
    engine = _ledger_at_version(ledger_url, 3)
    assert "lsafas_stock_variant" not in sa.inspect(engine).get_table_names()
    assert Ledger(ledger_url).schema_version() == NEWEST
    names = set(sa.inspect(engine).get_table_names())
    assert {t.name for t in schema.V4_TABLES} <= names


def test_a_version_4_ledger_gets_the_articles_tables(ledger_url):
    engine = _ledger_at_version(ledger_url, 4)
    assert "lsafas_article_item" not in sa.inspect(engine).get_table_names()
    assert Ledger(ledger_url).schema_version() == NEWEST == 7
    names = set(sa.inspect(engine).get_table_names())
    assert {t.name for t in schema.V5_TABLES} <= names


def test_a_version_5_ledger_gets_the_flow_item_tables(ledger_url):
    engine = _ledger_at_version(ledger_url, 5)
    assert "lsafas_flow_item" not in sa.inspect(engine).get_table_names()
    assert Ledger(ledger_url).migrate() == [] and Ledger(ledger_url).schema_version() == NEWEST
    assert {t.name for t in schema.V6_TABLES} <= set(sa.inspect(engine).get_table_names())


def test_a_version_2_ledger_that_has_the_notifiers_table_keeps_it_and_its_rows(ledger_url):
    engine = _ledger_at_version(ledger_url, 2)
    with engine.begin() as conn:
        _notifier_table_as_before_version_3(conn)
    ledger = Ledger(ledger_url)  # opening it migrates; the table is there already
    assert ledger.schema_version() == NEWEST and ledger.migrate() == []
    with engine.connect() as conn:
        keys = conn.execute(sa.select(schema.notification.c.problem_key)).scalars().all()
    assert keys == ["order:1:failed:x"]


def test_a_version_2_ledger_without_the_notifiers_table_gets_it(ledger_url):
    engine = _ledger_at_version(ledger_url, 2)
    assert "lsafas_notification" not in sa.inspect(engine).get_table_names()
    assert Ledger(ledger_url).migrate() == [] and Ledger(ledger_url).schema_version() == NEWEST
    assert "lsafas_notification" in sa.inspect(engine).get_table_names()
    columns = {c["name"] for c in sa.inspect(engine).get_columns("lsafas_notification")}
    assert columns == {"tenant", "channel", "problem_key", "kind", "notified_at"}


def test_a_retried_extract_reuses_its_run_row_and_a_broken_run_is_closed(ledger):
    first = ledger.start_run("acme", "manual__1", "scheduled", None, None)
    assert ledger.start_run("acme", "manual__1", "scheduled", None, None) == first
    assert len(ledger.runs("acme")) == 1
    assert ledger.close_unfinished_run("acme", "manual__1", "ended early") == 1
    (run,) = ledger.runs("acme")
    assert (run["outcome"], run["message"]) == ("failed", "ended early") and run["finished_at"]
    assert ledger.close_unfinished_run("acme", "manual__1", "again") == 0, "a closed run stays as it was"
    assert ledger.start_run("acme", "manual__1", "scheduled", None, None) != first, "a cleared run: new row"


def test_watermark_only_moves_forward(ledger):
    t0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
    assert ledger.watermark("acme") is None
    assert ledger.advance_watermark("acme", t0, "run1") == t0
    assert ledger.advance_watermark("acme", t0 - timedelta(hours=1), "run2") == t0
    assert ledger.watermark("acme") == t0
    later = t0 + timedelta(minutes=15)
    assert ledger.advance_watermark("acme", later, "run3") == later
    assert ledger.watermark("other") is None


def test_failures_count_up_to_quarantine_and_a_booking_resets_them(ledger):
    failed = OrderOutcome(1, "ORD1", "2026-11-01T10:00:00+01:00", "failed", reason="no e-mail")
    assert [o.action for o in ledger.record("acme", "r1", [failed], max_failures=3)] == ["failed"]
    assert [o.action for o in ledger.record("acme", "r2", [failed], max_failures=3)] == ["failed"]
    assert [o.action for o in ledger.record("acme", "r3", [failed], max_failures=3)] == ["quarantined"]
    state = ledger.order_states("acme", [1])[1]
    assert (state.status, state.failures, state.reason) == ("quarantined", 3, "no e-mail")
    booked = OrderOutcome(1, "ORD1", "2026-11-02T10:00:00+01:00", "created", "h1", "60000001", "10001")
    ledger.record("acme", "r4", [booked], max_failures=3)
    state = ledger.order_states("acme", [1])[1]
    assert (state.status, state.failures, state.afas_order_number, state.payload_hash) == (
        "booked",
        0,
        "60000001",
        "h1",
    )
    history = ledger.history("acme", order_number="ORD1")
    assert [h["attempt"] for h in history] == [4, 3, 2, 1]
    assert [h["action"] for h in ledger.history("acme", action="quarantined")] == ["quarantined"]


def test_a_later_failure_keeps_what_was_booked(ledger):
    ledger.record("acme", "r1", [OrderOutcome(7, "ORD7", "u1", "created", "h1", "60000007", "10007")], 5)
    ledger.record("acme", "r2", [OrderOutcome(7, "ORD7", "u2", "failed", reason="AFAS refused")], 5)
    state = ledger.order_states("acme", [7])[7]
    assert (state.status, state.updated_at, state.payload_hash, state.afas_order_number) == (
        "failed",
        "u1",
        "h1",
        "60000007",
    )


def test_runs_are_recorded_with_counts_and_duration(ledger):
    pk = ledger.start_run("acme", "scheduled__x", "scheduled", datetime(2026, 11, 1, tzinfo=UTC), None)
    ledger.finish_run(pk, "success", {"created": 3}, {"lightspeed": 4, "afas": 5}, rate_limited=1)
    (run,) = ledger.runs("acme")
    assert run["outcome"] == "success" and run["counts"] == {"created": 3} and run["rate_limited"] == 1
    assert run["duration_s"] is not None and run["duration_s"] >= 0


def test_lease_is_exclusive_until_it_expires_or_is_released(ledger):
    assert ledger.acquire_lease("acme", "run-a", timedelta(minutes=5)) is None
    assert ledger.acquire_lease("acme", "run-b", timedelta(minutes=5)) == "run-a"
    assert ledger.acquire_lease("acme", "run-a", timedelta(minutes=5)) is None  # renewal
    ledger.release_lease("acme", "run-a")
    assert ledger.acquire_lease("acme", "run-b", timedelta(seconds=-1)) is None  # already expired
    assert ledger.acquire_lease("acme", "run-c", timedelta(minutes=5)) is None


def test_unknown_action_is_refused():
    with pytest.raises(ValueError, match="unknown ledger action"):
        OrderOutcome(1, "ORD1", None, "booked")


def test_connection_forms_map_to_sqlalchemy_urls():
    assert connection_to_url("sqlite", "/tmp/l.db", None, None, None, None) == "sqlite:////tmp/l.db"
    url = connection_to_url("postgres", "db", "airflow", "p@ss", 5432, "ledger")
    assert url == "postgresql+psycopg2://airflow:p%40ss@db:5432/ledger"
    with pytest.raises(ValueError, match="sqlite or postgres"):
        connection_to_url("mysql", "db", None, None, None, None)


def _open_ledger(url: str) -> int:
    return Ledger(url).schema_version()


def test_processes_opening_a_new_ledger_at_once_all_get_it_migrated(ledger_url):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(4, mp_context=multiprocessing.get_context("spawn")) as pool:
        versions = list(pool.map(_open_ledger, [ledger_url] * 4))
    assert versions == [LATEST] * 4
    with Ledger(ledger_url).engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM lsafas_schema_version")).scalar() == LATEST


def test_a_sqlite_migration_holds_the_write_lock_from_before_it_reads_the_versions(tmp_path, monkeypatch):
    """A second worker opening the ledger mid-migration must wait, not apply version 1 a second time."""
    import sqlite3

    path, rivals = tmp_path / "ledger.db", []

    def rival_worker_starts() -> None:  # a second process's ``BEGIN IMMEDIATE``, without waiting
        other = sqlite3.connect(path, timeout=0)
        try:
            other.execute("BEGIN IMMEDIATE")
            rivals.append("got the write lock")
        except sqlite3.OperationalError as exc:
            rivals.append(str(exc))
        finally:
            other.close()

    (version, description, step), *later = schema.MIGRATIONS
    monkeypatch.setattr(
        schema,
        "MIGRATIONS",
        [(version, description, lambda conn: (rival_worker_starts(), step(conn)))] + later,
    )
    ledger = Ledger(f"sqlite:///{path}")
    assert rivals == ["database is locked"]
    assert ledger.schema_version() == LATEST and ledger.migrate() == []


def test_opening_an_up_to_date_sqlite_ledger_does_not_wait_for_a_writer(tmp_path):
    import sqlite3

    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    Ledger(url)
    writer = sqlite3.connect(tmp_path / "ledger.db", timeout=0)
    try:
        writer.execute("BEGIN IMMEDIATE")  # another task's long write transaction
        assert Ledger(url).schema_version() == LATEST
    finally:
        writer.close()


def test_hostile_order_numbers_and_times_do_not_stop_the_ledger(ledger):
    long_number, long_time = "ORD" + "7" * 117, "2026-11-20T10:00:00.000000000000000+01:00"
    (stored,) = ledger.record("shop", "r", [OrderOutcome(1, long_number, long_time, "failed", reason="x")], 5)
    assert len(stored.order_number) == 64 and stored.order_number.endswith("…")
    state = ledger.order_states("shop", [1])[1]
    assert state.status == "failed" and state.order_number == stored.order_number
    ledger.add_detail("shop", "r", [{"order_number": long_number, "at": "2026-11-20T10:00:00+00:00",
                                     "api": "afas", "method": "POST", "url": "/x", "status": 500}])  # fmt: skip
    assert len(ledger.detail("shop")) == 1
