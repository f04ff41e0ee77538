"""Implementation of Rule SG07."""
from __future__ import annotations

from typing import Optional

from sqlfluff.core.rules import BaseRule

from ._tokens import TokenRule


class Rule_SG07(TokenRule, BaseRule):
    """``NULLS FIRST`` / ``NULLS LAST`` (error 1064) and ``IGNORE NULLS`` (error 1235).

    MySQL sorts NULLs first in ascending order and last in descending order.
    Its grammar reads a window function's ``IGNORE NULLS`` (``LAST_VALUE(x)
    IGNORE NULLS OVER w``) but the server refuses it: "This version of MySQL
    doesn't yet support 'IGNORE NULLS'"; only ``RESPECT NULLS`` runs.

    **Anti-pattern**

    .. code-block:: sql

        SELECT * FROM moveouts ORDER BY moveout_date NULLS LAST

    **Best practice**

    Sort on ``IS NULL`` first.

    .. code-block:: sql

        SELECT * FROM moveouts ORDER BY moveout_date IS NULL, moveout_date
    """

    name = "mysql8.nulls_ordering"

    @staticmethod
    def _describe(tokens, place) -> Optional[str]:
        if place.word == "IGNORE" and place.after == "NULLS":
            return ("IGNORE NULLS is not supported by MySQL 8 (error 1235). Skip NULLs in the frame "
                    "instead, e.g. MAX(x) OVER (PARTITION BY grp) where grp counts the non-NULL rows so far.")
        if place.word != "NULLS" or place.after not in ("FIRST", "LAST"):
            return None
        return (f"NULLS {place.after} is not MySQL (error 1064). Order by "
                "`col IS NULL` (nulls last) or `col IS NOT NULL` (nulls first), then col.")
