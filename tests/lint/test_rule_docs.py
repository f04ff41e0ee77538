"""docs/lint-rules.md is generated from the rule docstrings and kept current."""
from __future__ import annotations

from pathlib import Path

from dbt_safeguard.lint.rule_docs import render
from dbt_safeguard.lint.rules import RULES

DOCS = Path(__file__).resolve().parents[2] / "docs" / "lint-rules.md"


def test_committed_rule_docs_match_the_rule_docstrings():
    assert DOCS.read_text(encoding="utf-8") == render(), (
        "docs/lint-rules.md is stale: run `python scripts/gen_rule_docs.py` and commit it"
    )


def test_every_rule_has_a_row_and_a_section():
    text = render()
    for rule in RULES:
        assert f"| [{rule.code}](#{rule.code.lower()}) | `{rule.name}` |" in text
        assert f"\n## {rule.code}\n" in text
