"""The ledger (basic log, sync state) and the detail log: its own database, SQLite or PostgreSQL."""

from lightspeed_afas.ledger.engine import dispose_engine, engine_for
from lightspeed_afas.ledger.purges import BASIC_LOG_TABLES
from lightspeed_afas.ledger.records import OrderOutcome, OrderState
from lightspeed_afas.ledger.store import Ledger
from lightspeed_afas.ledger.urls import (
    LEDGER_CONN_ID,
    connection_to_url,
    ledger_url_from_airflow,
    ledger_url_outside_tasks,
)

__all__ = [
    "BASIC_LOG_TABLES",
    "LEDGER_CONN_ID",
    "Ledger",
    "OrderOutcome",
    "OrderState",
    "connection_to_url",
    "dispose_engine",
    "engine_for",
    "ledger_url_from_airflow",
    "ledger_url_outside_tasks",
]
