"""`safeguard` command line: parses and dispatches, nothing else."""
from __future__ import annotations

import argparse
import logging
import sys
from typing import Optional, Sequence

from .. import __version__
from ..errors import FatalError, Interrupted, UsageError
from ..run_events import configure_logging
from . import (
    backups_command, etl_command, history_command, lint_command, load_command, preflight_command, prune_command,
    restore_command,
)

EXIT_OK = 0
EXIT_FAILURE = 1  # the data or a dbt step failed
EXIT_USAGE = 2  # the command line was wrong (argparse uses 2 as well)
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what a shell reports for Ctrl-C

DESCRIPTION = """\
Safe nightly dbt runs on MySQL 8 / Aurora MySQL 3 and MariaDB: load a SQL
dump into staging atomically, run the nightly ETL, restore and prune the
backups the safeguard dbt package takes, and lint dbt SQL for MySQL 8."""
EPILOG = """\
connection settings come from SAFEGUARD_DB_HOST, _PORT, _USER, _PASSWORD and
_TYPE unless given as options. Exit status: 0 success, 1 a failure (one line
saying why; nothing was changed unless it says so), 2 a usage error.
`safeguard COMMAND --help` describes each command.
"""

log = logging.getLogger("safeguard")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="safeguard", description=DESCRIPTION, epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"safeguard (dbt-safeguard) {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    load_command.register(subparsers)
    etl_command.register(subparsers)
    backups_command.register(subparsers)
    restore_command.register(subparsers)
    prune_command.register(subparsers)
    preflight_command.register(subparsers)
    history_command.register(subparsers)
    lint_command.register(subparsers)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(getattr(args, "log_format", "text"), verbose=getattr(args, "verbose", False))
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        # Ctrl-C: one line saying what state things are in (each command
        # registers its own), and the shell's exit status, not a traceback.
        log.error("%s", getattr(args, "interrupted", "interrupted (Ctrl-C)"), extra={"event": "error"})
        return EXIT_INTERRUPTED
    except FatalError as exc:
        # One clean line, no traceback, in the chosen format (run_events).
        if not exc.reported:
            log.error("%s", exc, extra={"event": "error"})
        if isinstance(exc, Interrupted):
            return EXIT_INTERRUPTED
        return EXIT_USAGE if isinstance(exc, UsageError) else EXIT_FAILURE


if __name__ == "__main__":
    sys.exit(main())
