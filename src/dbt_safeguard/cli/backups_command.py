"""`safeguard backups [TABLE]`: the backup catalog, newest first (read-only, no dbt)."""
from __future__ import annotations

import argparse

from ..recovery import CATALOG_TABLE, catalog_rows, format_rows, parse_table
from ..run_events import event
from .connection_options import settings_from
from .project_options import add_catalog_reader_arguments, catalog_schema_of


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "backups",
        help="list the backups that can be restored, newest first",
        description=__doc__ + "\n\nReads the safeguard_backups catalog on the server directly, so it "
        "answers in a moment and changes nothing.",
    )
    parser.add_argument("table", metavar="TABLE", nargs="?", help="only backups of schema.table (or table)")
    parser.add_argument("--all", action="store_true", help="include dropped backups")
    add_catalog_reader_arguments(parser)
    parser.set_defaults(handler=backups,
                        interrupted="interrupted (Ctrl-C); nothing was changed")


def backups(args: argparse.Namespace) -> int:
    if args.table is not None:
        parse_table(args.table)  # a usage error before connecting
    settings = settings_from(args)
    catalog = catalog_schema_of(args, settings)
    rows = catalog_rows(settings, catalog, args.table, include_dropped=args.all)
    if args.log_format == "json":
        for row in rows:
            event("backup", "%s.%s %s", row["source_schema"], row["source_table"], row["backup_ts"], **row)
    else:
        for line in format_rows(rows):
            print(line)
    event("backups_summary", "SUMMARY  %d backup(s)%s in %s.%s", len(rows),
          f" of {args.table}" if args.table else "", catalog, CATALOG_TABLE,
          backups=len(rows), catalog=f"{catalog}.{CATALOG_TABLE}")
    return 0

