"""What a notification says: the problems it is about, the report built from them per channel, and its
links to the dashboard and the run.

**Text from data is escaped for the chat.** Reasons carry AFAS messages and Lightspeed line descriptions,
so every value from data gets Slack's escaping (``&``, ``<``, ``>`` as ``&amp;``, ``&lt;``, ``&gt;``: no
``<!channel>``, no ``<https://…|label>`` links) — which also keeps Teams, whose connector cards read the
text as Markdown with a little HTML, from seeing tags — and a Markdown link ``[label](url)`` is broken
with a zero-width space between ``]`` and ``(`` (Teams would show the label only; Slack shows it as is).
The e-mail is HTML, every value escaped with ``html.escape``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape
from urllib.parse import quote

DASHBOARD_PATH = "/lightspeed-afas"


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


def airflow_base_url() -> str:
    """Airflow's ``[api] base_url``, else ``http://localhost:8080``, without a trailing slash."""
    try:
        from airflow.configuration import conf

        base = conf.get("api", "base_url", fallback="") or ""
    except Exception:  # outside an Airflow installation's config: the default address
        base = ""
    return (base or "http://localhost:8080").rstrip("/")


def dashboard_url(tenant: str, configured: str | None = None) -> str:
    """The tenant's dashboard page (``notifications.dashboard_url`` when the tenant sets one)."""
    if configured:
        return configured
    return f"{airflow_base_url()}{DASHBOARD_PATH}/tenants/{quote(tenant)}"


def run_url(dag_id: str, run_id: str) -> str:
    """The run's page in Airflow's UI."""
    return f"{airflow_base_url()}/dags/{quote(dag_id, safe='')}/runs/{quote(run_id, safe='')}"
