"""How an order's amounts hang together — the emulator's answer to what the reference leaves open.

Semantics (chosen here; the connector must detect or configure them, not assume):

- ``basePriceIncl``/``basePriceExcl`` on a line are the **unit** price.
- ``priceIncl``/``priceExcl`` on a line are the **line total** (unit × quantity), or with
  ``line_price_semantics="unit"`` the unit price again.
- A line's excl. amount is derived from its incl. amount per line: ``excl = round(incl / (1 + rate))``,
  half-up to cents; the line's VAT is the difference. So Σ rounded line VAT can differ by a cent from
  the VAT on the order total per rate, as in real shops.
- ``discountAmount`` is the order discount **incl. VAT**. It is spread over the VAT rates pro rata to
  the goods per rate (rounded to cents, the last rate takes the remainder), so each rate's VAT is
  reduced by the VAT in its share. Lines keep ``discountIncl = 0``.
- Shipping and payment costs carry 21 % VAT.
- Order ``priceIncl`` = Σ line totals incl. + ``shipmentPriceIncl`` + ``paymentPriceIncl`` −
  ``discountAmount``; order ``priceExcl`` likewise with excl. amounts and the discount's excl. part;
  Σ ``taxRates[].amount`` = ``priceIncl`` − ``priceExcl`` exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")
ZERO = Decimal("0")
COST_VAT = Decimal("0.21")


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


def excl(amount_incl: Decimal, rate: Decimal) -> Decimal:
    return cents(amount_incl / (1 + rate))


@dataclass(frozen=True)
class LineAmounts:
    unit_incl: Decimal
    unit_excl: Decimal
    total_incl: Decimal
    total_excl: Decimal

    @property
    def vat(self) -> Decimal:
        return self.total_incl - self.total_excl


@dataclass(frozen=True)
class Totals:
    lines: list[LineAmounts]
    goods_incl: Decimal
    goods_excl: Decimal
    discount_incl: Decimal
    discount_excl: Decimal
    shipping_incl: Decimal
    shipping_excl: Decimal
    payment_incl: Decimal
    payment_excl: Decimal
    vat_by_rate: dict[Decimal, Decimal]

    @property
    def price_incl(self) -> Decimal:
        return self.goods_incl + self.shipping_incl + self.payment_incl - self.discount_incl

    @property
    def price_excl(self) -> Decimal:
        return self.goods_excl + self.shipping_excl + self.payment_excl - self.discount_excl


def discount_incl(discount: dict[str, Any], goods_incl: Decimal) -> Decimal:
    kind = discount.get("kind")
    if kind == "percentage":
        return cents(goods_incl * Decimal(str(discount["value"])))
    if kind == "amount":
        return min(Decimal(str(discount["value"])), goods_incl)
    return ZERO


def totals(order: dict[str, Any]) -> Totals:
    """All amounts of an order in its internal form (see ``store``)."""
    lines: list[LineAmounts] = []
    goods_by_rate: dict[Decimal, Decimal] = {}
    vat: dict[Decimal, Decimal] = {}
    for line in order["lines"]:
        rate, unit = Decimal(line["taxRate"]), Decimal(line["basePriceIncl"])
        total = cents(unit * line["quantityOrdered"])
        amounts = LineAmounts(unit, excl(unit, rate), total, excl(total, rate))
        lines.append(amounts)
        goods_by_rate[rate] = goods_by_rate.get(rate, ZERO) + total
        vat[rate] = vat.get(rate, ZERO) + amounts.vat
    goods_incl = sum(goods_by_rate.values(), ZERO)
    goods_excl = sum((a.total_excl for a in lines), ZERO)
    off_incl = discount_incl(order["discount"], goods_incl)
    off_excl = ZERO
    if off_incl and goods_incl:
        rates = sorted(goods_by_rate, reverse=True)
        left = off_incl
        for n, rate in enumerate(rates):
            share = left if n == len(rates) - 1 else cents(off_incl * goods_by_rate[rate] / goods_incl)
            left -= share
            share_excl = excl(share, rate)
            off_excl += share_excl
            vat[rate] -= share - share_excl
    shipping, fee = Decimal(order["shipping"]), Decimal(order["payment_fee"])
    for amount in (shipping, fee):
        if amount:
            vat[COST_VAT] = vat.get(COST_VAT, ZERO) + amount - excl(amount, COST_VAT)
    return Totals(
        lines=lines,
        goods_incl=goods_incl,
        goods_excl=goods_excl,
        discount_incl=off_incl,
        discount_excl=off_excl,
        shipping_incl=shipping,
        shipping_excl=excl(shipping, COST_VAT),
        payment_incl=fee,
        payment_excl=excl(fee, COST_VAT),
        vat_by_rate=vat,
    )
