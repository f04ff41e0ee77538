"""Implementation of Rule SG07."""
from __future__ import annotations

from typing import List

from sqlfluff.core.rules import BaseRule, LintResult, RuleContext
from sqlfluff.core.rules.crawlers import RootOnlyCrawler

from ._tokens import code_tokens


class Rule_SG07(BaseRule):
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
    aliases = ()
    groups = ("all", "safeguard", "mysql8")
    crawl_behaviour = RootOnlyCrawler(works_on_unparsable=True)
    targets_templated = True

    def _eval(self, context: RuleContext) -> List[LintResult]:
        tokens = code_tokens(context.segment)
        return [
            LintResult(
                anchor=token,
                description=(
                    f"NULLS {tokens[i + 1].raw.upper()} is not MySQL (error 1064). Order by "
                    "`col IS NULL` (nulls last) or `col IS NOT NULL` (nulls first), then col."
                ),
            )
            for i, token in enumerate(tokens[:-1])
            if token.raw.upper() == "NULLS" and tokens[i + 1].raw.upper() in ("FIRST", "LAST")
        ]
