"""Implementation of Rule SG17."""
from __future__ import annotations

from typing import List

from sqlfluff.core.parser import SymbolSegment
from sqlfluff.core.rules import BaseRule, LintFix, LintResult, RuleContext
from sqlfluff.core.rules.crawlers import SegmentSeekerCrawler

from ._tokens import code_tokens

_NO_LITERAL_DEFAULT = {
    "TINYTEXT", "TEXT", "MEDIUMTEXT", "LONGTEXT", "TINYBLOB", "BLOB", "MEDIUMBLOB",
    "LONGBLOB", "JSON", "GEOMETRY", "POINT", "LINESTRING", "POLYGON", "MULTIPOINT",
    "MULTILINESTRING", "MULTIPOLYGON", "GEOMETRYCOLLECTION",
}


class Rule_SG17(BaseRule):
    """TEXT/BLOB/JSON column with a literal DEFAULT (MySQL error 1101).

    MariaDB accepts ``TEXT DEFAULT ''``; MySQL 8 only accepts an expression
    default in parentheses (8.0.13+).

    **Anti-pattern**

    .. code-block:: sql

        CREATE TABLE notes (id INT PRIMARY KEY, body TEXT DEFAULT '')

    **Best practice**

    .. code-block:: sql

        CREATE TABLE notes (id INT PRIMARY KEY, body TEXT DEFAULT (''))
    """

    name = "mysql8.text_literal_default"
    aliases = ()
    groups = ("all", "safeguard", "mysql8")
    crawl_behaviour = SegmentSeekerCrawler({"column_definition"})
    is_fix_compatible = True
    targets_templated = True

    def _eval(self, context: RuleContext) -> List[LintResult]:
        data_type = context.segment.get_child("data_type")
        if data_type is None or data_type.raw.split("(")[0].split()[0].upper() not in _NO_LITERAL_DEFAULT:
            return []
        tokens = code_tokens(context.segment)
        for i, token in enumerate(tokens[:-1]):
            value = tokens[i + 1]
            if token.raw.upper() != "DEFAULT" or value.raw == "(" or value.raw.upper() == "NULL":
                continue
            return [
                LintResult(
                    anchor=value,
                    fixes=[
                        LintFix.create_before(value, [SymbolSegment("(", type="start_bracket")]),
                        LintFix.create_after(value, [SymbolSegment(")", type="end_bracket")]),
                    ],
                    description=(
                        f"{data_type.raw.upper()} column with literal DEFAULT {value.raw}: MySQL 8 "
                        f"error 1101. Write DEFAULT ({value.raw})."
                    ),
                )
            ]
        return []
