"""Notifications leak nothing and carry nothing: a failing webhook's URL (the credential) reaches no log
record and no return value, and text from data cannot ping a Slack channel or spoof a link."""

from __future__ import annotations

import contextlib
import json
import logging
import secrets
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from lightspeed_afas.ledger import Ledger
from lightspeed_afas.ops.notify import LightspeedAfasNotifier, chat_escape
from tests.support.dashboard import LEDGER_ENV
from tests.support.dashboard_seed import TENANT, frozen_ledger_clock, outcome, seed
from tests.support.sinks import webhook_receiver

TOKEN = "xwh" + secrets.token_hex(
    16
)  # the secret part of the webhook URL, as in Slack's /services/T/B/<token>
WEBHOOK_PATH = f"/services/T0AFAS01/B0AFAS02/{TOKEN}"


@pytest.fixture
def notify_tenant(tenants, tmp_path, monkeypatch):
    """The seeded tenant, notified through the webhook connection ``hook_ops`` (its URL set per test)."""
    path = tmp_path / "ledger.db"
    monkeypatch.setenv(LEDGER_ENV, json.dumps({"conn_type": "sqlite", "host": str(path)}))
    seeded = seed(f"sqlite:///{path}")
    tenants.tenant(TENANT, {"name": "Acme Dashboard Shop", "notifications": {"webhook_conn_id": "hook_ops"}})

    def use_webhook(url: str) -> None:
        monkeypatch.setenv("AIRFLOW_CONN_HOOK_OPS", json.dumps({"conn_type": "http", "host": url}))

    return seeded, use_webhook


def closed_port() -> int:
    """A port the OS handed out and that nothing listens on any more."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def echoing_webhook(status: int) -> Iterator[str]:
    """A webhook that refuses every message and echoes the request path in its answer."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            body = f"no such hook: {self.path}".encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def run_notifier(caplog: pytest.LogCaptureFixture) -> list[str]:
    """End a run the way load_to_afas's callback does; every captured log line, tracebacks included."""
    with caplog.at_level(logging.DEBUG):
        LightspeedAfasNotifier(TENANT)({"run_id": "manual__1"})
    formatter = logging.Formatter()
    return [formatter.format(record) for record in caplog.records if record.levelno >= logging.INFO]


def leaked_in_task_log(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Captured lines at any level (urllib3 logs request paths at DEBUG) that still hold the token after
    Airflow's secrets masker, which filters every line of a task log."""
    from airflow.sdk.log import _secrets_masker

    formatter = logging.Formatter()
    lines = [formatter.format(record) for record in caplog.records]
    return [line for line in lines if TOKEN in _secrets_masker().redact(line)]


def test_an_unreachable_webhook_leaves_its_url_in_no_log_and_no_result(notify_tenant, caplog):
    from lightspeed_afas.ops.notify import notify_problems

    _, use_webhook = notify_tenant
    use_webhook(f"http://127.0.0.1:{closed_port()}{WEBHOOK_PATH}")
    lines = run_notifier(caplog)
    assert not [line for line in lines if TOKEN in line]
    assert not leaked_in_task_log(caplog)
    failure = [line for line in lines if "Could not notify webhook" in line]
    assert failure and "the webhook of connection 'hook_ops' at 127.0.0.1 could not be reached" in failure[0]
    assert "ConnectionError" in failure[0] and "Connection refused" in failure[0]

    from lightspeed_afas.config import load_tenant

    result = notify_problems(load_tenant(TENANT), Ledger.from_airflow().engine, "manual__2")
    assert TOKEN not in repr(result)
    assert result["webhook"].startswith("error: the webhook of connection 'hook_ops' at 127.0.0.1 could not")


def test_a_refusing_webhook_says_its_status_without_the_url(notify_tenant, caplog):
    _, use_webhook = notify_tenant
    with echoing_webhook(404) as base:
        use_webhook(base + WEBHOOK_PATH)
        lines = run_notifier(caplog)
    assert not [line for line in lines if TOKEN in line]
    assert not leaked_in_task_log(caplog)
    failure = next(line for line in lines if "Could not notify webhook" in line)
    assert "refused the message: HTTP 404 Not Found (no such hook: ***)" in failure


def test_text_from_data_cannot_ping_a_channel_or_spoof_a_link(notify_tenant):
    seeded, use_webhook = notify_tenant
    reason = "Regel <!channel> <https://evil.example/pay|Betaal hier> & [Klik](https://evil.example)"
    with frozen_ledger_clock(seeded.now):
        Ledger(seeded.url).record(TENANT, "manual__1", [outcome(1006, "failed", reason=reason)], 3)
    with webhook_receiver() as hook:
        use_webhook(hook.url)
        LightspeedAfasNotifier(TENANT)({"run_id": "manual__<!here>"})
    text = hook.bodies[0]["text"]
    assert (
        "ORD1006 (failed): Regel &lt;!channel&gt; &lt;https://evil.example/pay|Betaal hier&gt; &amp; "
        "[Klik]\u200b(https://evil.example)"
    ) in text
    assert "Run: manual__&lt;!here&gt;" in text
    assert "<" not in text and ">" not in text.replace("→", "")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a & b", "a &amp; b"),
        ("<!channel>", "&lt;!channel&gt;"),
        ("&lt;", "&amp;lt;"),  # already-escaped text is shown as written, not decoded
        ("[label](https://x)", "[label]\u200b(https://x)"),
        ("Artikel 'X' (ItCd)", "Artikel 'X' (ItCd)"),
    ],
)
def test_chat_escape(value, expected):
    assert chat_escape(value) == expected
