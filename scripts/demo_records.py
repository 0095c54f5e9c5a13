"""The customers and credit-notes part of `make demo` (scripts/demo.sh): a customer who registers in the
demo shop without ordering, and a refund of an order AFAS already holds; then what the two flows booked.

    python scripts/demo_records.py seed LIGHTSPEED_URL AFAS_URL   # the registered customer and the refund
    python scripts/demo_records.py show AFAS_URL                  # what the flows booked, ledger and AFAS

Both are dated 20 minutes ago (the emulator's admin API allows it), so the first scheduled run of each
DAG — whose window ends at the last quarter-hour — finds them. Needs the demo's environment
(``source .demo/env``) for ``show``, as ``python -m lightspeed_afas log`` does.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.request
from datetime import UTC, datetime, timedelta
from typing import Any

TENANT = "demo"
EMAIL = "nieuwe.klant@example.nl"


def call(url: str, method: str = "GET", body: Any = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.load(answer)


def seed(lightspeed: str, afas: str) -> None:
    moment = (datetime.now(UTC) - timedelta(minutes=20)).isoformat(timespec="seconds")
    customer = call(
        f"{lightspeed}/_admin/customers",
        "POST",
        {"email": EMAIL, "firstname": "Noor", "middlename": "van", "lastname": "Dijk", "street": "Lange Nieuwstraat",
         "number": "8", "zipcode": "3512 PH", "city": "Utrecht", "country": "nl", "isConfirmed": True,
         "created_at": moment, "updatedAt": moment},
    )["customer"]  # fmt: skip
    print(f"Registered customer {customer['id']} (no orders yet) in the shop.")
    booked = {o["fields"].get("RfCs") for o in call(f"{afas}/_admin/state")["orders"]}
    shop = call(f"{lightspeed}/_admin/state")["orders"]
    order = next(o for o in shop if o["number"] in booked and o["products"]["resource"]["embedded"])
    line = order["products"]["resource"]["embedded"][0]
    body = {"credit": {"creditShipment": True, "orderProducts": [{"id": line["id"], "quantity": 1}]}}
    note = call(f"{lightspeed}/_admin/orders/{order['id']}/credit", "POST", body)["credit"]
    call(f"{lightspeed}/_admin/invoices/{note['id']}", "PUT", {"updatedAt": moment})
    call(f"{lightspeed}/_admin/orders/{order['id']}", "PATCH", {"updatedAt": moment})
    print(
        f"Refunded 1 × {line.get('articleCode') or line.get('productTitle')} and the shipping of order "
        f"{order['number']}: credit note {note['number']}, {note['priceIncl']} incl. VAT."
    )


def show(afas: str) -> None:
    from lightspeed_afas.ledger import Ledger, ledger_url_outside_tasks
    from lightspeed_afas.tables import text_table

    ledger = Ledger(ledger_url_outside_tasks())
    for flow in ("customers", "credit_notes"):
        items = ledger.items(TENANT, flow, limit=10)
        rows = [
            (
                str(s.item_id),
                s.number or "-",
                s.status,
                s.afas_id or "-",
                s.order_number or "-",
                (s.reason or "")[:70],
            )
            for s in items
        ]
        print(f"{flow.replace('_', ' ')} in the ledger (lsafas_flow_item):")
        print(text_table(("id", "number", "status", "AFAS", "order", "reason"), rows) if rows else "  (none)")
    state = call(f"{afas}/_admin/state")
    credits = [o for o in state["orders"] + state["invoices"] if o.get("credit")]
    for doc in credits:
        f = doc["fields"]
        print(
            f"AFAS credit {doc['OrNu']}: ref {f.get('RfCs')}, debtor {f.get('DbId')}, remark {f.get('Re')!r}, "
            f"total {doc['totals'].get('TotalAmount')}"
        )
        for line in doc["lines"]:
            print(
                f"    {line.get('ItCd')}  {line.get('QuUn')} × {line.get('Upri')}  VAT code {line.get('VaRc')}"
            )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    seeding = sub.add_parser("seed")
    seeding.add_argument("lightspeed")
    seeding.add_argument("afas")
    showing = sub.add_parser("show")
    showing.add_argument("afas")
    args = parser.parse_args(argv)
    if args.command == "seed":
        seed(args.lightspeed.rstrip("/"), args.afas.rstrip("/"))
    else:
        show(args.afas.rstrip("/"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
