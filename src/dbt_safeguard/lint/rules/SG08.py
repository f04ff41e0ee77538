"""Implementation of Rule SG08."""
from __future__ import annotations

from typing import List

from sqlfluff.core.rules import BaseRule, LintFix, LintResult, RuleContext
from sqlfluff.core.rules.crawlers import SegmentSeekerCrawler

from ._tokens import code_tokens


class Rule_SG08(BaseRule):
    """``LIMIT ALL``; MySQL 8 rejects it (error 1064).

    **Anti-pattern**

    .. code-block:: sql

        SELECT * FROM tenants LIMIT ALL

    **Best practice**

    Leave the LIMIT out.

    .. code-block:: sql

        SELECT * FROM tenants
    """

    name = "mysql8.limit_all"
    aliases = ()
    groups = ("all", "safeguard", "mysql8")
    crawl_behaviour = SegmentSeekerCrawler({"limit_clause"})
    is_fix_compatible = True
    targets_templated = True

    def _eval(self, context: RuleContext) -> List[LintResult]:
        tokens = code_tokens(context.segment)
        if len(tokens) < 2 or tokens[1].raw.upper() != "ALL":
            return []
        fixes = [LintFix.delete(context.segment)]
        if context.parent_stack:
            siblings = context.parent_stack[-1].segments
            idx = siblings.index(context.segment)
            for seg in reversed(siblings[:idx]):
                if seg.is_type("whitespace", "newline"):
                    fixes.append(LintFix.delete(seg))
                elif not seg.is_meta:
                    break
        return [
            LintResult(
                anchor=tokens[0],
                fixes=fixes,
                description="LIMIT ALL is not MySQL (error 1064): leave the LIMIT out.",
            )
        ]
