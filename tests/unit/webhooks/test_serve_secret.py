"""The receiver keeps a tenant's API secret for a minute: a rotated secret applies without a restart, and
a connection that cannot be read is asked again on the next webhook."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from cachetools import TTLCache

from lightspeed_afas.webhooks import serve


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(serve, "_secrets", TTLCache(maxsize=16, ttl=serve.SECRET_TTL, timer=clock))
    return clock


def test_a_rotated_secret_applies_after_the_ttl(clock):
    stored = {"ls_acme": "old-secret"}
    calls = []

    def lookup(conn_id):
        calls.append(conn_id)
        return SimpleNamespace(password=stored[conn_id])

    assert serve._secret(lookup, "ls_acme") == "old-secret"
    stored["ls_acme"] = "new-secret"
    clock.now = serve.SECRET_TTL - 1
    assert serve._secret(lookup, "ls_acme") == "old-secret"
    assert calls == ["ls_acme"]
    clock.now = serve.SECRET_TTL + 1
    assert serve._secret(lookup, "ls_acme") == "new-secret"
    assert calls == ["ls_acme", "ls_acme"]


def test_an_unreadable_connection_is_not_cached(clock):
    answers = iter([RuntimeError("metadata DB down"), SimpleNamespace(password="s3cret")])

    def lookup(conn_id):
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    assert serve._secret(lookup, "ls_acme") == ""
    assert serve._secret(lookup, "ls_acme") == "s3cret"
