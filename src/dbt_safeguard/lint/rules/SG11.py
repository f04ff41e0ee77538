"""Implementation of Rule SG11."""
from __future__ import annotations

from typing import Optional

from sqlfluff.core.parser import BaseSegment
from sqlfluff.core.rules import BaseRule, LintResult, RuleContext
from sqlfluff.core.rules.crawlers import SegmentSeekerCrawler

from ._tokens import identifier_parts

# Functions of other dialects that MySQL 8 does not have -> what to use instead.
MISSING_FUNCTIONS = {
    "date_trunc": "DATE_FORMAT(d, '%Y-%m-01'), DATE(d) or a CAST",
    "date_part": "EXTRACT(unit FROM d)",
    "datepart": "EXTRACT(unit FROM d)",
    "dateadd": "DATE_ADD(d, INTERVAL n UNIT)",
    "age": "TIMESTAMPDIFF(unit, a, b)",
    "to_char": "DATE_FORMAT() or FORMAT()",
    "to_date": "STR_TO_DATE()",
    "to_timestamp": "STR_TO_DATE() or FROM_UNIXTIME()",
    "to_number": "CAST(x AS DECIMAL)",
    "string_agg": "GROUP_CONCAT(x SEPARATOR ',')",
    "listagg": "GROUP_CONCAT(x SEPARATOR ',')",
    "array_agg": "JSON_ARRAYAGG() or GROUP_CONCAT()",
    "array_to_string": "GROUP_CONCAT()",
    "array_length": "JSON_LENGTH()",
    "unnest": "JSON_TABLE()",
    "generate_series": "a recursive CTE",
    "split_part": "SUBSTRING_INDEX(SUBSTRING_INDEX(s, sep, n), sep, -1)",
    "strpos": "LOCATE(sub, s)",
    "btrim": "TRIM()",
    "initcap": "CONCAT(UPPER(LEFT(s, 1)), LOWER(SUBSTRING(s, 2)))",
    "nvl": "IFNULL()",
    "nvl2": "IF(x IS NOT NULL, a, b)",
    "iff": "IF()",
    "decode": "CASE",
    "getdate": "NOW()",
    "sysdate_tz": "NOW()",
    "len": "CHAR_LENGTH()",
    "regexp_matches": "REGEXP_SUBSTR()",
    "regexp_split_to_table": "a recursive CTE or JSON_TABLE()",
    "try_cast": "CAST()",
    "safe_cast": "CAST()",
    "justify_days": "date arithmetic with INTERVAL",
    "make_date": "STR_TO_DATE(CONCAT_WS('-', y, m, d), '%Y-%m-%d')",
    "current_schema": "DATABASE()",
    "trunc": "TRUNCATE(x, d) for numbers, DATE(d) for dates",
    # MariaDB has these; MySQL 8 does not.
    "median": "a ROW_NUMBER()/COUNT() window over the ordered rows",
    "percentile_cont": "a ROW_NUMBER()/COUNT() window over the ordered rows",
    "percentile_disc": "a ROW_NUMBER()/COUNT() window over the ordered rows",
    "add_months": "DATE_ADD(d, INTERVAL n MONTH)",
    "chr": "CHAR(n USING utf8mb4)",
    "json_query": "JSON_EXTRACT()",
    "json_exists": "JSON_CONTAINS_PATH(doc, 'one', path)",
    "json_detailed": "JSON_PRETTY()",
    "json_compact": "CAST(doc AS JSON)",
    "json_loose": "JSON_PRETTY() or CAST(doc AS JSON)",
    "json_equals": "CAST(a AS JSON) = CAST(b AS JSON)",
    "json_normalize": "CAST(doc AS JSON)",
    "natural_sort_key": "an explicit ORDER BY on the numeric part",
    "sformat": "CONCAT() or FORMAT()",
    "nextval": "AUTO_INCREMENT (sequences are MariaDB-only)",
    "lastval": "LAST_INSERT_ID() (sequences are MariaDB-only)",
    "setval": "AUTO_INCREMENT (sequences are MariaDB-only)",
}


# Functions MySQL has, with another arity elsewhere: name -> (MySQL's arity, what to use).
OTHER_ARITY = {
    "datediff": (2, "DATEDIFF(end, start) counts days; TIMESTAMPDIFF(unit, start, end) for other units"),
    "isnull": (1, "ISNULL(x) tests for NULL; IFNULL(x, fallback) replaces it"),
}


class Rule_SG11(BaseRule):
    """A function MySQL 8 does not have (error 1305, or 1064 for some).

    sqlfluff parses any name followed by brackets as a function call, so
    PostgreSQL, Snowflake or MariaDB functions (``MEDIAN``, ``JSON_QUERY``,
    ``ADD_MONTHS``) pass it; MySQL fails the statement. SQL Server's
    three-argument ``DATEDIFF`` and two-argument ``ISNULL`` are reported too
    (error 1582).

    **Anti-pattern**

    .. code-block:: sql

        SELECT DATE_TRUNC('month', moved_in_at) AS month,
            STRING_AGG(room_no, ',') AS rooms
        FROM movings GROUP BY 1

    **Best practice**

    .. code-block:: sql

        SELECT DATE_FORMAT(moved_in_at, '%Y-%m-01') AS month,
            GROUP_CONCAT(room_no SEPARATOR ',') AS rooms
        FROM movings GROUP BY 1
    """

    name = "mysql8.missing_function"
    aliases = ()
    groups = ("all", "safeguard", "mysql8")
    crawl_behaviour = SegmentSeekerCrawler({"function_name"})
    targets_templated = True

    def _eval(self, context: RuleContext) -> Optional[LintResult]:
        name = identifier_parts(context.segment)[-1]
        instead = MISSING_FUNCTIONS.get(name)
        if instead is not None:
            return LintResult(
                anchor=context.segment,
                description=f"MySQL 8 has no function {name.upper()}() (error 1305/1064): use {instead}.",
            )
        if name in OTHER_ARITY and context.parent_stack:
            arity, advice = OTHER_ARITY[name]
            given = self._argument_count(context.parent_stack[-1])
            if given is not None and given != arity:
                return LintResult(
                    anchor=context.segment,
                    description=(
                        f"MySQL's {name.upper()}() takes {arity} argument(s), not {given} "
                        f"(error 1582): {advice}."
                    ),
                )
        return None

    @staticmethod
    def _argument_count(function: BaseSegment) -> Optional[int]:
        contents = function.get_child("function_contents")
        bracketed = contents.get_child("bracketed") if contents is not None else None
        if bracketed is None:
            return None
        arguments = [c for c in bracketed.segments if c.is_code and not c.is_type("start_bracket", "end_bracket")]
        if not arguments:
            return 0
        return sum(1 for c in arguments if c.is_type("comma")) + 1
