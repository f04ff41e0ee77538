"""`safeguard` command line: parses and dispatches, nothing else."""
from __future__ import annotations

import argparse
import logging
import sys
from typing import Optional, Sequence

from ..errors import FatalError
from ..run_events import configure_logging
from . import etl_command, lint_command, load_command

EXIT_OK = 0
EXIT_FAILURE = 1  # the data or a dbt step failed
EXIT_USAGE = 2  # the command line was wrong (argparse uses 2 as well)

log = logging.getLogger("safeguard")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="safeguard", description=__doc__)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    load_command.register(subparsers)
    etl_command.register(subparsers)
    lint_command.register(subparsers)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(getattr(args, "log_format", "text"), verbose=getattr(args, "verbose", False))
    try:
        return args.handler(args)
    except FatalError as exc:
        # One clean line, no traceback: the handler prints it in the chosen format.
        log.error("%s", exc, extra={"event": "error"})
        return EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main())
