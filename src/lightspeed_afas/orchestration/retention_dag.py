"""The ``lightspeed_afas_log_retention`` DAG: daily retention of the logs and the reconciliation.

Tasks (the purges are independent; ``report`` runs whatever happened to them):

- ``purge_detail_log``, ``purge_basic_log``, ``purge_task_logs``, ``purge_staged_data``: see
  ``lightspeed_afas.ops.retention`` for the periods and their limits;
- ``reconcile``: one mapped task per enabled tenant, for yesterday in the tenant's time zone
  (or the ``reconcile_date`` param) — fails naming the missing orders;
- ``report``: one table of what was deleted, also the run's XCom.

Trigger params: ``dry_run`` (count, delete nothing), ``reconcile_date`` (YYYY-MM-DD).
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from typing import Any

from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG, Param, TriggerRule

from lightspeed_afas.ops.retention import DAG_ID

log = logging.getLogger(__name__)

PURGES = ("purge_detail_log", "purge_basic_log", "purge_task_logs", "purge_staged_data")


def _policy_and_tenants() -> tuple[Any, dict[str, bool]]:
    from lightspeed_afas.config import load_tenants
    from lightspeed_afas.ops import retention

    loaded = load_tenants()
    for error in loaded.errors:
        log.warning("Tenant file skipped by retention (its data gets the default periods): %s", error)
    rules = retention.policy({t.config.tenant: t.config.detail_log_days for t in loaded.tenants})
    for note in rules.notes:
        log.warning("Retention setting clamped: %s", note)
    return rules, {t.config.tenant: t.config.detail_logging for t in loaded.tenants}


def purge(kind: str, **context: Any) -> dict[str, Any]:
    """One purge task; returns (and records in the ledger) what it deleted."""
    from lightspeed_afas.ledger import Ledger
    from lightspeed_afas.ops import retention

    dry_run = bool(context["params"].get("dry_run", False))
    now = datetime.now(UTC)  # one instant for every cutoff of this task
    rules, detail_logging = _policy_and_tenants()
    ledger = Ledger.from_airflow()
    if kind == "purge_detail_log":
        result = retention.purge_detail_log(ledger, rules, now, dry_run)
    elif kind == "purge_basic_log":
        result = retention.purge_basic_log(ledger, rules, now, dry_run)
    elif kind == "purge_task_logs":
        result = retention.purge_task_logs(retention.task_log_folder(), rules, now, dry_run)
    elif kind == "purge_staged_data":
        root = retention.staged_root()
        if root is None:
            log.warning(
                "Staged XCom data is not on a local path (or the object-storage XCom backend is off): "
                "give its bucket a lifecycle rule of %d hours instead.",
                rules.staged_hours,
            )
            return retention.Purged("staged_xcom", now - timedelta(hours=rules.staged_hours)).as_dict()
        result = retention.purge_staged_files(root, rules, now, detail_logging, dry_run)
    else:
        raise ValueError(f"unknown purge {kind!r}")
    ledger.record_retention(
        context["run_id"], result.kind, result.cutoff, result.deleted, result.oldest_kept, dry_run
    )
    log.info(
        "%s%s:\n%s\nper %s: %s",
        kind,
        " (dry run: nothing deleted)" if dry_run else "",
        retention.table([result], dry_run),
        "table" if kind == "purge_basic_log" else "tenant/DAG",
        result.detail or "nothing",
    )
    return result.as_dict()


def reconcile(tenant_id: str, **context: Any) -> dict[str, Any]:
    from lightspeed_afas.ops.reconcile import run_for_tenant

    raw = (context["params"].get("reconcile_date") or "").strip()
    try:
        day = date.fromisoformat(raw) if raw else None
    except ValueError:
        raise ValueError(f"reconcile_date {raw!r} is not a date (YYYY-MM-DD)") from None
    return run_for_tenant(tenant_id, day, context)


def report(**context: Any) -> dict[str, Any]:
    """Everything the purges did, as one table in the log and one XCom."""
    from lightspeed_afas.ops import retention

    ti = context["ti"]
    dry_run = bool(context["params"].get("dry_run", False))
    results: list[retention.Purged] = []
    missing: list[str] = []
    for task_id in PURGES:
        value = ti.xcom_pull(task_ids=task_id)
        if not value:
            missing.append(task_id)
            continue
        purged = retention.Purged(value["kind"], datetime.fromisoformat(value["cutoff"]), value["deleted"])
        if value["oldest_kept"]:
            purged.oldest_kept = datetime.fromisoformat(value["oldest_kept"])
        results.append(purged)
    log.info("Retention%s:\n%s", " (dry run)" if dry_run else "", retention.table(results, dry_run))
    if missing:
        log.warning("No result from %s: see their task logs.", ", ".join(missing))
    return {
        "dry_run": dry_run,
        "purged": {r.kind: r.as_dict() for r in results},
        "failed_tasks": missing,
    }


def retention_dag(tenant_ids: list[str]) -> DAG:
    """The DAG; ``tenant_ids`` (the enabled, valid tenants) get a reconciliation each."""
    dag = DAG(
        dag_id=DAG_ID,
        description="Lightspeed → AFAS: log retention and the daily reconciliation",
        schedule="30 3 * * *",
        start_date=datetime(2026, 1, 1, tzinfo=UTC),
        catchup=False,
        max_active_runs=1,
        dagrun_timeout=timedelta(hours=2),
        tags=["lightspeed-afas", "retention"],
        doc_md=__doc__,
        params={
            "dry_run": Param(
                False, type="boolean", description="Count what would be deleted; delete nothing."
            ),
            "reconcile_date": Param(
                "",
                type="string",
                description="Day to reconcile (YYYY-MM-DD); empty: yesterday in each tenant's time zone.",
            ),
        },
        default_args={"owner": "data-team", "retries": 2, "retry_delay": timedelta(minutes=5)},
    )
    with dag:
        purges = [
            PythonOperator(task_id=kind, python_callable=purge, op_kwargs={"kind": kind}) for kind in PURGES
        ]
        summary = PythonOperator(task_id="report", python_callable=report, trigger_rule=TriggerRule.ALL_DONE)
        purges >> summary
        if tenant_ids:
            PythonOperator.partial(task_id="reconcile", python_callable=reconcile, retries=1).expand(
                op_kwargs=[{"tenant_id": t} for t in tenant_ids]
            )
    return dag


def build() -> DAG:
    from lightspeed_afas.config import load_tenants

    return retention_dag([t.config.tenant for t in load_tenants().tenants if t.config.enabled])
