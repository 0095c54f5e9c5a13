"""The ``articles:`` block: what is refused, and how; its defaults."""

from __future__ import annotations

from decimal import Decimal

import pytest

from lightspeed_afas.config import ConfigError, load_tenant_file
from lightspeed_afas.flows.articles.settings import article_settings


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"articles": {"fields": []}}, "articles.fields"),
        ({"articles": {"fields": ["title", "title"]}}, "names an entry twice"),
        ({"articles": {"fields": ["colour"]}}, "articles.fields"),
        ({"articles": {"match_on": ["title"]}}, "articles.match_on"),
        ({"articles": {"prices": {"source": "price_list"}}}, "prices.debtor"),
        ({"articles": {"prices": {"write": "gross"}}}, "articles.prices.write"),
        ({"articles": {"prices": {"currency": "euro"}}}, "articles.prices.currency"),
        ({"articles": {"vat_groups": {"HOOG": 121}}}, "percentages from 0 to 100"),
        ({"articles": {"languages": ["nederlands"]}}, "two-letter"),
        ({"articles": {"schedule": "hourly"}}, "not a five-field cron"),
        ({"articles": {"max_title_length": 5}}, "articles.max_title_length"),
        ({"articles": {"colour": "red"}}, "articles.colour"),
    ],
)
def test_a_bad_articles_block_is_refused_with_the_field(include, changes, message):
    path = include.tenant("acme", changes)
    with pytest.raises(ConfigError) as caught:
        load_tenant_file(path)
    assert message in str(caught.value)


def test_defaults_of_a_minimal_articles_block(include):
    path = include.tenant("acme", {"articles": {}, "lightspeed.conn_id": "ls_acme"})
    cfg = load_tenant_file(path).config
    assert "articles" in cfg.flows()
    settings = article_settings(cfg)
    assert settings.fields == ("title", "price", "ean", "visibility", "tax")
    assert settings.match_on == ("articleCode", "sku") and not settings.create_missing
    assert (
        settings.price_source == "basic" and settings.price_write == "both" and not settings.afas_includes_vat
    )
    assert settings.vat_groups == {"HOOG": Decimal(21), "LAAG": Decimal(9), "GEEN": Decimal(0)}
    assert settings.languages == () and settings.reserve_for_orders == 0.4


def test_vat_groups_and_languages_are_normalised(include):
    block = {"vat_groups": {"hoog": 21, "laag": 9.0}, "languages": ["NL", "en", "nl"]}
    cfg = load_tenant_file(include.tenant("acme", {"articles": block})).config
    assert cfg.articles.vat_groups == {"HOOG": Decimal(21), "LAAG": Decimal("9.0")}
    assert cfg.articles.languages == ["nl", "en"]
