"""The command registry: a command is one function plus one registration::

    @subcommand("name", "one-line help", arg("tenant"), arg("--since", default=None))
    def name_command(args: argparse.Namespace) -> int:
        ...
        return 0

A command module imports only this; ``cli.main`` imports every command module and builds the parser.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Argument:
    flags: tuple[str, ...]
    options: dict[str, Any]


@dataclass(frozen=True)
class Subcommand:
    name: str
    help: str
    arguments: tuple[Argument, ...]
    run: Callable[[argparse.Namespace], int]


SUBCOMMANDS: dict[str, Subcommand] = {}


def arg(*flags: str, **options: Any) -> Argument:
    """An ``add_argument`` call for a subcommand, written where the subcommand is declared."""
    return Argument(flags, options)


def subcommand(
    name: str, help: str, *arguments: Argument
) -> Callable[[Callable[[argparse.Namespace], int]], Callable[[argparse.Namespace], int]]:
    """Register ``function(args) -> exit code`` as ``python -m lightspeed_afas <name>``."""

    def register(function: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
        SUBCOMMANDS[name] = Subcommand(name, help, tuple(arguments), function)
        return function

    return register


def build_parser() -> argparse.ArgumentParser:
    """The parser of every registered command."""
    parser = argparse.ArgumentParser(
        prog="python -m lightspeed_afas", description="Lightspeed eCom → AFAS Profit order sync: tools."
    )
    commands = parser.add_subparsers(dest="command", metavar="<command>", required=True)
    for name in sorted(SUBCOMMANDS):
        spec = SUBCOMMANDS[name]
        sub = commands.add_parser(name, help=spec.help, description=spec.help)
        for argument in spec.arguments:
            sub.add_argument(*argument.flags, **argument.options)
        sub.set_defaults(run=spec.run)
    return parser
