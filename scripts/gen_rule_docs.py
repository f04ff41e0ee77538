"""Regenerate docs/lint-rules.md from the lint rules' docstrings."""
from pathlib import Path

from dbt_safeguard.lint.rule_docs import write

if __name__ == "__main__":
    print("updated" if write(Path(__file__).resolve().parents[1] / "docs" / "lint-rules.md") else "up to date")
