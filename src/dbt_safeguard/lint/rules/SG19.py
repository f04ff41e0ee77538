"""Implementation of Rule SG19."""
from __future__ import annotations

from typing import Optional

from sqlfluff.core.rules import BaseRule, LintFix, LintResult, RuleContext
from sqlfluff.core.rules.crawlers import SegmentSeekerCrawler

from ._tokens import lexed

# Words MySQL 8.0 made reserved (most for window functions and CTEs) that
# MariaDB and MySQL 5.7 accept as plain names. sqlfluff's mysql dialect already
# rejects most of them; the rule names the problem and quotes them.
MYSQL8_RESERVED = {
    "CUBE", "CUME_DIST", "DENSE_RANK", "EMPTY", "EXCEPT", "FIRST_VALUE", "FUNCTION",
    "GROUPING", "GROUPS", "INTERSECT", "JSON_TABLE", "LAG", "LAST_VALUE", "LATERAL",
    "LEAD", "NTH_VALUE", "NTILE", "OF", "OVER", "PERCENT_RANK", "RANK", "RECURSIVE",
    "ROW", "ROWS", "ROW_NUMBER", "SYSTEM", "WINDOW",
}


class Rule_SG19(BaseRule):
    """An unquoted name that MySQL 8 reserves (error 1064).

    MySQL 8.0 reserved ``ROWS``, ``GROUPS``, ``RANK``, ``SYSTEM`` and more;
    MariaDB and MySQL 5.7 take them as plain column names.

    **Anti-pattern**

    .. code-block:: sql

        SELECT rows, groups FROM import_stats

    **Best practice**

    Quote the name with backticks (or rename it).

    .. code-block:: sql

        SELECT `rows`, `groups` FROM import_stats
    """

    name = "mysql8.reserved_word"
    aliases = ()
    groups = ("all", "safeguard", "mysql8")
    # The dialect parses some of these words (GROUPS) as a `variable`.
    crawl_behaviour = SegmentSeekerCrawler({"naked_identifier", "variable"})
    is_fix_compatible = True
    targets_templated = True

    def _eval(self, context: RuleContext) -> Optional[LintResult]:
        word = context.segment.raw.upper()
        if word not in MYSQL8_RESERVED:
            return None
        if context.parent_stack:
            # A name right after a dot (t.rows) may be a reserved word in MySQL.
            siblings = context.parent_stack[-1].segments
            idx = siblings.index(context.segment)
            previous = [s for s in siblings[:idx] if not s.is_meta and not s.is_whitespace]
            if previous and previous[-1].raw == ".":
                return None
        return LintResult(
            anchor=context.segment,
            fixes=[LintFix.replace(context.segment, lexed(f"`{context.segment.raw}`", context.dialect))],
            description=(
                f"{word} is a reserved word in MySQL 8 (error 1064; MariaDB accepts it): "
                f"write `{context.segment.raw}`."
            ),
        )
