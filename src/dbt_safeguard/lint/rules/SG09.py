"""Implementation of Rule SG09."""
from __future__ import annotations

import re
from typing import List


from sqlfluff.core.rules import BaseRule, LintFix, LintResult, RuleContext
from sqlfluff.core.rules.crawlers import RootOnlyCrawler

from ._tokens import code_tokens, lexed

UNITS = {
    "microsecond": "MICROSECOND", "second": "SECOND", "sec": "SECOND", "minute": "MINUTE",
    "min": "MINUTE", "hour": "HOUR", "day": "DAY", "week": "WEEK", "month": "MONTH",
    "mon": "MONTH", "quarter": "QUARTER", "year": "YEAR",
}
MYSQL_UNITS = {
    "MICROSECOND", "SECOND", "MINUTE", "HOUR", "DAY", "WEEK", "MONTH", "QUARTER", "YEAR",
    "SECOND_MICROSECOND", "MINUTE_MICROSECOND", "MINUTE_SECOND", "HOUR_MICROSECOND",
    "HOUR_SECOND", "HOUR_MINUTE", "DAY_MICROSECOND", "DAY_SECOND", "DAY_MINUTE", "DAY_HOUR",
    "YEAR_MONTH",
}
SIMPLE_INTERVAL = re.compile(r"^'\s*(-?\d+)\s+([a-z]+?)s?\s*'$", re.IGNORECASE)


class Rule_SG09(BaseRule):
    """PostgreSQL string interval ``INTERVAL '1 day'``; MySQL 8 rejects it.

    In a select list sqlfluff's mysql dialect even parses ``INTERVAL '1 day'``
    as a column named INTERVAL with the alias '1 day'.

    **Anti-pattern**

    .. code-block:: sql

        SELECT moveout_date - INTERVAL '30 days' AS notice_date FROM moveouts

    **Best practice**

    A number and a unit keyword.

    .. code-block:: sql

        SELECT moveout_date - INTERVAL 30 DAY AS notice_date FROM moveouts
    """

    name = "mysql8.string_interval"
    aliases = ()
    groups = ("all", "safeguard", "mysql8")
    crawl_behaviour = RootOnlyCrawler(works_on_unparsable=True)
    is_fix_compatible = True
    targets_templated = True

    def _eval(self, context: RuleContext) -> List[LintResult]:
        tokens = code_tokens(context.segment)
        results = []
        for i, token in enumerate(tokens[:-1]):
            literal = tokens[i + 1]
            if token.raw.upper() != "INTERVAL" or not literal.raw.startswith("'"):
                continue
            following = tokens[i + 2].raw.upper() if i + 2 < len(tokens) else ""
            if following in MYSQL_UNITS:
                continue  # INTERVAL '1:30' HOUR_MINUTE is MySQL: a string value and a unit
            match = SIMPLE_INTERVAL.match(literal.raw)
            unit = UNITS.get(match.group(2).lower()) if match else None
            fixes = []
            description = (
                f"INTERVAL {literal.raw} is PostgreSQL: MySQL 8 wants INTERVAL <number> <UNIT> "
                "(error 1064)."
            )
            if unit:
                new = f"{match.group(1)} {unit}"
                description += f" Use INTERVAL {new}."
                if not any(step.segment.is_type("unparsable") for step in context.segment.path_to(literal)):
                    fixes = [LintFix.replace(literal, lexed(new, context.dialect))]
            results.append(LintResult(anchor=token, fixes=fixes, description=description))
        return results
