"""Pieces of the hooks that need no server: token forms, Retry-After, redaction, call statistics."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from lightspeed_afas.hooks.afas import authorization_header, token_xml
from lightspeed_afas.hooks.detail import Redactor
from lightspeed_afas.hooks.errors import AfasAuthError
from lightspeed_afas.hooks.lightspeed import RateLimitState, retry_after_seconds
from lightspeed_afas.hooks.metrics import CallStats

DATA = "0123456789ABCDEF" * 4
XML = f"<token><version>1</version><data>{DATA}</data></token>"


@pytest.mark.parametrize(
    "given", [XML, DATA, f"  {XML}\n", f"<token>\n <version>1</version>\n <data>{DATA}</data>\n</token>"]
)
def test_both_token_forms_become_the_whole_xml(given):
    assert token_xml(given) == XML


def test_authorization_header_is_base64_of_the_whole_xml():
    header = authorization_header(DATA)
    prefix, encoded = header.split(" ")
    assert prefix == "AfasToken"
    assert base64.b64decode(encoded).decode() == XML


@pytest.mark.parametrize("bad", ["", "   ", "<token><data>x</data></token>", "two words"])
def test_malformed_tokens_are_refused_with_a_message_that_does_not_echo_them(bad):
    with pytest.raises(AfasAuthError) as info:
        token_xml(bad)
    if bad.strip():
        assert bad not in str(info.value)


def test_retry_after_in_seconds_and_as_http_date():
    now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    assert retry_after_seconds("17", now) == 17
    assert retry_after_seconds(format_datetime(now + timedelta(seconds=42), usegmt=True), now) == 42
    assert retry_after_seconds(format_datetime(now - timedelta(seconds=5), usegmt=True), now) == 0
    assert retry_after_seconds("soon", now) is None
    assert retry_after_seconds(None, now) is None


def test_rate_limit_headers_are_read_per_window():
    state = RateLimitState()
    state.update({"X-RateLimit-Remaining": "12/2900/11000", "X-RateLimit-Reset": "30/1800/80000"}, now=100.0)
    assert state.remaining == [12, 2900, 11000]
    assert state.resets_at == [130.0, 1900.0, 80100.0]


def test_first_answer_after_a_waited_reset_is_not_trusted_for_its_remaining_count():
    state = RateLimitState()
    state.distrust_next[0] = True
    state.update({"X-RateLimit-Remaining": "0/2000/9000", "X-RateLimit-Reset": "300/100/100"}, now=0.0)
    assert state.remaining == [None, 2000, 9000]
    state.update({"X-RateLimit-Remaining": "298/1999/8999", "X-RateLimit-Reset": "299/99/99"}, now=1.0)
    assert state.remaining[0] == 298


def test_redactor_replaces_every_secret_and_longest_first():
    redact = Redactor([DATA, XML, "short"])
    text = f"token {XML} and {DATA} and short and sh"
    assert redact(text) == "token *** and *** and *** and sh"


def test_call_stats_summary():
    stats = CallStats()
    for ms in (10, 20, 30, 40, 200):
        stats.record("lightspeed", "GET", "orders", 200, ms)
    stats.record("lightspeed", "GET", "orders", 429, 5)
    stats.record_retry("lightspeed", "transient 404")
    stats.record("afas", "POST", "FbSales", 201, 80)
    summary = stats.summary()
    assert summary["calls"] == {"afas": 1, "lightspeed": 6}
    assert summary["rate_limited"] == {"lightspeed": 1}
    assert summary["latency_ms"]["lightspeed"]["p50"] == 25.0
    assert summary["latency_ms"]["lightspeed"]["p95"] >= 40
    assert stats.total_calls("afas") == 1


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            "De waarde \"jan.jansen@example.nl\" bij 'E-mail werk' is geen geldig e-mailadres.",
            "De waarde … bij 'E-mail werk' is geen geldig e-mailadres.",
        ),
        (  # AFAS cuts long values off, closing quote and all
            "De waarde \"Jansen-Van der Berg en nog veel meer tekst die na zestig teke bij 'Naam' is te lang.",
            "De waarde … bij 'Naam' is te lang.",
        ),
        (
            "De ingevulde waarde bij 'Artikel' bestaat niet.",
            "De ingevulde waarde bij 'Artikel' bestaat niet.",
        ),
        (
            'Relatie met e-mail piet@voorbeeld.nl en naam "Piet" bestaat al',
            'Relatie met e-mail … en naam "…" bestaat al',
        ),
    ],
)
def test_afas_messages_lose_the_customer_values_they_repeat(message, expected):
    from lightspeed_afas.hooks.errors import without_values

    assert without_values(message) == expected
