"""GetConnector parameters as AFAS documents them (reference §2.1): filters, sorting, paging.

- ``filterfieldids`` / ``filtervalues`` / ``operatortypes``: ``,`` = AND, ``;`` = OR, so ``a,b;c`` is
  ``(a AND b) OR c``; the three lists must have the same separators in the same places, else HTTP 500.
  Values are split on ``,`` and ``;`` too, so a value containing them needs ``filterjson``.
- ``filterjson``: ``{"Filters": {"Filter": [{"@FilterId", "Field": [{"@FieldId", "@OperatorType",
  "#text"}]}]}}`` — fields in a filter AND, filters OR. Not together with the inline lists.
- Operators 1–15: 1 =, 2 >=, 3 <=, 4 >, 5 <, 6 contains, 7 !=, 8 empty, 9 not empty, 10 starts with,
  11 does not contain, 12 does not start with, 13 ends with, 14 does not end with, 15 quick filter
  (contains). 8 and 9 ignore the value, but it must be there (may be empty).
- Comparison by field type: numbers numerically, date-times as dates (a value ``YYYY-MM-DD`` means
  midnight), booleans as ``true``/``false``/``1``/``0``, text case-insensitively (Profit runs on SQL Server
  with a case-insensitive collation — this emulator's choice of the collation). A ``null`` field matches
  only "is empty" (SQL's NULL semantics); "is empty" also matches ``""``.
- An unknown field id in a filter or in ``orderbyfieldids`` → 500 "Connector-veld 'X' niet gevonden".
- ``orderbyfieldids``: comma list, ``-`` prefix for descending, nulls first. Without it rows come in an
  arbitrary but deterministic order (by a hash of the row), never by key: a client that pages without
  sorting misses rows, as AFAS warns.
- ``skip``/``take``: default 0/100; ``skip=-1`` returns everything; ``take=0`` returns one row
  (PracticalAfas's observation); any other negative value or non-number → 500 "onverwachte fout".
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from emulators.afas.errors import unexpected, unknown_connector_field

Condition = tuple[str, int, str]


def parse_filters(params: dict[str, str], fields: dict[str, dict[str, Any]]) -> list[list[Condition]]:
    """The filter as an OR-list of AND-groups of (field, operator, value)."""
    inline = [params.get(k) for k in ("filterfieldids", "filtervalues", "operatortypes")]
    if "filterjson" in params:
        if any(v is not None for v in inline):
            raise unexpected()
        groups = _json_filter(params["filterjson"])
    elif all(v is None for v in inline):
        return []
    else:
        if any(v is None for v in inline):
            raise unexpected()
        ids, values, ops = (v.split(";") for v in inline)  # type: ignore[union-attr]
        if not len(ids) == len(values) == len(ops):
            raise unexpected()
        groups = []
        for gi, gv, go in zip(ids, values, ops, strict=True):
            fi, fv, fo = gi.split(","), gv.split(","), go.split(",")
            if not len(fi) == len(fv) == len(fo):
                raise unexpected()
            groups.append([(f, _operator(o), v) for f, v, o in zip(fi, fv, fo, strict=True)])
    for group in groups:
        for field_id, _, _ in group:
            if field_id not in fields:
                raise unknown_connector_field(field_id)
    return groups


def _operator(raw: Any) -> int:
    try:
        op = int(str(raw).strip())
    except ValueError:
        raise unexpected() from None
    if not 1 <= op <= 15:
        raise unexpected()
    return op


def _json_filter(raw: str) -> list[list[Condition]]:
    try:
        document = json.loads(raw)
        filters = document["Filters"]["Filter"]
        filters = filters if isinstance(filters, list) else [filters]
        groups = []
        for f in filters:
            conditions = f["Field"] if isinstance(f["Field"], list) else [f["Field"]]
            groups.append(
                [
                    (str(c["@FieldId"]), _operator(c["@OperatorType"]), str(c.get("#text") or ""))
                    for c in conditions
                ]
            )
    except (ValueError, KeyError, TypeError):
        raise unexpected() from None
    if not groups or not all(groups):
        raise unexpected()
    return groups


def _moment(value: Any) -> datetime:
    text = str(value).strip().rstrip("Z")
    return datetime.fromisoformat(text if "T" in text or " " in text else f"{text}T00:00:00")


def typed(value: Any, spec: dict[str, Any]) -> Any:
    """A row or filter value in the field's comparison domain; ``ValueError`` if it does not fit."""
    kind, fmt = spec.get("type", "string"), spec.get("format")
    if fmt == "date-time":
        return _moment(value)
    if kind in ("number", "integer"):
        try:
            return Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError(value) from None
    if kind == "boolean":
        text = str(value).strip().lower()
        if text not in ("true", "false", "1", "0"):
            raise ValueError(value)
        return text in ("true", "1")
    return str(value).casefold()


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return str(value).casefold()


def matches(row: dict[str, Any], condition: Condition, spec: dict[str, Any]) -> bool:
    field_id, op, raw = condition
    value = row.get(field_id)
    if op == 8:
        return value is None or value == ""
    if op == 9:
        return not (value is None or value == "")
    if value is None:
        return False
    if op in (6, 10, 11, 12, 13, 14, 15):
        text, needle = _text(value), raw.casefold()
        return {
            6: needle in text,
            15: needle in text,
            10: text.startswith(needle),
            11: needle not in text,
            12: not text.startswith(needle),
            13: text.endswith(needle),
            14: not text.endswith(needle),
        }[op]
    try:
        left, right = typed(value, spec), typed(raw, spec)
    except ValueError:
        raise unexpected() from None  # e.g. a text value against a number field: SQL's conversion error
    return {
        1: left == right,
        2: left >= right,
        3: left <= right,
        4: left > right,
        5: left < right,
        7: left != right,
    }[op]


def _sort_key(value: Any, spec: dict[str, Any]) -> tuple[int, Any]:
    return (0, 0) if value is None else (1, typed(value, spec))


def _row_hash(row: dict[str, Any]) -> str:
    return hashlib.md5(json.dumps(row, sort_keys=True, default=str).encode()).hexdigest()


def _int_param(params: dict[str, str], name: str, default: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise unexpected() from None


def run(
    rows: list[dict[str, Any]],
    fields: dict[str, dict[str, Any]],
    params: dict[str, str],
    rewrite: Callable[[list[list[Condition]]], list[list[Condition]]] | None = None,
) -> dict[str, Any]:
    """Filter, sort and page ``rows``; returns AFAS's ``{"skip", "take", "rows"}``. ``rewrite`` may check
    or change the parsed filter first (a connector's own filter rules, e.g. ``article_rows``)."""
    groups = parse_filters(params, fields)
    if rewrite is not None:
        groups = rewrite(groups)
    order = [s.strip() for s in (params.get("orderbyfieldids") or "").split(",") if s.strip()]
    for spec in order:
        if spec.lstrip("-") not in fields:
            raise unknown_connector_field(spec.lstrip("-"))
    skip, take = _int_param(params, "skip", 0), _int_param(params, "take", 100)
    if skip != -1 and (skip < 0 or take < 0):
        raise unexpected()
    if groups:
        rows = [r for r in rows if any(all(matches(r, c, fields[c[0]]) for c in g) for g in groups)]
    rows = sorted(rows, key=_row_hash)
    for spec in reversed(order):
        field_id = spec.lstrip("-")
        rows.sort(key=lambda r, f=field_id: _sort_key(r.get(f), fields[f]), reverse=spec.startswith("-"))
    page = rows if skip == -1 else rows[skip : skip + max(take, 1)]
    return {"skip": skip, "take": take, "rows": page}
