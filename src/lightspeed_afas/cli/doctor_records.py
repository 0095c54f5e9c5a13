"""The ``doctor``'s checks of a tenant's customers and credit-notes flows (its ``customers:`` and
``credit_notes:`` blocks):

- customers: the debtor look-up GetConnector (``afas.lookups.debtor``, standard ``Profit_Debtor``) is
  offered to the token and has the e-mail and debtor-id fields the flow finds a relation by (and the
  creation date when ``afas.duplicate_debtors`` is ``most_recent``), through the check the stock and
  articles flows make before they read (``flows.afas_connectors.connector_field_count``); the Lightspeed
  key reads ``customers.json`` (one customer);
- credit notes: the order look-up GetConnector of the tenant's document type (``afas.lookups.order``,
  standard ``Profit_Salesorders``, or ``afas.lookups.direct_invoice``) has the reference, number and
  debtor fields a credit note's order is found by; the cost items refunds are booked on
  (``afas.items``: shipping is required, payment costs are not); the key reads ``invoices.json`` (one).

Each check is a (label, probe) for ``doctor._check``: the probe returns its OK line, or raises
``ValueError`` with what to fix. What cannot be checked without writing to AFAS is a note.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lightspeed_afas.config.dag_ids import flow_dag_id

Check = tuple[str, Callable[[], str]]
NOT_CHECKED = (
    "not checked (it would write to AFAS): that AFAS accepts the {what} the {flow} flow books; a dry run "
    "(trigger {dag_id} with dry_run) shows them, the first run's records show the rest "
    "(python -m lightspeed_afas log {tenant} --flow {flow})"
)
BOOKED = {"customers": "sales relations", "credit_notes": "credits ({marking})"}


def lightspeed_checks(tenant: Any, lightspeed: Any) -> list[Check]:
    """The key reads the list each block's flow reads: customers, invoices (one row of it)."""
    lists = (
        ("customers", "customers", "customers"),
        ("credit_notes", "invoices", "invoices and credit notes"),
    )
    return [
        (f"Lightspeed {resource} of {tenant.lightspeed.conn_id}", _list_probe(lightspeed, resource, what))
        for flow, resource, what in lists
        if getattr(tenant, flow) is not None
    ]


def _list_probe(lightspeed: Any, resource: str, what: str) -> Callable[[], str]:
    def probe() -> str:
        from lightspeed_afas.hooks.errors import LightspeedAuthError  # the hooks import Airflow

        try:
            body = lightspeed.call_json("GET", resource, [("limit", "1")], endpoint=resource)
        except LightspeedAuthError as exc:
            raise ValueError(
                f"{exc} The flow reads {resource}.json: the key must be allowed to read {what}."
            ) from None
        rows = body.get(resource)
        if not isinstance(rows, list):
            raise ValueError(f"{resource}.json answered {sorted(body)} instead of a list of {what}")
        found = "the shop has some" if rows else "the shop has none yet"
        return f"{resource}.json answers: the key reads {what} ({found})"

    return probe


def connector_checks(tenant: Any, lightspeed: Any, afas: Any) -> list[Check]:
    """The look-up GetConnector each block's flow reads, with the fields it reads."""
    # Imported here: the flows import the hooks, and importing those imports Airflow.
    from lightspeed_afas.flows.afas_side import AfasLookups

    afas_cfg = tenant.afas
    found = AfasLookups.configured(afas_cfg.lookups, afas_cfg.document)
    checks = []
    if tenant.customers is not None:
        wanted = {
            "afas.lookups.debtor.email_field": found.debtor_email_field,
            "afas.lookups.debtor.debtor_id_field": found.debtor_id_field,
        }
        if afas_cfg.duplicate_debtors == "most_recent":
            wanted["the creation date (afas.duplicate_debtors: most_recent)"] = found.debtor_date_field
        instead = "set afas.lookups.debtor.connector to the one you use"
        label = f"customers GetConnector {found.debtor_connector}"
        checks.append((label, _connector_probe(lightspeed, afas, found.debtor_connector, wanted, instead)))
    if tenant.credit_notes is not None:
        block = "direct_invoice" if afas_cfg.document == "direct_invoice" else "order"
        wanted = {
            f"afas.lookups.{block}.reference_field": found.order_reference_field,
            f"afas.lookups.{block}.order_number_field": found.order_number_field,
            "the order's debtor (fixed)": found.order_debtor_field,
        }
        instead = f"set afas.lookups.{block}.connector to the one you use"
        label = f"credit_notes GetConnector {found.order_connector}"
        checks.append((label, _connector_probe(lightspeed, afas, found.order_connector, wanted, instead)))
    return checks


def _connector_probe(
    lightspeed: Any, afas: Any, connector: str, wanted: dict[str, str], instead: str
) -> Callable[[], str]:
    def probe() -> str:
        # Imported here: the flows import the hooks, and importing those imports Airflow.
        from lightspeed_afas.flows.afas_connectors import connector_field_count
        from lightspeed_afas.flows.clients import Hooks

        hooks = Hooks(lightspeed=lightspeed, afas=afas)
        count = connector_field_count(hooks, connector, wanted, instead, ValueError)
        return f"{count} field(s), with {', '.join(dict.fromkeys(wanted.values()))}"

    return probe


def cost_items(tenant: Any) -> tuple[bool, str] | None:
    """(whether every cost item a credit can refund is set, the line) with a credit_notes block; else None.
    Refunded shipping and payment costs are booked on ``afas.items.shipping`` / ``payment_fee``."""
    if tenant.credit_notes is None:
        return None
    items = tenant.afas.items
    if not items.payment_fee:
        return False, (
            f"credit_notes cost items: refunded shipping is booked on item {items.shipping}; a credit note that "
            "refunds payment costs fails while afas.items.payment_fee is not set (as an order with payment "
            "costs does)"
        )
    return True, (
        f"credit_notes cost items: refunds are booked on afas.items: shipping {items.shipping}, payment "
        f"costs {items.payment_fee}, discount {items.discount} (AFAS checks the codes at the first credit)"
    )


def not_checked(tenant: Any) -> list[str]:
    """One note per block: what AFAS only shows at the first write."""
    notes = []
    for flow in ("customers", "credit_notes"):
        if getattr(tenant, flow) is None:
            continue
        marking = tenant.credit_notes.credit_marking if flow == "credit_notes" else ""
        what = BOOKED[flow].format(marking=f"credit_marking {marking}")
        dag_id = flow_dag_id(tenant.tenant, flow)
        notes.append(NOT_CHECKED.format(what=what, flow=flow, dag_id=dag_id, tenant=tenant.tenant))
    return notes
