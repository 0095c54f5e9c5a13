"""``python -m emulators.afas --port 8082``"""

from __future__ import annotations

import argparse
import base64

from emulators.afas import DEMO_TOKEN_DATA, AfasConfig, create_app
from emulators.server import serve_forever


def main() -> None:
    parser = argparse.ArgumentParser(description="AFAS Profit REST emulator (loopback only by default)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8082)
    parser.add_argument("--env-id", default="12345")
    parser.add_argument("--token-data", default=DEMO_TOKEN_DATA, help="the data part of the accepted token")
    args = parser.parse_args()
    config = AfasConfig(env_id=args.env_id, tokens={args.token_data: (None, None)})
    xml = f"<token><version>1</version><data>{args.token_data}</data></token>"
    print(
        f"AFAS Profit emulator on http://{args.host}:{args.port}/ProfitRestServices (environment {args.env_id})",
        flush=True,
    )
    print(f"  token: {xml}", flush=True)
    print(f"  header: Authorization: AfasToken {base64.b64encode(xml.encode()).decode()}", flush=True)
    serve_forever(create_app(config), args.host, args.port)


if __name__ == "__main__":
    main()
