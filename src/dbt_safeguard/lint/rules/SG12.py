"""Implementation of Rule SG12."""
from __future__ import annotations

from typing import List

from sqlfluff.core.rules import BaseRule, LintResult, RuleContext
from sqlfluff.core.rules.crawlers import RootOnlyCrawler

from ._tokens import code_tokens


class Rule_SG12(BaseRule):
    """Double-quoted name; in MySQL 8 ``"x"`` is a string, not an identifier.

    Without ``ANSI_QUOTES`` (off on Aurora by default) ``SELECT "status"``
    returns the text 'status' for every row, and ``FROM "t"`` is error 1064.

    **Anti-pattern**

    .. code-block:: sql

        SELECT "status" FROM tenants WHERE name = "Tanaka"

    **Best practice**

    Backticks for identifiers, single quotes for strings.

    .. code-block:: sql

        SELECT `status` FROM tenants WHERE name = 'Tanaka'
    """

    name = "mysql8.double_quotes"
    aliases = ()
    groups = ("all", "safeguard", "mysql8")
    crawl_behaviour = RootOnlyCrawler(works_on_unparsable=True)
    targets_templated = True

    def _eval(self, context: RuleContext) -> List[LintResult]:
        return [
            LintResult(
                anchor=token,
                description=(
                    f"{token.raw} is double-quoted: MySQL 8 reads it as a string literal "
                    "(an identifier only under ANSI_QUOTES). Use `backticks` for names, "
                    "'single quotes' for strings."
                ),
            )
            for token in code_tokens(context.segment)
            if token.raw.startswith('"')
        ]
