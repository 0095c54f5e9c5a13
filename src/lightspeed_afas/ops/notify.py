"""Failure notifications: e-mail and a chat webhook when a tenant gets new problems — once per problem.

A *problem* is an order that is failed or quarantined now (from the ledger's order state), or a failed
reconciliation of one day. When a run ends, ``LightspeedAfasNotifier`` (an Airflow ``BaseNotifier``, set
as ``on_success_callback`` and ``on_failure_callback`` of ``load_to_afas`` for tenants with a
``notifications`` block) compares the open problems with the ones already notified and sends one message
per channel about the new ones: the tenant, the counts, the first few reasons and a link to the dashboard.

**At most one notification per tenant per problem.** What was notified is kept in the ledger database,
in the table ``lsafas_notification`` (tenant, channel, problem key, time) of the ledger's schema. An
order that keeps failing in later runs for the same reason is the same problem and is not notified
again; when it fails for another reason or quarantines (a new problem — the same rule that fails a run),
or when it is booked and later fails again (its key is forgotten once it is no longer open), it is. A
channel whose send fails keeps its problems un-notified, so the next run tries again.

This module decides *whom to tell what*; ``ops.notify_text`` builds the message (and escapes text from
data for the chat), ``ops.notify_channels`` delivers it — e-mail, or a webhook whose URL, the credential,
reaches no log record and no return value of ``notify_problems``.

A reconciliation (another task) reports a failed day with ``notify_reconciliation``.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from airflow.sdk import BaseNotifier

from lightspeed_afas.ledger.queries import LedgerQueries
from lightspeed_afas.ledger.schema import notification
from lightspeed_afas.ops.notify_channels import Channel, channels_for, error_text
from lightspeed_afas.ops.notify_text import Problem, Report, chat_escape, dashboard_url, run_url

# chat_escape: imported from here by callers that escape text the way the messages do
__all__ = ["LightspeedAfasNotifier", "Problem", "chat_escape", "notify_problems", "notify_reconciliation"]

log = logging.getLogger(__name__)


class NotificationLog:
    """Which problems were notified on which channel (``lsafas_notification`` in the ledger DB)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    def notified(self, tenant: str, channel: str) -> set[str]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(notification.c.problem_key).where(
                    notification.c.tenant == tenant, notification.c.channel == channel
                )
            )
            return {key for (key,) in rows}

    def mark(self, tenant: str, channel: str, problems: Iterable[Problem], at: datetime) -> None:
        with self.engine.begin() as conn:
            for problem in problems:
                exists = conn.execute(
                    sa.select(notification.c.problem_key).where(
                        notification.c.tenant == tenant,
                        notification.c.channel == channel,
                        notification.c.problem_key == problem.key,
                    )
                ).first()
                if exists is None:
                    conn.execute(
                        notification.insert().values(
                            tenant=tenant,
                            channel=channel,
                            problem_key=problem.key,
                            kind=problem.kind,
                            notified_at=at,
                        )
                    )

    def forget_resolved_orders(self, tenant: str, open_keys: set[str]) -> int:
        """Forget order problems that are no longer open, so the same order failing later is news again."""
        with self.engine.begin() as conn:
            keys = {
                key
                for (key,) in conn.execute(
                    sa.select(notification.c.problem_key)
                    .where(notification.c.tenant == tenant, notification.c.problem_key.like("order:%"))
                    .distinct()
                )
            }
            gone = sorted(keys - open_keys)
            for start in range(0, len(gone), 500):
                conn.execute(
                    notification.delete().where(
                        notification.c.tenant == tenant,
                        notification.c.problem_key.in_(gone[start : start + 500]),
                    )
                )
            return len(gone)


def order_problem_key(order_id: str, status: str, reason: str | None) -> str:
    """One problem per order, status and reason: a new reason is a new problem (it fails the run too)."""
    digest = hashlib.sha256((reason or "").encode()).hexdigest()[:12]
    return f"order:{order_id}:{status}:{digest}"


def open_order_problems(queries: LedgerQueries, tenant: str) -> list[Problem]:
    """The tenant's failed and quarantined orders now, oldest change first (so the first reasons lead)."""
    rows = sorted(queries.problems(tenant, limit=10_000), key=lambda o: (o["at"] or "", o["order_number"]))
    return [
        Problem(
            key=order_problem_key(o["order_id"], o["status"], o["reason"]),
            kind=o["status"],
            subject=o["order_number"],
            reason=o["reason"],
            profit_log_reference=o["profit_log_reference"],
        )
        for o in rows
    ]


def notify_problems(
    tenant: Any,
    engine: sa.Engine,
    run_id: str | None = None,
    extra: Sequence[Problem] = (),
    channels: Sequence[Channel] | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Send each channel one message about the tenant's problems it has not heard of; returns, per
    channel, how many problems it was told about (0: nothing new) or the error of a failed send.

    ``tenant`` is a ``TenantConfig``; ``extra`` adds problems that are not orders (reconciliation).
    """
    settings = tenant.notifications
    channels = channels_for(settings) if channels is None else list(channels)
    if not channels:
        return {}
    queries = LedgerQueries(engine)
    book = NotificationLog(engine)
    current = open_order_problems(queries, tenant.tenant)
    book.forget_resolved_orders(tenant.tenant, {p.key for p in current})
    problems = [*current, *extra]
    statuses = queries.status_counts(tenant.tenant)
    open_counts = {"failed": statuses["failed"], "quarantined": statuses["quarantined"]}
    now = now or datetime.now(UTC)
    result: dict[str, Any] = {}
    for channel in channels:
        known = book.notified(tenant.tenant, channel.name)
        new = [p for p in problems if p.key not in known]
        result[channel.name] = (
            _tell(channel, _report(tenant, new, open_counts, run_id), book, now) if new else 0
        )
    return result


def _report(tenant: Any, new: Sequence[Problem], open_counts: dict[str, int], run_id: str | None) -> Report:
    settings = tenant.notifications
    return Report(
        tenant=tenant.tenant,
        tenant_name=tenant.name,
        new=new,
        open_counts=open_counts,
        dashboard_url=dashboard_url(tenant.tenant, settings.dashboard_url),
        run_id=run_id,
        run_url=run_url(tenant.dag_id, run_id) if run_id else None,
        max_reasons=settings.max_reasons,
    )


def _tell(channel: Channel, report: Report, book: NotificationLog, now: datetime) -> int | str:
    """Send one channel its report and mark its problems notified; a failed send keeps them for the
    next run, so one channel down does not hide the problems from the other."""
    try:
        channel.send(report)
    except Exception as exc:
        error = error_text(exc)
        log.error(
            "Could not notify %s of %s for tenant %s: %s (tried again when the next run ends)",
            channel.name,
            report.summary(),
            report.tenant,
            error,
        )
        return f"error: {error}"
    book.mark(report.tenant, channel.name, report.new, now)
    log.info("Notified %s of %s for tenant %s", channel.name, report.summary(), report.tenant)
    return len(report.new)


def notify_reconciliation(
    tenant_id: str,
    day: str,
    missing: Sequence[str],
    run_id: str | None = None,
    engine: sa.Engine | None = None,
) -> dict[str, Any]:
    """For a reconciliation task: report that ``day`` does not reconcile (``missing`` order numbers)."""
    from lightspeed_afas.config import load_tenant
    from lightspeed_afas.ledger import Ledger

    tenant = load_tenant(tenant_id)
    if not tenant.notifications.enabled:
        return {}
    shown = ", ".join(list(missing)[:10]) + (" …" if len(missing) > 10 else "")
    problem = Problem(
        key=f"reconciliation:{day}",
        kind="reconciliation",
        subject=day,
        reason=f"{len(missing)} order(s) in Lightspeed but not booked: {shown}",
    )
    return notify_problems(tenant, engine or Ledger.from_airflow().engine, run_id, extra=[problem])


class LightspeedAfasNotifier(BaseNotifier):
    """Airflow notifier for a tenant's run: notifies the new problems the run left (see the module doc).

    Set as ``on_success_callback`` and ``on_failure_callback`` of ``load_to_afas`` by the DAG factory.
    """

    def __init__(self, tenant_id: str) -> None:
        super().__init__()
        self.tenant_id = tenant_id

    def notify(self, context: Any) -> None:
        from lightspeed_afas.config import load_tenant
        from lightspeed_afas.ledger import Ledger

        tenant = load_tenant(self.tenant_id)
        if not tenant.notifications.enabled:
            return
        dag_run = context.get("dag_run")
        run_id = context.get("run_id") or getattr(dag_run, "run_id", None)
        result = notify_problems(tenant, Ledger.from_airflow().engine, run_id)
        self.log.info("Notifications for tenant %s: %s", self.tenant_id, result or "no channels")
