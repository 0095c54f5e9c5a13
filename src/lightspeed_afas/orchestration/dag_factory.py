"""One DAG per tenant file: ``lightspeed_afas_<tenant>`` with extract_orders → resolve_relations →
transform → load_to_afas (and a teardown that removes the run's staged order data).

**Intervals and catch-up.** Every run has a real data interval: the schedule is a
``CronDataIntervalTimetable`` (in Airflow 3.3 a bare cron string gives runs whose interval starts and
ends at the same moment, which would quietly extract nothing). ``catchup=False``: the pipeline keeps a
per-tenant watermark in its own ledger, and a scheduled run extracts from that watermark (minus the
overlap) to the end of its interval. So the first run after downtime — a paused DAG, a stopped
scheduler — covers every missed window in one run instead of queueing one run per missed quarter-hour,
and no window is ever skipped. Explicit historical ranges are loaded with ``airflow backfill create``
(one run per interval) or with one manual run with ``since``/``until``.

**Parsing.** Deterministic and offline: tenants sorted, no clock, no lambdas, no network, no Airflow
Variables; when a task starts only its own tenant's DAG is built (``get_parsing_context``). The task
callables import the pipeline inside the task.

**Invalid tenant files.** They never stop the other tenants' DAGs. Each invalid file is reported as an
import error of its own, keyed by the YAML path (``include/tenants/acme.yaml``), with one line per
problem naming the field. The error is added to the result of Airflow's Python DAG importer (3.3's
``DagImportResult``); the dag-processor stores it like any import error. Keying it by the factory file
instead would mark every tenant DAG of this file as stale — that is how Airflow treats a file with an
import error. The dag-processor removes an error for a path that is not a DAG file when it refreshes
the bundle (``[dag_processor] refresh_interval``), so after a fix the error is gone within that interval,
and while a file stays broken the error re-appears at the next parse of this file.
"""

from __future__ import annotations

import logging
import sys
import warnings
from datetime import timedelta
from typing import Any

from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG, CronDataIntervalTimetable, Param, TriggerRule

from lightspeed_afas.config import ConfigError, LoadedTenant, TenantLoadResult, load_tenants
from lightspeed_afas.orchestration.entry import purge_staged_data, run_step
from lightspeed_afas.orchestration.run_request import MAX_ORDER_NUMBERS

log = logging.getLogger(__name__)

STEPS = ("extract_orders", "resolve_relations", "transform", "load_to_afas")
AFAS_STEPS = ("resolve_relations", "load_to_afas")  # the steps that call AFAS run in its pool
TEARDOWN = "purge_staged_data"
DAG_PREFIX = "lightspeed_afas_"
TAG = "lightspeed-afas"
DAGRUN_TIMEOUT = timedelta(hours=4)  # a scheduled run takes minutes; a long range load may take hours


class TenantFileWarning(UserWarning):
    """An invalid tenant file, when no Airflow importer is there to take it as an import error."""


# -- DAG construction --------------------------------------------------------------------------------------


# Airflow validates each Param with jsonschema when the DAG is built, checking the schema against its
# meta-schema first; naming draft-07 makes that check ~4x cheaper than the default 2020-12 meta-schema,
# which is most of the parse time with hundreds of tenants. The schemas use nothing newer than draft-07.
SCHEMA_DIALECT = {"$schema": "http://json-schema.org/draft-07/schema#"}


def trigger_params() -> dict[str, Param]:
    """The manual-trigger form. Combinations and limits are checked by ``lightspeed_afas.orchestration.run_request``.

    Every param is optional (a normal run needs none), so every schema type includes ``"null"``: Airflow
    3.3's trigger form marks a param whose type does not as required. The order-number limit is not a
    ``maxItems``: jsonschema's refusal would repeat every number given; the run refuses with the limit.
    """
    return {
        "since": Param(
            None,
            **SCHEMA_DIALECT,
            type=["null", "string"],
            format="date-time",
            title="Since",
            description="Re-sync the orders changed from this moment (date-time with offset). Leave empty "
            "for a normal run.",
        ),
        "until": Param(
            None,
            **SCHEMA_DIALECT,
            type=["null", "string"],
            format="date-time",
            title="Until",
            description="…up to this moment (default: the start of the run). Needs Since.",
        ),
        "order_numbers": Param(
            [],
            **SCHEMA_DIALECT,
            type=["null", "array"],
            items={"type": "string"},
            title="Order numbers",
            description="Re-sync exactly these Lightspeed order numbers, one per line (also quarantined "
            f"ones), at most {MAX_ORDER_NUMBERS} per run. Not with Since/Until. Leave empty for a normal run.",
        ),
        "dry_run": Param(
            False,
            **SCHEMA_DIALECT,
            type=["null", "boolean"],
            title="Dry run",
            description="Transform and show the AFAS payloads in the task log; write nothing to AFAS.",
        ),
    }


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
        "and `dry_run` (show the AFAS payloads, write nothing).\n"
    )


def notification_callbacks(cfg: Any) -> dict[str, Any]:
    """load_to_afas's callbacks: notify new problems when the run's load ends (tenants with notifications)."""
    if not cfg.notifications.enabled:
        return {}
    from lightspeed_afas.ops.notify import LightspeedAfasNotifier

    notifier = LightspeedAfasNotifier(cfg.tenant)
    return {"on_success_callback": notifier, "on_failure_callback": notifier}


def tenant_dag(tenant: LoadedTenant) -> DAG:
    """The DAG for one valid tenant."""
    cfg = tenant.config
    dag = DAG(
        dag_id=cfg.dag_id,
        description=f"{cfg.name}: Lightspeed eCom → AFAS Profit",
        schedule=CronDataIntervalTimetable(cfg.schedule, timezone=cfg.timezone),
        start_date=cfg.start_date,
        catchup=False,
        max_active_runs=1,
        dagrun_timeout=DAGRUN_TIMEOUT,
        tags=[TAG, cfg.tenant],
        doc_md=doc_md(tenant),
        default_args={
            "owner": cfg.owner,
            "retries": 3,
            "retry_delay": timedelta(minutes=1),
            "retry_exponential_backoff": True,
            "max_retry_delay": timedelta(minutes=15),
        },
    )
    with dag:
        steps = []
        for step in STEPS:
            extra = {"pool": cfg.afas.pool, "pool_slots": cfg.afas.pool_slots} if step in AFAS_STEPS else {}
            if step == "load_to_afas":
                extra.update(notification_callbacks(cfg))
            steps.append(
                PythonOperator(
                    task_id=step,
                    python_callable=run_step,
                    op_kwargs={"step": step, "tenant_id": cfg.tenant},
                    # The return value is the step's XCom (order data); the task log gets a summary instead.
                    show_return_value_in_logs=False,
                    **extra,
                )
            )
        for upstream, downstream in zip(steps, steps[1:], strict=False):
            upstream >> downstream
        purge = PythonOperator(
            task_id=TEARDOWN,
            python_callable=purge_staged_data,
            op_kwargs={"tenant_id": cfg.tenant},
            trigger_rule=TriggerRule.ALL_DONE,
            retries=0,
            do_xcom_push=False,  # its count would be staged again after the purge; the log says it
        )
        steps[-1] >> purge
        purge.as_teardown(setups=steps[0])
    # The params are added after the tasks exist, and without re-validating their constant defaults
    # (tests/dags checks them): every operator deep-copies the DAG's params when it is created, and
    # validating each default runs jsonschema — together most of the parse time with many tenants.
    # Tasks need no copy: a run's params are the DAG's, then the task's own (none here), then the conf.
    dag.params.update(trigger_params())
    return dag


def build_dags(result: TenantLoadResult, only_dag_id: str | None = None) -> dict[str, DAG]:
    """DAGs of the valid, enabled tenants by DAG id (sorted); only ``only_dag_id`` when a task starts."""
    dags: dict[str, DAG] = {}
    for tenant in result.tenants:
        if not tenant.config.enabled:
            continue
        if only_dag_id is not None and only_dag_id != tenant.config.dag_id:
            continue
        dags[tenant.config.dag_id] = tenant_dag(tenant)
    return dags


# -- invalid tenant files as import errors ----------------------------------------------------------------


def import_error_text(error: ConfigError) -> str:
    lines = [str(p) for p in error.problems]
    lines.append(
        f"This tenant's DAG is not loaded until the file is fixed; the other tenants keep running. "
        f"Check it with: python -m lightspeed_afas validate {error.file}"
    )
    return "\n".join(lines)


def _active_import_result() -> Any:
    """The DagImportResult of the Airflow importer that is importing the DAG file, if any.

    Airflow 3.3's ``PythonDagImporter`` passes it down as ``result`` while the module runs; a DAG file
    has no other handle on it.
    """
    try:
        from airflow.dag_processing.importers.base import DagImportResult
    except ImportError:
        return None
    frame = sys._getframe(1)
    while frame is not None:
        candidate = frame.f_locals.get("result")
        if isinstance(candidate, DagImportResult):
            return candidate
        frame = frame.f_back
    return None


def report_invalid_files(errors: tuple[ConfigError, ...]) -> int:
    """Hand each invalid tenant file to Airflow as its own import error; returns how many were handed."""
    if not errors:
        return 0
    result = _active_import_result()
    if result is None:
        for error in errors:
            log.error("Invalid tenant file:\n%s", import_error_text(error))
            warnings.warn(import_error_text(error), TenantFileWarning, stacklevel=2)
        return 0
    from airflow.dag_processing.importers.base import DagImportError

    known = {e.file_path for e in result.errors}
    for error in errors:
        if error.file in known:
            continue
        result.errors.append(
            DagImportError(file_path=error.file, message=import_error_text(error), error_type="tenant_file")
        )
    return len(errors)


def tenant_dags(only_dag_id: str | None = None) -> dict[str, DAG]:
    """Everything the DAG file needs: load the tenant files, report the invalid ones, build the DAGs."""
    if only_dag_id is not None:
        # A task is starting: read only its tenant's file.
        tenant_id = only_dag_id[len(DAG_PREFIX) :] if only_dag_id.startswith(DAG_PREFIX) else None
        return build_dags(load_tenants(only=tenant_id), only_dag_id) if tenant_id else {}
    result = load_tenants()
    report_invalid_files(result.errors)
    return build_dags(result)
