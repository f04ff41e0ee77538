"""`safeguard lint`: MySQL 8 lint of dbt models in both is_incremental() branches."""
from __future__ import annotations

import argparse
import logging
import sys

from ..lint.branches import BRANCHES
from ..run_events import LOG_FORMATS, event

def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "lint",
        help="lint SQL for MySQL 8, rendering every dbt model with is_incremental() true and false",
        description=__doc__,
    )
    parser.add_argument(
        "paths",
        nargs="*",
        help="files or folders (default: the dbt project's model, snapshot and macro paths "
        "and its dbt_project.yml; the project is found from the working directory upwards)",
    )
    parser.add_argument(
        "--branch",
        action="append",
        choices=BRANCHES,
        help="render only these branches (repeatable; default: all of them)",
    )
    parser.add_argument(
        "--log-format",
        choices=LOG_FORMATS,
        default="text",
        help="text: one `path:line:col: CODE message` line per finding on stdout; "
        "json: one JSON event per finding",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="also log sqlfluff's tracebacks")
    parser.add_argument(
        "--require-grammar",
        action="store_true",
        help="fail when MySQL's grammar cannot check the SQL (no node, or the grammar not installed); CI sets it",
    )
    parser.add_argument(
        "--no-grammar",
        action="store_true",
        help="skip MySQL's grammar: sqlfluff's parser only",
    )
    parser.add_argument(
        "--install-grammar",
        action="store_true",
        help="install MySQL's grammar for the lint (npm ci in the package's grammar folder) and exit",
    )
    parser.set_defaults(handler=run,
                        interrupted="interrupted (Ctrl-C); nothing was changed")


def run(args: argparse.Namespace) -> int:
    # sqlfluff is imported here so other subcommands do not pay for it.
    from ..lint.grammar_gate import GrammarGate, GrammarGateUnavailable, install_grammar

    if args.install_grammar:
        return install_grammar()
    gate = None
    if not args.no_grammar:
        # Node loads MySQL's grammar while Python imports sqlfluff and renders.
        gate = GrammarGate()
        try:
            gate.start()
        except GrammarGateUnavailable:
            gate = None  # the linter finds the same and reports it in one line
    from ..lint.project_linter import ProjectLinter

    linter = ProjectLinter(branches=args.branch or BRANCHES, grammar=not args.no_grammar, gate=gate)
    report = linter.lint(args.paths or linter.default_paths())
    for finding in report.findings:
        if args.log_format == "json":
            event("lint_finding", "%s", finding.format(), **finding.as_dict())
        else:
            # Plain lines on stdout, the shape editors and pre-commit expect.
            print(finding.format())
    sys.stdout.flush()
    event(
        "lint_summary",
        "LINT     %d files, %d renderings, %d findings",
        report.files,
        report.renderings,
        len(report.findings),
        files=report.files,
        renderings=report.renderings,
        findings=len(report.findings),
    )
    if linter.grammar_unavailable:
        # One line, once per run: what the lint did not check.
        event("lint_grammar_unavailable", "%s", linter.grammar_unavailable, level=logging.WARNING)
        if args.require_grammar:
            return 1
    return 1 if report.findings else 0
