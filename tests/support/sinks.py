"""A local SMTP sink (aiosmtpd) and a local webhook receiver, both on loopback with free ports."""

from __future__ import annotations

import contextlib
import email
import email.policy
import json
import os
import random
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# Ports for servers that bind later, in another process (api-server, scheduler health, SMTP sink): never
# from the kernel's ephemeral range, where any outgoing connection may take the port between our check and
# the server's bind ("address already in use"), and each pytest-xdist worker in a slice of its own, so two
# workers never hand out the same one. Within a process a port is handed out once.
PORT_BASE, PORT_SLICE, SLICES = 20_000, 1_000, 12
_handed_out: set[int] = set()
_lock = threading.Lock()


def _worker_slice() -> range:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    index = int(worker) % SLICES if worker.isdigit() else 0
    start = PORT_BASE + index * PORT_SLICE
    return range(start, start + PORT_SLICE)


def free_port() -> int:
    """A loopback port no one listens on, outside the ephemeral range, not handed out before here."""
    candidates = list(_worker_slice())
    random.SystemRandom().shuffle(candidates)
    with _lock:
        for port in candidates:
            if port in _handed_out:
                continue
            with socket.socket() as sock:
                try:
                    sock.bind(("127.0.0.1", port))
                except OSError:
                    continue
            _handed_out.add(port)
            return port
    raise RuntimeError(f"no free port left in {_worker_slice()}")


@dataclass
class SmtpSink:
    port: int
    messages: list[EmailMessage] = field(default_factory=list)

    def conn_json(self) -> str:
        return json.dumps(
            {
                "conn_type": "smtp",
                "host": "127.0.0.1",
                "port": self.port,
                "extra": {"disable_ssl": True, "disable_tls": True, "from_email": "airflow@example.nl"},
            }
        )


@contextlib.contextmanager
def smtp_sink() -> Iterator[SmtpSink]:
    from aiosmtpd.controller import Controller

    sink = SmtpSink(free_port())

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
            sink.messages.append(message)
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


@dataclass
class WebhookReceiver:
    port: int
    bodies: list[dict[str, Any]] = field(default_factory=list)
    fail_with: int | None = None  # answer this status instead of 200

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/ops"

    def conn_json(self) -> str:
        return json.dumps({"conn_type": "http", "host": self.url})


@contextlib.contextmanager
def webhook_receiver() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver(0)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            body = json.loads(self.rfile.read(length))
            if receiver.fail_with:
                self.send_response(receiver.fail_with)
                self.end_headers()
                return
            receiver.bodies.append({"path": self.path, "content_type": self.headers["Content-Type"], **body})
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
