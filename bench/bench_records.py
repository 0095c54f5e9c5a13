"""The customers and credit-notes flows (Lightspeed → AFAS, record by record): calls against the floor,
wall time, relations created and credits booked — and that none is made twice.

Both emulators run in threads of this process (no rate limit: the calls are the subject here; the
budget these flows share with the orders flow is the hook's, measured for the stock and articles
flows); each flow's steps run in-process through the task glue (``record_scenarios``, which also says
how the floors are computed: from the emulators' data just before each run).

Customers (``lightspeed_afas_<tenant>__customers``):

1. 1,000 customers registered in the shop since the last run: 10 % with a relation AFAS already has for
   their e-mail (typed there in another case), 15 % as a company (an organisation relation), the rest
   persons; the first run finds or creates one relation per e-mail.
2. A quiet run: nothing changed (the sync's customers registered 3–6 hours ago, before the window and
   its 120-minute overlap).
3. ``include: new_and_changed``: 2 % of the customers changed, half of them a new e-mail address (a new
   relation; the old one stays), half only their address (found again, never overwritten).

Credit notes (``lightspeed_afas_<tenant>__credit_notes``):

4. 300 credit notes over about 220 of 240 booked orders (the benchmarks' order mix: discounts, payment
   costs, shipping): partial refunds (one unit of a line), shipping only, and two credit notes for one order
   (one unit, then the rest with the costs); a fifth of the orders were booked in AFAS before this
   ledger (so the flow reads their number from the shop, and their debtor from AFAS by reference).
5. A quiet run.

    python -m bench.bench_records              # the sizes above (under a minute)
    python -m bench.bench_records --smoke      # 40 customers, 20 credit notes (seconds)
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import common
from bench.record_scenarios import (
    PAGE,
    RELATION_INSERTS,
    Bench,
    RecordRun,
    afas_credits,
    afas_relations,
    book_orders,
    change_customers,
    date_invoices,
    doc_total,
    make_credit_notes,
    norm,
    people,
    seed_customers,
    write_tenant,
)


@dataclass(frozen=True)
class Sizes:
    customers: int
    known: float  # share with a relation in AFAS already
    companies: float
    changed: int  # 2 %
    notes: int
    orders: int
    outside_ledger: float  # share of the orders booked before this ledger


FULL = Sizes(1_000, 0.10, 0.15, 20, 300, 240, 0.2)
SMOKE = Sizes(40, 0.10, 0.15, 2, 20, 14, 0.2)


# -- the scenarios ---------------------------------------------------------------------------------------


def customers_scenario(workdir: Path, sizes: Sizes) -> dict[str, Any]:
    with common.emulator_stack(workdir) as stack:
        bench = Bench.open(stack, "customers")
        persons = people(sizes.customers, sizes.known, sizes.companies, datetime.now(UTC))
        customers = seed_customers(stack, persons)
        emails = {norm(p.email) for p in persons}
        first = bench.measure("customers", "first sync", bench.customers_floor(emails))
        after_first = customer_books(stack, bench, customers)
        quiet = bench.measure("customers", "quiet", bench.customers_floor(set()))
        write_tenant(stack, include="new_and_changed")
        new_emails, new_addresses = change_customers(stack, customers, sizes.changed, datetime.now(UTC))
        changed_emails = {norm(customers[c].email) for c in new_emails + new_addresses}
        changed = bench.measure("customers", "2 % changed", bench.customers_floor(changed_emails))
        final = customer_books(stack, bench, customers)
    return {
        "first": first,
        "quiet": quiet,
        "changed": changed,
        "after_first": after_first,
        "final": final,
        "known": sum(p.known for p in persons),
        "companies": sum(p.company is not None for p in persons),
        "new_emails": len(new_emails),
        "new_addresses": len(new_addresses),
    }


def customer_books(stack: common.Stack, bench: Bench, customers: dict[int, Any]) -> dict[str, Any]:
    """Every customer against AFAS and the ledger: one relation per e-mail, the ledger's debtor that one."""
    relations = afas_relations(stack)
    states = bench.ledger.item_states(common.TENANT_ID, "customers", list(customers))
    duplicates = {e: d for e, d in relations.items() if len(d) > 1}
    without = [c for c, p in customers.items() if len(relations.get(norm(p.email), [])) != 1]
    ledger_off = [
        c
        for c, p in customers.items()
        if c not in states or [states[c].debtor_id] != relations.get(norm(p.email), [])
    ]
    return {"relations": sum(len(d) for d in relations.values()), "duplicates": len(duplicates),
            "without_one": len(without), "ledger_off": len(ledger_off)}  # fmt: skip


def credit_scenario(workdir: Path, sizes: Sizes) -> dict[str, Any]:
    with common.emulator_stack(workdir) as stack:
        bench = Bench.open(stack, "credit-notes")
        orders = book_orders(stack, sizes.orders, sizes.outside_ledger, bench.ledger_url)
        notes = make_credit_notes(stack, orders, sizes.notes)
        invoices = date_invoices(stack, datetime.now(UTC))
        first = bench.measure("credit_notes", "first sync", bench.credit_floor())
        quiet = bench.measure("credit_notes", "quiet", bench.credit_floor())
        books = credit_books(stack, bench, notes)
    kinds: dict[str, int] = {}
    for note in notes:
        kinds[note.kind] = kinds.get(note.kind, 0) + 1
    credited = {n.order_number for n in notes}
    return {
        "first": first,
        "quiet": quiet,
        "books": books,
        "kinds": kinds,
        "orders_credited": len(credited),
        "outside_ledger": len(credited & orders.outside_ledger),
        "outside_notes": sum(1 for n in notes if n.order_number in orders.outside_ledger),
        "invoices": invoices,
    }


def credit_books(stack: common.Stack, bench: Bench, notes: list[Any]) -> dict[str, Any]:
    docs = afas_credits(stack)
    states = bench.ledger.item_states(common.TENANT_ID, "credit_notes", [n.id for n in notes])
    twice = [n.number for n in notes if len(docs.get(n.number, [])) > 1]
    lost = [n.number for n in notes if not docs.get(n.number)]
    off = [
        n.number
        for n in notes
        if len(docs.get(n.number, [])) == 1 and doc_total(docs[n.number][0]) != -n.price_incl
    ]
    unrecorded = [
        n.number for n in notes if n.id not in states or states[n.id].status not in ("created", "linked")
    ]
    return {"booked": sum(1 for n in notes if docs.get(n.number)), "twice": len(twice), "lost": len(lost),
            "off_by_a_cent": len(off), "ledger_not_booked": len(unrecorded), "examples": (twice + lost + off)[:5]}  # fmt: skip


# -- the table -------------------------------------------------------------------------------------------

Row = tuple[str, str, str, str, str, str]  # figure, measured, floor, ratio, per record, note


def ratio(measured: float, floor: float) -> str:
    if floor == 0:
        return "-" if measured == 0 else f"+{measured:,.0f}"
    return f"{measured / floor:.3f}×"


def per(measured: float, floor: float, records: int) -> str:
    return f"{measured / records:.3f} / {floor / records:.3f}" if records else ""


def row(label: str, measured: float, floor: float, records: int = 0, note: str = "") -> Row:
    return (
        label,
        f"{measured:,.0f}",
        f"{floor:,.0f}",
        ratio(measured, floor),
        per(measured, floor, records),
        note,
    )


def fact(label: str, measured: Any, wanted: Any, note: str = "") -> Row:
    return (
        label,
        f"{measured:,}" if isinstance(measured, int) else str(measured),
        f"{wanted:,}" if isinstance(wanted, int) else str(wanted),
        "",
        "",
        note,
    )


def heading(text: str) -> Row:
    return (text, "", "", "", "", "")


def seconds(run: RecordRun) -> Row:
    records = run.floor.records
    rate = f"{records / run.seconds:,.0f} records/s" if records and run.seconds else ""
    return ("   wall time", f"{run.seconds:.1f} s", "", "", "", rate)


def ls_note_customers(run: RecordRun) -> str:
    extra = f" + {run.ls['by_id']} by id" if run.ls.get("by_id") else ""
    text = f"{run.ls['pages']} page(s) of customers{extra} ({run.floor.reached:,} in the window)"
    return text + empty_page(run)


def empty_page(run: RecordRun) -> str:
    """Why a window of an exact multiple of 250 rows costs one page more than its floor."""
    if run.ls["pages"] == run.floor.pages + 1 and run.floor.reached and run.floor.reached % PAGE == 0:
        return f"; the pager reads until a short page: an empty page after {run.floor.reached:,} rows"
    return ""


def afas_note_customers(run: RecordRun) -> str:
    parts = ", ".join(f"{route.split('/')[-1]} {n}" for route, n in sorted(run.afas.items()))
    return f"{parts or 'none'}; floor {run.floor.afas_parts.get('e-mail look-ups', 0)} look-ups + {run.floor.afas_inserts} inserts"


def customer_rows(sizes: Sizes, r: dict[str, Any]) -> list[Row]:
    first, quiet, changed = r["first"], r["quiet"], r["changed"]
    created = first.counts.get("created", 0)
    out = [
        heading(f"1. Customers, first sync: {sizes.customers:,} new customers ({r['known']} with an AFAS relation "
                f"already, {r['companies']} companies), include: new"),
        row("   Lightspeed calls", first.ls_calls, first.floor.ls, first.floor.records, ls_note_customers(first)),
        row("   AFAS calls", first.afas_calls, first.floor.afas, first.floor.records, afas_note_customers(first)),
        row("   AFAS e-mail look-ups (batched)", first.afas_lookups, first.floor.afas_lookups, first.floor.records),
        row("   AFAS relation inserts", first.afas_inserts, first.floor.afas_inserts, first.floor.records,
            f"{sum(first.afas.get(k, 0) for k in RELATION_INSERTS[1:])} organisations"),
        fact("   relations created / found", f"{created:,} / {first.counts.get('linked', 0):,}",
             f"{sizes.customers - r['known']:,} / {r['known']:,}", f"outcome {first.outcome}"),
        fact("   e-mails with two AFAS relations", r["after_first"]["duplicates"], 0),
        fact("   customers without exactly one relation, ledger's debtor not it", f"{r['after_first']['without_one']}, {r['after_first']['ledger_off']}", "0, 0"),
        seconds(first),
        heading("2. Customers, quiet run (nothing changed)"),
        row("   Lightspeed calls", quiet.ls_calls, quiet.floor.ls, 0, ls_note_customers(quiet)),
        row("   AFAS calls", quiet.afas_calls, 0),
        seconds(quiet),
        heading(f"3. Customers, {sizes.changed} changed (2 %), include: new_and_changed: {r['new_emails']} a new "
                f"e-mail address, {r['new_addresses']} their address only"),
        row("   Lightspeed calls", changed.ls_calls, changed.floor.ls, changed.floor.records, ls_note_customers(changed)),
        row("   AFAS calls", changed.afas_calls, changed.floor.afas, changed.floor.records, afas_note_customers(changed)),
        fact("   relations created / found", f"{changed.counts.get('created', 0)} / {changed.counts.get('linked', 0)}",
             f"{r['new_emails']} / {r['new_addresses']}", "the old address's relation stays; none is changed"),
        fact("   e-mails with two AFAS relations", r["final"]["duplicates"], 0),
        fact("   customers without exactly one relation, ledger's debtor not it", f"{r['final']['without_one']}, {r['final']['ledger_off']}", "0, 0"),
        seconds(changed),
    ]  # fmt: skip
    return out


def ls_note_credits(run: RecordRun) -> str:
    ls = run.ls
    text = f"{ls['pages']} invoice page(s) + {ls['items']} items + {ls['orders']} orders"
    if ls.get("invoice"):
        text += f" + {ls['invoice']} invoices"
    if ls.get("other"):
        text += f" + {ls['other']} other"
    text += f"; floor {run.floor.pages} + {run.floor.items} + {run.floor.orders} ({run.floor.reached:,} invoices in the window)"
    return text + empty_page(run)


def afas_note_credits(run: RecordRun) -> str:
    parts = ", ".join(f"{route.split('/')[-1]} {n}" for route, n in sorted(run.afas.items()))
    floor = " + ".join(f"{n} {k}" for k, n in run.floor.afas_parts.items())
    return f"{parts or 'none'}; floor {floor}"


def credit_rows(sizes: Sizes, r: dict[str, Any]) -> list[Row]:
    first, quiet, books = r["first"], r["quiet"], r["books"]
    kinds = ", ".join(f"{k} {n}" for k, n in sorted(r["kinds"].items()))
    return [
        heading(f"4. Credit notes, first sync: {sizes.notes} credit notes over {r['orders_credited']} booked orders "
                f"({kinds}); {r['outside_notes']} of them for {r['outside_ledger']} orders this ledger has not booked"),
        row("   Lightspeed calls", first.ls_calls, first.floor.ls, first.floor.records, ls_note_credits(first)),
        row("   Lightspeed order look-ups (the ledger lacks the order)", first.ls["orders"], first.floor.orders, first.floor.records,
            f"one per credit note, not per order: {r['outside_notes']} notes, {r['outside_ledger']} orders" if first.ls["orders"] > first.floor.orders else ""),
        row("   AFAS calls", first.afas_calls, first.floor.afas, first.floor.records, afas_note_credits(first)),
        row("   AFAS credit inserts", first.afas_inserts, first.floor.afas_inserts, first.floor.records),
        fact("   credits booked", books["booked"], sizes.notes, f"outcome {first.outcome}; {first.counts.get('created', 0)} created, {first.counts.get('linked', 0)} linked"),
        fact("   credit notes booked twice", books["twice"], 0),
        fact("   credit notes lost / not booked in the ledger", f"{books['lost']} / {books['ledger_not_booked']}", "0 / 0"),
        fact("   credits whose total is not −priceIncl to the cent", books["off_by_a_cent"], 0),
        seconds(first),
        heading("5. Credit notes, quiet run (nothing changed)"),
        row("   Lightspeed calls", quiet.ls_calls, quiet.floor.ls, 0, ls_note_credits(quiet)),
        row("   AFAS calls", quiet.afas_calls, 0),
        seconds(quiet),
    ]  # fmt: skip


def format_table(rows: list[Row]) -> str:
    names = ("figure", "measured", "floor", "ratio", "per record (measured / floor)", "note")
    body = [r for r in rows if r[1]]
    widths = [max([len(n)] + [len(r[i]) for r in body]) for i, n in enumerate(names)]
    lines = ["  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for r in rows:
        if not r[1]:
            lines.append(r[0])
            continue
        cells = [r[0].ljust(widths[0]), *(c.rjust(w) for c, w in zip(r[1:5], widths[1:5], strict=True)), r[5]]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def check(customers: dict[str, Any], credits: dict[str, Any]) -> None:
    """The facts every run must show (not speeds): nothing made twice, nothing lost, every total right."""
    for books in (customers["after_first"], customers["final"]):
        assert books == {**books, "duplicates": 0, "without_one": 0, "ledger_off": 0}, books
    for run in (
        customers["first"],
        customers["quiet"],
        customers["changed"],
        credits["first"],
        credits["quiet"],
    ):
        assert run.outcome in ("success", "ok"), f"{run.flow} {run.label}: {run.outcome} {run.error or ''}"
    assert customers["quiet"].afas_calls == 0 and credits["quiet"].afas_calls == 0
    books = credits["books"]
    assert (books["twice"], books["lost"], books["off_by_a_cent"], books["ledger_not_booked"]) == (
        0,
        0,
        0,
        0,
    ), books


def run(sizes: Sizes, out: Path | None) -> dict[str, Any]:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="lsafas-bench-records-") as tmp:
        customers = customers_scenario(Path(tmp) / "customers", sizes)
        credits = credit_scenario(Path(tmp) / "credits", sizes)
    check(customers, credits)
    table = format_table(customer_rows(sizes, customers) + credit_rows(sizes, credits))
    took = time.perf_counter() - started
    print(table + f"\n\n(the records benchmark took {took / 60:.1f} minutes)", flush=True)
    if out is not None:
        runs = [
            customers["first"],
            customers["quiet"],
            customers["changed"],
            credits["first"],
            credits["quiet"],
        ]
        raw = [
            json.dumps({"run": f"{x.flow}/{x.label}", **asdict(x)}, sort_keys=True, default=str) for x in runs
        ]
        raw.append(json.dumps({"run": "books", "customers": customers["final"], "credit_notes": credits["books"],
                               "sizes": asdict(sizes)}, sort_keys=True))  # fmt: skip
        text = (
            common.header("Customers and credit-notes flows: calls against the floor, wall time, books")
            + "\n\n"
            + table
        )
        common.write_result(
            out.name, text + f"\n\n({took / 60:.1f} minutes)\n\nraw:\n" + "\n".join(raw), out.parent
        )
    return {"sizes": sizes, "customers": customers, "credits": credits}


def summary_rows(result: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """Rows for a combined table (``python -m bench``'s): benchmark, measured, floor, target."""
    sizes, c, k = result["sizes"], result["customers"], result["credits"]
    first, kfirst = c["first"], k["first"]
    n, m = first.floor.records, kfirst.floor.records
    return [
        (f"8. Customers, {sizes.customers:,} new: Lightspeed / AFAS calls per customer", f"{first.ls_calls / n:.3f} / {first.afas_calls / n:.3f}", f"{first.floor.ls / n:.3f} / {first.floor.afas / n:.3f}", f"0 duplicates: {'met' if c['final']['duplicates'] == 0 else 'MISSED'}"),
        ("   customers, quiet run: Lightspeed calls (AFAS calls)", f"{c['quiet'].ls_calls} ({c['quiet'].afas_calls})", "1 (0)", ""),
        (f"9. Credit notes, {sizes.notes}: Lightspeed / AFAS calls per credit note", f"{kfirst.ls_calls / m:.3f} / {kfirst.afas_calls / m:.3f}", f"{kfirst.floor.ls / m:.3f} / {kfirst.floor.afas / m:.3f}", f"0 twice, 0 off: {'met' if k['books']['twice'] == k['books']['off_by_a_cent'] == 0 else 'MISSED'}"),
        ("   credit notes, quiet run: Lightspeed calls (AFAS calls)", f"{k['quiet'].ls_calls} ({k['quiet'].afas_calls})", "1 (0)", ""),
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    common.airflow_env()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: proves the bench works")
    parser.add_argument("--out", type=Path, default=common.RESULTS / "records.txt")
    args = parser.parse_args(argv)
    run(SMOKE if args.smoke else FULL, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
