"""Implementation of Rule SG05."""
from __future__ import annotations

from typing import List

from sqlfluff.core.rules import BaseRule, LintResult, RuleContext
from sqlfluff.core.rules.crawlers import RootOnlyCrawler

from ._tokens import sequence_results


class Rule_SG05(BaseRule):
    """Aggregate ``FILTER (WHERE ...)``; MySQL 8 rejects it (error 1064).

    **Anti-pattern**

    .. code-block:: sql

        SELECT COUNT(*) FILTER (WHERE status = 'active') AS active FROM tenants

    **Best practice**

    Put the condition inside the aggregate.

    .. code-block:: sql

        SELECT SUM(CASE WHEN status = 'active' THEN 1 ELSE 0 END) AS active FROM tenants
    """

    name = "mysql8.aggregate_filter"
    aliases = ()
    groups = ("all", "safeguard", "mysql8")
    crawl_behaviour = RootOnlyCrawler(works_on_unparsable=True)
    targets_templated = True

    def _eval(self, context: RuleContext) -> List[LintResult]:
        return sequence_results(
            context.segment,
            ['FILTER', '(', 'WHERE'],
            (
                "Aggregate FILTER (WHERE ...) is not MySQL (error 1064). Move the "
                "condition inside: SUM(CASE WHEN cond THEN 1 ELSE 0 END)."
            ),
        )
