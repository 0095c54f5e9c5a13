"""Bring a ledger database to the newest schema version: the missing migrations, under a write lock.

The migrations themselves are in ``schema.MIGRATIONS`` (append only).
"""

from __future__ import annotations

import sqlalchemy as sa

from lightspeed_afas.ledger import clock
from lightspeed_afas.ledger import schema as t

MIGRATION_LOCK_KEY = 7_215_000_001  # pg_advisory_xact_lock key of the ledger's migrations


def migrate(engine: sa.Engine) -> list[int]:
    """Apply the migrations this database lacks; returns the versions applied now.

    Several processes may open a new ledger at once (workers starting together), so reading the
    applied versions and applying the missing ones is one transaction that holds the database's
    write lock from its first statement: a PostgreSQL advisory lock, SQLite's ``BEGIN IMMEDIATE``
    (the others wait, up to the busy timeout, then see the versions the first one applied). A
    ledger that has every version is only read, without the lock: versions are only ever added.
    """
    with engine.connect() as conn:
        if {version for version, _, _ in t.MIGRATIONS} <= _applied_versions(conn):
            return []
    applied: list[int] = []
    with engine.begin() as conn:
        _lock_for_migration(conn)
        t.schema_version.create(conn, checkfirst=True)
        done = _applied_versions(conn)
        for version, description, step in t.MIGRATIONS:
            if version in done:
                continue
            step(conn)
            conn.execute(
                t.schema_version.insert().values(
                    version=version, description=description, applied_at=clock.now_utc()
                )
            )
            applied.append(version)
    return applied


def schema_version(engine: sa.Engine) -> int:
    """The newest version applied to the database (0: none)."""
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.max(t.schema_version.c.version))).scalar() or 0)


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
