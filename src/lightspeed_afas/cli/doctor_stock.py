"""The ``doctor``'s checks of a tenant's stock flow (its ``stock:`` block): the Lightspeed key reads the
variants, and the stock GetConnector has the fields the block names — the same check the flow's
``read_afas_stock`` makes before it reads (``flows.stock.read_step.check_connector``).

Each check is a probe for ``doctor._check``: it returns its OK line, or raises ``ValueError`` with what
to fix. What cannot be checked without writing to the shop is a note.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

VARIANTS_PER_PAGE = 250  # what the stock flow's full comparison reads per call
NOT_CHECKED = (
    "not checked (it would write to the shop): that the Lightspeed key may change variants (PUT "
    "stockLevel); the first stock run's pushes show it (python -m lightspeed_afas log {tenant} --flow stock)"
)


def variants_probe(lightspeed: Any) -> Callable[[], str]:
    """A probe: ``variants/count`` answers (the key may read the variants the stock flow maps)."""

    def probe() -> str:
        count = lightspeed.count_variants()
        calls = max(1, math.ceil(count / VARIANTS_PER_PAGE))
        return f"variants/count answers {count:,} variant(s); a full comparison reads them in {calls} call(s)"

    return probe


def connector_probe(tenant: Any, lightspeed: Any, afas: Any) -> Callable[[], str]:
    """A probe: the stock GetConnector is offered to the token and has the block's fields."""

    def probe() -> str:
        # Imported here: the flows import the hooks, and importing those imports Airflow.
        from lightspeed_afas.flows.clients import Hooks
        from lightspeed_afas.flows.stock import stock_settings
        from lightspeed_afas.flows.stock.read_step import check_connector
        from lightspeed_afas.flows.stock.settings import StockConfigError

        settings = stock_settings(tenant)
        try:
            count = check_connector(settings, Hooks(lightspeed=lightspeed, afas=afas))
        except StockConfigError as exc:
            raise ValueError(str(exc)) from None
        used = [f"item {settings.item_field}", f"quantity {settings.quantity_field}"]
        if settings.warehouse_field:
            used.append(f"warehouse {settings.warehouse_field}")
        return f"{count} field(s), with {', '.join(used)}"

    return probe


def stock_label(tenant: Any) -> str:
    """What the connector check is called in the doctor's output."""
    return f"stock GetConnector {tenant.stock.connector}"


def not_checked(tenant: Any) -> str:
    return NOT_CHECKED.format(tenant=tenant.tenant)
