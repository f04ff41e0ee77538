"""Token-level views of a parse tree, shared by the rules.

Several MySQL 8 incompatibilities are short keyword sequences (``IS NOT
DISTINCT FROM``, ``NULLS LAST``, ``FETCH FIRST``) that sqlfluff's mysql
dialect either parses into an unrelated shape or leaves unparsable. Scanning
the code tokens finds them in both cases.
"""
from __future__ import annotations

from typing import Callable, Iterator, List, NamedTuple, Optional, Sequence

from sqlfluff.core.parser import BaseSegment
from sqlfluff.core.rules.crawlers import RootOnlyCrawler

NON_CODE = frozenset({"whitespace", "newline", "comment", "inline_comment", "block_comment"})


def code_tokens(root: BaseSegment) -> List[BaseSegment]:
    """Every raw code segment under root, in order (comments and spaces left out)."""
    return [
        seg
        for seg in root.raw_segments
        if not seg.is_meta and seg.is_code and not seg.is_type(*NON_CODE)
    ]


class Neighbourhood(NamedTuple):
    index: int
    token: BaseSegment
    word: str  # the token's text, upper-cased
    before: str  # the previous code token's text, upper-cased ("" at the start)
    after: str  # the next code token's text, upper-cased ("" at the end)


def neighbours(tokens: Sequence[BaseSegment]) -> Iterator[Neighbourhood]:
    """Each code token with the words on either side: most token rules decide
    from those three alone."""
    words = [t.raw.upper() for t in tokens]
    for i, token in enumerate(tokens):
        yield Neighbourhood(i, token, words[i], words[i - 1] if i else "", words[i + 1] if i + 1 < len(words) else "")


def token_results(root: BaseSegment,
                  describe: Callable[[Sequence[BaseSegment], Neighbourhood], Optional[str]]) -> list:
    """A LintResult at each code token under root that `describe(tokens,
    place)` finds wrong (it returns the description, or None)."""
    from sqlfluff.core.rules import LintResult

    tokens = code_tokens(root)
    results = []
    for place in neighbours(tokens):
        description = describe(tokens, place)
        if description:
            results.append(LintResult(anchor=place.token, description=description))
    return results


class TokenRule:
    """The common half of a rule that judges each code token by its
    neighbours: list it before BaseRule (``class Rule_SG28(TokenRule,
    BaseRule)``) and define ``name``, the docstring and
    ``_describe(tokens, place)``. A mixin, because sqlfluff's rule metaclass
    refuses a rule base class that is not named like a rule."""

    aliases = ()
    groups = ("all", "safeguard", "mysql8")
    config_keywords: list = []  # the rule metaclass reads it from every base
    crawl_behaviour = RootOnlyCrawler(works_on_unparsable=True)
    targets_templated = True

    def _eval(self, context) -> list:
        return token_results(context.segment, self._describe)

    @staticmethod
    def _describe(tokens: Sequence[BaseSegment], place: Neighbourhood) -> Optional[str]:
        raise NotImplementedError


def upper(seg: Optional[BaseSegment]) -> str:
    return seg.raw.upper() if seg is not None else ""


def matches(tokens: Sequence[BaseSegment], index: int, words: Sequence[str]) -> bool:
    """Do the tokens starting at index spell words? ("?WORD" is optional.)"""
    i = index
    for word in words:
        optional = word.startswith("?")
        word = word.lstrip("?")
        if i < len(tokens) and tokens[i].raw.upper() == word:
            i += 1
        elif not optional:
            return False
    return True


def sequence_results(root: BaseSegment, words: Sequence[str], description: str) -> list:
    """A LintResult at the first token of each place the tokens spell words."""
    from sqlfluff.core.rules import LintResult

    tokens = code_tokens(root)
    first = words[0]
    return [
        LintResult(anchor=token, description=description)
        for i, token in enumerate(tokens)
        if token.raw.upper() == first and matches(tokens, i, words)
    ]


def unquote(name: str) -> str:
    if len(name) >= 2 and name[0] == name[-1] and name[0] in "`\"[":
        return name[1:-1]
    if len(name) >= 2 and name[0] == "[" and name[-1] == "]":
        return name[1:-1]
    return name


def identifier_parts(seg: BaseSegment) -> List[str]:
    """`schema`.`table` -> ["schema", "table"], unquoted and lower-cased."""
    return [
        unquote(child.raw).lower()
        for child in seg.segments
        if child.is_type("naked_identifier", "quoted_identifier", "identifier")
    ] or [unquote(seg.raw).lower()]


def lexed(raw: str, dialect) -> List[BaseSegment]:
    """raw as fresh lexer tokens: fix content that sqlfluff can re-parse in place."""
    from sqlfluff.core.parser import Lexer

    tokens, _ = Lexer(dialect=dialect.name).lex(raw)
    fresh = []
    for token in tokens:
        if token.is_meta:
            continue
        token = token.copy()
        token.pos_marker = None
        fresh.append(token)
    return fresh
