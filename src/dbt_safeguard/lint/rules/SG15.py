"""Implementation of Rule SG15."""
from __future__ import annotations

from typing import List, Optional, Set

from sqlfluff.core.parser import BaseSegment
from sqlfluff.core.rules import BaseRule, LintResult, RuleContext
from sqlfluff.core.rules.crawlers import SegmentSeekerCrawler

from ._columns import cte_definitions, first_select, output_columns, source_columns
from ._tokens import identifier_parts


class Rule_SG15(BaseRule):
    """ORDER BY a name that is not visible there after a rename, a UNION or a CTE (1054).

    After ``UNION`` the ORDER BY sees only the first SELECT's output names.
    After ``SELECT DISTINCT`` it sees only the output (error 3065). When the
    rename happened in a CTE or derived table, the old name is gone.

    **Anti-pattern**

    .. code-block:: sql

        WITH history AS (
            SELECT tenant_id, valid_from AS effective_date FROM status_history
        )
        SELECT tenant_id, effective_date FROM history
        ORDER BY tenant_id, valid_from

    **Best practice**

    Order by the name the query outputs.

    .. code-block:: sql

        WITH history AS (
            SELECT tenant_id, valid_from AS effective_date FROM status_history
        )
        SELECT tenant_id, effective_date FROM history
        ORDER BY tenant_id, effective_date
    """

    name = "mysql8.order_by_hidden_column"
    aliases = ()
    groups = ("all", "safeguard", "mysql8")
    crawl_behaviour = SegmentSeekerCrawler({"orderby_clause"})
    targets_templated = True

    def _eval(self, context: RuleContext) -> List[LintResult]:
        if not context.parent_stack:
            return []
        parent = context.parent_stack[-1]
        root = context.parent_stack[0]
        ctes = cte_definitions(root)
        visible: Optional[Set[str]]
        if parent.is_type("set_expression"):
            first = first_select(parent)
            visible = output_columns(first, ctes) if first is not None else None
            why = "after a UNION, ORDER BY sees only the first SELECT's column names"
        elif parent.is_type("select_statement"):
            outputs = output_columns(parent, ctes)
            if outputs is None:
                return []
            if self._is_distinct(parent):
                visible = outputs
                why = "with SELECT DISTINCT, ORDER BY sees only the selected columns (error 3065)"
            else:
                sources = source_columns(parent, ctes)
                visible = None if sources is None else outputs | sources
                why = "no FROM item provides it (renamed or dropped in a CTE or derived table)"
        else:
            return []
        if visible is None:
            return []
        results = []
        for ref in context.segment.recursive_crawl("column_reference", no_recursive_seg_type="select_statement"):
            parts = identifier_parts(ref)
            if len(parts) == 1 and parts[0] not in visible:
                results.append(
                    LintResult(
                        anchor=ref,
                        description=(
                            f"ORDER BY `{parts[0]}`: {why} (MySQL error 1054 Unknown column). "
                            f"Visible here: {', '.join(sorted(visible)) or 'nothing'}."
                        ),
                    )
                )
        return results

    @staticmethod
    def _is_distinct(select: BaseSegment) -> bool:
        clause = select.get_child("select_clause")
        modifier = clause.get_child("select_clause_modifier") if clause is not None else None
        return modifier is not None and "DISTINCT" in modifier.raw.upper()
