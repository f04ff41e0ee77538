"""Options of the subcommands that run the package's macros in a dbt project."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Optional

from .. import dbt_project
from ..connection import ConnectionSettings
from ..dbt_invoker import DbtInvoker
from ..dbt_project import find_profiles_dir, find_project_dir
from ..errors import UsageError
from ..recovery import find_catalog_schema
from ..run_events import event
from .connection_options import add_connection_arguments, add_output_arguments, settings_from


def add_project_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("dbt project")
    group.add_argument("--project-dir", help="the dbt project that uses the safeguard package "
                                             "(default: the nearest dbt_project.yml from here upward)")
    group.add_argument("--profiles-dir", help="where profiles.yml is (default: DBT_PROFILES_DIR, "
                                              "the project folder, then ~/.dbt)")
    group.add_argument("--target", help="the profile target (default: the profile's own)")


def invoker_from(args: argparse.Namespace) -> DbtInvoker:
    project = find_project_dir(args.project_dir)
    return DbtInvoker(project, settings_from(args), profiles_dir=find_profiles_dir(args.profiles_dir, project))


def dbt_arguments(args: argparse.Namespace) -> list:
    return ["--target", args.target] if args.target else []


def show_line(args: argparse.Namespace, macro: str):
    """Where a macro's log line goes: stdout as dbt prints it, or a JSON event."""
    def show(line: str) -> None:
        if args.log_format == "json":
            event("operation", "%s", line, macro=macro)
        else:
            print(line, flush=True)

    return show


def project_catalog_schema(args: argparse.Namespace) -> Optional[str]:
    """The catalog schema the project's files name, as restore and prune (through dbt) use it.

    Read with PyYAML (dbt_project), not by starting dbt: the answer takes
    milliseconds. None outside a dbt project, unless --project-dir was given.
    """
    try:
        project = dbt_project.find_project_dir(args.project_dir)
    except UsageError:
        if args.project_dir is not None:
            raise
        return None
    profiles = dbt_project.find_profiles_dir(args.profiles_dir, project)
    return dbt_project.catalog_schema(Path(project), profiles, args.target)


def add_catalog_reader_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of a command that reads the catalog directly, without starting dbt."""
    parser.add_argument("--catalog-schema",
                        help="the schema of the catalog (default: the dbt project's, read from its files as "
                             "restore and prune use it; outside a project, the one schema on the server with one)")
    add_project_arguments(parser)
    add_connection_arguments(parser)
    add_output_arguments(parser, progress=False)


def catalog_schema_of(args: argparse.Namespace, settings: ConnectionSettings) -> str:
    """--catalog-schema, else the project's (its files), else the server's only one."""
    return find_catalog_schema(settings, args.catalog_schema or project_catalog_schema(args))
