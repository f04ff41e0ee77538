"""`safeguard restore TABLE`: put a verified backup back, with one atomic RENAME TABLE."""
from __future__ import annotations

import argparse

from ..errors import FatalError
from ..recovery import cut_off_restore, parse_table, run_operation
from .connection_options import add_connection_arguments, add_output_arguments, settings_from
from .project_options import add_project_arguments, dbt_arguments, invoker_from, project_catalog_schema, show_line


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "restore",
        help="put a table's latest (or a given) verified backup back in one atomic RENAME",
        description=__doc__ + "\n\nRuns the safeguard package's restore_backup macro in your dbt project: "
        "the live table is kept as <table>_replaced_<ts>, so a restore can itself be undone.",
    )
    parser.add_argument("table", metavar="TABLE", help="schema.table (or table, when only one schema has it)")
    parser.add_argument("--ts", help="the backup to restore: YYYYMMDD_HHMMSS (UTC), a prefix of it, "
                                     "or a date with one backup (default: the latest verified one)")
    parser.add_argument("--dry-run", action="store_true", help="print the plan and the RENAME; change nothing")
    add_project_arguments(parser)
    add_connection_arguments(parser)
    add_output_arguments(parser, progress=False)
    parser.set_defaults(handler=restore,
                        interrupted="interrupted (Ctrl-C); `safeguard backups TABLE` shows whether the RENAME happened")


def restore(args: argparse.Namespace) -> int:
    parse_table(args.table)  # a usage error before dbt starts
    invoker = invoker_from(args)  # no project: a usage error, nothing tried
    try:
        run_operation(
            invoker, "restore_backup", {"table": args.table, "ts": args.ts, "dry_run": args.dry_run},
            on_line=show_line(args, "restore_backup"), dbt_args=dbt_arguments(args), verbose=args.verbose,
        )
    except FatalError as exc:
        if str(exc).startswith("safeguard.") or args.dry_run:
            raise  # the package's own refusal: nothing was changed, and it says so
        # A database error (a killed connection, a server gone): say from the
        # swap journal whether the RENAME happened and what to run next.
        # The project's own catalog (its files say which), as the macro used it.
        state = cut_off_restore(settings_from(args), getattr(exc, "invocation_id", None), args.table,
                                project_catalog_schema(args))
        raise FatalError(f"{exc}; {state}") from None
    return 0
