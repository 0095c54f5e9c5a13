"""The emulator's settings. The demo credentials are fixed 32-character strings (the official PHP client
rejects any other length), printed by the CLI and used by ``make demo``."""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from emulators.lightspeed.webhook_delivery import DeliverySettings

DEMO_API_KEY = "d3m0k3y0000000000000000000000001"
DEMO_API_SECRET = "d3m0s3cr3t0000000000000000000001"
DEFAULT_BASE_TIME = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

# The catalogue's rules for what the reference leaves open ([U]); ``catalog`` documents each one.
# The first value of each is the default: the strictest plausible reading.
RULE_CHOICES: dict[str, tuple[str, ...] | tuple[int, ...]] = {
    "variant_code_filters": ("ignore", "apply", "refuse"),
    "readonly_fields": ("refuse", "ignore"),
    "negative_stock_level": ("refuse", "accept"),
    "stock_put_when_disabled": ("ignore", "accept", "refuse"),
    "stock_level_put": ("absolute", "delta"),
    "variants_bulk": ("absent",),
    "order_below_zero": ("allow", "clamp"),
    "default_variant": ("free", "exclusive"),
    "price_write": ("as_sent", "derive"),
    "tax_write": ("id", "id_or_link"),
    "image_clear": ("keep", "clear"),
    "untranslated_text": ("empty", "default_language"),
    # The catalogue writes' rules; ``catalog_write`` documents each one.
    "create_status": (201, 200),
    "delete_status": (204, 200),
    "product_delete": ("cascade", "keep_variants"),
    "last_variant_delete": ("refuse", "allow"),
    "shop_limit_exceeded": ("refuse", "ignore"),
    "created_stock_tracking": ("disabled", "indicator", "enabled"),
    "created_visibility": ("hidden", "visible", "auto"),
    "variant_post_title": ("required", "default"),
    "visibility_write": ("linked", "independent"),
    "product_filters": ("ignore", "apply", "refuse"),
    "unknown_tax": ("refuse", "accept"),
    # The customers' and invoices' rules; ``customers`` and ``invoices`` document each one. One
    # exception to "strictest first": ``invoice_date_filters`` defaults to "apply" (an incremental
    # read of invoices needs some window filter; "ignore" is there to test a shop without one).
    "customer_created_filter": ("ignore", "apply", "refuse"),
    "customer_email_filter": ("ignore", "apply", "refuse"),
    "invoice_date_filters": ("apply", "ignore", "refuse"),
    "invoice_credit_filter": ("ignore", "apply", "refuse"),
    "invoice_items_root": ("invoiceItems", "invoiceItem", "items"),
    "invoice_item_types": ("product/shipment/payment", "product/shipping/payment"),
    "credit_item_signs": ("positive", "negative"),
    "credited_invoice_link": ("false", "link"),
    "credit_response": ("credit", "invoice"),
    # The webhooks' rules; ``webhooks`` documents each one. ``webhook_signature`` defaults to the
    # community's reading (md5 of the raw body then the secret), not to "none".
    "webhook_action_groups": ("orders_only", "any"),
    "webhook_language": ("code", "code_or_id"),
    "webhook_extra_groups": ("refuse", "accept"),
    "webhook_payload": ("wrapped", "unwrapped", "id_only"),
    "webhook_signature": ("md5_body_secret", "md5_secret_body", "none", "uppercase_hex"),
}
STOCK_TRACKING = ("enabled", "disabled", "indicator")


def _default_decrements() -> dict[str, bool]:
    return {"enabled": True, "indicator": False, "disabled": False}


@dataclass
class VariantRules:
    """The variant/product rules (see ``catalog`` and ``catalog_write``; ``default_variant_title`` is any
    non-empty string), the customers'/invoices' rules (see ``customers`` and ``invoices``) and the
    webhooks' (see ``webhooks``); ``update`` checks a whole change before applying it."""

    variant_code_filters: str = "ignore"
    readonly_fields: str = "refuse"
    negative_stock_level: str = "refuse"
    stock_put_when_disabled: str = "ignore"
    stock_level_put: str = "absolute"
    variants_bulk: str = "absent"
    order_below_zero: str = "allow"
    default_variant: str = "free"
    price_write: str = "as_sent"
    tax_write: str = "id"
    image_clear: str = "keep"
    untranslated_text: str = "empty"
    create_status: int = 201
    delete_status: int = 204
    product_delete: str = "cascade"
    last_variant_delete: str = "refuse"
    shop_limit_exceeded: str = "refuse"
    created_stock_tracking: str = "disabled"
    created_visibility: str = "hidden"
    variant_post_title: str = "required"
    visibility_write: str = "linked"
    product_filters: str = "ignore"
    unknown_tax: str = "refuse"
    customer_created_filter: str = "ignore"
    customer_email_filter: str = "ignore"
    invoice_date_filters: str = "apply"
    invoice_credit_filter: str = "ignore"
    invoice_items_root: str = "invoiceItems"
    invoice_item_types: str = "product/shipment/payment"
    credit_item_signs: str = "positive"
    credited_invoice_link: str = "false"
    credit_response: str = "credit"
    webhook_action_groups: str = "orders_only"
    webhook_language: str = "code"
    webhook_extra_groups: str = "refuse"
    webhook_payload: str = "wrapped"
    webhook_signature: str = "md5_body_secret"
    default_variant_title: str = "Default"
    title_max_length: int = 255
    stock_change_bumps_updated_at: bool = False
    order_decrements: dict[str, bool] = field(default_factory=_default_decrements)

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            setattr(self, name, self.checked(name, value, _default_decrements()))

    @staticmethod
    def checked(name: str, value: Any, current: dict[str, bool]) -> Any:
        """``value`` for rule ``name`` if valid (``order_decrements`` merged into ``current``)."""
        if name in RULE_CHOICES:
            choices = RULE_CHOICES[name]
            if value not in choices or type(value) is not type(choices[0]):
                raise ValueError(f"{name}: one of {', '.join(RULE_CHOICES[name])}, got {value!r}")
            return value
        if name == "default_variant_title":
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"{name}: a non-empty string, got {value!r}")
            return value
        if name == "title_max_length":
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 100_000:
                raise ValueError(f"{name}: a whole number from 1 to 100000, got {value!r}")
            return value
        if name == "stock_change_bumps_updated_at":
            if not isinstance(value, bool):
                raise ValueError(f"{name}: true or false, got {value!r}")
            return value
        if name == "order_decrements":
            if not isinstance(value, dict) or set(value) - set(STOCK_TRACKING):
                raise ValueError(f"{name}: an object with keys among {', '.join(STOCK_TRACKING)}")
            if not all(isinstance(flag, bool) for flag in value.values()):
                raise ValueError(f"{name}: every value is true or false")
            return {**current, **value}
        raise ValueError(f"unknown rule {name!r}; rules: {', '.join(RULE_NAMES)}")

    def update(self, changes: dict[str, Any]) -> None:
        checked = {name: self.checked(name, value, self.order_decrements) for name, value in changes.items()}
        for name, value in checked.items():
            setattr(self, name, value)

    def as_dict(self) -> dict[str, Any]:
        return copy.deepcopy(asdict(self))


RULE_NAMES = tuple(f.name for f in fields(VariantRules))


@dataclass
class LightspeedConfig:
    """``rate_limits`` are the 5-minute / hour / day budgets per API key; ``clock_scale`` emulated
    seconds per real second; ``filter_timezone`` how naive ``*_at_min/max`` values are read;
    ``base_time`` the moment the generated orders lead up to (their dates never use the wall clock);
    ``line_price_semantics`` whether line ``priceIncl``/``priceExcl`` are line totals or unit prices;
    ``retry_after_format`` of a 429; ``reset_quirk`` reproduces the stale remaining count right after a
    window resets; ``variant_rules`` the catalogue's rules (a ``VariantRules`` or a dict of them);
    ``max_products``/``max_products_variants`` the shop's ``shopLimits`` caps (the doc example's);
    ``webhook_secret`` what ``X-Signature`` is computed with (None: ``api_secret``);
    ``webhook_delivery`` how webhooks are sent (a ``DeliverySettings`` or a dict of them, see
    ``webhook_delivery``)."""

    api_key: str = DEMO_API_KEY
    api_secret: str = DEMO_API_SECRET
    languages: tuple[str, ...] = ("nl", "en")
    seed: str = "demo"
    orders: int = 60
    rate_limits: tuple[int, int, int] = (300, 3000, 12000)
    clock_scale: float = 1.0
    filter_timezone: str = "Europe/Amsterdam"
    base_time: datetime = field(default_factory=lambda: DEFAULT_BASE_TIME)
    line_price_semantics: str = "line_total"
    retry_after_format: str = "seconds"
    reset_quirk: bool = False
    variant_rules: VariantRules = field(default_factory=VariantRules)
    max_products: int = 10000
    max_products_variants: int = 50
    webhook_secret: str | None = None
    webhook_delivery: DeliverySettings = field(default_factory=DeliverySettings)

    def __post_init__(self) -> None:
        if isinstance(self.webhook_delivery, dict):
            settings = DeliverySettings()
            settings.update(self.webhook_delivery)
            self.webhook_delivery = settings
        if self.webhook_secret is not None and (
            not isinstance(self.webhook_secret, str) or not self.webhook_secret
        ):
            raise ValueError("webhook_secret: a non-empty string, or None for the API secret")
        if isinstance(self.variant_rules, dict):
            rules = VariantRules()
            rules.update(self.variant_rules)
            self.variant_rules = rules
        self.languages = tuple(self.languages)
        self.rate_limits = tuple(int(n) for n in self.rate_limits)  # type: ignore[assignment]
        if len(self.rate_limits) != 3 or min(self.rate_limits) < 0:
            raise ValueError("rate_limits: three budgets (5 minutes, hour, day)")
        if any(len(lang) != 2 for lang in self.languages):
            raise ValueError("languages are two-letter codes")
        if self.filter_timezone not in ("Europe/Amsterdam", "UTC"):
            raise ValueError("filter_timezone: 'Europe/Amsterdam' or 'UTC'")
        if self.line_price_semantics not in ("line_total", "unit"):
            raise ValueError("line_price_semantics: 'line_total' or 'unit'")
        if self.retry_after_format not in ("seconds", "http-date"):
            raise ValueError("retry_after_format: 'seconds' or 'http-date'")
        if self.base_time.tzinfo is None:
            raise ValueError("base_time must be timezone-aware")
        if self.clock_scale <= 0:
            raise ValueError("clock_scale must be positive")
        for name in ("max_products", "max_products_variants"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name}: an integer of at least 0")

    @property
    def filter_zone(self) -> ZoneInfo:
        return ZoneInfo(self.filter_timezone)
