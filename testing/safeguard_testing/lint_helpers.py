"""Running the project linter from the repository root, as CI and pre-commit do."""
from __future__ import annotations

import contextlib
import os

from .harness import REPO_ROOT


@contextlib.contextmanager
def at_repo_root():
    """The root .sqlfluff (dialect, templater, rules) applies from here."""
    previous = os.getcwd()
    os.chdir(REPO_ROOT)
    try:
        yield
    finally:
        os.chdir(previous)


def project_linter():
    from dbt_safeguard.lint.project_linter import ProjectLinter

    with at_repo_root():
        return ProjectLinter()
