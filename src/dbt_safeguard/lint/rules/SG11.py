"""Implementation of Rule SG11."""
from __future__ import annotations

from typing import Optional

from sqlfluff.core.parser import BaseSegment
from sqlfluff.core.rules import BaseRule, LintResult, RuleContext
from sqlfluff.core.rules.crawlers import SegmentSeekerCrawler

from ..created_functions import created_functions
from ._mysql_functions import MYSQL8_FUNCTIONS

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
    "json_array_intersect": "JSON_OVERLAPS() or JSON_TABLE()",
    "json_object_filter_keys": "JSON_REMOVE() or JSON_OBJECT()",
    "json_key_value": "JSON_TABLE()",
    "decode_oracle": "CASE",
    "trim_oracle": "TRIM()",
    "lengthb": "LENGTH() (bytes)",
    "kdf": "SHA2() or an application-side KDF",
    "column_get": "JSON columns and ->> (dynamic columns are MariaDB-only)",
    "column_create": "JSON_OBJECT()",
    "wsrep_last_seen_gtid": "@@gtid_executed",
    "binlog_gtid_pos": "@@gtid_executed",
    # PostgreSQL.
    "gcd": "a recursive CTE (MySQL has no GCD())",
    "lcm": "a*b / gcd (MySQL has no LCM())",
    "regexp_split_to_array": "JSON_TABLE() over a JSON array",
    "string_to_array": "JSON_TABLE() over a JSON array",
    "justify_hours": "date arithmetic with INTERVAL",
    "make_interval": "INTERVAL n UNIT",
    "make_timestamp": "TIMESTAMP(CONCAT(...))",
    "gen_random_uuid": "UUID()",
    "uuid_generate_v4": "UUID()",
    "clock_timestamp": "SYSDATE(6)",
    "statement_timestamp": "NOW(6)",
    "transaction_timestamp": "NOW(6)",
    "jsonb_build_object": "JSON_OBJECT()",
    "json_build_object": "JSON_OBJECT()",
    "json_build_array": "JSON_ARRAY()",
    "jsonb_build_array": "JSON_ARRAY()",
    "json_agg": "JSON_ARRAYAGG()",
    "jsonb_agg": "JSON_ARRAYAGG()",
    "json_object_agg": "JSON_OBJECTAGG()",
    "jsonb_object_agg": "JSON_OBJECTAGG()",
    "jsonb_array_elements": "JSON_TABLE()",
    "jsonb_array_elements_text": "JSON_TABLE()",
    "json_array_elements": "JSON_TABLE()",
    "json_array_elements_text": "JSON_TABLE()",
    "jsonb_set": "JSON_SET()",
    "jsonb_extract_path_text": "JSON_UNQUOTE(JSON_EXTRACT())",
    "json_extract_path_text": "JSON_UNQUOTE(JSON_EXTRACT())",
    "jsonb_typeof": "JSON_TYPE()",
    "json_typeof": "JSON_TYPE()",
    "to_tsvector": "a FULLTEXT index and MATCH ... AGAINST",
    "to_tsquery": "MATCH ... AGAINST",
    "date_bin": "FROM_UNIXTIME(UNIX_TIMESTAMP(ts) DIV n * n)",
    "bool_and": "MIN(cond) (or BIT_AND)",
    "bool_or": "MAX(cond) (or BIT_OR)",
    "every": "MIN(cond)",
    "pg_sleep": "SLEEP()",
    "current_setting": "@@variable",
    "set_config": "SET @@variable",
    "setseed": "RAND(seed)",
    "array_append": "JSON_ARRAY_APPEND()",
    "array_position": "JSON_SEARCH()",
    "array_remove": "JSON_REMOVE()",
    "cardinality": "JSON_LENGTH()",
    "mode": "a GROUP BY ... ORDER BY COUNT(*) DESC LIMIT 1",
    "regexp_match": "REGEXP_SUBSTR()",
    "quote_ident": "backticks",
    "quote_literal": "QUOTE()",
    "format_type": "information_schema.COLUMNS",
    "to_json": "JSON_OBJECT() or CAST(x AS JSON)",
    "to_jsonb": "JSON_OBJECT() or CAST(x AS JSON)",
    "row_to_json": "JSON_OBJECT()",
    "generate_subscripts": "a recursive CTE",
    # Snowflake.
    "zeroifnull": "IFNULL(x, 0)",
    "nullifzero": "NULLIF(x, 0)",
    "div0": "IFNULL(a / NULLIF(b, 0), 0)",
    "object_construct": "JSON_OBJECT()",
    "parse_json": "CAST(s AS JSON)",
    "try_parse_json": "IF(JSON_VALID(s), CAST(s AS JSON), NULL)",
    "try_to_number": "CAST(x AS DECIMAL)",
    "try_to_date": "STR_TO_DATE()",
    "try_to_timestamp": "STR_TO_DATE()",
    "to_varchar": "DATE_FORMAT() or CAST(x AS CHAR)",
    "to_variant": "CAST(x AS JSON)",
    "timeadd": "DATE_ADD(d, INTERVAL n UNIT)",
    "timediff_snowflake": "TIMESTAMPDIFF()",
    "split": "SUBSTRING_INDEX() or JSON_TABLE()",
    "array_size": "JSON_LENGTH()",
    "array_contains": "JSON_CONTAINS()",
    "array_construct": "JSON_ARRAY()",
    "flatten": "JSON_TABLE()",
    "uuid_string": "UUID()",
    "hash": "CRC32() or SHA2()",
    "md5_hex": "MD5()",
    "sha2_hex": "SHA2()",
    "square": "POW(x, 2)",
    "booland_agg": "MIN(cond)",
    "boolor_agg": "MAX(cond)",
    "count_if": "SUM(CASE WHEN cond THEN 1 ELSE 0 END)",
    "countif": "SUM(CASE WHEN cond THEN 1 ELSE 0 END)",
    "approx_count_distinct": "COUNT(DISTINCT x)",
    "ratio_to_report": "x / SUM(x) OVER ()",
    "convert_timezone": "CONVERT_TZ(ts, from_tz, to_tz)",
    "current_warehouse": "nothing (MySQL has no warehouses)",
    "editdistance": "an application-side distance",
    "regexp_count": "(CHAR_LENGTH(s) - CHAR_LENGTH(REGEXP_REPLACE(s, p, ''))) / CHAR_LENGTH(match)",
    "seq4": "a recursive CTE",
    "seq8": "a recursive CTE",
    "generator": "a recursive CTE",
    "result_scan": "a temporary table",
    "last_query_id": "nothing (MySQL keeps no query history)",
    # BigQuery.
    "safe_divide": "a / NULLIF(b, 0)",
    "format_date": "DATE_FORMAT()",
    "format_timestamp": "DATE_FORMAT()",
    "parse_date": "STR_TO_DATE()",
    "parse_timestamp": "STR_TO_DATE()",
    "parse_datetime": "STR_TO_DATE()",
    "date_diff": "DATEDIFF() or TIMESTAMPDIFF(unit, a, b)",
    "timestamp_diff": "TIMESTAMPDIFF(unit, a, b)",
    "datetime_diff": "TIMESTAMPDIFF(unit, a, b)",
    "datetime_add": "DATE_ADD()",
    "timestamp_add": "DATE_ADD()",
    "timestamp_sub": "DATE_SUB()",
    "datetime_sub": "DATE_SUB()",
    "date_sub_bq": "DATE_SUB()",
    "timestamp_trunc": "DATE_FORMAT()",
    "datetime_trunc": "DATE_FORMAT()",
    "generate_uuid": "UUID()",
    "farm_fingerprint": "CRC32() or SHA2()",
    "array_concat_agg": "JSON_ARRAYAGG()",
    "approx_quantiles": "a ROW_NUMBER()/COUNT() window",
    "logical_and": "MIN(cond)",
    "logical_or": "MAX(cond)",
    "starts_with": "s LIKE 'prefix%'",
    "ends_with": "s LIKE '%suffix'",
    "regexp_contains": "s REGEXP pattern",
    "regexp_extract": "REGEXP_SUBSTR()",
    "json_extract_scalar": "JSON_UNQUOTE(JSON_EXTRACT())",
    "json_value_array": "JSON_TABLE()",
    "json_query_array": "JSON_TABLE()",
    "to_json_string": "JSON_OBJECT() or CAST(x AS JSON)",
    "sha256": "SHA2(s, 256)",
    "sha512": "SHA2(s, 512)",
    "current_datetime": "NOW()",
    "ieee_divide": "a / b",
    "unix_seconds": "UNIX_TIMESTAMP()",
    "unix_millis": "UNIX_TIMESTAMP(ts) * 1000",
    "timestamp_seconds": "FROM_UNIXTIME()",
    "generate_date_array": "a recursive CTE",
    "generate_array": "a recursive CTE",
    # SQL Server.
    "datename": "DATE_FORMAT(d, '%M') / DAYNAME() / MONTHNAME()",
    "eomonth": "LAST_DAY()",
    "getutcdate": "UTC_TIMESTAMP()",
    "sysdatetime": "SYSDATE(6)",
    "sysutcdatetime": "UTC_TIMESTAMP(6)",
    "sysdatetimeoffset": "NOW(6)",
    "charindex": "LOCATE(sub, s)",
    "patindex": "REGEXP_INSTR()",
    "stuff": "INSERT(s, pos, len, new)",
    "replicate": "REPEAT()",
    "try_convert": "CAST()",
    "try_parse": "CAST() or STR_TO_DATE()",
    "iif": "IF()",
    "choose": "ELT()",
    "newid": "UUID()",
    "newsequentialid": "UUID()",
    "string_split": "JSON_TABLE() or SUBSTRING_INDEX()",
    "datefromparts": "MAKEDATE() or STR_TO_DATE()",
    "datetimefromparts": "STR_TO_DATE()",
    "count_big": "COUNT()",
    "stdev": "STDDEV_SAMP()",
    "stdevp": "STDDEV_POP()",
    "var": "VAR_SAMP()",
    "varp": "VAR_POP()",
    "object_id": "information_schema.TABLES",
    "db_name": "DATABASE()",
    "schema_name": "DATABASE()",
    "suser_sname": "CURRENT_USER()",
    "user_name": "CURRENT_USER()",
    "scope_identity": "LAST_INSERT_ID()",
    "ident_current": "LAST_INSERT_ID()",
    "isjson": "JSON_VALID()",
    "translate": "nested REPLACE()",
    "string_escape": "JSON_QUOTE()",
    "quotename": "CONCAT('`', REPLACE(s, '`', '``'), '`')",
    "datetrunc": "DATE_FORMAT()",
    "openjson": "JSON_TABLE()",
    "openrowset": "LOAD DATA",
    "error_message": "GET DIAGNOSTICS in a stored program",
    # Oracle.
    "months_between": "TIMESTAMPDIFF(MONTH, a, b)",
    "next_day": "date arithmetic with DAYOFWEEK()",
    "sys_guid": "UUID()",
    "numtodsinterval": "INTERVAL n UNIT",
    "numtoyminterval": "INTERVAL n UNIT",
    "bitand": "a & b",
    "nanvl": "IFNULL()",
    "lnnvl": "NOT (cond) OR cond IS NULL",
    "stats_mode": "a GROUP BY ... ORDER BY COUNT(*) DESC LIMIT 1",
    "corr": "the correlation formula over SUM()/COUNT()",
    "covar_pop": "the covariance formula over SUM()/COUNT()",
    "covar_samp": "the covariance formula over SUM()/COUNT()",
    "regr_slope": "the regression formula over SUM()/COUNT()",
    "empty_clob": "''",
    "empty_blob": "''",
    "userenv": "CONNECTION_ID() / CURRENT_USER()",
    "sys_context": "DATABASE() / CURRENT_USER()",
    "dump": "HEX()",
    "vsize": "LENGTH()",
    "rawtohex": "HEX()",
    "hextoraw": "UNHEX()",
    "systimestamp": "NOW(6)",
    "instrb": "INSTR()",
    "substrb": "SUBSTRING()",
    # SQLite.
    "strftime": "DATE_FORMAT()",
    "julianday": "TO_DAYS() or DATEDIFF()",
    "unixepoch": "UNIX_TIMESTAMP()",
    "typeof": "nothing (MySQL columns have declared types)",
    "printf": "CONCAT() or FORMAT()",
    "total": "COALESCE(SUM(x), 0)",
    "randomblob": "RANDOM_BYTES()",
    "zeroblob": "REPEAT(0x00, n)",
    "changes": "ROW_COUNT()",
    "total_changes": "ROW_COUNT()",
    "last_insert_rowid": "LAST_INSERT_ID()",
    "likelihood": "the condition itself",
    "likely": "the condition itself",
    "unlikely": "the condition itself",
    "json_each": "JSON_TABLE()",
    "json_tree": "JSON_TABLE()",
    "json_group_array": "JSON_ARRAYAGG()",
    "json_group_object": "JSON_OBJECTAGG()",
    "glob": "s REGEXP pattern or LIKE",
    "datetime": "TIMESTAMP() or NOW()",
    "pragma_table_info": "information_schema.COLUMNS",
    "div": "the a DIV b operator",
    "parse": "CAST() or STR_TO_DATE()",
    # Removed in MySQL 8.0.
    "password": "caching_sha2_password accounts (PASSWORD() was removed in 8.0.11)",
    "encrypt": "SHA2() or AES_ENCRYPT() (ENCRYPT() was removed in 8.0.3)",
    "encode": "AES_ENCRYPT() (ENCODE() was removed in 8.0.3)",
    "des_encrypt": "AES_ENCRYPT() (DES_ENCRYPT() was removed in 8.0.3)",
    "des_decrypt": "AES_DECRYPT() (DES_DECRYPT() was removed in 8.0.3)",
    "glength": "ST_Length() (removed in 8.0)",
    "astext": "ST_AsText() (removed in 8.0)",
    "asbinary": "ST_AsBinary() (removed in 8.0)",
    "geomfromtext": "ST_GeomFromText() (removed in 8.0)",
    "contains": "MBRContains() or ST_Contains() (removed in 8.0)",
    "within": "MBRWithin() or ST_Within() (removed in 8.0)",
    # Found in public dbt projects' SQL (issue 19).
    "json_modify": "JSON_SET() or JSON_REPLACE()",
    "json_path_exists": "JSON_CONTAINS_PATH(doc, 'one', path)",
    "normalize": "nothing built in (MySQL has no Unicode normalization); normalize upstream",
    "context_info": "a session variable (@name)",
    "phraseto_tsquery": "MATCH ... AGAINST ('\"phrase\"' IN BOOLEAN MODE)",
    "plainto_tsquery": "MATCH ... AGAINST (text IN NATURAL LANGUAGE MODE)",
    "websearch_to_tsquery": "MATCH ... AGAINST (text IN BOOLEAN MODE)",
    "any": "`x LIKE a OR x LIKE b` (MySQL has no LIKE ANY; ANY takes a subquery after =, <, >)",
    "some": "`x LIKE a OR x LIKE b` (MySQL has no LIKE SOME; SOME takes a subquery after =, <, >)",
    "all": "`x LIKE a AND x LIKE b` (MySQL has no LIKE ALL; ALL takes a subquery after =, <, >)",
}

# Keywords sqlfluff's dialect may read as a function name when a bracket
# follows: `LATERAL (SELECT ...)`, `x = ANY (SELECT ...)`, `VALUES (...)`.
# ANY, SOME and ALL are only right before a subquery.
KEYWORDS_BEFORE_BRACKETS = frozenset({"lateral", "values", "row", "exists", "in", "using", "on", "as", "over", "window"})
SUBQUERY_ONLY = frozenset({"any", "some", "all"})


# Functions MySQL has, with another arity elsewhere: name -> (MySQL's arity, what to use).
OTHER_ARITY = {
    "datediff": (2, "DATEDIFF(end, start) counts days; TIMESTAMPDIFF(unit, start, end) for other units"),
    "isnull": (1, "ISNULL(x) tests for NULL; IFNULL(x, fallback) replaces it"),
    "last_day": (1, "LAST_DAY(d) is the month's last day; week ends need date arithmetic"),
    "instr": (2, "INSTR(s, sub) finds the first match; LOCATE(sub, s, pos) starts later"),
    "date": (1, "DATE(expr) takes the date part; modifiers are INTERVAL arithmetic"),
    "date_format": (2, "DATE_FORMAT(d, format) has no locale argument; set lc_time_names"),
}


class Rule_SG11(BaseRule):
    """A function MySQL 8 does not have (error 1305, or 1064 for some).

    sqlfluff, and MySQL's grammar too, read any name followed by brackets as
    a function call, so PostgreSQL, Snowflake or MariaDB functions
    (``MEDIAN``, ``JSON_QUERY``, ``ADD_MONTHS``, ``SYSTEM$TYPEOF``) pass them;
    MySQL fails the statement. A call is checked against MySQL 8.0's function
    index (``_mysql_functions``, from the reference manual): an unquoted,
    unqualified name that is neither a built-in nor a loadable function nor
    one the project defines is reported. The project's functions are the
    ``CREATE FUNCTION`` statements in its SQL files and ``mysql_functions``
    (under ``[sqlfluff:rules]``, comma-separated: stored functions of the
    target schema). A quoted (`` `f`() ``) or schema-qualified (``db.f()``)
    name is a stored function and is never reported. SQL Server's
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
    config_keywords = ["mysql_functions"]

    def _eval(self, context: RuleContext) -> Optional[LintResult]:
        if not context.parent_stack or not context.parent_stack[-1].is_type("function"):
            return None  # the name in CREATE FUNCTION or DROP FUNCTION: no call
        if len(context.parent_stack) > 1 and context.parent_stack[-2].is_type("call_statement"):
            return None  # CALL p(): a stored procedure
        raw = context.segment.raw.strip()
        if "." in raw or "`" in raw:
            return None  # db.f() or `f`(): a stored function, which only the server knows
        name = raw.lower()
        if name in KEYWORDS_BEFORE_BRACKETS:
            return None
        if name in SUBQUERY_ONLY and context.parent_stack and self._subquery_argument(context.parent_stack[-1]):
            return None
        if name not in MYSQL8_FUNCTIONS and (name in self._project_functions() or name in self._created_here(context)):
            return None  # the project's or the target schema's own function, even one named like GCD or MEDIAN
        instead = MISSING_FUNCTIONS.get(name)
        if instead is not None:
            return LintResult(
                anchor=context.segment,
                description=f"MySQL 8 has no function {name.upper()}() (error 1305/1064): use {instead}.",
            )
        if name not in MYSQL8_FUNCTIONS:
            return LintResult(
                anchor=context.segment,
                description=(
                    f"{context.segment.raw}() is not a MySQL 8.0 function (error 1305/1064) and the project "
                    "defines no such function; if the target schema has it, list it in mysql_functions."
                ),
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

    def _project_functions(self) -> frozenset:
        names = getattr(self, "_functions", None)
        if names is None:
            raw = str(getattr(self, "mysql_functions", "") or "")
            names = self._functions = frozenset(n.strip().lower() for n in raw.split(",") if n.strip())
        return names

    @staticmethod
    def _created_here(context: RuleContext) -> frozenset:
        """Functions the linted SQL itself creates (a hook that creates, then calls)."""
        return created_functions(context.parent_stack[0].raw)

    @staticmethod
    def _subquery_argument(function: BaseSegment) -> bool:
        return any(True for _ in function.recursive_crawl("select_statement", "set_expression", "with_compound_statement"))

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
