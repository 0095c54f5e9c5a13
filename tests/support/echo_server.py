"""A misbehaving HTTP server for the hooks' tests: it answers what the test tells it to, and can echo.

``serve(respond)`` runs a threaded HTTP/1.1 server on 127.0.0.1, port 0, until the block exits; every
request is recorded and handed to ``respond``, which returns a ``Reply``. ``echo`` reflects the
request's headers and body back, the way a debugging proxy or a careless error page does.
At exit the server stops, every open connection is shut and every handler thread is joined.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit


@dataclass(frozen=True)
class Seen:
    """One request as the server saw it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    client_port: int


@dataclass
class Reply:
    """What to answer: a status, headers and a body (bytes, or chunks sent with chunked encoding)."""

    status: int
    body: bytes | Iterable[bytes] = b""
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})


@dataclass
class EchoServer:
    url: str
    seen: list[Seen]

    def count(self, path_part: str = "") -> int:
        return sum(1 for s in self.seen if path_part in s.path)


def echo(request: Seen, encode: Callable[[dict[str, object]], str]) -> str:
    """The request's headers (Authorization first) and body, as ``encode`` serializes them."""
    headers = dict(sorted(request.headers.items(), key=lambda kv: kv[0].lower() != "authorization"))
    return encode({"headers": headers, "body": request.body.decode("utf-8", errors="replace")})


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no Nagle delay per answer
        with self.server.lock:
            self.server.open.add(self.connection)

    def finish(self) -> None:
        with contextlib.suppress(OSError):
            super().finish()
        with self.server.lock:
            self.server.open.discard(self.connection)

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        pass

    def _any(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        split = urlsplit(self.path)
        seen = Seen(
            self.command,
            split.path,
            dict(parse_qsl(split.query)),
            dict(self.headers.items()),
            self.rfile.read(length) if length else b"",
            self.client_address[1],
        )
        with self.server.lock:
            self.server.seen.append(seen)
        reply = self.server.respond(seen)
        try:
            self._answer(reply)
        except OSError:  # the client stopped reading (as a bounded reader should): fine
            self.close_connection = True

    def _answer(self, reply: Reply) -> None:
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if isinstance(reply.body, bytes):
            if "Content-Length" not in reply.headers:
                self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
            return
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for chunk in reply.body:
            self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        self.wfile.write(b"0\r\n\r\n")

    do_GET = do_POST = do_PUT = do_DELETE = _any


class _Server(ThreadingHTTPServer):
    daemon_threads = False
    block_on_close = True

    def __init__(self, respond: Callable[[Seen], Reply]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.respond = respond
        self.seen: list[Seen] = []
        self.open: set[socket.socket] = set()
        self.lock = threading.Lock()


@contextlib.contextmanager
def serve(respond: Callable[[Seen], Reply]) -> Iterator[EchoServer]:
    """Serve ``respond`` on 127.0.0.1 (a free port) until the block exits."""
    server = _Server(respond)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="echo-server", daemon=True
    )
    thread.start()
    try:
        yield EchoServer(f"http://127.0.0.1:{server.server_address[1]}", server.seen)
    finally:
        server.shutdown()
        with server.lock:
            for conn in list(server.open):
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
        server.server_close()  # joins the handler threads
        thread.join()
