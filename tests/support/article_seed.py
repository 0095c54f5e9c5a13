"""A ledger with two articles runs of one tenant, written through the ledger's own API: what the dashboard's
Articles section and ``log --flow articles`` read.

The old run (a day before ``now``) wrote KOF-1's title and failed on KOF-3's price; the last run (partial,
stopped by the budget) wrote KOF-1's and KOF-3's price (so KOF-3's failure is settled), failed on KOF-2's
EAN, got no answer for KOF-4's Dutch title, found KOF-5's variant gone, and created a product for NEW-1.
The items: five followed, KOF-6 followed with two fields skipped, four left alone (dimensions, two not in
the shop, a shared code), NEW-1 created, NEW-2 not matched yet.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from lightspeed_afas.domain.article_rows import Article
from lightspeed_afas.ledger import Ledger
from lightspeed_afas.ledger.articles import WriteRow
from tests.support.dashboard_seed import frozen_ledger_clock

OLD_RUN = "scheduled__2026-11-22T10:00:00+00:00"
RUN = "scheduled__2026-11-23T10:00:00+00:00"
STOPPED = "Lightspeed budget: the rest of this window is left to the orders flow"
REFUSED = "Lightspeed: <b>ean</b> must be 8 or 13 digits & numeric"
OLD_REFUSED = "Lightspeed: priceExcl must be a number"
UNANSWERED = "Lightspeed gave no answer to the PUT; the next comparison settles it"
DIMENSIONS = (
    "not supported: the item has article dimensions (MATEN); the articles flow writes items without "
    "dimensions only"
)
NOT_IN_SHOP = "not in the shop (no variant has its code; articles.create_missing is off)"
SHARED = "variants 6, 7 all match AFAS item DUBBEL: give each its own code"
SKIPPED = "price: AFAS gives the item no price; tax: AFAS gives the item no VAT group"
CODES = ("KOF-1", "KOF-2", "KOF-3", "KOF-4", "KOF-5", "KOF-6", "MAAT-1", "NIET-1", "NIET-2", "DUBBEL")
COUNTS = {
    "afas_items": 12,
    "afas_items_read": 3,
    "followed": 6,
    "unchanged": 1,
    "left_alone": 4,
    "field_problems": 2,
    "planned_fields": 9,
    "written": 2,
    "failed": 1,
    "gone": 1,
    "unknown": 1,
    "created": 1,
    "not_written": 3,
}


def article(code: str) -> Article:
    return Article(code, f"Koffie {code}", "", False, "HOOG", (), "2026-11-20T10:00:00")


def _states() -> dict[str, dict[str, object]]:
    states: dict[str, dict[str, object]] = {
        f"KOF-{n}": {"status": "followed", "variant_id": n, "product_id": 900 + n} for n in range(1, 6)
    }
    states["KOF-6"] = {"status": "followed", "variant_id": 16, "product_id": 916, "reason": SKIPPED}
    states["MAAT-1"] = {"status": "left_alone", "variant_id": 20, "reason": DIMENSIONS}
    states["NIET-1"] = states["NIET-2"] = {"status": "left_alone", "reason": NOT_IN_SHOP}
    states["DUBBEL"] = {"status": "left_alone", "reason": SHARED}
    states["NEW-1"] = {"status": "created", "variant_id": 30, "product_id": 501}
    return states


def seed_articles(url: str, tenant: str, now: datetime) -> Ledger:
    """The two runs of ``tenant`` (see the module's docstring); the last one at ``now``."""
    ledger = Ledger(url)
    with frozen_ledger_clock(now - timedelta(days=1)):
        pk = ledger.start_flow_run(tenant, "articles", OLD_RUN, "scheduled")
        ledger.save_articles(tenant, [article(code) for code in CODES])
        ledger.record_article_writes(
            tenant,
            OLD_RUN,
            [
                WriteRow("KOF-1", "product", 901, "title", "Koffie", "Koffie KOF-1", "written", lang="nl"),
                WriteRow("KOF-3", "variant", 3, "priceExcl", "1.00", "2.00", "failed", OLD_REFUSED),
            ],
        )
        ledger.finish_flow_run(pk, "failed", {"written": 1, "failed": 1}, {"lightspeed": 3, "afas": 3})
    with frozen_ledger_clock(now):
        pk = ledger.start_flow_run(tenant, "articles", RUN, "manual")
        ledger.save_articles(tenant, [article("NEW-1"), article("NEW-2")])
        ledger.set_item_states(tenant, _states())
        ledger.record_article_writes(
            tenant,
            RUN,
            [
                WriteRow("KOF-1", "variant", 1, "priceExcl", "12.50", "13.95", "written"),
                WriteRow("KOF-3", "variant", 3, "priceExcl", "1.00", "2.00", "written"),
                WriteRow("KOF-2", "variant", 2, "ean", "123", "8712345678906", "failed", REFUSED),
                WriteRow("KOF-4", "product", 904, "title", "Oud", "Nieuw", "unknown", UNANSWERED, "nl"),
                WriteRow("KOF-5", "variant", 5, "priceIncl", "3.00", "3.63", "gone", "404"),
                WriteRow("NEW-1", "product", 501, "create", None, "Koffie NEW-1", "created"),
            ],
        )
        ledger.finish_flow_run(pk, "partial", COUNTS, {"lightspeed": 14, "afas": 3}, STOPPED)
    return ledger
