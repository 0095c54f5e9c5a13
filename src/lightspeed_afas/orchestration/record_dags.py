"""The customers and credit-notes DAGs of a tenant with a ``customers:`` or ``credit_notes:`` block:
``lightspeed_afas_<tenant>__customers`` (extract_customers → resolve_relations) and
``lightspeed_afas_<tenant>__credit_notes`` (extract_credit_notes → transform → load_to_afas), each with the
teardown that removes the run's staged data.

Orders first, as the other non-order flows: the step that reads Lightspeed runs in the key's pool with
priority 1, the AFAS steps in the AFAS pool, and the hook keeps ``lightspeed.reserve_for_orders`` of
every window free. Relations and credits are written under the tenant's write lease, which the orders
flow holds while it writes: the flows never create one relation twice.
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from airflow.sdk import DAG, CronDataIntervalTimetable, Param

from lightspeed_afas.config import LoadedTenant
from lightspeed_afas.config.dag_ids import flow_dag_id
from lightspeed_afas.domain.vocabulary import CREDIT_NOTE_STEPS, CUSTOMER_STEPS
from lightspeed_afas.orchestration.dag_docs import IDLE_NOTE
from lightspeed_afas.orchestration.dag_parts import chain_steps, flow_step_task
from lightspeed_afas.orchestration.entry import run_flow_step
from lightspeed_afas.orchestration.trigger_params import SCHEMA_DIALECT

RETRIES = {"retries": 2, "retry_delay": timedelta(minutes=2)}
WHAT = {"customers": "customers", "credit_notes": "credit notes"}


def record_params(flow: str) -> dict[str, Param]:
    """The manual-trigger form: a period to read again, and the dry run."""
    what = WHAT[flow]
    return {
        "since": Param(
            None,
            **SCHEMA_DIALECT,
            type=["null", "string"],
            format="date-time",
            title="Since",
            description=f"Read the {what} changed from this moment again (date-time with offset); what is "
            "booked already stays as it is. Leave empty for a normal run.",
        ),
        "until": Param(
            None,
            **SCHEMA_DIALECT,
            type=["null", "string"],
            format="date-time",
            title="Until",
            description="…up to this moment (default: the start of the run). Needs Since.",
        ),
        "dry_run": Param(
            False,
            **SCHEMA_DIALECT,
            type=["null", "boolean"],
            title="Dry run",
            description=f"Show what would be written to AFAS for the {what} (the payloads in the task "
            "logs); write nothing to AFAS or the ledger.",
        ),
    }


def record_dag(flow: str, tenant: LoadedTenant) -> DAG:
    cfg = tenant.config
    block = cfg.customers if flow == "customers" else cfg.credit_notes
    assert block is not None
    steps = CUSTOMER_STEPS if flow == "customers" else CREDIT_NOTE_STEPS
    dag = DAG(
        dag_id=flow_dag_id(cfg.tenant, flow),
        description=f"{cfg.name}: Lightspeed eCom {WHAT[flow]} → AFAS Profit",
        schedule=CronDataIntervalTimetable(block.schedule, timezone=cfg.timezone),
        start_date=cfg.start_date,
        catchup=False,
        max_active_runs=1,
        dagrun_timeout=timedelta(hours=2),
        tags=["lightspeed-afas", cfg.tenant, flow],
        doc_md=record_doc_md(flow, tenant),
        default_args={"owner": cfg.owner, **RETRIES},
    )
    with dag:
        chain_steps(
            [flow_step_task(cfg, s, run_flow_step, (steps[0],), flow=flow) for s in steps], cfg.tenant
        )
    dag.params.update(record_params(flow))
    return dag


customers_dag = partial(record_dag, "customers")
credit_notes_dag = partial(record_dag, "credit_notes")


def record_doc_md(flow: str, tenant: LoadedTenant) -> str:
    cfg = tenant.config
    if flow == "customers":
        block = cfg.customers
        assert block is not None
        rows = [
            ("customers looked at", "new only" if block.include == "new" else "new and changed"),
            ("only confirmed e-mail addresses", "yes" if block.confirmed_only else "no"),
            ("relation defaults", "the block's new_relation" if block.new_relation else "afas.new_relation"),
        ]
        lead = (
            "A customer who registers in the shop gets an AFAS sales relation, found by e-mail exactly as the "
            "order flow finds one, created only when AFAS has none; an existing relation is never changed."
        )
    else:
        block = cfg.credit_notes
        assert block is not None
        rows = [
            ("booked as", f"credit in {cfg.afas.document.replace('_', ' ')} (the orders' document type)"),
            ("credit marking", block.credit_marking),
            ("invoice reference (Fref)", block.invoice_reference),
            ("remark", f"`{block.remark_template}`"),
        ]
        lead = (
            "Each Lightspeed credit note is booked once in AFAS as a credit on the original order's debtor, "
            "with its number as reference (looked up before any insert) and the order number in the remark."
        )
    rows.append(
        ("left to the orders flow", f"{cfg.lightspeed.reserve_for_orders:.0%} of every rate-limit window")
    )
    table = "\n".join(f"| {k} | {v} |" for k, v in rows)
    return (
        f"### {cfg.name}: {WHAT[flow]}\n\n{lead} Schedule `{block.schedule}` ({cfg.timezone}). "
        f"Tenant file: `{tenant.label}`.\n\n| setting | value |\n|---|---|\n{table}\n\n"
        "**Manual runs** take `since`/`until` (read a period again) and `dry_run`.\n" + IDLE_NOTE
    )
