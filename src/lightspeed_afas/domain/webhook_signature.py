"""Checking a Lightspeed webhook: the secret token in its address and its ``X-Signature``.

How Lightspeed signs is uncertain (reference erp-extras §1.8): the community's reading is the lower-case
hex md5 of the raw body followed by the secret; ``md5_secret_body`` is the other order. Hex is compared
case-insensitively and in constant time, on the raw bytes as received (re-serialised JSON would differ).
"""

from __future__ import annotations

import hashlib
import hmac

ALGORITHMS = ("md5_body_secret", "md5_secret_body")


def signature(body: bytes, secret: str, algorithm: str = "md5_body_secret") -> str:
    """The ``X-Signature`` Lightspeed would send for ``body``."""
    key = secret.encode("utf-8")
    if algorithm == "md5_body_secret":
        return hashlib.md5(body + key, usedforsecurity=False).hexdigest()
    if algorithm == "md5_secret_body":
        return hashlib.md5(key + body, usedforsecurity=False).hexdigest()
    raise ValueError(f"unknown signature algorithm {algorithm!r}; known: {', '.join(ALGORITHMS)}")


def signature_problem(body: bytes, header: str | None, secret: str, rule: str, algorithm: str) -> str | None:
    """Why the signature is not acceptable under ``rule`` (required, optional, off); None when it is."""
    if rule == "off":
        return None
    if not header:
        return "no X-Signature header" if rule == "required" else None
    expected = signature(body, secret, algorithm)
    if not hmac.compare_digest(header.strip().lower().encode(), expected.encode()):
        return "X-Signature does not match the body"
    return None


def address_token(secret: str, tenant: str) -> str:
    """The token in the webhook address of ``tenant``: derived from the shop's API secret, so it needs no
    storage, cannot be guessed without the secret, and changes when the secret does."""
    digest = hmac.new(secret.encode("utf-8"), f"lightspeed-afas webhook {tenant}".encode(), hashlib.sha256)
    return digest.hexdigest()[:40]


def token_matches(given: str, secret: str, tenant: str) -> bool:
    return hmac.compare_digest(given.encode(), address_token(secret, tenant).encode())
