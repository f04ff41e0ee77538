"""The plugin is found through the sqlfluff entry point, and every rule follows
sqlfluff's conventions: one module, a code, a group.snake_name, examples."""
from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import pytest
from sqlfluff.core.plugin.host import get_plugin_manager

from dbt_safeguard.lint.rules import RULES

CASES = Path(__file__).parent / "rule_cases"


def test_sqlfluff_loads_the_plugin_and_its_templater():
    manager = get_plugin_manager()
    assert "dbt_safeguard.lint.plugin" in {getattr(p, "__name__", "") for p in manager.get_plugins()}
    templaters = [t.name for group in manager.hook.get_templaters() for t in group]
    assert "safeguard_dbt" in templaters


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_rule_has_code_name_groups_examples_and_cases(rule):
    module = importlib.import_module(rule.__module__)
    assert Path(inspect.getfile(module)).stem == rule.code, "one rule per module, named after its code"
    assert rule.name.startswith("mysql8.") and rule.name == rule.name.lower()
    assert {"all", "safeguard"} <= set(rule.groups)
    assert "**Anti-pattern**" in rule.__doc__ and "**Best practice**" in rule.__doc__
    assert (CASES / f"{rule.code}.yml").is_file()


def test_the_lint_package_never_imports_the_cli():
    """The CLI imports the lint, not the other way round (issue 11)."""
    lint_package = Path(inspect.getfile(importlib.import_module("dbt_safeguard.lint"))).parent
    offenders = [
        str(path.relative_to(lint_package))
        for path in lint_package.rglob("*.py")
        if "from ..cli" in path.read_text() or "dbt_safeguard.cli" in path.read_text()
    ]
    assert offenders == []
