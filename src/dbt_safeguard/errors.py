"""The one error class that means "expected failure, print one clean line"."""


class FatalError(RuntimeError):
    """A failure the user can act on: the CLI prints the message alone, no traceback."""
