"""A throwaway PostgreSQL database on the machine's server (127.0.0.1:5432, trust auth)."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator

import sqlalchemy as sa

PG_HOST = os.environ.get("LSAFAS_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("LSAFAS_TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("LSAFAS_TEST_PG_USER", "postgres")


def admin_url(database: str = "postgres") -> str:
    return f"postgresql+psycopg2://{PG_USER}@{PG_HOST}:{PG_PORT}/{database}"


@contextlib.contextmanager
def scratch_database(prefix: str = "lsafas_test") -> Iterator[str]:
    """Create a database for one test (or session) and drop it afterwards, pass or fail."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(admin_url(), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        raise RuntimeError(
            f"PostgreSQL is not reachable on {PG_HOST}:{PG_PORT} as {PG_USER} ({exc.orig}). The PostgreSQL "
            "tests need it: start it (see README, 'Tests') rather than skipping them."
        ) from None
    try:
        yield admin_url(name)
    finally:
        from lightspeed_afas.ledger import dispose_engine

        dispose_engine(admin_url(name))
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
