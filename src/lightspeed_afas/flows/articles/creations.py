"""Creating the products AFAS has and the shop lacks (``articles.create_missing``), never twice.

A product POST creates its default variant; the flow fills that one in (codes, prices, EAN, tax, title)
and adds no second. Each step is recorded on the item before the next call, so a run cut short anywhere
continues where it stopped:

1. ``creating`` with the time and title, before the POST;
2. the product id, once the POST answered;
3. ``created``, once its default variant carries the item's code.

A POST whose answer was lost (no answer, a 5xx) may have created the product. Before it is sent again,
the shop is asked for products created since the attempt started with the title sent and no other
item's claim, whose variants carry no code or this one: found, it is adopted; not found, the POST is
sent again. A creation interrupted before its variant was filled in is finished by the next run the
same way — never a second product.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from lightspeed_afas.domain.articles import TEXT_FIELDS
from lightspeed_afas.domain.stock import normalise_code
from lightspeed_afas.flows.articles.catalogue import shop_variant
from lightspeed_afas.hooks.errors import (
    LightspeedBadRequestError,
    LightspeedBudgetExhaustedError,
    LightspeedNotFoundError,
    LightspeedUnavailableError,
)
from lightspeed_afas.ledger.articles import WriteRow
from lightspeed_afas.ledger.clock import now_utc

if TYPE_CHECKING:
    from lightspeed_afas.flows.articles.push_step import Written
    from lightspeed_afas.flows.articles.results import ArticlePlan
    from lightspeed_afas.flows.articles.settings import ArticleRequest, ArticleSyncSettings
    from lightspeed_afas.flows.clients import Hooks
    from lightspeed_afas.ledger import Ledger

log = logging.getLogger(__name__)

SKEW = timedelta(minutes=2)  # the shop's clock may be behind ours
VARIANT_VALUES = ("priceExcl", "priceIncl", "ean", "tax")


class Creator:
    def __init__(
        self, settings: ArticleSyncSettings, request: ArticleRequest, ledger: Ledger, hooks: Hooks,
        plan: ArticlePlan, done: Written,
    ) -> None:  # fmt: skip
        self.settings, self.ledger, self.hooks, self.plan, self.done = settings, ledger, hooks, plan, done
        self.tenant = settings.tenant
        self.items = ledger.article_items(settings.tenant)
        # A retried task meets items an earlier try created: their "created" rows say so.
        self.done_before = {
            w["item_code"]
            for w in ledger.article_writes(settings.tenant, request.run_id, limit=100_000)
            if w["field"] == "create" and w["outcome"] == "created"
        }

    def create_all(self) -> None:
        for index, code in enumerate(self.plan.creations):
            if code in self.done_before:
                continue
            try:
                self.create(code)
            except LightspeedBudgetExhaustedError as exc:
                self.done.not_created = self.plan.creations[index:]
                self.done.stopped_because = str(exc)
                return

    def create(self, code: str) -> None:
        values = self.plan.targets[code]
        row = self.items[code]
        title = str(values["title"])
        product_id = row.product_id if row.status == "creating" else None
        if product_id is None and row.status == "creating" and row.create_started_at:
            product_id = self.find_lost(code, row.create_started_at, row.create_title or title)
        if product_id is None:
            product_id = self.post(code, title, values)
            if product_id is None:
                return
        self.fill_in(code, product_id, title, values)

    def post(self, code: str, title: str, values: dict[str, Any]) -> int | None:
        started = now_utc() - SKEW
        self._state(
            code,
            status="creating",
            create_started_at=started,
            create_title=title[:255],
            product_id=None,
            reason=None,
        )
        body = {"title": title, "visibility": values.get("visibility", "visible")}
        if "description" in values:
            body["description"] = values["description"]
        try:
            product = self.hooks.lightspeed.create_product(body)
        except LightspeedBadRequestError as exc:
            self._state(
                code,
                status="left_alone",
                reason=f"the shop refused to create it: {exc}"[:1000],
                create_started_at=None,
            )
            self._write(code, None, "failed", title, str(exc)[:500])
            return None
        except LightspeedUnavailableError as exc:
            found = self.find_lost(code, started, title)
            if found is None:
                self._write(
                    code,
                    None,
                    "unknown",
                    title,
                    f"the product POST got no answer ({exc}); the next run looks again",
                )
                return None
            return found
        product_id = int(product["id"])
        self._state(code, product_id=product_id)
        return product_id

    def find_lost(self, code: str, since: Any, title: str) -> int | None:
        """The product a lost POST for ``code`` created, or None (see the module's docstring)."""
        claimed = {r.product_id for c, r in self.items.items() if c != code and r.product_id}
        for product in sorted(
            self.hooks.lightspeed.products_created_since(since), key=lambda p: p.get("id", 0)
        ):
            pid = product.get("id")
            if (
                not isinstance(pid, int)
                or pid in claimed
                or (product.get("title") or "").strip() != title.strip()
            ):
                continue
            codes = {
                normalise_code(v.get(n))
                for v in self.hooks.lightspeed.product_variants(pid)
                for n in ("articleCode", "sku")
            }
            if codes <= {None, code}:
                log.info(
                    "Item %s: the product POST's answer was lost; product %d is it (adopted).", code, pid
                )
                self._state(code, product_id=pid)
                return pid
        return None

    def fill_in(self, code: str, product_id: int, title: str, values: dict[str, Any]) -> None:
        try:
            variants = self.hooks.lightspeed.product_variants(product_id)
        except LightspeedNotFoundError:
            variants = []
        default = next((v for v in variants if v.get("isDefault") is True), variants[0] if variants else None)
        if default is None:
            self._state(
                code,
                status="missing",
                product_id=None,
                create_started_at=None,
                reason="its product was deleted while being created",
            )
            return
        body: dict[str, Any] = {"articleCode": code, "sku": code, "title": title}
        body.update(
            {
                k: float(values[k]) if k.startswith("price") else values[k]
                for k in VARIANT_VALUES
                if k in values
            }
        )
        try:
            answer = self.hooks.lightspeed.update_variant(int(default["id"]), body)
        except LightspeedBadRequestError as exc:
            self._write(
                code,
                product_id,
                "failed",
                title,
                f"the new product's variant refused the item's values: {exc}"[:500],
            )
            return
        self._other_languages(code, product_id, values)
        saved = shop_variant({**default, **answer, "product": product_id})
        if saved is not None:
            self.ledger.save_shop_variants(self.tenant, [saved])
        texts = {name: values.get(name, "") for name in TEXT_FIELDS}
        self.ledger.save_shop_products(
            self.tenant,
            {
                product_id: {
                    "visibility": values.get("visibility"),
                    "texts": {self.hooks.lightspeed.language: texts},
                }
            },
        )
        self._state(
            code, status="created", variant_id=int(default["id"]), reason=None, create_started_at=None
        )
        self._write(code, product_id, "created", title)

    def _other_languages(self, code: str, product_id: int, values: dict[str, Any]) -> None:
        texts = {name: values[name] for name in TEXT_FIELDS if name in values}
        for lang in self.plan.languages:
            if lang != self.hooks.lightspeed.language and texts:
                self.hooks.lightspeed.update_product(product_id, texts, lang=lang)
                self.ledger.save_shop_products(self.tenant, {product_id: {"texts": {lang: texts}}})

    def _state(self, code: str, **values: Any) -> None:
        self.ledger.set_item_states(self.tenant, {code: values})

    def _write(
        self, code: str, product_id: int | None, outcome: str, title: str, reason: str | None = None
    ) -> None:
        self.done.writes.append(WriteRow(code, "product", product_id, "create", None, title, outcome, reason))
