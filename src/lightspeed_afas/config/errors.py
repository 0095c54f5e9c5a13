"""Config errors that name the file and the field, one line each, in words a data team can act on."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError


@dataclass(frozen=True)
class ConfigProblem:
    """One thing wrong with one config file: ``include/tenants/acme.yaml: afas.items.shipping: field required``."""

    file: str
    field: str | None
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class ConfigError(ValueError):
    """A config file (tenant or mapping) is invalid; ``problems`` lists every finding."""

    def __init__(self, problems: Iterable[ConfigProblem]) -> None:
        self.problems: tuple[ConfigProblem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @property
    def file(self) -> str:
        return self.problems[0].file if self.problems else ""


def field_path(loc: Iterable[Any]) -> str:
    """``('afas', 'items', 'shipping')`` → ``afas.items.shipping``; list indexes as ``[0]``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _message(error: dict[str, Any]) -> str:
    kind = error["type"]
    if kind == "missing":
        return "field required"
    if kind == "extra_forbidden":
        return "unknown key (not a setting; check the spelling)"
    message = str(error["msg"])
    # pydantic prefixes messages raised by our own validators; the prefix says nothing to a reader.
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            message = message[len(prefix) :]
    if kind in ("literal_error", "enum") or "_type" in kind or kind.endswith("_parsing"):
        value = error.get("input")
        if not isinstance(value, dict | list):
            message = f"{message} (got {value!r})"
    return message


def problems_from_validation(file: str, error: ValidationError, prefix: str = "") -> list[ConfigProblem]:
    """Turn a pydantic ValidationError into one problem per field, paths prefixed by ``prefix``."""
    problems = []
    for item in error.errors(include_url=False):
        path = field_path(item["loc"])
        if prefix:
            path = f"{prefix}.{path}" if path else prefix
        problems.append(ConfigProblem(file, path or None, _message(item)))
    return problems
