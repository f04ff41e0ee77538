"""Implementation of Rule SG02."""
from __future__ import annotations

from typing import List

from sqlfluff.core.rules import BaseRule, LintResult, RuleContext
from sqlfluff.core.rules.crawlers import RootOnlyCrawler

from ._tokens import code_tokens


class Rule_SG02(BaseRule):
    """``||`` used as string concatenation; in MySQL 8 it is a (deprecated) logical OR.

    MySQL evaluates ``'a' || 'b'`` as ``0`` without an error unless the
    server runs with ``PIPES_AS_CONCAT``, which Aurora does not by default.

    **Anti-pattern**

    .. code-block:: sql

        SELECT first_name || ' ' || last_name AS full_name FROM tenants

    **Best practice**

    Use ``CONCAT()`` for strings (and ``OR`` for logic).

    .. code-block:: sql

        SELECT CONCAT(first_name, ' ', last_name) AS full_name FROM tenants
    """

    name = "mysql8.pipe_concat"
    aliases = ()
    groups = ("all", "safeguard", "mysql8")
    crawl_behaviour = RootOnlyCrawler(works_on_unparsable=True)
    targets_templated = True

    def _eval(self, context: RuleContext) -> List[LintResult]:
        return [
            LintResult(
                anchor=token,
                description=(
                    "`||` is logical OR in MySQL 8 (string concatenation only with "
                    "PIPES_AS_CONCAT): the result is silently 0/1. Use CONCAT(a, b)."
                ),
            )
            for token in code_tokens(context.segment)
            if token.raw == "||"
        ]
