"""Command-line options every database subcommand shares."""
from __future__ import annotations

import argparse

from ..connection import ENV_PREFIX, ConnectionSettings
from ..run_events import LOG_FORMATS


def port_number(value: str) -> int:
    """argparse type: a TCP port, so a bad --port is a usage error about --port."""
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number from 1 to 65535, got {value!r}") from None
    if not 0 < port < 65536:
        raise argparse.ArgumentTypeError(f"must be a number from 1 to 65535, got {port}")
    return port


def positive_int(value: str) -> int:
    """argparse type: a whole number of at least 1 (--workers)."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, got {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, got {number}")
    return number


def whole_number(value: str) -> int:
    """argparse type: a whole number of at least 0 (--retention-days, --keep-last)."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 0, got {value!r}") from None
    if number < 0:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 0, got {number}")
    return number


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
