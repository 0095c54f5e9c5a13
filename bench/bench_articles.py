"""The articles flow (AFAS → Lightspeed): calls against the floor, writes, wall time, and the key's budget
shared with the orders flow.

Both emulators run in threads of this process; the flow's three steps run in-process (XCom through
JSON), an hour apart (the articles DAG's default schedule): the emulators' clocks and the pipeline's
"now" move together. AFAS holds 8,000 items ``GEN-000001…`` (no article dimensions) and the shop one
product per item, its default variant carrying the code (``article_scenarios``, which also says how the
floors are computed: from the emulators' data just before each run). The tenant's ``articles:`` block
has the defaults (title, price, ean, visibility, tax; both prices written; the connection's language).

1. The first sync with the generous reading of the budgets (1,000 / 12,000 / 288,000): the shop differs
   from AFAS as an import months ago left it (``Mix``); articles may use 60 % of a 5-minute window, so
   the first run stops ``partial`` at the reserve and the next runs write the rest. Each run is followed
   in its 5-minute window by an orders run of a few new orders (the orders flow, in-process).
2. Quiet runs (AFAS unchanged): the next run (its incremental refresh reaches the sync's own writes,
   which moved ``updatedAt``, within the overlap and the filter's time-zone doubt), and the steady state.
3. 2 % of the items change in AFAS: 1.5 % a price (``/_admin/articles`` price, which does not move
   ``ModifiedDate``: only the full price read sees it), 0.5 % a description (which moves it).
4. 100 new AFAS items with ``create_missing`` on: a product each (POST, its default variant looked up,
   that variant filled in), then a run that must write nothing.

    python -m bench.bench_articles              # the sizes above (a few minutes)
    python -m bench.bench_articles --smoke      # 240 items, 10 new, budget 60/1,200/28,800
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench import common
from bench.article_scenarios import (
    ArticleRun,
    Bench,
    Mix,
    add_afas_items,
    change_afas,
    check_shop,
    compare,
    counting_lookups,
    items,
    measure,
    seed,
    sync,
)

MIX = Mix()
QUIET_RUNS = 4  # at most, until a quiet run reads one page of each


@dataclass(frozen=True)
class Sizes:
    items: int
    prices_changed: int  # 1.5 %
    titles_changed: int  # 0.5 %
    created: int
    limits: tuple[int, int, int]
    orders_per_run: int
    max_runs: int = 30


FULL = Sizes(8_000, 120, 40, 100, common.GENEROUS_LIMITS, 4)
SMOKE = Sizes(240, 4, 1, 10, (60, 1200, 28800), 2)


def articles_share(limit: int, reserve: float) -> int:
    """The calls of one window the articles flow may make: all but ``ceil(reserve × limit)``."""
    return limit - math.ceil(reserve * limit)


def scenario(workdir: Path, sizes: Sizes) -> dict[str, Any]:
    with common.emulator_stack(workdir, rate_limits=sizes.limits) as stack, counting_lookups() as counted:
        afas_items = items(sizes.items, MIX)
        drawn = seed(stack, afas_items, MIX)
        bench = Bench.open(stack, "articles", counted)
        before = compare(stack)
        first = sync(bench, "first sync, run", sizes.max_runs, orders=sizes.orders_per_run)
        check_shop(stack, "after the first sync")
        quiet = [measure(bench, "quiet, next run", orders=sizes.orders_per_run)]
        while len(quiet) < QUIET_RUNS and (quiet[-1].reads > 3 or len(quiet) < 2):
            quiet.append(measure(bench, "quiet, steady state", orders=sizes.orders_per_run))
        priced, titled = change_afas(stack, afas_items, sizes.prices_changed, sizes.titles_changed)
        changed = measure(bench, "2 % changed", orders=sizes.orders_per_run)
        check_shop(stack, "after 2 % changed")
        add_afas_items(stack, items(sizes.created, Mix(blocked=0.0), prefix="NEW"))
        bench.set_create_missing(True)
        created = measure(bench, "products created", orders=sizes.orders_per_run)
        after_creation = measure(bench, "after the creation", orders=sizes.orders_per_run)
        final = check_shop(stack, "after the creation")
        new_codes = {c: n for c, n in final.per_code.items() if c.startswith("NEW-")}
        reserve = bench.settings.reserve_for_orders
    runs = [*first, *quiet, changed, created, after_creation]
    return {
        "drawn": drawn,
        "before": {"variants": len(before.variant_writes), "products": len(before.product_writes)},
        "first": first,
        "quiet": quiet,
        "changed": changed,
        "prices": len(priced),
        "titles": len(titled),
        "created": created,
        "after_creation": after_creation,
        "new_products": new_codes,
        "runs": runs,
        "reserve": reserve,
        "share": articles_share(sizes.limits[0], reserve),
        "hour_share": articles_share(sizes.limits[1], reserve),
        "takes": bench.takes,
    }


def ratio(measured: float, floor: float) -> str:
    if floor == 0:
        return "-" if measured == 0 else f"+{measured:,.0f}"
    return f"{measured / floor:.3f}×"


Row = tuple[str, str, str, str, str]  # figure, measured, floor, ratio, note; a heading has only a figure


def row(label: str, measured: float, floor: float, note: str = "") -> Row:
    return (label, f"{measured:,.0f}", f"{floor:,.0f}", ratio(measured, floor), note)


def heading(text: str) -> Row:
    return (text, "", "", "", "")


def reads_note(run: ArticleRun) -> str:
    return f"{run.variant_pages} variant pages + {run.product_pages} product pages + {run.taxes} taxes"


def afas_note(run: ArticleRun) -> str:
    parts = run.floor.afas_parts
    return (
        f"{parts['metainfo']} metainfo + pages: Article {run.afas.get('Profit_Article', 0)}, Basic "
        f"{run.afas.get('Profit_Article_Basic', 0)}, Barcode {run.afas.get('Profit_Barcode_per_Item', 0)}"
    )


def seconds_note(runs: list[ArticleRun]) -> str:
    return ", ".join(f"{r.seconds:.1f}" for r in runs) + " s"


def reach(run: ArticleRun) -> str:
    f = run.floor
    if f.refresh == "full":
        return "full refresh"
    return (
        f"the flow's rule {f.reads}: {f.reached_variants:,} variants / {f.reached_products:,} products changed "
        "since the last refresh − overlap − zone doubt"
    )


def calls_rows(sizes: Sizes, r: dict[str, Any]) -> list[Row]:
    first: list[ArticleRun] = r["first"]
    f0, lim, share = first[0], sizes.limits, r["share"]
    drawn = r["drawn"]
    mix = ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in sorted(drawn.items()))
    stopped = "partial: stopped at the reserve" if f0.outcome == "partial" else f0.outcome
    read_floor = sum(x.floor.reads for x in first)
    out = [
        heading(
            f"1. First sync, {sizes.items:,} AFAS items / {sizes.items:,} variants, generous budget "
            f"{lim[0]:,}/{lim[1]:,}/{lim[2]:,}, a run every hour (articles may use {share} calls a 5-min window)"
        ),
        heading(f"   the shop differed as an import months ago left it ({MIX.describe()}, drawn per item): {mix};"),
        heading(f"   so {r['before']['variants']:,} variants and {r['before']['products']:,} products to write"),
        row("   runs until every field is written", len(first), math.ceil(f0.floor.ls_calls / share)),
        row("   first run: Lightspeed calls", f0.ls_calls, min(share, f0.floor.ls_calls), f"{f0.reads} reads + {f0.writes} PUTs; {stopped}"),
        row("   first run: Lightspeed reads (full refresh)", f0.reads, f0.floor.reads, reads_note(f0)),
        row("   all runs: Lightspeed reads", sum(x.reads for x in first), f0.floor.reads, f"the flow's rule: {read_floor} (later runs re-read their own writes)"),
        row("   all runs: PUT /variants/{id}.json", sum(x.variant_puts for x in first), f0.floor.variant_puts),
        row("   all runs: PUT /products/{id}.json", sum(x.product_puts for x in first), f0.floor.product_puts, "title / visibility, one language"),
        row("   all runs: other Lightspeed calls", sum(x.other_ls + x.posts + x.product_variants for x in first), 0),
        row("   first run: AFAS calls (full read)", f0.afas_calls, f0.floor.afas, afas_note(f0)),
        *([row("   later runs: AFAS calls per run (most)", max(x.afas_calls for x in first[1:]), max(x.floor.afas for x in first[1:]), "incremental Profit_Article; prices and barcodes in full")] if len(first) > 1 else []),
        row("   429s met", sum(x.rate_limited for x in first), 0),
        ("   wall time per run", f"{sum(x.seconds for x in first):.1f} s", "", "", seconds_note(first)),
    ]  # fmt: skip
    for q in r["quiet"]:
        name = "2. Quiet, the next run" if q is r["quiet"][0] else "   quiet, steady state"
        out.append(row(f"{name}: Lightspeed reads", q.reads, 3, f"{reads_note(q)}; {reach(q)}"))
        out.append(row("      Lightspeed writes", q.writes + q.product_variants, 0))
        out.append(row("      AFAS calls", q.afas_calls, q.floor.afas, afas_note(q)))
        out.append(("      wall time", f"{q.seconds:.1f} s", "", "", ""))
    c = r["changed"]
    out += [
        heading(f"3. {r['prices'] + r['titles']} AFAS items changed (2 %): {r['prices']} prices (ModifiedDate unmoved), {r['titles']} descriptions"),
        row("   PUT /variants/{id}.json", c.variant_puts, c.floor.variant_puts, "the prices: found by the full price read"),
        row("   PUT /products/{id}.json", c.product_puts, c.floor.product_puts, "the titles: found by the incremental item read"),
        row("   Lightspeed reads", c.reads, 3, f"{reads_note(c)}; {reach(c)}"),
        row("   AFAS calls", c.afas_calls, c.floor.afas, afas_note(c) + f"; {c.floor.afas_reached} Article rows reached"),
        ("   wall time", f"{c.seconds:.1f} s", "", "", ""),
    ]  # fmt: skip
    k, a = r["created"], r["after_creation"]
    n = k.floor.creations
    most = max(r["new_products"].values(), default=0)
    out += [
        heading(f"4. {n} new AFAS items, create_missing on (floor 3 calls a product)"),
        row("   POST /products.json", k.posts, n),
        row("   GET /variants.json?product= (its default variant)", k.product_variants, n),
        row("   PUT /variants/{id}.json (filling it in)", k.variant_puts, n),
        row("   GET /products.json?created_at_min= (a lost POST looked for)", k.created_since, 0),
        row("   Lightspeed calls", k.ls_calls, k.floor.ls_calls, f"{reads_note(k)}; {reach(k)}"),
        row("   products per new item code (most)", most, 1, f"{len(r['new_products'])} of {n} items have a product"),
        row("   the next run: Lightspeed writes", a.writes + a.product_variants, 0, f"reads {a.reads}"),
        ("   wall time", f"{k.seconds:.1f} s", "", "", f"next run {a.seconds:.1f} s"),
    ]  # fmt: skip
    return out


def budget_rows(sizes: Sizes, r: dict[str, Any]) -> list[Row]:
    runs: list[ArticleRun] = r["runs"]
    least5, least_hour = min(x.left[0] for x in runs), min(x.left[1] for x in runs)
    orders_429 = sum(x.orders["rate_limited"] for x in runs if x.orders)
    booked = sum(x.orders["booked"] or 0 for x in runs if x.orders)
    wanted = sum(x.orders["orders"] for x in runs if x.orders)
    target = 1 - r["reserve"]
    return [
        heading(f"5. The budget shared with orders: every run above, then an orders run of {sizes.orders_per_run} new orders in its 5-min window (reserve {r['reserve']:.0%})"),
        ("   least share of a 5-min window left to orders", f"{least5:.1%}", "", "", f"target ≥ {1 - target:.0%}: {'met' if least5 >= r['reserve'] else 'MISSED'}"),
        ("   least share of an hour window left to orders", f"{least_hour:.1%}", "", "", f"target ≥ {1 - target:.0%}: {'met' if least_hour >= r['reserve'] else 'MISSED'}"),
        row("   429s met by orders", orders_429, 0),
        row("   orders booked", booked, wanted),
        row("   429s met by articles", sum(x.rate_limited for x in runs), 0),
    ]  # fmt: skip


def window_table(r: dict[str, Any]) -> str:
    from lightspeed_afas.tables import text_table

    header = ("run", "articles calls", "reads", "writes", "orders calls", "5-min used", "left to orders")
    header += ("hour used", "left to orders (hour)", "orders 429s", "articles run")
    cells = []
    for i, x in enumerate(r["runs"], 1):
        o = x.orders or {"calls": 0, "rate_limited": 0}
        used = x.windows_after_orders or x.windows
        cells.append(
            (str(i), str(x.ls_calls), str(x.reads), str(x.writes + x.product_variants), str(o["calls"]))
            + (
                f"{used[0]} / {x.limits[0]}",
                f"{x.left[0]:.1%}",
                f"{used[1]} / {x.limits[1]}",
                f"{x.left[1]:.1%}",
            )
            + (str(o["rate_limited"]), f"{x.label}: {x.outcome}")
        )
    title = "per run (an articles run, then an orders run; each run starts fresh 5-min and hour windows):"
    return title + "\n" + text_table(header, cells, rule=True)


def format_table(rows: list[Row]) -> str:
    names = ("figure", "measured", "floor", "ratio", "note")
    body = [r for r in rows if r[1]]
    widths = [max([len(n)] + [len(r[i]) for r in body]) for i, n in enumerate(names)]
    lines = ["  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for r in rows:
        if not r[1]:
            lines.append(r[0])
            continue
        cells = [r[0].ljust(widths[0]), *(c.rjust(w) for c, w in zip(r[1:4], widths[1:4], strict=True)), r[4]]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def check(r: dict[str, Any]) -> None:
    """The facts every run must show (not speeds): nothing written twice, the windows not crossed."""
    for x in r["runs"]:
        assert x.rate_limited == 0, f"{x.label}: {x.rate_limited} 429s"
        assert x.windows[0] == x.ls_calls, f"{x.label}: its calls spread over two 5-min windows"
        if x.orders:
            assert x.orders["booked"] == x.orders["orders"], f"{x.label}: orders not booked: {x.orders}"
    for q in r["quiet"]:
        assert q.writes == 0, f"{q.label}: {q.writes} writes"
    assert r["after_creation"].writes == 0 and r["after_creation"].posts == 0
    assert max(r["new_products"].values(), default=0) == 1, "a new item has two products"


def run(sizes: Sizes, out: Path | None) -> dict[str, Any]:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="lsafas-bench-articles-") as tmp:
        result = scenario(Path(tmp), sizes)
    check(result)
    rows = calls_rows(sizes, result) + budget_rows(sizes, result)
    table = format_table(rows) + "\n\n" + window_table(result)
    seconds = time.perf_counter() - started
    print(table + f"\n\n(the articles benchmark took {seconds / 60:.1f} minutes)", flush=True)
    if out is not None:
        raw = [json.dumps(asdict(x), sort_keys=True, default=str) for x in result["runs"]]
        text = (
            common.header("Articles flow: calls, writes, wall time, budget shared with orders")
            + "\n\n"
            + table
        )
        common.write_result(
            out.name, text + f"\n\n({seconds / 60:.1f} minutes)\n\nraw:\n" + "\n".join(raw), out.parent
        )
    return {"sizes": sizes, **result}


def summary_rows(result: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """Rows for the combined table (``python -m bench``): benchmark, measured, floor, target."""
    sizes, first, quiet, changed, created = (
        result["sizes"], result["first"], result["quiet"][-1], result["changed"], result["created"],
    )  # fmt: skip
    sync_calls = sum(x.ls_calls for x in first)
    sync_floor = first[0].floor.ls_calls
    least = min(x.left[0] for x in result["runs"])
    orders_429 = sum(x.orders["rate_limited"] for x in result["runs"] if x.orders)
    n_changed = result["prices"] + result["titles"]
    return [
        (f"7. Articles, first sync of {sizes.items:,} items ({len(first)} runs): Lightspeed calls", f"{sync_calls:,}", f"{sync_floor:,}", ratio(sync_calls, sync_floor)),
        ("   articles, quiet run in steady state: Lightspeed calls (writes)", f"{quiet.ls_calls} ({quiet.writes})", "3 (0)", f"0 writes: {'met' if quiet.writes == 0 else 'MISSED'}"),
        (f"   articles, {n_changed} AFAS items changed: PUTs", f"{changed.variant_puts + changed.product_puts}", f"{changed.floor.writes}", ratio(changed.variant_puts + changed.product_puts, changed.floor.writes)),
        (f"   articles, {created.floor.creations} products created: Lightspeed calls", f"{created.ls_calls}", f"{created.floor.ls_calls}", ratio(created.ls_calls, created.floor.ls_calls)),
        ("   articles runs: least 5-min share left to orders", f"{least:.1%}", "", f"≥ {result['reserve']:.0%}: {'met' if least >= result['reserve'] else 'MISSED'}"),
        ("   orders' 429s during the articles runs", f"{orders_429}", "0", f"0: {'met' if orders_429 == 0 else 'MISSED'}"),
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    common.airflow_env()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: proves the bench works")
    parser.add_argument("--out", type=Path, default=common.RESULTS / "articles.txt")
    args = parser.parse_args(argv)
    run(SMOKE if args.smoke else FULL, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
