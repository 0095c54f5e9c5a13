"""Many emulated shops (or AFAS environments) behind one port, for the capacity benchmark: tenant ``n``'s
API is ``http://127.0.0.1:<port>/t/<n>`` (the connection's host), each an emulator of its own, made on
first use. A thousand servers would be a thousand threads or processes; one process per API keeps the
emulators' cost small and measurable (its CPU time is printed when it stops).

    python -m bench.emulator_mux lightspeed|afas --port P [--orders 3]

Shop ``n`` has API key ``key-<n>`` / secret ``secret-<n>`` (a budget of its own, as real shops have) and
``--orders`` generated orders (seed ``shop-<n>``); AFAS environment ``n`` knows every demo article.
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any

import uvicorn

from emulators.demo_catalogue import PRODUCTS

App = Callable[..., Any]


def shop_credentials(n: int) -> tuple[str, str]:
    return f"key-{n:05d}", f"secret-{n:05d}"


class Mux:
    """ASGI: ``/t/<n>/rest`` → the emulator of ``n`` with path ``/rest``."""

    def __init__(self, factory: Callable[[int], App]) -> None:
        self.factory = factory
        self.apps: dict[int, App] = {}
        self.lock = threading.Lock()

    def app_for(self, n: int) -> App:
        with self.lock:
            if n not in self.apps:
                self.apps[n] = self.factory(n)
            return self.apps[n]

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        parts = scope["path"].split("/", 3)  # "", "t", "<n>", rest
        if len(parts) < 3 or parts[1] != "t" or not parts[2].isdigit():
            await send({"type": "http.response.start", "status": 404, "headers": []})
            await send({"type": "http.response.body", "body": b'{"message": "no such tenant"}'})
            return
        rest = "/" + (parts[3] if len(parts) > 3 else "")
        inner = dict(scope, path=rest, raw_path=rest.encode(), root_path="")
        await self.app_for(int(parts[2]))(inner, receive, send)


def lightspeed_factory(orders: int) -> Callable[[int], App]:
    from emulators.lightspeed import LightspeedConfig, create_app

    def make(n: int) -> App:
        key, secret = shop_credentials(n)
        return create_app(LightspeedConfig(api_key=key, api_secret=secret, seed=f"shop-{n}", orders=orders))

    return make


def afas_factory() -> Callable[[int], App]:
    from emulators.afas import AfasConfig, create_app

    def make(n: int) -> App:
        app = create_app(AfasConfig())
        emulator = app.state.emulator
        catalogue = emulator.state.catalogue.copy()
        catalogue.apply({"items": {p.afas_item_code: {"type": "2", "units": ["STK"]} for p in PRODUCTS}})
        emulator.state.catalogue = catalogue
        return app

    return make


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("api", choices=["lightspeed", "afas"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--orders", type=int, default=3)
    args = parser.parse_args(argv)
    factory = lightspeed_factory(args.orders) if args.api == "lightspeed" else afas_factory()

    def report(*_: Any) -> None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        print(f"emulator_mux {args.api}: cpu {usage.ru_utime + usage.ru_stime:.1f} s", flush=True)
        os._exit(0)

    signal.signal(signal.SIGTERM, report)
    config = uvicorn.Config(Mux(factory), host="127.0.0.1", port=args.port, log_level="warning",
                            lifespan="off", access_log=False, timeout_keep_alive=30)  # fmt: skip
    uvicorn.Server(config).run()
    report()
    return 0


if __name__ == "__main__":
    sys.exit(main())
