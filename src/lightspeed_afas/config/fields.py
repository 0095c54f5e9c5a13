"""Small typed building blocks shared by the tenant and mapping models."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any

from croniter import croniter
from pydantic import BaseModel, BeforeValidator, ConfigDict, StringConstraints


class Strict(BaseModel):
    """Unknown keys are errors; no silent type coercion (YAML already gives real types)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, validate_default=True)


def _code_to_text(value: Any) -> Any:
    # AFAS codes are text, but YAML reads ``sales_journal: 70`` as a number; accept it as "70".
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def code(max_length: int) -> Any:
    """An AFAS code: non-blank text of at most ``max_length`` characters (a bare YAML number is accepted)."""
    # The constraints first, the BeforeValidator last: it wraps (so runs before) the constrained str.
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length),
        BeforeValidator(_code_to_text),
    ]


ConnId = Annotated[str, StringConstraints(min_length=1, max_length=250, pattern=r"^[A-Za-z0-9_.-]+$")]
ConnectorId = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_]+$")]
FieldId = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_]+$")]

Code3 = code(3)
Code4 = code(4)
Code5 = code(5)
Code6 = code(6)
Code15 = code(15)
Code16 = code(16)
Code40 = code(40)


@lru_cache(maxsize=256)
def valid_cron(expression: str) -> bool:
    """A five-field cron expression. Hundreds of tenants share a handful of schedules, and croniter's
    parse is the costly part of reading a tenant file."""
    return len(expression.split()) == 5 and croniter.is_valid(expression)


def checked_cron(value: str) -> str:
    """``value`` if it is a five-field cron expression, else the ``ValueError`` a validator raises."""
    if not valid_cron(value):
        raise ValueError(f"{value!r} is not a five-field cron expression like '*/15 * * * *'")
    return value
