"""The articles DAG of a tenant with an ``articles:`` block: ``lightspeed_afas_<tenant>__articles`` with
read_afas_articles → plan_articles → push_articles (and the teardown that removes the run's staged data).

Orders first, as the stock DAG (``stock_dag``): the Lightspeed steps run in the key's pool, with priority
1 against the orders' 10, and the hook keeps ``lightspeed.reserve_for_orders`` of every window free.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import DAG, CronDataIntervalTimetable, Param

from lightspeed_afas.config import LoadedTenant
from lightspeed_afas.config.dag_ids import flow_dag_id
from lightspeed_afas.domain.vocabulary import ARTICLE_STEPS
from lightspeed_afas.orchestration.dag_docs import IDLE_NOTE
from lightspeed_afas.orchestration.dag_parts import chain_steps, flow_step_task
from lightspeed_afas.orchestration.entry import run_flow_step
from lightspeed_afas.orchestration.trigger_params import SCHEMA_DIALECT

LIGHTSPEED_STEPS = ("plan_articles", "push_articles")
RETRIES = {"retries": 2, "retry_delay": timedelta(minutes=2)}


def article_params() -> dict[str, Param]:
    """The articles DAG's manual-trigger form."""
    return {
        "dry_run": Param(
            False,
            **SCHEMA_DIALECT,
            type=["null", "boolean"],
            title="Dry run",
            description="Show what a run would write (item, field, shop value → AFAS value) and which "
            "products it would create; write nothing. Run this before switching the flow on.",
        ),
        "full_comparison": Param(
            False,
            **SCHEMA_DIALECT,
            type=["null", "boolean"],
            title="Full comparison",
            description="Read every AFAS item and the shop's whole catalogue now and correct what "
            "differs, instead of waiting for the daily one.",
        ),
    }


def articles_dag(tenant: LoadedTenant) -> DAG:
    cfg = tenant.config
    block = cfg.articles
    assert block is not None
    dag = DAG(
        dag_id=flow_dag_id(cfg.tenant, "articles"),
        description=f"{cfg.name}: AFAS Profit articles → Lightspeed eCom",
        schedule=CronDataIntervalTimetable(block.schedule, timezone=cfg.timezone),
        start_date=cfg.start_date,
        catchup=False,
        max_active_runs=1,
        dagrun_timeout=timedelta(hours=4),
        tags=["lightspeed-afas", cfg.tenant, "articles"],
        doc_md=articles_doc_md(tenant),
        default_args={"owner": cfg.owner, **RETRIES},
    )
    with dag:
        chain_steps(
            [flow_step_task(cfg, s, run_flow_step, LIGHTSPEED_STEPS, flow="articles") for s in ARTICLE_STEPS],
            cfg.tenant,
        )
    dag.params.update(article_params())
    return dag


def articles_doc_md(tenant: LoadedTenant) -> str:
    cfg = tenant.config
    block = cfg.articles
    assert block is not None
    prices = block.prices
    source = (
        "Profit_Article_Basic.BasicSalesPrice"
        if prices.source == "basic"
        else f"Profit_SalesPrice of debtor {prices.debtor}"
    )
    rows = [
        ("fields AFAS leads on", ", ".join(block.fields)),
        ("variant codes matched, in order", ", ".join(block.match_on)),
        ("price", f"{source}, {'incl.' if prices.afas_includes_vat else 'excl.'} VAT in AFAS; writes {prices.write}"),
        ("VAT groups", ", ".join(f"{g} → {r} %" for g, r in block.vat_groups.items())),
        ("languages", ", ".join(block.languages) or "the connection's"),
        ("create missing products", "yes" if block.create_missing else "no"),
        ("full comparison", f"every {block.full_comparison_hours} h"),
        ("left to the orders flow", f"{cfg.lightspeed.reserve_for_orders:.0%} of every rate-limit window"),
        ("Lightspeed pool", f"`{cfg.lightspeed.pool}`"),
    ]  # fmt: skip
    table = "\n".join(f"| {k} | {v} |" for k, v in rows)
    return (
        f"### {cfg.name}: articles\n\n"
        f"AFAS Profit `{cfg.afas.conn_id}` is leading: what it holds about an item overwrites the variant "
        f"and product in Lightspeed `{cfg.lightspeed.conn_id}` whose code matches; only fields that differ "
        f"are written, a blocked item is hidden (never deleted). Schedule `{block.schedule}` "
        f"({cfg.timezone}). Tenant file: `{tenant.label}`.\n\n"
        f"| setting | value |\n|---|---|\n{table}\n\n"
        "**Manual runs** take `dry_run` (the diff, nothing written) and `full_comparison`.\n" + IDLE_NOTE
    )
