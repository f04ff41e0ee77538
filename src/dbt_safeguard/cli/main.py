"""`safeguard` command line: parses and dispatches, nothing else."""
from __future__ import annotations

import argparse
import logging
import sys
from typing import Optional, Sequence

from ..errors import FatalError

EXIT_OK = 0
EXIT_FAILURE = 1  # the data or a dbt step failed
EXIT_USAGE = 2  # the command line was wrong (argparse uses 2 as well)

log = logging.getLogger("safeguard")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="safeguard", description=__doc__)
    parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except FatalError as exc:
        log.error("%s", exc)
        print(f"safeguard: {exc}", file=sys.stderr)
        return EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main())
