"""Order and line amounts as ``Profit_Salesorders``/``Profit_SalesorderLines`` show them, in Decimal.

Rounding: per line, to cents, in this order —
  gross    = QuUn × Upri                       (in the order's price basis: incl. VAT when InVa, else excl.)
  discount = ARDc, else gross × PRDc / 100
  amount   = gross − discount                  (the line amount, ``AmtTotal``)
  VAT      = amount − amount / (1 + rate)      when InVa (prices incl. VAT)
           = amount × rate                     otherwise
The header adds the rounded line figures: ``Gross`` = Σ amounts excl. VAT, ``Discount`` = Σ line discounts,
``VAT`` = Σ line VAT, ``TotalAmount`` = ``InvoiceTotal`` = Gross + VAT. The invoice-discount percentage
``InPc`` is stored but not applied (its VAT split per rate is not documented).

Credits (negative lines, see ``credits``) use the same formulas, so every figure of a credit line is
negative except ``PricePerUnit``/``PriceNet``. ``ARDc`` is an amount off the line: on a line whose gross is
negative it takes the line's sign (it lowers the credited amount, as ``PRDc`` does by its formula) — this
emulator's reading. A half cent rounds by the rule ``negative_rounding`` (the document's, fixed when it is
booked): "half_away_from_zero" (default; commercial rounding, Decimal's ``ROUND_HALF_UP``: 0.045 → 0.05 and
−0.045 → −0.05, so a credit is the exact mirror of its order) or "half_up" (towards +∞: −0.045 → −0.04).
They differ only for negative amounts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_DOWN, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0")
HALF_AWAY_FROM_ZERO = "half_away_from_zero"
HALF_UP = "half_up"
ROUNDINGS = (HALF_AWAY_FROM_ZERO, HALF_UP)


def cents(value: Decimal, rounding: str = HALF_AWAY_FROM_ZERO) -> Decimal:
    """``value`` to cents; a half cent away from zero, or (``half_up``) towards +∞."""
    if rounding == HALF_UP and value < 0:
        return -(-value).quantize(CENT, ROUND_HALF_DOWN)
    return value.quantize(CENT, ROUND_HALF_UP)


@dataclass(frozen=True)
class LineAmounts:
    quantity: Decimal
    price: Decimal
    gross: Decimal
    discount: Decimal
    amount: Decimal
    excl_vat: Decimal
    vat: Decimal
    rounding: str = HALF_AWAY_FROM_ZERO

    @property
    def price_net(self) -> Decimal:
        return cents(self.amount / self.quantity, self.rounding) if self.quantity else self.price


def line_amounts(
    quantity: Decimal,
    price: Decimal,
    rate: Decimal,
    incl_vat: bool,
    pct: Decimal | None,
    amt: Decimal | None,
    rounding: str = HALF_AWAY_FROM_ZERO,
) -> LineAmounts:
    gross = cents(quantity * price, rounding)
    if amt is not None:
        discount = cents(-amt if gross < 0 else amt, rounding)
    else:
        discount = cents(gross * pct / 100, rounding) if pct is not None else ZERO
    amount = gross - discount
    if incl_vat:
        vat = amount - cents(amount / (1 + rate), rounding)
        excl = amount - vat
    else:
        vat = cents(amount * rate, rounding)
        excl = amount
    return LineAmounts(quantity, price, gross, discount, amount, excl, vat, rounding)


def order_totals(lines: Iterable[LineAmounts]) -> dict[str, Decimal]:
    lines = list(lines)
    gross = sum((ln.excl_vat for ln in lines), ZERO)
    vat = sum((ln.vat for ln in lines), ZERO)
    return {
        "Gross": gross,
        "Discount": sum((ln.discount for ln in lines), ZERO),
        "VAT": vat,
        "TotalAmount": gross + vat,
        "InvoiceTotal": gross + vat,
        "Quantity": sum((ln.quantity for ln in lines), ZERO),
    }
