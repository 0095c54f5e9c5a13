"""Failure notifications: e-mail and a chat webhook when a tenant gets new problems — once per problem.

A *problem* is an order that is failed or quarantined now (from the ledger's order state), or a failed
reconciliation of one day. When a run ends, ``LightspeedAfasNotifier`` (an Airflow ``BaseNotifier``, set
as ``on_success_callback`` and ``on_failure_callback`` of ``load_to_afas`` for tenants with a
``notifications`` block) compares the open problems with the ones already notified and sends one message
per channel about the new ones: the tenant, the counts, the first few reasons and a link to the dashboard.

**At most one notification per tenant per problem.** What was notified is kept in the ledger database,
in a table of this module's own, ``lsafas_notification`` (tenant, channel, problem key, time), created
here when absent. An order that keeps failing in later runs for the same reason is the same problem and
is not notified again; when it fails for another reason or quarantines (a new problem — the same rule
that fails a run), or when it is booked and later fails again (its key is forgotten once it is no longer
open), it is. A channel whose send fails keeps its problems un-notified,
so the next run tries again.

Channels:

- **e-mail** through the SMTP provider's ``SmtpHook`` and the tenant's Airflow SMTP connection
  (``notifications.smtp_conn_id``, default ``smtp_default``);
- **webhook**: ``POST {"text": "..."}`` — the JSON that Slack and Microsoft Teams incoming webhooks
  accept — through the session of ``HttpHook`` (its connection's headers, proxies and TLS options) and an
  Airflow ``http`` connection whose host is the webhook's URL.

**The webhook URL is the credential** (Slack's ``/services/T…/B…/<token>``, Teams' path or ``sig=``), and
Airflow masks a connection's password, not its host. So the channel registers the URL's path and query
with Airflow's secrets masker, posts itself instead of through ``HttpHook.run`` (which logs a failed
request with its URL), and a failure says the connection, the host name, the error type or the HTTP
status — never the URL. The same holds for what ``notify_problems`` logs and returns.

**Text from data is escaped for the chat.** Reasons carry AFAS messages and Lightspeed line descriptions,
so every value from data gets Slack's escaping (``&``, ``<``, ``>`` as ``&amp;``, ``&lt;``, ``&gt;``: no
``<!channel>``, no ``<https://…|label>`` links) — which also keeps Teams, whose connector cards read the
text as Markdown with a little HTML, from seeing tags — and a Markdown link ``[label](url)`` is broken
with a zero-width space between ``]`` and ``(`` (Teams would show the label only; Slack shows it as is).

A reconciliation (another task) reports a failed day with ``notify_reconciliation``.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from typing import Any, Protocol
from urllib.parse import quote, urlsplit

import sqlalchemy as sa
from airflow.sdk import BaseNotifier

from lightspeed_afas.ledger.queries import LedgerQueries

log = logging.getLogger(__name__)

DASHBOARD_PATH = "/lightspeed-afas"
WEBHOOK_TIMEOUT = 30  # seconds; the connection's extra ``timeout`` overrides it

metadata = sa.MetaData()
notification = sa.Table(
    "lsafas_notification",
    metadata,
    sa.Column("tenant", sa.String(64), primary_key=True),
    sa.Column("channel", sa.String(20), primary_key=True),
    sa.Column("problem_key", sa.String(200), primary_key=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("notified_at", sa.DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True)
class Problem:
    """One thing that needs a person: an order that is not in AFAS, or a day that does not reconcile."""

    key: str  # order:<order id>:<status>:<reason digest> or reconciliation:<day>
    kind: str  # failed | quarantined | reconciliation
    subject: str  # the order number, or the day
    reason: str | None = None
    profit_log_reference: str | None = None

    def line(self, quote_data: Callable[[str], str] = str) -> str:
        """One line about the problem; ``quote_data`` escapes the values that come from data."""
        what = {"failed": "failed", "quarantined": "quarantined", "reconciliation": "reconciliation failed"}
        text = f"{quote_data(self.subject)} ({what.get(self.kind, self.kind)})"
        if self.reason:
            text += f": {quote_data(self.reason)}"
        if self.profit_log_reference:
            text += f" [profitLogReference {quote_data(self.profit_log_reference)}]"
        return text


def chat_escape(value: str) -> str:
    """A value from data made inert in a Slack or Teams message (see the module doc)."""
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value.replace("](", "]\u200b(")


@dataclass(frozen=True)
class Report:
    """What one notification says."""

    tenant: str
    tenant_name: str
    new: Sequence[Problem]
    open_counts: dict[str, int]
    dashboard_url: str
    run_id: str | None = None
    run_url: str | None = None
    max_reasons: int = 5
    counts: Counter[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "counts", Counter(p.kind for p in self.new))

    def summary(self) -> str:
        parts = []
        for kind, label in (("failed", "failed"), ("quarantined", "quarantined"), ("reconciliation", "")):
            n = self.counts.get(kind, 0)
            if n and kind == "reconciliation":
                parts.append(f"{n} failed reconciliation{'s' if n > 1 else ''}")
            elif n:
                parts.append(f"{n} {label} order{'s' if n > 1 else ''}")
        return ", ".join(parts) or "no new problems"

    @property
    def subject(self) -> str:
        return f"[Lightspeed → AFAS] {self.tenant}: {self.summary()}"

    def text(self) -> str:
        """The chat message: plain text, every value from data escaped with ``chat_escape``."""
        q = chat_escape
        lines = [
            f"Lightspeed → AFAS, tenant {q(self.tenant)} ({q(self.tenant_name)}): new {self.summary()}.",
            f"Open now: {self.open_counts.get('failed', 0)} failed, "
            f"{self.open_counts.get('quarantined', 0)} quarantined.",
        ]
        shown = list(self.new)[: self.max_reasons]
        lines += [f"- {p.line(q)}" for p in shown]
        if len(self.new) > len(shown):
            lines.append(f"… and {len(self.new) - len(shown)} more.")
        if self.run_id:
            lines.append(f"Run: {q(self.run_id)}" + (f" ({q(self.run_url)})" if self.run_url else ""))
        lines.append(f"Dashboard: {q(self.dashboard_url)}")
        return "\n".join(lines)

    def html(self) -> str:
        shown = list(self.new)[: self.max_reasons]
        items = "".join(f"<li>{escape(p.line())}</li>" for p in shown)
        more = f"<p>… and {len(self.new) - len(shown)} more.</p>" if len(self.new) > len(shown) else ""
        run = ""
        if self.run_id:
            label = escape(self.run_id)
            run = (
                f'<p>Run: <a href="{escape(self.run_url)}">{label}</a></p>'
                if self.run_url
                else f"<p>Run: {label}</p>"
            )
        return (
            f"<p>Lightspeed → AFAS, tenant <b>{escape(self.tenant)}</b> ({escape(self.tenant_name)}): "
            f"new {escape(self.summary())}.</p>"
            f"<p>Open now: {self.open_counts.get('failed', 0)} failed, "
            f"{self.open_counts.get('quarantined', 0)} quarantined.</p>"
            f"<ul>{items}</ul>{more}{run}"
            f'<p><a href="{escape(self.dashboard_url)}">Open the dashboard</a> to see why and to re-sync.</p>'
        )


class Channel(Protocol):
    name: str

    def send(self, report: Report) -> None: ...


class EmailChannel:
    """E-mail through the SMTP provider's hook and an Airflow SMTP connection."""

    name = "email"

    def __init__(self, to: Sequence[str], smtp_conn_id: str, from_email: str | None = None) -> None:
        self.to = list(to)
        self.smtp_conn_id = smtp_conn_id
        self.from_email = from_email

    def send(self, report: Report) -> None:
        from airflow.providers.smtp.hooks.smtp import SmtpHook

        with SmtpHook(smtp_conn_id=self.smtp_conn_id) as hook:
            hook.send_email_smtp(
                to=self.to,
                subject=report.subject,
                html_content=report.html(),
                from_email=self.from_email or hook.from_email or "lightspeed-afas@localhost",
            )


class WebhookError(RuntimeError):
    """A webhook that could not be reached or refused the message; the message never holds its URL."""


def _secret_parts(*urls: str) -> list[str]:
    """What of a webhook URL is the credential: the URL itself, its path and its query (longest first)."""
    parts = set()
    for url in urls:
        split = urlsplit(url)
        path_and_query = split.path + (f"?{split.query}" if split.query else "")
        parts.update(part for part in (url, path_and_query, split.path, split.query) if len(part) > 1)
    return sorted(parts, key=len, reverse=True)


def _scrub(text: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


class WebhookChannel:
    """``POST {"text": ...}`` to a Slack- or Teams-compatible incoming webhook (an Airflow http connection)."""

    name = "webhook"

    def __init__(self, http_conn_id: str) -> None:
        self.http_conn_id = http_conn_id

    def send(self, report: Report) -> None:
        import requests
        from airflow.providers.http.hooks.http import HttpHook
        from airflow.sdk.log import mask_secret

        hook = HttpHook(method="POST", http_conn_id=self.http_conn_id)
        url = hook.get_connection(self.http_conn_id).host or ""
        secrets = _secret_parts(url)
        for secret in secrets:
            mask_secret(secret)
        where = f"the webhook of connection {self.http_conn_id!r} at {urlsplit(url).hostname or '?'}"
        try:
            session = hook.get_conn(extra_options={"timeout": WEBHOOK_TIMEOUT})
            body = {"text": report.text()}
            request = session.prepare_request(
                requests.Request("POST", hook.url_from_endpoint(None), json=body)
            )
            secrets = _secret_parts(url, request.url or "", request.path_url)
            extra = getattr(hook, "merged_extra", {})
            response = session.send(
                request,
                timeout=extra.get("timeout", WEBHOOK_TIMEOUT),
                allow_redirects=extra.get("allow_redirects", True),
                **session.merge_environment_settings(request.url, {}, None, None, None),
            )
        except Exception as exc:  # requests' messages hold the URL's path: only the type and the cause
            raise WebhookError(f"{where} could not be reached ({_cause(exc, secrets)})") from None
        if response.status_code >= 400:
            answer = _scrub(response.text[:200].strip(), secrets)
            raise WebhookError(
                f"{where} refused the message: HTTP {response.status_code} {response.reason}"
                + (f" ({answer})" if answer else "")
            )


def _cause(exc: BaseException, secrets: Sequence[str]) -> str:
    """The error's type and, for a connection error, urllib3's reason (refused, DNS, TLS) without the URL."""
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    if reason is None:
        return type(exc).__name__
    text = re.sub(r"^<[^>]*>: ", "", str(reason))  # "<…HTTPConnection object at 0x…>: " says nothing
    return f"{type(exc).__name__}: {_scrub(text, secrets)[:300]}"


def channels_for(settings: Any) -> list[Channel]:
    """The channels a tenant's ``notifications`` block asks for."""
    channels: list[Channel] = []
    if settings.email:
        channels.append(EmailChannel(settings.email, settings.smtp_conn_id, settings.from_email))
    if settings.webhook_conn_id:
        channels.append(WebhookChannel(settings.webhook_conn_id))
    return channels


class NotificationLog:
    """Which problems were notified on which channel (``lsafas_notification`` in the ledger DB)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        with engine.begin() as conn:
            notification.create(conn, checkfirst=True)

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


def airflow_base_url() -> str:
    try:
        from airflow.configuration import conf

        base = conf.get("api", "base_url", fallback="") or ""
    except Exception:  # outside an Airflow installation's config: the default address
        base = ""
    return (base or "http://localhost:8080").rstrip("/")


def dashboard_url(tenant: str, configured: str | None = None) -> str:
    if configured:
        return configured
    return f"{airflow_base_url()}{DASHBOARD_PATH}/tenants/{quote(tenant)}"


def run_url(dag_id: str, run_id: str) -> str:
    return f"{airflow_base_url()}/dags/{quote(dag_id, safe='')}/runs/{quote(run_id, safe='')}"


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
        if not new:
            result[channel.name] = 0
            continue
        report = Report(
            tenant=tenant.tenant,
            tenant_name=tenant.name,
            new=new,
            open_counts=open_counts,
            dashboard_url=dashboard_url(tenant.tenant, settings.dashboard_url),
            run_id=run_id,
            run_url=run_url(tenant.dag_id, run_id) if run_id else None,
            max_reasons=settings.max_reasons,
        )
        try:
            channel.send(report)
        except Exception as exc:  # one channel down must not hide the problems from the other
            error = _error_text(exc)
            log.error(
                "Could not notify %s of %s for tenant %s: %s (tried again when the next run ends)",
                channel.name,
                report.summary(),
                tenant.tenant,
                error,
            )
            result[channel.name] = f"error: {error}"
            continue
        book.mark(tenant.tenant, channel.name, new, now)
        log.info("Notified %s of %s for tenant %s", channel.name, report.summary(), tenant.tenant)
        result[channel.name] = len(new)
    return result


def _error_text(exc: BaseException) -> str:
    """A failed send for the log and the result: a webhook's own message names no URL; for any other
    error, the type and message (SMTP errors name the server, not a credential)."""
    if isinstance(exc, WebhookError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


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
