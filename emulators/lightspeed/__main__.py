"""``python -m emulators.lightspeed --port 8081 --seed demo`` (loopback only unless --host says otherwise)."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime

from emulators.lightspeed import LightspeedConfig, create_app
from emulators.lightspeed.config import DEFAULT_BASE_TIME
from emulators.lightspeed.webhook_delivery import MODES, DeliverySettings
from emulators.server import serve_forever

# --webhook-<setting> options: the webhook sender's settings (see emulators/lightspeed/webhook_delivery.py).
WEBHOOK_OPTIONS = {
    "mode": (str, "async: a worker thread sends; sync: the call that caused an event waits for it"),
    "delay_ms": (float, "fixed delay before a delivery"),
    "jitter_ms": (float, "random extra delay, 0 to this"),
    "loss_rate": (float, "fraction of deliveries never sent"),
    "duplicate_rate": (float, "fraction of deliveries sent twice"),
    "bad_signature_rate": (float, "fraction of requests with a wrong X-Signature"),
    "retries": (int, "retries after a non-2xx answer or a timeout"),
    "retry_backoff_ms": (float, "wait before the first retry (doubling)"),
    "timeout_ms": (float, "timeout of one delivery attempt"),
    "seed": (str, "seed of the loss/duplicate/signature/jitter draws"),
}


def parse_base_time(value: str) -> datetime:
    if value == "now":  # the demo data then leads up to the moment of starting (not reproducible)
        return datetime.now(UTC).replace(microsecond=0)
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError("--base-time needs an offset, e.g. 2026-11-20T12:00:00+00:00")
    return moment


def main() -> None:
    parser = argparse.ArgumentParser(description="Lightspeed eCom API emulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--seed", default="demo")
    parser.add_argument("--orders", type=int, default=60)
    parser.add_argument("--rate-limit", default="300/3000/12000", help="5min/hour/day budgets per API key")
    parser.add_argument("--clock-scale", type=float, default=1.0, help="emulated seconds per real second")
    parser.add_argument("--filter-timezone", default="Europe/Amsterdam", choices=["Europe/Amsterdam", "UTC"])
    parser.add_argument("--languages", default="nl,en", help="active shop languages")
    parser.add_argument("--base-time", type=parse_base_time, default=DEFAULT_BASE_TIME, help="ISO or 'now'")
    parser.add_argument("--line-price-semantics", default="line_total", choices=["line_total", "unit"])
    parser.add_argument("--retry-after-format", default="seconds", choices=["seconds", "http-date"])
    parser.add_argument("--reset-quirk", action="store_true", help="stale remaining count after a reset")
    parser.add_argument(
        "--variant-rules",
        type=json.loads,
        default={},
        help='catalogue rules as JSON, e.g. \'{"stock_level_put": "delta"}\' (see emulators/lightspeed/catalog.py)',
    )
    parser.add_argument("--api-key", default=LightspeedConfig.api_key)
    parser.add_argument("--api-secret", default=LightspeedConfig.api_secret)
    parser.add_argument("--webhook-secret", default=None, help="signs X-Signature (default: the API secret)")
    defaults = DeliverySettings()
    for name, (kind, text) in WEBHOOK_OPTIONS.items():
        parser.add_argument(
            "--webhook-" + name.replace("_", "-"),
            type=kind,
            default=getattr(defaults, name),
            choices=MODES if name == "mode" else None,
            help=f"{text} (default {getattr(defaults, name)})",
        )
    parser.add_argument("--webhook-reorder", action="store_true", help="deliveries may overtake each other")
    args = parser.parse_args()
    delivery = {name: getattr(args, "webhook_" + name) for name in WEBHOOK_OPTIONS}
    delivery["reorder"] = args.webhook_reorder
    limits = tuple(int(x) for x in args.rate_limit.split("/"))
    if len(limits) != 3:
        parser.error("--rate-limit needs three numbers: 5min/hour/day")
    try:
        settings = DeliverySettings(**delivery)
    except ValueError as exc:
        parser.error(f"--webhook-…: {exc}")
    config = LightspeedConfig(
        api_key=args.api_key,
        api_secret=args.api_secret,
        webhook_secret=args.webhook_secret,
        webhook_delivery=settings,
        languages=tuple(args.languages.split(",")),
        seed=args.seed,
        orders=args.orders,
        rate_limits=limits,  # type: ignore[arg-type]
        clock_scale=args.clock_scale,
        filter_timezone=args.filter_timezone,
        base_time=args.base_time,
        line_price_semantics=args.line_price_semantics,
        retry_after_format=args.retry_after_format,
        reset_quirk=args.reset_quirk,
        variant_rules=args.variant_rules,
    )
    base = f"http://{args.host}:{args.port}"
    print(f"Lightspeed eCom emulator on {base}  (e.g. {base}/{config.languages[0]}/orders.json)", flush=True)
    print(f"  basic auth: {config.api_key} / {config.api_secret}", flush=True)
    print(f"  seed {config.seed!r}, {config.orders} orders up to {config.base_time.isoformat()}", flush=True)
    print(
        f"  admin API: {base}/_admin/state, /_admin/calls, … (see emulators/lightspeed/admin.py)", flush=True
    )
    print(
        f"  webhooks: {base}/{config.languages[0]}/webhooks.json; deliveries {base}/_admin/webhook_deliveries"
        f" ({settings.mode}, signed with the {'webhook' if args.webhook_secret else 'API'} secret)",
        flush=True,
    )
    serve_forever(create_app(config), args.host, args.port)


if __name__ == "__main__":
    main()
