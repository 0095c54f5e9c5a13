"""The dashboard's HTML: plain server-rendered pages, inline SVG charts, a little inline JavaScript.

No build step and no external assets: the page works inside the Airflow UI's iframe and offline.
Everything that comes from the ledger or a tenant file is escaped.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from html import escape
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from lightspeed_afas.dashboard.data import STATUS_FILTERS

TITLE = "Lightspeed → AFAS"
# The nav icon: two boxes and an arrow (served by the app at /icon.svg; public, like the UI's own icons).
ICON_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" fill="none" stroke="currentColor" '
    'stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><rect x="2" y="6" width="6" height="12" rx="1"/>'
    '<rect x="16" y="6" width="6" height="12" rx="1"/><path d="M9 12h6M12 9l3 3-3 3"/></svg>'
)

CSS = """
:root { --ok:#1a7f37; --bad:#cf222e; --warn:#9a6700; --muted:#57606a; --line:#d0d7de; --bg:#f6f8fa; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; padding: 16px 24px;
       color: #1f2328; background: #fff; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 24px 0 8px; }
a { color: #0969da; text-decoration: none; } a:hover { text-decoration: underline; }
.muted { color: var(--muted); } .small { font-size: 12px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--bg); font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; padding: 0 7px; border-radius: 10px; font-size: 12px; font-weight: 600;
         border: 1px solid currentColor; white-space: nowrap; }
.b-success, .b-booked, .b-created, .b-updated { color: var(--ok); } .b-failed, .b-quarantined { color: var(--bad); }
.b-partial, .b-running, .b-queued, .b-dry_run, .b-skipped, .b-deleted { color: var(--warn); }
.bad { color: var(--bad); font-weight: 600; } .ok { color: var(--ok); } .warn { color: var(--warn); }
.cards { display: flex; gap: 12px; flex-wrap: wrap; margin: 12px 0; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 14px; min-width: 130px; }
.card .v { font-size: 22px; font-weight: 600; } .card .k { color: var(--muted); font-size: 12px; }
.budget { width: 110px; height: 8px; background: var(--bg); border: 1px solid var(--line); border-radius: 4px; }
.budget > div { height: 100%; background: #0969da; border-radius: 4px; }
form.filters { display: flex; gap: 8px; align-items: center; margin: 8px 0; flex-wrap: wrap; }
input[type=search], select { padding: 4px 8px; border: 1px solid var(--line); border-radius: 6px; font: inherit; }
button { padding: 5px 12px; border-radius: 6px; border: 1px solid var(--line); background: var(--bg);
         font: inherit; cursor: pointer; }
button.primary { background: #1f883d; color: #fff; border-color: #1a7f37; }
button:disabled { opacity: .5; cursor: default; }
#resync-result { margin: 8px 0; padding: 8px 12px; border-radius: 6px; display: none; }
#resync-result.show { display: block; background: #ddf4ff; border: 1px solid #54aeff; }
#resync-result.error { background: #ffebe9; border-color: #ff8182; }
.reason { max-width: 420px; overflow-wrap: anywhere; }
svg.chart text { font-size: 10px; fill: var(--muted); }
.legend span { margin-right: 12px; } .sw { display: inline-block; width: 10px; height: 10px; margin-right: 4px; }
"""

RESYNC_JS = """
(function () {
  const cfg = JSON.parse(document.getElementById('lsafas-config').textContent);
  const box = document.getElementById('resync-result');
  const button = document.getElementById('resync-button');
  const picks = () => Array.from(document.querySelectorAll('input.pick:checked')).map(e => e.value);
  const refresh = () => { button.disabled = picks().length === 0;
    button.textContent = 'Re-sync selected (' + picks().length + ')'; };
  document.querySelectorAll('input.pick').forEach(e => e.addEventListener('change', refresh));
  const all = document.getElementById('pick-all');
  if (all) all.addEventListener('change', () => {
    document.querySelectorAll('input.pick').forEach(e => { e.checked = all.checked; }); refresh(); });
  refresh();
  function show(html, error) { box.innerHTML = html; box.className = 'show' + (error ? ' error' : ''); }
  function esc(s) { const d = document.createElement('div'); d.textContent = String(s); return d.innerHTML; }
  async function poll(run) {
    for (let i = 0; i < 200; i++) {
      let state = null;
      try {
        const r = await fetch(cfg.airflowRoot + '/api/v2/dags/' + encodeURIComponent(run.dag_id) +
          '/dagRuns/' + encodeURIComponent(run.run_id), {credentials: 'same-origin'});
        if (r.ok) state = (await r.json()).state;
      } catch (e) { /* keep the last state shown */ }
      if (state) {
        const el = document.getElementById('resync-state');
        el.textContent = state; el.className = 'badge b-' + state;
        if (state === 'success' || state === 'failed') return;
      }
      await new Promise(res => setTimeout(res, 3000));
    }
  }
  button.addEventListener('click', async () => {
    const numbers = picks();
    if (!numbers.length) return;
    button.disabled = true;
    show('Triggering ' + esc(cfg.dagId) + ' for ' + numbers.length + ' order(s) …');
    try {
      const r = await fetch(cfg.prefix + '/api/tenants/' + encodeURIComponent(cfg.tenant) + '/resync', {
        method: 'POST', credentials: 'same-origin', headers: {'Content-Type': 'application/json'},
        body: JSON.stringify({order_numbers: numbers})});
      const data = await r.json();
      if (!r.ok) { show('Re-sync refused: ' + esc(data.detail || r.statusText), true); refresh(); return; }
      show('Triggered run <a id="resync-run" target="_top" href="' + esc(data.url) + '">' + esc(data.run_id) +
        '</a> of ' + esc(data.dag_id) + ' for ' + esc(data.order_numbers.join(', ')) +
        ' — state <span id="resync-state" class="badge b-' + esc(data.state) + '">' + esc(data.state) + '</span>' +
        (data.warning ? '<br><span class="warn">' + esc(data.warning) + '</span>' : ''));
      poll(data);
    } catch (e) { show('Re-sync failed: ' + esc(e), true); }
    refresh();
  });
})();
"""


def _fmt_time(value: str | None, zone: ZoneInfo) -> str:
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


def _badge(text: str | None) -> str:
    if not text:
        return '<span class="muted">—</span>'
    return f'<span class="badge b-{escape(text)}">{escape(text)}</span>'


def _run_link(airflow_root: str, dag_id: str, run_id: str | None) -> str:
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


def _layout(title: str, body: str, script: str = "") -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<title>{escape(title)}</title><meta name="viewport" content="width=device-width">'
        f"<style>{CSS}</style></head><body>{body}{script}</body></html>"
    )


def overview_page(data: dict[str, Any], prefix: str, airflow_root: str) -> str:
    rows = []
    for s in data["tenants"]:
        zone = ZoneInfo(s["timezone"])
        run = s["last_run"]
        used = s["lightspeed_calls_24h"]
        share = min(100.0, 100.0 * used / s["lightspeed_day_budget"])
        run_cell = (
            f"{_badge(run['outcome'])} {_fmt_time(run['started_at'], zone)}<br>"
            f'<span class="small">{_run_link(airflow_root, s["dag_id"], run["run_id"])}</span>'
            if run
            else '<span class="muted">no run yet</span>'
        )
        name = escape(s["name"])
        if not s["configured"]:
            name += ' <span class="muted small">(no tenant file)</span>'
        elif not s["enabled"]:
            name += ' <span class="muted small">(disabled)</span>'
        rows.append(
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
        '<p class="legend small muted"><span><i class="sw" style="background:#2da44e"></i>booked</span>'
        '<span><i class="sw" style="background:#cf222e"></i>failed attempts</span>'
        "Days, weeks and times in each tenant's time zone (times with their UTC offset; the Airflow UI shows "
        "UTC); calls are the runs' Lightspeed requests in the last 24 hours against the 12,000-a-day limit "
        "per API key.</p>"
    )
    return _layout(TITLE, body)


def _orders_table(
    orders: list[dict[str, Any]], dag_id: str, airflow_root: str, zone: ZoneInfo, table_id: str, pick: bool
) -> str:
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
            f"<td>{_badge(status)}</td><td>{escape(o.get('action') or '—')}</td>"
            f'<td class="reason">{escape(o.get("reason") or "")}</td>'
            f"<td>{escape(o.get('profit_log_reference') or '')}</td>"
            f'<td class="num">{o.get("attempts") or 0}</td>'
            f"<td>{_fmt_time(o.get('at'), zone)}</td>"
            f'<td class="small">{_run_link(airflow_root, dag_id, o.get("run_id"))}</td></tr>'
        )
    return (
        f'<table id="{table_id}"><thead><tr>{head}<th>Order</th><th>AFAS order</th><th>Debtor</th>'
        '<th>Status</th><th>Action</th><th>Reason</th><th>profitLogReference</th><th class="num">Attempts</th>'
        f"<th>When ({escape(zone.key)})</th><th>Airflow run</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def tenant_page(
    summary: dict[str, Any],
    orders: list[dict[str, Any]],
    bookings: list[dict[str, Any]],
    runs: list[dict[str, Any]],
    status: str,
    search: str,
    prefix: str,
    airflow_root: str,
) -> str:
    tenant, dag_id = summary["tenant"], summary["dag_id"]
    zone = ZoneInfo(summary["timezone"])
    cards = [
        ("Booked today", summary["booked_today"], ""),
        ("Booked this week", summary["booked_this_week"], ""),
        ("Failed now", summary["failed"], "bad" if summary["failed"] else ""),
        ("Quarantined now", summary["quarantined"], "bad" if summary["quarantined"] else ""),
        ("Lightspeed calls, 24 h", f"{summary['lightspeed_calls_24h']:,} / 12,000", ""),
    ]
    cards_html = "".join(
        f'<div class="card"><div class="v {cls}">{escape(str(v))}</div><div class="k">{escape(k)}</div></div>'
        for k, v, cls in cards
    )
    run_rows = "".join(
        f'<tr><td class="small">{_run_link(airflow_root, dag_id, r["run_id"])}</td><td>{escape(r["mode"])}</td>'
        f"<td>{_badge(r['outcome'])}</td><td>{_fmt_time(r['started_at'], zone)}</td>"
        f'<td class="small">{escape(", ".join(f"{k} {v}" for k, v in r["counts"].items() if v))}</td>'
        f'<td class="num">{int(r["calls"].get("lightspeed", 0))}</td>'
        f'<td class="num">{int(r["calls"].get("afas", 0))}</td>'
        f'<td class="reason small">{escape(r["message"] or "")}</td></tr>'
        for r in runs
    )
    runs_html = (
        '<table id="runs"><thead><tr><th>Airflow run</th><th>Mode</th><th>Outcome</th>'
        f"<th>Started ({escape(zone.key)})</th>"
        '<th>Orders</th><th class="num">Lightspeed calls</th><th class="num">AFAS calls</th><th>Note</th>'
        f"</tr></thead><tbody>{run_rows}</tbody></table>"
        if runs
        else '<p class="muted">No runs yet.</p>'
    )
    options = "".join(
        f'<option value="{escape(k)}"{" selected" if k == status else ""}>'
        f"{'failed + quarantined' if k == 'problems' else k}</option>"
        for k in STATUS_FILTERS
    )
    config = json.dumps({"tenant": tenant, "dagId": dag_id, "prefix": prefix, "airflowRoot": airflow_root})
    config = config.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    body = (
        f'<p class="small"><a href="{escape(prefix)}/">← all tenants</a></p>'
        f'<h1>{escape(summary["name"])} <span class="muted small">{escape(tenant)} · '
        f'<a target="_top" href="{escape(airflow_root)}/dags/{quote(dag_id)}">{escape(dag_id)}</a></span></h1>'
        f'<p class="small muted" id="zone-note">{zone_note(zone)}</p>'
        f'<div class="cards">{cards_html}</div>'
        f"<div>{chart_svg(summary['daily'], width=720, height=120)}</div>"
        '<p class="legend small muted"><span><i class="sw" style="background:#2da44e"></i>booked</span>'
        '<span><i class="sw" style="background:#cf222e"></i>failed attempts</span> per day, last 30 days</p>'
        "<h2>Orders</h2>"
        f'<form class="filters" method="get" action="{escape(prefix)}/tenants/{quote(tenant)}">'
        f'<input type="search" name="q" id="search" placeholder="order number" value="{escape(search)}">'
        f'<select name="status" id="status">{options}</select><button type="submit">Show</button>'
        '<button type="button" class="primary" id="resync-button" disabled>Re-sync selected</button>'
        "</form>"
        '<p class="small muted">Re-sync triggers the tenant\'s DAG with <code>order_numbers</code> for the selected '
        "failed or quarantined orders (fix the cause in AFAS or the mapping first).</p>"
        '<div id="resync-result"></div>'
        f"{_orders_table(orders, dag_id, airflow_root, zone, 'orders', pick=True)}"
        "<h2>Latest bookings</h2>"
        f"{_orders_table(bookings, dag_id, airflow_root, zone, 'bookings', pick=False)}"
        "<h2>Recent runs</h2>"
        f"{runs_html}"
        f'<script type="application/json" id="lsafas-config">{config}</script>'
    )
    return _layout(f"{TITLE}: {tenant}", body, f"<script>{RESYNC_JS}</script>")
