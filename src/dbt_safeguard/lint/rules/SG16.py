"""Implementation of Rule SG16."""
from __future__ import annotations

from typing import List

from sqlfluff.core.rules import BaseRule, LintResult, RuleContext
from sqlfluff.core.rules.crawlers import RootOnlyCrawler

from ._tokens import code_tokens, matches

# IF [NOT] EXISTS right after these words is MariaDB-only (ALTER TABLE ... ADD
# COLUMN IF NOT EXISTS, DROP INDEX IF EXISTS, CREATE INDEX IF NOT EXISTS).
_IF_EXISTS_AFTER = {"COLUMN", "INDEX", "KEY", "PARTITION", "CONSTRAINT", "ADD", "DROP", "CHANGE", "MODIFY"}
# CREATE OR REPLACE is MySQL for views (and spatial reference systems) only.
_OR_REPLACE_OK = {"VIEW", "ALGORITHM", "DEFINER", "SQL", "SPATIAL"}


class Rule_SG16(BaseRule):
    """MariaDB-only syntax that MySQL 8 rejects (error 1064).

    The MariaDB test server accepts these, Aurora MySQL 3 does not:
    ``CREATE OR REPLACE TABLE``, ``ADD COLUMN IF NOT EXISTS``, ``DROP COLUMN
    IF EXISTS``, ``CREATE INDEX IF NOT EXISTS``, sequences (``CREATE
    SEQUENCE``, ``NEXT VALUE FOR``), ``RETURNING``, ``FETCH FIRST n ROWS`` (a cursor's ``FETCH NEXT FROM c INTO v`` is MySQL),
    ``WITH SYSTEM VERSIONING``, ``LIMIT ... ROWS EXAMINED`` and ``FOR UPDATE WAIT n``.

    **Anti-pattern**

    .. code-block:: sql

        ALTER TABLE tenant_status_history ADD COLUMN IF NOT EXISTS backup_created_at DATETIME

    **Best practice**

    Check information_schema first (or let dbt manage the column), and use
    ``DROP TABLE IF EXISTS`` + ``CREATE TABLE`` or ``LIMIT`` instead.

    .. code-block:: sql

        ALTER TABLE tenant_status_history ADD COLUMN backup_created_at DATETIME
    """

    name = "mysql8.mariadb_syntax"
    aliases = ()
    groups = ("all", "safeguard", "mysql8")
    crawl_behaviour = RootOnlyCrawler(works_on_unparsable=True)
    targets_templated = True

    def _eval(self, context: RuleContext) -> List[LintResult]:
        tokens = code_tokens(context.segment)
        words = [t.raw.upper() for t in tokens]
        results = []
        depth = 0

        def report(i: int, what: str, instead: str) -> None:
            results.append(
                LintResult(
                    anchor=tokens[i],
                    description=f"{what} is MariaDB-only; MySQL 8 rejects it (error 1064). {instead}",
                )
            )

        for i, word in enumerate(words):
            if word == "(":
                depth += 1
            elif word == ")":
                depth = max(0, depth - 1)
            elif word == "CREATE" and matches(tokens, i, ["CREATE", "OR", "REPLACE"]):
                nxt = words[i + 3] if i + 3 < len(words) else ""
                if nxt not in _OR_REPLACE_OK:
                    report(i, f"CREATE OR REPLACE {nxt}".strip(), "Use DROP ... IF EXISTS, then CREATE.")
            elif word == "IF" and i > 0 and words[i - 1] in _IF_EXISTS_AFTER and (
                matches(tokens, i, ["IF", "EXISTS"]) or matches(tokens, i, ["IF", "NOT", "EXISTS"])
            ):
                phrase = " ".join(words[i - 1 : i + (3 if words[i + 1] == "NOT" else 2)])
                report(i, phrase, "Check information_schema first, or drop the IF [NOT] EXISTS.")
            elif word == "SEQUENCE" and i > 0 and words[i - 1] in ("CREATE", "ALTER", "DROP"):
                report(i, f"{words[i - 1]} SEQUENCE", "Use an AUTO_INCREMENT column.")
            elif word in ("NEXT", "PREVIOUS") and matches(tokens, i, [word, "VALUE", "FOR"]):
                report(i, f"{word} VALUE FOR", "Use AUTO_INCREMENT and LAST_INSERT_ID().")
            elif word == "RETURNING" and depth == 0:
                # JSON_VALUE(... RETURNING type) is MySQL: only statement-level RETURNING is not.
                report(i, "RETURNING", "Read the rows back with a SELECT (LAST_INSERT_ID() for ids).")
            elif word == "SYSTEM" and i > 0 and matches(tokens, i - 1, ["WITH", "SYSTEM", "VERSIONING"]):
                report(i, "WITH SYSTEM VERSIONING", "Keep history in a dbt snapshot or an SCD2 model.")
            elif word == "ROWS" and matches(tokens, i, ["ROWS", "EXAMINED"]):
                report(i, "LIMIT ROWS EXAMINED", "Use the MAX_EXECUTION_TIME optimizer hint.")
            elif word == "WAIT" and i >= 2 and words[i - 2 : i] in (["FOR", "UPDATE"], ["IN", "MODE"]):
                report(i, "FOR UPDATE WAIT n", "Use NOWAIT or SKIP LOCKED, or innodb_lock_wait_timeout.")
            elif word == "FETCH" and self._fetch_rows(words, i):
                report(i, f"FETCH {words[i + 1]} ... ROWS ONLY", "Use LIMIT n.")
        return results

    @staticmethod
    def _fetch_rows(words: List[str], i: int) -> bool:
        """FETCH FIRST|NEXT [n] ROW|ROWS, not a cursor's FETCH [NEXT] FROM c INTO v."""
        if i + 1 >= len(words) or words[i + 1] not in ("FIRST", "NEXT"):
            return False
        return any(w in ("ROW", "ROWS") for w in words[i + 2 : i + 5])
