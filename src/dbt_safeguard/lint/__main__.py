"""`python -m dbt_safeguard.lint [paths]`: the same as `safeguard lint`."""
import argparse
import sys

from ..cli import lint_command
from ..errors import FatalError
from ..run_events import configure_logging, log


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dbt_safeguard.lint")
    lint_command.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["lint", *(sys.argv[1:] if argv is None else argv)])
    configure_logging(args.log_format)
    try:
        return args.handler(args)
    except FatalError as exc:
        log.error("%s", exc, extra={"event": "error"})
        return 1


if __name__ == "__main__":
    sys.exit(main())
