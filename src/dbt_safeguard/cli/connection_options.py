"""Command-line options every database subcommand shares."""
from __future__ import annotations

import argparse
from typing import Callable, Optional

from ..connection import ENV_PREFIX, ConnectionSettings
from ..run_events import LOG_FORMATS


def whole_number_type(low: int, high: Optional[int] = None) -> Callable[[str], int]:
    """An argparse type for a whole number in [low, high]: a bad value is a
    usage error about that option (exit 2), before anything connects."""
    expected = f"from {low} to {high}" if high is not None else f"of at least {low}"

    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            number = None
        if number is None or number < low or (high is not None and number > high):
            raise argparse.ArgumentTypeError(f"must be a whole number {expected}, got {value!r}")
        return number

    return parse


port_number = whole_number_type(1, 65535)
positive_int = whole_number_type(1)  # --workers
whole_number = whole_number_type(0)  # --retention-days, --keep-last


def add_connection_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "connection", f"default to the {ENV_PREFIX}HOST/PORT/USER/PASSWORD/TYPE environment variables"
    )
    group.add_argument("--host")
    group.add_argument("--port", type=port_number)
    group.add_argument("--user")
    group.add_argument(
        "--password",
        help=f"prefer {ENV_PREFIX}PASSWORD: a command line is visible to other users of the machine",
    )
    group.add_argument("--adapter-type", choices=("mysql", "mariadb"), help="dbt-mysql adapter type")


def add_output_arguments(parser: argparse.ArgumentParser, progress: bool = True) -> None:
    parser.add_argument("--log-format", choices=LOG_FORMATS, default="text",
                        help="json: one JSON object per event (the Glue job uses it)")
    if progress:
        parser.add_argument("--no-progress", action="store_true", help="no progress bar even on a terminal")
    parser.add_argument("-v", "--verbose", action="store_true", help="show every detail, dbt's own lines too")


def settings_from(args: argparse.Namespace) -> ConnectionSettings:
    return ConnectionSettings.from_env(
        host=args.host, port=args.port, user=args.user, password=args.password, adapter_type=args.adapter_type
    )
