"""The stock DAG of a tenant with a ``stock:`` block: ``lightspeed_afas_<tenant>__stock`` with
read_afas_stock → plan_stock → push_stock (and the teardown that removes the run's staged data).

Orders first, by Airflow's own means and by the key's own count:

- **Pool**: the tasks that call Lightspeed run in the key's pool (``lightspeed.pool``, default
  ``lightspeed_<conn_id>``, one slot per flow by default: ``python -m lightspeed_afas pools``), so the
  non-order flows of all tenants on one key take turns; the orders DAG does not use that pool, so it
  never queues behind them.
- **Priority**: the orders tasks have priority weight 10, these 1 (absolute): when worker slots are
  scarce, the scheduler starts orders first.
- **Budget**: the hook keeps ``lightspeed.reserve_for_orders`` of every rate-limit window free, read from
  the headers every answer carries (the key's shared count), and the run stops there (``partial``).
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import DAG, CronDataIntervalTimetable, Param

from lightspeed_afas.config import LoadedTenant
from lightspeed_afas.config.dag_ids import flow_dag_id
from lightspeed_afas.domain.vocabulary import STOCK_STEPS
from lightspeed_afas.orchestration.dag_docs import IDLE_NOTE
from lightspeed_afas.orchestration.dag_parts import FLOW_PRIORITY, chain_steps, flow_step_task
from lightspeed_afas.orchestration.entry import run_flow_step
from lightspeed_afas.orchestration.trigger_params import SCHEMA_DIALECT

LIGHTSPEED_STEPS = ("plan_stock", "push_stock")
PRIORITY = FLOW_PRIORITY
RETRIES = {"retries": 2, "retry_delay": timedelta(minutes=2)}


def stock_params() -> dict[str, Param]:
    """The stock DAG's manual-trigger form."""
    return {
        "dry_run": Param(
            False,
            **SCHEMA_DIALECT,
            type=["null", "boolean"],
            title="Dry run",
            description="Show the levels a run would push (variant, code, old → new); write nothing.",
        ),
        "full_comparison": Param(
            False,
            **SCHEMA_DIALECT,
            type=["null", "boolean"],
            title="Full comparison",
            description="Read every variant's level in the shop now (one call per 250 variants) and "
            "correct what differs from AFAS, instead of waiting for the daily one.",
        ),
        "resume": Param(
            False,
            **SCHEMA_DIALECT,
            type=["null", "boolean"],
            title="Resume pushing",
            description="Push again after the flow halted (the shop answered a level other than the one "
            "sent). Check the shop first.",
        ),
    }


def stock_dag(tenant: LoadedTenant) -> DAG:
    cfg = tenant.config
    stock = cfg.stock
    assert stock is not None
    dag = DAG(
        dag_id=flow_dag_id(cfg.tenant, "stock"),
        description=f"{cfg.name}: AFAS Profit stock → Lightspeed eCom",
        schedule=CronDataIntervalTimetable(stock.schedule, timezone=cfg.timezone),
        start_date=cfg.start_date,
        catchup=False,
        max_active_runs=1,
        dagrun_timeout=timedelta(hours=2),
        tags=["lightspeed-afas", cfg.tenant, "stock"],
        doc_md=stock_doc_md(tenant),
        default_args={"owner": cfg.owner, **RETRIES},
    )
    with dag:
        chain_steps(
            [flow_step_task(cfg, s, run_flow_step, LIGHTSPEED_STEPS, flow="stock") for s in STOCK_STEPS],
            cfg.tenant,
        )
    dag.params.update(stock_params())
    return dag


def stock_doc_md(tenant: LoadedTenant) -> str:
    cfg = tenant.config
    stock = cfg.stock
    assert stock is not None
    fields = stock.fields
    rows = [
        ("AFAS GetConnector", f"`{stock.connector}` (item `{fields.item_code}`, quantity `{fields.quantity}`"
         + (f", warehouse `{fields.warehouse}`)" if fields.warehouse else ")")),
        ("warehouses summed", ", ".join(stock.warehouses) or "all"),
        ("variant codes matched, in order", ", ".join(stock.match_on)),
        ("minus orders not booked yet", "yes" if stock.subtract_unbooked else "no"),
        ("full comparison", f"every {stock.full_comparison_hours} h"),
        ("left to the orders flow", f"{cfg.lightspeed.reserve_for_orders:.0%} of every rate-limit window"),
        ("Lightspeed pool", f"`{cfg.lightspeed.pool}`"),
    ]  # fmt: skip
    table = "\n".join(f"| {k} | {v} |" for k, v in rows)
    return (
        f"### {cfg.name}: stock\n\n"
        f"AFAS Profit `{cfg.afas.conn_id}` is leading: each item's quantity becomes the `stockLevel` of "
        f"the variant in Lightspeed `{cfg.lightspeed.conn_id}` whose code matches, "
        f"`max(0, floor(quantity) − unbooked)`, pushed only where it differs. Schedule `{stock.schedule}` "
        f"({cfg.timezone}). Tenant file: `{tenant.label}`.\n\n"
        f"| setting | value |\n|---|---|\n{table}\n\n"
        "**Manual runs** take `dry_run` (show the planned levels, write nothing), `full_comparison` and "
        "`resume` (after a halt).\n" + IDLE_NOTE
    )
