"""Lightspeed eCom's value quirks undone, one field at a time.

The API says "not set" with ``false``, ``""``, ``[]`` or ``{}``, sends some numbers as strings, gives
times with the shop's offset and countries as ``{"code": "nl"}``. Each reader here takes one raw value
and the field's name, and returns a plain Python value or raises ``OrderDataError`` naming the field.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_AMOUNT = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")
_ISO_COUNTRY = re.compile(r"[A-Za-z]{2}")


class OrderDataError(ValueError):
    """The webshop order itself is unusable; the message names the field and the problem."""


def unset(value: Any) -> bool:
    """Lightspeed's many ways of saying 'not set'."""
    return value is None or value is False or value == "" or value == [] or value == {}


def text(value: Any) -> str:
    """A string field: '' when unset, control characters removed, whitespace trimmed."""
    if unset(value) or value is True:
        return ""
    return _CONTROL.sub("", str(value)).strip()


def normalise_email(value: Any) -> str:
    """Trimmed and lower-cased; '' when unset."""
    return text(value).lower()


def money(value: Any, field_name: str, default: Decimal | None = Decimal("0")) -> Decimal:
    """A JSON float, int or numeric string as Decimal (via ``str`` so 0.1 stays 0.1).

    An unset value gives ``default``; with ``default=None`` it is an error (the field is required)."""
    if unset(value):
        if default is None:
            raise OrderDataError(f"{field_name} is missing")
        return default
    if isinstance(value, bool):
        raise OrderDataError(f"{field_name} is {value!r}, not an amount")
    raw = str(value).strip()
    if not _AMOUNT.fullmatch(raw):
        raise OrderDataError(f"{field_name} is {raw!r}, not an amount with a '.' decimal point")
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        raise OrderDataError(f"{field_name} is {raw!r}, not an amount") from None
    if not amount.is_finite():
        raise OrderDataError(f"{field_name} is {raw!r}, not a finite amount")
    return amount


def quantity(value: Any, field_name: str) -> int:
    """A required whole number, also when sent as ``"2"`` or ``2.0``."""
    amount = money(value, field_name, default=None)
    if amount != amount.to_integral_value():
        raise OrderDataError(f"{field_name} is {value!r}, not a whole number")
    return int(amount)


def identifier(value: Any, field_name: str) -> int:
    """A required numeric id (``id`` of an order or a line)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        raise OrderDataError(f"{field_name} is {value!r}, not a number") from None


def timestamp(value: Any, field_name: str) -> datetime:
    """A required ISO-8601 time with its UTC offset (the shop's), kept aware."""
    if unset(value):
        raise OrderDataError(f"{field_name} is missing")
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise OrderDataError(f"{field_name} is {value!r}, not an ISO-8601 time") from None
    if moment.tzinfo is None:
        raise OrderDataError(f"{field_name} is {value!r}, without a UTC offset")
    return moment


def country(value: Any, field_name: str) -> str:
    """An ISO alpha-2 code, lower-case, from ``"NL"`` or ``{"code": "nl", ...}``; '' when unset."""
    if unset(value):
        return ""
    code = text(value.get("code")) if isinstance(value, dict) else text(value)
    if code and not _ISO_COUNTRY.fullmatch(code):
        raise OrderDataError(f"{field_name} has code {code!r}, not a two-letter ISO country code")
    return code.lower()


def resource_id(value: Any) -> int | None:
    """The id of a linked resource (``{"resource": {"id": 7, ...}}``); None when unset or unusable."""
    if unset(value) or not isinstance(value, dict):
        return None
    resource = value.get("resource")
    if not isinstance(resource, dict) or unset(resource.get("id")):
        return None
    try:
        return int(resource["id"])
    except (TypeError, ValueError):
        return None


def truthy(value: Any) -> bool:
    """A flag Lightspeed sends as ``true``, ``"true"``, ``"1"`` or ``1``."""
    return value in (True, "true", "1", 1)
