"""The ``credit_notes:`` block of a tenant file: a Lightspeed credit note (a refund) is booked once in
AFAS as a credit, in the document type the tenant books orders in (``afas.document``).

How AFAS marks a credit is uncertain (reference erp-extras §2.6, §3 item 27), so it is a rule:

- ``credit_marking``: ``negative_lines`` (default; AFAS's own "Creditregel" examples: negative
  quantities, positive unit prices, no ``CrOr``), ``negative_lines_with_cror`` (the same with
  ``CrOr: true``), ``cror_positive_lines`` (``CrOr: true`` with positive quantities: AFAS turns them).
- ``invoice_reference``: ``none`` (default) leaves ``Fref`` empty; ``original_invoice`` puts the
  original Lightspeed invoice number there (AFAS's "invoice reference"), at one more Lightspeed call
  per credit note (the credit note names its invoice by id only).
- ``remark_template``: the remark (``Re``); placeholders ``{number}`` (the credit note's),
  ``{order_number}``, ``{invoice_number}``.
- ``overlap_minutes`` (default: ``lightspeed.overlap_minutes``): each window starts this much earlier.
"""

from __future__ import annotations

import string
from typing import Literal

from pydantic import Field, field_validator

from lightspeed_afas.config.fields import Strict, checked_cron

CREDIT_REMARK_FIELDS = ("number", "order_number", "invoice_number")
DEFAULT_CREDIT_REMARK = "Creditnota {number} bij webshoporder {order_number}"


class CreditNoteSettings(Strict):
    """The credit-notes flow of one tenant (Lightspeed credit notes → AFAS credits)."""

    schedule: str = Field("*/15 * * * *", description="cron expression of the credit-notes DAG")
    credit_marking: Literal["negative_lines", "negative_lines_with_cror", "cror_positive_lines"] = Field(
        "negative_lines", description="how AFAS is told the document is a credit"
    )
    invoice_reference: Literal["original_invoice", "none"] = Field(
        "none", description="Fref: nothing, or the original Lightspeed invoice number (one call more)"
    )
    remark_template: str = Field(DEFAULT_CREDIT_REMARK, max_length=1000, description="the remark (Re)")
    overlap_minutes: int | None = Field(
        None, ge=0, le=1440, description="each window starts this much earlier; default lightspeed's"
    )

    @field_validator("schedule")
    @classmethod
    def _cron(cls, value: str) -> str:
        return checked_cron(value)

    @field_validator("remark_template")
    @classmethod
    def _placeholders(cls, value: str) -> str:
        try:
            names = {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}
        except ValueError as exc:
            raise ValueError(f"remark_template is not a valid template: {exc}") from None
        unknown = sorted(names - set(CREDIT_REMARK_FIELDS))
        if unknown:
            raise ValueError(
                f"remark_template uses {', '.join('{' + n + '}' for n in unknown)}; the placeholders are "
                + ", ".join("{" + n + "}" for n in CREDIT_REMARK_FIELDS)
            )
        return value
