"""The DAG page of a tenant's DAG in the Airflow UI: what it syncs to where, from the tenant file alone."""

from __future__ import annotations

from lightspeed_afas.config import LoadedTenant

# Every DAG's page says why most runs show skipped tasks (orchestration.idle).
IDLE_NOTE = (
    "**Idle runs**: a run with nothing to do runs its first task only and ends `success`; the later tasks "
    'and the teardown show *skipped* (README, "Idle runs").\n'
)


def doc_md(tenant: LoadedTenant) -> str:
    """What this DAG syncs to where, for the DAG page in the UI (built only from the tenant file)."""
    cfg = tenant.config
    ls, afas = cfg.lightspeed, cfg.afas
    items = afas.items
    statuses = ", ".join(ls.order_statuses) or "every status except cancelled"
    payments = ", ".join(ls.payment_statuses) or "any"
    mapping = f"`include/mappings/{cfg.mapping}.yaml`"
    if cfg.mapping_overrides:
        mapping += " with overrides for " + ", ".join(f"`{k}`" for k in sorted(cfg.mapping_overrides))
    document = (
        "sales order (FbSales)" if afas.document == "sales_order" else "direct invoice (FbDirectInvoice)"
    )
    detail = f"on, kept {cfg.detail_log_days} days" if cfg.detail_logging else "off"
    rows = [
        ("Lightspeed eCom shop (connection)", f"`{ls.conn_id}`"),
        ("AFAS Profit environment (connection)", f"`{afas.conn_id}`"),
        ("AFAS document", document),
        ("administration (Unit)", str(afas.administration)),
        ("sales journal (JoCo)", afas.sales_journal or "AFAS default"),
        ("project (PrId) / warehouse (War)", f"{afas.project or '—'} / {afas.warehouse or '—'}"),
        ("order statuses", statuses),
        ("payment statuses", payments),
        (
            "item codes",
            f"discount `{items.discount}`, shipping `{items.shipping}`, payment costs "
            f"`{items.payment_fee or '—'}`, rounding `{items.rounding or '—'}`",
        ),
        ("mapping rules", mapping),
        ("cancelled orders already in AFAS", afas.cancelled_orders),
        ("guest orders", f"collective debtor `{afas.guest_debtor}`" if afas.guest_debtor else "own relation"),
        ("AFAS pool", f"`{afas.pool}` ({afas.pool_slots} slot(s) per task, {afas.max_parallel_calls} calls)"),
        ("detail log", detail),
    ]
    table = "\n".join(f"| {k} | {v} |" for k, v in rows)
    return (
        f"### {cfg.name}\n\n"
        f"Books the orders of Lightspeed eCom shop `{ls.conn_id}` into AFAS Profit `{afas.conn_id}`, "
        f"schedule `{cfg.schedule}` ({cfg.timezone}), from {cfg.start_date.isoformat()}. "
        f"Tenant file: `{tenant.label}`.\n\n"
        f"| setting | value |\n|---|---|\n{table}\n\n"
        "**Manual runs** take `since`/`until` (re-sync a range), `order_numbers` (re-sync named orders) "
        "and `dry_run` (show the AFAS payloads, write nothing).\n" + IDLE_NOTE
    )
