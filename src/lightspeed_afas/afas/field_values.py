"""How values go into AFAS fields: amounts as plain decimal strings, cents rounded as AFAS rounds them,
and optional fields left out when they have no value."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")


def amount(value: Decimal) -> str:
    """Plain decimal notation, no exponent, trailing zeros trimmed to at most what the value needs.

    Amounts and quantities go as strings with a ``.`` decimal point — as in AFAS's own examples — so a
    Decimal is never turned into a float on the way out."""
    text = format(value.normalize(), "f")
    return text if "." not in text else text.rstrip("0").rstrip(".") or "0"


def cents(value: Decimal) -> Decimal:
    """``value`` rounded half-up to cents, as AFAS rounds each line."""
    return value.quantize(CENT, ROUND_HALF_UP)


def present(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The optional fields that have a value (AFAS keeps its own default for a field that is left out)."""
    return {code: value for code, value in fields.items() if value}
