"""The stock flow (AFAS → Lightspeed): read_afas_stock → plan_stock → push_stock, one module per step.

AFAS is leading: the quantity AFAS has for an item becomes the ``stockLevel`` of the variant whose code
matches it, minus what webshop orders not booked in AFAS yet still hold. See ``docs/architecture.md``.
"""

from lightspeed_afas.flows.stock.plan_step import plan_stock
from lightspeed_afas.flows.stock.push_step import push_stock
from lightspeed_afas.flows.stock.read_step import read_afas_stock
from lightspeed_afas.flows.stock.settings import StockRequest, StockSyncSettings, stock_settings

__all__ = [
    "StockRequest",
    "StockSyncSettings",
    "plan_stock",
    "push_stock",
    "read_afas_stock",
    "stock_settings",
]
