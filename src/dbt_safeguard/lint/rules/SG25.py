"""Implementation of Rule SG25."""
from __future__ import annotations

from typing import List

from sqlfluff.core.rules import BaseRule, LintResult, RuleContext
from sqlfluff.core.rules.crawlers import RootOnlyCrawler

from ._statements import statement_spans, stored_program
from ._tokens import code_tokens

# Statement starts that are procedural code or another dialect's statement.
_FOREIGN_STARTS = {
    "DECLARE": "DECLARE outside a stored program",
    "IF": "IF ... outside a stored program",
    "WHILE": "WHILE outside a stored program",
    "LOOP": "LOOP outside a stored program",
    "FOR": "FOR ... loop",
    "ASSERT": "ASSERT",
    "RAISE": "RAISE",
    "THROW": "THROW",
    "RAISERROR": "RAISERROR",
    "PRINT": "PRINT",
    "EXEC": "EXEC",
    "MERGE": "MERGE",
    "VACUUM": "VACUUM",
    "PRAGMA": "PRAGMA",
    "COPY": "COPY",
    "END": "END outside a stored program",
}
# BEGIN alone (or BEGIN WORK) starts a transaction in MySQL; anything else is a block.
_BEGIN_OK = {"", "WORK"}


class Rule_SG25(BaseRule):
    """Procedural code outside a stored program, or a statement MySQL 8 does not have.

    MySQL runs ``DECLARE``, ``BEGIN ... END``, ``IF``, ``WHILE`` and ``FOR``
    loops only inside ``CREATE PROCEDURE/FUNCTION/TRIGGER/EVENT``; a dbt
    hook or model that sends PL/pgSQL, T-SQL, PL/SQL or Snowflake/BigQuery
    scripting blocks fails with error 1064. ``MERGE``, ``EXEC``, ``PRINT``,
    ``VACUUM`` and ``COPY`` are other dialects' statements.

    **Anti-pattern**

    .. code-block:: sql

        DECLARE n INT DEFAULT 0;
        BEGIN
            SELECT COUNT(*) INTO n FROM rooms;
        END

    **Best practice**

    Plain statements (and a user variable), or a stored procedure.

    .. code-block:: sql

        SELECT COUNT(*) INTO @n FROM rooms
    """

    name = "mysql8.procedural_block"
    aliases = ()
    groups = ("all", "safeguard", "mysql8")
    crawl_behaviour = RootOnlyCrawler(works_on_unparsable=True)
    targets_templated = True

    def _eval(self, context: RuleContext) -> List[LintResult]:
        spans = statement_spans(code_tokens(context.segment))
        if any(stored_program([t.raw.upper() for t in span]) for span in spans):
            return []  # a stored program's body: its statements are MySQL's to judge
        results = []
        for span in spans:
            first = span[0].raw.upper()
            second = span[1].raw.upper() if len(span) > 1 else ""
            what = _FOREIGN_STARTS.get(first)
            if first == "BEGIN" and second not in _BEGIN_OK:
                what = f"BEGIN {span[1].raw} ... (a block, or another dialect's transaction start)"
            elif first == "EXECUTE" and second == "IMMEDIATE":
                what = "EXECUTE IMMEDIATE"
            elif first == "DO" and second.startswith("$"):
                what = "DO $$ ... $$ (a PL/pgSQL block)"
            if what:
                results.append(
                    LintResult(
                        anchor=span[0],
                        description=(
                            f"{what} is not a MySQL 8 statement here (error 1064): MySQL runs "
                            "procedural code only in CREATE PROCEDURE/FUNCTION/TRIGGER/EVENT."
                        ),
                    )
                )
        return results
