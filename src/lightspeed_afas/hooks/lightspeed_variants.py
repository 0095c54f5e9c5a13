"""Variants in Lightspeed eCom: the pages the stock flow maps AFAS items onto, and the one write it makes.

``PUT /variants/{id}.json`` with ``{"variant": {"stockLevel": n}}`` sets an absolute level, so sending
it again after a lost answer (a dropped connection, a 5xx) is harmless: the hook retries it like a GET.
The answer's ``stockLevel`` is returned, so the caller can see a shop that reads the value differently.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from lightspeed_afas.hooks.http import Params
from lightspeed_afas.hooks.lightspeed_pager import order_pages

# The variant fields the stock flow reads: the codes it matches on, tracking, level, and the cursor.
VARIANT_FIELDS = ("id", "articleCode", "sku", "ean", "stockTracking", "stockLevel", "updatedAt", "product")
MAX_VARIANT_PAGES = 2_000  # 500,000 variants; Lightspeed's own shop limits are far below
FILTER_FORMAT = "%Y-%m-%d %H:%M:%S"


class VariantCalls:
    """The variant endpoints, on top of ``LightspeedEcomHook.call_json`` (a mix-in of the hook)."""

    conn_id: str
    call_json: Callable[..., dict[str, Any]]
    window_params: Callable[[datetime, datetime], Params]
    format_filter_time: Callable[[datetime], str]
    filter_timezone: ZoneInfo

    def iter_variant_pages(
        self,
        updated_min: datetime | None = None,
        page_size: int = 250,
        first_page: int = 1,
        zone: ZoneInfo | None = None,
    ) -> Iterator[list[dict[str, Any]]]:
        """Pages of variants (every one, or those updated since ``updated_min``), from ``first_page``
        until a short page. ``zone``: the zone the shop is known to read filter times in."""
        params: Params = [("fields", ",".join(VARIANT_FIELDS))]
        if updated_min is not None:
            params.append(("updated_at_min", self.format_lower_bound(updated_min, zone)))
        yield from order_pages(
            lambda p: self.call_json("GET", "variants", p, endpoint="variants"),
            params,
            page_size,
            MAX_VARIANT_PAGES,
            self.conn_id,
            root="variants",
            advice="The shop has more variants than the stock flow reads.",
            first_page=first_page,
        )

    def format_lower_bound(self, moment: datetime, zone: ZoneInfo | None = None) -> str:
        """``moment`` as a naive filter value that means ``moment`` or earlier however the shop reads it.

        Whether the shop reads naive filter times as UTC or in its own zone is not documented. Written
        in the more western of the two zones, the value's instant is ``moment`` under that reading and
        earlier under the other one: a lower bound never skips a change, so it needs no overlap for the
        time-zone question (only for clock skew). With ``zone`` (detected, ``detect_filter_zone``) it is
        written in that zone, exactly."""
        if moment.tzinfo is None:
            raise ValueError("filter times must be timezone-aware")
        if zone is not None:
            return moment.astimezone(zone).strftime(FILTER_FORMAT)
        zones = (UTC, self.filter_timezone)
        west = min(zones, key=lambda zone: moment.astimezone(zone).utcoffset() or timedelta(0))
        return moment.astimezone(west).strftime(FILTER_FORMAT)

    def detect_filter_zone(self, changed_at: datetime) -> str | None:
        """The zone the shop reads naive filter times in, found from one variant known to have changed
        at ``changed_at`` (whole seconds, from the answer to a write): of UTC and the connection's
        ``filter_timezone``, the one whose reading of that second counts it. None when both or neither
        do (another variant changed in the other second too): try again with a later change. At most
        two calls."""
        zones = [UTC, self.filter_timezone]
        if len({str(z) for z in zones}) == 1:
            return str(zones[0])
        found = []
        for zone in zones:
            naive = changed_at.astimezone(zone).strftime(FILTER_FORMAT)
            params: Params = [("updated_at_min", naive), ("updated_at_max", naive)]
            if int(
                self.call_json("GET", "variants/count", params, endpoint="variants/count").get("count", 0)
            ):
                found.append(str(zone))
        return found[0] if len(found) == 1 else None

    def count_variants(self) -> int:
        return int(self.call_json("GET", "variants/count", endpoint="variants/count").get("count", 0))

    def put_stock_level(self, variant_id: int, level: int) -> dict[str, Any]:
        """Set one variant's ``stockLevel``; returns the variant as Lightspeed answered it."""
        body = self.call_json(
            "PUT",
            f"variants/{int(variant_id)}",
            json_body={"variant": {"stockLevel": int(level)}},
            endpoint="variants/{id}",
        )
        return body.get("variant") or {}
