"""Implementation of Rule SG14."""
from __future__ import annotations

from typing import Dict, List, Set

from sqlfluff.core.parser import BaseSegment
from sqlfluff.core.rules import BaseRule, LintResult, RuleContext
from sqlfluff.core.rules.crawlers import SegmentSeekerCrawler

from ._columns import alias_of, cte_definitions, select_elements, source_columns
from ._tokens import identifier_parts


def _column_refs(seg: BaseSegment) -> List[BaseSegment]:
    """Column references in seg, not counting those of nested SELECTs."""
    return list(seg.recursive_crawl("column_reference", no_recursive_seg_type="select_statement"))


class Rule_SG14(BaseRule):
    """A select-list alias used again in the same SELECT list or its WHERE (error 1054).

    MySQL resolves an alias only in GROUP BY, HAVING and ORDER BY. Elsewhere
    it is "Unknown column" (1054), or, worse, silently a same-named column of
    the source table.

    **Anti-pattern**

    .. code-block:: sql

        SELECT
            CASE previous_status WHEN 1 THEN 'active' ELSE 'other' END AS previous_label,
            CONCAT(previous_label, ' -> ', status) AS transition
        FROM transitions

    **Best practice**

    Repeat the expression, or compute the alias in a CTE first.

    .. code-block:: sql

        WITH labelled AS (
            SELECT
                CASE previous_status WHEN 1 THEN 'active' ELSE 'other' END AS previous_label,
                status
            FROM transitions
        )
        SELECT previous_label, CONCAT(previous_label, ' -> ', status) AS transition
        FROM labelled
    """

    name = "mysql8.alias_reuse"
    aliases = ()
    groups = ("all", "safeguard", "mysql8")
    crawl_behaviour = SegmentSeekerCrawler({"select_statement"})
    targets_templated = True

    def _eval(self, context: RuleContext) -> List[LintResult]:
        select = context.segment
        elements = select_elements(select)
        aliases: Dict[str, int] = {}
        for idx, element in enumerate(elements):
            alias = alias_of(element)
            if alias and alias not in aliases:
                aliases[alias] = idx
        if not aliases:
            return []
        root = context.parent_stack[0] if context.parent_stack else select
        known = source_columns(select, cte_definitions(root))
        evidence = self._column_evidence(select, elements) if known is None else set()
        results = []
        for idx, element in enumerate(elements):
            for ref in _column_refs(element):
                results += self._check(ref, aliases, known, evidence, lambda i: i < idx, "SELECT list")
        where = select.get_child("where_clause")
        if where is not None:
            for ref in _column_refs(where):
                results += self._check(ref, aliases, known, evidence, lambda i: True, "WHERE clause")
        return results

    @staticmethod
    def _column_evidence(select: BaseSegment, elements: List[BaseSegment]) -> Set[str]:
        """Names that are evidently source columns when the sources are physical tables."""
        names: Set[str] = set()
        for element in elements:
            alias = alias_of(element)
            for ref in _column_refs(element):
                parts = identifier_parts(ref)
                # `TRIM(name) AS name`: name is a column of the source.
                if alias and parts[-1] == alias:
                    names.add(alias)
        for ref in _column_refs(select):
            parts = identifier_parts(ref)
            if len(parts) > 1:
                names.add(parts[-1])
        return names

    @staticmethod
    def _check(ref, aliases, known, evidence, defined_before, where) -> List[LintResult]:
        parts = identifier_parts(ref)
        if len(parts) != 1 or parts[0] not in aliases:
            return []
        name = parts[0]
        if not defined_before(aliases[name]):
            return []
        if known is not None and name in known:
            return []
        if known is None and name in evidence:
            return []
        return [
            LintResult(
                anchor=ref,
                description=(
                    f"`{name}` is an alias defined in this SELECT list; MySQL does not "
                    f"resolve it in the {where} (error 1054 Unknown column). Repeat the "
                    "expression or define the alias in a CTE first."
                ),
            )
        ]
