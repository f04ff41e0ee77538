"""Implementation of Rule SG27."""
from __future__ import annotations

from typing import Optional

from sqlfluff.core.rules import BaseRule

from ._tokens import TokenRule

# Other dialects' pseudo-columns: plain names to MySQL, so "Unknown column" (1054).
PSEUDO_COLUMNS = {
    "ROWNUM": "ROW_NUMBER() OVER (...) or LIMIT",
    "SYSTIMESTAMP": "NOW(6)",
    "CURRENT_TIMEZONE": "@@session.time_zone",
}
# Sequence access: `seq.NEXTVAL` reads a column NEXTVAL of a table seq.
SEQUENCE_COLUMNS = {"NEXTVAL", "CURRVAL"}
# SQL Server's @@ functions MySQL has no system variable for (error 1193).
TSQL_GLOBALS = {"@@ROWCOUNT", "@@TRANCOUNT", "@@FETCH_STATUS", "@@ERROR", "@@SPID", "@@SERVERNAME"}


class Rule_SG27(TokenRule, BaseRule):
    """A pseudo-column or ``@@`` variable of another dialect (MySQL error 1054 or 1193).

    MySQL parses Oracle's ``ROWNUM``, ``SYSTIMESTAMP`` and ``seq.NEXTVAL`` as
    column names and SQL Server's ``@@ROWCOUNT`` as a system variable, then
    fails the statement: they do not exist.

    **Anti-pattern**

    .. code-block:: sql

        SELECT name FROM rooms WHERE ROWNUM <= 10

    **Best practice**

    .. code-block:: sql

        SELECT name FROM rooms LIMIT 10
    """

    name = "mysql8.pseudo_column"

    @staticmethod
    def _describe(tokens, place) -> Optional[str]:
        _, _, word, before, after = place
        if word in PSEUDO_COLUMNS and before != "." and after not in ("(", "."):
            return f"{word} is not a MySQL column (error 1054): use {PSEUDO_COLUMNS[word]}."
        if word in SEQUENCE_COLUMNS and before == "." and after != "(":
            return f".{word} reads a column of a table in MySQL (error 1054): use AUTO_INCREMENT and LAST_INSERT_ID()."
        if word in TSQL_GLOBALS:
            return f"{word} is not a MySQL system variable (error 1193): use ROW_COUNT(), FOUND_ROWS() or handlers."
        return None
