"""The ``customers:`` and ``credit_notes:`` blocks: what is refused, and how; their defaults."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lightspeed_afas.config import ConfigError, load_mapping, load_tenant_file
from lightspeed_afas.flows.credit_notes import credit_note_settings
from lightspeed_afas.flows.customers import customer_settings


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"customers": {"include": "all"}}, "customers.include"),
        ({"customers": {"schedule": "often"}}, "not a five-field cron"),
        ({"customers": {"new_relation": {"currency": "eur"}}}, "three-letter ISO code"),
        ({"customers": {"colour": "red"}}, "customers.colour"),
        ({"credit_notes": {"credit_marking": "minus"}}, "credit_notes.credit_marking"),
        ({"credit_notes": {"invoice_reference": "order"}}, "credit_notes.invoice_reference"),
        ({"credit_notes": {"remark_template": "Credit {amount}"}}, "{amount}"),
        ({"credit_notes": {"remark_template": "Credit {number"}}, "not a valid template"),
        ({"credit_notes": {"overlap_minutes": -1}}, "credit_notes.overlap_minutes"),
    ],
)
def test_a_bad_block_is_refused_with_the_field(include, changes, message):
    path = include.tenant("acme", changes)
    with pytest.raises(ConfigError) as caught:
        load_tenant_file(path)
    assert message in str(caught.value)


def test_defaults_of_minimal_blocks_follow_the_order_flow(include):
    path = include.tenant(
        "acme",
        {"customers": {}, "credit_notes": {}, "afas.new_relation": {"currency": "EUR", "language": "NL"}},
    )
    cfg = load_tenant_file(path).config
    assert cfg.flows()[-2:] == ("customers", "credit_notes")
    mapping = load_mapping(cfg.mapping, cfg.mapping_overrides)
    customers = customer_settings(cfg, mapping)
    assert customers.include == "new" and not customers.confirmed_only
    assert customers.relation_defaults.language == "NL"  # the order flow's new_relation
    assert customers.overlap == timedelta(minutes=cfg.lightspeed.overlap_minutes)
    credits = credit_note_settings(cfg, mapping)
    assert credits.credit.marking == "negative_lines" and credits.credit.invoice_reference == "none"
    assert credits.rules.connector == "FbSales" and credits.lookups.order_connector == "Profit_Salesorders"


def test_the_customers_block_has_its_own_relation_defaults_and_direct_invoices_are_looked_up_so(include):
    path = include.tenant(
        "acme",
        {
            "customers": {
                "new_relation": {"currency": "USD"},
                "include": "new_and_changed",
                "overlap_minutes": 5,
            },
            "credit_notes": {"credit_marking": "cror_positive_lines"},
            "afas.document": "direct_invoice",
        },
    )
    cfg = load_tenant_file(path).config
    mapping = load_mapping(cfg.mapping, cfg.mapping_overrides)
    customers = customer_settings(cfg, mapping)
    assert customers.relation_defaults.currency == "USD" and customers.overlap == timedelta(minutes=5)
    credits = credit_note_settings(cfg, mapping)
    assert credits.rules.connector == "FbDirectInvoice" and credits.credit.sign == 1
