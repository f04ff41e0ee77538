"""The error classes that mean "expected failure, print one clean line"."""


class FatalError(RuntimeError):
    """A failure the user can act on: the CLI prints the message alone, no traceback, exit 1.

    `reported` is set by code that has already logged the message where it
    belongs (the ETL logs its cause before its summary and metrics), so the
    CLI does not print it a second time.
    """

    reported = False


class Interrupted(FatalError):
    """Ctrl-C (SIGINT) after the command cleaned up: the message says what state things are in; exit 130."""


class UsageError(FatalError):
    """The command line (or its arguments) was wrong: exit 2, as argparse does, and nothing was touched."""
