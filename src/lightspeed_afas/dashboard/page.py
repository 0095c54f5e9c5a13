"""The dashboard's two pages: the overview of every tenant, and one tenant's orders, bookings and runs.

Plain server-rendered HTML built from ``dashboard.components`` (inline SVG charts, a little inline
JavaScript from ``dashboard.assets``). Everything that comes from the ledger or a tenant file is escaped.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from lightspeed_afas.dashboard.article_section import article_section
from lightspeed_afas.dashboard.assets import RESYNC_JS
from lightspeed_afas.dashboard.components import (
    badge,
    chart_svg,
    fmt_time,
    layout,
    orders_table,
    run_link,
    runs_table,
    zone_note,
)
from lightspeed_afas.dashboard.data import STATUS_FILTERS
from lightspeed_afas.dashboard.record_section import record_section
from lightspeed_afas.dashboard.stock_section import stock_section
from lightspeed_afas.dashboard.webhook_section import webhook_section

TITLE = "Lightspeed → AFAS"
LEGEND = (
    '<p class="legend small muted"><span><i class="sw" style="background:#2da44e"></i>booked</span>'
    '<span><i class="sw" style="background:#cf222e"></i>failed attempts</span>'
)


def _tenant_row(s: dict[str, Any], prefix: str, airflow_root: str) -> str:
    """One tenant's row of the overview table."""
    zone = ZoneInfo(s["timezone"])
    run = s["last_run"]
    used = s["lightspeed_calls_24h"]
    share = min(100.0, 100.0 * used / s["lightspeed_day_budget"])
    run_cell = (
        f"{badge(run['outcome'])} {fmt_time(run['started_at'], zone)}<br>"
        f'<span class="small">{run_link(airflow_root, s["dag_id"], run["run_id"])}</span>'
        if run
        else '<span class="muted">no run yet</span>'
    )
    name = escape(s["name"])
    if not s["configured"]:
        name += ' <span class="muted small">(no tenant file)</span>'
    elif not s["enabled"]:
        name += ' <span class="muted small">(disabled)</span>'
    return (
        f'<tr data-tenant="{escape(s["tenant"])}">'
        f'<td><a href="{escape(prefix)}/tenants/{quote(s["tenant"])}">{escape(s["tenant"])}</a><br>'
        f'<span class="small muted">{name}</span><br>'
        f'<span class="small muted zone">{escape(s["timezone"])}</span></td>'
        f"<td>{run_cell}</td>"
        f'<td class="num">{s["booked_today"]}</td><td class="num">{s["booked_this_week"]}</td>'
        f'<td class="num {"bad" if s["failed"] else ""}">{s["failed"]}</td>'
        f'<td class="num {"bad" if s["quarantined"] else ""}">{s["quarantined"]}</td>'
        f'<td class="num">{used:,} / {s["lightspeed_day_budget"]:,}'
        f'<div class="budget" title="{share:.1f}% of the day budget"><div style="width:{share:.1f}%"></div></div></td>'
        f"<td>{chart_svg(s['daily'])}</td></tr>"
    )


def overview_page(data: dict[str, Any], prefix: str, airflow_root: str) -> str:
    """Every tenant the user may see: last run, bookings, problems now, call budget, 30-day chart."""
    rows = [_tenant_row(s, prefix, airflow_root) for s in data["tenants"]]
    table = (
        '<table id="tenants"><thead><tr><th>Tenant</th><th>Last run (tenant time)</th>'
        '<th class="num">Booked today</th>'
        '<th class="num">This week</th><th class="num">Failed</th><th class="num">Quarantined</th>'
        '<th class="num">Lightspeed calls, 24 h</th><th>Bookings / failures, 30 days</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
        if rows
        else '<p class="muted">No tenants yet: add a file to include/tenants/ (see the README).</p>'
    )
    body = (
        f"<h1>{escape(TITLE)}</h1>"
        '<p class="muted">Order sync per webshop, from the ledger. Failed and quarantined counts are orders '
        "that are not in AFAS now; open a tenant to see why and to re-sync them.</p>"
        f"{table}"
        f"{LEGEND}"
        "Days, weeks and times in each tenant's time zone (times with their UTC offset; the Airflow UI shows "
        "UTC); calls are the runs' Lightspeed requests in the last 24 hours against the 12,000-a-day limit "
        "per API key.</p>"
    )
    return layout(TITLE, body)


def _cards(summary: dict[str, Any]) -> str:
    """The tenant page's headline numbers."""
    cards = [
        ("Booked today", summary["booked_today"], ""),
        ("Booked this week", summary["booked_this_week"], ""),
        ("Failed now", summary["failed"], "bad" if summary["failed"] else ""),
        ("Quarantined now", summary["quarantined"], "bad" if summary["quarantined"] else ""),
        ("Lightspeed calls, 24 h", f"{summary['lightspeed_calls_24h']:,} / 12,000", ""),
    ]
    return "".join(
        f'<div class="card"><div class="v {cls}">{escape(str(v))}</div><div class="k">{escape(k)}</div></div>'
        for k, v, cls in cards
    )


def _filters(tenant: str, status: str, search: str, prefix: str) -> str:
    """The search box, the status filter and the Re-sync button."""
    options = "".join(
        f'<option value="{escape(k)}"{" selected" if k == status else ""}>'
        f"{'failed + quarantined' if k == 'problems' else k}</option>"
        for k in STATUS_FILTERS
    )
    return (
        f'<form class="filters" method="get" action="{escape(prefix)}/tenants/{quote(tenant)}">'
        f'<input type="search" name="q" id="search" placeholder="order number" value="{escape(search)}">'
        f'<select name="status" id="status">{options}</select><button type="submit">Show</button>'
        '<button type="button" class="primary" id="resync-button" disabled>Re-sync selected</button>'
        "</form>"
    )


def _script_config(tenant: str, dag_id: str, prefix: str, airflow_root: str) -> str:
    """What the Re-sync script needs, as JSON that cannot close its ``<script>`` element."""
    config = json.dumps({"tenant": tenant, "dagId": dag_id, "prefix": prefix, "airflowRoot": airflow_root})
    config = config.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/json" id="lsafas-config">{config}</script>'


def tenant_page(
    summary: dict[str, Any],
    orders: list[dict[str, Any]],
    bookings: list[dict[str, Any]],
    runs: list[dict[str, Any]],
    status: str,
    search: str,
    prefix: str,
    airflow_root: str,
    stock: dict[str, Any] | None = None,
) -> str:
    """One tenant: headline numbers, 30-day chart, the filtered orders (with Re-sync), bookings, runs;
    with a stock block, the Stock section (``stock``: ``stock_data.stock_view``); with an articles block,
    the Articles section (``summary["articles"]``: ``article_data.article_view``); with a customers or
    credit_notes block, that flow's section (``summary[flow]``: ``record_data.record_view``); with a
    webhooks block, the Webhooks section after the runs (``summary["webhooks"]``:
    ``webhook_data.webhook_view``)."""
    tenant, dag_id = summary["tenant"], summary["dag_id"]
    zone = ZoneInfo(summary["timezone"])
    body = (
        f'<p class="small"><a href="{escape(prefix)}/">← all tenants</a></p>'
        f'<h1>{escape(summary["name"])} <span class="muted small">{escape(tenant)} · '
        f'<a target="_top" href="{escape(airflow_root)}/dags/{quote(dag_id)}">{escape(dag_id)}</a></span></h1>'
        f'<p class="small muted" id="zone-note">{zone_note(zone)}</p>'
        f'<div class="cards">{_cards(summary)}</div>'
        f"<div>{chart_svg(summary['daily'], width=720, height=120)}</div>"
        f"{LEGEND} per day, last 30 days</p>"
        "<h2>Orders</h2>"
        f"{_filters(tenant, status, search, prefix)}"
        '<p class="small muted">Re-sync triggers the tenant\'s DAG with <code>order_numbers</code> for the selected '
        "failed or quarantined orders (fix the cause in AFAS or the mapping first).</p>"
        '<div id="resync-result"></div>'
        f"{orders_table(orders, dag_id, airflow_root, zone, 'orders', pick=True)}"
        "<h2>Latest bookings</h2>"
        f"{orders_table(bookings, dag_id, airflow_root, zone, 'bookings', pick=False)}"
        "<h2>Recent runs</h2>"
        f"{runs_table(runs, dag_id, airflow_root, zone)}"
        f"{webhook_section(summary.get('webhooks'), airflow_root, zone)}"
        f"{stock_section(stock, airflow_root, zone)}"
        f"{article_section(summary.get('articles'), airflow_root, zone)}"
        f"{record_section(summary.get('customers'), airflow_root, zone)}"
        f"{record_section(summary.get('credit_notes'), airflow_root, zone)}"
        f"{_script_config(tenant, dag_id, prefix, airflow_root)}"
    )
    return layout(f"{TITLE}: {tenant}", body, f"<script>{RESYNC_JS}</script>")
