"""`safeguard preflight`: the server checks every selected protected model, in both branches, writing nothing."""
from __future__ import annotations

import argparse

from ..preflight import run_preflight
from .connection_options import add_connection_arguments, add_output_arguments
from .project_options import add_project_arguments, dbt_arguments, invoker_from


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "preflight",
        help="compile every protected model with is_incremental() true and false, with its hooks, and have "
             "the server parse and resolve each statement without running it",
        description=__doc__ + "\n\nExit 1 names the model, the branch and the server's error. "
        "See docs/preflight.md for what it checks and what only a MySQL 8 server catches.",
    )
    parser.add_argument("--select", "-s", nargs="+", action="extend", default=[], metavar="SELECTOR",
                        help="dbt node selection, as `dbt run --select` (default: the whole project); "
                             "what it selects is what tonight's run builds")
    add_project_arguments(parser)
    add_connection_arguments(parser)
    add_output_arguments(parser, progress=False)
    parser.set_defaults(handler=preflight, interrupted="interrupted (Ctrl-C); nothing was changed (preflight writes nothing)")


def preflight(args: argparse.Namespace) -> int:
    invoker = invoker_from(args)
    run_preflight(invoker, invoker.settings, select=args.select, dbt_args=dbt_arguments(args))
    return 0
