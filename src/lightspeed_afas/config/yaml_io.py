"""YAML reading that reports syntax errors with their line and refuses duplicate keys.

A duplicate key in YAML silently keeps the last value; in a tenant file that hides a mistake (two
``afas:`` blocks), so it is an error here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from lightspeed_afas.config.errors import ConfigError, ConfigProblem

_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _DuplicateKey(Exception):
    def __init__(self, key: Any, line: int) -> None:
        self.key = key
        self.line = line


class _StrictLoader(_Base):  # type: ignore[misc, valid-type]
    pass


def _construct_mapping(loader: Any, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise _DuplicateKey(key, key_node.start_mark.line + 1)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_yaml(path: Path, label: str) -> Any:
    """The parsed document, or ConfigError naming ``label`` and the line."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([ConfigProblem(label, None, f"cannot read the file: {exc}")]) from None
    try:
        return yaml.load(text, Loader=_StrictLoader)
    except _DuplicateKey as exc:
        raise ConfigError(
            [ConfigProblem(label, str(exc.key), "duplicate key (it appears twice)", exc.line)]
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = exc.problem or str(exc)
        raise ConfigError([ConfigProblem(label, None, f"YAML syntax error: {what}", line)]) from None
    except yaml.YAMLError as exc:
        raise ConfigError([ConfigProblem(label, None, f"YAML syntax error: {exc}")]) from None
