"""The webhooks part of `make demo` (scripts/demo.sh): an order placed in the emulated shop, its webhook
sent to the receiver, the run it starts, and the seconds until the order is in AFAS.

    python scripts/demo_webhooks.py place-order LIGHTSPEED_URL AFAS_URL [--timeout 180]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.request
from datetime import UTC, datetime
from typing import Any


def call(url: str, method: str = "GET", body: Any = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.load(answer)


def place_order(lightspeed: str, afas: str, timeout: float) -> int:
    now = datetime.now(UTC).isoformat(timespec="seconds")
    spec = {
        "email": "webhook.klant@example.nl", "firstname": "Wim", "lastname": "Haak", "createdAt": now,
        "updatedAt": now, "lines": [{"articleCode": "ART-1001", "productTitle": "Koffiebonen 1 kg",
                                     "quantityOrdered": 1, "basePriceIncl": "12.95", "taxRate": "0.09"}],
    }  # fmt: skip
    started = time.monotonic()
    (placed,) = call(f"{lightspeed}/_admin/orders", "POST", {"orders": [spec]})["orders"]
    print(f"Placed order {placed['number']} in the shop at {now}; waiting for it in AFAS ...")
    while time.monotonic() - started < timeout:
        orders = call(f"{afas}/_admin/state")["orders"]
        found = next((o for o in orders if o["fields"].get("RfCs") == placed["number"]), None)
        if found:
            print(
                f"Order {placed['number']} is AFAS sales order {found['OrNu']} after "
                f"{time.monotonic() - started:.0f} s (no wait for the quarter-hour)."
            )
            deliveries = call(f"{lightspeed}/_admin/webhook_deliveries")["summary"]
            print(f"Webhook deliveries so far: {deliveries}")
            return 0
        time.sleep(1)
    print(
        f"Order {placed['number']} was not in AFAS after {timeout:.0f} s; see .demo/receiver.log and the DAG runs."
    )
    return 1


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    placing = sub.add_parser("place-order")
    placing.add_argument("lightspeed")
    placing.add_argument("afas")
    placing.add_argument("--timeout", type=float, default=180)
    args = parser.parse_args(argv)
    return place_order(args.lightspeed.rstrip("/"), args.afas.rstrip("/"), args.timeout)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
