"""Reading the invoices of a window from a shop that ignores the date filter: rows outside the window are
dropped, and paging stops at the first full page wholly before the window (pages newest first)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from lightspeed_afas.flows.credit_notes.extract_step import _credit_notes_in_window
from lightspeed_afas.flows.record_flow import RecordRead
from lightspeed_afas.hooks.lightspeed_sales import PAGE

START = datetime(2026, 11, 20, 12, tzinfo=UTC)
END = START + timedelta(hours=1)


def invoice(i: int, at: datetime, credit: bool = True) -> dict:
    return {"id": i, "updatedAt": at.isoformat(), "isCreditNote": credit, "number": f"INV{i}"}


class Shop:
    """Invoices newest id first, the date filter ignored."""

    def __init__(self, invoices: list[dict]) -> None:
        self.invoices = sorted(invoices, key=lambda r: -r["id"])
        self.pages_read = 0

    def iter_invoice_pages(self, start, end):
        for offset in range(0, len(self.invoices) + 1, PAGE):
            self.pages_read += 1
            page = self.invoices[offset : offset + PAGE]
            yield page
            if len(page) < PAGE:
                return


def test_an_ignored_filter_reads_back_only_to_the_first_page_before_the_window():
    inside = [invoice(10_000 + i, START + timedelta(minutes=i % 60), credit=i % 3 == 0) for i in range(300)]
    older = [invoice(i, START - timedelta(days=1, minutes=i)) for i in range(1, 2_000)]
    shop = Shop(inside + older)
    read = RecordRead()
    found = _credit_notes_in_window(SimpleNamespace(lightspeed=shop), START, END, read)
    assert set(found) == {r["id"] for r in inside if r["isCreditNote"]}
    assert shop.pages_read == 3, "two pages with the window's invoices, one wholly before it, then stop"
    assert read.counts["invoices read"] == 3 * PAGE


def test_a_shop_that_applies_the_filter_is_read_to_its_short_page():
    shop = Shop([invoice(i, START + timedelta(minutes=1)) for i in range(1, 11)])
    found = _credit_notes_in_window(SimpleNamespace(lightspeed=shop), START, END, RecordRead())
    assert len(found) == 10 and shop.pages_read == 1
