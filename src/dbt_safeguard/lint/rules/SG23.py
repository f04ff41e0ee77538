"""Implementation of Rule SG23."""
from __future__ import annotations

from typing import List

from sqlfluff.core.rules import BaseRule, LintResult, RuleContext
from sqlfluff.core.rules.crawlers import RootOnlyCrawler

from ._statements import statement_spans
from ._tokens import code_tokens

# What may follow GRANT ... ON in MySQL: [TABLE | FUNCTION | PROCEDURE] priv_level.
_OBJECT_TYPES = {"TABLE", "FUNCTION", "PROCEDURE"}
# Privileges that exist only for routines: on a table-level name they are error 1144.
_ROUTINE_PRIVILEGES = {"EXECUTE", "ROUTINE"}


class Rule_SG23(BaseRule):
    """GRANT/REVOKE on an object MySQL 8 does not have (error 1064 or 1144).

    MySQL grants on ``*.*``, ``db.*``, ``db.table``, ``TABLE``, ``FUNCTION``
    and ``PROCEDURE`` only, to accounts and roles named in a list. Schemas'
    ``ALL TABLES IN SCHEMA``, ``FUTURE TABLES``, sequences, databases,
    warehouses, ``SCHEMA::dbo``, ``TO ROLE r`` and ``EXECUTE`` on a table are
    other dialects'.

    **Anti-pattern**

    .. code-block:: sql

        GRANT SELECT ON ALL TABLES IN SCHEMA analytics TO reporter

    **Best practice**

    .. code-block:: sql

        GRANT SELECT ON analytics.* TO reporter
    """

    name = "mysql8.grant_object"
    aliases = ()
    groups = ("all", "safeguard", "mysql8")
    crawl_behaviour = RootOnlyCrawler(works_on_unparsable=True)
    targets_templated = True

    def _eval(self, context: RuleContext) -> List[LintResult]:
        results = []
        for span in statement_spans(code_tokens(context.segment)):
            words = [t.raw.upper() for t in span]
            if words[0] not in ("GRANT", "REVOKE"):
                continue
            problem = self._problem(words)
            if problem:
                results.append(
                    LintResult(
                        anchor=span[0],
                        description=(
                            f"{words[0]} {problem}: MySQL 8 grants on *.*, db.*, db.table, FUNCTION or "
                            f"PROCEDURE only (error 1064/1144). Use e.g. {words[0]} SELECT ON db.* "
                            f"{'TO' if words[0] == 'GRANT' else 'FROM'} account."
                        ),
                    )
                )
        return results

    @staticmethod
    def _problem(words: List[str]) -> str:
        if "ON" not in words:
            if any(w in ("ROLE", "USER") for w in words[1:3]):
                return f"{words[1]} ...: name roles and accounts without the {words[1]} keyword"
            return ""
        on = words.index("ON")
        end = next((i for i in range(on + 1, len(words)) if words[i] in ("TO", "FROM")), len(words))
        target = words[on + 1 : end]
        privileges = set(words[1:on])
        if target and target[0] in _OBJECT_TYPES:
            target = target[1:]
        if "@" in target or not target:
            return ""  # GRANT PROXY ON 'user'@'host'
        if "::" in target or ":" in target:
            return f"ON {' '.join(target)}"
        # A priv_level is *, *.*, name, name.* or name.name.
        names = [w for w in target if w not in (".", "*")]
        if len(names) > 2 or (len(names) == 2 and "." not in target):
            return f"ON {' '.join(target)}"
        # A quoted privilege is a dynamic one (BACKUP_ADMIN, ...): global only,
        # "Illegal privilege level specified" (error 3619) on anything but *.*.
        quoted = [w for w in words[1:on] if w.startswith("`")]
        if quoted and target != ["*", ".", "*"]:
            return f"{quoted[0]} ON {''.join(target)} (a dynamic privilege, global only: error 3619)"
        if privileges & _ROUTINE_PRIVILEGES and "*" not in target and words[on + 1] not in _OBJECT_TYPES:
            return f"{' '.join(words[1:on])} ON a table"
        after = words[end + 1 : end + 2]
        if after and after[0] in ("ROLE", "USER", "GROUP", "SHARE", "APPLICATION"):
            return f"{words[end]} {after[0]} ..."
        if "HIERARCHY" in words[end:]:
            return "WITH HIERARCHY OPTION"
        return ""
