"""What a booking follows: the mapping rules and the tenant's AFAS settings, flattened into ``BookingRules``.

The defaults here are the defaults of the mapping file too (``config.mapping`` starts from them), so a
rule has one default wherever it is read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from lightspeed_afas.afas.lookups import DIRECT_INVOICE_WRITER, SALES_ORDER_CONNECTOR
from lightspeed_afas.afas.sales_documents import ARTICLE_UNIT, COST_UNIT, LINE_ITEM_TYPES

# The webshop line fields an item code may come from, by the name the mapping rules use.
ITEM_CODE_FIELDS = {"articleCode": "article_code", "sku": "sku", "ean": "ean"}
# The placeholders render_remark fills; the mapping rules allow exactly these in remark_template.
REMARK_FIELDS = ("number", "comment", "payment_title", "shipment_title", "discount_code", "customer_name")
DEFAULT_REMARK = "Webshop order {number}\n{comment}"


class BookingError(ValueError):
    """The order cannot be booked as it is; the message says why and what to fix."""


def rate_key(rate: Decimal) -> Decimal:
    """Tax rates as the mapping keys them: a fraction normalised (0.210 == 0.21, 0 == 0.00)."""
    return rate.normalize() if rate else Decimal("0")


@dataclass(frozen=True)
class BookingRules:
    """Everything one tenant's booking follows; ``build_document`` applies it to an order."""

    document: str  # "sales_order" | "direct_invoice"
    administration: int
    journal: str | None
    project: str | None
    warehouse: str | None
    currency: str | None
    items: dict[str, str | None]  # line kind -> item code (discount, shipping, payment_fee, rounding)
    item_code_fields: tuple[str, ...] = tuple(ITEM_CODE_FIELDS)
    article_unit: str = ARTICLE_UNIT
    cost_unit: str = COST_UNIT
    item_types: dict[str, str] = field(default_factory=lambda: dict(LINE_ITEM_TYPES))
    vat_codes: dict[Decimal, str] = field(default_factory=dict)  # rate (fraction) -> VaRc
    payment_types: dict[str, str] = field(default_factory=dict)  # keyword in paymentId/title -> PaTp
    prices_incl_vat: bool = True
    order_date_source: str = "createdAt"  # or updatedAt
    remark_template: str = DEFAULT_REMARK
    line_price_semantics: str = "auto"  # auto | unit | line_total
    rounding_mode: str = "book_line"  # book_line | fail
    rounding_tolerance: Decimal = Decimal("0.02")

    @property
    def connector(self) -> str:
        return DIRECT_INVOICE_WRITER if self.document == "direct_invoice" else SALES_ORDER_CONNECTOR

    def vat_code(self, rate: Decimal, what: str) -> str:
        """The AFAS VAT code of ``rate``; BookingError naming ``what`` when the mapping has none."""
        code = self.vat_codes.get(rate_key(rate))
        if code is None:
            known = ", ".join(str(r) for r in sorted(self.vat_codes)) or "none"
            raise BookingError(
                f"{what}: VAT rate {rate} has no AFAS VAT code in the mapping rules (known rates: {known}). "
                "Add it under vat_codes."
            )
        return code

    def cost_item(self, kind: str, what: str) -> str:
        """The tenant's item code for a cost line of ``kind``; BookingError when the tenant sets none."""
        code = self.items.get(kind)
        if not code:
            raise BookingError(
                f"the order has {what} but the tenant sets no item code for them (afas.items.{kind})"
            )
        return code
