"""The tenant page's Customers and Credit notes sections (Lightspeed → AFAS, one record at a time): the
flow's last run and its recent runs, its records by status, the records failing, waiting or quarantined
now with their reasons, and the ones booked lately, from ``dashboard.record_data.record_view``. One
section builder for both flows, ``FLOW_TEXTS`` holding what differs. Numbers and ids only (a customer's
Lightspeed id and debtor number; a credit note's number, order number, AFAS document and debtor);
everything from the ledger is escaped."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from lightspeed_afas.dashboard.components import badge, count_cards, fmt_time, run_link, runs_table


@dataclass(frozen=True)
class FlowText:
    """What one record flow's section says."""

    title: str  # the section's heading
    record: str  # one record, in a sentence
    lead: str  # what the flow does
    headline: tuple[tuple[str, str], ...]  # the last run's counts on cards, in order (the others beside)
    columns: tuple[tuple[str, str], ...]  # a record's numbers in the tables: key → column head


FLOW_TEXTS = {
    "customers": FlowText(
        "Customers",
        "customer",
        "Lightspeed → AFAS: a customer who registers in the shop gets an AFAS sales relation, found by e-mail "
        "as the orders flow finds one and created only when AFAS has none; an existing relation is never "
        "changed",
        (
            ("created", "Relations created"),
            ("linked", "Found in AFAS"),
            ("failed", "Failed"),
            ("quarantined", "Quarantined"),
            ("skipped", "Skipped"),
        ),
        (("item_id", "Customer"), ("debtor_id", "Debtor")),
    ),
    "credit_notes": FlowText(
        "Credit notes",
        "credit note",
        "Lightspeed → AFAS: each credit note (a refund) is booked once as an AFAS credit on its original "
        "order's debtor, in the document type the orders are booked in, with its number as the reference",
        (
            ("created", "Credits booked"),
            ("linked", "Found in AFAS"),
            ("waiting", "Waiting for their order"),
            ("failed", "Failed"),
            ("quarantined", "Quarantined"),
        ),
        (
            ("number", "Credit note"),
            ("order_number", "Order"),
            ("afas_id", "AFAS document"),
            ("debtor_id", "Debtor"),
        ),
    ),
}
WARN_WHEN_SET = {"waiting": "warn", "failed": "bad", "quarantined": "bad"}
MEANING = {
    "created": "this connector created it in AFAS",
    "linked": "AFAS already held it (found before creating)",
    "waiting": "its order is not in AFAS yet; every run looks again",
    "failed": "AFAS or the data refused it; later runs try again",
    "quarantined": "failed too often: fix the cause, then change it in Lightspeed or read its time again "
    "(a manual run with since/until)",
    "skipped": "nothing to book (not confirmed, or gone from the shop)",
}


def _id(view: dict[str, Any]) -> str:
    return str(view["flow"]).replace("_", "-")


def _cmd(view: dict[str, Any], options: str) -> str:
    return (
        f"<code>python -m lightspeed_afas log {escape(view['tenant'])} --flow {escape(view['flow'])} "
        f"{escape(options)}</code>"
    )


def _last_run(view: dict[str, Any], text: FlowText, airflow_root: str, zone: ZoneInfo) -> str:
    run, sid = view["last_run"], _id(view)
    if run is None:
        return f'<p class="muted" id="{sid}-no-run">No {escape(text.title.lower())} run yet.</p>'
    shown = {key for key, _ in text.headline}
    counts = run["counts"]
    others = ", ".join(f"{k.replace('_', ' ')} {n:,}" for k, n in counts.items() if n and k not in shown)
    others_line = f'<p class="small muted" id="{sid}-counts">{escape(others)}</p>' if others else ""
    took = f" · {run['duration_s']:.1f} s" if run.get("duration_s") is not None else ""
    message = (
        f'<p class="reason" id="{sid}-message"><strong>Stopped:</strong> {escape(run["message"])}</p>'
        if run.get("message")
        else ""
    )
    return (
        f'<div id="{sid}-run"><p>Last {escape(text.title.lower())} run: {badge(run["outcome"])} '
        f'{fmt_time(run["started_at"], zone)} · {escape(run["mode"])}{took} · <span class="small">'
        f"{run_link(airflow_root, view['dag_id'], run['run_id'])}</span></p>"
        f'<div class="cards">{count_cards(counts, run["calls"], text.headline, WARN_WHEN_SET)}</div>'
        f"{others_line}{message}</div>"
    )


def _runs(view: dict[str, Any], text: FlowText, airflow_root: str, zone: ZoneInfo) -> str:
    if not view["runs"]:
        return ""
    return (
        f"<h3>Recent {escape(text.title.lower())} runs</h3>"
        f"{runs_table(view['runs'], view['dag_id'], airflow_root, zone, f'{_id(view)}-runs', 'Counts')}"
        f'<p class="small muted">Older ones: {_cmd(view, "--runs")}; what one run did to each '
        f"{escape(text.record)}: {_cmd(view, '--run RUN_ID')}</p>"
    )


def _statuses(view: dict[str, Any], text: FlowText) -> str:
    sid = _id(view)
    if not view["items_total"]:
        return (
            f'<h3>Records by status</h3><p class="muted" id="{sid}-statuses-empty">No '
            f"{escape(text.record)} in the ledger yet.</p>"
        )
    rows = "".join(
        f'<tr data-status="{escape(status)}"><td>{badge(status)}</td>'
        f'<td class="num {WARN_WHEN_SET.get(status, "")}">{n:,}</td>'
        f'<td class="small muted">{escape(MEANING.get(status, ""))}</td></tr>'
        for status, n in view["items"].items()
        if n
    )
    return (
        f"<h3>Records by status ({view['items_total']:,})</h3>"
        f'<table id="{sid}-statuses"><thead><tr><th>Status</th><th class="num">{escape(text.title)}</th>'
        f"<th>Meaning</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _cell(rec: dict[str, Any], key: str) -> str:
    value = rec.get(key)
    if key == "number":  # a credit note: its number, and its Lightspeed id under it
        return f'{escape(value or "—")}<br><span class="small muted">id {rec["item_id"]}</span>'
    return '<span class="muted">—</span>' if value in (None, "") else escape(str(value))


def _row(r: dict[str, Any], text: FlowText, zone: ZoneInfo, failures: bool) -> str:
    numbers = "".join(f"<td>{_cell(r, key)}</td>" for key, _ in text.columns)
    tries = f'<td class="num">{r["failures"]}</td>' if failures else ""
    return (
        f'<tr data-item="{r["item_id"]}">{numbers}<td>{badge(r["status"])}</td>{tries}'
        f'<td class="reason small">{escape(r["reason"] or "")}</td><td>{fmt_time(r["changed_at"], zone)}</td></tr>'
    )


def _table(
    table_id: str, records: list[dict[str, Any]], text: FlowText, zone: ZoneInfo, failures: bool
) -> str:
    heads = "".join(f"<th>{escape(head)}</th>" for _, head in text.columns)
    tries = '<th class="num">Failures</th>' if failures else ""
    rows = "".join(_row(r, text, zone, failures) for r in records)
    return (
        f'<table id="{table_id}"><thead><tr>{heads}<th>Status</th>{tries}<th>Reason</th>'
        f"<th>Changed ({escape(zone.key)})</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _open(view: dict[str, Any], text: FlowText, zone: ZoneInfo) -> str:
    sid, total = _id(view), view["open_total"]
    if not total:
        return (
            f'<h3>Not in AFAS now</h3><p class="muted" id="{sid}-open-empty">None: no {escape(text.record)} '
            "is failing, waiting or quarantined.</p>"
        )
    more = total - len(view["open"])
    note = f" (the first {len(view['open'])} of {total:,} shown)" if more > 0 else ""
    return (
        f"<h3>Not in AFAS now ({total:,})</h3>"
        f'<p class="small muted">Quarantined first, then failed, then waiting; newest first{escape(note)}. '
        f"All of them: {_cmd(view, '--open')}</p>"
        f"{_table(f'{sid}-open', view['open'], text, zone, failures=True)}"
    )


def _booked(view: dict[str, Any], text: FlowText, zone: ZoneInfo) -> str:
    if not view["booked"]:
        return ""
    return (
        f"<h3>In AFAS lately ({len(view['booked']):,} of {view['booked_total']:,})</h3>"
        f"{_table(f'{_id(view)}-booked', view['booked'], text, zone, failures=False)}"
    )


def record_section(view: dict[str, Any] | None, airflow_root: str, zone: ZoneInfo) -> str:
    """The flow's section, or nothing for a tenant without the flow's block (``view`` None)."""
    if view is None:
        return ""
    text, dag_id = FLOW_TEXTS[view["flow"]], view["dag_id"]
    return (
        f'<section id="{_id(view)}"><h2>{escape(text.title)}</h2>'
        f'<p class="small muted">{escape(text.lead)} · '
        f'<a target="_top" href="{escape(airflow_root)}/dags/{quote(dag_id)}">{escape(dag_id)}</a></p>'
        f"{_last_run(view, text, airflow_root, zone)}{_runs(view, text, airflow_root, zone)}"
        f"{_statuses(view, text)}{_open(view, text, zone)}{_booked(view, text, zone)}</section>"
    )
