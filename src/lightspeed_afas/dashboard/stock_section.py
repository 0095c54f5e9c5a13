"""The tenant page's Stock section (AFAS → Lightspeed): the last stock run, the levels it pushed and the
variants left alone, from ``dashboard.stock_data.stock_view``. Everything from the ledger is escaped."""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from lightspeed_afas.dashboard.components import badge, fmt_time, run_link

# The run's headline counts, in this order (the others are listed beside them when not zero).
HEADLINE = (
    ("pushed", "Pushed"),
    ("planned", "Planned"),
    ("not_pushed", "Not pushed"),
    ("failed", "Failed"),
    ("left_alone", "Left alone"),
)
WARN_WHEN_SET = {"not_pushed": "warn", "failed": "bad"}
OTHER_COUNTS = ("variants", "kept", "gone", "afas_items", "afas_items_unusable")


def _level(value: int | None) -> str:
    return "?" if value is None else str(value)


def _cards(run: dict[str, Any]) -> str:
    counts, calls = run["counts"], run["calls"]
    cards = [
        (label, f"{counts.get(key, 0):,}", WARN_WHEN_SET.get(key, "") if counts.get(key) else "")
        for key, label in HEADLINE
    ]
    cards.append(
        (
            "Calls: Lightspeed / AFAS",
            f"{int(calls.get('lightspeed', 0)):,} / {int(calls.get('afas', 0)):,}",
            "",
        )
    )
    return "".join(
        f'<div class="card" data-count="{escape(k)}"><div class="v {cls}">{escape(v)}</div>'
        f'<div class="k">{escape(k)}</div></div>'
        for k, v, cls in cards
    )


def _last_run(view: dict[str, Any], airflow_root: str, zone: ZoneInfo) -> str:
    run = view["last_run"]
    if run is None:
        return '<p class="muted" id="stock-no-run">No stock run yet.</p>'
    others = ", ".join(
        f"{key.replace('_', ' ')} {run['counts'][key]:,}" for key in OTHER_COUNTS if run["counts"].get(key)
    )
    others_line = f'<p class="small muted" id="stock-counts">{escape(others)}</p>' if others else ""
    took = f" · {run['duration_s']:.1f} s" if run.get("duration_s") is not None else ""
    message = (
        f'<p class="reason" id="stock-message"><strong>Stopped:</strong> {escape(run["message"])}</p>'
        if run.get("message")
        else ""
    )
    return (
        f'<div id="stock-run"><p>Last stock run: {badge(run["outcome"])} {fmt_time(run["started_at"], zone)} · '
        f'{escape(run["mode"])}{took} · <span class="small">'
        f"{run_link(airflow_root, view['dag_id'], run['run_id'])}</span></p>"
        f'<div class="cards">{_cards(run)}</div>'
        f"{others_line}{message}</div>"
    )


def _pushes(view: dict[str, Any], zone: ZoneInfo) -> str:
    run = view["last_run"]
    if run is None:
        return ""
    if not view["pushes"]:
        why = (
            "a dry run pushes nothing"
            if run["outcome"] == "dry_run"
            else "every followed variant already had AFAS's level"
            if not run["counts"].get("planned")
            else "none was pushed"
        )
        return f'<h3>Levels pushed in this run</h3><p class="muted" id="stock-pushes-empty">None: {escape(why)}.</p>'
    rows = "".join(
        f'<tr data-variant="{p["variant_id"]}"><td>{p["variant_id"]}</td><td>{escape(p["item_code"] or "—")}</td>'
        f'<td class="num">{escape(_level(p["old_level"]))} → {escape(_level(p["new_level"]))}</td>'
        f'<td>{badge(p["outcome"])}</td><td class="reason small">{escape(p["reason"] or "")}</td>'
        f"<td>{fmt_time(p['at'], zone)}</td></tr>"
        for p in view["pushes"]
    )
    more = view["pushes_total"] - len(view["pushes"])
    note = (
        f'<p class="small muted" id="stock-pushes-more">… and {more:,} more (failed ones first): '
        f"<code>python -m lightspeed_afas log {escape(view['tenant'])} --flow stock --run "
        f"{escape(run['run_id'])}</code></p>"
        if more > 0
        else ""
    )
    return (
        "<h3>Levels pushed in this run</h3>"
        '<table id="stock-pushes"><thead><tr><th>Variant</th><th>AFAS item</th><th class="num">Old → new</th>'
        f"<th>Outcome</th><th>Note</th><th>When ({escape(zone.key)})</th></tr></thead><tbody>{rows}</tbody></table>"
        f"{note}"
    )


def _example(e: dict[str, Any]) -> str:
    found = " ".join(f"{name} {value}" for name, value in e["codes"].items()) or "no codes"
    return (
        f'<li data-variant="{e["variant_id"]}">variant {e["variant_id"]} '
        f'<span class="muted">({escape(found)})</span>: {escape(e["reason"])}</li>'
    )


def _left_alone(view: dict[str, Any]) -> str:
    groups = view["left_alone"]
    if not groups:
        total = view["variants"]
        text = "No variants in the map yet." if not total else f"None: all {total:,} variants follow AFAS."
        return f'<h3>Variants left alone</h3><p class="muted" id="stock-left-alone-empty">{escape(text)}</p>'
    rows = "".join(
        f'<tr data-kind="{escape(g["kind"])}"><td>{escape(g["kind"])}</td><td class="num">{g["count"]:,}</td>'
        f'<td class="reason small"><ul>{"".join(_example(e) for e in g["examples"])}</ul></td></tr>'
        for g in groups
    )
    return (
        f"<h3>Variants left alone ({view['left_alone_total']:,} of {view['variants']:,})</h3>"
        '<p class="small muted">The flow never writes their level; fix the cause in the shop or in AFAS, and '
        "the next run follows them. All of them: "
        f"<code>python -m lightspeed_afas log {escape(view['tenant'])} --flow stock --open</code></p>"
        '<table id="stock-left-alone"><thead><tr><th>Why</th><th class="num">Variants</th><th>Examples</th>'
        f"</tr></thead><tbody>{rows}</tbody></table>"
    )


def stock_section(view: dict[str, Any] | None, airflow_root: str, zone: ZoneInfo) -> str:
    """The Stock section, or nothing for a tenant without a stock block (``view`` None)."""
    if view is None:
        return ""
    dag_id = view["dag_id"]
    return (
        '<section id="stock"><h2>Stock</h2>'
        '<p class="small muted">AFAS → Lightspeed: the quantity AFAS has for an item becomes the stock level '
        "of the variant whose code matches it · "
        f'<a target="_top" href="{escape(airflow_root)}/dags/{quote(dag_id)}">{escape(dag_id)}</a></p>'
        f"{_last_run(view, airflow_root, zone)}{_pushes(view, zone)}{_left_alone(view)}</section>"
    )
