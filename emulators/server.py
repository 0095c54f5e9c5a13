"""Run an emulator app on loopback: in a background thread (tests) or in the foreground (CLI)."""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import uvicorn
from fastapi import FastAPI


class _EmulatedFaultFilter(logging.Filter):
    """Keep uvicorn from printing a traceback for a connection the emulator dropped on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not (isinstance(exc, ConnectionAbortedError) and "emulated fault" in str(exc))


logging.getLogger("uvicorn.error").addFilter(_EmulatedFaultFilter())


@dataclass
class RunningServer:
    """A live emulator: its base URL and the app (whose ``state`` tests may inspect)."""

    app: FastAPI
    host: str
    port: int

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


@contextlib.contextmanager
def serve_in_thread(app: FastAPI, host: str = "127.0.0.1", port: int = 0) -> Iterator[RunningServer]:
    """Serve ``app`` over real HTTP on loopback until the block exits; port 0 picks a free port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    bound_port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False, timeout_keep_alive=30)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"emulator did not start on {host}:{bound_port}")
        time.sleep(0.01)
    try:
        yield RunningServer(app=app, host=host, port=bound_port)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def serve_forever(app: FastAPI, host: str, port: int) -> None:
    """Serve ``app`` in the foreground (the ``python -m emulators.<name>`` entry points)."""
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=False, timeout_keep_alive=30)


def admin_call(base_url: str, method: str, path: str, body: Any = None, timeout: float = 10) -> Any:
    """One call to an emulator's admin API (``/_admin…``); raises on an error status, returns the JSON."""
    import requests

    response = requests.request(method, f"{base_url}/_admin{path}", json=body, timeout=timeout)
    response.raise_for_status()
    return response.json()
