"""``python -m lightspeed_afas doctor <tenant>``: check a tenant's connections and AFAS set-up for real.

Lightspeed: the key, secret and language (reads the shop). AFAS: the token, every Get/UpdateConnector
the sync needs is in the App Connector, the look-up field ids exist, and the administration and sales
journal exist. Project, warehouse and item codes have no standard GetConnector to read them from, so
they are listed as not checked here: AFAS refuses an unknown one at the first booking, and the ledger
records its message.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from lightspeed_afas.cli.registry import arg, subcommand
from lightspeed_afas.config import ConfigError, load_tenant

# The hooks are imported where they are used: importing them imports Airflow, which creates AIRFLOW_HOME
# (~/airflow when unset) — and every command's module is imported to build the CLI's parser.

OK, FAIL, NOTE = "ok  ", "FAIL", "note"
UNDEFINED_CONNECTION = (
    "Neither Airflow's connections (metadata DB), its secrets backends nor an AIRFLOW_CONN_<ID> "
    "variable define it: create it with `airflow connections add` or in the UI (Admin → Connections)"
)


def _check(results: list[tuple[str, str]], what: str, probe: Callable[[], str]) -> bool:
    from airflow.sdk.exceptions import AirflowNotFoundException

    from lightspeed_afas.hooks.errors import ConnectorError

    try:
        detail = probe()
    except AirflowNotFoundException as exc:
        results.append((FAIL, f"{what}: {exc}. {UNDEFINED_CONNECTION}"))
        return False
    except (ConnectorError, ValueError, KeyError) as exc:
        results.append((FAIL, f"{what}: {exc}"))
        return False
    except Exception as exc:  # a connection that cannot even be read: still a clear line, not a traceback
        results.append((FAIL, f"{what}: {type(exc).__name__}: {exc}"))
        return False
    results.append((OK, f"{what}: {detail}"))
    return True


def diagnose(tenant: Any) -> list[tuple[str, str]]:
    """(status, line) per check, in the order a person would fix them."""
    from lightspeed_afas.config.airflow_connections import outside_task
    from lightspeed_afas.hooks import AfasProfitHook, LightspeedEcomHook

    results: list[tuple[str, str]] = []
    afas_cfg = tenant.afas
    # Outside a task: the hooks find the connections as the tenant's tasks do (also stored ones).
    lightspeed = outside_task(LightspeedEcomHook)(tenant.lightspeed.conn_id)
    lightspeed.server_error_attempts = lightspeed.not_found_attempts = 1

    def shop() -> str:
        data = lightspeed.get_shop()
        return f"shop '{data.get('title', '?')}' answers in language '{lightspeed.language}'"

    _check(results, f"Lightspeed connection {tenant.lightspeed.conn_id}", shop)

    afas = outside_task(AfasProfitHook)(afas_cfg.conn_id)
    afas.attempts = 1
    meta: dict[str, Any] = {}

    def token() -> str:
        meta.update(afas.metainfo())
        info = meta.get("info") or {}
        return f"environment {info.get('envid', '?')}, App Connector '{info.get('appName', '?')}'"

    if not _check(results, f"AFAS connection {afas_cfg.conn_id}", token):
        return results
    gets = {c["id"] for c in meta.get("getConnectors") or []}
    updates = {c["id"] for c in meta.get("updateConnectors") or []}
    lookups = afas_cfg.lookups
    order_lookup = lookups.direct_invoice if afas_cfg.document == "direct_invoice" else lookups.order
    needed_gets = {
        lookups.debtor.connector,
        order_lookup.connector,
        "Profit_Administrations",
        "Profit_Journals",
    }
    if afas_cfg.document == "sales_order":
        needed_gets.add("Profit_SalesorderLines")
    writer = "FbDirectInvoice" if afas_cfg.document == "direct_invoice" else "FbSales"
    needed_updates = {writer, "KnSalesRelationPer", "KnSalesRelationOrg"}
    for kind, needed, allowed in (
        ("GetConnector", needed_gets, gets),
        ("UpdateConnector", needed_updates, updates),
    ):
        for name in sorted(needed):
            if name in allowed:
                results.append((OK, f"{kind} {name} is allowed for this token"))
            else:
                results.append(
                    (FAIL, f"{kind} {name} is not in the App Connector: add it in AFAS (App Connector)")
                )

    def fields(connector: str, wanted: list[str]) -> Callable[[], str]:
        def probe() -> str:
            present = {f.get("id") for f in afas.metainfo_get(connector).get("fields") or []}
            missing = [f for f in wanted if f not in present]
            if missing:
                raise ValueError(
                    f"field(s) {', '.join(missing)} do not exist; set afas.lookups in the tenant file"
                )
            return f"fields {', '.join(wanted)} exist"

        return probe

    if lookups.debtor.connector in gets:
        _check(
            results,
            f"look-up {lookups.debtor.connector}",
            fields(lookups.debtor.connector, [lookups.debtor.email_field, lookups.debtor.debtor_id_field]),
        )
    if order_lookup.connector in gets:
        wanted = [order_lookup.reference_field, order_lookup.order_number_field, order_lookup.status_field]
        _check(results, f"look-up {order_lookup.connector}", fields(order_lookup.connector, wanted))

    def administration() -> str:
        rows = afas.get_rows("Profit_Administrations", ["AdminId"])
        names = {int(r["AdminId"]): r.get("AdminNm") for r in rows}
        if afas_cfg.administration not in names:
            raise ValueError(
                f"administration {afas_cfg.administration} does not exist (AFAS has {sorted(names)})"
            )
        return f"administration {afas_cfg.administration} ({names[afas_cfg.administration]}) exists"

    if "Profit_Administrations" in gets:
        _check(results, "afas.administration", administration)

    def journal() -> str:
        rows = afas.get_rows("Profit_Journals", ["UnitId", "JournalId"])
        codes = {str(r["JournalId"]) for r in rows if int(r["UnitId"]) == afas_cfg.administration}
        if afas_cfg.sales_journal not in codes:
            raise ValueError(
                f"journal {afas_cfg.sales_journal!r} is not in administration {afas_cfg.administration} (it has {', '.join(sorted(codes))})"
            )
        return f"journal {afas_cfg.sales_journal} exists in administration {afas_cfg.administration}"

    if afas_cfg.sales_journal and "Profit_Journals" in gets:
        _check(results, "afas.sales_journal", journal)
    items = afas_cfg.items
    codes = ", ".join(c for c in (items.discount, items.shipping, items.payment_fee, items.rounding) if c)
    unchecked = [f"item codes {codes}"]
    if afas_cfg.project:
        unchecked.append(f"project {afas_cfg.project}")
    if afas_cfg.warehouse:
        unchecked.append(f"warehouse {afas_cfg.warehouse}")
    results.append((NOTE, f"not checked (no standard GetConnector lists them): {'; '.join(unchecked)}"))
    return results


@subcommand(
    "doctor", "check a tenant's Lightspeed and AFAS connections and AFAS set-up for real", arg("tenant")
)
def doctor_command(args: argparse.Namespace) -> int:
    try:
        tenant = load_tenant(args.tenant)
    except ConfigError as exc:
        print(f"{FAIL} {exc}")
        return 1
    results = diagnose(tenant)
    for status, line in results:
        print(f"{status} {line}")
    failed = sum(1 for status, _ in results if status == FAIL)
    print(f"\n{tenant.tenant}: {'all checks passed' if not failed else f'{failed} problem(s) to fix'}")
    return 1 if failed else 0
