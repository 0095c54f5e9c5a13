"""The dashboard's HTML building blocks: the page layout, times in a tenant's zone, status badges, links to
Airflow runs, the inline SVG bar chart, the orders table, and a flow's runs: the runs table and the last
run's headline counts. Everything from the ledger is escaped."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from html import escape
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from lightspeed_afas.dashboard.assets import CSS


def fmt_time(value: str | None, zone: ZoneInfo) -> str:
    """``2026-11-20 11:00 +01:00`` in the tenant's zone; the UTC time (as the Airflow UI shows it) on hover."""
    if not value:
        return "—"
    moment = datetime.fromisoformat(value)
    local = moment.astimezone(zone)
    utc = moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    offset = local.isoformat()[-6:]
    return (
        f'<time datetime="{escape(moment.astimezone(UTC).isoformat())}" title="{utc} in the Airflow UI">'
        f"{local.strftime('%Y-%m-%d %H:%M')} {offset}</time>"
    )


def zone_note(zone: ZoneInfo) -> str:
    """The sentence that says which zone a page's times are in, and that the Airflow UI shows UTC."""
    return (
        f"Times are in {escape(zone.key)}, the tenant's time zone, with their UTC offset; the Airflow UI shows "
        "UTC (hover over a time to see it in UTC)."
    )


def badge(text: str | None) -> str:
    """A status or outcome as a coloured badge (a dash when there is none)."""
    if not text:
        return '<span class="muted">—</span>'
    return f'<span class="badge b-{escape(text)}">{escape(text)}</span>'


def run_link(airflow_root: str, dag_id: str, run_id: str | None) -> str:
    """A link to the run in the Airflow UI (the top window, not the dashboard's iframe)."""
    if not run_id:
        return '<span class="muted">—</span>'
    href = f"{airflow_root}/dags/{quote(dag_id, safe='')}/runs/{quote(run_id, safe='')}"
    return f'<a target="_top" href="{escape(href)}" title="{escape(run_id)}">{escape(run_id)}</a>'


def chart_svg(daily: list[dict[str, Any]], width: int = 300, height: int = 60) -> str:
    """Bookings (green) and failures (red, stacked on top) per day as an inline SVG bar chart."""
    if not daily:
        return ""
    peak = max((d["booked"] + d["failed"]) for d in daily)
    top = peak or 1
    pad_bottom, pad_top = 12, 10
    plot_h = height - pad_bottom - pad_top
    slot = width / len(daily)
    bar = max(slot - 1.5, 1.0)
    parts = [
        f'<svg class="chart" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-label="bookings and failures per day, last {len(daily)} days">'
    ]
    for i, d in enumerate(daily):
        x = i * slot
        booked_h = plot_h * d["booked"] / top
        failed_h = plot_h * d["failed"] / top
        base = height - pad_bottom
        tip = f"{d['day']}: {d['booked']} booked, {d['failed']} failed"
        parts.append(f"<g><title>{escape(tip)}</title>")
        parts.append(
            f'<rect x="{x:.1f}" y="{pad_top:.1f}" width="{bar:.1f}" height="{plot_h:.1f}" fill="transparent"/>'
        )
        if d["booked"]:
            parts.append(
                f'<rect class="bar-booked" x="{x:.1f}" y="{base - booked_h:.1f}" width="{bar:.1f}" '
                f'height="{booked_h:.1f}" fill="#2da44e"/>'
            )
        if d["failed"]:
            parts.append(
                f'<rect class="bar-failed" x="{x:.1f}" y="{base - booked_h - failed_h:.1f}" width="{bar:.1f}" '
                f'height="{failed_h:.1f}" fill="#cf222e"/>'
            )
        parts.append("</g>")
    parts.append(
        f'<line x1="0" y1="{height - pad_bottom}" x2="{width}" y2="{height - pad_bottom}" stroke="#d0d7de"/>'
    )
    parts.append(f'<text x="0" y="{height - 1}">{escape(daily[0]["day"][5:])}</text>')
    parts.append(
        f'<text x="{width}" y="{height - 1}" text-anchor="end">{escape(daily[-1]["day"][5:])}</text>'
    )
    parts.append(f'<text x="0" y="8">{f"max {peak}/day" if peak else "nothing in 30 days"}</text>')
    parts.append("</svg>")
    return "".join(parts)


def layout(title: str, body: str, script: str = "") -> str:
    """A whole HTML page: the style sheet, the body and an optional script."""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<title>{escape(title)}</title><meta name="viewport" content="width=device-width">'
        f"<style>{CSS}</style></head><body>{body}{script}</body></html>"
    )


def orders_table(
    orders: list[dict[str, Any]], dag_id: str, airflow_root: str, zone: ZoneInfo, table_id: str, pick: bool
) -> str:
    """Orders (or bookings) as a table; ``pick`` adds a Re-sync checkbox to the failed and quarantined."""
    if not orders:
        return f'<p class="muted" id="{table_id}-empty">No orders here.</p>'
    head = (
        '<th><input type="checkbox" id="pick-all" title="select all failed and quarantined"></th>'
        if pick
        else ""
    )
    rows = []
    for o in orders:
        status = o.get("status") or o.get("action")
        check = ""
        if pick:
            check = (
                f'<td><input type="checkbox" class="pick" value="{escape(o["order_number"])}"></td>'
                if o.get("status") in ("failed", "quarantined")
                else "<td></td>"
            )
        rows.append(
            f'<tr data-order="{escape(o["order_number"])}">{check}'
            f"<td>{escape(o['order_number'])}</td>"
            f"<td>{escape(o.get('afas_order_number') or '—')}</td>"
            f"<td>{escape(o.get('debtor_id') or '—')}</td>"
            f"<td>{badge(status)}</td><td>{escape(o.get('action') or '—')}</td>"
            f'<td class="reason">{escape(o.get("reason") or "")}</td>'
            f"<td>{escape(o.get('profit_log_reference') or '')}</td>"
            f'<td class="num">{o.get("attempts") or 0}</td>'
            f"<td>{fmt_time(o.get('at'), zone)}</td>"
            f'<td class="small">{run_link(airflow_root, dag_id, o.get("run_id"))}</td></tr>'
        )
    return (
        f'<table id="{table_id}"><thead><tr>{head}<th>Order</th><th>AFAS order</th><th>Debtor</th>'
        '<th>Status</th><th>Action</th><th>Reason</th><th>profitLogReference</th><th class="num">Attempts</th>'
        f"<th>When ({escape(zone.key)})</th><th>Airflow run</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def runs_table(
    runs: list[dict[str, Any]],
    dag_id: str,
    airflow_root: str,
    zone: ZoneInfo,
    table_id: str = "runs",
    counted: str = "Orders",
) -> str:
    """Runs (the orders' or another flow's, newest first): mode, outcome, counts, calls, note."""
    if not runs:
        return f'<p class="muted" id="{escape(table_id)}-empty">No runs yet.</p>'
    rows = "".join(
        f'<tr><td class="small">{run_link(airflow_root, dag_id, r["run_id"])}</td><td>{escape(r["mode"])}</td>'
        f"<td>{badge(r['outcome'])}</td><td>{fmt_time(r['started_at'], zone)}</td>"
        f'<td class="small">{escape(", ".join(f"{k} {v}" for k, v in r["counts"].items() if v))}</td>'
        f'<td class="num">{int(r["calls"].get("lightspeed", 0))}</td>'
        f'<td class="num">{int(r["calls"].get("afas", 0))}</td>'
        f'<td class="reason small">{escape(r["message"] or "")}</td></tr>'
        for r in runs
    )
    return (
        f'<table id="{escape(table_id)}"><thead><tr><th>Airflow run</th><th>Mode</th><th>Outcome</th>'
        f"<th>Started ({escape(zone.key)})</th>"
        f'<th>{escape(counted)}</th><th class="num">Lightspeed calls</th><th class="num">AFAS calls</th>'
        f"<th>Note</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def count_cards(
    counts: Mapping[str, int],
    calls: Mapping[str, Any] | None,
    headline: Sequence[tuple[str, str]],
    warn: Mapping[str, str],
) -> str:
    """A run's headline counts as cards (``headline``: count key → label, in order; ``warn``: the class a
    count gets when it is not zero), then its Lightspeed / AFAS calls (none with ``calls`` None)."""
    cards = [
        (label, f"{counts.get(key, 0):,}", warn.get(key, "") if counts.get(key) else "")
        for key, label in headline
    ]
    if calls is not None:
        lightspeed, afas = int(calls.get("lightspeed", 0)), int(calls.get("afas", 0))
        cards.append(("Calls: Lightspeed / AFAS", f"{lightspeed:,} / {afas:,}", ""))
    return "".join(
        f'<div class="card" data-count="{escape(k)}"><div class="v {cls}">{escape(v)}</div>'
        f'<div class="k">{escape(k)}</div></div>'
        for k, v, cls in cards
    )
