"""Implementation of Rule SG22."""
from __future__ import annotations

from typing import List

from sqlfluff.core.rules import BaseRule, LintResult, RuleContext
from sqlfluff.core.rules.crawlers import RootOnlyCrawler

from ._tokens import code_tokens

# MySQL 8.0's EXTRACT() units (reference manual 12.7, "Temporal Intervals").
EXTRACT_UNITS = {
    "MICROSECOND", "SECOND", "MINUTE", "HOUR", "DAY", "WEEK", "MONTH", "QUARTER", "YEAR",
    "SECOND_MICROSECOND", "MINUTE_MICROSECOND", "MINUTE_SECOND", "HOUR_MICROSECOND",
    "HOUR_SECOND", "HOUR_MINUTE", "DAY_MICROSECOND", "DAY_SECOND", "DAY_MINUTE", "DAY_HOUR",
    "YEAR_MONTH",
}
# Other dialects' units -> the MySQL way.
INSTEAD = {
    "EPOCH": "UNIX_TIMESTAMP(d)",
    "DOW": "DAYOFWEEK(d) - 1 (PostgreSQL's DOW counts Sunday as 0)",
    "DAYOFWEEK": "DAYOFWEEK(d)",
    "ISODOW": "WEEKDAY(d) + 1",
    "DOY": "DAYOFYEAR(d)",
    "DAYOFYEAR": "DAYOFYEAR(d)",
    "ISOYEAR": "YEARWEEK(d, 3) DIV 100",
    "ISOWEEK": "WEEK(d, 3)",
    "CENTURY": "FLOOR((YEAR(d) - 1) / 100) + 1",
    "MILLENNIUM": "FLOOR((YEAR(d) - 1) / 1000) + 1",
    "DECADE": "FLOOR(YEAR(d) / 10)",
    "MILLISECONDS": "EXTRACT(MICROSECOND FROM d) DIV 1000",
    "DATE": "DATE(d)",
}


class Rule_SG22(BaseRule):
    """EXTRACT with a unit MySQL 8 does not have (error 1064).

    MySQL's units are those of ``INTERVAL``: MICROSECOND up to YEAR and the
    compound ones (``DAY_HOUR``, ``YEAR_MONTH``, ...). PostgreSQL's ``EPOCH``,
    ``DOW``, ``ISODOW``, ``DOY``, ``CENTURY``, ``MILLENNIUM``, ``TIMEZONE``
    and BigQuery's ``DAYOFWEEK`` or ``DATE`` are not.

    **Anti-pattern**

    .. code-block:: sql

        SELECT EXTRACT(EPOCH FROM created_at) AS created_epoch FROM events

    **Best practice**

    .. code-block:: sql

        SELECT UNIX_TIMESTAMP(created_at) AS created_epoch FROM events
    """

    name = "mysql8.extract_unit"
    aliases = ()
    groups = ("all", "safeguard", "mysql8")
    crawl_behaviour = RootOnlyCrawler(works_on_unparsable=True)
    targets_templated = True

    def _eval(self, context: RuleContext) -> List[LintResult]:
        tokens = code_tokens(context.segment)
        words = [t.raw.upper() for t in tokens]
        results = []
        for i, word in enumerate(words[:-3]):
            if word != "EXTRACT" or words[i + 1] != "(" or words[i + 3] != "FROM":
                continue
            unit = words[i + 2]
            if unit in EXTRACT_UNITS:
                continue
            instead = INSTEAD.get(unit, "a MySQL unit (MICROSECOND ... YEAR, DAY_HOUR, YEAR_MONTH, ...)")
            results.append(
                LintResult(
                    anchor=tokens[i + 2],
                    description=f"EXTRACT({unit} FROM ...): MySQL 8 has no unit {unit} (error 1064). Use {instead}.",
                )
            )
        return results
