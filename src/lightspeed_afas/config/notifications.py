"""The ``notifications`` block of a tenant file: who hears of new problems, by e-mail or webhook."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints, field_validator

from lightspeed_afas.config.fields import ConnId, Strict


class Notifications(Strict):
    """Who hears of new failed or quarantined orders and failed reconciliations (``lightspeed_afas.ops.notify``).

    Nothing is sent unless ``email`` or ``webhook_conn_id`` is set. Each problem is notified once.
    """

    email: list[Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+$", max_length=254)]] = Field(
        default_factory=list, description="addresses that get an e-mail per new problem"
    )
    smtp_conn_id: ConnId = Field("smtp_default", description="Airflow SMTP connection for the e-mail")
    from_email: str | None = Field(None, max_length=254, description="sender; default the connection's")
    webhook_conn_id: ConnId | None = Field(
        None, description='Airflow http connection of a Slack/Teams-style webhook (JSON {"text": ...})'
    )
    max_reasons: int = Field(5, ge=1, le=50, description="problems listed by name in one notification")
    dashboard_url: str | None = Field(
        None, max_length=500, description="dashboard address for the link; default [api] base_url + page"
    )

    @property
    def enabled(self) -> bool:
        return bool(self.email or self.webhook_conn_id)

    @field_validator("from_email")
    @classmethod
    def _one_header_line(cls, value: str | None) -> str | None:
        # A CR or LF would end the From header and start another (header injection).
        if value is not None and any(ord(char) < 32 or ord(char) == 127 for char in value):
            raise ValueError(
                f"{value!r} holds a line break or another control character: give one address "
                "(or 'Name <address>') on one line"
            )
        return value
