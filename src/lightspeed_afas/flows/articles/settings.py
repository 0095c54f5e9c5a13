"""What the articles flow of one tenant needs to know, flattened from the tenant file; and what a run asks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from lightspeed_afas.domain.articles import Rules

FLOW = "articles"


class ArticlesConfigError(Exception):
    """The tenant's articles block does not fit the AFAS environment or the shop (a connector, a field,
    a language is missing): the run fails at once with what to fix; retrying cannot help."""


@dataclass(frozen=True)
class ArticleSyncSettings:
    tenant: str
    lightspeed_conn_id: str
    afas_conn_id: str
    fields: tuple[str, ...]
    match_on: tuple[str, ...]
    price_source: str  # basic, price_list
    price_debtor: str | None
    price_currency: str
    afas_includes_vat: bool
    price_write: str
    vat_groups: dict[str, Decimal]
    languages: tuple[str, ...]  # () = the connection's language
    create_missing: bool
    create_blocked: bool
    max_title_length: int
    full_comparison_every: timedelta
    overlap: timedelta
    max_writes: int | None
    reserve_for_orders: float
    detail_logging: bool

    def rules(self, languages: tuple[str, ...]) -> Rules:
        return Rules(
            fields=self.fields,
            languages=languages,
            vat_rates=self.vat_groups,
            afas_includes_vat=self.afas_includes_vat,
            price_write=self.price_write,
            max_title_length=self.max_title_length,
        )


def article_settings(tenant: Any) -> ArticleSyncSettings:
    """The tenant's ``articles:`` block and the connections it uses (the tenant must have the block)."""
    block = tenant.articles
    if block is None:
        raise ValueError(f"tenant {tenant.tenant} has no articles block: its articles flow is off")
    return ArticleSyncSettings(
        tenant=tenant.tenant,
        lightspeed_conn_id=tenant.lightspeed.conn_id,
        afas_conn_id=tenant.afas.conn_id,
        fields=tuple(block.fields),
        match_on=tuple(block.match_on),
        price_source=block.prices.source,
        price_debtor=block.prices.debtor,
        price_currency=block.prices.currency,
        afas_includes_vat=block.prices.afas_includes_vat,
        price_write=block.prices.write,
        vat_groups=dict(block.vat_groups),
        languages=tuple(block.languages),
        create_missing=block.create_missing,
        create_blocked=block.include_blocked_when_creating,
        max_title_length=block.max_title_length,
        full_comparison_every=timedelta(hours=block.full_comparison_hours),
        overlap=timedelta(minutes=block.overlap_minutes),
        max_writes=block.max_writes_per_run,
        reserve_for_orders=tenant.lightspeed.reserve_for_orders,
        detail_logging=tenant.detail_logging,
    )


@dataclass(frozen=True)
class ArticleRequest:
    """One run of the articles flow: its id and mode, and the manual trigger's choices."""

    run_id: str
    mode: str  # scheduled, manual, backfill
    dry_run: bool = False
    full_comparison: bool = False  # read every AFAS item and the whole shop catalogue now
