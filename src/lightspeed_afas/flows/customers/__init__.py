"""The customers flow (Lightspeed → AFAS): extract_customers → resolve_relations.

A customer who registers in the shop gets an AFAS sales relation before their first order; the order
flow then finds it by e-mail. ``extract_step`` reads and chooses, ``resolve_step`` finds or creates the
relations with the order flow's code (``flows.relations``) and closes the run (``flows.record_flow``).
"""

from lightspeed_afas.flows.customers.extract_step import extract_customers
from lightspeed_afas.flows.customers.resolve_step import resolve_customer_relations
from lightspeed_afas.flows.customers.settings import FLOW, CustomerSyncSettings, customer_settings

__all__ = [
    "FLOW",
    "CustomerSyncSettings",
    "customer_settings",
    "extract_customers",
    "resolve_customer_relations",
]
