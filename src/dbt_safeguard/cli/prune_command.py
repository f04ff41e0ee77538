"""`safeguard prune`: drop backups past retention, always keeping the newest verified ones."""
from __future__ import annotations

import argparse

from ..recovery import run_operation
from .connection_options import add_connection_arguments, add_output_arguments, whole_number
from .project_options import add_project_arguments, dbt_arguments, invoker_from, show_line


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "prune",
        help="drop backups older than the retention, keeping the newest verified ones",
        description=__doc__ + "\n\nRuns the safeguard package's prune_backups macro in your dbt project, "
        "with the project's safeguard_retention_days and safeguard_keep_last unless given here. Only "
        "tables the catalog says safeguard created are ever dropped.",
    )
    parser.add_argument("--dry-run", action="store_true", help="print what would be dropped; drop nothing")
    parser.add_argument("--retention-days", type=whole_number, help="drop backups older than this many days")
    parser.add_argument("--keep-last", type=whole_number,
                        help="but keep this many newest verified backups of each table")
    add_project_arguments(parser)
    add_connection_arguments(parser)
    add_output_arguments(parser, progress=False)
    parser.set_defaults(handler=prune,
                        interrupted="interrupted (Ctrl-C); the catalog shows what was dropped; run `safeguard prune` again to finish")


def prune(args: argparse.Namespace) -> int:
    run_operation(
        invoker_from(args), "prune_backups",
        {"dry_run": args.dry_run, "retention_days": args.retention_days, "keep_last": args.keep_last},
        on_line=show_line(args, "prune_backups"), dbt_args=dbt_arguments(args), verbose=args.verbose,
    )
    return 0
