"""The SQL statements a macro file spells out in Jinja blocks.

Macros rarely render SQL at top level: they build a statement in
``{% set sql %}...{% endset %}`` or ``{% call statement(...) %}...{% endcall %}``
and hand it to ``run_query``. Those bodies are whole statements with Jinja
expressions in them, so they can be rendered (macro arguments and locals as
placeholder identifiers) and linted like a model. Statements glued together
with ``~`` in expressions are out of reach.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List

_BLOCK = re.compile(
    r"\{%-?\s*(?P<tag>set\s+\w+|call\s+statement\b[^%]*?)\s*-?%\}"
    r"(?P<body>.*?)"
    r"\{%-?\s*end(?:set|call)\s*-?%\}",
    re.DOTALL,
)
# Only bodies that are statements: `{% set where %}` fragments are not SQL on their own.
STATEMENT_START = re.compile(
    r"\s*(?:/\*.*?\*/\s*|--[^\n]*\n\s*)*(select|with|insert|replace|update|delete|create|drop|alter|rename|truncate)\b",
    re.IGNORECASE | re.DOTALL,
)


@dataclass(frozen=True)
class SqlBlock:
    tag: str  # "set sql" or "call statement(...)"
    body: str
    line_offset: int  # lines before the body in the file
    col_offset: int  # columns before the body on its first line


def sql_blocks(source: str) -> List[SqlBlock]:
    if "{% macro" not in source and "{%- macro" not in source:
        return []
    blocks = []
    for match in _BLOCK.finditer(source):
        start = match.start("body")
        tag = " ".join(match.group("tag").split()[:2])
        blocks.append(
            SqlBlock(
                tag=tag.split("(")[0],
                body=match.group("body"),
                line_offset=source[:start].count("\n"),
                col_offset=start - (source.rfind("\n", 0, start) + 1),
            )
        )
    return blocks
