"""A per-process cache of what was built from files, valid while the files' (mtime, size) stay the same.

The DAG file is parsed every 30 s by the dag-processor and again before every task; parsing the same
unchanged YAML again is wasted work, so the loaders cache their results here.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
Stamp = tuple[int, int]

_cache: dict[Hashable, tuple[Any, Any]] = {}


def stamp(path: Path) -> Stamp:
    """The file's modification time and size; OSError when it cannot be read."""
    st = os.stat(path)
    return (st.st_mtime_ns, st.st_size)


def cached(key: Hashable, file_stamp: Any, build: Callable[[], T]) -> T:
    """The value built for ``key`` while ``file_stamp`` is unchanged; ``build()`` otherwise."""
    hit = _cache.get(key)
    if hit is not None and hit[0] == file_stamp:
        return hit[1]
    value = build()
    _cache[key] = (file_stamp, value)
    return value


def clear_cache() -> None:
    """Forget everything (tests, and commands that rewrite files)."""
    _cache.clear()
