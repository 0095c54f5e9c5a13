"""``python -m emulators.lightspeed --port 8081 --seed demo``"""

from __future__ import annotations

import argparse

from emulators.lightspeed import LightspeedConfig, create_app
from emulators.server import serve_forever


def main() -> None:
    parser = argparse.ArgumentParser(description="Lightspeed eCom API emulator (loopback only by default)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--seed", default="demo")
    parser.add_argument("--orders", type=int, default=60)
    parser.add_argument("--rate-limit", default="300/3000/12000", help="5min/hour/day budgets per API key")
    parser.add_argument("--clock-scale", type=float, default=1.0, help="emulated seconds per real second")
    parser.add_argument("--filter-timezone", default="Europe/Amsterdam")
    parser.add_argument("--api-key", default=LightspeedConfig.api_key)
    parser.add_argument("--api-secret", default=LightspeedConfig.api_secret)
    args = parser.parse_args()
    limits = tuple(int(x) for x in args.rate_limit.split("/"))
    if len(limits) != 3:
        parser.error("--rate-limit needs three numbers: 5min/hour/day")
    config = LightspeedConfig(
        api_key=args.api_key,
        api_secret=args.api_secret,
        seed=args.seed,
        orders=args.orders,
        rate_limits=limits,  # type: ignore[arg-type]
        clock_scale=args.clock_scale,
        filter_timezone=args.filter_timezone,
    )
    print(f"Lightspeed eCom emulator on http://{args.host}:{args.port}/nl/orders.json", flush=True)
    print(
        f"  basic auth: {args.api_key} / {args.api_secret}   seed {args.seed!r}, {args.orders} orders",
        flush=True,
    )
    serve_forever(create_app(config), args.host, args.port)


if __name__ == "__main__":
    main()
