"""The ``customers:`` block of a tenant file: a customer who registers in the shop gets an AFAS sales
relation before their first order (Lightspeed → AFAS).

- ``include``: ``new`` (default) looks only at customers created since the last run; ``new_and_changed``
  also at customers whose details changed (a new e-mail address gets its relation then). An existing
  relation is never changed either way: AFAS is leading.
- ``new_relation``: the debtor-level defaults of relations this flow creates; absent, the order flow's
  ``afas.new_relation`` (so both flows create alike).
- ``confirmed_only``: only customers who confirmed their e-mail address (``isConfirmed``).
- ``overlap_minutes`` (default: ``lightspeed.overlap_minutes``): each window starts this much earlier,
  for the same reason as the orders' (the filter's naive times); the ledger makes the overlap free.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from lightspeed_afas.config.fields import Strict, checked_cron
from lightspeed_afas.config.relation_defaults import NewRelation


class CustomerSettings(Strict):
    """The customers flow of one tenant (Lightspeed customers → AFAS sales relations)."""

    schedule: str = Field("*/15 * * * *", description="cron expression of the customers DAG")
    include: Literal["new", "new_and_changed"] = Field(
        "new", description="new customers only, or changed ones too"
    )
    new_relation: NewRelation | None = Field(
        None, description="defaults of created relations; absent = afas.new_relation"
    )
    confirmed_only: bool = Field(False, description="only customers who confirmed their e-mail address")
    overlap_minutes: int | None = Field(
        None, ge=0, le=1440, description="each window starts this much earlier; default lightspeed's"
    )

    @field_validator("schedule")
    @classmethod
    def _cron(cls, value: str) -> str:
        return checked_cron(value)
