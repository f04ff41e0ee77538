"""Statements as runs of code tokens, shared by the token-level rules."""
from __future__ import annotations

from typing import List

from sqlfluff.core.parser import BaseSegment


def statement_spans(tokens: List[BaseSegment]) -> List[List[BaseSegment]]:
    """The code tokens split at `;` outside brackets (a file may hold several statements)."""
    spans: List[List[BaseSegment]] = [[]]
    depth = 0
    for token in tokens:
        if token.raw == "(":
            depth += 1
        elif token.raw == ")":
            depth = max(0, depth - 1)
        if token.raw == ";" and depth == 0:
            spans.append([])
            continue
        spans[-1].append(token)
    return [span for span in spans if span]


def stored_program(words: List[str]) -> bool:
    """CREATE [DEFINER = ...] PROCEDURE|FUNCTION|TRIGGER|EVENT: a body where DECLARE,
    BEGIN ... END, IF and loops are MySQL."""
    if not words or words[0] != "CREATE":
        return False
    return any(w in ("PROCEDURE", "FUNCTION", "TRIGGER", "EVENT") for w in words[1:8])
