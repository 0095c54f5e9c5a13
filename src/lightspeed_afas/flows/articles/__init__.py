"""The articles flow (AFAS → Lightspeed): read_afas_articles → plan_articles → push_articles.

AFAS is leading: what AFAS holds about an item (description, price, barcode, VAT group, whether it is
blocked) overwrites the webshop's variant and product whose code matches it; nothing flows back. See
``docs/architecture.md``.
"""

from lightspeed_afas.flows.articles.plan_step import plan_articles
from lightspeed_afas.flows.articles.push_step import push_articles
from lightspeed_afas.flows.articles.read_step import read_afas_articles
from lightspeed_afas.flows.articles.settings import ArticleRequest, ArticleSyncSettings, article_settings

__all__ = [
    "ArticleRequest",
    "ArticleSyncSettings",
    "article_settings",
    "plan_articles",
    "push_articles",
    "read_afas_articles",
]
