"""Retention with a frozen clock: what is deleted, what is kept (one second inside a period stays),
and the floor and ceiling no setting can cross. SQLite and PostgreSQL."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from lightspeed_afas.domain.stock import Push, Variant
from lightspeed_afas.ledger import Ledger, OrderOutcome
from lightspeed_afas.ledger import schema as t
from lightspeed_afas.ledger.articles import WriteRow
from lightspeed_afas.ledger.flow_items import ItemOutcome
from lightspeed_afas.ledger.stock import PushResult
from lightspeed_afas.ops import retention

NOW = datetime(2027, 6, 15, 3, 30, tzinfo=UTC)
SECOND = timedelta(seconds=1)


def no_settings(section: str, key: str) -> str | None:
    return None


def settings(**values: object):
    return lambda section, key: None if key not in values else str(values[key])


def add_detail(ledger: Ledger, tenant: str, at: datetime, number: str) -> None:
    ledger.add_detail(
        tenant,
        "run",
        [
            {
                "order_number": number,
                "at": at.isoformat(),
                "api": "afas",
                "method": "POST",
                "url": "/x",
                "status": 201,
            }
        ],
    )


def backdate(ledger: Ledger, table: sa.Table, column: str, when: datetime, **where: object) -> None:
    with ledger.engine.begin() as conn:
        conn.execute(
            table.update().where(*(table.c[k] == v for k, v in where.items())).values({column: when})
        )


def test_detail_log_keeps_each_tenants_period_to_the_second(ledger):
    rules = retention.policy({"acme": 14, "brief": 3}, no_settings)
    for tenant, days in (("acme", 14), ("brief", 3), ("gone", 14)):  # "gone": no tenant file any more
        limit = NOW - timedelta(days=days)
        add_detail(ledger, tenant, limit - SECOND, f"{tenant}-old")
        add_detail(ledger, tenant, limit, f"{tenant}-at-cutoff")
        add_detail(ledger, tenant, limit + SECOND, f"{tenant}-inside")
    dry = retention.purge_detail_log(ledger, rules, NOW, dry_run=True)
    assert dry.deleted == 3 and len(ledger.detail("acme")) == 3, "a dry run deletes nothing"

    result = retention.purge_detail_log(ledger, rules, NOW)
    assert result.deleted == 3 and result.detail == {"acme": 1, "brief": 1, "gone": 1}
    for tenant in ("acme", "brief", "gone"):
        assert [d["order_number"] for d in ledger.detail(tenant)] == [
            f"{tenant}-at-cutoff",
            f"{tenant}-inside",
        ]
    assert result.oldest_kept == NOW - timedelta(days=14)


def test_basic_log_keeps_at_least_a_year_whatever_the_setting(ledger):
    rules = retention.policy({}, settings(basic_log_retention_days=30))  # below the floor
    assert rules.basic_log_days == 365 and "below its floor" in rules.notes[0]
    year = NOW - timedelta(days=365)
    for order_id, at in ((1, year - SECOND), (2, year + SECOND), (3, NOW - timedelta(days=31))):
        ledger.record(
            "acme", f"r{order_id}", [OrderOutcome(order_id, f"ORD{order_id}", "u", "created", "h")], 5
        )
        backdate(ledger, t.order_attempt, "at", at, order_id=order_id)
        backdate(ledger, t.order_state, "changed_at", at, order_id=order_id)
    pk = ledger.start_run("acme", "old", "scheduled", None, None)
    backdate(ledger, t.sync_run, "started_at", year - SECOND, id=pk)
    ledger.start_run("acme", "new", "scheduled", None, None)
    old_stock = ledger.start_flow_run("acme", "stock", "old", "scheduled")
    backdate(ledger, t.flow_run, "started_at", year - SECOND, id=old_stock)
    ledger.start_flow_run("acme", "stock", "new", "scheduled")
    ledger.save_variants("acme", [Variant(7, 1, "A", None, None, "enabled", 0, None)])
    ledger.record_pushes("acme", "old", [PushResult(Push(7, "A", 0, 3), "pushed", 3)])
    ledger.record_pushes("acme", "new", [PushResult(Push(7, "A", 3, 4), "pushed", 4)])
    backdate(ledger, t.stock_push, "at", year - SECOND, run_id="old")
    for run_id in ("old", "new"):
        ledger.record_article_writes(
            "acme", run_id, [WriteRow("A", "variant", 7, "priceExcl", "1.00", "2.00", "written")]
        )
    backdate(ledger, t.article_write, "at", year - SECOND, run_id="old")
    for run_id, customer in (("old", 11), ("new", 12)):
        ledger.record_items("acme", "customers", run_id, [ItemOutcome(customer, "created", afas_id="D1")], 5)
    backdate(ledger, t.flow_item_attempt, "at", year - SECOND, run_id="old")
    backdate(ledger, t.flow_item, "changed_at", year - SECOND, item_id=11)
    for run_id in ("old", "new"):
        ledger.record_webhook(
            "acme", 202, "queued", item_group="orders", action="created", item_id=5, run_id=run_id
        )
    backdate(ledger, t.webhook, "at", year - SECOND, run_id="old")

    result = retention.purge_basic_log(ledger, rules, NOW)
    assert result.detail == {
        "order_attempt": 1,
        "order_state": 1,
        "retention_run": 0,
        "sync_run": 1,
        "flow_run": 1,
        "stock_push": 1,
        "article_write": 1,
        "flow_item": 1,
        "flow_item_attempt": 1,
        "webhook": 1,
    }
    assert [w["run_id"] for w in ledger.webhooks("acme")] == ["new"]
    assert [w["run_id"] for w in ledger.article_writes("acme")] == ["new"]
    assert [a["run_id"] for a in ledger.item_attempts("acme", "customers")] == ["new"]
    assert set(ledger.item_states("acme", "customers", [11, 12])) == {12}
    assert [r["run_id"] for r in ledger.flow_runs("acme", "stock")] == ["new"]
    assert [p["run_id"] for p in ledger.stock_pushes("acme")] == ["new"]
    assert 7 in ledger.variant_map("acme")  # the variant map is state, not log: never purged by age
    assert sorted(h["order_number"] for h in ledger.history("acme")) == ["ORD2", "ORD3"]
    assert set(ledger.order_states("acme", [1, 2, 3])) == {2, 3}
    assert [r["run_id"] for r in ledger.runs("acme")] == ["new"]
    assert result.oldest_kept == year + SECOND


def test_settings_are_clamped_to_their_floor_and_ceiling_and_bad_values_named():
    rules = retention.policy(
        {"acme": 30, "brief": 0},
        settings(basic_log_retention_days=10, task_log_retention_days=0, staged_data_retention_hours=1),
    )
    assert (rules.basic_log_days, rules.task_log_days, rules.staged_hours) == (365, 1, 6)
    assert rules.detail_days("acme") == 14 and rules.detail_days("brief") == 1
    assert rules.detail_days("unknown") == 14
    assert len(rules.notes) == 5
    generous = retention.policy({}, settings(basic_log_retention_days=800, task_log_retention_days=30))
    assert (generous.basic_log_days, generous.task_log_days, generous.notes) == (800, 30, ())
    defaults = retention.policy({}, no_settings)
    assert (defaults.basic_log_days, defaults.task_log_days, defaults.staged_hours) == (400, 14, 24)
    with pytest.raises(retention.RetentionConfigError, match="BASIC_LOG_RETENTION_DAYS"):
        retention.policy({}, settings(basic_log_retention_days="a year"))


def touch(path, when: datetime) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("x")
    os.utime(path, (when.timestamp(), when.timestamp()))


def test_task_logs_of_the_projects_dags_only(tmp_path):
    rules = retention.policy({}, no_settings)
    cutoff = NOW - timedelta(days=14)
    ours = tmp_path / "dag_id=lightspeed_afas_acme" / "run_id=r1" / "task_id=load_to_afas"
    touch(ours / "attempt=1.log", cutoff - SECOND)
    touch(ours / "attempt=2.log", cutoff + SECOND)
    touch(
        tmp_path / "dag_id=lightspeed_afas_acme" / "run_id=r0" / "task_id=x" / "attempt=1.log",
        cutoff - SECOND,
    )
    other = tmp_path / "dag_id=someone_else" / "run_id=r1" / "task_id=t" / "attempt=1.log"
    touch(other, cutoff - timedelta(days=100))

    assert retention.purge_task_logs(tmp_path, rules, NOW, dry_run=True).deleted == 2
    result = retention.purge_task_logs(tmp_path, rules, NOW)
    assert result.deleted == 2 and result.oldest_kept is not None
    assert not (ours / "attempt=1.log").exists() and (ours / "attempt=2.log").exists()
    assert not (tmp_path / "dag_id=lightspeed_afas_acme" / "run_id=r0").exists(), "emptied folders go too"
    assert other.exists(), "other DAGs' logs are not ours to delete"


def test_staged_files_of_crashed_runs_go_after_a_day_or_the_detail_period(tmp_path):
    rules = retention.policy({"keeper": 7}, no_settings)
    day = NOW - timedelta(hours=24)
    touch(tmp_path / "lightspeed_afas_plain" / "run1" / "extract_orders" / "a", day - SECOND)
    touch(tmp_path / "lightspeed_afas_plain" / "run2" / "extract_orders" / "b", day + SECOND)
    touch(tmp_path / "lightspeed_afas_keeper" / "run1" / "extract_orders" / "c", day - SECOND)
    touch(
        tmp_path / "lightspeed_afas_keeper" / "run0" / "extract_orders" / "d",
        NOW - timedelta(days=7) - SECOND,
    )
    touch(tmp_path / "unrelated_dag" / "run" / "t" / "e", NOW - timedelta(days=60))

    result = retention.purge_staged_files(tmp_path, rules, NOW, {"keeper": True, "plain": False})
    assert result.detail == {"lightspeed_afas_keeper": 1, "lightspeed_afas_plain": 1}
    remaining = sorted(p.name for p in tmp_path.rglob("*") if p.is_file())
    assert remaining == ["b", "c", "e"]


def test_retention_reports_are_recorded(ledger):
    ledger.record_retention("scheduled__x", "detail_log", NOW, 3, NOW - timedelta(days=2), dry_run=False)
    (row,) = ledger.retention_runs()
    assert (row["kind"], row["deleted"], row["dry_run"]) == ("detail_log", 3, False)
