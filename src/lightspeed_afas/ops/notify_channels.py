"""Where a notification goes: e-mail through an Airflow SMTP connection, or a chat webhook.

- **e-mail** through the SMTP provider's ``SmtpHook`` and the tenant's Airflow SMTP connection
  (``notifications.smtp_conn_id``, default ``smtp_default``);
- **webhook**: ``POST {"text": "..."}`` — the JSON that Slack and Microsoft Teams incoming webhooks
  accept — through the session of ``HttpHook`` (its connection's headers, proxies and TLS options) and an
  Airflow ``http`` connection whose host is the webhook's URL.

**The webhook URL is the credential** (Slack's ``/services/T…/B…/<token>``, Teams' path or ``sig=``), and
Airflow masks a connection's password, not its host. So the channel registers the URL's path and query
with Airflow's secrets masker, posts itself instead of through ``HttpHook.run`` (which logs a failed
request with its URL), and a failure says the connection, the host name, the error type or the HTTP
status — never the URL (``error_text`` keeps it so for the log and the result).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Protocol
from urllib.parse import urlsplit

from lightspeed_afas.ops.notify_text import Report

WEBHOOK_TIMEOUT = 30  # seconds; the connection's extra ``timeout`` overrides it


class Channel(Protocol):
    """Somewhere to send a report; ``name`` keys what it was told in the notification book."""

    name: str

    def send(self, report: Report) -> None: ...


class EmailChannel:
    """E-mail through the SMTP provider's hook and an Airflow SMTP connection."""

    name = "email"

    def __init__(self, to: Sequence[str], smtp_conn_id: str, from_email: str | None = None) -> None:
        self.to = list(to)
        self.smtp_conn_id = smtp_conn_id
        self.from_email = from_email

    def send(self, report: Report) -> None:
        from airflow.providers.smtp.hooks.smtp import SmtpHook

        with SmtpHook(smtp_conn_id=self.smtp_conn_id) as hook:
            hook.send_email_smtp(
                to=self.to,
                subject=report.subject,
                html_content=report.html(),
                from_email=self.from_email or hook.from_email or "lightspeed-afas@localhost",
            )


class WebhookError(RuntimeError):
    """A webhook that could not be reached or refused the message; the message never holds its URL."""


def _secret_parts(*urls: str) -> list[str]:
    """What of a webhook URL is the credential: the URL itself, its path and its query (longest first)."""
    parts = set()
    for url in urls:
        split = urlsplit(url)
        path_and_query = split.path + (f"?{split.query}" if split.query else "")
        parts.update(part for part in (url, path_and_query, split.path, split.query) if len(part) > 1)
    return sorted(parts, key=len, reverse=True)


def _scrub(text: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


class WebhookChannel:
    """``POST {"text": ...}`` to a Slack- or Teams-compatible incoming webhook (an Airflow http connection)."""

    name = "webhook"

    def __init__(self, http_conn_id: str) -> None:
        self.http_conn_id = http_conn_id

    def send(self, report: Report) -> None:
        import requests
        from airflow.providers.http.hooks.http import HttpHook
        from airflow.sdk.log import mask_secret

        hook = HttpHook(method="POST", http_conn_id=self.http_conn_id)
        url = hook.get_connection(self.http_conn_id).host or ""
        secrets = _secret_parts(url)
        for secret in secrets:
            mask_secret(secret)
        where = f"the webhook of connection {self.http_conn_id!r} at {urlsplit(url).hostname or '?'}"
        try:
            session = hook.get_conn(extra_options={"timeout": WEBHOOK_TIMEOUT})
            body = {"text": report.text()}
            request = session.prepare_request(
                requests.Request("POST", hook.url_from_endpoint(None), json=body)
            )
            secrets = _secret_parts(url, request.url or "", request.path_url)
            extra = getattr(hook, "merged_extra", {})
            response = session.send(
                request,
                timeout=extra.get("timeout", WEBHOOK_TIMEOUT),
                allow_redirects=extra.get("allow_redirects", True),
                **session.merge_environment_settings(request.url, {}, None, None, None),
            )
        except Exception as exc:  # requests' messages hold the URL's path: only the type and the cause
            raise WebhookError(f"{where} could not be reached ({_cause(exc, secrets)})") from None
        if response.status_code >= 400:
            answer = _scrub(response.text[:200].strip(), secrets)
            raise WebhookError(
                f"{where} refused the message: HTTP {response.status_code} {response.reason}"
                + (f" ({answer})" if answer else "")
            )


def _cause(exc: BaseException, secrets: Sequence[str]) -> str:
    """The error's type and, for a connection error, urllib3's reason (refused, DNS, TLS) without the URL."""
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    if reason is None:
        return type(exc).__name__
    text = re.sub(r"^<[^>]*>: ", "", str(reason))  # "<…HTTPConnection object at 0x…>: " says nothing
    return f"{type(exc).__name__}: {_scrub(text, secrets)[:300]}"


def channels_for(settings: Any) -> list[Channel]:
    """The channels a tenant's ``notifications`` block asks for."""
    channels: list[Channel] = []
    if settings.email:
        channels.append(EmailChannel(settings.email, settings.smtp_conn_id, settings.from_email))
    if settings.webhook_conn_id:
        channels.append(WebhookChannel(settings.webhook_conn_id))
    return channels


def error_text(exc: BaseException) -> str:
    """A failed send for the log and the result: a webhook's own message names no URL; for any other
    error, the type and message (SMTP errors name the server, not a credential)."""
    if isinstance(exc, WebhookError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"
