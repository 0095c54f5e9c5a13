"""The AFAS token: the forms a merchant may paste, the ``Authorization`` header, and its secret forms.

AFAS accepts one header only: ``AfasToken <base64 of <token><version>1</version><data>…</data></token>>``.
A merchant pastes either that whole XML or only its data part; both are read here, and every form the
token can take on the wire (XML, data, header, their base64) is a secret the hook redacts.
"""

from __future__ import annotations

import base64
import re

from lightspeed_afas.hooks.errors import AfasAuthError

_TOKEN_XML = re.compile(
    r"^\s*<token>\s*<version>\s*1\s*</version>\s*<data>([^<]+)</data>\s*</token>\s*$", re.S
)


def token_xml(token: str) -> str:
    """The full token XML from either form a merchant may paste (whole XML, or only its data part)."""
    token = (token or "").strip()
    if not token:
        raise AfasAuthError("The AFAS connection has no token: put it in the password field.")
    match = _TOKEN_XML.match(token)
    if match:
        return f"<token><version>1</version><data>{match.group(1).strip()}</data></token>"
    if "<" in token or ">" in token or any(c.isspace() for c in token):
        raise AfasAuthError(
            "The AFAS token is neither the whole <token><version>1</version><data>…</data></token> XML "
            "nor only its data part: copy it again from the App Connector."
        )
    return f"<token><version>1</version><data>{token}</data></token>"


def authorization_header(token: str) -> str:
    """``AfasToken <base64 of the whole token XML>`` — AFAS refuses any other form."""
    return "AfasToken " + base64.b64encode(token_xml(token).encode("utf-8")).decode("ascii")


def token_secrets(token: str | None) -> list[str]:
    """The token as pasted and, when it is well-formed, every form derived from it."""
    secrets = [token or ""]
    try:
        xml = token_xml(token or "")
        header = authorization_header(token or "")
        data = _TOKEN_XML.match(xml).group(1)  # type: ignore[union-attr]
        data_b64 = base64.b64encode(data.encode("utf-8")).decode("ascii")
        secrets += [xml, header, header.split(" ", 1)[1], data, data_b64]
    except AfasAuthError:
        pass
    return [s for s in secrets if s]
