"""Preflight: the server checks every protected model, in both is_incremental() branches, before a night writes.

`run_preflight(invoker, settings, select)` compiles (renderings) and has the
server parse and resolve each statement without running it (server_check,
checker). It raises FatalError naming the model, the branch and the
server's error; it writes nothing.
"""
from .checker import Preflight, PreflightReport, run_preflight

__all__ = ["Preflight", "PreflightReport", "run_preflight"]
