"""Implementation of Rule SG20."""
from __future__ import annotations

from typing import List, Optional, Set

from sqlfluff.core.parser import BaseSegment
from sqlfluff.core.rules import BaseRule, LintResult, RuleContext
from sqlfluff.core.rules.crawlers import SegmentSeekerCrawler

from ._aggregates import AGGREGATES
from ._columns import alias_of, select_elements
from ._grouping import derived_keys, determined
from ._tokens import identifier_parts

# ONLY_FULL_GROUP_BY does not look inside an aggregate, nor inside ANY_VALUE()
# (its way out) and GROUPING() (whose arguments are GROUP BY columns).
UNCHECKED_FUNCTIONS = AGGREGATES | {"ANY_VALUE", "GROUPING"}


def _normal(seg: BaseSegment) -> str:
    return "".join(seg.raw.split()).replace("`", "").lower()


def _function_name(function: BaseSegment) -> str:
    name = function.get_child("function_name")
    return name.raw.upper() if name is not None else ""


def _loose_column_refs(seg: BaseSegment) -> List[BaseSegment]:
    """Column references outside aggregate calls and nested SELECTs."""
    if seg.is_type("column_reference"):
        return [seg]
    if seg.is_type("select_statement", "set_expression"):
        return []
    if seg.is_type("function") and _function_name(seg) in UNCHECKED_FUNCTIONS:
        return []
    found: List[BaseSegment] = []
    for child in seg.segments:
        found += _loose_column_refs(child)
    return found


def _has_aggregate(seg: BaseSegment) -> bool:
    for function in seg.recursive_crawl("function", no_recursive_seg_type=("select_statement", "set_expression")):
        if _function_name(function) in AGGREGATES and function.get_child("over_clause") is None:
            return True
    return False


class Rule_SG20(BaseRule):
    """A non-aggregated column that is not in GROUP BY (ONLY_FULL_GROUP_BY, 1055).

    MySQL 8 (and Aurora MySQL 3's default parameter group) runs with
    ``ONLY_FULL_GROUP_BY``; MariaDB does not, so the test server accepts the
    query and picks an arbitrary row. The same holds for a column next to an
    aggregate without any GROUP BY (error 1140). MySQL lets a column through
    when it is functionally dependent on a grouped primary key, which a lint
    cannot see: wrap such a column in ``ANY_VALUE()`` or add it to GROUP BY.
    A column of a grouped derived table or CTE whose GROUP BY columns the
    outer query groups by all is accepted, as MySQL accepts it (``_grouping``).

    **Anti-pattern**

    .. code-block:: sql

        SELECT tenant_id, tenant_name, COUNT(*) AS contracts
        FROM int_contracts
        GROUP BY tenant_id

    **Best practice**

    .. code-block:: sql

        SELECT tenant_id, tenant_name, COUNT(*) AS contracts
        FROM int_contracts
        GROUP BY tenant_id, tenant_name
    """

    name = "mysql8.group_by_nonaggregated"
    aliases = ()
    groups = ("all", "safeguard", "mysql8")
    crawl_behaviour = SegmentSeekerCrawler({"select_statement"})
    targets_templated = True

    def _eval(self, context: RuleContext) -> List[LintResult]:
        select = context.segment
        elements = select_elements(select)
        group_by = select.get_child("groupby_clause")
        if group_by is None:
            if not any(_has_aggregate(e) for e in elements):
                return []
            grouped: Optional[Set[str]] = set()
            error = "1140: aggregated query without GROUP BY"
        else:
            grouped = self._grouped(group_by, elements)
            if grouped is None:
                return []  # GROUP BY ... WITH ROLLUP or an ordinal we cannot resolve
            error = "1055: not in GROUP BY"
        results = []
        root = context.parent_stack[0] if context.parent_stack else select
        keys = derived_keys(select, root)
        for element in elements:
            if element.get_child("wildcard_expression") is not None:
                continue
            alias = alias_of(element)
            body = [c for c in element.segments if not c.is_type("alias_expression")]
            body_text = "".join(c.raw for c in body)
            if alias in grouped or "".join(body_text.split()).replace("`", "").lower() in grouped:
                continue
            if any(f.get_child("over_clause") is not None for f in element.recursive_crawl("function")):
                continue  # window functions: their own rules, not checked here
            for part in body:
                for ref in _loose_column_refs(part):
                    parts = identifier_parts(ref)
                    if _normal(ref) in grouped or parts[-1] in grouped or determined(parts, grouped, keys):
                        continue
                    results.append(
                        LintResult(
                            anchor=ref,
                            description=(
                                f"`{ref.raw}` is neither aggregated nor in GROUP BY: MySQL 8's "
                                f"ONLY_FULL_GROUP_BY rejects it (error {error}); MariaDB does not. "
                                "Add it to GROUP BY or wrap it in ANY_VALUE()."
                            ),
                        )
                    )
        order_by = select.get_child("orderby_clause")
        if order_by is not None and group_by is not None:
            # ORDER BY of a grouped query may name grouped columns, aggregates
            # and the select list's output names, nothing else.
            outputs = {alias_of(e) for e in elements} | {
                identifier_parts(ref)[-1]
                for e in elements
                for ref in e.segments
                if ref.is_type("column_reference")
            }
            for ref in _loose_column_refs(order_by):
                parts = identifier_parts(ref)
                if _normal(ref) in grouped or parts[-1] in grouped or (len(parts) == 1 and parts[0] in outputs):
                    continue
                if determined(parts, grouped, keys):
                    continue
                results.append(
                    LintResult(
                        anchor=ref,
                        description=(
                            f"ORDER BY `{ref.raw}` of a grouped query is neither grouped, aggregated "
                            "nor a selected name: MySQL 8's ONLY_FULL_GROUP_BY rejects it (error 1055); "
                            "MariaDB does not."
                        ),
                    )
                )
        return results

    @staticmethod
    def _grouped(group_by: BaseSegment, elements: List[BaseSegment]) -> Optional[Set[str]]:
        grouped: Set[str] = set()
        for item in group_by.segments:
            if item.is_type("keyword") and item.raw.upper() in ("WITH", "ROLLUP"):
                continue
            if not item.is_code or item.is_type("comma", "keyword"):
                continue
            if item.is_type("numeric_literal"):
                idx = int(item.raw) - 1
                if not 0 <= idx < len(elements):
                    return None
                element = elements[idx]
                alias = alias_of(element)
                if alias:
                    grouped.add(alias)
                body = "".join(c.raw for c in element.segments if not c.is_type("alias_expression"))
                grouped.add("".join(body.split()).replace("`", "").lower())
                continue
            grouped.add(_normal(item))
            refs = [item] if item.is_type("column_reference") else []
            if item.is_type("expression") and len([c for c in item.segments if c.is_code]) == 1:
                refs = list(item.recursive_crawl("column_reference"))
            for ref in refs:
                grouped.add(identifier_parts(ref)[-1])
                grouped.add(_normal(ref))
        return grouped
