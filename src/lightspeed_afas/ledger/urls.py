"""Where the ledger is: its SQLAlchemy URL from the Airflow connection, else a SQLite file.

Its own database (never Airflow's metadata DB, which Airflow 3 tasks may not touch): the Airflow
connection ``lightspeed_afas_ledger`` (SQLite or PostgreSQL), else a SQLite file under AIRFLOW_HOME.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import sqlalchemy as sa

log = logging.getLogger(__name__)

LEDGER_CONN_ID = "lightspeed_afas_ledger"


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
