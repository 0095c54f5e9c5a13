"""The order flow: extract_orders → resolve_relations → transform → load_to_afas.

One module per step (``extract_step``, ``relations_step``, ``transform_step``, ``load_step``); each takes
the earlier steps' typed results (``results``) and returns its own. ``extract`` reads and chooses the
orders, ``flows.afas_side`` asks AFAS (shared with the credit notes), ``flows.relations`` finds and
creates relations (shared with the customers flow), ``run_report`` says what a run did.

Its public entry for the other layers: the four steps and what they need (``orchestration.task``), and
the tenant's sync settings, its eligibility rules and the window scan a run itself uses
(``ops.reconcile``).
"""

from lightspeed_afas.flows.clients import Hooks
from lightspeed_afas.flows.orders.extract import Eligibility, scan_window
from lightspeed_afas.flows.orders.extract_step import extract_orders
from lightspeed_afas.flows.orders.lease import LeaseHeldError
from lightspeed_afas.flows.orders.load_step import load_to_afas
from lightspeed_afas.flows.orders.relations_step import resolve_relations
from lightspeed_afas.flows.orders.results import Extracted
from lightspeed_afas.flows.orders.tenant_settings import sync_settings
from lightspeed_afas.flows.orders.transform_step import transform

__all__ = [
    "Eligibility",
    "Extracted",
    "Hooks",
    "LeaseHeldError",
    "extract_orders",
    "load_to_afas",
    "resolve_relations",
    "scan_window",
    "sync_settings",
    "transform",
]
