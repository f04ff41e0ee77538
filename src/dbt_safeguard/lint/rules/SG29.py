"""Implementation of Rule SG29."""
from __future__ import annotations

from typing import Optional

from sqlfluff.core.rules import BaseRule

from ._tokens import TokenRule, upper


class Rule_SG29(TokenRule, BaseRule):
    """A column's inline ``REFERENCES``: MySQL 8 parses it and creates no foreign key.

    "MySQL parses but ignores inline REFERENCES specifications (as defined in
    the SQL standard) where the references are defined as part of the column
    specification" (MySQL 8.0 reference manual, 13.1.20.5 FOREIGN KEY
    Constraints). ``c INT REFERENCES other (id)`` runs without a word and
    without the constraint PostgreSQL or SQLite would create.

    **Anti-pattern**

    .. code-block:: sql

        CREATE TABLE orders (id INT PRIMARY KEY, customer_id INT REFERENCES customers (id))

    **Best practice**

    A table-level ``FOREIGN KEY`` clause.

    .. code-block:: sql

        CREATE TABLE orders (
            id INT PRIMARY KEY,
            customer_id INT,
            FOREIGN KEY (customer_id) REFERENCES customers (id)
        )
    """

    name = "mysql8.inline_references"

    @staticmethod
    def _describe(tokens, place) -> Optional[str]:
        if place.word != "REFERENCES" or _after_foreign_key(tokens, place.index):
            return None
        return ("REFERENCES in a column definition: MySQL 8 ignores it and creates no foreign key. "
                "Use a table-level FOREIGN KEY (col) REFERENCES t (col).")


def _after_foreign_key(tokens, i: int) -> bool:
    """Is REFERENCES at i MySQL's own: the end of `FOREIGN KEY [name] (cols)`,
    or the privilege (GRANT REFERENCES (c), SELECT ON ...)?"""
    previous = upper(tokens[i - 1]) if i else ""
    if previous != ")":
        return previous in ("", "GRANT", "REVOKE", ",")
    depth = 0
    for j in range(i - 1, -1, -1):
        if tokens[j].raw == ")":
            depth += 1
        elif tokens[j].raw == "(":
            depth -= 1
            if depth == 0:
                return "KEY" in [upper(t) for t in tokens[max(0, j - 2):j]]
    return False
