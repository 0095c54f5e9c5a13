"""The stock benchmark's pieces: the shop's and AFAS's data, the floor of a run, one measured run, and
the orders run that shares the key's budget with it. ``bench_stock`` puts them into scenarios.

The floors follow the flow's rules with the data in the emulators as they are just before the run:

- Lightspeed reads: a full refresh (the first run, every 24 h, or asked) ``ceil(variants / 250)``; an
  incremental one ``max(1, ceil(k / 250))``, k = the variants whose ``updatedAt`` is at or after the last
  refresh minus ``stock.overlap_minutes`` and minus the filter's time-zone doubt — whether the shop reads
  a naive ``updated_at_min`` as UTC or as Amsterdam time is unknown until the flow has found it from its
  first pushes, so until then a client that must not miss a change reaches back by the difference, 1 h
  in winter (the flow's own pushes are among them: a PUT moves ``updatedAt``);
- PUTs: one per followed variant whose shop level differs from ``max(0, floor(AFAS quantity))``;
- AFAS: 1 metainfo call + ``ceil(rows / take)``, take = 150,000 // the connector's field count.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from bench import common
from bench.bench_calls import api_calls

PAGE = 250
PAGE_CELLS = 150_000
OLD = "2026-01-01T00:00:00+00:00"  # when the bench catalogue last changed: long before any run
SCHEDULE_S = 900  # the stock DAG's default schedule, */15
CHUNK = 2_000


def code(number: int) -> str:
    return f"GEN-{number:06d}"


def seed_shop(stack: common.Stack, count: int) -> None:
    """The shop holds exactly ``count`` variants ``GEN-000001…`` (articleCode = sku), each the default
    variant of its own product, stock 0, last changed long ago; the demo catalogue is removed."""
    for variant in stack.shop("GET", "/variants")["variants"]:
        stack.shop("DELETE", f"/variants/{variant['id']}")
    for start in range(1, count + 1, CHUNK):
        specs = [
            {"articleCode": code(i), "sku": code(i), "stockLevel": 0, "createdAt": OLD, "updatedAt": OLD}
            for i in range(start, min(count, start + CHUNK - 1) + 1)
        ]
        stack.shop("POST", "/variants", {"variants": specs})


def seed_afas(stack: common.Stack, items: int, rows: list[dict[str, Any]] | None = None) -> None:
    """AFAS's stock is exactly ``items`` generated items ``GEN-000001…`` in warehouse 01 (or ``rows``);
    the emulator's seeded stock of the demo catalogue is removed."""
    for item in stack.afas("GET", "/stock")["items"]:
        stack.afas("DELETE", f"/stock/{quote(item, safe='')}")
    body = {"rows": rows} if rows is not None else {"generate": items, "seed": "bench", "warehouses": ["01"]}
    stack.afas("POST", "/stock", body)


def afas_stock(stack: common.Stack) -> dict[str, dict[str, Any]]:
    return stack.afas("GET", "/stock")["items"]


def afas_levels(stack: common.Stack) -> dict[str, int]:
    """Item code → the level the shop should show: ``max(0, floor(In_stock))`` (no unbooked orders:
    every order of the benchmark is booked by the time the stock flow runs)."""
    view = stack.afas("GET", "/stock")
    kind = view["rules"]["standard_stock_kind"]  # which quantity In_stock is
    return {
        item.upper(): max(0, math.floor(sum(w[kind] for w in by_warehouse.values())))
        for item, by_warehouse in view["items"].items()
    }


def shop_variants(stack: common.Stack) -> dict[str, dict[str, Any]]:
    return {v["articleCode"].upper(): v for v in stack.shop("GET", "/variants")["variants"]}


def check_levels(stack: common.Stack, where: str) -> int:
    """Sanity: every followed variant has AFAS's level, every other variant still has 0. Returns how
    many variants follow an AFAS item."""
    levels, variants = afas_levels(stack), shop_variants(stack)
    wrong = [c for c, v in variants.items() if v["stockLevel"] != levels.get(c, 0)]
    assert not wrong, f"{where}: {len(wrong)} variants without AFAS's level, e.g. {wrong[:5]}"
    return sum(1 for c in variants if c in levels)


@dataclass
class Floor:
    refresh: str  # full | incremental (what the flow's rules make this run)
    reads: int
    puts: int
    afas: int
    reached: int = 0  # incremental: the variants the refresh window reaches


@dataclass
class Bench:
    """One emulator stack with its ledger, the tenant's stock settings and AFAS's page size."""

    stack: common.Stack
    ledger_url: str
    settings: Any
    ledger: Any
    take: int
    runs: int = 0

    @classmethod
    def open(cls, stack: common.Stack, name: str) -> Bench:
        from lightspeed_afas.hooks.afas import AfasProfitHook
        from lightspeed_afas.ledger import Ledger

        ledger_url = stack.new_ledger(name)
        settings = common.stock_settings()
        hook = AfasProfitHook(settings.afas_conn_id)
        try:
            fields = len(hook.metainfo_get(settings.connector).get("fields") or [])
        finally:
            hook.close()
        return cls(stack, ledger_url, settings, Ledger(ledger_url), PAGE_CELLS // fields)

    def floor(self, full_comparison: bool) -> Floor:
        from lightspeed_afas.domain import retry_policy
        from lightspeed_afas.flows.stock.variant_map import FULL_AT, FULL_PROGRESS, REFRESHED

        state = self.ledger.flow_state(self.settings.tenant, "stock")
        now = retry_policy.utc_now()
        last_full = _time(state.get(FULL_AT))
        variants, levels = shop_variants(self.stack), afas_levels(self.stack)
        puts = sum(1 for c, v in variants.items() if c in levels and v["stockLevel"] != levels[c])
        afas = 1 + math.ceil(len(afas_stock(self.stack)) / self.take)
        due = last_full is None or now - last_full >= self.settings.full_comparison_every
        if full_comparison or due or state.get(FULL_PROGRESS):
            return Floor("full", math.ceil(len(variants) / PAGE), puts, afas)
        since = ((_time(state.get(REFRESHED)) or last_full) - self.settings.overlap).replace(microsecond=0)
        if not state.get("filter_zone"):  # detected from the first pushes: then no doubt is left
            since -= zone_doubt(since)
        reached = sum(1 for v in variants.values() if datetime.fromisoformat(v["updatedAt"]) >= since)
        return Floor("incremental", max(1, math.ceil(reached / PAGE)), puts, afas, reached)


def zone_doubt(moment: datetime) -> timedelta:
    """How far apart the two readings of a naive filter time are at ``moment`` (UTC vs Amsterdam)."""
    return moment.astimezone(ZoneInfo("Europe/Amsterdam")).utcoffset() or timedelta(0)


@dataclass
class StockRun:
    """One measured stock run: the calls it made, by kind, and its floor."""

    label: str
    outcome: str
    refresh: str
    reads: int  # GET /variants.json
    puts: int  # PUT /variants/{id}.json
    other_ls: int  # any other Lightspeed call (none expected)
    afas: int
    rate_limited: int
    floor: Floor
    counts: dict[str, int]
    seconds: float
    stopped_because: str | None
    tasks: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ls_calls(self) -> int:
        return self.reads + self.puts + self.other_ls


def measure(bench: Bench, label: str, full_comparison: bool = False, subprocesses: bool = False) -> StockRun:
    """One stock run (each step in a process of its own with ``subprocesses``), its calls and floor."""
    floor = bench.floor(full_comparison)
    bench.runs += 1
    run_id = f"stock-{bench.runs}"
    bench.stack.reset_calls()
    started = time.perf_counter()
    tasks: list[dict[str, Any]] = []
    if subprocesses:
        out, figures = common.run_in_subprocesses(
            bench.ledger_url,
            run_id,
            None,
            bench.stack.workdir,
            steps=common.STOCK_STEPS,
            flow="stock",
            full_comparison=full_comparison,
        )
        tasks = [vars(f) for f in figures]
    else:
        out = common.run_stock_in_process(bench.ledger_url, run_id, full_comparison)
    seconds = time.perf_counter() - started
    shop, afas = bench.stack.calls()
    ls = api_calls(shop)
    reads, puts = ls.pop("GET /{lang}/variants.json", 0), ls.pop("PUT /{lang}/variants/{id}.json", 0)
    return StockRun(
        label=label,
        outcome=out.get("outcome", "?"),
        refresh=out.get("refresh", "?"),
        reads=reads,
        puts=puts,
        other_ls=sum(ls.values()),
        afas=sum(api_calls(afas).values()),
        rate_limited=int(shop["rate_limited"]),
        floor=floor,
        counts=out.get("counts", {}),
        seconds=seconds,
        stopped_because=out.get("stopped_because"),
        tasks=tasks,
    )


def sync(bench: Bench, label: str, max_runs: int, first_in_subprocesses: bool = False) -> list[StockRun]:
    """Runs 15 minutes apart until one is not stopped by the budget (the backlog is pushed)."""
    runs = [measure(bench, f"{label} 1", subprocesses=first_in_subprocesses)]
    while runs[-1].outcome == "partial" and len(runs) < max_runs:
        bench.stack.advance(SCHEDULE_S)
        runs.append(measure(bench, f"{label} {len(runs) + 1}"))
    assert runs[-1].outcome == "success", f"{label}: still {runs[-1].outcome} after {len(runs)} runs"
    return runs


def change_afas(stack: common.Stack, count: int) -> list[str]:
    """``count`` items, spread over the catalogue, get 7 more in stock (so their level moves by 7)."""
    stock = afas_stock(stack)
    candidates = sorted(c for c, by in stock.items() if sum(w["economic"] for w in by.values()) >= 0)
    step = max(1, len(candidates) // max(1, count))
    chosen = candidates[::step][:count]
    rows = [{"item": c, "warehouse": "01", "physical": stock[c]["01"]["physical"] + 7} for c in chosen]
    stack.afas("POST", "/stock", {"rows": rows})
    return chosen


def drift(stack: common.Stack, count: int) -> list[str]:
    """``count`` followed variants get another level in the shop's back office (3 more; a stock change
    there does not move ``updatedAt``, so only a full comparison sees it)."""
    levels, variants = afas_levels(stack), shop_variants(stack)
    followed = sorted(c for c in variants if c in levels)
    chosen = followed[1 :: max(1, len(followed) // max(1, count))][:count]
    for c in chosen:
        stack.shop("PATCH", f"/variants/{variants[c]['id']}", {"stockLevel": levels[c] + 3})
    return chosen


def orders_run(bench: Bench, number: int, orders: int) -> dict[str, Any]:
    """A few new paid orders, then an orders run over the last 10 minutes (the four steps in-process, as
    ``bench_calls`` runs them); its Lightspeed calls and 429s.

    The orders are stamped on the system clock, not the emulator's: the orders flow ends a window at the
    system's now (``effective_window`` reads ``datetime.now``, not the pipeline clock), so orders stamped
    on the advanced emulator clock would lie beyond it. Their calls still land in the emulator's window."""
    stack = bench.stack
    now = datetime.now(UTC).replace(microsecond=0)
    specs = []
    for i in range(orders):
        stamp = (now - timedelta(seconds=20 * (i + 1))).isoformat()
        specs.append(
            {"email": f"stock-bench-{number}-{i}@example.net", "createdAt": stamp, "updatedAt": stamp}
        )
    stack.shop("POST", "/orders", {"orders": specs})
    stack.reset_calls()
    summary = common.run_in_process(bench.ledger_url, f"orders-{number}", (now - timedelta(minutes=10), now))
    shop = stack.shop("GET", "/calls")
    counts = summary.get("counts") or {}
    return {
        "orders": orders,
        "calls": sum(api_calls(shop).values()),
        "rate_limited": int(shop["rate_limited"]),
        "seen": counts.get("seen"),
        "booked": counts.get("created"),
        "outcome": summary.get("outcome"),
        "error": summary.get("error"),
    }


def _time(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None
