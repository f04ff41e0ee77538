"""Which column names a SELECT can see and which it outputs.

Good enough to follow a dbt model's CTE chain: CTEs, derived tables and
select-list aliases are resolved; a physical table's columns are unknown
(``None``), and the rules that use this stay silent when they cannot know.
"""
from __future__ import annotations

from typing import Dict, Iterator, List, Optional, Set, Union

from sqlfluff.core.parser import BaseSegment

from ._tokens import identifier_parts, unquote

Columns = Optional[Set[str]]
# A CTE's query, or the names its column list gives (`WITH c (a, b) AS ...`).
CteBody = Union[BaseSegment, Set[str]]

_NAME_TYPES = ("naked_identifier", "quoted_identifier", "identifier")


def cte_definitions(root: BaseSegment) -> Dict[str, CteBody]:
    """CTE name -> its column list's names, or else its query (select_statement or set_expression)."""
    found: Dict[str, CteBody] = {}
    for cte in root.recursive_crawl("common_table_expression"):
        name = next((c for c in cte.segments if c.is_type(*_NAME_TYPES)), None)
        column_list = cte.get_child("cte_column_list")
        query = _first_query(cte)
        if name is None:
            continue
        if column_list is not None:
            found[unquote(name.raw).lower()] = {
                unquote(n.raw).lower() for n in column_list.recursive_crawl(*_NAME_TYPES)
            }
        elif query is not None:
            found[unquote(name.raw).lower()] = query
    return found


def _first_query(seg: BaseSegment) -> Optional[BaseSegment]:
    for child in seg.segments:
        if child.is_type("select_statement", "set_expression", "with_compound_statement"):
            return child
        if child.is_type("bracketed", "expression", "table_expression"):
            inner = _first_query(child)
            if inner is not None:
                return inner
    return None


def first_select(query: BaseSegment) -> Optional[BaseSegment]:
    if query.is_type("select_statement"):
        return query
    for child in query.segments:
        if child.is_type("select_statement", "set_expression", "with_compound_statement", "bracketed"):
            found = first_select(child)
            if found is not None:
                return found
    return None


def select_elements(select: BaseSegment) -> List[BaseSegment]:
    clause = select.get_child("select_clause")
    return clause.get_children("select_clause_element") if clause else []


def alias_of(element: BaseSegment) -> Optional[str]:
    alias = element.get_child("alias_expression")
    if alias is None:
        return None
    names = [c for c in alias.segments if c.is_type("naked_identifier", "quoted_identifier", "identifier")]
    return unquote(names[-1].raw).lower() if names else None


def output_columns(query: CteBody, ctes: Dict[str, CteBody], depth: int = 0) -> Columns:
    """Column names a query outputs; None when a `*` over an unknown table hides them."""
    if isinstance(query, set):
        return set(query)
    if depth > 20:
        return None
    if query.is_type("with_compound_statement"):
        ctes = {**ctes, **cte_definitions(query)}
    select = first_select(query)
    if select is None:
        return None
    names: Set[str] = set()
    for element in select_elements(select):
        alias = alias_of(element)
        if alias:
            names.add(alias)
            continue
        if element.get_child("wildcard_expression") is not None:
            sources = source_columns(select, ctes, depth + 1)
            if sources is None:
                return None
            names |= sources
            continue
        ref = element.get_child("column_reference")
        if ref is not None:
            names.add(identifier_parts(ref)[-1])
    return names


def source_tables(select: BaseSegment) -> Iterator[BaseSegment]:
    """The table_expression of each FROM/JOIN item of this SELECT (not nested ones)."""
    from_clause = select.get_child("from_clause")
    if from_clause is None:
        return
    for element in from_clause.recursive_crawl(
        "from_expression_element", no_recursive_seg_type=("select_statement", "set_expression")
    ):
        table = element.get_child("table_expression")
        if table is not None:
            yield table


def source_columns(select: BaseSegment, ctes: Dict[str, CteBody], depth: int = 0) -> Columns:
    """Every column name the FROM items of this SELECT provide, or None if unknown."""
    names: Set[str] = set()
    any_source = False
    for table in source_tables(select):
        any_source = True
        ref = table.get_child("table_reference")
        if ref is not None:
            parts = identifier_parts(ref)
            query = ctes.get(parts[-1]) if len(parts) == 1 else None
            if query is None:
                return None  # a physical table: its columns are unknown
            cols = output_columns(query, ctes, depth + 1)
        else:
            query = _first_query(table)
            cols = output_columns(query, ctes, depth + 1) if query is not None else None
        if cols is None:
            return None
        names |= cols
    return names if any_source else set()
