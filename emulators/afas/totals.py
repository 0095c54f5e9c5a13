"""Order and line amounts as ``Profit_Salesorders``/``Profit_SalesorderLines`` show them, in Decimal.

Rounding: per line, half-up to cents, in this order —
  gross    = QuUn × Upri                       (in the order's price basis: incl. VAT when InVa, else excl.)
  discount = ARDc, else gross × PRDc / 100
  amount   = gross − discount                  (the line amount, ``AmtTotal``)
  VAT      = amount − amount / (1 + rate)      when InVa (prices incl. VAT)
           = amount × rate                     otherwise
The header adds the rounded line figures: ``Gross`` = Σ amounts excl. VAT, ``Discount`` = Σ line discounts,
``VAT`` = Σ line VAT, ``TotalAmount`` = ``InvoiceTotal`` = Gross + VAT. The invoice-discount percentage
``InPc`` is stored but not applied (its VAT split per rate is not documented).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0")


def cents(value: Decimal) -> Decimal:
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

    @property
    def price_net(self) -> Decimal:
        return cents(self.amount / self.quantity) if self.quantity else self.price


def line_amounts(
    quantity: Decimal, price: Decimal, rate: Decimal, incl_vat: bool, pct: Decimal | None, amt: Decimal | None
) -> LineAmounts:
    gross = cents(quantity * price)
    discount = cents(amt) if amt is not None else cents(gross * pct / 100) if pct is not None else ZERO
    amount = gross - discount
    if incl_vat:
        vat = amount - cents(amount / (1 + rate))
        excl = amount - vat
    else:
        vat = cents(amount * rate)
        excl = amount
    return LineAmounts(quantity, price, gross, discount, amount, excl, vat)


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
