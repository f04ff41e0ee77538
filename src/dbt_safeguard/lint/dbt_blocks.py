"""dbt's own Jinja block tags, made renderable by the lint's plain Jinja.

dbt parses ``{% snapshot name %} ... {% endsnapshot %}`` and
``{% docs name %} ... {% enddocs %}`` with Jinja extensions of its own;
sqlfluff's jinja templater has ``test`` and ``materialization`` but not these
two, so a snapshot file failed with ``TMP Encountered unknown tag 'snapshot'``
and its SQL was never checked. Here each such tag is rewritten, in place and
at the same length, into a Jinja ``if``: a snapshot's body renders where it
stands (dbt runs exactly that SELECT, so it is linted like a model's), a docs
block's body (Markdown) renders as nothing. Keeping every tag's length keeps
every line and column of the file, so findings point into the user's text.
"""
from __future__ import annotations

import re

# {%- snapshot name -%} / {% docs name %} and their end tags; the `-` whitespace controls are kept.
_BLOCK_TAG = re.compile(r"\{%(-?)(\s*)(snapshot|docs|endsnapshot|enddocs)\b([^%]*?)(-?)%\}")
_REPLACEMENT = {"snapshot": "if 1", "docs": "if 0", "endsnapshot": "endif", "enddocs": "endif"}


def _same_length(match: "re.Match[str]") -> str:
    left, _, tag, _, right = match.groups()
    body = _REPLACEMENT[tag]
    width = len(match.group(0)) - len("{%%}") - len(left) - len(right)
    if width - 1 < len(body):
        return match.group(0)  # `{%docs%}` without a name: dbt's own error, left to Jinja
    # The shortest tag ({%docs x%}) leaves 6 characters inside: "if 0" fits.
    return "{%" + left + " " + body.ljust(width - 1) + right + "%}"


def renderable(text: str) -> str:
    """text with dbt's snapshot and docs tags as same-length Jinja ifs."""
    if "snapshot" not in text and "docs" not in text:
        return text
    return _BLOCK_TAG.sub(_same_length, text)
