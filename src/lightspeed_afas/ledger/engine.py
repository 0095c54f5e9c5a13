"""One SQLAlchemy engine per ledger URL per process; SQLite in WAL mode with a busy timeout."""

from __future__ import annotations

import threading
from typing import Any

import sqlalchemy as sa

_engines: dict[str, sa.Engine] = {}
_engines_lock = threading.Lock()


def engine_for(url: str) -> sa.Engine:
    """One engine per URL per process; SQLite in WAL mode with a busy timeout for parallel tasks."""
    with _engines_lock:
        if url not in _engines:
            _engines[url] = _sqlite_engine(url) if url.startswith("sqlite") else _server_engine(url)
        return _engines[url]


def dispose_engine(url: str) -> None:
    """Forget the engine of ``url`` and close its connections (a test's scratch ledger is gone)."""
    with _engines_lock:
        engine = _engines.pop(url, None)
    if engine is not None:
        engine.dispose()


def _sqlite_engine(url: str) -> sa.Engine:
    engine = sa.create_engine(url, connect_args={"timeout": 60})

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.close()

    return engine


def _server_engine(url: str) -> sa.Engine:
    return sa.create_engine(url, pool_pre_ping=True)
