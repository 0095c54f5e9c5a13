"""Calls per order against the API floor, first sync and re-sync, for 100 / 1,000 / 5,000 orders.

Both emulators run in threads of this process (real HTTP on loopback, no rate limit, no latency: this
benchmark counts calls, it does not time them). The shop gets a realistic mix (``common.order_mix``:
70 % returning customers whose debtors already exist in AFAS, 20 % new customers, 10 % guests); the
pipeline's four steps run for a fixed window (a manual ``since``/``until`` run); then 10 % of the orders
change (one more of a product) and the same window runs again. Calls are read from the emulators'
``GET /_admin/calls``. The largest size runs every task in a process of its own and reports each
task's peak RSS (benchmark 5).

The floor is the least any connector needs with these APIs:

- Lightspeed: ``ceil(orders / 250)`` list pages + 1 per order that needs booking (its lines);
- AFAS: 1 write per new or changed order, 1 insert per relation that does not exist yet, and the batched
  look-ups: the orders by reference and the debtors by e-mail (new orders), the orders by reference and
  their line GUIDs (changed orders), each in as few OR-filter calls as AFAS's 2,049-character URL allows.

    python -m bench.bench_calls                      # 100 and 1,000 (3 runs each), 5,000 (1 run)
    python -m bench.bench_calls --smoke              # 20 orders, one run
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bench import common

PAGE = 250
CHANGED = 0.10
TARGET_LS = 1.01
TARGET_AFAS_RETURNING = 1.15
SUBPROCESS_FROM = 5000  # sizes from here run each task in its own process and report peak RSS


@dataclass
class RunFigures:
    """The calls of one pipeline run, and the floor for it."""

    orders: int  # orders in the window
    to_book: int  # orders that needed an AFAS write (new or changed)
    booked: int  # orders AFAS accepted
    lightspeed: dict[str, int]
    afas: dict[str, int]
    ls_floor: int
    afas_floor: int
    afas_floor_parts: dict[str, int]
    seconds: float
    tasks: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ls_total(self) -> int:
        return sum(self.lightspeed.values())

    @property
    def afas_total(self) -> int:
        return sum(self.afas.values())

    def afas_kind(self, *verbs: str, connectors: tuple[str, ...] = ()) -> int:
        return sum(
            n
            for key, n in self.afas.items()
            if key.split(" ")[0] in verbs and (not connectors or key.rsplit("/", 1)[-1] in connectors)
        )

    @property
    def order_writes(self) -> int:
        return self.afas_kind("POST", "PUT", "DELETE", connectors=("FbSales", "FbDirectInvoice"))

    @property
    def relation_inserts(self) -> int:
        return self.afas_kind("POST", connectors=("KnSalesRelationPer", "KnSalesRelationOrg"))

    @property
    def lookups(self) -> int:
        return self.afas_kind("GET")


def api_calls(summary: dict[str, Any]) -> dict[str, int]:
    """Only the per-route counters (the AFAS emulator mixes ``status …`` counters into ``calls``)."""
    return {
        k: int(v)
        for k, v in summary["calls"].items()
        if k.split(" ")[0] in ("GET", "POST", "PUT", "DELETE", "PATCH")
    }


def lookup_batches(
    afas_url: str, connector: str, field_id: str, order_by: list[str], values: list[str]
) -> int:
    """How many OR-filter calls the look-up of ``values`` needs at least (AFAS's URL limit)."""
    from lightspeed_afas.hooks.afas import DEFAULT_TAKE
    from lightspeed_afas.hooks.afas_filters import split_to_fit

    unique = sorted({v for v in values if v})
    if not unique:
        return 0
    base = f"{afas_url}/ProfitRestServices/connectors/{quote(connector, safe='')}"
    fixed = [("skip", "0"), ("take", str(DEFAULT_TAKE)), ("orderbyfieldids", ",".join(order_by))]
    return len(split_to_fit(base, fixed, field_id, unique))


def first_sync_floor(stack: common.Stack, mix: common.OrderMix, numbers: list[str]) -> dict[str, int]:
    lookups = common.settings().lookups
    emails = sorted({s["email"].strip().lower() for s in mix.specs})
    return {
        "order writes": len(mix.specs),
        "relation inserts": len(mix.emails("new") | mix.emails("guest")),
        "orders by reference": lookup_batches(
            stack.afas_url,
            lookups.order_connector,
            lookups.order_reference_field,
            [lookups.order_number_field],
            numbers,
        ),
        "debtors by e-mail": lookup_batches(
            stack.afas_url,
            lookups.debtor_connector,
            lookups.debtor_email_field,
            [lookups.debtor_id_field],
            emails,
        ),
    }


def resync_floor(stack: common.Stack, changed_numbers: list[str], afas_numbers: list[str]) -> dict[str, int]:
    lookups = common.settings().lookups
    return {
        "order writes": len(changed_numbers),
        "orders by reference": lookup_batches(
            stack.afas_url,
            lookups.order_connector,
            lookups.order_reference_field,
            [lookups.order_number_field],
            changed_numbers,
        ),
        "line GUIDs": lookup_batches(
            stack.afas_url,
            lookups.lines_connector,
            lookups.lines_order_field,
            [lookups.lines_order_field, lookups.lines_guid_field],
            afas_numbers,
        ),
    }


def one_run(
    stack: common.Stack, ledger_url: str, run_id: str, mix: common.OrderMix, subprocesses: bool
) -> tuple[float, list[dict[str, Any]]]:
    stack.reset_calls()
    started = time.perf_counter()
    tasks: list[dict[str, Any]] = []
    if subprocesses:
        _, figures = common.run_in_subprocesses(ledger_url, run_id, mix.window, stack.workdir)
        tasks = [asdict(f) for f in figures]
    else:
        common.run_in_process(ledger_url, run_id, mix.window)
    return time.perf_counter() - started, tasks


def scenario(workdir: Path, size: int, seed: str, subprocesses: bool) -> tuple[RunFigures, RunFigures]:
    """A first sync of ``size`` orders and a re-sync of the same window after 10 % changed."""
    with common.emulator_stack(workdir) as stack:
        mix = common.order_mix(size, seed)
        created = stack.seed(mix)
        numbers = [o["number"] for o in created]
        ledger_url = stack.new_ledger(f"ledger-{size}-{seed}")

        seconds, tasks = one_run(stack, ledger_url, f"first-{size}-{seed}", mix, subprocesses)
        ls, afas = (api_calls(c) for c in stack.calls())
        parts = first_sync_floor(stack, mix, numbers)
        booked_refs = {o["fields"]["RfCs"] for o in stack.afas("GET", "/state")["orders"]}
        first = RunFigures(
            orders=size,
            to_book=size,
            booked=sum(1 for n in numbers if n in booked_refs),
            lightspeed=ls,
            afas=afas,
            ls_floor=math.ceil(size / PAGE) + size,
            afas_floor=sum(parts.values()),
            afas_floor_parts=parts,
            seconds=seconds,
            tasks=tasks,
        )

        changes = common.change_some(mix, CHANGED, seed)
        for index, body in changes:
            stack.shop("PATCH", f"/orders/{created[index]['id']}", body)
        changed_numbers = [numbers[i] for i, _ in changes]
        afas_numbers = [
            o["OrNu"]
            for o in stack.afas("GET", "/state")["orders"]
            if o["fields"]["RfCs"] in set(changed_numbers)
        ]
        seconds, tasks = one_run(stack, ledger_url, f"resync-{size}-{seed}", mix, subprocesses)
        ls, afas = (api_calls(c) for c in stack.calls())
        parts = resync_floor(stack, changed_numbers, afas_numbers)
        updated = stack.afas("GET", "/state")["orders"]
        resync = RunFigures(
            orders=size,
            to_book=len(changes),
            booked=sum(1 for o in updated if o["fields"]["RfCs"] in set(changed_numbers)),
            lightspeed=ls,
            afas=afas,
            ls_floor=math.ceil(size / PAGE) + len(changes),
            afas_floor=sum(parts.values()),
            afas_floor_parts=parts,
            seconds=seconds,
            tasks=tasks,
        )
        return first, resync


@dataclass
class SizeResult:
    size: int
    runs: list[tuple[RunFigures, RunFigures]]

    def spread(self, which: int, value: Any) -> common.Spread:
        return common.Spread.of([float(value(pair[which])) for pair in self.runs])


def run(
    sizes: list[int],
    repetitions: int,
    big_repetitions: int,
    out: Path | None,
    subprocess_from: int = SUBPROCESS_FROM,
) -> list[SizeResult]:
    results: list[SizeResult] = []
    raw: list[str] = []
    with tempfile.TemporaryDirectory(prefix="lsafas-bench-calls-") as tmp:
        for size in sizes:
            subprocesses = size >= subprocess_from
            reps = big_repetitions if subprocesses else repetitions
            pairs = []
            for rep in range(1, reps + 1):
                workdir = Path(tmp) / f"{size}-{rep}"
                workdir.mkdir()
                first, resync = scenario(workdir, size, f"r{rep}", subprocesses)
                pairs.append((first, resync))
                for kind, figures in (("first", first), ("resync", resync)):
                    raw.append(
                        f"orders={size} run={kind} rep={rep} "
                        + json.dumps(asdict(figures), sort_keys=True, default=str)
                    )
                print(
                    f"  calls: {size} orders, run {rep}/{reps}: first sync {first.seconds:.1f} s, "
                    f"re-sync {resync.seconds:.1f} s",
                    flush=True,
                )
            results.append(SizeResult(size, pairs))
    table = format_table(results)
    print(table)
    if out is not None:
        common.write_result(
            out.name,
            common.header("Calls per order") + "\n\n" + table + "\n\nraw:\n" + "\n".join(raw),
            out.parent,
        )
    return results


def _row(label: str, cells: list[str], widths: list[int]) -> str:
    return f"{label:<34}" + " ".join(f"{c:>{w}}" for c, w in zip(cells, widths, strict=True))


def format_table(results: list[SizeResult]) -> str:
    widths = [22] * len(results)
    head = _row(
        "", [f"{r.size:,} orders ({len(r.runs)} run{'s' * (len(r.runs) > 1)})" for r in results], widths
    )
    lines = [
        "Calls per order (median of the runs, lowest–highest in brackets; floor in square brackets)",
        head,
        "first sync",
    ]

    def add(label: str, which: int, value: Any, digits: int = 3, floor: Any = None) -> None:
        cells = []
        for r in results:
            text = r.spread(which, value).fmt(digits)
            if floor is not None:
                text += f" [{statistics.median(float(floor(p[which])) for p in r.runs):.{digits}f}]"
            cells.append(text)
        lines.append(_row(f"  {label}", cells, widths))

    add("Lightspeed calls", 0, lambda f: f.ls_total, 0, lambda f: f.ls_floor)
    add("Lightspeed per order", 0, lambda f: f.ls_total / f.orders, 3, lambda f: f.ls_floor / f.orders)
    add("AFAS calls", 0, lambda f: f.afas_total, 0, lambda f: f.afas_floor)
    add("  look-ups", 0, lambda f: f.lookups, 0, lambda f: f.afas_floor - f.to_book - _rel_floor(f))
    add("  relation inserts", 0, lambda f: f.relation_inserts, 0, _rel_floor)
    add("  order writes", 0, lambda f: f.order_writes, 0, lambda f: f.to_book)
    add(
        "AFAS per booked order",
        0,
        lambda f: f.afas_total / max(1, f.booked),
        3,
        lambda f: f.afas_floor / f.to_book,
    )
    add(
        "AFAS per order, returning cust.",
        0,
        lambda f: (f.afas_total - f.relation_inserts) / max(1, f.booked),
        3,
        lambda f: (f.afas_floor - _rel_floor(f)) / f.to_book,
    )
    add("orders booked", 0, lambda f: f.booked, 0, lambda f: f.to_book)
    lines.append("re-sync of the same window (10 % changed)")
    add("Lightspeed calls", 1, lambda f: f.ls_total, 0, lambda f: f.ls_floor)
    add("Lightspeed per order", 1, lambda f: f.ls_total / f.orders, 3, lambda f: f.ls_floor / f.orders)
    add("AFAS calls", 1, lambda f: f.afas_total, 0, lambda f: f.afas_floor)
    add("  look-ups", 1, lambda f: f.lookups, 0, lambda f: f.afas_floor - f.to_book)
    add("  order writes", 1, lambda f: f.order_writes, 0, lambda f: f.to_book)
    add(
        "AFAS writes, unchanged orders",
        1,
        lambda f: f.order_writes + f.relation_inserts - f.booked,
        0,
        lambda f: 0,
    )
    lines.append("calls by endpoint (last run)")
    for which, label in ((0, "first"), (1, "re-sync")):
        for r in results:
            figures = r.runs[-1][which]
            by_endpoint = ", ".join(
                f"{k} {v}" for k, v in sorted({**figures.lightspeed, **figures.afas}.items())
            )
            lines.append(f"  {label} {r.size:,}: {by_endpoint}")
    return "\n".join(lines)


def _rel_floor(f: RunFigures) -> int:
    return f.afas_floor_parts.get("relation inserts", 0)


def verdicts(results: list[SizeResult]) -> list[str]:
    """One line per target: met or missed, with the figure."""
    out = []
    for r in results:
        ls = max(pair[0].ls_total / pair[0].orders for pair in r.runs)
        afas = max((p[0].afas_total - p[0].relation_inserts) / max(1, p[0].booked) for p in r.runs)
        unchanged = max(p[1].order_writes + p[1].relation_inserts - p[1].booked for p in r.runs)
        out.append(
            f"{r.size:,} orders: Lightspeed {ls:.3f}/order ({'met' if ls <= TARGET_LS else 'MISSED'}, "
            f"target ≤ {TARGET_LS}); AFAS {afas:.3f}/booked order of returning customers "
            f"({'met' if afas <= TARGET_AFAS_RETURNING else 'MISSED'}, target ≤ {TARGET_AFAS_RETURNING}); "
            f"AFAS writes for unchanged orders on re-sync {unchanged} ({'met' if unchanged == 0 else 'MISSED'}, target 0)"
        )
    return out


def summary(results: list[SizeResult]) -> dict[str, Any]:
    """Figures for the combined table (``python -m bench``)."""
    rows = {}
    for r in results:
        rows[r.size] = {
            "runs": len(r.runs),
            "ls_first": r.spread(0, lambda f: f.ls_total / f.orders),
            "ls_first_floor": statistics.median(p[0].ls_floor / p[0].orders for p in r.runs),
            "afas_first": r.spread(0, lambda f: f.afas_total / max(1, f.booked)),
            "afas_first_floor": statistics.median(p[0].afas_floor / p[0].to_book for p in r.runs),
            "afas_returning": r.spread(0, lambda f: (f.afas_total - f.relation_inserts) / max(1, f.booked)),
            "afas_returning_floor": statistics.median(
                (p[0].afas_floor - _rel_floor(p[0])) / p[0].to_book for p in r.runs
            ),
            "ls_resync": r.spread(1, lambda f: f.ls_total / f.orders),
            "ls_resync_floor": statistics.median(p[1].ls_floor / p[1].orders for p in r.runs),
            "afas_resync": r.spread(1, lambda f: f.afas_total / max(1, f.to_book)),
            "afas_resync_floor": statistics.median(p[1].afas_floor / p[1].to_book for p in r.runs),
            "unchanged_writes": r.spread(1, lambda f: f.order_writes + f.relation_inserts - f.booked),
            "booked": r.spread(0, lambda f: f.booked),
            "tasks": [p[0].tasks for p in r.runs] + [p[1].tasks for p in r.runs],
            "first_tasks": [p[0].tasks for p in r.runs],
            "resync_tasks": [p[1].tasks for p in r.runs],
        }
    return {"rows": rows, "verdicts": verdicts(results)}


def main(argv: list[str] | None = None) -> int:
    common.airflow_env()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="20 orders, one run: proves the bench works")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--repetitions", type=int, default=3, help="runs per size below 5,000")
    parser.add_argument("--big-repetitions", type=int, default=1, help="runs at 5,000 (each ~2 minutes)")
    parser.add_argument("--out", type=Path, default=common.RESULTS / "calls.txt")
    args = parser.parse_args(argv)
    if args.smoke:
        results = run([20], 1, 1, args.out, subprocess_from=20)
    else:
        results = run(args.sizes, args.repetitions, args.big_repetitions, args.out)
    print("\n".join(verdicts(results)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
