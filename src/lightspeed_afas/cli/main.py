"""``python -m lightspeed_afas <command>``: tools for the data team.

Each command lives in a module of this package and registers itself with ``cli.registry``; this module
imports every command module and runs the one asked for.
"""

from __future__ import annotations

from collections.abc import Sequence

from lightspeed_afas.cli import config_commands, doctor, log, webhooks  # noqa: F401  (each registers its commands)
from lightspeed_afas.cli.registry import build_parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.run(args))
