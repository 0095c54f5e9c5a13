"""``validate`` and ``pools``: the tenant files checked and explained, and the Airflow pools they need."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from lightspeed_afas.cli.registry import arg, subcommand
from lightspeed_afas.config import (
    ConfigError,
    LoadedTenant,
    display_path,
    load_mapping,
    load_tenant_file,
    load_tenants,
    mappings_dir,
    tenant_files,
    tenants_dir,
)

# -- validate ----------------------------------------------------------------------------------------------


def _describe_tenant(tenant: LoadedTenant) -> list[str]:
    cfg, mapping = tenant.config, tenant.mapping
    ls, afas = cfg.lightspeed, cfg.afas
    items, rel = afas.items, afas.new_relation
    document = (
        "sales orders (FbSales)" if afas.document == "sales_order" else "direct invoices (FbDirectInvoice)"
    )
    relation = ", ".join(
        f"{label} {value}"
        for label, value in (
            ("currency", rel.currency),
            ("payment condition", rel.payment_condition),
            ("VAT duty", rel.vat_duty),
            ("collective account", rel.collective_account),
            ("invoice delivery", rel.invoice_delivery),
            ("language", rel.language),
            ("profile", rel.profile),
        )
        if value
    )
    lines = [
        f"{cfg.tenant} ({tenant.label}): OK — DAG {cfg.dag_id}, {'enabled' if cfg.enabled else 'DISABLED (no DAG)'}",
        f"  runs every '{cfg.schedule}' ({cfg.timezone}) from {cfg.start_date.isoformat()}; owner {cfg.owner}",
        f"  reads shop {ls.conn_id}: order statuses {', '.join(ls.order_statuses) or 'all but cancelled'}; "
        f"payment statuses {', '.join(ls.payment_statuses) or 'any'}; windows overlap {ls.overlap_minutes} min",
        f"  books {document} in AFAS {afas.conn_id}: administration {afas.administration}, "
        f"journal {afas.sales_journal or 'AFAS default'}, project {afas.project or '-'}, "
        f"warehouse {afas.warehouse or '-'}",
        f"  item codes: discount {items.discount}, shipping {items.shipping}, "
        f"payment costs {items.payment_fee or '-'}, rounding {items.rounding or '-'}",
        f"  relations: found by {afas.lookups.debtor.connector}.{afas.lookups.debtor.email_field}; "
        f"new ones get {relation or 'AFAS defaults'}; guests "
        f"{'on debtor ' + afas.guest_debtor if afas.guest_debtor else 'get their own relation'}; "
        f"same e-mail on several debtors: {afas.duplicate_debtors}",
        f"  cancelled orders already in AFAS: {afas.cancelled_orders}; never touched once AFAS status is "
        f"{', '.join(afas.processed_statuses) or '(none)'}",
        f"  mapping {cfg.mapping}{' + overrides' if cfg.mapping_overrides else ''}: "
        f"{len(mapping.vat_codes)} VAT rates, {len(mapping.countries)} countries, "
        f"{len(mapping.payment_types)} payment keywords, prices {'incl.' if mapping.prices_include_vat else 'excl.'} "
        f"VAT, line prices {mapping.line_price_semantics}, rounding {mapping.rounding.mode}",
        f"  pool {afas.pool}: {afas.pool_slots} slot(s) per AFAS task, {afas.max_parallel_calls} parallel calls; "
        f"detail log {'on, ' + str(cfg.detail_log_days) + ' days' if cfg.detail_logging else 'off'}; "
        f"quarantine after {cfg.max_attempts} attempts",
    ]
    lines += _describe_stock(cfg)
    lines += _describe_articles(cfg)
    lines += _describe_records(cfg)
    lines += [f"  note: {note}" for note in tenant.notes]
    return lines


def _describe_stock(cfg: Any) -> list[str]:
    stock = cfg.stock
    if stock is None:
        return ["  stock: off (no stock block)"]
    fields = stock.fields
    warehouse = f", warehouse {fields.warehouse}" if fields.warehouse else ", no warehouse field"
    return [
        f"  stock: DAG {cfg.dag_id}__stock every '{stock.schedule}'; AFAS {stock.connector} (item "
        f"{fields.item_code}, quantity {fields.quantity}{warehouse}); warehouses "
        f"{', '.join(stock.warehouses) or 'all'}",
        f"    matches variant {' then '.join(stock.match_on)} (trimmed, any case); pushes "
        f"max(0, floor(quantity){' - unbooked orders' if stock.subtract_unbooked else ''}); full comparison "
        f"every {stock.full_comparison_hours} h; leaves {cfg.lightspeed.reserve_for_orders:.0%} of each "
        f"rate-limit window to orders; pool {cfg.lightspeed.pool}"
        + (f"; at most {stock.max_pushes_per_run} pushes a run" if stock.max_pushes_per_run else ""),
    ]


def _describe_articles(cfg: Any) -> list[str]:
    block = cfg.articles
    if block is None:
        return ["  articles: off (no articles block)"]
    prices = block.prices
    source = (
        "Profit_Article_Basic.BasicSalesPrice"
        if prices.source == "basic"
        else f"Profit_SalesPrice of debtor {prices.debtor} in {prices.currency}"
    )
    reads = ["Profit_Article"] + (["Profit_Barcode_per_Item"] if "ean" in block.fields else [])
    price = (
        f"prices from {source} ({'incl.' if prices.afas_includes_vat else 'excl.'} VAT in AFAS), writes "
        f"{prices.write}; "
        if "price" in block.fields
        else ""
    )
    creates = (
        "creates missing products"
        + (" (blocked ones too, hidden)" if block.include_blocked_when_creating else "")
        if block.create_missing
        else "creates no products"
    )
    languages = ", ".join(block.languages) or "the connection's"
    return [
        f"  articles: DAG {cfg.dag_id}__articles every '{block.schedule}'; AFAS leads on "
        f"{', '.join(block.fields)} (reads {', '.join(reads)})",
        f"    matches variant {' then '.join(block.match_on)} (trimmed, any case); {price}VAT groups "
        f"{', '.join(f'{g} {r} %' for g, r in block.vat_groups.items()) or '(none)'}; languages "
        f"{languages}",
        f"    {creates}; titles up to {block.max_title_length} characters; full comparison every "
        f"{block.full_comparison_hours} h (reads overlap {block.overlap_minutes} min); leaves "
        f"{cfg.lightspeed.reserve_for_orders:.0%} of each rate-limit window to orders; pool {cfg.lightspeed.pool}"
        + (f"; at most {block.max_writes_per_run} writes a run" if block.max_writes_per_run else ""),
    ]


def _overlap(cfg: Any, block: Any) -> str:
    minutes = cfg.lightspeed.overlap_minutes if block.overlap_minutes is None else block.overlap_minutes
    return f"windows overlap {minutes} min"


def _describe_records(cfg: Any) -> list[str]:
    """The customers and credit_notes blocks (the record-by-record flows Lightspeed → AFAS)."""
    afas, block, credit = cfg.afas, cfg.customers, cfg.credit_notes
    lines = ["  customers: off (no customers block)"]
    if block is not None:
        lines[0] = (
            f"  customers: DAG {cfg.dag_id}__customers every '{block.schedule}'; "
            f"{'new customers only' if block.include == 'new' else 'new and changed customers'}"
            f"{', confirmed e-mail addresses only' if block.confirmed_only else ''}; a relation found by "
            f"{afas.lookups.debtor.connector}.{afas.lookups.debtor.email_field}, else created with "
            f"{'the block' if block.new_relation else 'afas'}.new_relation; {_overlap(cfg, block)}"
        )
    if credit is None:
        return [*lines, "  credit_notes: off (no credit_notes block)"]
    order = afas.lookups.direct_invoice if afas.document == "direct_invoice" else afas.lookups.order
    return [
        *lines,
        f"  credit_notes: DAG {cfg.dag_id}__credit_notes every '{credit.schedule}'; credits in "
        f"{afas.document.replace('_', ' ')}s on the order's debtor (order found by {order.connector}."
        f"{order.reference_field}); marking {credit.credit_marking}, invoice reference "
        f"{credit.invoice_reference}, remark '{credit.remark_template}'; {_overlap(cfg, credit)}",
    ]


def _check_mapping_file(path: Path, out: TextIO) -> bool:
    try:
        rules = load_mapping(path.stem, None, path.parent)
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=out)
        return False
    print(
        f"{display_path(path)}: OK — {len(rules.vat_codes)} VAT rates, {len(rules.countries)} countries, "
        f"{len(rules.payment_types)} payment keywords",
        file=out,
    )
    return True


def _check_tenant_file(path: Path, out: TextIO) -> bool:
    sibling = path.parent.parent / "mappings"
    try:
        tenant = load_tenant_file(path, sibling if sibling.is_dir() else None)
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=out)
        return False
    print("\n".join(_describe_tenant(tenant)), file=out)
    return True


@subcommand(
    "validate",
    "Check tenant and mapping files; print what is wrong, or what each tenant will do.",
    arg("files", nargs="*", type=Path, help="tenant or mapping files (default: everything in include/)"),
)
def validate_command(args: argparse.Namespace) -> int:
    out = sys.stdout
    ok = True
    if args.files:
        for path in args.files:
            if not path.is_file():
                print(f"{path}: no such file", file=out)
                ok = False
            elif path.parent.name == "mappings":
                ok = _check_mapping_file(path, out) and ok
            else:
                ok = _check_tenant_file(path, out) and ok
        return 0 if ok else 1
    for path in sorted(mappings_dir().glob("*.yaml")):
        ok = _check_mapping_file(path, out) and ok
    result = load_tenants()
    for error in result.errors:
        for problem in error.problems:
            print(problem, file=out)
    for tenant in result.tenants:
        print("\n".join(_describe_tenant(tenant)), file=out)
    if not tenant_files(tenants_dir()):
        print(f"{display_path(tenants_dir())}: no tenant files", file=out)
    valid = len(result.tenants)
    print(f"{valid} valid tenant file(s), {len(result.errors)} invalid", file=out)
    return 0 if ok and not result.errors else 1


# -- pools -------------------------------------------------------------------------------------------------


def required_pools(tenants: Sequence[LoadedTenant]) -> dict[str, dict[str, Any]]:
    """One pool per AFAS environment: slots = the largest max_parallel_calls of the tenants that share it."""
    pools: dict[str, dict[str, Any]] = {}
    for tenant in tenants:
        afas = tenant.config.afas
        pool = pools.setdefault(afas.pool, {"slots": 0, "conn_ids": set(), "tenants": []})
        pool["slots"] = max(pool["slots"], afas.max_parallel_calls)
        pool["conn_ids"].add(afas.conn_id)
        pool["tenants"].append(tenant.tenant)
    out = {
        name: {
            "slots": spec["slots"],
            "description": f"AFAS Profit {', '.join(sorted(spec['conn_ids']))}: calls in flight for tenants "
            + ", ".join(sorted(spec["tenants"])),
            "include_deferred": False,
        }
        for name, spec in sorted(pools.items())
    }
    out.update(lightspeed_pools(tenants))
    return dict(sorted(out.items()))


def lightspeed_pools(tenants: Sequence[LoadedTenant]) -> dict[str, dict[str, Any]]:
    """One pool per Lightspeed key (connection) whose tenants run flows beside orders: one slot, so
    those flows take turns on the key's budget; the orders DAG does not use it."""
    pools: dict[str, dict[str, set[str]]] = {}
    for tenant in tenants:
        cfg = tenant.config
        if len(cfg.flows()) < 2:
            continue
        pool = pools.setdefault(str(cfg.lightspeed.pool), {"conn_ids": set(), "tenants": set()})
        pool["conn_ids"].add(cfg.lightspeed.conn_id)
        pool["tenants"].add(cfg.tenant)
    return {
        name: {
            "slots": 1,
            "description": f"Lightspeed eCom {', '.join(sorted(spec['conn_ids']))}: the non-order flows of "
            + ", ".join(sorted(spec["tenants"])),
            "include_deferred": False,
        }
        for name, spec in pools.items()
    }


@subcommand(
    "pools",
    "Print the Airflow pools the tenants need (JSON for `airflow pools import`, or `airflow pools set` lines).",
    arg("--format", choices=("json", "cli"), default="json", help="json (default) or cli"),
)
def pools_command(args: argparse.Namespace) -> int:
    result = load_tenants()
    for error in result.errors:
        print(f"skipped (invalid): {error.file}", file=sys.stderr)
    pools = required_pools(result.tenants)
    if args.format == "json":
        print(json.dumps(pools, indent=2, sort_keys=True))
    else:
        for name, spec in pools.items():
            print(f"airflow pools set {name} {spec['slots']} {json.dumps(spec['description'])}")
    return 0
