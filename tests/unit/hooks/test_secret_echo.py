"""No secret form leaves a hook, even from a server that echoes the request back in its answer.

An echo server reflects the request's headers (the ``Authorization`` header first) and body in the
encodings real servers use — plain JSON, JSON without ASCII escaping, ``\\/``-escaped JSON, .NET-style
``\\u002B`` escapes, URL-encoding, raw text — under each status class. Neither the exception text,
nor the log records, nor the detail log holds any form of the Lightspeed key, secret or Basic header,
or of the AFAS token (data part, whole XML, their base64 forms, the ``AfasToken`` header).
"""

from __future__ import annotations

import base64
import json
import logging
import re
from collections.abc import Callable
from urllib.parse import quote, quote_plus, urlencode

import pytest

from lightspeed_afas.hooks.afas import authorization_header
from lightspeed_afas.hooks.detail import Exchange
from lightspeed_afas.hooks.errors import AfasError, LightspeedError
from tests.support.echo_server import Reply, Seen, echo

# Chosen so that the Basic header's base64 holds "+", "/" and "=" (the characters JSON escapers touch)
LS_KEY = "ekgcF~Ha6ili8GjHEAD6?Wj9KfzjsQGM"
LS_SECRET = "esrb9h~ImB~LK777pzNk8cL6j5IXAAjl"
AFAS_DATA = "48B483B7FFC050FEC94DBCA3A0AAC36098B2CC2BD818319478DA6BD0C621DE49"
AFAS_XML = f"<token><version>1</version><data>{AFAS_DATA}</data></token>"
BASIC = base64.b64encode(f"{LS_KEY}:{LS_SECRET}".encode()).decode()
XML_B64 = base64.b64encode(AFAS_XML.encode()).decode()

LS_SECRETS = {"key": LS_KEY, "secret": LS_SECRET, "basic base64": BASIC, "basic header": f"Basic {BASIC}"}
AFAS_SECRETS = {
    "token data": AFAS_DATA,
    "token xml": AFAS_XML,
    "token xml base64": XML_B64,
    "token data base64": base64.b64encode(AFAS_DATA.encode()).decode(),
    "authorization header": authorization_header(AFAS_DATA),
}


FRAGMENTED = ("key", "secret", "basic base64", "token data", "token data base64")


def _escaped(text: str, chars: str, case: str = "{:04X}") -> str:
    return "".join("\\u" + case.format(ord(c)) if c in chars else c for c in text)


def encodings(secret: str) -> set[str]:
    """The forms the scan looks for (written out here, independently of the code under test)."""
    js = json.dumps(secret)[1:-1]
    others = "".join(sorted({c for c in js if not c.isalnum()}))
    return {
        secret,
        js,
        json.dumps(secret, ensure_ascii=False)[1:-1],
        js.replace("/", "\\/"),
        _escaped(js, "+/="),
        _escaped(js, "+/=", "{:04x}"),
        _escaped(js, others),
        quote(secret, safe=""),
        quote_plus(secret),
    }


def fragments(secret: str, size: int = 12) -> set[str]:
    """Pieces of a secret: a message cut in the middle of a secret must not leave half of it behind."""
    return {secret[i : i + size] for i in range(0, max(1, len(secret) - size + 1), 4)}


def leaks(text: str, secrets: dict[str, str]) -> list[str]:
    found = [name for name, s in secrets.items() for form in encodings(s) if form in text]
    distinctive = {name: secrets[name] for name in FRAGMENTED if name in secrets}
    if "token xml base64" in secrets:  # every token's XML base64 starts with the same 44 characters
        distinctive["token xml base64"] = XML_B64[48:]
    for name, secret in distinctive.items():
        if any(f in text for f in fragments(secret)):
            found.append(f"{name} (a fragment)")
    return sorted(set(found))


def _dotnet(obj: object) -> str:
    """System.Text.Json's default: +, <, >, &, ' (and here also =) escaped as \\u00XX."""
    return _escaped(json.dumps(obj), "+<>&'=")


ENCODERS: dict[str, Callable[[dict[str, object]], str]] = {
    "json": json.dumps,
    "json-unicode": lambda o: json.dumps(o, ensure_ascii=False),
    "json-slashes": lambda o: json.dumps(o).replace("/", "\\/"),
    "json-dotnet": _dotnet,
    "urlencoded": lambda o: urlencode({k: str(v) for k, v in o["headers"].items()}),  # type: ignore[union-attr]
    "raw": lambda o: repr(o),
}


def _responder(status: int, encoder: str, shape: str) -> Callable[[Seen], Reply]:
    def respond(request: Seen) -> Reply:
        reflected = echo(request, ENCODERS[encoder])
        if shape == "lightspeed" and status == 200:
            body = {"shop": {"id": 1, "title": reflected}}
        elif shape == "lightspeed":
            body = {"error": {"message": reflected, "code": status}}
        elif shape == "afas-validation":
            body = {"externalMessage": reflected, "profitLogReference": reflected, "errorNumber": 1}
        elif shape == "afas-info":
            body = {"info": {"envid": reflected, "appName": reflected}, "getConnectors": []}
        else:
            return Reply(status, reflected.encode(), {"Content-Type": "text/plain"})
        return Reply(status, json.dumps(body).encode())

    return respond


def _scan(error_text: str, caplog: pytest.LogCaptureFixture, detail: list[Exchange], secrets) -> dict:
    places = {
        "exception": error_text,
        "log records": caplog.text,
        "detail log": "\n".join(json.dumps(e.as_dict(), ensure_ascii=False) for e in detail),
    }
    return {where: found for where, text in places.items() if (found := leaks(text, secrets))}


@pytest.mark.parametrize("encoder", sorted(ENCODERS))
@pytest.mark.parametrize("status", [400, 401, 404, 500, 503])
@pytest.mark.parametrize("shape", ["lightspeed", "text"])
def test_lightspeed_errors_never_carry_a_secret(misbehaving, caplog, status, encoder, shape):
    server = misbehaving.start(_responder(status, encoder, shape))
    detail: list[Exchange] = []
    hook = misbehaving.lightspeed(server, LS_KEY, LS_SECRET, detail_sink=detail.append)
    with caplog.at_level(logging.DEBUG), pytest.raises(LightspeedError) as info:
        hook.get_shop()
    assert server.seen[0].headers["Authorization"] == f"Basic {BASIC}", "the echo reflects the secret"
    assert _scan(str(info.value), caplog, detail, LS_SECRETS) == {}
    assert "***" in str(info.value), "the reflected header reached the message, redacted"
    assert detail and all("***" in (e.response_body or "") for e in detail)


@pytest.mark.parametrize("encoder", sorted(ENCODERS))
@pytest.mark.parametrize(
    ("status", "shape", "method"),
    [
        (400, "text", "GET"),
        (400, "afas-validation", "POST"),
        (401, "text", "GET"),
        (404, "text", "PUT"),
        (500, "afas-validation", "POST"),
        (500, "text", "GET"),
        (502, "text", "POST"),
        (503, "text", "GET"),
    ],
)
def test_afas_errors_never_carry_a_secret(misbehaving, caplog, status, shape, method, encoder):
    server = misbehaving.start(_responder(status, encoder, shape))
    detail: list[Exchange] = []
    hook = misbehaving.afas(server, AFAS_DATA, detail_sink=detail.append)
    with caplog.at_level(logging.DEBUG), pytest.raises(AfasError) as info:
        if method == "GET":
            hook.get_rows("Profit_Debtor", ["DebtorId"])
        else:
            hook._call(method, "connectors/FbSales", "FbSales", json_body={"FbSales": {"Element": {}}})
    assert server.seen[0].headers["Authorization"] == authorization_header(AFAS_DATA)
    assert _scan(str(info.value), caplog, detail, AFAS_SECRETS) == {}
    if status in (400, 500) and (shape != "text" or status == 400):
        assert "***" in str(info.value), "the reflected header reached the message, redacted"
    assert detail and all("***" in (e.response_body or "") for e in detail)


@pytest.mark.parametrize("encoder", sorted(ENCODERS))
@pytest.mark.parametrize("status", [200, 401, 500])
def test_the_test_buttons_never_show_a_secret(misbehaving, status, encoder):
    ls_server = misbehaving.start(_responder(status, encoder, "lightspeed"))
    afas_server = misbehaving.start(_responder(status, encoder, "afas-info"))
    ls_ok, ls_message = misbehaving.lightspeed(ls_server, LS_KEY, LS_SECRET).test_connection()
    afas_ok, afas_message = misbehaving.afas(afas_server, AFAS_DATA).test_connection()
    assert leaks(ls_message, LS_SECRETS) == [] and leaks(afas_message, AFAS_SECRETS) == []
    assert ls_ok == afas_ok == (status == 200)
    assert "***" in ls_message, "the reflected header reached the message, redacted"
    if afas_ok:
        assert "***" in afas_message


def test_every_secret_form_is_registered_with_airflows_masker(misbehaving, monkeypatch):
    import airflow.sdk.log

    masked: list[str] = []
    monkeypatch.setattr(airflow.sdk.log, "mask_secret", lambda secret, name=None: masked.append(secret))
    server = misbehaving.start(lambda request: Reply(200, b"{}"))
    misbehaving.lightspeed(server, LS_KEY, LS_SECRET).session  # noqa: B018 - registers the secrets
    misbehaving.afas(server, AFAS_DATA).session  # noqa: B018
    missing = [
        (name, form)
        for name, secret in {**LS_SECRETS, **AFAS_SECRETS}.items()
        for form in encodings(secret)
        if form not in masked
    ]
    assert missing == []


def test_the_redactor_finds_a_secret_in_any_mix_of_encodings():
    from lightspeed_afas.hooks.redaction import Redactor

    redact = Redactor([BASIC])
    mixed = re.sub(r"\+", "%2b", BASIC, count=1).replace("/", "\\/").replace("=", "\\u003d")
    assert redact(f"a {mixed} b") == "a *** b"
    assert redact(f"a {BASIC.lower()} b") == f"a {BASIC.lower()} b", "letters stay case-sensitive"
