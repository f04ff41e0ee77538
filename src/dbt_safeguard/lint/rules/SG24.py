"""Implementation of Rule SG24."""
from __future__ import annotations

from typing import List

from sqlfluff.core.rules import BaseRule, LintResult, RuleContext
from sqlfluff.core.rules.crawlers import RootOnlyCrawler

from ._tokens import code_tokens, neighbours

# Where a FROM item starts.
_ITEM_START = {"FROM", "JOIN", "STRAIGHT_JOIN", "LATERAL", "APPLY"}
# Where a VALUES list is a table of its own (not INSERT ... VALUES).
_TABLE_VALUES_AFTER = {"", "FROM", "JOIN", "(", "UNION", "ALL", "DISTINCT", "AS"}


class Rule_SG24(BaseRule):
    """A FROM source MySQL 8 does not have: table functions, VALUES lists, sampling.

    MySQL's only table function is ``JSON_TABLE()``. ``unnest()``,
    ``generate_series()``, ``LATERAL FLATTEN()``, ``TABLE(...)``,
    ``OPENJSON()`` and other set-returning calls are error 1064 (or 1305).
    A ``VALUES`` list as a table needs ``ROW()`` around each row (``VALUES
    ROW(1, 'a')``, MySQL 8.0.19); ``TABLESAMPLE``/``SAMPLE`` and ``FOR
    SYSTEM_TIME`` do not exist.

    **Anti-pattern**

    .. code-block:: sql

        SELECT p.id, tag FROM posts AS p, unnest(p.tags) AS tag

    **Best practice**

    .. code-block:: sql

        SELECT p.id, jt.tag
        FROM posts AS p,
            JSON_TABLE(p.tags, '$[*]' COLUMNS (tag VARCHAR(64) PATH '$')) AS jt
    """

    name = "mysql8.table_source"
    aliases = ()
    groups = ("all", "safeguard", "mysql8")
    crawl_behaviour = RootOnlyCrawler(works_on_unparsable=True)
    targets_templated = True

    def _eval(self, context: RuleContext) -> List[LintResult]:
        tokens = code_tokens(context.segment)
        words = [t.raw.upper() for t in tokens]
        results = []
        in_from = [False]  # per bracket level: inside a FROM clause, after a comma
        for i, _, word, before, after in neighbours(tokens):
            problem = ""
            if word == "(":
                in_from.append(False)
            elif word == ")":
                in_from = in_from[:-1] or [False]
            elif word in ("FROM", "JOIN"):
                in_from[-1] = True
            elif word in ("WHERE", "GROUP", "ORDER", "LIMIT", "HAVING", "ON", "USING", "SET", "WINDOW", "UNION"):
                in_from[-1] = False
            starts_item = before in _ITEM_START or (before == "," and in_from[-1])
            if word == "VALUES" and after == "(" and before in _TABLE_VALUES_AFTER:
                problem = "a VALUES list as a table: MySQL 8.0.19+ writes VALUES ROW(...), ROW(...)"
            elif starts_item and word == "TABLE" and after == "(":
                problem = "TABLE(...) as a FROM source"
            elif starts_item and after == "(" and word not in ("JSON_TABLE", "LATERAL", "(", "SELECT", "VALUES"):
                if self._is_name(tokens[i]):
                    problem = f"{tokens[i].raw}() as a FROM source (MySQL's only table function is JSON_TABLE)"
            elif starts_item and after == "." and i + 3 < len(words) and words[i + 3] == "(":
                problem = f"{tokens[i].raw}.{tokens[i + 2].raw}() as a FROM source"
            elif word in ("TABLESAMPLE", "SAMPLE") and after in ("(", "SYSTEM", "BERNOULLI", "ROW", "BLOCK"):
                problem = f"{word} (table sampling)"
            elif word == "SYSTEM_TIME" and before == "FOR":
                problem = "FOR SYSTEM_TIME (temporal tables)"
            elif (word.startswith("@") and not word.startswith("@@") and before in _ITEM_START
                  and not (before == "FROM" and i >= 3 and words[i - 3] == "PREPARE")):
                # `PREPARE stmt FROM @sql_text` is MySQL's dynamic SQL, not a stage.
                problem = "a stage (@name) as a FROM source"
            if problem:
                results.append(
                    LintResult(
                        anchor=tokens[i],
                        description=(
                            f"{problem} is not MySQL 8 (error 1064). Use JSON_TABLE() for arrays, "
                            "a recursive CTE for series, or a derived table."
                        ),
                    )
                )
        return results

    @staticmethod
    def _is_name(token) -> bool:
        return token.raw[:1].isalpha() or token.raw[:1] in ("_", "`")
