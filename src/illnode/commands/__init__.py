"""What every `isoill` subcommand shares: exit codes, the one-line failure, and the list of command modules.

A feature adds a module here with `register(sub)` (sub is the top-level argparse subparsers object) and names it
in `MODULES`; `illnode.cli.build_parser` calls each, so commands do not all live in one file.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["EXIT_CODES", "EXIT_INVALID", "EXIT_NETWORK", "EXIT_OK", "EXIT_PEER_ERROR", "EXIT_USAGE", "Failure",
           "MODULES", "STORE_HELP", "register_all"]

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_NETWORK = 3
EXIT_PEER_ERROR = 4

EXIT_CODES = f"""exit codes:
  {EXIT_OK}  success
  {EXIT_INVALID}  invalid input: the file cannot be decoded, encoded or validated
  {EXIT_USAGE}  usage error (bad arguments, unreadable file)
  {EXIT_NETWORK}  network failure: cannot connect, timeout, connection lost
  {EXIT_PEER_ERROR}  the peer answered with an error (ISO 10161 error report, a reply that is not ISO 10161 BER,
     HTTP status, ERROR confirmation)
"""


# The --store option's help, shared by every command that takes one.
STORE_HELP = ("where transactions and the journal are kept: memory:, sqlite:///relative.db, "
              "sqlite:////absolute/path.db, postgresql://user@host/db (see docs/node.md)")


class Failure(Exception):
    """A one-line reason to stop with an exit code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


# The command modules under illnode.commands, in the order their commands appear in `isoill --help`.
# One per line, so features added side by side do not collide here.
MODULES: tuple[str, ...] = (
    "new",
    "partners",
    "check",
    "request",
    "simulate",
    "illiad",
    "ncip",
    "gateway",
    "store",
    "importing",
)


def register_all(sub: Any) -> None:
    """Let every module in MODULES add its subcommands to `sub` (argparse's subparsers action)."""
    for name in MODULES:
        module = importlib.import_module(f"illnode.commands.{name}")
        module.register(sub)

