"""The ledger (basic log, sync state) and the detail log."""

from lightspeed_afas.ledger.store import (
    LEDGER_CONN_ID,
    Ledger,
    OrderOutcome,
    OrderState,
    connection_to_url,
    ledger_url_from_airflow,
)

__all__ = [
    "LEDGER_CONN_ID",
    "Ledger",
    "OrderOutcome",
    "OrderState",
    "connection_to_url",
    "ledger_url_from_airflow",
]
