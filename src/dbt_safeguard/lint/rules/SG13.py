"""Implementation of Rule SG13."""
from __future__ import annotations

from typing import List

from sqlfluff.core.parser import BaseSegment
from sqlfluff.core.rules import BaseRule, LintResult, RuleContext
from sqlfluff.core.rules.crawlers import SegmentSeekerCrawler

from ._aggregates import AGGREGATES
from ._tokens import identifier_parts


def _same_table(a: List[str], b: List[str]) -> bool:
    if a[-1] != b[-1]:
        return False
    return len(a) == 1 or len(b) == 1 or a[-2] == b[-2]


class Rule_SG13(BaseRule):
    """UPDATE/DELETE whose subquery reads the target table (MySQL error 1093).

    MariaDB runs it; MySQL 8 fails with "You can't specify target table for
    update in FROM clause".

    **Anti-pattern**

    .. code-block:: sql

        UPDATE status_history
        SET valid_to = CURDATE()
        WHERE tenant_id IN (
            SELECT tenant_id FROM status_history WHERE valid_from = CURDATE()
        )

    **Best practice**

    Join the target to a derived table instead. (A derived table MySQL
    must materialize, one with GROUP BY, DISTINCT, an aggregate or LIMIT, may
    read the target: it is not merged into the UPDATE.)

    .. code-block:: sql

        UPDATE status_history AS t1
        INNER JOIN (
            SELECT DISTINCT tenant_id FROM status_history WHERE valid_from = CURDATE()
        ) AS t2 ON t1.tenant_id = t2.tenant_id
        SET t1.valid_to = CURDATE()
    """

    name = "mysql8.update_reads_target"
    aliases = ()
    groups = ("all", "safeguard", "mysql8")
    crawl_behaviour = SegmentSeekerCrawler({"update_statement", "delete_statement"})
    targets_templated = True

    def _eval(self, context: RuleContext) -> List[LintResult]:
        statement = context.segment
        targets = self._targets(statement)
        if not targets:
            return []
        results = []
        for clause in statement.segments:
            if not clause.is_type("where_clause", "set_clause_list"):
                continue
            for select in clause.recursive_crawl("select_statement"):
                if self._inside_materialized_derived_table(clause, select):
                    continue
                for ref in self._table_refs(select):
                    parts = identifier_parts(ref)
                    if any(_same_table(parts, target) for target in targets):
                        results.append(
                            LintResult(
                                anchor=self._anchor(select),
                                description=(
                                    f"Subquery reads `{parts[-1]}`, the table this "
                                    f"{'UPDATE' if statement.is_type('update_statement') else 'DELETE'} "
                                    "changes: MySQL 8 error 1093. JOIN the target to a derived "
                                    "table (UPDATE t JOIN (SELECT ...) AS s ON ... SET ...)."
                                ),
                            )
                        )
                        break
        return results

    @classmethod
    def _inside_materialized_derived_table(cls, clause: BaseSegment, select: BaseSegment) -> bool:
        """MySQL materializes a derived table it cannot merge (GROUP BY, DISTINCT,
        aggregates, LIMIT, ...), and then reading the target table is allowed."""
        path = [step.segment for step in clause.path_to(select)] + [select]
        for i, seg in enumerate(path):
            if not seg.is_type("select_statement"):
                continue
            in_from = any(p.is_type("from_expression_element") for p in path[:i])
            if in_from and cls._unmergeable(seg):
                return True
        return False

    @staticmethod
    def _unmergeable(select: BaseSegment) -> bool:
        if any(select.get_child(c) is not None for c in ("groupby_clause", "having_clause", "limit_clause")):
            return True
        clause = select.get_child("select_clause")
        if clause is None:
            return False
        modifier = clause.get_child("select_clause_modifier")
        if modifier is not None and "DISTINCT" in modifier.raw.upper():
            return True
        for function in clause.recursive_crawl("function", no_recursive_seg_type="select_statement"):
            name = function.get_child("function_name")
            if name is not None and name.raw.upper() in AGGREGATES:
                return True
            if function.get_child("over_clause") is not None:
                return True
        return False

    @staticmethod
    def _targets(statement: BaseSegment) -> List[List[str]]:
        refs = [c for c in statement.segments if c.is_type("table_reference")]
        for child in statement.segments:
            if child.is_type("from_clause", "from_expression", "join_clause", "table_expression"):
                refs += list(
                    child.recursive_crawl("table_reference", no_recursive_seg_type="select_statement")
                )
        return [identifier_parts(ref) for ref in refs]

    @staticmethod
    def _table_refs(select: BaseSegment) -> List[BaseSegment]:
        from_clause = select.get_child("from_clause")
        if from_clause is None:
            return []
        return list(from_clause.recursive_crawl("table_reference", no_recursive_seg_type="select_statement"))

    @staticmethod
    def _anchor(select: BaseSegment) -> BaseSegment:
        clause = select.get_child("select_clause")
        return clause.segments[0] if clause is not None and clause.segments else select
