"""AFAS refusals made actionable: add what we sent in the field AFAS names.

AFAS names the field, not the value: ``De ingevulde waarde bij 'Artikel' bestaat niet.`` does not say
which item. The payload we sent does, so the reason becomes
``De ingevulde waarde bij 'Artikel' bestaat niet. (we sent item ART-9001 on line 2)``.

Only fields of ``afas.refusal_labels.REFUSAL_LABELS`` are ever quoted: codes of AFAS's own tables (items, units,
VAT codes, warehouse, project, journal, administration, country code …), never a customer's details, so
the reason may go into the ledger. A label we do not know, or a field the payload does not hold, leaves
the message as AFAS wrote it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from lightspeed_afas.afas.refusal_labels import (
    LINE_ITEM_CODE,
    LINE_ITEM_TYPE,
    LINE_KEY,
    REFUSAL_LABELS,
    LabelledField,
)
from lightspeed_afas.afas.sales_documents import LINES_OF

# "… bij 'Artikel' …" (Dutch, AFAS's default language); "… for 'Artikel' …" in English messages.
_LABEL = re.compile(r"\b(?:bij|for) '([^']{1,80})'", re.IGNORECASE)
MAX_VALUES = 5  # distinct values named in one reason
MAX_VALUE_LENGTH = 40  # ItCd's own maximum; longer values are cut
_LINE_OBJECTS = frozenset(LINES_OF.values())


@dataclass(frozen=True)
class SentValue:
    value: str
    line: int | None  # 1-based among the lines we sent; None for a header field
    item: str | None  # the line's item code, to place a unit


def with_sent_values(message: str, payload: Mapping[str, Any] | None) -> str:
    """``message`` plus ``(we sent <noun> <value> on line <n>)`` for the field AFAS's label names."""
    match = _LABEL.search(message or "")
    field = REFUSAL_LABELS.get(match.group(1).strip().casefold()) if match else None
    if field is None or not payload:
        return message
    sent = [v for v in _values(payload, field) if v.value]
    if not sent:
        return message
    return f"{message.rstrip()} (we sent {describe(field, sent)})"


def describe(field: LabelledField, sent: list[SentValue]) -> str:
    """``item ART-9001 on line 2``; ``items A on line 1, B on lines 2 and 4; AFAS does not say which``
    (its message names the field, not the value); at most ``MAX_VALUES`` values."""
    lines_of: dict[tuple[str, str | None], list[int]] = {}
    for value in sent:
        key = (value.value, value.item if field.per_item else None)
        lines_of.setdefault(key, [])
        if value.line is not None:
            lines_of[key].append(value.line)
    parts = [_one(value, item, lines) for (value, item), lines in list(lines_of.items())[:MAX_VALUES]]
    if len(lines_of) == 1:
        return f"{field.noun} {parts[0]}"
    more = len(lines_of) - MAX_VALUES
    listed = ", ".join(parts) + (f" and {more} more" if more > 0 else "")
    return f"{field.noun}s {listed}; AFAS does not say which"


def _one(value: str, item: str | None, lines: list[int]) -> str:
    text = value
    if item:
        text += f" of item {item}"
    if lines:
        numbers = [str(n) for n in lines]
        text += f" on line {numbers[0]}" if len(numbers) == 1 else f" on lines {_and(numbers)}"
    return text


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def _values(payload: Mapping[str, Any], field: LabelledField) -> Iterator[SentValue]:
    """Every value of ``field`` in the payload: header fields first, then the lines in order."""
    for fields, line in _field_sets(payload, None):
        if field.code not in fields:
            continue
        if field.item_type is not None and str(fields.get(LINE_ITEM_TYPE)) != field.item_type:
            continue
        item = _clean(fields.get(LINE_ITEM_CODE)) if line is not None else None
        yield SentValue(_clean(fields[field.code]), line, item or None)


def _field_sets(node: Any, line: int | None) -> Iterator[tuple[Mapping[str, Any], int | None]]:
    """Each ``Fields`` mapping with its line number (lines of the sales connectors; deleted lines skipped)."""
    if isinstance(node, list):
        for child in node:
            yield from _field_sets(child, line)
        return
    if not isinstance(node, Mapping):
        return
    for key, child in node.items():
        if key == "Fields" and isinstance(child, Mapping):
            yield child, line
        elif key in _LINE_OBJECTS and isinstance(child, Mapping):
            yield from _lines(child.get("Element"))
        else:
            yield from _field_sets(child, line)


def _lines(elements: Any) -> Iterator[tuple[Mapping[str, Any], int | None]]:
    number = 0
    for element in elements if isinstance(elements, list) else [elements]:
        fields = element.get("Fields") if isinstance(element, Mapping) else None
        if not isinstance(fields, Mapping) or _deleted(fields):
            continue
        number += 1
        yield from _field_sets(element, number)


def _deleted(fields: Mapping[str, Any]) -> bool:
    return str(fields.get("@Action", "")).lower() == "delete" or set(fields) <= {LINE_KEY, "@Action"}


def _clean(value: Any) -> str:
    """One line of printable text, cut to ``MAX_VALUE_LENGTH``."""
    if value is None or isinstance(value, bool):
        return ""
    text = " ".join("".join(c if c.isprintable() else " " for c in str(value)).split())
    return text if len(text) <= MAX_VALUE_LENGTH else text[: MAX_VALUE_LENGTH - 1] + "…"
