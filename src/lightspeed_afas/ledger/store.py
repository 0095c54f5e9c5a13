"""The ``Ledger``: one object over the ledger database, made of one part per concern.

Opening it applies the migrations the database lacks. The parts: run rows, watermark and lease
(``runs``), order attempts and states (``orders``), the detail log (``detail``), retention
(``purges``), the other flows' runs and cursors (``flow_runs``) and the stock flow's tables (``stock``), the customers' and credit notes' records (``flow_items``); where the database is comes from ``urls``, its engine from ``engine``.
"""

from __future__ import annotations

from lightspeed_afas.ledger import migrate as migrations
from lightspeed_afas.ledger.article_patches import ArticlePatches
from lightspeed_afas.ledger.articles import ArticleLog
from lightspeed_afas.ledger.detail import DetailLog
from lightspeed_afas.ledger.engine import engine_for
from lightspeed_afas.ledger.flow_items import FlowItemLog
from lightspeed_afas.ledger.flow_runs import FlowRunLog
from lightspeed_afas.ledger.orders import OrderLog
from lightspeed_afas.ledger.purges import Purges
from lightspeed_afas.ledger.runs import RunLog
from lightspeed_afas.ledger.stock import StockLog
from lightspeed_afas.ledger.urls import LEDGER_CONN_ID, ledger_url_from_airflow
from lightspeed_afas.ledger.webhooks import WebhookLog


class Ledger(
    RunLog,
    OrderLog,
    DetailLog,
    Purges,
    FlowRunLog,
    StockLog,
    ArticleLog,
    ArticlePatches,
    FlowItemLog,
    WebhookLog,
):
    """Read and write the ledger. Safe to share between threads of one task."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = engine_for(url)
        self.migrate()

    @classmethod
    def from_airflow(cls, conn_id: str = LEDGER_CONN_ID) -> Ledger:
        """The ledger of the Airflow connection ``conn_id`` (see ``urls.ledger_url_from_airflow``)."""
        return cls(ledger_url_from_airflow(conn_id))

    def migrate(self) -> list[int]:
        """Apply the migrations this database lacks; returns the versions applied now."""
        return migrations.migrate(self.engine)

    def schema_version(self) -> int:
        """The newest schema version applied to this database."""
        return migrations.schema_version(self.engine)
