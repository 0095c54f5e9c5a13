"""DAG ids of a tenant's flows: ``lightspeed_afas_<tenant>`` (orders) and ``lightspeed_afas_<tenant>__<flow>``.

Tenant ids may not contain ``__`` (``TenantConfig`` refuses them), so no flow's DAG id can be another
tenant's.
"""

from __future__ import annotations

DAG_PREFIX = "lightspeed_afas_"  # a tenant's DAG id is DAG_PREFIX + its tenant id
FLOW_SEPARATOR = "__"  # lightspeed_afas_<tenant>__<flow>; tenant ids may not contain it
FLOWS = (
    "orders",
    "stock",
    "articles",
    "customers",
    "credit_notes",
)  # the flows a tenant can run; orders keeps the bare DAG id


def flow_dag_id(tenant: str, flow: str = "orders") -> str:
    """The DAG id of one flow of a tenant: ``lightspeed_afas_<tenant>`` for orders, else
    ``lightspeed_afas_<tenant>__<flow>``."""
    if flow not in FLOWS:
        raise ValueError(f"unknown flow {flow!r}; the flows are {', '.join(FLOWS)}")
    return f"{DAG_PREFIX}{tenant}" if flow == "orders" else f"{DAG_PREFIX}{tenant}{FLOW_SEPARATOR}{flow}"


def flow_of_dag(dag_id: str) -> tuple[str, str] | None:
    """(tenant, flow) of a tenant DAG id; None for another DAG id (or an unknown flow)."""
    if not dag_id.startswith(DAG_PREFIX):
        return None
    tenant, sep, flow = dag_id.removeprefix(DAG_PREFIX).partition(FLOW_SEPARATOR)
    if not tenant or (sep and flow not in FLOWS[1:]):
        return None
    return tenant, flow or "orders"


def tenant_of_dag(dag_id: str) -> str | None:
    """The tenant id in a tenant DAG's id (``lightspeed_afas_<tenant>[__<flow>]``); None for another."""
    found = flow_of_dag(dag_id)
    return found[0] if found else None
