"""The tenant page's Webhooks section (a tenant with a ``webhooks:`` block): the last 24 hours' webhooks
and run requests as cards, the latest refusals with the HTTP status answered and the reason, and the
latest runs of the orders DAG the receiver asked Airflow for (linked to their Airflow run pages), from
``dashboard.webhook_data.webhook_view``. Ids and outcomes only; everything from the ledger is escaped (a
refusal's reason may quote what a stranger sent)."""

from __future__ import annotations

from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from lightspeed_afas.dashboard.components import badge, count_cards, fmt_time, run_link

LEAD = (
    "Lightspeed's order webhooks make the orders DAG run now instead of at its next scheduled run; polling "
    "stays the source of truth (a lost webhook only means the next scheduled run books the order)"
)
# The cards: (which counts, key, label), in order; and the class a card gets when it is not zero.
CARDS = (
    ("webhooks", "received", "Webhooks received, 24 h"),
    ("webhooks", "refused", "Refused"),
    ("webhooks", "ignored", "Ignored (action not wanted)"),
    ("webhooks", "joined", "Joined a waiting run"),
    ("runs", "triggered", "Runs triggered"),
    ("runs", "failed", "Run requests failed"),
)
WARN_WHEN_SET = {"webhooks.refused": "warn", "runs.failed": "bad"}


def _cmd(tenant: str, options: str = "") -> str:
    return f"<code>python -m lightspeed_afas log {escape(tenant)} --webhooks{escape(options)}</code>"


def _cards(view: dict[str, Any]) -> str:
    counts = {"webhooks.received": view["received"]}
    for group in ("webhooks", "runs"):
        counts |= {f"{group}.{k}": n for k, n in view[group].items()}
    headline = [(f"{group}.{key}", label) for group, key, label in CARDS]
    return (
        f'<div class="cards" id="webhooks-cards">{count_cards(counts, None, headline, WARN_WHEN_SET)}</div>'
    )


def _last(view: dict[str, Any], zone: ZoneInfo) -> str:
    if not view["last_received_at"]:
        return (
            '<p class="muted" id="webhooks-none">No webhook received yet: has '
            f"<code>python -m lightspeed_afas webhooks install {escape(view['tenant'])}</code> run, and does "
            "Lightspeed reach the receiver (<code>python -m lightspeed_afas doctor "
            f"{escape(view['tenant'])}</code>)?</p>"
        )
    return f'<p id="webhooks-last">Last webhook received: {fmt_time(view["last_received_at"], zone)}</p>'


def _text(value: Any) -> str:
    return '<span class="muted">—</span>' if value in (None, "") else escape(str(value))


def _refusals(view: dict[str, Any], zone: ZoneInfo) -> str:
    if not view["refusals"]:
        return '<h3>Latest refusals</h3><p class="muted" id="webhooks-refusals-empty">None refused.</p>'
    rows = "".join(
        f'<tr><td>{fmt_time(r["at"], zone)}</td><td class="num">{r["status"]}</td>'
        f"<td>{_text(r['item_group'])}</td><td>{_text(r['action'])}</td><td>{_text(r['item_id'])}</td>"
        f'<td class="reason small">{escape(r["reason"] or "")}</td></tr>'
        for r in view["refusals"]
    )
    return (
        f"<h3>Latest refusals ({len(view['refusals'])})</h3>"
        '<p class="small muted">404: an unknown address or a wrong token; 413: too large; 401: no valid '
        "X-Signature; 400: not an order webhook. Lightspeed sends again what it was refused; a stranger's "
        "requests show here too.</p>"
        f'<table id="webhooks-refusals"><thead><tr><th>When ({escape(zone.key)})</th>'
        '<th class="num">Status</th><th>Group</th><th>Action</th><th>Order id</th><th>Reason</th></tr>'
        f"</thead><tbody>{rows}</tbody></table>"
    )


def _run_requests(view: dict[str, Any], airflow_root: str, zone: ZoneInfo) -> str:
    if not view["run_requests"]:
        return (
            '<h3>Runs triggered by webhooks</h3><p class="muted" id="webhooks-runs-empty">No run triggered '
            "by a webhook yet.</p>"
        )
    rows = "".join(
        f"<tr><td>{fmt_time(r['at'], zone)}</td><td>{badge(r['outcome'])}</td>"
        f'<td class="small">{run_link(airflow_root, view["dag_id"], r["run_id"])}</td>'
        f'<td class="reason small">{escape(r["reason"] or "")}</td></tr>'
        for r in view["run_requests"]
    )
    return (
        "<h3>Runs triggered by webhooks</h3>"
        '<p class="small muted">Each run the receiver started, and each request Airflow refused (failed); '
        "webhooks that arrived while a run was waiting joined it.</p>"
        f'<table id="webhooks-runs"><thead><tr><th>When ({escape(zone.key)})</th><th>Outcome</th>'
        f"<th>Airflow run</th><th>Note</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def webhook_section(view: dict[str, Any] | None, airflow_root: str, zone: ZoneInfo) -> str:
    """The section, or nothing for a tenant without a ``webhooks:`` block (``view`` None)."""
    if view is None:
        return ""
    return (
        '<section id="webhooks"><h2>Webhooks</h2>'
        f'<p class="small muted">{escape(LEAD)}. Every webhook and run request: {_cmd(view["tenant"])}</p>'
        f"{_last(view, zone)}{_cards(view)}{_refusals(view, zone)}"
        f"{_run_requests(view, airflow_root, zone)}</section>"
    )
