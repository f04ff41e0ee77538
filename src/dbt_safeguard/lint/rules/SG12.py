"""Implementation of Rule SG12."""
from __future__ import annotations

import re
from typing import List, Optional

from sqlfluff.core.parser import BaseSegment
from sqlfluff.core.rules import BaseRule, LintResult, RuleContext
from sqlfluff.core.rules.crawlers import RootOnlyCrawler

from ._tokens import code_tokens

# Where a name, never a string, stands: the table after FROM/JOIN/UPDATE/INTO
# (MySQL error 1064 for a double-quoted one), the column after SET or BY.
_NAME_AFTER = {"FROM", "JOIN", "STRAIGHT_JOIN", "UPDATE", "INTO", "TABLE", "SET", "BY"}
# Words that end a FROM list, a SELECT list, or a comparison operand.
_CLAUSES = {
    "SELECT", "FROM", "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "WINDOW", "UNION", "EXCEPT",
    "INTERSECT", "ON", "USING", "SET", "FOR", "LOCK", "INTO", "VALUES", "JOIN", "QUALIFY",
}
_COMPARISONS = {"=", "<>", "!=", "<", ">", "<=", ">=", "<=>", "LIKE"}
_OPERAND_START = {"WHERE", "AND", "OR", "XOR", "NOT", "ON", "HAVING", "WHEN", "(", ",", "&&", "||", "SELECT", "IF"}
_OPERAND_END = {"AND", "OR", "XOR", "THEN", ")", ",", "ORDER", "GROUP", "LIMIT", "HAVING", "&&", "||", "END", "ELSE", "WHEN", ";"}
# Statements whose FROM takes a string: the statement text, or an account name.
_STRING_AFTER_FROM = {"PREPARE", "REVOKE"}
_IDENTIFIER_LIKE = re.compile(r'^"[A-Za-z_][A-Za-z0-9_$]*"$')


def _is_literal(token: Optional[BaseSegment]) -> bool:
    return token is not None and (token.raw[:1] in ("'", '"') or token.is_type("numeric_literal"))


class Rule_SG12(BaseRule):
    """Double-quoted name where MySQL 8 reads a string: ``"x"`` is a name only under ANSI_QUOTES.

    Without ``ANSI_QUOTES`` (off on Aurora by default) a PostgreSQL-style
    ``FROM "tenants"`` is error 1064, ``WHERE "status" = 'active'`` compares
    two strings (always false, silently) and ``SELECT "status" FROM tenants``
    returns the text 'status' for every row. The rule reports a double-quoted
    token only in those places: a table after FROM/JOIN/UPDATE/INTO, a
    qualified name (``t."status"``), a column after SET or BY, a bare select
    item of a query with FROM, and a comparison of two literals. Double-quoted
    strings MySQL reads as meant pass: ``COMMENT "..."``, ``CHARACTER SET
    "utf8mb4"``, ``'user'@"host"``, JSON paths ``"$.a"``, ``AS "alias"`` and
    ``name = "Tanaka"``.

    **Anti-pattern**

    .. code-block:: sql

        SELECT "status" FROM "tenants" WHERE "status" = 'active'

    **Best practice**

    Backticks for identifiers (double quotes only for strings).

    .. code-block:: sql

        SELECT `status` FROM `tenants` WHERE `status` = 'active'
    """

    name = "mysql8.double_quotes"
    aliases = ()
    groups = ("all", "safeguard", "mysql8")
    crawl_behaviour = RootOnlyCrawler(works_on_unparsable=True)
    targets_templated = True

    def _eval(self, context: RuleContext) -> List[LintResult]:
        tokens = code_tokens(context.segment)
        words = [t.raw.upper() for t in tokens]
        results = []
        # Per bracket level: is it a query (top level, or a subquery), and its clause.
        frames = [{"query": True, "clause": None}]
        statement_start = ""
        for i, token in enumerate(tokens):
            word = words[i]
            if i == 0 or words[i - 1] == ";":
                statement_start = word
            if statement_start in _STRING_AFTER_FROM:
                continue  # PREPARE s FROM "SELECT ...", REVOKE r FROM "account"
            if word == "(":
                frames.append({"query": False, "clause": None})
                continue
            if word == ")":
                frames = frames[:-1] or [{"query": True, "clause": None}]
                continue
            if word in ("SELECT", "WITH"):
                frames[-1]["query"] = True
            if word in _CLAUSES:
                frames[-1]["clause"] = word
                continue
            if not token.raw.startswith('"'):
                continue
            why = self._why(tokens, words, i, frames[-1])
            if why:
                results.append(
                    LintResult(
                        anchor=token,
                        description=(
                            f"{token.raw} {why}: MySQL 8 reads a double-quoted word as a string "
                            "(a name only under ANSI_QUOTES). Write names in `backticks`."
                        ),
                    )
                )
        return results

    @staticmethod
    def _why(tokens, words, i: int, frame: dict) -> str:
        before = words[i - 1] if i > 0 else ""
        after = words[i + 1] if i + 1 < len(words) else ";"
        clause = frame["clause"]
        if "@" in (before, after):
            return ""  # an account name: 'user'@"host"
        if before == "." or after == ".":
            return "is part of a qualified name"
        if before == "BY":
            if i >= 2 and words[i - 2] in ("ORDER", "GROUP", "PARTITION"):
                return f"stands where a column goes (after {words[i - 2]} BY)"
            return ""
        if before == "SET" and i >= 2 and words[i - 2] in ("CHARACTER", "CHAR"):
            return ""  # CHARACTER SET "utf8mb4"
        if before in _NAME_AFTER and frame["query"]:
            # Inside EXTRACT(... FROM "2019-07-02") or TRIM(... FROM "x") FROM takes a value.
            return f"stands where a name goes (after {before})"
        if before == "," and clause in ("FROM", "JOIN") and after in (",", "AS", "WHERE", "JOIN", ";", ")"):
            return "stands in a FROM list, where a table name goes"
        if (
            before in ("SELECT", "DISTINCT", ",")
            and clause == "SELECT"
            and after in (",", "FROM")
            and _IDENTIFIER_LIKE.match(tokens[i].raw)
            and Rule_SG12._select_has_from(words, i)
        ):
            return "is a select item of a query with FROM (the text itself, not the column)"
        # "status" = 'active' / 'active' = "status": two literals compared.
        if after in _COMPARISONS and before in _OPERAND_START and i + 2 < len(tokens):
            other_end = words[i + 3] if i + 3 < len(words) else ";"
            if _is_literal(tokens[i + 2]) and other_end in _OPERAND_END:
                return f"is compared with a literal ({tokens[i].raw} {words[i + 1]} {tokens[i + 2].raw} is constant)"
        if before in _COMPARISONS and after in _OPERAND_END and i >= 2:
            other_start = words[i - 3] if i >= 3 else "SELECT"
            if _is_literal(tokens[i - 2]) and other_start in _OPERAND_START:
                return f"is compared with a literal ({tokens[i - 2].raw} {before} {tokens[i].raw} is constant)"
        if after == "IS" and before in _OPERAND_START and _IDENTIFIER_LIKE.match(tokens[i].raw):
            return "is tested for NULL (a string never is)"
        return ""

    @staticmethod
    def _select_has_from(words, i: int) -> bool:
        depth = 0
        for j in range(i + 1, len(words)):
            word = words[j]
            if word == "(":
                depth += 1
            elif word == ")":
                if depth == 0:
                    return False
                depth -= 1
            elif depth == 0 and word == "FROM":
                # SELECT "text" FROM DUAL is a string on purpose.
                return words[j + 1 : j + 2] != ["DUAL"]
            elif depth == 0 and word in _CLAUSES:
                return False
        return False
