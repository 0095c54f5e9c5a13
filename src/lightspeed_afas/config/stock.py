"""The ``stock:`` block of a tenant file: AFAS's stock becomes the webshop's ``stockLevel``.

Keys as in DESIGN.md ("Several flows per tenant"), plus the ones the flow needs to be run for real:

- ``full_comparison_hours`` (default 24): how often a run reads every variant's level in the shop
  (``ceil(variants / 250)`` calls) to correct drift made in the shop's back office. AFAS is leading.
- ``overlap_minutes`` (default 10): the variant-map refresh (``updated_at_min``) starts this much before
  the last refresh. Unlike the order windows it needs no hours of overlap for the filter's ambiguous time
  zone: the first pushes find how the shop reads naive times (``detect_filter_zone``), and until then a
  lower bound is written so that every reading of it is early enough (``format_lower_bound``); the
  overlap covers clock skew. Every run re-reads what changed in the overlap (its own pushes too).
- ``max_pushes_per_run`` (default none): a cap on the PUTs of one run, on top of the shared budget.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from lightspeed_afas.afas import lookups
from lightspeed_afas.config.fields import Code15, ConnectorId, FieldId, Strict, checked_cron

STANDARD_STOCK_CONNECTOR = lookups.STOCK_CONNECTOR
MatchCode = Literal["articleCode", "sku", "ean"]


class StockFields(Strict):
    """Field ids in the stock GetConnector."""

    item_code: FieldId = Field(lookups.STOCK_ITEM_FIELD, description="the item code field")
    quantity: FieldId = Field(lookups.STOCK_QUANTITY_FIELD, description="the quantity to sell")
    warehouse: FieldId | None = Field(None, description="the warehouse field, when the connector has one")


class StockSettings(Strict):
    """The stock flow of one tenant (AFAS → Lightspeed)."""

    schedule: str = Field("*/15 * * * *", description="cron expression of the stock DAG")
    connector: ConnectorId = Field(STANDARD_STOCK_CONNECTOR, description="the AFAS GetConnector")
    fields: StockFields = Field(default_factory=StockFields)
    warehouses: list[Code15] = Field(
        default_factory=list, description="with a warehouse field: whose quantities are summed ([] = all)"
    )
    match_on: list[MatchCode] = Field(
        default_factory=lambda: ["articleCode", "sku", "ean"],
        description="variant codes tried in this order against the AFAS item code",
    )
    subtract_unbooked: bool = Field(True, description="minus what webshop orders not booked yet hold")
    full_comparison_hours: int = Field(24, ge=1, le=24 * 14, description="hours between full comparisons")
    overlap_minutes: int = Field(10, ge=0, le=1440, description="the variant refresh starts this early")
    max_pushes_per_run: int | None = Field(None, ge=1, le=100_000, description="cap on PUTs per run")

    @field_validator("schedule")
    @classmethod
    def _cron(cls, value: str) -> str:
        return checked_cron(value)

    @field_validator("match_on")
    @classmethod
    def _match_on(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("match_on needs at least one of articleCode, sku, ean")
        if len(set(value)) != len(value):
            raise ValueError(f"match_on names a code twice: {value}")
        return value

    @model_validator(mode="after")
    def _warehouses_need_a_field(self) -> StockSettings:
        if self.warehouses and self.fields.warehouse is None:
            raise ValueError(
                "warehouses are listed but fields.warehouse is not set: the connector needs a warehouse "
                f"field to choose them ({STANDARD_STOCK_CONNECTOR} has none)"
            )
        return self
