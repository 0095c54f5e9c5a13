"""``python -m lightspeed_afas doctor <tenant>``: check a tenant's connections and AFAS set-up for real.

Lightspeed: the key, secret and language (reads the shop). AFAS: the token, every Get/UpdateConnector
the sync needs is in the App Connector, the look-up field ids exist, and the administration and sales
journal exist. Project, warehouse and item codes have no standard GetConnector to read them from, so
they are listed as not checked here: AFAS refuses an unknown one at the first booking, and the ledger
records its message. With a ``stock:`` block also the stock flow's needs (``cli.doctor_stock``): the key
reads ``variants/count``, and the stock GetConnector is offered and has the block's fields. With an
``articles:`` block the articles flow's (``cli.doctor_articles``): its GetConnectors and their fields, a
shop tax per VAT group, and the languages active in the shop. With a ``customers:`` or ``credit_notes:``
block those flows' (``cli.doctor_records``): the look-up GetConnector each reads and its fields, the cost
items refunds are booked on, and that the key reads ``customers.json`` / ``invoices.json``. With a
``webhooks:`` block (``cli.doctor_webhooks``): the key lists the shop's webhooks, and they are the ones
``webhooks install`` would make; the receiver's reachability from the internet is a note.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from lightspeed_afas.afas import lookups as afas_lookups
from lightspeed_afas.cli import doctor_articles, doctor_records, doctor_stock, doctor_webhooks
from lightspeed_afas.cli.registry import arg, subcommand
from lightspeed_afas.config import ConfigError, load_tenant

# The hooks are imported where they are used: importing them imports Airflow, which creates AIRFLOW_HOME
# (~/airflow when unset) — and every command's module is imported to build the CLI's parser.

OK, FAIL, NOTE = "ok  ", "FAIL", "note"
LEVELS = {"ok": OK, "fail": FAIL, "note": NOTE}
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


def _lightspeed(tenant: Any, results: list[tuple[str, str]]) -> Any:
    """The Lightspeed key, secret and language: the shop answers; with a stock block, the key reads the
    variants; with an articles block, the shop has its taxes and languages; with a webhooks block, the
    shop's webhooks are the ones ``webhooks install`` makes. Returns the hook."""
    from lightspeed_afas.config.airflow_connections import outside_task
    from lightspeed_afas.hooks import LightspeedEcomHook

    # Outside a task: the hooks find the connections as the tenant's tasks do (also stored ones).
    lightspeed = outside_task(LightspeedEcomHook)(tenant.lightspeed.conn_id)
    lightspeed.server_error_attempts = lightspeed.not_found_attempts = 1

    def shop() -> str:
        data = lightspeed.get_shop()
        return f"shop '{data.get('title', '?')}' answers in language '{lightspeed.language}'"

    answered = _check(results, f"Lightspeed connection {tenant.lightspeed.conn_id}", shop)
    if answered and tenant.stock is not None:
        what = f"Lightspeed variants of {tenant.lightspeed.conn_id}"
        _check(results, what, doctor_stock.variants_probe(lightspeed))
    if answered and tenant.articles is not None:
        for what, probe in doctor_articles.lightspeed_checks(tenant, lightspeed):
            _check(results, what, probe)
    if answered:
        for what, probe in doctor_records.lightspeed_checks(tenant, lightspeed):
            _check(results, what, probe)
    if answered and tenant.webhooks is not None:
        registered = doctor_webhooks.Registered(tenant, lightspeed)
        if _check(results, registered.label, registered.list_probe):
            level, line = registered.verdict()
            results.append((LEVELS[level], line))
    return lightspeed


def _afas_token(afas_cfg: Any, results: list[tuple[str, str]]) -> tuple[Any, dict[str, Any]] | None:
    """The AFAS hook and the token's metainfo (its environment and App Connector), or None when the
    token does not work (then nothing else of AFAS can be checked)."""
    from lightspeed_afas.config.airflow_connections import outside_task
    from lightspeed_afas.hooks import AfasProfitHook

    afas = outside_task(AfasProfitHook)(afas_cfg.conn_id)
    afas.attempts = 1
    meta: dict[str, Any] = {}

    def token() -> str:
        meta.update(afas.metainfo())
        info = meta.get("info") or {}
        return f"environment {info.get('envid', '?')}, App Connector '{info.get('appName', '?')}'"

    if not _check(results, f"AFAS connection {afas_cfg.conn_id}", token):
        return None
    return afas, meta


def _order_lookup(afas_cfg: Any) -> Any:
    """The look-up of existing orders (or direct invoices) for the tenant's document type."""
    lookups = afas_cfg.lookups
    return lookups.direct_invoice if afas_cfg.document == "direct_invoice" else lookups.order


def _connectors(afas_cfg: Any, meta: dict[str, Any], results: list[tuple[str, str]]) -> set[str]:
    """Every Get/UpdateConnector the sync needs is in the App Connector; returns the allowed GetConnectors."""
    gets = {c["id"] for c in meta.get("getConnectors") or []}
    updates = {c["id"] for c in meta.get("updateConnectors") or []}
    needed_gets = {
        afas_cfg.lookups.debtor.connector,
        _order_lookup(afas_cfg).connector,
        afas_lookups.ADMINISTRATIONS_CONNECTOR,
        afas_lookups.JOURNALS_CONNECTOR,
    }
    if afas_cfg.document == "sales_order":
        needed_gets.add(afas_lookups.LINES_CONNECTOR)
    writer = (
        afas_lookups.DIRECT_INVOICE_WRITER
        if afas_cfg.document == "direct_invoice"
        else afas_lookups.SALES_ORDER_CONNECTOR
    )
    needed_updates = {writer, *afas_lookups.RELATION_CONNECTORS}
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
    return gets


def _fields(afas: Any, connector: str, wanted: list[str]) -> Callable[[], str]:
    """A probe: the GetConnector has the wanted fields."""

    def probe() -> str:
        present = {f.get("id") for f in afas.metainfo_get(connector).get("fields") or []}
        missing = [f for f in wanted if f not in present]
        if missing:
            raise ValueError(
                f"field(s) {', '.join(missing)} do not exist; set afas.lookups in the tenant file"
            )
        return f"fields {', '.join(wanted)} exist"

    return probe


def _lookups(afas: Any, afas_cfg: Any, gets: set[str], results: list[tuple[str, str]]) -> None:
    """The look-up field ids of the debtor and order look-ups exist (where the token may read them)."""
    debtor, order = afas_cfg.lookups.debtor, _order_lookup(afas_cfg)
    if debtor.connector in gets:
        wanted = [debtor.email_field, debtor.debtor_id_field]
        _check(results, f"look-up {debtor.connector}", _fields(afas, debtor.connector, wanted))
    if order.connector in gets:
        wanted = [order.reference_field, order.order_number_field, order.status_field]
        _check(results, f"look-up {order.connector}", _fields(afas, order.connector, wanted))


def _administration(afas: Any, afas_cfg: Any, gets: set[str], results: list[tuple[str, str]]) -> None:
    """The tenant's administration exists."""

    def probe() -> str:
        rows = afas.get_rows(afas_lookups.ADMINISTRATIONS_CONNECTOR, [afas_lookups.ADMINISTRATION_ID_FIELD])
        names = {
            int(r[afas_lookups.ADMINISTRATION_ID_FIELD]): r.get(afas_lookups.ADMINISTRATION_NAME_FIELD)
            for r in rows
        }
        if afas_cfg.administration not in names:
            raise ValueError(
                f"administration {afas_cfg.administration} does not exist (AFAS has {sorted(names)})"
            )
        return f"administration {afas_cfg.administration} ({names[afas_cfg.administration]}) exists"

    if afas_lookups.ADMINISTRATIONS_CONNECTOR in gets:
        _check(results, "afas.administration", probe)


def _journal(afas: Any, afas_cfg: Any, gets: set[str], results: list[tuple[str, str]]) -> None:
    """The tenant's sales journal exists in its administration."""

    def probe() -> str:
        unit, journal = afas_lookups.JOURNAL_UNIT_FIELD, afas_lookups.JOURNAL_ID_FIELD
        rows = afas.get_rows(afas_lookups.JOURNALS_CONNECTOR, [unit, journal])
        codes = {str(r[journal]) for r in rows if int(r[unit]) == afas_cfg.administration}
        if afas_cfg.sales_journal not in codes:
            raise ValueError(
                f"journal {afas_cfg.sales_journal!r} is not in administration {afas_cfg.administration} (it has {', '.join(sorted(codes))})"
            )
        return f"journal {afas_cfg.sales_journal} exists in administration {afas_cfg.administration}"

    if afas_cfg.sales_journal and afas_lookups.JOURNALS_CONNECTOR in gets:
        _check(results, "afas.sales_journal", probe)


def _not_checked(afas_cfg: Any) -> tuple[str, str]:
    """The codes no standard GetConnector lists: AFAS refuses an unknown one at the first booking."""
    items = afas_cfg.items
    codes = ", ".join(c for c in (items.discount, items.shipping, items.payment_fee, items.rounding) if c)
    unchecked = [f"item codes {codes}"]
    if afas_cfg.project:
        unchecked.append(f"project {afas_cfg.project}")
    if afas_cfg.warehouse:
        unchecked.append(f"warehouse {afas_cfg.warehouse}")
    return NOTE, f"not checked (no standard GetConnector lists them): {'; '.join(unchecked)}"


def diagnose(tenant: Any) -> list[tuple[str, str]]:
    """(status, line) per check, in the order a person would fix them."""
    results: list[tuple[str, str]] = []
    afas_cfg = tenant.afas
    lightspeed = _lightspeed(tenant, results)
    connected = _afas_token(afas_cfg, results)
    if connected is None:
        return results
    afas, meta = connected
    gets = _connectors(afas_cfg, meta, results)
    _lookups(afas, afas_cfg, gets, results)
    _administration(afas, afas_cfg, gets, results)
    _journal(afas, afas_cfg, gets, results)
    if tenant.stock is not None:
        probe = doctor_stock.connector_probe(tenant, lightspeed, afas)
        _check(results, doctor_stock.stock_label(tenant), probe)
    if tenant.articles is not None:
        for what, probe in doctor_articles.connector_checks(tenant, lightspeed, afas):
            _check(results, what, probe)
    for what, probe in doctor_records.connector_checks(tenant, lightspeed, afas):
        _check(results, what, probe)
    costs = doctor_records.cost_items(tenant)
    if costs is not None:
        results.append((OK if costs[0] else NOTE, costs[1]))
    results.append(_not_checked(afas_cfg))
    if tenant.stock is not None:
        results.append((NOTE, doctor_stock.not_checked(tenant)))
    if tenant.articles is not None:
        results.append((NOTE, doctor_articles.not_checked(tenant)))
    results += [(NOTE, note) for note in doctor_records.not_checked(tenant)]
    results += [(NOTE, note) for note in doctor_webhooks.not_checked(tenant)]
    return results


@subcommand(
    "doctor",
    "check a tenant's Lightspeed and AFAS connections and AFAS set-up (and its other flows') for real",
    arg("tenant"),
)
def doctor_command(args: argparse.Namespace) -> int:
    """Every check of the tenant, one line each, and how many problems there are to fix."""
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
