"""The shop's catalogue as the articles flow compares it, kept in the ledger and fresh cheaply.

- **Incremental** (most runs): variants and products (in each language whose texts follow AFAS)
  ``updated_at_min`` the last refresh minus ``overlap_minutes`` — one call each when nothing changed.
  A change a merchant made in the back office comes back, and AFAS's value is written over it.
- **Full** (the first run, every ``full_comparison_hours`` or on demand): every variant and product;
  what the shop no longer has leaves the ledger.

The lower bound is written as the stock flow writes it (``format_lower_bound``: early enough however the
shop reads naive times, exact once the stock flow has detected the shop's zone). The refresh stops at
the key's reserve for orders (``BudgetReservedError``); a full read that stopped starts again next run,
and until one has finished no product is created (the flow cannot know yet what the shop lacks).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from lightspeed_afas.domain.articles import cents
from lightspeed_afas.domain.stock import normalise_code, parse_variant
from lightspeed_afas.flows.articles.settings import FLOW, ArticleRequest, ArticleSyncSettings
from lightspeed_afas.flows.clients import Hooks
from lightspeed_afas.hooks.errors import LightspeedBudgetExhaustedError
from lightspeed_afas.ledger import Ledger
from lightspeed_afas.ledger.articles import ShopVariant
from lightspeed_afas.ledger.clock import now_utc as ledger_now

log = logging.getLogger(__name__)

REFRESHED = "catalogue_refreshed_at"  # flow-state keys
FULL_AT = "catalogue_full_at"
STOCK_FILTER_ZONE = ("stock", "filter_zone")  # detected by the stock flow: the shop's, for every flow


@dataclass
class Refresh:
    kind: str
    variants: int = 0
    products: int = 0
    removed: int = 0
    complete: bool = True
    stopped_because: str | None = None


def full_refresh_due(
    settings: ArticleSyncSettings,
    request: ArticleRequest,
    ledger: Ledger,
    now: datetime,
    state: dict[str, Any] | None = None,
) -> bool:
    """Whether this run reads the whole catalogue (the first run, every ``full_comparison_hours``, or asked)."""
    last_full = _time((state if state is not None else ledger.flow_state(settings.tenant, FLOW)).get(FULL_AT))
    return request.full_comparison or last_full is None or now - last_full >= settings.full_comparison_every


def refresh_catalogue(
    settings: ArticleSyncSettings,
    request: ArticleRequest,
    ledger: Ledger,
    hooks: Hooks,
    languages: tuple[str, ...],
    now: datetime,
) -> Refresh:
    state = ledger.flow_state(settings.tenant, FLOW)
    last_full = _time(state.get(FULL_AT))
    full = full_refresh_due(settings, request, ledger, now, state) or last_full is None
    since = None if full else (_time(state.get(REFRESHED)) or last_full) - settings.overlap
    zone_name = ledger.flow_state(settings.tenant, STOCK_FILTER_ZONE[0]).get(STOCK_FILTER_ZONE[1])
    zone = ZoneInfo(zone_name) if zone_name else None
    result = Refresh("full" if full else "incremental")
    seen_from = ledger_now()
    try:
        for page in hooks.lightspeed.iter_catalog_pages("variants", since, zone):
            variants = [v for v in (shop_variant(raw) for raw in page) if v is not None]
            ledger.save_shop_variants(settings.tenant, variants)
            result.variants += len(variants)
        for lang in languages:
            for page in hooks.lightspeed.iter_catalog_pages("products", since, zone, lang=lang):
                products = {p["id"]: product_values(p, lang) for p in page if _id(p.get("id"))}
                ledger.save_shop_products(settings.tenant, products)
                result.products += len(products)
    except LightspeedBudgetExhaustedError as exc:
        result.complete = False
        result.stopped_because = str(exc)
        log.warning("The shop's catalogue was not read to the end: %s", exc)
        return result
    stamps = {REFRESHED: now.isoformat()}
    if full:
        result.removed = ledger.remove_catalogue_not_seen_since(settings.tenant, seen_from)
        stamps[FULL_AT] = now.isoformat()
    ledger.set_flow_state(settings.tenant, FLOW, **stamps)
    return result


def shop_variant(raw: dict[str, Any]) -> ShopVariant | None:
    """A variant's codes (for matching, as the stock flow's) and the values AFAS leads on."""
    parsed = parse_variant({k: v for k, v in raw.items() if k != "stockTracking"})
    if parsed is None:
        return None
    ean = raw.get("ean")
    return ShopVariant(
        parsed.id,
        parsed.product_id,
        {"articleCode": parsed.article_code, "sku": parsed.sku, "ean": parsed.ean},
        {
            "priceExcl": _money(raw.get("priceExcl")),
            "priceIncl": _money(raw.get("priceIncl")),
            "ean": ean if isinstance(ean, str) else "",
            "tax": tax_id(raw.get("tax")),
            "isDefault": raw.get("isDefault") is True,
        },
    )


def product_values(raw: dict[str, Any], lang: str) -> dict[str, Any]:
    texts = {
        name: raw.get(name) if isinstance(raw.get(name), str) else "" for name in ("title", "description")
    }
    return {"visibility": raw.get("visibility"), "texts": {lang: texts}}


def tax_id(value: Any) -> int | None:
    """A variant's tax: ``false``, a tax id, or a resource link ``{"resource": {"id": …}}``."""
    if isinstance(value, dict):
        value = (value.get("resource") or {}).get("id")
    return int(value) if _id(value) else None


def codes_of(variant: ShopVariant) -> dict[str, str | None]:
    return {name: normalise_code(code) for name, code in variant.codes.items()}


def _money(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return str(cents(Decimal(str(value))))
    except (InvalidOperation, ArithmeticError):
        return None


def _id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _time(value: object) -> datetime | None:
    return datetime.fromisoformat(str(value)) if value else None
