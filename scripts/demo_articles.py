"""The articles part of `make demo` (scripts/demo.sh): what the articles runs wrote, read from the ledger
(``lsafas_article_write``, ``lsafas_flow_run``), and a price change made in the AFAS emulator.

    python scripts/demo_articles.py run [--skip N] [--brief]        # one articles run: outcome, counts, writes per field
    python scripts/demo_articles.py set-price AFAS_URL CODE PRICE   # change an item's price in the AFAS emulator
    python scripts/demo_articles.py writes --since ISO              # every field written since then, per run
    python scripts/demo_articles.py variant LIGHTSPEED_URL CODE     # the shop variant's prices now

Needs the demo's environment (``source .demo/env``), as ``python -m lightspeed_afas log`` does.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.request
from collections import Counter
from datetime import datetime
from typing import Any

TENANT = "demo"
FLOW = "articles"


def ledger() -> Any:
    from lightspeed_afas.ledger import Ledger, ledger_url_outside_tasks

    return Ledger(ledger_url_outside_tasks())


def table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    from lightspeed_afas.tables import text_table

    return text_table(header, rows)


def show(value: Any) -> str:
    text = "-" if value in (None, "") else str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def http_json(url: str, body: dict[str, Any] | None = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.load(answer)


def run_command(args: argparse.Namespace) -> int:
    """The articles run ``--skip`` runs before the newest: its outcome, counts, and writes per field."""
    book = ledger()
    runs = book.flow_runs(TENANT, FLOW, limit=args.skip + 1)
    if len(runs) <= args.skip:
        print("No articles run in the ledger yet.")
        return 1
    run = runs[args.skip]
    counts = run["counts"] or {}
    print(
        f"Run {run['run_id']}: {run['outcome']}. AFAS items {counts.get('afas_items', 0)}, followed "
        f"{counts.get('followed', 0)} ({counts.get('unchanged', 0)} already right), left alone "
        f"{counts.get('left_alone', 0)}; fields written {counts.get('written', 0)}, failed "
        f"{counts.get('failed', 0)}; Lightspeed calls {(run['calls'] or {}).get('lightspeed', '-')}, "
        f"AFAS calls {(run['calls'] or {}).get('afas', '-')}"
    )
    if args.brief:
        return 0
    writes = list(reversed(book.article_writes(TENANT, run["run_id"], limit=100_000)))
    per_field = Counter((w["field"], w["outcome"]) for w in writes)
    example: dict[tuple[str, str], dict[str, Any]] = {}
    for w in writes:
        example.setdefault((w["field"], w["outcome"]), w)
    if per_field:
        rows = [
            (
                field,
                outcome,
                str(n),
                f"{example[(field, outcome)]['item_code']}: {show(example[(field, outcome)]['old_value'])}"
                f" → {show(example[(field, outcome)]['new_value'])}",
            )
            for (field, outcome), n in sorted(per_field.items())
        ]
        print(table(("field", "result", "fields", "e.g. item: shop → AFAS"), rows))
    left = {c: r.reason for c, r in book.article_items(TENANT).items() if r.status != "followed"}
    for code, reason in sorted(left.items()):
        print(f"  left alone: {code}: {reason}")
    return 0


def set_price_command(args: argparse.Namespace) -> int:
    """Change one item's price in the AFAS emulator (``POST /_admin/articles``), saying what moved."""
    url = args.afas_url.rstrip("/") + "/_admin/articles"

    def article() -> dict[str, Any]:
        found = [a for a in http_json(url)["articles"] if a["code"] == args.code]
        if not found:
            raise SystemExit(f"the AFAS emulator has no article {args.code}")
        return found[0]

    before = article()
    http_json(url, {"articles": [{"code": args.code, "price": args.price}]})
    after = article()
    moved = (
        "moved"
        if after["modified"] != before["modified"]
        else "did not move (prices have no change date: every run reads them in full)"
    )
    print(
        f"AFAS item {args.code} ({before.get('description')}): BasicSalesPrice {before['price']} → "
        f"{after['price']} (excl. VAT); its ModifiedDate {moved}."
    )
    return 0


def writes_command(args: argparse.Namespace) -> int:
    """Every field the articles runs wrote since ``--since``, oldest first."""
    from lightspeed_afas.ledger.clock import aware

    since = datetime.fromisoformat(args.since)
    rows = [w for w in reversed(ledger().article_writes(TENANT, limit=100_000)) if aware(w["at"]) >= since]
    if not rows:
        print("(no field written since then)")
        return 1
    print(
        table(
            ("run", "AFAS item", "field", "shop", "AFAS", "result"),
            [
                (
                    w["run_id"],
                    w["item_code"],
                    w["field"] + (f" ({w['lang']})" if w["lang"] else ""),
                    show(w["old_value"]),
                    show(w["new_value"]),
                    w["outcome"] + (f": {w['reason'][:60]}" if w["reason"] else ""),
                )
                for w in rows
            ],
        )
    )
    return 0


def variant_command(args: argparse.Namespace) -> int:
    """The shop variant with this articleCode, as the Lightspeed emulator holds it now."""
    base = args.lightspeed_url.rstrip("/") + "/_admin/variants"
    found = [v for v in http_json(base)["variants"] if v.get("articleCode") == args.code]
    if not found:
        print(f"the shop has no variant with articleCode {args.code}")
        return 1
    variant = http_json(f"{base}/{found[0]['id']}")
    print(
        f"The shop's variant {variant['id']} ({args.code}) now: priceExcl {variant.get('priceExcl')}, "
        f"priceIncl {variant.get('priceIncl')}"
    )
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run")
    run.add_argument("--skip", type=int, default=0, help="0 = the newest run, 1 = the one before, …")
    run.add_argument("--brief", action="store_true", help="only the run's line, not its writes")
    run.set_defaults(func=run_command)
    price = sub.add_parser("set-price")
    price.add_argument("afas_url")
    price.add_argument("code")
    price.add_argument("price")
    price.set_defaults(func=set_price_command)
    writes = sub.add_parser("writes")
    writes.add_argument("--since", required=True, help="an ISO date-time with offset")
    writes.set_defaults(func=writes_command)
    variant = sub.add_parser("variant")
    variant.add_argument("lightspeed_url")
    variant.add_argument("code")
    variant.set_defaults(func=variant_command)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
