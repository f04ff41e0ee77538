"""Implementation of Rule SG02."""
from __future__ import annotations

from typing import List

from sqlfluff.core.rules import BaseRule, LintResult, RuleContext
from sqlfluff.core.rules.crawlers import RootOnlyCrawler

from ._tokens import code_tokens

# An operand with one of these at its own bracket level is a condition, so
# `a = 1 || b = 2` is the OR MySQL reads, not a PostgreSQL concatenation.
_CONDITION_WORDS = {
    "=", "<>", "!=", "<", ">", "<=", ">=", "<=>", "IS", "LIKE", "IN", "BETWEEN", "REGEXP",
    "RLIKE", "EXISTS", "NOT", "TRUE", "FALSE", "!",
}
# Where an operand of || starts or ends at its bracket level.
_OPERAND_BOUNDARY = {
    "SELECT", "WHERE", "ON", "HAVING", "WHEN", "THEN", "ELSE", "END", "AND", "OR", "XOR", "&&",
    "||", ",", "SET", "FROM", "AS", "ORDER", "GROUP", "LIMIT", "CASE", "IF",
}


class Rule_SG02(BaseRule):
    """``||`` used as string concatenation; in MySQL 8 it is a (deprecated) logical OR.

    MySQL evaluates ``'a' || 'b'`` as ``0`` without an error unless the
    server runs with ``PIPES_AS_CONCAT``, which Aurora does not by default.
    A ``||`` between two conditions (``a = 1 || b IS NULL``) is the OR MySQL
    reads, and passes.

    **Anti-pattern**

    .. code-block:: sql

        SELECT first_name || ' ' || last_name AS full_name FROM tenants

    **Best practice**

    Use ``CONCAT()`` for strings (and ``OR`` for logic).

    .. code-block:: sql

        SELECT CONCAT(first_name, ' ', last_name) AS full_name FROM tenants
    """

    name = "mysql8.pipe_concat"
    aliases = ()
    groups = ("all", "safeguard", "mysql8")
    crawl_behaviour = RootOnlyCrawler(works_on_unparsable=True)
    targets_templated = True

    def _eval(self, context: RuleContext) -> List[LintResult]:
        tokens = code_tokens(context.segment)
        words = [t.raw.upper() for t in tokens]
        return [
            LintResult(
                anchor=token,
                description=(
                    "`||` is logical OR in MySQL 8 (string concatenation only with "
                    "PIPES_AS_CONCAT): the result is silently 0/1. Use CONCAT(a, b)."
                ),
            )
            for i, token in enumerate(tokens)
            if token.raw == "||" and not (self._is_condition(words, i, -1) and self._is_condition(words, i, 1))
        ]

    @staticmethod
    def _is_condition(words: List[str], index: int, step: int) -> bool:
        """Is the operand on one side (step -1: left, 1: right) of the || at index a condition?"""
        depth = 0
        i = index + step
        opening, closing = ("(", ")") if step == 1 else (")", "(")
        while 0 <= i < len(words):
            word = words[i]
            if word == opening:
                depth += 1
            elif word == closing:
                if depth == 0:
                    return False
                depth -= 1
                if depth == 0 and step == -1 and i > 0 and words[i - 1] == "EXISTS":
                    return True
            elif depth == 0 and word in _OPERAND_BOUNDARY:
                return False
            elif word in _CONDITION_WORDS and (depth == 0 or Rule_SG02._bracketed_condition(words, i, step)):
                return True
            i += step
        return False

    @staticmethod
    def _bracketed_condition(words: List[str], i: int, step: int) -> bool:
        """A comparison inside a bracket that is the whole operand: (a = 1) || (b = 2)."""
        return words[i] in ("=", "<>", "!=", "<", ">", "<=", ">=", "IS", "LIKE", "IN", "BETWEEN")
