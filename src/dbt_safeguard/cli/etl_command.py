"""`safeguard etl`: the daily workflow, from dump to tested warehouse."""
from __future__ import annotations

import argparse
import os

from ..etl import SCHEMA_PREFIX_ENV, EtlConfig, run_etl
from ..staging_loader import DEFAULT_WORKERS
from .connection_options import add_connection_arguments, add_output_arguments, positive_int, settings_from
from .load_command import add_dump_shape_arguments


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "etl",
        help="load the newest dump into staging, run dbt seed/run/test, archive the dump",
        description=__doc__,
    )
    parser.add_argument("--dump-uri", required=True,
                        help="dump file or object, or a folder / S3 prefix whose newest *.sql[.gz] is used")
    parser.add_argument("--project-dir", required=True, help="the dbt project: a directory or an S3 prefix")
    parser.add_argument("--archive-uri",
                        help="where the processed dump goes (default: archive/ next to the dump, or under the prefix)")
    parser.add_argument("--schema-prefix", default=os.environ.get(SCHEMA_PREFIX_ENV, ""),
                        help=f"prefix of every schema, passed to dbt as {SCHEMA_PREFIX_ENV} (default: that variable)")
    parser.add_argument("--staging-schema", help="schema the dump is loaded into (default: <prefix>staging)")
    parser.add_argument("--catalog-schema",
                        help="schema of the safeguard_backups catalog (default: <prefix>analytics)")
    parser.add_argument("--drop-empty-tables", action="store_true",
                        help="after the load, drop the tables the dump left empty (step 3 of the original job)")
    parser.add_argument("--require-table", action="append", default=[], metavar="TABLE",
                        help="refuse a dump that does not create TABLE (repeatable)")
    parser.add_argument("--workers", type=positive_int, default=DEFAULT_WORKERS,
                        help=f"parallel insert connections (default: {DEFAULT_WORKERS})")
    parser.add_argument("--job-name", default="safeguard-etl", help="the Job dimension of the CloudWatch metrics")
    parser.add_argument("--no-metrics", action="store_true", help="do not print CloudWatch EMF lines")
    parser.add_argument("--history-uri",
                        help="after each night, write the history page (`safeguard history --html`) here: "
                             "a file, a folder or an s3:// URI, e.g. next to the archived dumps")
    add_dump_shape_arguments(parser)
    add_connection_arguments(parser)
    add_output_arguments(parser)
    parser.set_defaults(handler=etl,
                        interrupted="interrupted (Ctrl-C); the next `safeguard etl` finds this run dead and rolls back what it changed")


def etl(args: argparse.Namespace) -> int:
    config = EtlConfig(
        dump_uri=args.dump_uri,
        project_dir=args.project_dir,
        schema_prefix=args.schema_prefix,
        staging_schema=args.staging_schema,
        catalog_schema=args.catalog_schema,
        archive_uri=args.archive_uri,
        drop_empty_tables=args.drop_empty_tables,
        required_tables=args.require_table,
        workers=args.workers,
        job_name=args.job_name,
        show_progress=not args.no_progress and args.log_format == "text",
        emit_metrics=not args.no_metrics,
        history_uri=args.history_uri,
        collation_map=args.collation_map,
        spill_dir=args.spill_dir,
        compact_dbt_log=args.log_format == "text" and not args.verbose,
    )
    run_etl(config, settings_from(args))
    return 0
