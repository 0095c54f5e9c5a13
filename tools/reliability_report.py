"""Print the reliability suite's figures as a table (``make reliability`` runs it after the tests).

    python tools/reliability_report.py .cache/reliability/report.json [--markdown]

The JSON is written by ``tests/reliability/conftest.py`` when ``RELIABILITY_REPORT`` is set.
Exit status 1 when the figures show a duplicate, a lost order, a leak, a bad input that was not
handled cleanly, or a stock level wrong at the end (or a variant the stock flow should have left alone
changed, or a ledger that disagrees with the shop), or a duplicate or lost product or an article field
wrong at the end (or a product AFAS has no item for changed, or an article write log that disagrees with
the shop) — so a green ``make reliability`` means the table says what the promise says.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

BOOKS = (
    "scenarios checked",
    "orders accounted for",
    "duplicate orders",
    "duplicate relations",
    "lost orders",
)
# The stock flow's checks (tests/reliability/test_stock_faults.py), in print order; the bad ones must be 0.
STOCK = (
    "stock scenarios checked",
    "stock levels right at the end",
    "stock levels wrong at the end",
    "variants left alone untouched",
    "variants left alone but changed",
    "ledger map levels agreeing with the shop",
    "ledger map levels disagreeing or missing",
    "ledger pushes agreeing with the shop",
    "ledger pushes disagreeing with the shop",
)
STOCK_BAD = (
    "stock levels wrong at the end",
    "variants left alone but changed",
    "ledger map levels disagreeing or missing",
    "ledger pushes disagreeing with the shop",
)
# The articles flow's checks (tests/reliability/test_article_faults.py), in print order; the bad ones must be 0.
ARTICLES = (
    "article scenarios checked",
    "article fields right at the end",
    "article fields wrong at the end",
    "AFAS items with exactly one product",
    "duplicate products",
    "AFAS items without a product (lost)",
    "products without an AFAS item untouched",
    "products without an AFAS item changed",
    "ledger article writes agreeing with the shop",
    "ledger article writes unanswered, settled later",
    "ledger article writes disagreeing with the shop",
    "article fields written twice in one run",
    "products created with one 'created' row",
    "products created with more or no 'created' row",
    "ledger article items disagreeing with the shop",
)
ARTICLES_BAD = (
    "article fields wrong at the end",
    "duplicate products",
    "AFAS items without a product (lost)",
    "products without an AFAS item changed",
    "ledger article writes disagreeing with the shop",
    "article fields written twice in one run",
    "products created with more or no 'created' row",
    "ledger article items disagreeing with the shop",
)


def rows(report: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(section, what, figure) in print order."""
    out: list[tuple[str, str, str]] = []
    for kind, n in sorted(report.get("faults", {}).items()):
        out.append(("faults injected", kind, str(n)))
    runs = report.get("runs", {})
    for kind in sorted(k for k in runs if not k.endswith(", survived")):
        survived = runs.get(f"{kind}, survived")
        figure = f"{survived} / {runs[kind]}" if survived is not None else str(runs[kind])
        out.append(("runs survived" if survived is not None else "runs", kind, figure))
    checks = report.get("checks", {})
    for kind in BOOKS:
        out.append(("books", kind, str(checks.get(kind, 0))))
    if any(kind in checks for kind in STOCK):
        for kind in STOCK:
            out.append(("stock", kind, str(checks.get(kind, 0))))
    if any(kind in checks for kind in ARTICLES):
        for kind in ARTICLES:
            out.append(("articles", kind, str(checks.get(kind, 0))))
    for kind in sorted(set(checks) - set(BOOKS) - set(STOCK) - set(ARTICLES)):
        out.append(("checks", kind, str(checks[kind])))
    bad = report.get("bad_inputs", {})
    for kind in (
        "tried",
        "rejected with a specific reason",
        "absorbed and booked correctly",
        "refused by AFAS",
        "filter injections tried",
        "filter injections without effect",
    ):
        out.append(("bad inputs", kind, str(bad.get(kind, 0))))
    for kind, n in sorted(report.get("leaks", {}).items()):
        out.append(("leaks", kind, str(n)))
    return out


def problems(report: dict[str, Any]) -> list[str]:
    found = []
    checks, bad, leaks = report.get("checks", {}), report.get("bad_inputs", {}), report.get("leaks", {})
    for kind in ("duplicate orders", "duplicate relations", "lost orders", *STOCK_BAD, *ARTICLES_BAD):
        if checks.get(kind, 0):
            found.append(f"{checks[kind]} {kind}")
    handled = bad.get("rejected with a specific reason", 0) + bad.get("absorbed and booked correctly", 0)
    if handled != bad.get("tried", 0):
        found.append(f"{bad.get('tried', 0) - handled} bad inputs not handled cleanly")
    if bad.get("refused by AFAS", 0):
        found.append(f"AFAS refused {bad['refused by AFAS']} payloads")
    if bad.get("filter injections tried", 0) != bad.get("filter injections without effect", 0):
        found.append("a filter injection changed a look-up")
    for kind in ("secrets found", "customer details found in the basic log"):
        if leaks.get(kind, 0):
            found.append(f"{leaks[kind]} {kind}")
    runs = report.get("runs", {})
    for kind, n in runs.items():
        if not kind.endswith(", survived") and f"{kind}, survived" in runs and runs[f"{kind}, survived"] != n:
            found.append(f"runs {kind}: {n - runs[f'{kind}, survived']} did not survive")
    return found


def render(report: dict[str, Any], markdown: bool = False) -> str:
    table = rows(report)
    header = ("", "", "")
    if markdown:
        lines = ["| section | what | figure |", "|---|---|---:|"]
        lines += [f"| {s} | {w} | {f} |" for s, w, f in table]
    else:
        widths = [max(len(r[i]) for r in [header, *table]) for i in range(3)]
        lines = []
        previous = None
        for section, what, figure in table:
            shown = section if section != previous else ""
            previous = section
            lines.append(f"{shown.ljust(widths[0])}  {what.ljust(widths[1])}  {figure.rjust(widths[2])}")
    title = f"Reliability suite ({report.get('examples', '?')} seeded fault plans)"
    verdict = problems(report)
    clean = "0 duplicates, 0 lost orders, 0 leaks"
    if any(kind in report.get("checks", {}) for kind in STOCK):
        clean += ", 0 stock levels wrong"
    if any(kind in report.get("checks", {}) for kind in ARTICLES):
        clean += ", 0 duplicate or lost products, 0 article fields wrong"
    footer = "Verdict: " + ("; ".join(verdict) if verdict else clean)
    return "\n".join([title, "", *lines, "", footer])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path)
    parser.add_argument("--markdown", action="store_true", help="a Markdown table (for the README)")
    args = parser.parse_args(argv)
    if not args.report.exists():
        print(f"{args.report}: no figures (run the suite with RELIABILITY_REPORT set)", file=sys.stderr)
        return 2
    report = json.loads(args.report.read_text(encoding="utf-8"))
    print(render(report, args.markdown))
    return 1 if problems(report) else 0


if __name__ == "__main__":
    sys.exit(main())
