"""The reference project (dbt/) and the package's macros (macros/) lint clean in
every branch: the same guarantee `scripts/lint.sh` enforces in CI."""
from __future__ import annotations

from safeguard_testing.lint_helpers import at_repo_root, project_linter


def test_reference_project_and_macros_have_no_findings():
    linter = project_linter()
    with at_repo_root():
        report = linter.lint(["dbt", "macros"])
    print(f"\n{report.files} files, {report.renderings} renderings")
    assert report.files > 0
    assert [f.format() for f in report.findings] == []
