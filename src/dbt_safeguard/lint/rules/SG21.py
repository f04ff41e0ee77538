"""Implementation of Rule SG21."""
from __future__ import annotations

from typing import Optional

from sqlfluff.core.rules import BaseRule

from ._tokens import TokenRule, matches

# PostgreSQL regex match operators; sqlfluff's mysql dialect even parses ~* as a LIKE operator.
_REGEX_OPERATORS = {"~", "~*", "!~", "!~*"}
# What starts the subquery of MySQL's `x = ANY (subquery)`.
_SUBQUERY_STARTS = {"SELECT", "WITH", "TABLE", "VALUES", "("}


class Rule_SG21(TokenRule, BaseRule):
    """Operators MySQL 8 does not have: ``AT TIME ZONE``, ``ILIKE``, ``~*``, ``@>``, ``[...]``, ``MINUS``, ``= ANY(array)``.

    sqlfluff's mysql dialect parses ``ts AT TIME ZONE 'UTC'`` and ``name ~*
    'x'`` without a word; MySQL fails the statement (error 1064). Square
    brackets (``tags[1]``, ``[1, 2]``, T-SQL's ``[name]``) and Oracle's
    ``MINUS`` are not MySQL either, nor PostgreSQL's ``x = ANY(array_column)``:
    MySQL's ``ANY``, ``SOME`` and ``ALL`` take a subquery only.

    **Anti-pattern**

    .. code-block:: sql

        SELECT created_at AT TIME ZONE 'Asia/Tokyo' AS created_jst
        FROM inquiries
        WHERE email ILIKE '%@example.com'

    **Best practice**

    ``CONVERT_TZ()``, and ``LIKE`` (case-insensitive under the usual
    ``_ci`` collations) or ``REGEXP``.

    .. code-block:: sql

        SELECT CONVERT_TZ(created_at, '+00:00', '+09:00') AS created_jst
        FROM inquiries
        WHERE email LIKE '%@example.com'
    """

    name = "mysql8.postgres_operator"

    @staticmethod
    def _describe(tokens, place) -> Optional[str]:
        i, token, word, _, after = place
        if word == "AT" and matches(tokens, i, ["AT", "TIME", "ZONE"]):
            instead = "AT TIME ZONE is PostgreSQL: use CONVERT_TZ(ts, from_tz, to_tz)"
        elif word == "ILIKE":
            instead = "ILIKE is PostgreSQL: LIKE is already case-insensitive with _ci collations"
        # A lone ~ is MySQL's bitwise NOT unless it stands as a match operator.
        elif token.raw in _REGEX_OPERATORS and (token.raw != "~" or token.is_type("like_operator")):
            instead = f"{token.raw} is PostgreSQL's regex match: use REGEXP / NOT REGEXP"
        elif token.raw == "@" and after == ">":
            instead = "@> (contains) is PostgreSQL: use JSON_CONTAINS()"
        elif token.raw == "<" and after == "@":
            instead = "<@ (contained by) is PostgreSQL: use JSON_CONTAINS()"
        elif token.raw.startswith("["):
            # MySQL's grammar has no square brackets outside strings and comments.
            instead = f"{token.raw} (square brackets: arrays, subscripts or T-SQL names) is not MySQL: use JSON and backticks"
        elif word in ("ANY", "SOME", "ALL") and _compares_to_an_array(tokens, i):
            instead = f"= {word}(array) is PostgreSQL: MySQL's {word} takes a subquery only; use JSON_CONTAINS() or MEMBER OF()"
        elif word == "MINUS" and after in ("SELECT", "("):
            instead = "MINUS is Oracle's EXCEPT: use a LEFT JOIN ... IS NULL anti-join"
        else:
            return None
        return f"{instead} (MySQL 8 error 1064)."


def _compares_to_an_array(tokens, i: int) -> bool:
    """Is ANY/SOME/ALL at i PostgreSQL's `op ANY (array)`: after a comparison, and
    not followed by a subquery?"""
    if i == 0 or i + 2 >= len(tokens) or tokens[i + 1].raw != "(":
        return False
    # sqlfluff splits `>=` and `<>` into raw tokens: the last one ends the comparison.
    return tokens[i - 1].raw in ("=", "<", ">") and tokens[i + 2].raw.upper() not in _SUBQUERY_STARTS
