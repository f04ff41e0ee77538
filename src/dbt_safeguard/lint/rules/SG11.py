"""Implementation of Rule SG11."""
from __future__ import annotations

from typing import Optional

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
    "nextval": "AUTO_INCREMENT (sequences are MariaDB-only)",
    "lastval": "LAST_INSERT_ID() (sequences are MariaDB-only)",
    "setval": "AUTO_INCREMENT (sequences are MariaDB-only)",
}


class Rule_SG11(BaseRule):
    """A function MySQL 8 does not have (error 1305, or 1064 for some).

    sqlfluff parses any name followed by brackets as a function call, so
    PostgreSQL or Snowflake functions pass it; MySQL fails the statement.

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
        if instead is None:
            return None
        return LintResult(
            anchor=context.segment,
            description=f"MySQL 8 has no function {name.upper()}() (error 1305/1064): use {instead}.",
        )
