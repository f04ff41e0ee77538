"""`safeguard lint`: MySQL 8 lint of dbt models in both is_incremental() branches."""
from __future__ import annotations

import argparse
import json
import sys

from ..lint.dbt_templater import BRANCHES

DEFAULT_PATHS = ["dbt", "macros"]


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "lint",
        help="lint SQL for MySQL 8, rendering every dbt model with is_incremental() true and false",
        description=__doc__,
    )
    parser.add_argument("paths", nargs="*", default=DEFAULT_PATHS, help="files or folders (default: dbt macros)")
    parser.add_argument(
        "--branch",
        action="append",
        choices=BRANCHES,
        help="render only these branches (repeatable; default: all of them)",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    # sqlfluff is imported here so other subcommands do not pay for it.
    from ..lint.project_linter import ProjectLinter

    linter = ProjectLinter(branches=args.branch or BRANCHES)
    report = linter.lint(args.paths)
    for finding in report.findings:
        if args.format == "json":
            print(json.dumps(finding.as_dict()))
        else:
            print(finding.format())
    sys.stdout.flush()
    summary = (
        f"[safeguard] LINT     {report.files} files, {report.renderings} renderings, "
        f"{len(report.findings)} findings"
    )
    print(summary, file=sys.stderr)
    return 1 if report.findings else 0
