"""Credits (credit notes, refunds) booked through ``FbSales`` and ``FbDirectInvoice``: which lines are
credit lines, the rules for what AFAS's sources leave open (erp-extras §2.6, §3 item 27), and what a credit
does to stock. ``sales`` applies them to every insert, PUT and lines POST, on the document as it will be
stored (header and all lines, old and new), before anything is written.

What the sources show: both connectors have ``CrOr`` ("Creditorder", boolean); AFAS's own "Creditregel"
examples send negative ``QuUn`` with a positive (or no) ``Upri`` and no ``CrOr``; FbDirectInvoice books
"balie-/directfacturen (inclusief creditfacturen)". There is no field that links a credit to its original
order or invoice: ``Fref`` (Factuurreferentie, ≤ 32, checked like every field by ``validate``) and ``RfCs``
are free references. A stored credit is a document like any other: it has its own ``OrNu`` (and invoice
number), shows in ``Profit_Salesorders``/``Profit_SalesorderLines`` (FbSales) or the direct-invoice
connector (FbDirectInvoice) with its ``DebtorId`` and ``CustomerReference`` (= ``RfCs``), and its figures
(``Gross``, ``Discount``, ``VAT``, ``TotalAmount``, ``InvoiceTotal``, ``Quantity``, ``PiecePerUnit``,
``AmtRowDiscount``, ``AmtTotal``) are negative; ``PricePerUnit``/``PriceNet`` stay positive (``totals``).

Terms (on the stored, "booked" lines; ``Upri`` is the line's or the price list's):
- a *credit line*: a line with a negative ``QuUn`` (AFAS's "Creditregel") or — only under
  ``credit_unit_price`` "any" — a line with a positive ``QuUn`` and a negative ``Upri`` that is not a cost
  or surcharge line;
- a *credit*: a document with at least one credit line;
- a line's *sign*: the sign of ``QuUn × Upri`` (a line amounting to 0 has none).
A negative ``Upri`` on a cost or surcharge line (``VaIt`` "6" Kosten, "5" Toeslag) with a positive
``QuUn`` is a discount (how the connector books an order discount, and what this emulator accepted before
credits had rules) — always accepted and never a credit line.

Rules (AfasConfig fields of the same name; ``POST /_admin/credit_rules`` changes them at run time, a reset
restores the configured ones). The first choice is the default: the reading of AFAS's own examples.
- ``credit_marking``:
  "negative_lines" — a credit is marked by its negative lines alone; ``CrOr`` (true or false) is accepted
  and stored but changes nothing.
  "cror_required" — a credit must carry ``CrOr: true``, and ``CrOr: true`` on a document without credit
  lines is refused.
  "cror_flips" — ``CrOr: true`` means the lines are sent with positive quantities and AFAS books them
  negative: the stored ``QuUn`` is the sent one negated (the admin state and the GetConnectors show the
  booked, negative, figure). A negative ``QuUn`` with ``CrOr: true`` is refused, and so is a credit line
  without it; a PUT may not change ``CrOr`` of a stored document (its lines would change meaning).
- ``credit_unit_price``: "positive_only" — a negative ``Upri`` is refused (cost and surcharge lines
  excepted, see above); "any" — accepted, and with a positive ``QuUn`` the line is a credit line.
- ``mixed_lines``: "accept" — a document may hold lines of both signs (e.g. an exchange: one returned, one
  new); "refuse" — all lines of a credit must have the same sign (0-amount lines do not count), else the
  refusal names the lines of each sign by ``SeqNo`` and item code. A document without credit lines (an
  order with a discount line) is never refused for it.
- ``credit_stock`` (the stock effects of ``stock``): "book_back" — stock follows the booked ``QuUn``: a
  direct invoice's negative article lines put their quantity back into ``physical`` of their warehouse
  (line ``War``, else the header's, else the default warehouse) at once; a sales order's do so when it is
  marked delivered or invoiced, and reserve nothing while it is open; "none" — lines with a negative
  ``QuUn`` do nothing to stock. A positive quantity always moves stock as usual, whatever its price.
- ``negative_rounding``: how half a cent of a negative amount rounds, see ``totals``
  ("half_away_from_zero" | "half_up"); stamped on a document when it is inserted or changed.

Refusals are AFAS's usual HTTP 500 with ``externalMessage`` (like every validation error of this
emulator, reference §5); the texts are in ``check_document``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from emulators.afas import stock
from emulators.afas.errors import ProfitError
from emulators.afas.totals import HALF_AWAY_FROM_ZERO, ROUNDINGS

if TYPE_CHECKING:
    from emulators.afas.config import AfasConfig
    from emulators.afas.state import AfasState, SalesLine, SalesOrder

CHOICES: dict[str, tuple[str, ...]] = {
    "credit_marking": ("negative_lines", "cror_required", "cror_flips"),
    "credit_unit_price": ("positive_only", "any"),
    "mixed_lines": ("accept", "refuse"),
    "credit_stock": ("book_back", "none"),
    "negative_rounding": ROUNDINGS,
}
COST_TYPES = ("5", "6")  # Toeslag, Kosten: a negative price there is a discount
CROR = "'Creditorder' (CrOr)"
QUUN = "'Aantal eenheden' (QuUn)"
UPRI = "'Prijs per eenheid' (Upri)"


@dataclass(frozen=True)
class CreditRules:
    """The [U] rules of credits (defaults: the reading of AFAS's own "Creditregel" examples)."""

    credit_marking: str = "negative_lines"
    credit_unit_price: str = "positive_only"
    mixed_lines: str = "accept"
    credit_stock: str = "book_back"
    negative_rounding: str = HALF_AWAY_FROM_ZERO

    @classmethod
    def from_config(cls, config: AfasConfig) -> CreditRules:
        return cls().updated({name: getattr(config, name) for name in cls.__dataclass_fields__})

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def updated(self, changes: dict[str, Any]) -> CreditRules:
        """These rules with ``changes`` applied; ``ValueError`` on an unknown rule or a bad value."""
        unknown = set(changes) - set(self.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown credit rules: {sorted(unknown)}")
        for name, value in changes.items():
            if value not in CHOICES[name]:
                raise ValueError(f"{name} must be one of {list(CHOICES[name])}")
        return replace(self, **changes)


def configure(state: AfasState, config: AfasConfig) -> None:
    """The configured credit rules; ``ValueError`` on a bad config."""
    state.credits = CreditRules.from_config(config)


def set_rules(state: AfasState, changes: dict[str, Any]) -> dict[str, Any]:
    state.credits = state.credits.updated(changes)
    return state.credits.as_dict()


def _number(value: Any) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else Decimal(0)


def _is_cost(line: SalesLine) -> bool:
    return str(line.fields.get("VaIt")) in COST_TYPES


def is_credit_line(rules: CreditRules, line: SalesLine) -> bool:
    quantity, price = _number(line.fields.get("QuUn")), _number(line.fields.get("Upri"))
    if quantity < 0:
        return True
    return rules.credit_unit_price == "any" and quantity > 0 and price < 0 and not _is_cost(line)


def is_credit(rules: CreditRules, order: SalesOrder) -> bool:
    return any(is_credit_line(rules, line) for line in order.lines)


def _sign(line: SalesLine) -> int:
    amount = _number(line.fields.get("QuUn")) * _number(line.fields.get("Upri"))
    return (amount > 0) - (amount < 0)


def _cror(fields: dict[str, Any]) -> bool:
    return fields.get("CrOr") is True


def booked_quantity(rules: CreditRules, header: dict[str, Any], sent: Any) -> Any:
    """The ``QuUn`` to store for a sent one: negated under "cror_flips" with ``CrOr: true``."""
    if sent is None or rules.credit_marking != "cror_flips" or not _cror(header):
        return sent
    return Decimal(0) - _number(sent)  # not -0 for a 0 line


def _names(lines: list[SalesLine]) -> str:
    """``regel 2 (ART-1001)`` / ``regels 1 (A), 2 (B) en 4 (C)`` — by SeqNo and item code."""
    named = [f"{ln.seq} ({ln.fields.get('ItCd')})" for ln in lines]
    if len(named) == 1:
        return f"regel {named[0]}"
    return f"regels {', '.join(named[:-1])} en {named[-1]}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _verb(lines: list[SalesLine], one: str, many: str) -> str:
    return one if len(lines) == 1 else many


def check_document(
    rules: CreditRules,
    document: str,
    header: dict[str, Any],
    lines: list[SalesLine],
    previous: dict[str, Any] | None = None,
) -> None:
    """Refuse ``lines`` under ``header`` (as they would be stored) when the credit rules do not allow them.

    ``document`` is "Verkooporder" or "Directe factuur"; ``previous`` the stored header on a PUT."""
    cror = _cror(header)
    if rules.credit_unit_price == "positive_only":
        for line in lines:
            price = _number(line.fields.get("Upri"))
            if price < 0 and not _is_cost(line):
                hint = (
                    f"boek een credit met {CROR} en een positief aantal"
                    if rules.credit_marking == "cror_flips"
                    else f"boek een credit met een negatief {QUUN}"
                )
                raise ProfitError(
                    f"De waarde {price} bij {UPRI} op {_names([line])} mag niet negatief zijn; {hint}."
                )
    credit_lines = [ln for ln in lines if is_credit_line(rules, ln)]
    if rules.credit_marking == "cror_flips":
        if previous is not None and _cror(previous) != cror:
            raise ProfitError(
                f"Het veld {CROR} kan bij het wijzigen van een {document.lower()} niet worden aangepast."
            )
        if cror:
            sent_negative = [ln for ln in lines if _number(ln.fields.get("QuUn")) > 0]
            if sent_negative:
                raise ProfitError(
                    f"Bij {CROR} = true worden de aantallen positief aangeleverd; {_names(sent_negative)} "
                    f"{_verb(sent_negative, 'heeft', 'hebben')} een negatief {QUUN}."
                )
        elif credit_lines:
            raise ProfitError(
                f"{_capital(_names(credit_lines))} "
                f"{_verb(credit_lines, 'is een creditregel', 'zijn creditregels')} zonder {CROR}; "
                f"boek een credit met {CROR} = true en positieve aantallen."
            )
    elif rules.credit_marking == "cror_required":
        if credit_lines and not cror:
            raise ProfitError(
                f"{document} bevat creditregels ({_names(credit_lines)}), maar {CROR} staat niet aan; "
                f"een credit moet met {CROR} = true worden aangeleverd."
            )
        if cror and not credit_lines:
            raise ProfitError(
                f"{CROR} staat aan, maar de {document.lower()} bevat geen creditregels "
                f"(regels met een negatief {QUUN})."
            )
    if rules.mixed_lines == "refuse" and credit_lines:
        positive = [ln for ln in lines if _sign(ln) > 0]
        negative = [ln for ln in lines if _sign(ln) < 0]
        if positive and negative:
            raise ProfitError(
                f"Alle regels van een credit moeten hetzelfde teken hebben: {_names(positive)} "
                f"{_verb(positive, 'is', 'zijn')} positief, {_names(negative)} "
                f"{_verb(negative, 'is', 'zijn')} negatief."
            )


def _stock_view(rules: CreditRules, order: SalesOrder) -> SalesOrder:
    """``order`` with the lines that do nothing to stock left out (see ``credit_stock``)."""
    open_order = order.connector == "FbSales" and order.state == "open"
    if rules.credit_stock == "book_back" and not open_order:
        return order
    kept = [ln for ln in order.lines if _number(ln.fields.get("QuUn")) >= 0]
    return order if len(kept) == len(order.lines) else replace(order, lines=kept)


def sync_stock(state: AfasState, order: SalesOrder | None, number: str) -> None:
    """``stock.sync_order`` for ``order`` as the credit rules let it move stock."""
    stock.sync_order(state, None if order is None else _stock_view(state.credits, order), number)
