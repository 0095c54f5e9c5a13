"""The tenant page's Articles section (AFAS → Lightspeed): the last articles run, the fields written lately
(shop value → AFAS value), the writes failing now, the items left alone and the fields skipped, from
``dashboard.article_data.article_view``. Everything from the ledger is escaped."""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from lightspeed_afas.dashboard.components import badge, fmt_time, run_link

# The run's headline counts, in this order (the others are listed beside them when not zero).
HEADLINE = (
    ("written", "Fields written"),
    ("planned_fields", "Planned"),
    ("not_written", "Not written"),
    ("failed", "Failed"),
    ("created", "Created"),
    ("left_alone", "Left alone"),
)
WARN_WHEN_SET = {"not_written": "warn", "failed": "bad"}
OTHER_COUNTS = (
    "afas_items",
    "afas_items_read",
    "followed",
    "unchanged",
    "field_problems",
    "gone",
    "unknown",
    "not_created",
    "items_without_code",
)
VALUE_WIDTH = 60


def _cmd(view: dict[str, Any], options: str) -> str:
    return f"<code>python -m lightspeed_afas log {escape(view['tenant'])} --flow articles {escape(options)}</code>"


def _value(value: str | None) -> str:
    if value is None:
        return '<span class="muted">—</span>'
    text = value if len(value) <= VALUE_WIDTH else value[: VALUE_WIDTH - 1] + "…"
    return f'<span title="{escape(value)}">{escape(text)}</span>'


def _field(w: dict[str, Any]) -> str:
    lang = f" ({w['lang']})" if w.get("lang") else ""
    target = f"{w['target']} {w['target_id']}" if w.get("target_id") is not None else f"new {w['target']}"
    return f'{escape(w["field"] + lang)}<br><span class="small muted">{escape(target)}</span>'


def _cards(run: dict[str, Any]) -> str:
    counts, calls = run["counts"], run["calls"]
    cards = [
        (label, f"{counts.get(key, 0):,}", WARN_WHEN_SET.get(key, "") if counts.get(key) else "")
        for key, label in HEADLINE
    ]
    lightspeed, afas = int(calls.get("lightspeed", 0)), int(calls.get("afas", 0))
    cards.append(("Calls: Lightspeed / AFAS", f"{lightspeed:,} / {afas:,}", ""))
    return "".join(
        f'<div class="card" data-count="{escape(k)}"><div class="v {cls}">{escape(v)}</div>'
        f'<div class="k">{escape(k)}</div></div>'
        for k, v, cls in cards
    )


def _last_run(view: dict[str, Any], airflow_root: str, zone: ZoneInfo) -> str:
    run = view["last_run"]
    if run is None:
        return '<p class="muted" id="articles-no-run">No articles run yet.</p>'
    counts = run["counts"]
    others = ", ".join(f"{key.replace('_', ' ')} {counts[key]:,}" for key in OTHER_COUNTS if counts.get(key))
    others_line = f'<p class="small muted" id="articles-counts">{escape(others)}</p>' if others else ""
    took = f" · {run['duration_s']:.1f} s" if run.get("duration_s") is not None else ""
    message = (
        f'<p class="reason" id="articles-message"><strong>Stopped:</strong> {escape(run["message"])}</p>'
        if run.get("message")
        else ""
    )
    return (
        f'<div id="articles-run"><p>Last articles run: {badge(run["outcome"])} '
        f'{fmt_time(run["started_at"], zone)} · {escape(run["mode"])}{took} · <span class="small">'
        f"{run_link(airflow_root, view['dag_id'], run['run_id'])}</span></p>"
        f'<div class="cards">{_cards(run)}</div>{others_line}{message}</div>'
    )


def _write_rows(writes: list[dict[str, Any]], zone: ZoneInfo) -> str:
    return "".join(
        f'<tr data-item="{escape(w["item_code"])}"><td>{escape(w["item_code"])}</td><td>{_field(w)}</td>'
        f"<td>{_value(w['old_value'])} → {_value(w['new_value'])}</td><td>{badge(w['outcome'])}</td>"
        f'<td class="reason small">{escape(w["reason"] or "")}</td>'
        f'<td title="{escape(w["run_id"])}">{fmt_time(w["at"], zone)}</td></tr>'
        for w in writes
    )


def _table(table_id: str, writes: list[dict[str, Any]], zone: ZoneInfo) -> str:
    return (
        f'<table id="{table_id}"><thead><tr><th>AFAS item</th><th>Field</th><th>Shop → AFAS</th>'
        f"<th>Outcome</th><th>Note</th><th>When ({escape(zone.key)})</th></tr></thead>"
        f"<tbody>{_write_rows(writes, zone)}</tbody></table>"
    )


def _writes(view: dict[str, Any], zone: ZoneInfo) -> str:
    if not view["writes"]:
        dry = (view["last_run"] or {}).get("outcome") == "dry_run"
        text = "None yet: no articles run has written a field" + (
            " (the last run was a dry run, which writes nothing)." if dry else "."
        )
        return f'<h3>Fields written lately</h3><p class="muted" id="articles-writes-empty">{escape(text)}</p>'
    run = view["last_run"]
    more = (
        f'<p class="small muted" id="articles-writes-more">Older ones, and all of one run: '
        f"{_cmd(view, '--run ' + (run['run_id'] if run else 'RUN_ID'))}</p>"
        if view["writes_more"]
        else ""
    )
    return (
        '<h3>Fields written lately</h3><p class="small muted">Newest first; what the shop showed → what AFAS '
        "holds (the run is on the time's tooltip).</p>"
        f"{_table('articles-writes', view['writes'], zone)}{more}"
    )


def _failures(view: dict[str, Any], zone: ZoneInfo) -> str:
    total = view["failures_total"]
    if not total:
        return (
            '<h3>Writes failing now</h3><p class="muted" id="articles-failures-empty">None: no field\'s last '
            "write failed.</p>"
        )
    more = total - len(view["failures"])
    note = f" (the newest {len(view['failures'])} of {total:,} shown)" if more > 0 else ""
    return (
        f"<h3>Writes failing now ({total:,})</h3>"
        f'<p class="small muted">The last write of these fields failed or got no answer{escape(note)}; the next '
        f"run compares them again. All of them: {_cmd(view, '--open')}</p>"
        f"{_table('articles-failures', view['failures'], zone)}"
    )


def _example(e: dict[str, Any]) -> str:
    where = f"variant {e['variant_id']}" if e.get("variant_id") is not None else "no variant"
    return (
        f'<li data-item="{escape(e["item_code"])}">{escape(e["item_code"])} '
        f'<span class="muted">({escape(where)})</span>: {escape(e["reason"])}</li>'
    )


def _groups(table_id: str, what: str, groups: list[dict[str, Any]]) -> str:
    rows = "".join(
        f'<tr data-kind="{escape(g["kind"])}"><td>{escape(g["kind"])}</td><td class="num">{g["count"]:,}</td>'
        f'<td class="reason small"><ul>{"".join(_example(e) for e in g["examples"])}</ul></td></tr>'
        for g in groups
    )
    return (
        f'<table id="{table_id}"><thead><tr><th>{escape(what)}</th><th class="num">Items</th><th>Examples</th>'
        f"</tr></thead><tbody>{rows}</tbody></table>"
    )


def _left_alone(view: dict[str, Any]) -> str:
    items, total = view["items"], view["items_total"]
    statuses = ", ".join(f"{k.replace('_', ' ')} {n:,}" for k, n in items.items() if n)
    head = f'<p class="small muted" id="articles-items">AFAS items: {escape(statuses or "none yet")}</p>'
    if not view["left_alone"]:
        text = "No AFAS items read yet." if not total else "None: every item the shop has follows AFAS."
        alone = f'<h3>Items left alone</h3><p class="muted" id="articles-left-alone-empty">{escape(text)}</p>'
    else:
        alone = (
            f"<h3>Items left alone ({view['left_alone_total']:,} of {total:,})</h3>"
            '<p class="small muted">The flow writes nothing of theirs; fix the cause in the shop or in AFAS, '
            f"and the next run follows them. All of them: {_cmd(view, '--open')}</p>"
            f"{_groups('articles-left-alone', 'Why', view['left_alone'])}"
        )
    skipped = (
        f"<h3>Fields skipped ({view['skipped_total']:,} followed item(s))</h3>"
        '<p class="small muted">AFAS gives no usable value for these fields; the items\' other fields follow '
        "AFAS.</p>"
        f"{_groups('articles-skipped', 'Field', view['skipped'])}"
        if view["skipped"]
        else ""
    )
    return head + alone + skipped


def article_section(view: dict[str, Any] | None, airflow_root: str, zone: ZoneInfo) -> str:
    """The Articles section, or nothing for a tenant without an articles block (``view`` None)."""
    if view is None:
        return ""
    dag_id = view["dag_id"]
    return (
        '<section id="articles"><h2>Articles</h2>'
        '<p class="small muted">AFAS → Lightspeed: what AFAS holds about an item (title, price, barcode, VAT '
        "group, blocked) overwrites the variant and product whose code matches; only fields that differ are "
        f'written · <a target="_top" href="{escape(airflow_root)}/dags/{quote(dag_id)}">{escape(dag_id)}</a></p>'
        f"{_last_run(view, airflow_root, zone)}{_writes(view, zone)}{_failures(view, zone)}{_left_alone(view)}"
        "</section>"
    )
