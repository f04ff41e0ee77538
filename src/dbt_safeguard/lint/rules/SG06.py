"""Implementation of Rule SG06."""
from __future__ import annotations

from typing import List

from sqlfluff.core.rules import BaseRule, LintFix, LintResult, RuleContext
from sqlfluff.core.rules.crawlers import SegmentSeekerCrawler

from ._tokens import NON_CODE, lexed


class Rule_SG06(BaseRule):
    """``IS [NOT] DISTINCT FROM``; MySQL 8 rejects it (error 1064).

    **Anti-pattern**

    .. code-block:: sql

        SELECT * FROM a JOIN b ON a.code IS NOT DISTINCT FROM b.code

    **Best practice**

    Use MySQL's NULL-safe equality ``<=>`` (and ``NOT (a <=> b)``).

    .. code-block:: sql

        SELECT * FROM a JOIN b ON a.code <=> b.code
    """

    name = "mysql8.is_distinct_from"
    aliases = ()
    groups = ("all", "safeguard", "mysql8")
    crawl_behaviour = SegmentSeekerCrawler({"keyword"})
    is_fix_compatible = True
    targets_templated = True

    def _eval(self, context: RuleContext) -> List[LintResult]:
        if context.segment.raw.upper() != "IS" or not context.parent_stack:
            return []
        siblings = context.parent_stack[-1].segments
        start = siblings.index(context.segment)
        words = []
        span = [context.segment]
        for seg in siblings[start + 1 :]:
            span.append(seg)
            if seg.is_meta or seg.is_type(*NON_CODE):
                continue
            words.append(seg.raw.upper())
            if words in (["NOT", "DISTINCT", "FROM"], ["DISTINCT", "FROM"]) or len(words) >= 3:
                break
        if words == ["NOT", "DISTINCT", "FROM"]:
            fixes = [LintFix.replace(context.segment, lexed("<=>", context.dialect))]
            fixes += [LintFix.delete(seg) for seg in span[1:] if not seg.is_meta]
            return [
                LintResult(
                    anchor=context.segment,
                    fixes=fixes,
                    description="IS NOT DISTINCT FROM is not MySQL (error 1064): use the NULL-safe `a <=> b`.",
                )
            ]
        if words[:2] == ["DISTINCT", "FROM"]:
            return [
                LintResult(
                    anchor=context.segment,
                    description="IS DISTINCT FROM is not MySQL (error 1064): use `NOT (a <=> b)`.",
                )
            ]
        return []
