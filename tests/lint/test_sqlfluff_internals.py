"""The private sqlfluff API the lint relies on is still there, with the same parameters.

A sqlfluff release that renames or reshapes one of them fails here, naming
it, instead of failing somewhere inside a render.
"""
from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest
import sqlfluff

from dbt_safeguard.lint import sqlfluff_internals
from dbt_safeguard.lint.sqlfluff_internals import PRIVATE_API

LINT_PACKAGE = Path(sqlfluff_internals.__file__).parent
PYPROJECT = LINT_PACKAGE.parents[2] / "pyproject.toml"


@pytest.mark.parametrize("owner, name", list(PRIVATE_API), ids=[name for _, name in PRIVATE_API])
def test_private_sqlfluff_name_exists_with_the_parameters_we_pass(owner, name):
    assert hasattr(owner, name), f"sqlfluff {sqlfluff.__version__} has no {owner.__name__}.{name}"
    parameters = tuple(inspect.signature(getattr(owner, name)).parameters)
    assert parameters == PRIVATE_API[(owner, name)], (
        f"sqlfluff {sqlfluff.__version__} changed {owner.__name__}.{name}{parameters}"
    )


def test_installed_sqlfluff_is_inside_the_pinned_range():
    pin = re.search(r'"sqlfluff>=([\d.]+),<([\d.]+)"', PYPROJECT.read_text())
    assert pin, "pyproject.toml must pin sqlfluff with a lower and an upper bound"

    def version(text):
        return tuple(int(p) for p in text.split(".")[:3])

    assert version(pin.group(1)) <= version(sqlfluff.__version__) < version(pin.group(2))


def test_no_other_lint_module_touches_sqlfluff_private_names():
    private_import = re.compile(r"from sqlfluff[\w.]* import [^\n]*\b_[a-z]|sqlfluff[\w.]*\._[a-z]")
    private_override = re.compile(
        r"def (" + "|".join(re.escape(name) for _, name in PRIVATE_API) + r")\b"
    )
    offenders = []
    for path in LINT_PACKAGE.rglob("*.py"):
        if path.name == "sqlfluff_internals.py":
            continue
        text = path.read_text()
        if private_import.search(text) or private_override.search(text) or "._normalise_newlines" in text:
            offenders.append(str(path.relative_to(LINT_PACKAGE)))
    assert offenders == []
