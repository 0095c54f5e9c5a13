"""The ledger: runs, per-order outcomes, the per-tenant watermark and lease, and the detail log.

Its own database (never Airflow's metadata DB, which Airflow 3 tasks may not touch): the Airflow
connection ``lightspeed_afas_ledger`` (SQLite or PostgreSQL), else a SQLite file under AIRFLOW_HOME.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from lightspeed_afas.ledger import schema as t

log = logging.getLogger(__name__)

LEDGER_CONN_ID = "lightspeed_afas_ledger"
MIGRATION_LOCK_KEY = 7_215_000_001  # pg_advisory_xact_lock key of the ledger's migrations
ACTIONS = ("created", "updated", "deleted", "skipped", "unchanged", "failed", "quarantined")

_engines: dict[str, sa.Engine] = {}
_engines_lock = threading.Lock()


def now_utc() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; everything the ledger stores is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def ledger_url_from_airflow(conn_id: str = LEDGER_CONN_ID) -> str:
    """The SQLAlchemy URL of the ledger: the Airflow connection, else SQLite under AIRFLOW_HOME.

    Only an absent connection falls back to the default, and it says so: with more than one worker a
    local SQLite file per machine would split the ledger. Any other failure of the look-up is raised.
    """
    from airflow.sdk import BaseHook
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        conn = BaseHook.get_connection(conn_id)
    except AirflowNotFoundException:
        home = Path(os.environ.get("AIRFLOW_HOME", Path.home() / "airflow"))
        path = home / "lightspeed_afas_ledger.db"
        log.warning(
            "The Airflow connection '%s' is not defined: the ledger is the SQLite file %s on this machine. "
            "Define the connection (PostgreSQL) when tasks run on more than one machine.",
            conn_id,
            path,
        )
        return f"sqlite:///{path}"
    return connection_to_url(conn.conn_type, conn.host, conn.login, conn.password, conn.port, conn.schema)


def ledger_url_outside_tasks(conn_id: str = LEDGER_CONN_ID) -> str:
    """The ledger's URL for processes that may read Airflow's metadata DB (the API server, the CLI).

    The Task SDK's lookup (``ledger_url_from_airflow``) does not see connections stored in the UI outside
    a task, so this asks the core ``Connection`` (environment, secrets backends and stored connections)
    first. Absent everywhere: the documented default (SQLite under AIRFLOW_HOME).
    """
    from lightspeed_afas.config.airflow_connections import connection_outside_tasks

    try:
        conn = connection_outside_tasks(conn_id)
    except Exception:  # not defined anywhere (or no metadata DB to ask): the SDK lookup and the default
        return ledger_url_from_airflow(conn_id)
    return connection_to_url(conn.conn_type, conn.host, conn.login, conn.password, conn.port, conn.schema)


def connection_to_url(
    conn_type: str | None,
    host: str | None,
    login: str | None,
    password: str | None,
    port: int | None,
    schema: str | None,
) -> str:
    """An Airflow connection's fields as a SQLAlchemy URL (``sqlite`` or ``postgres``)."""
    kind = (conn_type or "").lower()
    if kind == "sqlite":
        return f"sqlite:///{host or schema}"
    if kind in ("postgres", "postgresql"):
        url = sa.engine.URL.create(
            "postgresql+psycopg2", username=login, password=password, host=host, port=port, database=schema
        )
        return url.render_as_string(hide_password=False)
    raise ValueError(
        f"The ledger connection must be of type sqlite or postgres, not {conn_type!r} "
        f"(connection '{LEDGER_CONN_ID}')."
    )


def engine_for(url: str) -> sa.Engine:
    """One engine per URL per process; SQLite in WAL mode with a busy timeout for parallel tasks."""
    with _engines_lock:
        if url not in _engines:
            if url.startswith("sqlite"):
                engine = sa.create_engine(url, connect_args={"timeout": 60})

                @sa.event.listens_for(engine, "connect")
                def _pragmas(dbapi_conn: Any, _record: Any) -> None:
                    cursor = dbapi_conn.cursor()
                    cursor.execute("PRAGMA journal_mode=WAL")
                    cursor.execute("PRAGMA busy_timeout=60000")
                    cursor.close()

            else:
                engine = sa.create_engine(url, pool_pre_ping=True)
            _engines[url] = engine
        return _engines[url]


def _lock_for_migration(conn: sa.Connection) -> None:
    """Take the ledger's write lock for the rest of ``conn``'s transaction, before it reads anything.

    SQLite: Python's sqlite3 driver opens a transaction only before an INSERT/UPDATE/DELETE, so without
    an explicit ``BEGIN IMMEDIATE`` the version check and the DDL run unlocked, each in its own
    autocommit, and two processes both apply version 1. ``BEGIN IMMEDIATE`` waits for the busy timeout.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
    elif conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _applied_versions(conn: sa.Connection) -> set[int]:
    if not sa.inspect(conn).has_table(t.schema_version.name):
        return set()
    return set(conn.execute(sa.select(t.schema_version.c.version)).scalars())


@dataclass(frozen=True)
class OrderState:
    """What the ledger last knew about one Lightspeed order."""

    order_id: int
    order_number: str
    updated_at: str | None
    payload_hash: str | None
    afas_order_number: str | None
    debtor_id: str | None
    status: str
    failures: int  # consecutive failures (0 once booked)
    reason: str | None
    last_attempt_at: datetime | None = None  # when the last attempt was recorded (UTC)


@dataclass(frozen=True)
class OrderOutcome:
    """One order's result in one run, as the ledger records it (no order contents)."""

    order_id: int
    order_number: str
    updated_at: str | None
    action: str
    payload_hash: str | None = None
    afas_order_number: str | None = None
    debtor_id: str | None = None
    reason: str | None = None
    profit_log_reference: str | None = None
    # Set by ``Ledger.record``: this failure repeats what the ledger last recorded for the order (same
    # status, same reason), so it is a known problem rather than a new one. Not stored.
    repeated: bool = field(default=False, compare=False)

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise ValueError(f"unknown ledger action {self.action!r}")
        # Hostile webshop data must not stop the ledger (PostgreSQL enforces the column widths); such an
        # order fails on its own data anyway, and its id still identifies it.
        object.__setattr__(self, "order_number", clip(self.order_number, NUMBER_WIDTH))
        object.__setattr__(self, "updated_at", clip(self.updated_at, UPDATED_AT_WIDTH))


NUMBER_WIDTH = 64  # lsafas_*.order_number
UPDATED_AT_WIDTH = 40  # lsafas_*.updated_at


def clip(value: str | None, width: int) -> str | None:
    """``value`` cut to a column's width, marked with … when it was longer."""
    if value is None or len(value) <= width:
        return value
    return value[: width - 1] + "…"


class Ledger:
    """Read and write the ledger. Safe to share between threads of one task."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = engine_for(url)
        self.migrate()

    @classmethod
    def from_airflow(cls, conn_id: str = LEDGER_CONN_ID) -> Ledger:
        return cls(ledger_url_from_airflow(conn_id))

    # -- schema -----------------------------------------------------------------------------------

    def migrate(self) -> list[int]:
        """Apply the migrations this database lacks; returns the versions applied now.

        Several processes may open a new ledger at once (workers starting together), so reading the
        applied versions and applying the missing ones is one transaction that holds the database's
        write lock from its first statement: a PostgreSQL advisory lock, SQLite's ``BEGIN IMMEDIATE``
        (the others wait, up to the busy timeout, then see the versions the first one applied). A
        ledger that has every version is only read, without the lock: versions are only ever added.
        """
        with self.engine.connect() as conn:
            if {version for version, _, _ in t.MIGRATIONS} <= _applied_versions(conn):
                return []
        applied: list[int] = []
        with self.engine.begin() as conn:
            _lock_for_migration(conn)
            t.schema_version.create(conn, checkfirst=True)
            done = _applied_versions(conn)
            for version, description, step in t.MIGRATIONS:
                if version in done:
                    continue
                step(conn)
                conn.execute(
                    t.schema_version.insert().values(
                        version=version, description=description, applied_at=now_utc()
                    )
                )
                applied.append(version)
        return applied

    def schema_version(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.max(t.schema_version.c.version))).scalar() or 0)

    # -- runs -------------------------------------------------------------------------------------

    def start_run(
        self, tenant: str, run_id: str, mode: str, window_start: datetime | None, window_end: datetime | None
    ) -> int:
        """The run's row: a new one, or the unfinished one a retried ``extract_orders`` left behind."""
        with self.engine.begin() as conn:
            unfinished = conn.execute(
                sa.select(t.sync_run.c.id)
                .where(
                    t.sync_run.c.tenant == tenant,
                    t.sync_run.c.run_id == run_id,
                    t.sync_run.c.outcome == "running",
                )
                .order_by(t.sync_run.c.id.desc())
            ).first()
            if unfinished is not None:
                conn.execute(
                    t.sync_run.update()
                    .where(t.sync_run.c.id == unfinished[0])
                    .values(mode=mode, window_start=window_start, window_end=window_end)
                )
                return int(unfinished[0])
            result = conn.execute(
                t.sync_run.insert().values(
                    tenant=tenant,
                    run_id=run_id,
                    mode=mode,
                    window_start=window_start,
                    window_end=window_end,
                    started_at=now_utc(),
                    outcome="running",
                    counts={},
                    calls={},
                    rate_limited=0,
                )
            )
            return int(result.inserted_primary_key[0])

    def finish_run(
        self,
        run_pk: int,
        outcome: str,
        counts: dict[str, int],
        calls: dict[str, Any],
        rate_limited: int,
        message: str | None = None,
    ) -> None:
        with self.engine.begin() as conn:
            started = _aware(
                conn.execute(sa.select(t.sync_run.c.started_at).where(t.sync_run.c.id == run_pk)).scalar()
            )
            finished = now_utc()
            conn.execute(
                t.sync_run.update()
                .where(t.sync_run.c.id == run_pk)
                .values(
                    outcome=outcome,
                    counts=counts,
                    calls=calls,
                    rate_limited=rate_limited,
                    finished_at=finished,
                    duration_s=(finished - started).total_seconds() if started else None,
                    message=message,
                )
            )

    def close_unfinished_run(self, tenant: str, run_id: str, message: str) -> int:
        """Mark the run's row failed when the run ended before ``load_to_afas`` closed it (a step failed
        or was killed); returns how many rows it closed (0 when the run had finished properly)."""
        with self.engine.begin() as conn:
            rows = conn.execute(
                sa.select(t.sync_run.c.id, t.sync_run.c.started_at).where(
                    t.sync_run.c.tenant == tenant,
                    t.sync_run.c.run_id == run_id,
                    t.sync_run.c.outcome == "running",
                )
            ).all()
            finished = now_utc()
            for pk, started in rows:
                started_at = _aware(started)
                conn.execute(
                    t.sync_run.update()
                    .where(t.sync_run.c.id == pk)
                    .values(
                        outcome="failed",
                        finished_at=finished,
                        duration_s=(finished - started_at).total_seconds() if started_at else None,
                        message=message,
                    )
                )
            return len(rows)

    def runs(self, tenant: str, limit: int = 50) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(t.sync_run)
                .where(t.sync_run.c.tenant == tenant)
                .order_by(t.sync_run.c.started_at.desc(), t.sync_run.c.id.desc())
                .limit(limit)
            ).mappings()
            return [dict(r) for r in rows]

    # -- watermark --------------------------------------------------------------------------------

    def watermark(self, tenant: str) -> datetime | None:
        with self.engine.connect() as conn:
            value = conn.execute(
                sa.select(t.watermark.c.extracted_until).where(t.watermark.c.tenant == tenant)
            ).scalar()
            return _aware(value)

    def advance_watermark(self, tenant: str, until: datetime, run_id: str) -> datetime:
        """Move the watermark forward to ``until`` (never back); returns the watermark now stored."""
        until = until.astimezone(UTC)
        with self.engine.begin() as conn:
            current = _aware(
                conn.execute(
                    sa.select(t.watermark.c.extracted_until)
                    .where(t.watermark.c.tenant == tenant)
                    .with_for_update()
                ).scalar()
            )
            if current is None:
                conn.execute(
                    t.watermark.insert().values(
                        tenant=tenant, extracted_until=until, run_id=run_id, changed_at=now_utc()
                    )
                )
                return until
            if until <= current:
                return current
            conn.execute(
                t.watermark.update()
                .where(t.watermark.c.tenant == tenant)
                .values(extracted_until=until, run_id=run_id, changed_at=now_utc())
            )
            return until

    # -- per-order state --------------------------------------------------------------------------

    def order_states(self, tenant: str, order_ids: Iterable[int]) -> dict[int, OrderState]:
        ids = sorted(set(int(i) for i in order_ids))
        out: dict[int, OrderState] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                rows = conn.execute(
                    sa.select(t.order_state).where(
                        t.order_state.c.tenant == tenant, t.order_state.c.order_id.in_(chunk)
                    )
                ).mappings()
                for r in rows:
                    out[int(r["order_id"])] = _state(r)
        return out

    def orders_with_status(self, tenant: str, statuses: Sequence[str]) -> list[OrderState]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(t.order_state)
                .where(t.order_state.c.tenant == tenant, t.order_state.c.status.in_(list(statuses)))
                .order_by(t.order_state.c.order_id)
            ).mappings()
            return [_state(r) for r in rows]

    def record(
        self,
        tenant: str,
        run_id: str,
        outcomes: Sequence[OrderOutcome],
        max_failures: int,
        at: datetime | None = None,
    ) -> list[OrderOutcome]:
        """Record one attempt per order and update its state; a failure past ``max_failures`` quarantines.

        Returns the outcomes as stored (``failed`` may have become ``quarantined``; ``repeated`` says
        whether a failure is the one already recorded). ``at``: the attempts' time (default: now).
        """
        stored: list[OrderOutcome] = []
        at = (at or now_utc()).astimezone(UTC)
        with self.engine.begin() as conn:
            for outcome in outcomes:
                prev = (
                    conn.execute(
                        sa.select(t.order_state).where(
                            t.order_state.c.tenant == tenant, t.order_state.c.order_id == outcome.order_id
                        )
                    )
                    .mappings()
                    .first()
                )
                previous_failures = int(prev["failures"]) if prev else 0
                attempt = (
                    int(
                        conn.execute(
                            sa.select(sa.func.count())
                            .select_from(t.order_attempt)
                            .where(
                                t.order_attempt.c.tenant == tenant,
                                t.order_attempt.c.order_id == outcome.order_id,
                            )
                        ).scalar()
                        or 0
                    )
                    + 1
                )
                action = outcome.action
                failures = previous_failures
                if action == "failed":
                    failures += 1
                    if failures >= max_failures:
                        action = "quarantined"
                elif action in ("created", "updated", "deleted", "skipped", "unchanged"):
                    failures = 0
                final = OrderOutcome(
                    **{**outcome.__dict__, "action": action, "repeated": _repeats(prev, action, outcome)}
                )
                stored.append(final)
                conn.execute(
                    t.order_attempt.insert().values(
                        tenant=tenant,
                        order_id=outcome.order_id,
                        order_number=outcome.order_number,
                        updated_at=outcome.updated_at,
                        payload_hash=outcome.payload_hash,
                        afas_order_number=outcome.afas_order_number,
                        debtor_id=outcome.debtor_id,
                        action=action,
                        reason=outcome.reason,
                        profit_log_reference=outcome.profit_log_reference,
                        attempt=attempt,
                        run_id=run_id,
                        at=at,
                    )
                )
                values = _state_values(final, prev, failures, run_id, at)
                if prev is None:
                    conn.execute(
                        t.order_state.insert().values(tenant=tenant, order_id=outcome.order_id, **values)
                    )
                else:
                    conn.execute(
                        t.order_state.update()
                        .where(t.order_state.c.tenant == tenant, t.order_state.c.order_id == outcome.order_id)
                        .values(**values)
                    )
        return stored

    def attempted_versions(self, tenant: str, states: Iterable[OrderState]) -> dict[int, str | None]:
        """Per order, the Lightspeed ``updatedAt`` of its latest recorded attempt (for a failed order:
        the version that failed, which ``OrderState.updated_at`` does not hold)."""
        by_number: dict[str, set[int]] = {}
        for state in states:
            by_number.setdefault(state.order_number, set()).add(state.order_id)
        numbers = sorted(by_number)
        out: dict[int, str | None] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(numbers), 500):
                latest = (
                    sa.select(sa.func.max(t.order_attempt.c.id))
                    .where(
                        t.order_attempt.c.tenant == tenant,
                        t.order_attempt.c.order_number.in_(numbers[start : start + 500]),
                    )
                    .group_by(t.order_attempt.c.order_id)
                )
                rows = conn.execute(
                    sa.select(
                        t.order_attempt.c.order_id,
                        t.order_attempt.c.order_number,
                        t.order_attempt.c.updated_at,
                    ).where(t.order_attempt.c.id.in_(latest))
                )
                for order_id, number, updated_at in rows:
                    if int(order_id) in by_number.get(number, ()):
                        out[int(order_id)] = updated_at
        return out

    def history(
        self,
        tenant: str,
        order_number: str | None = None,
        action: str | None = None,
        since: datetime | None = None,
        limit: int = 200,
    ) -> list[dict[str, Any]]:
        """Order attempts, newest first, for the ``log`` command and the dashboard."""
        query = sa.select(t.order_attempt).where(t.order_attempt.c.tenant == tenant)
        if order_number:
            query = query.where(t.order_attempt.c.order_number == order_number)
        if action:
            query = query.where(t.order_attempt.c.action == action)
        if since:
            query = query.where(t.order_attempt.c.at >= since)
        query = query.order_by(t.order_attempt.c.at.desc(), t.order_attempt.c.id.desc()).limit(limit)
        with self.engine.connect() as conn:
            return [{**dict(r), "at": _aware(r["at"])} for r in conn.execute(query).mappings()]

    # -- lease: one loader per tenant at a time ---------------------------------------------------

    def acquire_lease(self, tenant: str, holder: str, ttl: timedelta) -> str | None:
        """Take the tenant's lease for ``holder``; returns None, or the holder that has it now."""
        at = now_utc()
        with self.engine.begin() as conn:
            row = (
                conn.execute(sa.select(t.lease).where(t.lease.c.tenant == tenant).with_for_update())
                .mappings()
                .first()
            )
            if row is None:
                try:
                    with conn.begin_nested():
                        conn.execute(
                            t.lease.insert().values(tenant=tenant, holder=holder, expires_at=at + ttl)
                        )
                except sa.exc.IntegrityError:
                    current = conn.execute(
                        sa.select(t.lease.c.holder).where(t.lease.c.tenant == tenant)
                    ).scalar()
                    return str(current)
                return None
            if row["holder"] != holder and _aware(row["expires_at"]) > at:
                return str(row["holder"])
            conn.execute(
                t.lease.update().where(t.lease.c.tenant == tenant).values(holder=holder, expires_at=at + ttl)
            )
            return None

    def release_lease(self, tenant: str, holder: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(t.lease.delete().where(t.lease.c.tenant == tenant, t.lease.c.holder == holder))

    # -- detail log -------------------------------------------------------------------------------

    def add_detail(self, tenant: str, run_id: str | None, exchanges: Sequence[dict[str, Any]]) -> None:
        if not exchanges:
            return
        with self.engine.begin() as conn:
            conn.execute(
                t.detail_log.insert(),
                [
                    {
                        "tenant": tenant,
                        "run_id": run_id,
                        "order_number": clip(e.get("order_number"), NUMBER_WIDTH),
                        "at": datetime.fromisoformat(e["at"]),
                        "api": e["api"],
                        "method": e["method"],
                        "url": e["url"],
                        "status": e["status"],
                        "request_body": e.get("request_body"),
                        "response_body": e.get("response_body"),
                        "duration_ms": e.get("duration_ms"),
                    }
                    for e in exchanges
                ],
            )

    def detail(self, tenant: str, order_number: str | None = None, limit: int = 500) -> list[dict[str, Any]]:
        query = sa.select(t.detail_log).where(t.detail_log.c.tenant == tenant)
        if order_number:
            query = query.where(t.detail_log.c.order_number == order_number)
        query = query.order_by(t.detail_log.c.at, t.detail_log.c.id).limit(limit)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    # -- retention --------------------------------------------------------------------------------

    def tenants(self) -> list[str]:
        """Every tenant the ledger knows (also those whose tenant file is gone)."""
        with self.engine.connect() as conn:
            found: set[str] = set()
            for table in (t.sync_run, t.order_attempt, t.order_state, t.detail_log):
                found.update(conn.execute(sa.select(table.c.tenant).distinct()).scalars())
        return sorted(found)

    def purge_before(
        self, kind: str, cutoff: datetime, tenant: str | None = None, dry_run: bool = False
    ) -> tuple[int, datetime | None]:
        """Delete (or with ``dry_run`` count) the rows of ``kind`` older than ``cutoff``.

        ``kind`` is ``detail_log`` (request/response bodies) or one of the basic log's tables:
        ``order_attempt``, ``sync_run``, ``order_state``, ``retention_run``. Returns the number of rows
        and the oldest time kept. A row exactly at the cutoff is kept.
        """
        table, column = _RETAINED[kind]
        where = [column < cutoff]
        if tenant is not None:
            where.append(table.c.tenant == tenant)
        kept = [column >= cutoff] + ([table.c.tenant == tenant] if tenant is not None else [])
        with self.engine.begin() as conn:
            if dry_run:
                count = int(
                    conn.execute(sa.select(sa.func.count()).select_from(table).where(*where)).scalar()
                )
            else:
                count = int(conn.execute(table.delete().where(*where)).rowcount or 0)
            oldest = conn.execute(sa.select(sa.func.min(column)).where(*kept)).scalar()
        return count, _aware(oldest)

    def record_retention(
        self,
        run_id: str,
        kind: str,
        cutoff: datetime,
        deleted: int,
        oldest_kept: datetime | None,
        dry_run: bool,
    ) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                t.retention_run.insert().values(
                    run_id=run_id,
                    kind=kind,
                    cutoff=cutoff,
                    deleted=deleted,
                    oldest_kept=oldest_kept,
                    dry_run=dry_run,
                    at=now_utc(),
                )
            )

    def retention_runs(self, limit: int = 50) -> list[dict[str, Any]]:
        query = sa.select(t.retention_run).order_by(t.retention_run.c.id.desc()).limit(limit)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]


_RETAINED = {
    "detail_log": (t.detail_log, t.detail_log.c.at),
    "order_attempt": (t.order_attempt, t.order_attempt.c.at),
    "sync_run": (t.sync_run, t.sync_run.c.started_at),
    "order_state": (t.order_state, t.order_state.c.changed_at),
    "retention_run": (t.retention_run, t.retention_run.c.at),
}
BASIC_LOG_TABLES = ("order_attempt", "sync_run", "order_state", "retention_run")


def _state(row: Any) -> OrderState:
    return OrderState(
        order_id=int(row["order_id"]),
        order_number=row["order_number"],
        updated_at=row["updated_at"],
        payload_hash=row["payload_hash"],
        afas_order_number=row["afas_order_number"],
        debtor_id=row["debtor_id"],
        status=row["status"],
        failures=int(row["failures"]),
        reason=row["reason"],
        last_attempt_at=_aware(row["changed_at"]),
    )


def _repeats(prev: Any, action: str, outcome: OrderOutcome) -> bool:
    """A failure the ledger already holds: same status and the same reason as last recorded."""
    if prev is None or action not in ("failed", "quarantined"):
        return False
    return prev["status"] == action and (prev["reason"] or "") == (outcome.reason or "")


def _state_values(
    outcome: OrderOutcome, prev: Any, failures: int, run_id: str, at: datetime
) -> dict[str, Any]:
    """The order's new state: a failure keeps what was booked before; a booking replaces it."""
    booked = outcome.action in ("created", "updated", "unchanged", "skipped", "deleted")
    status = {
        "created": "booked",
        "updated": "booked",
        "unchanged": "booked",
        "skipped": "skipped",
        "deleted": "deleted",
        "failed": "failed",
        "quarantined": "quarantined",
    }[outcome.action]

    def previous(key: str) -> Any:
        return prev[key] if prev else None

    return {
        "order_number": outcome.order_number,
        "updated_at": outcome.updated_at if booked else previous("updated_at"),
        "payload_hash": outcome.payload_hash if booked else previous("payload_hash"),
        "afas_order_number": outcome.afas_order_number or previous("afas_order_number"),
        "debtor_id": outcome.debtor_id or previous("debtor_id"),
        "status": status,
        "failures": failures,
        "reason": outcome.reason,
        "last_run_id": run_id,
        "changed_at": at,
    }
