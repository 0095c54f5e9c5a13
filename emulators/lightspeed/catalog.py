"""The shop's catalogue: products and their variants (internal form), stock, movements and the rules.

Variant (internal): the API's writable fields under their API names (money and sizes as Decimal,
``title`` a ``{lang: text}`` dict), ``id``, ``product`` (a product id), ``created``/``updated`` (aware,
UTC), ``stockSold`` (stays 0: its meaning is unknown), ``taxRate`` (a fraction, for ``price_write``),
``movements`` (``{id, created, channel, stockLevelChange}``; channel "api" for a PUT, "auto" for an
order, "backoffice" for an admin PATCH) and ``raw`` (verbatim overrides of the rendered JSON; they only
change what a client reads: order matching and PUT checks see the internal values).

Rules (``VariantRules`` in ``config``; ``POST /_admin/variant_rules``; first value = default = the
strictest plausible reading of what the reference marks [U]; the write rules in ``catalog_write``):
- ``variant_code_filters`` ignore|apply|refuse: list filters ``articleCode``/``ean``/``sku`` are not
  applied (the whole list comes back) | applied exactly | a 400.
- ``readonly_fields`` refuse|ignore: a PUT naming a read-only field is a 400 | the field is skipped.
- ``negative_stock_level`` refuse|accept: a PUT leaving ``stockLevel`` below 0 is a 400 | stored.
- ``stock_put_when_disabled`` ignore|accept|refuse: a PUT of ``stockLevel`` on a variant whose
  ``stockTracking`` is (after the PUT) "disabled" answers 200 with the level unchanged | sets it | 400.
- ``stock_level_put`` absolute|delta: a PUT ``stockLevel`` is the new level | a change to it.
- ``variants_bulk`` absent: ``PUT /variants/bulk.json`` answers 404 (its shape is unknown).
- ``order_decrements`` {enabled: true, indicator: false, disabled: false}: whether an added order's
  line decrements the level of the variant its code matches, per ``stockTracking``.
- ``order_below_zero`` allow|clamp: an order may take the level below 0 (no checkout block) | not.
- ``stock_change_bumps_updated_at`` false: a stock change by an order or the back office leaves
  ``updatedAt`` alone (a PUT always bumps it; other back-office changes bump it too).
- ``default_variant`` free|exclusive: ``isDefault: true`` leaves the product's other variants as
  they are (two defaults possible) | clears their flag.
- ``price_write`` as_sent|derive: a PUT price is stored as sent, the other price is not recomputed
  | the missing one is derived with the variant's tax rate (priceExcl wins when both are sent).
- ``tax_write`` id|id_or_link: ``tax`` is written as a tax id (int) | also as a resource link.
- ``image_clear`` keep|clear: ``image: null/false`` answers 200, the image stays (observed) | goes.
- ``untranslated_text`` empty|default_language: a text never set in the request's language reads
  "" | the shop's first language's text.
Fixed: a line matches the variant whose ``articleCode``, else ``sku``, else ``ean`` equals the line's
(non-empty; lowest id wins); only orders added by the admin API (or generated) decrement.
"""

from __future__ import annotations

import random
import re
import threading
import zlib
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from emulators.demo_catalogue import PRODUCTS
from emulators.lightspeed.config import STOCK_TRACKING, VariantRules
from emulators.lightspeed.money import cents
from emulators.lightspeed.store import AdminError, money, parse_moment

CODE_FIELDS = ("articleCode", "sku", "ean")
ADMIN_STRINGS = ("articleCode", "sku", "ean", "weightUnit", "volumeUnit", "sizeUnit")
ADMIN_INTS = ("stockLevel", "sortOrder", "stockAlert", "stockMinimum", "stockBuyMinimum", "stockBuyMaximum")
ADMIN_MONEY = ("priceExcl", "priceIncl", "priceCost", "oldPriceExcl", "oldPriceIncl", "taxRate")
DEMO_TRACKING = {"CADEAUBON-25": "disabled", "CADEAUBON-50": "disabled", "WORKSHOP-LATTE": "indicator"}
DEMO_STOCK = 25
D0 = Decimal("0")


def ean13(first12: str) -> str:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return first12 + str((10 - total % 10) % 10)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


class Catalog:
    """Products and variants; every method that touches them holds ``lock``."""

    def __init__(
        self,
        base_time: datetime,
        rules: VariantRules,
        languages: tuple[str, ...],
        now: Callable[[], datetime],
    ) -> None:
        self.base_time, self.rules, self.languages, self.clock_now = base_time, rules, languages, now
        self.lock = threading.RLock()
        self.products: dict[int, dict[str, Any]] = {}
        self.variants: dict[int, dict[str, Any]] = {}
        self._codes: dict[tuple[str, str], int] | None = None
        self.next_product, self.next_variant, self.next_movement, self.generated = 0, 0, 0, 0

    def reseed(self) -> None:
        """One product with one variant per demo-catalogue product, stock 25, edge cases included."""
        with self.lock:
            self.products, self.variants, self._codes = {}, {}, None
            self.next_product, self.next_variant, self.next_movement = 21880001, 36280001, 114580001
            self.generated = 0
            for i, item in enumerate(PRODUCTS):
                created = self.base_time - timedelta(days=120, hours=-i)
                product = self.new_product(None, item.title, created, f"{item.title} {item.variant}")
                variant = self.blank_variant(product, created)
                variant.update(articleCode=item.article_code, sku=item.sku, ean=item.ean, isDefault=True)
                variant.update(
                    priceIncl=item.price_incl, taxRate=item.tax_rate, title=self.texts(item.variant)
                )
                variant.update(priceExcl=cents(item.price_incl / (1 + item.tax_rate)), stockLevel=DEMO_STOCK)
                variant.update(
                    stockTracking=DEMO_TRACKING.get(item.sku, "enabled"), updated=created + timedelta(days=60)
                )
                product["updated"] = variant["updated"]
                self.variants[variant["id"]] = variant

    def texts(self, value: Any) -> dict[str, str]:
        """A text for every language (a string) or per language (``{lang: text}``)."""
        if isinstance(value, str):
            return dict.fromkeys(self.languages, value)
        if not isinstance(value, dict) or not all(isinstance(t, str) for t in value.values()):
            raise AdminError(f"a text is a string or {{language: string}}, got {value!r}")
        if set(value) - set(self.languages):
            raise AdminError(f"languages of the shop: {', '.join(self.languages)}; got {sorted(value)}")
        return dict(value)

    def text(self, texts: dict[str, str], lang: str) -> str:
        if lang in texts:
            return texts[lang]
        return texts.get(self.languages[0], "") if self.rules.untranslated_text == "default_language" else ""

    def new_product(
        self, product_id: int | None, title: Any, moment: datetime, url: str | None = None
    ) -> dict[str, Any]:
        pid = self.next_product if product_id is None else int(product_id)
        titles = self.texts(title if title is not None else f"Product {pid}")
        product = {"id": pid, "created": moment, "updated": moment, "isVisible": True}
        product.update(visibility="visible", next_sort=1, raw={}, title=titles, fulltitle=dict(titles))
        product.update(description=self.texts(""), content=self.texts(""))
        product["url"] = {lang: slug(url or text) or str(pid) for lang, text in titles.items()}
        self.products[pid] = product
        self.next_product = max(self.next_product, pid + 1)
        return product

    def blank_variant(self, product: dict[str, Any], moment: datetime) -> dict[str, Any]:
        vid = self.next_variant
        self.next_variant += 1
        sort_order, product["next_sort"] = product["next_sort"], product["next_sort"] + 1
        variant: dict[str, Any] = {"id": vid, "product": product["id"], "created": moment, "updated": moment}
        variant.update(isDefault=False, sortOrder=sort_order, articleCode="", ean="", sku="")
        variant.update(dict.fromkeys(("priceExcl", "priceIncl", "priceCost", "oldPriceExcl"), D0))
        variant.update(oldPriceIncl=D0, stockTracking="enabled", stockLevel=0, stockAlert=0)
        variant.update(stockMinimum=0, stockSold=0, stockBuyMinimum=1, stockBuyMaximum=10000)
        variant.update(dict.fromkeys(("weight", "volume", "sizeX", "sizeY", "sizeZ"), D0))
        variant.update(weightUnit="kg", volumeUnit="l", sizeUnit="cm", title=self.texts("Default"))
        variant.update(image=False, tax=False, taxRate=Decimal("0.21"), movements=[], raw={})
        return variant

    def add(self, spec: dict[str, Any]) -> dict[str, Any]:
        """A variant from an admin spec; ``product`` names an existing or new product (left out: a new
        product whose default variant this is)."""
        with self.lock:
            moment = self.now()
            wanted = spec.get("product")
            product = self.products.get(int(wanted)) if wanted is not None else None
            fresh = product is None
            if product is None:
                product = self.new_product(wanted, spec.get("product_title"), moment)
            variant = self.blank_variant(product, moment)
            variant["isDefault"] = fresh
            try:
                self.apply_spec(
                    variant, {k: v for k, v in spec.items() if k not in ("product", "product_title")}
                )
            except (TypeError, ValueError):  # AdminError too
                if fresh:
                    del self.products[product["id"]]
                raise
            self.variants[variant["id"]] = variant
            self._codes = None
            return variant

    def apply_spec(self, variant: dict[str, Any], spec: dict[str, Any]) -> None:
        unknown = set(spec) - {*ADMIN_STRINGS, *ADMIN_INTS, *ADMIN_MONEY}
        unknown -= {"title", "stockTracking", "isDefault", "createdAt", "updatedAt", "raw"}
        if unknown:
            raise AdminError(f"unknown variant fields: {sorted(unknown)}")
        for key in ADMIN_STRINGS:
            if key in spec:
                variant[key] = str(spec[key])
        for key in ADMIN_INTS:
            if key in spec:
                if isinstance(spec[key], bool) or not isinstance(spec[key], int):
                    raise AdminError(f"{key}: an integer (use raw for hostile values), got {spec[key]!r}")
                variant[key] = spec[key]
        for key in ADMIN_MONEY:
            if key in spec:
                variant[key] = money(spec[key], key)
        if (tracking := spec.get("stockTracking", variant["stockTracking"])) not in STOCK_TRACKING:
            raise AdminError(f"stockTracking: one of {', '.join(STOCK_TRACKING)}")
        variant["stockTracking"] = tracking
        if "title" in spec:
            variant["title"] = self.texts(spec["title"])
        if "isDefault" in spec:
            variant["isDefault"] = bool(spec["isDefault"])
        if "raw" in spec:
            variant["raw"] = dict(spec["raw"])
        for key, name in (("createdAt", "created"), ("updatedAt", "updated")):
            if key in spec:
                variant[name] = parse_moment(spec[key], key)

    def generate(self, count: int, per_product: int, seed: str) -> list[dict[str, Any]]:
        """``count`` variants, ``per_product`` to a new product, codes ``GEN-000001``… (numbered on
        across calls), a 13-digit EAN, stock and price from ``seed``."""
        if count < 0 or per_product < 1:
            raise AdminError("generate: a count ≥ 0 and per_product ≥ 1")
        rng = random.Random(f"lightspeed-catalogue:{seed}")
        prefix = f"2{zlib.crc32(seed.encode()) % 100:02d}"
        out: list[dict[str, Any]] = []
        with self.lock:
            moment, product = self.now(), None
            for i in range(count):
                number = self.generated = self.generated + 1
                if i % per_product == 0:
                    product = self.new_product(None, f"Gegenereerd artikel {number}", moment)
                variant = self.blank_variant(product, moment)  # type: ignore[arg-type]
                code = f"GEN-{number:06d}"
                price = Decimal(rng.randint(100, 9999)) / 100
                variant.update(articleCode=code, sku=code, ean=ean13(f"{prefix}{number:09d}"))
                variant.update(
                    stockLevel=rng.randint(0, 100), priceIncl=price, isDefault=i % per_product == 0
                )
                variant.update(priceExcl=cents(price / Decimal("1.21")), title=self.texts(f"Variant {i + 1}"))
                self.variants[variant["id"]] = variant
                out.append(variant)
            self._codes = None
        return out

    def now(self) -> datetime:
        """The emulator's now, to the second (as the API stores and filters times)."""
        return self.clock_now().replace(microsecond=0)

    def bumped(self, previous: datetime) -> datetime:
        return max(self.now(), previous + timedelta(seconds=1))

    def set_stock(self, variant: dict[str, Any], level: int, channel: str, bump: bool) -> None:
        """A stock change with its movement record (none when the level stays the same)."""
        with self.lock:
            change = level - variant["stockLevel"]
            if change == 0:
                return
            variant["stockLevel"] = level
            self.next_movement += 1
            movement = {"id": self.next_movement, "created": self.now(), "channel": channel}
            variant["movements"].append({**movement, "stockLevelChange": change})
            if bump:
                variant["updated"] = self.bumped(variant["updated"])

    def patch(self, variant: dict[str, Any], spec: dict[str, Any]) -> None:
        """A back-office change: a stock change follows ``stock_change_bumps_updated_at``, any other
        change bumps ``updatedAt`` (unless ``updatedAt`` is given)."""
        if "product" in spec:
            raise AdminError("a variant cannot move to another product")
        level = spec.get("stockLevel", 0)
        if isinstance(level, bool) or not isinstance(level, int):
            raise AdminError(f"stockLevel: an integer, got {level!r}")
        with self.lock:
            rest = {k: v for k, v in spec.items() if k != "stockLevel"}
            self.apply_spec(variant, rest)
            if "stockLevel" in spec:
                self.set_stock(variant, level, "backoffice", self.rules.stock_change_bumps_updated_at)
            if set(rest) - {"updatedAt", "createdAt"} and "updatedAt" not in spec:
                variant["updated"] = self.bumped(variant["updated"])
            self._codes = None

    def delete(self, variant_id: int) -> bool:
        with self.lock:
            self._codes = None
            return self.variants.pop(variant_id, None) is not None

    def _index(self) -> dict[tuple[str, str], int]:
        if self._codes is None:
            self._codes = {}
            for vid in sorted(self.variants):
                for field in CODE_FIELDS:
                    code = self.variants[vid][field]
                    if code:
                        self._codes.setdefault((field, code), vid)
        return self._codes

    def codes_changed(self) -> None:
        self._codes = None

    def apply_orders(self, orders: list[dict[str, Any]]) -> None:
        """Decrement the variants the new orders' lines match, per ``order_decrements``."""
        with self.lock:
            index, decrements = self._index(), self.rules.order_decrements
            for line in (line for order in orders for line in order["lines"]):
                keys = [(f, code) for f in CODE_FIELDS if isinstance(code := line.get(f), str) and code]
                vid = next((index[key] for key in keys if key in index), None)
                variant = self.variants.get(vid) if vid is not None else None
                if variant is None or not decrements.get(variant["stockTracking"], False):
                    continue
                level = variant["stockLevel"] - int(line["quantityOrdered"])
                if self.rules.order_below_zero == "clamp":
                    level = max(level, min(0, variant["stockLevel"]))
                self.set_stock(variant, level, "auto", self.rules.stock_change_bumps_updated_at)
