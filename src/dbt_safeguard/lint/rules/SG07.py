"""Implementation of Rule SG07."""
from __future__ import annotations

from typing import Optional

from sqlfluff.core.rules import BaseRule

from ._tokens import TokenRule


class Rule_SG07(TokenRule, BaseRule):
    """``NULLS FIRST`` / ``NULLS LAST``; MySQL 8 rejects them (error 1064).

    MySQL sorts NULLs first in ascending order and last in descending order.

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
        if place.word != "NULLS" or place.after not in ("FIRST", "LAST"):
            return None
        return (f"NULLS {place.after} is not MySQL (error 1064). Order by "
                "`col IS NULL` (nulls last) or `col IS NOT NULL` (nulls first), then col.")
