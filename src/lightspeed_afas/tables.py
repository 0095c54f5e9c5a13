"""Plain fixed-width text tables, for task logs and the command line (one renderer for all of them)."""

from __future__ import annotations

from collections.abc import Sequence


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]], rule: bool = False) -> str:
    """Columns padded to their widest cell, the last one left ragged; ``rule`` adds a dashed line under
    the header. Every row has the header's number of cells."""
    every = [tuple(header), *(tuple(row) for row in rows)]
    widths = [max(len(row[i]) for row in every) for i in range(len(header))]
    lines = [
        "  ".join([*(v.ljust(w) for v, w in zip(r[:-1], widths, strict=False)), r[-1]]).rstrip()
        for r in every
    ]
    if rule:
        lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
