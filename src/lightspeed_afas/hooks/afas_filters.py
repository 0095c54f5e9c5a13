"""GetConnector filters: AND/OR groups of conditions, encoded the way AFAS reads them.

``filterfieldids`` / ``filtervalues`` / ``operatortypes`` are three parallel lists in which ``,`` joins
conditions with AND and ``;`` joins groups with OR. A value that itself holds ``,`` or ``;`` cannot be
said that way, so such filters go as ``filterjson`` (fields within a filter AND, filters OR).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum
from urllib.parse import quote

# AFAS: "the string with parameters is limited to 2049 characters … longer gives HTTP 404".
MAX_URL_LENGTH = 2049
# Room for a later page's longer ``skip`` value in a batch that was sized for page one.
PAGING_HEADROOM = 12


class Op(IntEnum):
    """AFAS ``operatortypes``."""

    EQ = 1
    GE = 2
    LE = 3
    GT = 4
    LT = 5
    CONTAINS = 6
    NE = 7
    EMPTY = 8
    NOT_EMPTY = 9
    STARTS_WITH = 10
    NOT_CONTAINS = 11
    NOT_STARTS_WITH = 12
    ENDS_WITH = 13
    NOT_ENDS_WITH = 14
    QUICK = 15


@dataclass(frozen=True)
class Condition:
    """``field <op> value``; operators EMPTY and NOT_EMPTY take no value (sent empty)."""

    field: str
    op: Op
    value: str = ""

    def __post_init__(self) -> None:
        if not self.field or any(c in self.field for c in ",;&=?#/ "):
            raise ValueError(f"not an AFAS field id: {self.field!r}")
        if self.op in (Op.EMPTY, Op.NOT_EMPTY) and self.value:
            raise ValueError(f"operator {self.op.name} takes no value")


# OR of AND-groups: [[a, b], [c]] means (a AND b) OR c.
Filter = Sequence[Sequence[Condition]]


def eq(field: str, value: str) -> Condition:
    return Condition(field, Op.EQ, value)


def any_of(field: str, values: Iterable[str]) -> list[list[Condition]]:
    """``field = v1 OR field = v2 …``"""
    return [[eq(field, v)] for v in values]


def _encode(value: str) -> str:
    return quote(value, safe="")


def filter_params(groups: Filter) -> list[tuple[str, str]]:
    """Query parameters for a filter: the inline lists, or ``filterjson`` when a value needs it."""
    groups = [list(g) for g in groups if g]
    if not groups:
        return []
    if any("," in c.value or ";" in c.value for g in groups for c in g):
        document = {
            "Filters": {
                "Filter": [
                    {
                        "@FilterId": f"Filter {n}",
                        "Field": [
                            {"@FieldId": c.field, "@OperatorType": str(int(c.op)), "#text": c.value}
                            for c in g
                        ],
                    }
                    for n, g in enumerate(groups, start=1)
                ]
            }
        }
        return [("filterjson", json.dumps(document, ensure_ascii=False, separators=(",", ":")))]
    return [
        ("filterfieldids", ";".join(",".join(c.field for c in g) for g in groups)),
        ("filtervalues", ";".join(",".join(c.value for c in g) for g in groups)),
        ("operatortypes", ";".join(",".join(str(int(c.op)) for c in g) for g in groups)),
    ]


def query_string(params: Sequence[tuple[str, str]]) -> str:
    """Percent-encode every value (``+`` as %2B, space as %20), keeping the separators readable."""
    return "&".join(
        f"{k}={quote(v, safe=',;')}" if k != "filterjson" else f"{k}={_encode(v)}" for k, v in params
    )


def split_to_fit(
    base_url: str, fixed: Sequence[tuple[str, str]], field: str, values: Sequence[str]
) -> list[list[str]]:
    """Split look-up values into batches whose ``field = v1 OR …`` URL stays within AFAS's limit."""
    batches: list[list[str]] = []
    current: list[str] = []
    for value in values:
        trial = [*current, value]
        if _url_length(base_url, fixed, field, trial) <= MAX_URL_LENGTH - PAGING_HEADROOM:
            current = trial
            continue
        if not current:
            raise ValueError(
                f"a single {field} value is too long for an AFAS look-up URL ({len(value)} chars)"
            )
        batches.append(current)
        current = [value]
        if _url_length(base_url, fixed, field, current) > MAX_URL_LENGTH - PAGING_HEADROOM:
            raise ValueError(
                f"a single {field} value is too long for an AFAS look-up URL ({len(value)} chars)"
            )
    if current:
        batches.append(current)
    return batches


def _url_length(base_url: str, fixed: Sequence[tuple[str, str]], field: str, values: Sequence[str]) -> int:
    params = [*fixed, *filter_params(any_of(field, values))]
    return len(base_url) + 1 + len(query_string(params))
