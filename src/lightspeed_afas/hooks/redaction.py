"""Secrets out of every text the hooks hand on: the forms a secret takes on the wire, and their removal.

A server that echoes a request (an error page, a proxy, a debugging endpoint) returns our secrets in
whatever encoding its serializer picks: JSON with ``\\/`` or ``\\u002B``-style escapes (.NET's
serializer escapes ``+`` and ``<``), URL-encoding in a reflected query string, and so on.
``Redactor`` matches a secret in any mix of those encodings, character by character (also when JSON
is nested in a JSON string, so escapes come doubled); ``secret_forms``
lists the common whole-string forms for Airflow's log masker, which only matches literal strings.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

REDACTED = "***"
_LOWER_HEX = re.compile(r"%[0-9A-F]{2}")
MIN_SECRET_LENGTH = 4  # shorter strings are too common to replace safely (Airflow's masker skips them too)


def _char_encodings(char: str) -> set[str]:
    """Every way one character of a secret may appear in JSON or a URL."""
    if char.isascii() and char.isalnum():
        return {char}
    forms = {
        char,
        json.dumps(char)[1:-1],
        json.dumps(char, ensure_ascii=False)[1:-1],
        quote(char, safe=""),
        "\\" + char,  # JSON's optional escapes such as "\/"
    }
    if ord(char) <= 0xFFFF:
        forms |= {f"\\u{ord(char):04x}", f"\\u{ord(char):04X}"}
    if char == " ":
        forms.add("+")
    return forms


def _char_pattern(char: str) -> str:
    forms = _char_encodings(char)
    if forms == {char}:
        return re.escape(char)
    # hex digits in escapes may come in either case: %2b and %2B, \u002b and \u002B; an escape's
    # backslash may itself be escaped, any number of times (JSON inside a JSON string: \\u002B)
    alternatives = sorted(
        (r"\\+" + re.escape(f[1:]) if f.startswith("\\") else re.escape(f) for f in forms),
        key=len,
        reverse=True,
    )
    return "(?i:" + "|".join(alternatives) + ")"


def secret_pattern(secret: str) -> str:
    """A regex matching ``secret`` with any of its characters in any of their JSON or URL encodings."""
    return "".join(_char_pattern(c) for c in secret)


def secret_forms(secret: str) -> set[str]:
    """The whole-string forms of ``secret`` a log line may hold (for Airflow's literal masker)."""
    if not secret:
        return set()
    ascii_json = json.dumps(secret)[1:-1]
    plain_json = json.dumps(secret, ensure_ascii=False)[1:-1]
    forms = {secret, ascii_json, plain_json}
    for text in (ascii_json, plain_json):
        forms.add(text.replace("/", "\\/"))
        for case in ("{:04X}", "{:04x}"):
            every = "".join(c if c.isalnum() else "\\u" + case.format(ord(c)) for c in text)
            signs = "".join("\\u" + case.format(ord(c)) if c in "+/=" else c for c in text)
            forms |= {every, signs}
    encoded = quote(secret, safe="")
    forms |= {encoded, quote_plus(secret, safe=""), _LOWER_HEX.sub(lambda m: m.group().lower(), encoded)}
    return {f for f in forms if f}


class Redactor:
    """Replaces every known secret, in any of its encodings, with ``***``."""

    def __init__(self, secrets: Iterable[str]) -> None:
        # Longest first, so a secret that contains another is replaced whole.
        self._secrets = sorted(
            {s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH}, key=len, reverse=True
        )
        patterns = [secret_pattern(s) for s in self._secrets]
        self._pattern = re.compile("|".join(patterns)) if patterns else None

    @property
    def secrets(self) -> list[str]:
        """The secrets this redactor removes, longest first."""
        return list(self._secrets)

    def __call__(self, text: str | None) -> str | None:
        if text is None or self._pattern is None:
            return text
        return self._pattern.sub(REDACTED, text)
