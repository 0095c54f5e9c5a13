"""Step 1, read_afas_articles: what AFAS holds about its items.

- ``Profit_Article`` is read **incrementally**: rows whose ``ModifiedDate`` is at or after the last one
  seen minus ``overlap_minutes`` (sorted on it and the item code, paged), written without a zone or
  fraction (``YYYY-MM-DDTHH:MM:SS``, AFAS's local time, as its own dates are) — the one form every reading
  of the filter takes. ``>=`` may act as ``>`` in some environments: the overlap covers that second, and
  an item read twice changes nothing. Its values are kept in the ledger, so a later price change can be
  planned without reading the item again. A **full** read (the first run, every ``full_comparison_hours``
  or on demand) also finds the items AFAS deleted (hard deletes leave no change date).
- Prices (``Profit_Article_Basic`` or the debtor's ``Profit_SalesPrice``) and barcodes
  (``Profit_Barcode_per_Item``) have no change date, so they are read in full every run (8,000 items:
  one call each) and compared with the shop by plan_articles: a price change reaches the shop although
  no date moved.
- Each connector's check (``metainfo``) is kept a day between runs (``ConnectorChecks``); the run is idle
  (``flows.idle``) when the ledger's items, the prices and the barcodes are what the last clean run
  planned from: then ``ArticleRead.unchanged`` holds that run's counts and the run ends here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from lightspeed_afas.afas import lookups as codes
from lightspeed_afas.domain.article_rows import Article, parse_article, parse_prices, pick_barcodes
from lightspeed_afas.flows import idle
from lightspeed_afas.flows.afas_connectors import ConnectorChecks, connector_field_count
from lightspeed_afas.flows.articles.catalogue import full_refresh_due
from lightspeed_afas.flows.articles.results import ArticleRead
from lightspeed_afas.flows.articles.settings import (
    FLOW,
    ArticleRequest,
    ArticlesConfigError,
    ArticleSyncSettings,
)
from lightspeed_afas.flows.clients import Hooks
from lightspeed_afas.hooks.afas_filters import Condition, Filter, Op
from lightspeed_afas.hooks.errors import AfasValidationError
from lightspeed_afas.ledger import Ledger

log = logging.getLogger(__name__)

PAGE_CELLS = 150_000  # AFAS: columns × rows per page below this
MAX_TAKE = 25_000
AFAS_ZONE = ZoneInfo("Europe/Amsterdam")
FILTER_FORMAT = "%Y-%m-%dT%H:%M:%S"
MODIFIED = "afas_modified_seen"  # flow-state keys
FULL_READ_AT = "afas_full_read_at"


def read_afas_articles(
    settings: ArticleSyncSettings, request: ArticleRequest, ledger: Ledger, hooks: Hooks, now: datetime
) -> ArticleRead:
    """Open the run's ledger row, check the connectors, read the changed items, prices and barcodes."""
    run_pk = ledger.start_flow_run(settings.tenant, FLOW, request.run_id, request.mode)
    read = ArticleRead(run_pk=run_pk, read_at=now.isoformat())
    checks = ConnectorChecks(ledger, settings.tenant, FLOW, hooks, now, settings.full_comparison_every)
    _read_items(settings, request, ledger, checks, now, read)
    _read_prices(settings, checks, now, read)
    if "ean" in settings.fields:
        take = _take(_checked(checks, codes.BARCODE_CONNECTOR, settings))
        order = [codes.BARCODE_FIELDS["code"], codes.BARCODE_FIELDS["barcode"]]
        with checks.reading(codes.BARCODE_CONNECTOR, _recheck(hooks, codes.BARCODE_CONNECTOR, settings)):
            rows = hooks.afas.get_rows(codes.BARCODE_CONNECTOR, order, take=take)
        read.barcodes = pick_barcodes(rows, codes.BARCODE_FIELDS)
    decide_idle(settings, request, ledger, read, now)
    log.info(
        "AFAS: %d item(s) read from %s (%s read), %d without an item code%s; %d price(s), %d unusable; %d barcode(s).",
        read.changed_items,
        codes.ARTICLE_CONNECTOR,
        read.read,
        read.rows_without_code,
        f", {len(read.removed_items)} no longer in AFAS" if read.removed_items else "",
        len(read.prices),
        len(read.bad_prices),
        len(read.barcodes),
    )
    return read


def needed_connectors(
    fields: tuple[str, ...] | list[str], price_source: str
) -> list[tuple[str, dict[str, str], str | None]]:
    """The GetConnectors a block reads: (connector, setting → field id, what else the tenant can do)."""
    needed: list[tuple[str, dict[str, str], str | None]] = [
        (codes.ARTICLE_CONNECTOR, _named(codes.ARTICLE_FIELDS), None)
    ]
    if "price" in fields:
        basic = price_source == "basic"
        connector = codes.ARTICLE_BASIC_CONNECTOR if basic else codes.SALES_PRICE_CONNECTOR
        ids = codes.ARTICLE_BASIC_FIELDS if basic else codes.SALES_PRICE_FIELDS
        other = "price_list" if basic else "basic"
        needed.append(
            (
                connector,
                {"articles.prices": ids["price"], "item code": ids["code"]},
                f"set articles.prices.source to {other}",
            )
        )
    if "ean" in fields:
        needed.append(
            (codes.BARCODE_CONNECTOR, _named(codes.BARCODE_FIELDS), "take ean out of articles.fields")
        )
    return needed


def decide_idle(
    settings: ArticleSyncSettings, request: ArticleRequest, ledger: Ledger, read: ArticleRead, now: datetime
) -> None:
    """Set ``read.fingerprint``, and ``read.unchanged`` when the run has nothing to write (``flows.idle``):
    the items as the ledger now holds them, the prices and barcodes, the settings; a run that plans
    forgets the last clean plan first."""
    items = ledger.article_items(settings.tenant)
    afas = {code: row.article.as_dict() if row.article else None for code, row in items.items()}
    prices = {code: str(price) for code, price in read.prices.items()}
    read.fingerprint = idle.fingerprint(repr(settings), afas, prices, read.bad_prices, read.barcodes)
    settled = all(row.status != "creating" for row in items.values())  # no creation under way
    if idle.may_be_idle(request) and settled and not full_refresh_due(settings, request, ledger, now):
        read.unchanged = idle.unchanged_plan(ledger, settings.tenant, FLOW, read.fingerprint, now)
    if read.unchanged is None:
        idle.forget(ledger, settings.tenant, FLOW)


def _wanted(connector: str, settings: ArticleSyncSettings) -> tuple[dict[str, str], str | None]:
    ((wanted, instead),) = [
        (w, i) for c, w, i in needed_connectors(settings.fields, settings.price_source) if c == connector
    ]
    return wanted, instead


def _checked(checks: ConnectorChecks, connector: str, settings: ArticleSyncSettings) -> int:
    """The connector's field count, checked as ``needed_connectors`` says (kept between runs)."""
    wanted, instead = _wanted(connector, settings)
    return checks.field_count(connector, wanted, instead, ArticlesConfigError)


def _recheck(hooks: Hooks, connector: str, settings: ArticleSyncSettings) -> Callable[[], int]:
    """The check again, asking AFAS now (after a refused read whose check was kept)."""
    wanted, instead = _wanted(connector, settings)
    return lambda: connector_field_count(hooks, connector, wanted, instead, ArticlesConfigError)


def _named(fields: dict[str, str]) -> dict[str, str]:
    return {f"field {fid}": fid for fid in fields.values()}


def _take(field_count: int) -> int:
    return max(100, min(MAX_TAKE, PAGE_CELLS // max(1, field_count) - 1))


def _read_items(
    settings: ArticleSyncSettings,
    request: ArticleRequest,
    ledger: Ledger,
    checks: ConnectorChecks,
    now: datetime,
    read: ArticleRead,
) -> None:
    ids, hooks = codes.ARTICLE_FIELDS, checks.hooks
    take = _take(_checked(checks, codes.ARTICLE_CONNECTOR, settings))
    state = ledger.flow_state(settings.tenant, FLOW)
    last_full = _time(state.get(FULL_READ_AT))
    seen = state.get(MODIFIED)
    full = (
        request.full_comparison
        or seen is None
        or last_full is None
        or now - last_full >= settings.full_comparison_every
    )
    filters: Filter = ()
    if not full:
        since = datetime.fromisoformat(str(seen).rstrip("Z")) - settings.overlap
        filters = [[Condition(ids["modified"], Op.GE, since.strftime(FILTER_FORMAT))]]
    with checks.reading(codes.ARTICLE_CONNECTOR, _recheck(hooks, codes.ARTICLE_CONNECTOR, settings)):
        rows = hooks.afas.get_rows(
            codes.ARTICLE_CONNECTOR, [ids["modified"], ids["code"]], filters, take=take
        )
    dimension_types = {t.lower() for t in codes.DIMENSION_ITEM_TYPES}
    articles: list[Article] = []
    for row in rows:
        parsed = parse_article(row, ids, dimension_types)
        if isinstance(parsed, str):
            read.rows_without_code += 1
        else:
            articles.append(parsed)
    ledger.save_articles(settings.tenant, articles)
    read.changed_items = len(articles)
    read.read = "full" if full else "incremental"
    newest = max((a.modified for a in articles if a.modified), default=None)
    cursor = {MODIFIED: max(newest, str(seen)) if newest and seen else newest or seen}
    if full:
        read.removed_items = ledger.remove_articles_except(settings.tenant, {a.code for a in articles})
        cursor[FULL_READ_AT] = now.isoformat()
    ledger.set_flow_state(settings.tenant, FLOW, **cursor)


def _read_prices(
    settings: ArticleSyncSettings, checks: ConnectorChecks, now: datetime, read: ArticleRead
) -> None:
    if "price" not in settings.fields:
        return
    hooks = checks.hooks
    if settings.price_source == "basic":
        ids = codes.ARTICLE_BASIC_FIELDS
        connector, filters, order = codes.ARTICLE_BASIC_CONNECTOR, (), [ids["code"]]
    else:
        ids = codes.SALES_PRICE_FIELDS
        connector, order = codes.SALES_PRICE_CONNECTOR, [ids["code"], ids["quantity"]]
        today = now.astimezone(AFAS_ZONE).strftime("%Y-%m-%d")
        filters = [[
            Condition(ids["debtor"], Op.EQ, str(settings.price_debtor)),
            Condition(ids["date"], Op.EQ, today),
            Condition(ids["currency"], Op.EQ, settings.price_currency),
        ]]  # fmt: skip
    take = _take(_checked(checks, connector, settings))
    try:
        with checks.reading(connector, _recheck(hooks, connector, settings)):
            rows = hooks.afas.get_rows(connector, order, filters, take=take)
    except AfasValidationError as exc:
        if settings.price_source != "price_list":
            raise
        raise ArticlesConfigError(
            f"AFAS refused the price list of articles.prices.debtor {settings.price_debtor} "
            f"(currency {settings.price_currency}): {exc}. Set articles.prices.debtor to the debtor "
            "whose prices the shop shows."
        ) from None
    read.prices, read.bad_prices = parse_prices(rows, ids["code"], ids["price"])


def _time(value: object) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo("UTC"))
