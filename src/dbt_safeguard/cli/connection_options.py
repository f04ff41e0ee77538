"""Command-line options every database subcommand shares."""
from __future__ import annotations

import argparse

from ..connection import ENV_PREFIX, ConnectionSettings
from ..run_events import LOG_FORMATS


def add_connection_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "connection", f"default to the {ENV_PREFIX}HOST/PORT/USER/PASSWORD/TYPE environment variables"
    )
    group.add_argument("--host")
    group.add_argument("--port", type=int)
    group.add_argument("--user")
    group.add_argument(
        "--password",
        help=f"prefer {ENV_PREFIX}PASSWORD: a command line is visible to other users of the machine",
    )
    group.add_argument("--adapter-type", choices=("mysql", "mariadb"), help="dbt-mysql adapter type")


def add_output_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--log-format", choices=LOG_FORMATS, default="text",
                        help="json: one JSON object per event (the Glue job uses it)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar even on a terminal")
    parser.add_argument("-v", "--verbose", action="store_true")


def settings_from(args: argparse.Namespace) -> ConnectionSettings:
    return ConnectionSettings.from_env(
        host=args.host, port=args.port, user=args.user, password=args.password, adapter_type=args.adapter_type
    )
