"""Debtor-level defaults of the sales relations the connector creates (the order flow's
``afas.new_relation``, and the customers flow's own ``customers.new_relation``)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator

from lightspeed_afas.config.fields import Code3, Code5, Code16, Strict

# AFAS InPv (preferred invoice delivery), from the KnSalesRelationPer OpenAPI enum.
InvoiceDelivery = Literal["A", "B", "C", "D", "E", "F", "M", "O", "P", "Q", "R", "S", "U", "V", "X", "Y"]


class NewRelation(Strict):
    """Debtor-level defaults for relations the sync creates (existing relations are never changed)."""

    currency: Code3 | None = Field(None, description="CuId, e.g. EUR")
    payment_condition: Code5 | None = Field(None, description="PaCd")
    vat_duty: Code3 | None = Field(None, description="VaDu")
    collective_account: Code16 | None = Field(None, description="ColA")
    invoice_delivery: InvoiceDelivery | None = Field(None, description="InPv, e.g. E = e-mail PDF")
    language: Code3 | None = Field(None, description="LgId")
    profile: Code16 | None = Field(None, description="PfId")

    @field_validator("currency")
    @classmethod
    def _iso_currency(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[A-Z]{3}", value):
            raise ValueError(f"currency {value!r} is not a three-letter ISO code in capitals, like EUR")
        return value
