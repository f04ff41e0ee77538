"""Implementation of Rule SG04."""
from __future__ import annotations

from typing import List

from sqlfluff.core.rules import BaseRule, LintResult, RuleContext
from sqlfluff.core.rules.crawlers import RootOnlyCrawler

from ._tokens import sequence_results


class Rule_SG04(BaseRule):
    """PostgreSQL ``DISTINCT ON (...)``; MySQL 8 rejects it (error 1064).

    **Anti-pattern**

    .. code-block:: sql

        SELECT DISTINCT ON (tenant_id) tenant_id, status
        FROM status_history
        ORDER BY tenant_id, valid_from DESC

    **Best practice**

    Number the rows with a window function and keep the first.

    .. code-block:: sql

        SELECT tenant_id, status FROM (
            SELECT tenant_id, status,
                ROW_NUMBER() OVER (PARTITION BY tenant_id ORDER BY valid_from DESC) AS rn
            FROM status_history
        ) AS ranked
        WHERE rn = 1
    """

    name = "mysql8.distinct_on"
    aliases = ()
    groups = ("all", "safeguard", "mysql8")
    crawl_behaviour = RootOnlyCrawler(works_on_unparsable=True)
    targets_templated = True

    def _eval(self, context: RuleContext) -> List[LintResult]:
        return sequence_results(
            context.segment,
            ['DISTINCT', 'ON', '('],
            (
                "DISTINCT ON is PostgreSQL-only (MySQL error 1064). Use ROW_NUMBER() "
                "OVER (PARTITION BY ... ORDER BY ...) and keep rn = 1."
            ),
        )
