"""Implementation of Rule SG03."""
from __future__ import annotations

from typing import List

from sqlfluff.core.rules import BaseRule, LintResult, RuleContext
from sqlfluff.core.rules.crawlers import RootOnlyCrawler

from ._tokens import sequence_results


class Rule_SG03(BaseRule):
    """``FULL [OUTER] JOIN``; MySQL 8 has no full outer join.

    ``FULL OUTER JOIN`` is error 1064. ``t FULL JOIN u`` is worse: MySQL reads
    ``FULL`` as an alias of ``t`` and runs an inner join, silently.

    **Anti-pattern**

    .. code-block:: sql

        SELECT a.id, b.id FROM a FULL OUTER JOIN b ON a.id = b.id

    **Best practice**

    Union a LEFT JOIN with the unmatched rows of the RIGHT JOIN.

    .. code-block:: sql

        SELECT a.id, b.id FROM a LEFT JOIN b ON a.id = b.id
        UNION ALL
        SELECT a.id, b.id FROM a RIGHT JOIN b ON a.id = b.id WHERE a.id IS NULL
    """

    name = "mysql8.full_outer_join"
    aliases = ()
    groups = ("all", "safeguard", "mysql8")
    crawl_behaviour = RootOnlyCrawler(works_on_unparsable=True)
    targets_templated = True

    def _eval(self, context: RuleContext) -> List[LintResult]:
        return sequence_results(
            context.segment,
            ['FULL', '?OUTER', 'JOIN'],
            (
                "FULL [OUTER] JOIN does not exist in MySQL 8 (error 1064, or FULL "
                "is taken as a table alias and the join silently becomes INNER). "
                "Use LEFT JOIN ... UNION ALL ... RIGHT JOIN ... WHERE left.key IS NULL."
            ),
        )
