"""The dashboard's HTML building blocks, without Airflow: times in the tenant's zone, escaping, the chart."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from lightspeed_afas.dashboard.components import badge, chart_svg, fmt_time, orders_table, run_link


def test_a_time_is_shown_in_the_tenant_zone_with_utc_on_hover():
    html = fmt_time("2026-11-20T10:00:00+00:00", ZoneInfo("Europe/Amsterdam"))
    assert "2026-11-20 11:00 +01:00" in html
    assert 'title="2026-11-20 10:00 UTC in the Airflow UI"' in html
    assert fmt_time(None, ZoneInfo("UTC")) == "—"


def test_ledger_text_is_escaped():
    assert "<script>" not in badge("<script>")
    assert "&lt;b&gt;" in run_link("", "lightspeed_afas_x", "<b>")
    table = orders_table(
        [{"order_number": "<i>1</i>", "status": "failed", "reason": "a & b"}],
        "lightspeed_afas_x",
        "",
        ZoneInfo("UTC"),
        "orders",
        pick=True,
    )
    assert "<i>1</i>" not in table and "a &amp; b" in table and 'class="pick"' in table


def test_the_chart_stacks_failures_on_bookings_and_is_empty_without_days():
    assert chart_svg([]) == ""
    svg = chart_svg(
        [{"day": "2026-11-01", "booked": 2, "failed": 1}, {"day": "2026-11-02", "booked": 0, "failed": 0}]
    )
    assert svg.count('class="bar-booked"') == 1 and svg.count('class="bar-failed"') == 1
    assert "max 3/day" in svg
