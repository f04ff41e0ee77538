"""`safeguard history [TABLE]`: what each night did to each protected table (read-only, no dbt)."""
from __future__ import annotations

import argparse

from ..errors import FatalError
from ..history import catalog, night, page, terminal
from ..recovery import parse_table
from ..run_events import event
from .connection_options import positive_int, settings_from
from .project_options import add_catalog_reader_arguments, catalog_schema_of

DEFAULT_NIGHTS = 14


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "history",
        help="what the last nights did to each protected table: published, refused, rolled back, restored",
        description=__doc__ + "\n\nOne line per run per table: when (server time), the invocation and "
        "command, the outcome, the rows before and after, the backup it left; then a sparkline of the rows. "
        "Reads the package's catalog directly, so it answers in a moment and changes nothing.",
    )
    parser.add_argument("table", metavar="TABLE", nargs="?", help="only schema.table (or table)")
    parser.add_argument("--nights", type=positive_int,
                        help=f"only runs of the last N days, by the server's clock (default: {DEFAULT_NIGHTS}; "
                             "with --html: every run)")
    parser.add_argument("--html", metavar="FILE",
                        help="also write the history as one self-contained HTML page (works offline); "
                             "a path, a folder or an s3:// URI")
    add_catalog_reader_arguments(parser)
    parser.set_defaults(handler=history, interrupted="interrupted (Ctrl-C); nothing was changed")


def history(args: argparse.Namespace) -> int:
    wanted = parse_table(args.table) if args.table is not None else None  # a usage error before connecting
    settings = settings_from(args)
    schema = catalog_schema_of(args, settings)
    nights = args.nights if args.nights is not None or args.html else DEFAULT_NIGHTS
    rows = catalog.read_catalog(settings, schema, nights)
    tables = catalog.histories(rows, wanted, nights)
    if wanted is not None and not tables:
        known = sorted({h.table for h in catalog.histories(rows)})
        raise FatalError(f"no history of {args.table} in {schema}; protected tables: {', '.join(known) or 'none'}")
    if args.log_format == "json":
        for table in tables:
            for run in table.runs:
                event("history", "%s %s %s", table.table, run.at, run.outcome, table=table.table, **run.as_json())
    else:
        for line in terminal.history_lines(tables):
            print(line)
    written = night.publish(page.render(tables, schema, rows.now), args.html) if args.html else None
    runs = sum(len(table.runs) for table in tables)
    event("history_summary", "SUMMARY  %d run(s) of %d table(s) in %s%s", runs, len(tables), schema,
          f"; page written to {written}" if written else "", runs=runs, tables=len(tables), catalog=schema)
    return 0

