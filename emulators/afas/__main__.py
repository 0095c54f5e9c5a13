"""``python -m emulators.afas --port 8082 [--host 127.0.0.1] [--env-id 12345] [--token-data HEX]``"""

from __future__ import annotations

import argparse
import base64
from datetime import datetime

from emulators.afas import DEMO_TOKEN_DATA, AfasConfig, AppConnector, create_app
from emulators.afas.config import AMSTERDAM
from emulators.server import serve_forever


def main() -> None:
    parser = argparse.ArgumentParser(description="AFAS Profit REST emulator (loopback only by default)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8082)
    parser.add_argument("--env-id", default="12345", help="environment number (5 digits)")
    parser.add_argument("--token-data", default=DEMO_TOKEN_DATA, help="the data part of the accepted token")
    parser.add_argument("--seed", type=int, default=AfasConfig.seed)
    parser.add_argument("--seeded-debtors", type=int, default=20, help="existing debtors at start")
    parser.add_argument("--base-time", default=None, help="emulator start time (ISO 8601); default: now")
    parser.add_argument("--max-in-flight", type=int, default=8)
    args = parser.parse_args()
    base_time = datetime.fromisoformat(args.base_time) if args.base_time else datetime.now(AMSTERDAM)
    if base_time.tzinfo is None:
        base_time = base_time.replace(tzinfo=AMSTERDAM)
    config = AfasConfig(
        env_id=args.env_id,
        tokens={args.token_data: AppConnector()},
        seed=args.seed,
        seeded_debtors=args.seeded_debtors,
        base_time=base_time,
        max_in_flight=args.max_in_flight,
    )
    xml = f"<token><version>1</version><data>{args.token_data}</data></token>"
    print(
        f"AFAS Profit emulator: http://{args.host}:{args.port}/ProfitRestServices (environment {args.env_id})"
    )
    print(f"  token:  {xml}")
    print(f"  header: Authorization: AfasToken {base64.b64encode(xml.encode()).decode()}")
    print(f"  admin:  http://{args.host}:{args.port}/_admin/state", flush=True)
    serve_forever(create_app(config), args.host, args.port)


if __name__ == "__main__":
    main()
