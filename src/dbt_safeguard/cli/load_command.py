"""`safeguard load DUMP --schema staging`: load a dump safely into one schema."""
from __future__ import annotations

import argparse

from .. import dump_source
from ..connection import LockWaitBound
from ..run_events import event
from ..staging_loader import DEFAULT_WORKERS, load_source
from .connection_options import add_connection_arguments, add_output_arguments, positive_int, settings_from



def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "load",
        help="load a SQL dump into a schema through a shadow schema and one atomic swap",
        description=__doc__,
    )
    parser.add_argument("dump", help="a .sql or .sql.gz file, s3://bucket/key, or a directory/prefix (newest dump)")
    parser.add_argument("--schema", default="staging", help="target schema (default: staging)")
    parser.add_argument("--workers", type=positive_int, default=DEFAULT_WORKERS,
                        help=f"parallel insert connections (default: {DEFAULT_WORKERS})")
    parser.add_argument("--require-table", action="append", default=[], metavar="TABLE",
                        help="refuse a dump that does not create TABLE (repeatable)")
    parser.add_argument("--trust-incomplete", action="store_true",
                        help="load a dump without a mysqldump header and `-- Dump completed` trailer (--compact, "
                             "--skip-comments, a script) although a cut between two statements cannot be detected; "
                             "prefer --require-table")
    parser.add_argument("--lock-wait", type=int, default=LockWaitBound.attempt_seconds, metavar="SECONDS",
                        help="session lock_wait_timeout of each swap attempt: readers of the target wait at most "
                             f"this long (default: {LockWaitBound.attempt_seconds})")
    parser.add_argument("--lock-wait-total", type=float, default=LockWaitBound.total_seconds, metavar="SECONDS",
                        help="give the swap up, naming the blocking connections, after retrying this long "
                             f"(default: {LockWaitBound.total_seconds:g})")
    parser.add_argument("--drop-previous", action="store_true",
                        help="drop <schema>_previous after the swap instead of keeping it until the next load")
    parser.add_argument("--no-local-infile", action="store_true",
                        help="send rows as the dump's INSERT statements, never LOAD DATA LOCAL INFILE "
                             "(the default uses it when the server's local_infile is ON)")
    add_dump_shape_arguments(parser)
    parser.add_argument("--dry-run", action="store_true",
                        help="read the dump and print the plan (tables, objects, the swap); change nothing")
    add_connection_arguments(parser)
    add_output_arguments(parser)
    # Ctrl-C once the load runs raises LoadInterrupted, which says what state
    # the target is in (the loader drops its shadow schema on the way out).
    parser.set_defaults(handler=load, interrupted="interrupted before the load began; nothing was changed")


def add_dump_shape_arguments(parser: argparse.ArgumentParser) -> None:
    """What a dump from another server, or a small machine, needs; `safeguard etl` takes them too."""
    parser.add_argument("--collation-map", action="append", default=[], metavar="FROM=TO",
                        help="load collation FROM as TO, for a dump from a server with collations this one lacks "
                             "(repeatable), e.g. utf8mb4_0900_ai_ci=utf8mb4_unicode_ci")
    parser.add_argument("--spill-dir", metavar="DIR",
                        help="directory for statements waiting for a worker and the rows LOAD DATA reads "
                             "(default: $TMPDIR, else /tmp); needs room up to the uncompressed dump's size")


def load(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    source = dump_source.resolve(args.dump)
    event("load_start", "LOAD     %s into %s on %s", source.uri, args.schema, settings.describe(),
          dump=source.uri, schema=args.schema, server=settings.describe())
    result = load_source(
        source, settings, args.schema,
        show_progress=not args.no_progress and args.log_format == "text",
        workers=args.workers,
        required_tables=args.require_table,
        keep_previous=not args.drop_previous,
        trust_incomplete=args.trust_incomplete,
        lock_wait=LockWaitBound(args.lock_wait, args.lock_wait_total),
        load_data=not args.no_local_infile,
        collation_map=args.collation_map,
        spill_dir=args.spill_dir,
        dry_run=args.dry_run,
    )
    if result is None:
        return 0
    event("load_end", "DONE     %d tables, %d rows, %.1f MB in %.1fs", len(result.tables), result.rows,
          result.bytes / 1e6, result.duration,
          schema=result.target, tables=result.tables, rows=result.rows, bytes=result.bytes,
          duration=round(result.duration, 3), swapped=result.swapped, stale=result.stale,
          evidence=result.evidence)
    return 0
