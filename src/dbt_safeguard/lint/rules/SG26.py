"""Implementation of Rule SG26."""
from __future__ import annotations

from typing import List, Tuple

from sqlfluff.core.rules import BaseRule, LintResult, RuleContext
from sqlfluff.core.rules.crawlers import RootOnlyCrawler

from ._statements import statement_spans
from ._tokens import code_tokens

# MySQL 8.0's column type keywords and synonyms (reference manual 11, 11.9).
MYSQL_TYPES = {
    "BIT", "TINYINT", "SMALLINT", "MEDIUMINT", "INT", "INTEGER", "BIGINT", "INT1", "INT2",
    "INT3", "INT4", "INT8", "MIDDLEINT", "DECIMAL", "DEC", "NUMERIC", "FIXED", "FLOAT",
    "FLOAT4", "FLOAT8", "DOUBLE", "REAL", "BOOL", "BOOLEAN", "SERIAL", "DATE", "DATETIME",
    "TIMESTAMP", "TIME", "YEAR", "CHAR", "CHARACTER", "NCHAR", "NATIONAL", "VARCHAR",
    "NVARCHAR", "VARCHARACTER", "BINARY", "VARBINARY", "TINYTEXT", "TEXT", "MEDIUMTEXT",
    "LONGTEXT", "TINYBLOB", "BLOB", "MEDIUMBLOB", "LONGBLOB", "LONG", "ENUM", "SET", "JSON",
    "GEOMETRY", "POINT", "LINESTRING", "POLYGON", "MULTIPOINT", "MULTILINESTRING",
    "MULTIPOLYGON", "GEOMETRYCOLLECTION", "GEOMCOLLECTION",
}
# Types that need a length in MySQL.
_NEEDS_LENGTH = {"VARCHAR", "NVARCHAR", "VARCHARACTER", "VARBINARY"}
# Other dialects' types -> the MySQL type to use.
INSTEAD = {
    "SERIAL4": "INT AUTO_INCREMENT", "BIGSERIAL": "BIGINT AUTO_INCREMENT",
    "SMALLSERIAL": "SMALLINT AUTO_INCREMENT", "SERIAL8": "BIGINT AUTO_INCREMENT",
    "TIMESTAMPTZ": "DATETIME (store UTC) or TIMESTAMP", "TIMETZ": "TIME",
    "BYTEA": "VARBINARY(n) or BLOB", "UUID": "BINARY(16) with UUID_TO_BIN() or CHAR(36)",
    "UNIQUEIDENTIFIER": "BINARY(16) or CHAR(36)", "JSONB": "JSON", "VARIANT": "JSON",
    "OBJECT": "JSON", "ARRAY": "JSON", "STRING": "VARCHAR(n) or TEXT", "NUMBER": "DECIMAL(p, s)",
    "VARCHAR2": "VARCHAR(n)", "NVARCHAR2": "VARCHAR(n)", "CLOB": "LONGTEXT", "NCLOB": "LONGTEXT",
    "NTEXT": "LONGTEXT", "IMAGE": "LONGBLOB", "MONEY": "DECIMAL(19, 4)", "SMALLMONEY": "DECIMAL(10, 4)",
    "DATETIME2": "DATETIME(6)", "SMALLDATETIME": "DATETIME", "DATETIMEOFFSET": "DATETIME(6) in UTC",
    "INT64": "BIGINT", "FLOAT64": "DOUBLE", "BYTES": "VARBINARY(n) or BLOB", "INET": "VARBINARY(16)",
    "INET4": "INT UNSIGNED", "INET6": "VARBINARY(16)", "INTERVAL": "an INT count of a unit",
    "XML": "LONGTEXT", "BINARY_DOUBLE": "DOUBLE", "BINARY_FLOAT": "FLOAT", "RAW": "VARBINARY(n)",
}
_TABLE_KINDS = {"TEMP", "TRANSIENT", "UNLOGGED", "GLOBAL", "VIRTUAL", "VOLATILE", "MULTISET", "EXTERNAL"}
# Column list items that are not columns.
_NOT_COLUMNS = {
    "PRIMARY", "KEY", "INDEX", "UNIQUE", "CONSTRAINT", "FOREIGN", "CHECK", "FULLTEXT",
    "SPATIAL", "LIKE", "PERIOD",
}


class Rule_SG26(BaseRule):
    """A column type (or table kind) MySQL 8 does not have, in CREATE/ALTER TABLE (error 1064).

    sqlfluff's mysql dialect takes any word as a type name; MySQL does not.
    ``BIGSERIAL``, ``TIMESTAMPTZ``/``TIMESTAMP WITH TIME ZONE``, ``BYTEA``,
    ``UUID``, ``JSONB``, ``VARCHAR2``, ``NVARCHAR(MAX)``, array types, a
    ``VARCHAR`` without a length, ``IDENTITY`` columns and ``CREATE TEMP``
    tables are other dialects'. (``SERIAL`` is MySQL: ``BIGINT UNSIGNED NOT
    NULL AUTO_INCREMENT UNIQUE``.)

    **Anti-pattern**

    .. code-block:: sql

        CREATE TABLE events (id BIGSERIAL PRIMARY KEY, created_at TIMESTAMPTZ, name VARCHAR)

    **Best practice**

    .. code-block:: sql

        CREATE TABLE events (id BIGINT AUTO_INCREMENT PRIMARY KEY, created_at DATETIME, name VARCHAR(255))
    """

    name = "mysql8.column_type"
    aliases = ()
    groups = ("all", "safeguard", "mysql8")
    crawl_behaviour = RootOnlyCrawler(works_on_unparsable=True)
    targets_templated = True

    def _eval(self, context: RuleContext) -> List[LintResult]:
        results = []
        for span in statement_spans(code_tokens(context.segment)):
            words = [t.raw.upper() for t in span]
            for index, problem in self._problems(words):
                results.append(
                    LintResult(anchor=span[index], description=f"{problem} (MySQL 8 error 1064).")
                )
        return results

    def _problems(self, words: List[str]) -> List[Tuple[int, str]]:
        if len(words) < 3 or words[0] not in ("CREATE", "ALTER"):
            return []
        if words[0] == "CREATE" and words[1] in _TABLE_KINDS and "TABLE" in words[2:4]:
            return [(1, f"CREATE {words[1]} TABLE is not MySQL: use CREATE TEMPORARY TABLE or CREATE TABLE")]
        if words[0] == "CREATE" and words[1] == "TEMPORARY":
            words = words[:1] + words[2:]
            offset = 1
        else:
            offset = 0
        if words[:2] == ["CREATE", "TABLE"]:
            return [(i + offset, p) for i, p in self._create_columns(words)]
        if words[:2] == ["ALTER", "TABLE"]:
            return self._altered_columns(words)
        return []

    def _create_columns(self, words: List[str]) -> List[Tuple[int, str]]:
        start = next((i for i, w in enumerate(words) if w == "("), None)
        if start is None or "SELECT" in words[2:start] or "AS" in words[2:start]:
            return []
        found = []
        depth, item = 0, start + 1
        for i in range(start, len(words)):
            if words[i] == "(":
                depth += 1
            elif words[i] == ")":
                depth -= 1
                if depth == 0:
                    found += self._column(words, item, i)
                    break
            elif words[i] == "," and depth == 1:
                found += self._column(words, item, i)
                item = i + 1
        return found

    def _altered_columns(self, words: List[str]) -> List[Tuple[int, str]]:
        found = []
        for i, word in enumerate(words):
            if word in ("ADD", "MODIFY", "CHANGE"):
                j = i + 1
                if j < len(words) and words[j] == "COLUMN":
                    j += 1
                if j < len(words) and words[j] in _NOT_COLUMNS | {"(", "PARTITION", "IF"}:
                    continue
                if word == "CHANGE":
                    j += 1  # CHANGE old_name new_name type
                end = next((k for k in range(j, len(words)) if words[k] == ","), len(words))
                found += self._column(words, j, end)
        return found

    @staticmethod
    def _column(words: List[str], start: int, end: int) -> List[Tuple[int, str]]:
        """Check one column definition: name type [(length)] attributes."""
        item = words[start:end]
        if len(item) < 2 or item[0] in _NOT_COLUMNS:
            return []
        type_at = start + 1
        type_name = words[type_at]
        following = words[type_at + 1] if type_at + 1 < end else ""
        problems: List[Tuple[int, str]] = []
        if type_name not in MYSQL_TYPES:
            instead = INSTEAD.get(type_name)
            problems.append(
                (type_at, f"{type_name} is not a MySQL column type" + (f": use {instead}" if instead else ""))
            )
        elif type_name in _NEEDS_LENGTH and following != "(":
            problems.append((type_at, f"{type_name} needs a length in MySQL: write {type_name}(255) or TEXT"))
        elif type_name in ("CHARACTER", "NATIONAL") and "VARYING" in item[2:3] and words[type_at + 2 : type_at + 3] != ["("]:
            problems.append((type_at, f"{type_name} VARYING needs a length in MySQL"))
        elif following == "(" and type_at + 2 < end and words[type_at + 2] == "MAX":
            problems.append((type_at, f"{type_name}(MAX) is SQL Server: use LONGTEXT or LONGBLOB"))
        elif type_name in ("LONG",) and following == "RAW":
            problems.append((type_at, "LONG RAW is Oracle: use LONGBLOB"))
        rest = item[2:]
        if "WITH" in rest and "ZONE" in rest:
            problems.append((type_at, f"{type_name} WITH TIME ZONE is not MySQL: store UTC in DATETIME"))
        if "[" in rest or any(w.startswith("[") for w in rest):
            problems.append((type_at, "array column types are not MySQL: use JSON"))
        for word in ("IDENTITY", "AUTOINCREMENT"):
            if word in rest:
                problems.append((start + 2 + rest.index(word), f"{word} is not MySQL: use AUTO_INCREMENT"))
        return problems[:1]
