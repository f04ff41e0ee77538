"""Implementation of Rule SG28."""
from __future__ import annotations

from typing import Optional

from sqlfluff.core.rules import BaseRule

from ._tokens import TokenRule

# What can follow GROUPS as a frame unit (GROUPS BETWEEN ..., GROUPS 1 PRECEDING, ...).
_FRAME_STARTS = {"BETWEEN", "UNBOUNDED", "CURRENT", "INTERVAL"}
# EXCLUDE CURRENT ROW | GROUP | TIES | NO OTHERS
_EXCLUSIONS = {"CURRENT", "GROUP", "TIES", "NO"}


class Rule_SG28(TokenRule, BaseRule):
    """Window frames MySQL 8 parses but does not run: ``GROUPS`` units and ``EXCLUDE``.

    MySQL's grammar has the SQL standard's ``GROUPS`` frame unit and the
    ``EXCLUDE CURRENT ROW | GROUP | TIES | NO OTHERS`` clause, and every 8.0
    release refuses both when it prepares the query (error 1235, "This
    version of MySQL doesn't yet support 'GROUPS as frame unit'" and "...
    'frame exclusion'"). PostgreSQL and SQLite run them.

    **Anti-pattern**

    .. code-block:: sql

        SELECT a, SUM(b) OVER (ORDER BY a GROUPS BETWEEN 1 PRECEDING AND CURRENT ROW) AS s FROM t

    **Best practice**

    ``ROWS`` or ``RANGE`` frames, and subtract the current row yourself
    where ``EXCLUDE CURRENT ROW`` was meant.

    .. code-block:: sql

        SELECT a, SUM(b) OVER (ORDER BY a RANGE BETWEEN 1 PRECEDING AND CURRENT ROW) AS s FROM t
    """

    name = "mysql8.window_frame"

    @staticmethod
    def _describe(tokens, place) -> Optional[str]:
        _, _, word, _, following = place
        if word == "GROUPS" and (following in _FRAME_STARTS or following.isdigit()):
            return "GROUPS frames: MySQL 8 has ROWS and RANGE only (error 1235)."
        if word == "EXCLUDE" and following in _EXCLUSIONS:
            return "EXCLUDE in a window frame: MySQL 8 does not support frame exclusion (error 1235)."
        return None
