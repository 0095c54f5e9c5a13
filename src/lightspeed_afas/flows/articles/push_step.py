"""Step 3, push_articles: write the planned fields and create the missing products, within the key's
budget, and record every field.

- One PUT per variant (its changed prices, EAN, tax: shared by every language) and one per product and
  language (its changed title, description; visibility with the connection's language). Values are
  absolute, so a PUT whose answer was lost is sent again by the hook; a task retry skips what this run
  already wrote. A blocked item's product becomes hidden, never deleted.
- 404: the variant or product was deleted meanwhile; it leaves the catalogue. 400: recorded with
  Lightspeed's message, the other writes go on. No answer after the hook's tries: recorded ``unknown``
  and the task fails (its retry, or the next run, compares again).
- The budget: the hook raises ``BudgetReservedError`` before a call that would eat into the orders' share;
  the run stops there (``partial``) and the next run plans the rest again.
- Creating (``create_missing``): ``creations``.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from lightspeed_afas.domain.articles import Change
from lightspeed_afas.flows.articles.creations import Creator
from lightspeed_afas.flows.articles.results import ArticlePlan
from lightspeed_afas.flows.articles.settings import ArticleRequest, ArticleSyncSettings
from lightspeed_afas.flows.clients import Hooks
from lightspeed_afas.hooks.errors import (
    LightspeedBadRequestError,
    LightspeedBudgetExhaustedError,
    LightspeedNotFoundError,
    LightspeedUnavailableError,
)
from lightspeed_afas.ledger import Ledger
from lightspeed_afas.ledger.articles import WriteRow
from lightspeed_afas.ledger.clock import now_utc

log = logging.getLogger(__name__)

UNANSWERED = "Lightspeed gave no answer to the PUT; the next comparison settles it"


@dataclass
class Written:
    """What push_articles did."""

    writes: list[WriteRow] = field(default_factory=list)
    not_written: list[Change] = field(default_factory=list)
    not_created: list[str] = field(default_factory=list)
    stopped_because: str | None = None


Group = tuple[str, int, str]  # target, id, language


def push_articles(
    settings: ArticleSyncSettings, request: ArticleRequest, ledger: Ledger, hooks: Hooks, plan: ArticlePlan
) -> Written:
    """Write the plan's fields, then create its products; a dry run writes nothing."""
    done = Written()
    if request.dry_run:
        done.not_written, done.not_created = list(plan.changes), list(plan.creations)
        return done
    lang = hooks.lightspeed.language
    groups = _groups(_still_to_write(ledger, settings.tenant, request.run_id, plan.changes), lang)
    try:
        for index, (key, changes) in enumerate(groups):
            try:
                done.writes += write_group(hooks, key, changes, lang)
            except LightspeedBudgetExhaustedError as exc:
                done.not_written = [c for _, rest in groups[index:] for c in rest]
                done.not_created = list(plan.creations)
                done.stopped_because = str(exc)
                return done
            except LightspeedUnavailableError as exc:
                done.writes += [_row(c, "unknown", f"{UNANSWERED}: {exc}"[:500]) for c in changes]
                raise
        Creator(settings, request, ledger, hooks, plan, done).create_all()
    finally:
        _record(ledger, settings, request, plan, done)
    return done


def write_group(hooks: Hooks, key: Group, changes: list[Change], lang: str) -> list[WriteRow]:
    """One PUT for the changes of one variant, or of one product in one language."""
    target, target_id, in_lang = key
    body: dict[str, Any] = {c.field: _json_value(c) for c in changes}
    try:
        if target == "variant":
            hooks.lightspeed.update_variant(target_id, body)
        else:
            hooks.lightspeed.update_product(target_id, body, lang=None if in_lang == lang else in_lang)
    except LightspeedNotFoundError:
        return [_row(c, "gone", f"the {target} is no longer in the shop (404)") for c in changes]
    except LightspeedBadRequestError as exc:
        return [_row(c, "failed", str(exc)[:500]) for c in changes]
    return [_row(c, "written") for c in changes]


def _json_value(change: Change) -> Any:
    if change.field in ("priceExcl", "priceIncl"):
        return float(change.new)  # JSON numbers; the value is already rounded to cents
    return change.new


def _row(change: Change, outcome: str, reason: str | None = None) -> WriteRow:
    return WriteRow(
        change.item_code,
        change.target,
        change.target_id,
        change.field,
        change.old,
        change.new,
        outcome,
        reason,
        change.lang,
    )


def _groups(changes: list[Change], lang: str) -> list[tuple[Group, list[Change]]]:
    grouped: dict[Group, list[Change]] = defaultdict(list)
    for change in changes:
        grouped[(change.target, change.target_id, change.lang or lang)].append(change)
    return list(grouped.items())


def _still_to_write(ledger: Ledger, tenant: str, run_id: str, changes: list[Change]) -> list[Change]:
    """Skip what an earlier try of this run's task already wrote."""
    written = {
        (w["item_code"], w["target"], w["target_id"], w["field"], w["lang"])
        for w in ledger.article_writes(tenant, run_id, limit=100_000)
        if w["outcome"] == "written"
    }
    return [c for c in changes if (c.item_code, c.target, c.target_id, c.field, c.lang) not in written]


def _record(
    ledger: Ledger, settings: ArticleSyncSettings, request: ArticleRequest, plan: ArticlePlan, done: Written
) -> None:
    """The write rows; what the shop now holds; the item hashes of items written in full."""
    ledger.record_article_writes(settings.tenant, request.run_id, done.writes)
    variants: dict[int, dict[str, Any]] = defaultdict(dict)
    products: dict[int, dict[str | None, dict[str, Any]]] = defaultdict(lambda: defaultdict(dict))
    bad = {w.item_code for w in done.writes if w.outcome not in ("written", "created")}
    for w in done.writes:
        if w.outcome != "written" or w.target_id is None:
            continue  # a new product's values are stored by the creator itself
        if w.target == "variant":
            variants[w.target_id][w.field] = w.new
        else:
            products[w.target_id][w.lang][w.field] = w.new
    ledger.patch_shop(settings.tenant, variants, products)
    unwritten = {c.item_code for c in done.not_written}
    written_items = {w.item_code for w in done.writes} - bad - unwritten
    stamp = now_utc()
    ledger.set_item_states(
        settings.tenant,
        {
            code: {"pushed_hash": plan.hashes[code], "pushed_at": stamp}
            for code in written_items
            if code in plan.hashes
        },
    )
