"""Processing cost without the network: 10,000 orders through what the pipeline does to each in-process.

The input is 10,000 raw orders as the Lightspeed API renders them (the emulator's own generator and
serializer: quirks, guests, companies, discounts, costs, 0 / 9 / 21 % lines). Per order, as the steps do:

- extract: ``parse_order`` (the raw JSON → ``WebshopOrder``), ``content_hash``, ``to_json`` (its XCom form);
- XCom: the batch through ``json.dumps``/``json.loads`` twice (extract → resolve → transform);
- resolve: ``from_json``, ``relation_key`` and, for guests and every fifth customer, ``new_relation``
  and its insert payload;
- transform: ``from_json``, ``booking.build_document`` (item and VAT codes, unit prices, discount split,
  costs, and the check against the webshop total to the cent — the validation) and the AFAS insert payload.

Orders per second over the whole batch (median of the runs), and peak memory: the Python allocations
of one pass (``tracemalloc``, a separate untimed pass because tracing slows it) and the process's RSS.

    python -m bench.bench_processing             # 10,000 orders, 5 runs
    python -m bench.bench_processing --smoke     # 200 orders, one run
"""

from __future__ import annotations

import argparse
import json
import resource
import time
import tracemalloc
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import common

TARGET = 2000.0  # orders per second


def raw_orders(count: int) -> list[dict[str, Any]]:
    """``count`` orders rendered exactly as the emulator's ``GET /orders/{id}.json`` returns them."""
    from emulators.lightspeed import demo, serialize

    shop = demo.generate_orders("bench-processing", count, datetime(2026, 11, 20, 12, tzinfo=UTC))
    return [
        serialize.render_order(o, "https://api.webshopapp.com", "nl", True, "line_total") for o in shop.orders
    ]


def process(
    raws: list[dict[str, Any]], settings: Any, timings: dict[str, float] | None = None
) -> Counter[str]:
    """Every order through the pipeline's in-process work; returns what happened to them."""
    from lightspeed_afas.domain.booking import BookingError, build_document
    from lightspeed_afas.domain.order_parsing import OrderDataError, parse_order
    from lightspeed_afas.domain.relations import RelationError, new_relation, relation_key
    from lightspeed_afas.domain.webshop_order import WebshopOrder

    outcome: Counter[str] = Counter()
    clock = time.perf_counter
    t0 = clock()
    to_book = []
    for raw in raws:
        try:
            order = parse_order(raw)
        except OrderDataError:
            outcome["unreadable"] += 1
            continue
        to_book.append({"order": order.to_json(), "hash": order.content_hash(), "intent": "new"})
    t1 = clock()
    carried = json.loads(json.dumps({"to_book": to_book}))
    t2 = clock()
    debtors: dict[str, str] = {}
    relations = []
    for n, item in enumerate(carried["to_book"]):
        order = WebshopOrder.from_json(item["order"])
        try:
            email = relation_key(order)
        except RelationError:
            outcome["no relation"] += 1
            continue
        if order.is_guest or n % 5 == 0:
            relation = new_relation(order, settings.countries, settings.relation_defaults)
            relations.append(relation.insert_payload())
        debtors[str(order.id)] = f"{10000 + n % 900}"
        del email
    t3 = clock()
    carried = json.loads(json.dumps({"to_book": carried["to_book"], "debtors": debtors}))
    t4 = clock()
    operations = []
    for item in carried["to_book"]:
        order = WebshopOrder.from_json(item["order"])
        debtor = carried["debtors"].get(str(order.id))
        if debtor is None:
            continue
        try:
            document = build_document(order, debtor, settings.rules)
        except BookingError:
            outcome["refused by the booking checks"] += 1
            continue
        operations.append({"op": "insert", "payload": document.insert_payload()})
        outcome["payload built"] += 1
    json.dumps({"operations": operations})
    t5 = clock()
    outcome["relations"] = len(relations)
    if timings is not None:
        for name, seconds in (
            ("parse + hash + XCom form", t1 - t0),
            ("XCom round trips (JSON)", (t2 - t1) + (t4 - t3)),
            ("resolve: e-mail key, new relations", t3 - t2),
            ("transform: build_document + payload", t5 - t4),
        ):
            timings[name] = timings.get(name, 0.0) + seconds
    return outcome


def run(count: int, repetitions: int, out: Path | None, profile: bool = True) -> dict[str, Any]:
    settings = common.settings()
    raws = raw_orders(count)
    process(raws[:50], settings)  # warm-up: imports, caches
    rates: list[float] = []
    stage_totals: dict[str, float] = {}
    outcome: Counter[str] = Counter()
    for _ in range(repetitions):
        started = time.perf_counter()
        outcome = process(raws, settings, stage_totals)
        rates.append(count / (time.perf_counter() - started))
    tracemalloc.start()
    process(raws, settings)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures = {
        "orders": count,
        "runs": repetitions,
        "rate": common.Spread.of(rates),
        "peak_alloc_mb": peak / 1024 / 1024,
        "rss_mb": rss_mb,
        "stages": {k: v / repetitions for k, v in stage_totals.items()},
        "outcome": dict(outcome),
    }
    profile_text = None
    if profile and figures["rate"].median < TARGET:
        profile_text = profile_once(raws, settings)
    table = format_table(figures)
    print(table)
    if out is not None:
        raw = "\n".join(f"run={i} orders_per_s={r:.1f}" for i, r in enumerate(rates, 1))
        text = common.header("Processing cost without the network") + "\n\n" + table + "\n\nraw:\n" + raw
        common.write_result(out.name, text, out.parent)
        if profile_text:
            common.write_result("profile-processing.txt", profile_text, out.parent)
    return figures


def profile_once(raws: list[dict[str, Any]], settings: Any) -> str:
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    profiler.start()
    process(raws, settings)
    profiler.stop()
    return profiler.output_text(unicode=False, color=False, show_all=False)


def format_table(f: dict[str, Any]) -> str:
    verdict = "met" if f["rate"].median >= TARGET else "MISSED"
    lines = [
        f"Processing {f['orders']:,} orders in-process ({f['runs']} runs; target ≥ {TARGET:,.0f} orders/s: {verdict})",
        f"  orders per second     {f['rate'].fmt(0)}",
        f"  peak Python memory    {f['peak_alloc_mb']:.1f} MB (tracemalloc, one pass holding the whole batch)",
        f"  process peak RSS      {f['rss_mb']:.0f} MB (input, Airflow and the package imported)",
        "  time per stage (mean of the runs):",
    ]
    total = sum(f["stages"].values()) or 1.0
    for name, seconds in f["stages"].items():
        lines.append(f"    {name:<38} {seconds:7.3f} s  {100 * seconds / total:4.0f} %")
    lines.append("  outcome of a pass: " + ", ".join(f"{k} {v}" for k, v in sorted(f["outcome"].items())))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    common.airflow_env()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="200 orders, one run")
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--out", type=Path, default=common.RESULTS / "processing.txt")
    args = parser.parse_args(argv)
    import tempfile

    with tempfile.TemporaryDirectory(prefix="lsafas-bench-proc-") as tmp:
        common.tenant_files(Path(tmp))
        if args.smoke:
            run(200, 1, args.out, profile=False)
        else:
            run(args.orders, args.repetitions, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
