"""The stored functions a piece of SQL creates, by name.

SG11 does not report a call to a function the project creates (in a hook, a
macro, a model's SQL); project_config collects them from the project's files.
Kept outside ``rules/``: importing that package loads every rule, which
sqlfluff wants done by its plugin hook only.
"""
from __future__ import annotations

import functools
import re

# CREATE [DEFINER = u] [AGGREGATE] FUNCTION [IF NOT EXISTS] [db.]name: a stored
# function (or a loadable one, CREATE FUNCTION ... SONAME) that SQL creates.
CREATE_FUNCTION = re.compile(
    r"\bCREATE\s+(?:DEFINER\s*=\s*\S+\s+)?(?:AGGREGATE\s+)?FUNCTION\s+(?:IF\s+NOT\s+EXISTS\s+)?"
    r"(?:\S+?\.)?`?([\w$]+)`?",
    re.IGNORECASE,
)


@functools.lru_cache(maxsize=8)  # SG11 asks once per call in the same file
def created_functions(text: str) -> frozenset:
    """The names of the functions text creates, lower case."""
    return frozenset(m.group(1).lower() for m in CREATE_FUNCTION.finditer(text))
