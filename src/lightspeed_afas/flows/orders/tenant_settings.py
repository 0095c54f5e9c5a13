"""SyncSettings from a validated tenant file and its mapping rules."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from lightspeed_afas.afas.relation_payloads import RelationDefaults
from lightspeed_afas.domain import retry_policy
from lightspeed_afas.domain.booking import BookingRules
from lightspeed_afas.flows.afas_side import AfasLookups
from lightspeed_afas.flows.orders.extract import Eligibility
from lightspeed_afas.flows.orders.settings import SyncSettings


def sync_settings(tenant: Any, mapping: Any, clock: retry_policy.Clock | None = None) -> SyncSettings:
    """Flatten the tenant model and the (merged) mapping model into what the steps read.

    ``clock`` defaults to ``retry_policy.utc_now``, looked up at each call (tests replace it).
    """
    afas = tenant.afas
    return SyncSettings(
        tenant=tenant.tenant,
        lightspeed_conn_id=tenant.lightspeed.conn_id,
        afas_conn_id=afas.conn_id,
        start_date=tenant.start_date,
        overlap=timedelta(minutes=tenant.lightspeed.overlap_minutes),
        eligibility=Eligibility(
            tuple(tenant.lightspeed.order_statuses), tuple(tenant.lightspeed.payment_statuses)
        ),
        rules=booking_rules(afas, mapping),
        lookups=AfasLookups.configured(afas.lookups, afas.document),
        countries={k.lower(): v for k, v in mapping.countries.items()},
        relation_defaults=relation_defaults(afas.new_relation),
        guest_debtor=afas.guest_debtor,
        duplicate_debtors=afas.duplicate_debtors,
        cancelled_orders=afas.cancelled_orders,
        processed_statuses=tuple(afas.processed_statuses),
        max_parallel_calls=afas.max_parallel_calls,
        max_attempts=tenant.max_attempts,
        detail_logging=tenant.detail_logging,
        hold_unbooked=bool(tenant.stock and tenant.stock.subtract_unbooked),
        clock=clock or retry_policy.utc_now,
    )


def booking_rules(afas: Any, mapping: Any) -> BookingRules:
    """The tenant's AFAS document settings and its mapping rules, as the booking reads them."""
    return BookingRules(
        document=afas.document,
        administration=afas.administration,
        journal=afas.sales_journal,
        project=afas.project,
        warehouse=afas.warehouse,
        currency=afas.new_relation.currency or None,
        items={
            "discount": afas.items.discount,
            "shipping": afas.items.shipping,
            "payment_fee": afas.items.payment_fee,
            "rounding": afas.items.rounding,
        },
        item_code_fields=tuple(mapping.item_code_fields),
        article_unit=mapping.units.article,
        cost_unit=mapping.units.cost,
        item_types=dict(mapping.item_types),
        vat_codes={Decimal(str(rate)): code for rate, code in mapping.vat_codes.items()},
        payment_types=dict(mapping.payment_types),
        prices_incl_vat=mapping.prices_include_vat,
        order_date_source=mapping.order_date,
        remark_template=mapping.remark_template,
        line_price_semantics=mapping.line_price_semantics,
        rounding_mode=mapping.rounding.mode,
        rounding_tolerance=Decimal(mapping.rounding.tolerance_cents) / 100,
    )


def relation_defaults(new_relation: Any) -> RelationDefaults:
    """The tenant's ``afas.new_relation``: the debtor-level fields of a relation the sync creates."""
    return RelationDefaults(
        currency=new_relation.currency or "EUR",
        payment_condition=new_relation.payment_condition,
        vat_duty=new_relation.vat_duty,
        collective_account=new_relation.collective_account,
        invoice_delivery=new_relation.invoice_delivery,
        language=new_relation.language,
        profile=new_relation.profile,
    )
