"""Step 2, plan_articles: refresh the shop's catalogue, match AFAS items to variants (the stock flow's
matching), and list the fields whose shop value differs from AFAS's.

Per item: a variant whose code matches (``match_on``) follows it; product fields (title, description,
visibility) are only written where the product has that one variant (a product with several variants
follows no single item). Left alone, with the reason: items with article dimensions (not supported),
items the shop lacks (unless ``create_missing``), codes two variants share. A field AFAS gives no usable
value for (no price, an unmapped VAT group, a title too long) is skipped with its reason; the item's
other fields go on.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime

from lightspeed_afas.domain.article_rows import tax_ids_by_group
from lightspeed_afas.domain.articles import (
    Target,
    changes_for,
    plain,
    target_for,
    target_hash,
)
from lightspeed_afas.domain.stock import Variant, match_variants
from lightspeed_afas.flows.articles.catalogue import codes_of, refresh_catalogue
from lightspeed_afas.flows.articles.results import ArticlePlan, ArticleRead
from lightspeed_afas.flows.articles.settings import ArticleRequest, ArticleSyncSettings
from lightspeed_afas.flows.clients import Hooks
from lightspeed_afas.hooks.errors import LightspeedBudgetExhaustedError
from lightspeed_afas.ledger import Ledger
from lightspeed_afas.ledger.articles import ItemRow

log = logging.getLogger(__name__)

EXAMPLES = 20
NOT_SUPPORTED = "article dimensions"
MISSING = "not in the shop"


def plan_articles(
    settings: ArticleSyncSettings,
    request: ArticleRequest,
    ledger: Ledger,
    hooks: Hooks,
    read: ArticleRead,
    now: datetime,
) -> ArticlePlan:
    """Refresh the catalogue, decide per AFAS item, and return the fields to write and the products to create."""
    languages = settings.languages or (hooks.lightspeed.language,)
    refresh = refresh_catalogue(settings, request, ledger, hooks, languages, now)
    if not refresh.complete:
        # The key's budget is spent (orders first): plan nothing on a half-read catalogue.
        return ArticlePlan(
            languages=list(languages),
            refresh=refresh.kind,
            complete=False,
            stopped_because=refresh.stopped_because,
        )
    try:
        taxes = hooks.lightspeed.list_taxes() if "tax" in settings.fields else []
    except LightspeedBudgetExhaustedError as exc:
        return ArticlePlan(
            languages=list(languages), refresh=refresh.kind, complete=False, stopped_because=str(exc)
        )
    planner = _Planner(settings, ledger, read, languages, tax_ids_by_group(taxes, settings.vat_groups))
    planner.plan.refresh, planner.plan.complete = refresh.kind, refresh.complete
    planner.plan.stopped_because = refresh.stopped_because
    for code, row in sorted(planner.items.items()):
        planner.decide(code, row)
    plan = planner.finish()
    if settings.max_writes is not None and len(plan.changes) > settings.max_writes:
        plan.changes = plan.changes[: settings.max_writes]
        plan.stopped_because = f"articles.max_writes_per_run ({settings.max_writes}) reached"
    log.info(
        "Catalogue: %d variants (%s refresh read %d variants, %d products); %d AFAS items, %d followed "
        "(%d unchanged), %d left alone; %d field(s) to write, %d product(s) to create.",
        len(planner.variants), refresh.kind, refresh.variants, refresh.products, plan.items, plan.followed,
        plan.unchanged, sum(plan.left_alone.values()), len(plan.changes), len(plan.creations),
    )  # fmt: skip
    return plan


class _Planner:
    """One run's decisions: per item followed (its changes), left alone (why) or to be created."""

    def __init__(
        self, settings: ArticleSyncSettings, ledger: Ledger, read: ArticleRead, languages: tuple[str, ...],
        tax_ids: dict[str, int],
    ) -> None:  # fmt: skip
        self.settings, self.ledger, self.read, self.languages, self.tax_ids = (
            settings,
            ledger,
            read,
            languages,
            tax_ids,
        )
        self.rules = settings.rules(languages)
        self.items = {code: row for code, row in ledger.article_items(settings.tenant).items() if row.article}
        self.variants = ledger.shop_variants(settings.tenant)
        self.products = ledger.shop_products(settings.tenant)
        self.per_product = Counter(v.product_id for v in self.variants.values())
        matchable = [_variant(v.id, v.product_id, codes_of(v)) for v in self.variants.values()]
        matching = match_variants(matchable, set(self.items), settings.match_on)
        self.by_item = {code: vid for vid, code in matching.items.items()}
        self.shared = _shared_codes(matching.left_alone, self.items)
        self.plan = ArticlePlan(languages=list(languages), items=len(self.items))
        self.states: dict[str, dict] = {}
        self.reasons: dict[str, str] = {}

    def decide(self, code: str, row: ItemRow) -> None:
        article = row.article
        assert article is not None
        read = self.read
        target = target_for(
            article,
            read.prices.get(code),
            read.bad_prices.get(code),
            read.barcodes.get(code),
            self.rules,
            self.tax_ids,
        )
        vid = self.by_item.get(code)
        if article.dimensions:
            reason = (
                f"not supported: the item has article dimensions ({', '.join(article.dimensions)}); the "
                "articles flow writes items without dimensions only"
            )
            _leave(self.states, self.reasons, row, code, reason, vid)
        elif vid is None:
            _unmatched(
                self.settings, self.plan.complete, row, code, target, self.shared.get(code), self.plan, self.states,
                self.reasons,
            )  # fmt: skip
        else:
            self.follow(code, row, target, vid)

    def follow(self, code: str, row: ItemRow, target: Target, vid: int) -> None:
        variant = self.variants[vid]
        product = self.products.get(variant.product_id) if self.per_product[variant.product_id] == 1 else None
        changes = changes_for(code, target, vid, variant.shop, variant.product_id, product, self.languages)
        plan = self.plan
        plan.followed += 1
        plan.changes += changes
        if target.problems:
            plan.field_problems += len(target.problems)
            _example(plan, code, _problems(target) or "")
        digest = target_hash(target)
        wanted = {
            "status": "followed",
            "reason": _problems(target),
            "variant_id": vid,
            "product_id": variant.product_id,
        }
        if changes:
            plan.hashes[code] = digest
        else:
            plan.unchanged += 1
            wanted["pushed_hash"] = digest
        if _differs(row, wanted):
            self.states[code] = wanted

    def finish(self) -> ArticlePlan:
        self.ledger.set_item_states(self.settings.tenant, self.states)
        self.plan.left_alone = dict(Counter(reason_kind(r) for r in self.reasons.values()))
        for code, reason in sorted(self.reasons.items())[:EXAMPLES]:
            _example(self.plan, code, reason)
        return self.plan


def _unmatched(
    settings: ArticleSyncSettings, complete: bool, row: ItemRow, code: str, target: Target,
    shared: str | None, plan: ArticlePlan, states: dict, reasons: dict[str, str],
) -> None:  # fmt: skip
    if shared:
        _leave(states, reasons, row, code, shared, None)
        return
    article = row.article
    assert article is not None
    title = target.values.get("title", article.title)
    if row.status == "creating" or (
        settings.create_missing and (not article.blocked or settings.create_blocked)
    ):
        if "title" in target.problems or not title:
            why = target.problems.get("title", "AFAS gives the item no description")
            _leave(states, reasons, row, code, f"cannot be created: {why}", None)
        elif complete:
            plan.creations.append(code)
            plan.targets[code] = {"title": title, **{k: plain(v) for k, v in target.values.items()}}
        return
    why = "blocked in AFAS" if settings.create_missing else "articles.create_missing is off"
    _leave(states, reasons, row, code, f"{MISSING} (no variant has its code; {why})", None)


def _leave(
    states: dict, reasons: dict[str, str], row: ItemRow, code: str, reason: str, vid: int | None
) -> None:
    reasons[code] = reason
    wanted = {"status": "left_alone", "reason": reason, "variant_id": vid}
    if _differs(row, wanted):
        states[code] = wanted


def _differs(row: ItemRow, wanted: dict) -> bool:
    return any(getattr(row, k) != v for k, v in wanted.items())


def _problems(target: Target) -> str | None:
    return "; ".join(f"{f}: {r}" for f, r in sorted(target.problems.items())) or None


def _shared_codes(left_alone: dict[int, str], items: dict) -> dict[str, str]:
    """Items whose code several variants share: the matching's reason, per item code."""
    out = {}
    for reason in left_alone.values():
        if reason.startswith("variants ") and " all match AFAS item " in reason:
            code = reason.split(" all match AFAS item ")[1].split(":")[0]
            if code in items:
                out[code] = reason
    return out


def reason_kind(reason: str) -> str:
    """A left-alone reason's kind, for counts: not supported, not in the shop, shared code, …"""
    if reason.startswith("not supported"):
        return NOT_SUPPORTED
    if reason.startswith(MISSING):
        return MISSING
    if reason.startswith("variants "):
        return "code shared by several variants"
    if reason.startswith("cannot be created"):
        return "cannot be created"
    return "other"


def _example(plan: ArticlePlan, code: str, reason: str) -> None:
    if len(plan.examples) < EXAMPLES:
        plan.examples.append({"item": code, "reason": reason})


def _variant(vid: int, product_id: int | None, codes: dict[str, str | None]) -> Variant:
    return Variant(vid, product_id, codes["articleCode"], codes["sku"], codes["ean"], None, None, None)
