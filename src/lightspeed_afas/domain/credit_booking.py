"""Turning a Lightspeed credit note into an AFAS credit (``FbSales`` or ``FbDirectInvoice``, as the
tenant books orders), to the cent.

The lines mirror an order's: each product item on its item code, the shipping and payment refunds on the
tenant's cost items, a discount item on the discount item, each with the VAT code of its rate; then a
rounding line when per-line VAT rounding leaves a cent (``BookingRules``' rounding rule). How the credit
is marked follows ``CreditRules.marking`` (``config.credit_notes``): negative quantities with positive
unit prices (AFAS's "Creditregel" examples), the same with ``CrOr``, or ``CrOr`` with positive
quantities. The total is checked against the credit note's ``priceIncl``. Pure: no network.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from decimal import Decimal

from lightspeed_afas.afas.field_values import cents
from lightspeed_afas.afas.sales_documents import SalesDocument, SalesLine
from lightspeed_afas.domain.booking import COST_NAMES, MAX_DESCRIPTION, MAX_REFERENCE, item_code
from lightspeed_afas.domain.booking_rules import BookingError, BookingRules
from lightspeed_afas.domain.credit_notes import CreditLine, CreditNote
from lightspeed_afas.domain.line_amounts import unit_price

MAX_INVOICE_REFERENCE = 32  # Fref
COST_KIND = {"shipping": "shipping", "payment": "payment_fee", "discount": "discount"}
DEFAULT_TITLES = {"shipping": "Verzendkosten", "payment": "Betaalkosten", "discount": "Korting"}


@dataclass(frozen=True)
class CreditRules:
    marking: str = "negative_lines"  # negative_lines | negative_lines_with_cror | cror_positive_lines
    remark_template: str = "Creditnota {number} bij webshoporder {order_number}"
    invoice_reference: str = "none"  # original_invoice | none

    @property
    def sign(self) -> int:
        """The sign a refunded quantity is sent with."""
        return 1 if self.marking == "cror_positive_lines" else -1


def build_credit_document(
    note: CreditNote,
    debtor_id: str,
    order_number: str,
    rules: BookingRules,
    credit: CreditRules,
    invoice_number: str | None = None,
) -> SalesDocument:
    """The AFAS credit for ``note`` on the original order's debtor, checked to the cent."""
    if len(note.number) > MAX_REFERENCE:
        raise BookingError(
            f"the credit note number is {len(note.number)} characters long; AFAS's reference field "
            f"(RfCs) holds at most {MAX_REFERENCE}"
        )
    lines = [_line(ln, rules, credit.sign) for ln in note.lines]
    fref = invoice_number if credit.invoice_reference == "original_invoice" else None
    document = SalesDocument(
        connector=rules.connector,  # type: ignore[arg-type]
        debtor_id=debtor_id,
        order_date=note.created_at.date(),
        reference=note.number,
        administration=rules.administration,
        prices_incl_vat=rules.prices_incl_vat,
        remark=_remark(credit.remark_template, note, order_number, invoice_number),
        journal=rules.journal,
        project=rules.project,
        warehouse=rules.warehouse,
        currency=rules.currency,
        lines=tuple(lines),
        credit=credit.marking != "negative_lines",
        invoice_reference=(fref or None) and fref[:MAX_INVOICE_REFERENCE],
    )
    return _balance(note, document, rules, credit.sign)


def _line(line: CreditLine, rules: BookingRules, sign: int) -> SalesLine:
    what = f"item {line.id} ({line.description or line.kind})"
    total = line.price_incl if rules.prices_incl_vat else line.price_excl
    if line.kind == "product":
        if line.quantity <= 0:
            raise BookingError(f"{what}: quantity {line.quantity} is not positive")
        return SalesLine(
            kind="product",
            item_type=rules.item_types["product"],
            item_code=item_code(line, rules),  # type: ignore[arg-type] - the same code fields as an order line
            description=line.description[:MAX_DESCRIPTION],
            unit=rules.article_unit,
            quantity=Decimal(sign * line.quantity),
            unit_price=unit_price(total, line.quantity, what),
            vat_code=rules.vat_code(line.tax_rate, what),
        )
    kind = COST_KIND[line.kind]
    refunds = 1 if total >= 0 else -1  # a discount line takes off: the other sign
    title = line.variant if line.title.startswith("_") else line.title
    return SalesLine(
        kind=kind,
        item_type=rules.item_types[kind],
        item_code=rules.cost_item(kind, f"refunded {COST_NAMES[kind][0]}"),
        description=(title or DEFAULT_TITLES[line.kind])[:MAX_DESCRIPTION],
        unit=rules.cost_unit,
        quantity=Decimal(sign * refunds),
        unit_price=cents(abs(total)),
        vat_code=rules.vat_code(line.tax_rate, f"{what} {COST_NAMES[kind][1]}"),
    )


def _balance(note: CreditNote, document: SalesDocument, rules: BookingRules, sign: int) -> SalesDocument:
    rates = {code: rate for rate, code in rules.vat_codes.items()}
    booked = document.total_incl(rates)
    expected = sign * cents(note.price_incl)
    difference = expected - booked
    if not difference:
        return document
    rounding_item = rules.items.get("rounding")
    if rules.rounding_mode == "book_line" and rounding_item and abs(difference) <= rules.rounding_tolerance:
        line = SalesLine(
            kind="rounding",
            item_type=rules.item_types["rounding"],
            item_code=rounding_item,
            description="Afrondingsverschil btw",
            unit=rules.cost_unit,
            quantity=Decimal(1 if difference > 0 else -1),  # the unit price stays positive
            unit_price=abs(difference),
            vat_code=rules.vat_code(Decimal(0), "rounding line"),
        )
        return SalesDocument(**{**document.__dict__, "lines": (*document.lines, line)})
    raise BookingError(
        f"the AFAS credit lines add up to {booked} but the credit note is {expected} "
        f"(difference {difference}). "
        + (
            "The difference exceeds the rounding tolerance."
            if abs(difference) > rules.rounding_tolerance
            else "Set afas.items.rounding and rounding.mode book_line to book it as a rounding line."
        )
    )


def _remark(template: str, note: CreditNote, order_number: str, invoice_number: str | None) -> str:
    values = {"number": note.number, "order_number": order_number, "invoice_number": invoice_number or ""}
    return string.Formatter().vformat(template, (), values).strip()
