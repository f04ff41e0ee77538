"""Which FROM items of a query are grouped derived tables, and by what key.

MySQL 8 follows functional dependencies into derived tables and CTEs (MySQL
8.0 manual, "Detection of Functional Dependence", and sql/aggregate_check.cc):
the GROUP BY columns of a grouped derived table are a unique key of its rows,
so an outer query that groups by all of them determines every column of that
derived table; a derived table with an aggregate and no GROUP BY has one row,
so all its columns are constant. SG20 accepts those columns.
"""
from __future__ import annotations

from typing import Dict, FrozenSet, List, NamedTuple, Optional

from sqlfluff.core.parser import BaseSegment

from ._aggregates import AGGREGATES
from ._columns import _first_query, alias_of, first_select, select_elements
from ._tokens import identifier_parts, unquote

_NAME_TYPES = ("naked_identifier", "quoted_identifier", "identifier")


class DerivedKey(NamedTuple):
    key: FrozenSet[str]  # output names whose values identify one row (empty: one row)
    outputs: FrozenSet[str]


def normal(seg: BaseSegment) -> str:
    """An expression's text as GROUP BY matching compares it: no spaces, no backticks, lower case."""
    return "".join(seg.raw.split()).replace("`", "").lower()


def _query_with_names(root: BaseSegment) -> Dict[str, tuple]:
    """CTE name -> (its query, its column list's names or None), for every CTE under root."""
    found = {}
    for cte in root.recursive_crawl("common_table_expression"):
        name = next((c for c in cte.segments if c.is_type(*_NAME_TYPES)), None)
        query = _first_query(cte)
        if name is None or query is None:
            continue
        column_list = cte.get_child("cte_column_list")
        names = [unquote(n.raw).lower() for n in column_list.recursive_crawl(*_NAME_TYPES)] if column_list else None
        found[unquote(name.raw).lower()] = (query, names)
    return found


def _output_names(elements: List[BaseSegment], names: Optional[List[str]]) -> List[Optional[str]]:
    outputs: List[Optional[str]] = []
    for i, element in enumerate(elements):
        if names is not None:
            outputs.append(names[i] if i < len(names) else None)
            continue
        alias = alias_of(element)
        ref = element.get_child("column_reference")
        outputs.append(alias or (identifier_parts(ref)[-1] if ref is not None else None))
    return outputs


def _aggregated(elements: List[BaseSegment]) -> bool:
    for element in elements:
        for function in element.recursive_crawl("function", no_recursive_seg_type=("select_statement",)):
            name = function.get_child("function_name")
            if name is not None and name.raw.upper() in AGGREGATES and function.get_child("over_clause") is None:
                return True
    return False


def query_key(query: BaseSegment, names: Optional[List[str]] = None) -> Optional[DerivedKey]:
    """The unique key a grouped query's output has, or None (not grouped, a UNION, a
    grouping expression it does not output, WITH ROLLUP)."""
    while query.is_type("bracketed"):
        inner = _first_query(query)
        if inner is None:
            return None
        query = inner
    if query.is_type("set_expression"):
        return None  # UNION: rows of several queries, no key MySQL derives
    select = first_select(query)
    if select is None:
        return None
    elements = select_elements(select)
    outputs = _output_names(elements, names)
    group_by = select.get_child("groupby_clause")
    if group_by is None:
        return DerivedKey(frozenset(), frozenset(o for o in outputs if o)) if _aggregated(elements) else None
    key = set()
    for item in group_by.segments:
        if item.is_type("keyword") and item.raw.upper() in ("WITH", "ROLLUP"):
            return None  # ROLLUP adds super-aggregate rows: the key is no key
        if not item.is_code or item.is_type("comma", "keyword"):
            continue
        output = _output_of(item, elements, outputs)
        if output is None:
            return None
        key.add(output)
    return DerivedKey(frozenset(key), frozenset(o for o in outputs if o))


def _output_of(item: BaseSegment, elements: List[BaseSegment], outputs: List[Optional[str]]) -> Optional[str]:
    """The output name of the select element a GROUP BY item names."""
    if item.is_type("numeric_literal"):
        idx = int(item.raw) - 1
        return outputs[idx] if 0 <= idx < len(outputs) else None
    text = normal(item)
    last = text.rsplit(".", 1)[-1]
    for element, output in zip(elements, outputs):
        body = "".join(normal(c) for c in element.segments if not c.is_type("alias_expression"))
        if text in (body, output) or (body.rsplit(".", 1)[-1] == last and "(" not in body):
            return output
    return None


def derived_keys(select: BaseSegment, root: BaseSegment) -> Dict[str, DerivedKey]:
    """FROM item name (its alias, else the CTE's name) -> key, for each grouped
    derived table or CTE this SELECT reads."""
    from_clause = select.get_child("from_clause")
    if from_clause is None:
        return {}
    ctes = None
    found = {}
    for element in from_clause.recursive_crawl(
        "from_expression_element", no_recursive_seg_type=("select_statement", "set_expression")
    ):
        table = element.get_child("table_expression")
        if table is None:
            continue
        alias = alias_of(element)
        ref = table.get_child("table_reference")
        if ref is not None:
            parts = identifier_parts(ref)
            if len(parts) != 1:
                continue
            ctes = ctes if ctes is not None else _query_with_names(root)
            if parts[0] not in ctes:
                continue
            key = query_key(*ctes[parts[0]])
            name = alias or parts[0]
        else:
            query = _first_query(table)
            key = query_key(query) if query is not None else None
            name = alias
        if key is not None and name:
            found[name] = key
    return found


def determined(parts: List[str], grouped: set, keys: Dict[str, DerivedKey]) -> bool:
    """Is the column `parts` (qualifier, name) of a derived table whose key is all grouped?"""
    def key_grouped(source: str, entry: DerivedKey) -> bool:
        return all(k in grouped or f"{source}.{k}" in grouped for k in entry.key)

    if len(parts) >= 2:
        entry = keys.get(parts[-2])
        return entry is not None and key_grouped(parts[-2], entry)
    return any(parts[0] in entry.outputs and key_grouped(source, entry) for source, entry in keys.items())
