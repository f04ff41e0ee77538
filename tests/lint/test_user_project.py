"""`safeguard lint` in a user's own dbt project, outside this repository.

The project is built fresh in a temporary folder: a dbt_project.yml, models,
a macro, the safeguard package installed under dbt_packages/ (as `dbt deps`
leaves it) and, in one case, no sqlfluff config at all.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dbt_safeguard.lint.project_config import SQLFLUFF_TEMPLATE

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def user_project(tmp_path):
    root = tmp_path / "warehouse"
    (root / "models" / "silver").mkdir(parents=True)
    (root / "macros").mkdir()
    (root / "dbt_project.yml").write_text(
        "name: warehouse\nversion: '1.0.0'\nconfig-version: 2\nprofile: warehouse\n"
        "model-paths: ['models']\nmacro-paths: ['macros']\n"
        "on-run-start:\n  - \"{{ safeguard.create_backups() }}\"\n"
        "models:\n  warehouse:\n    +pre-hook: \"{{ safeguard.require_backup() }}\"\n"
        "    silver:\n      +materialized: incremental\n"
    )
    (root / "models" / "silver" / "contracts.sql").write_text(
        "select id, {{ cents_to_amount('price') }} as price, signed_on\n"
        "from {{ source('crm', 'contracts') }}\n"
        "{% if is_incremental() %}\n"
        "where signed_on > (select max(signed_on)::date from {{ this }})\n"
        "{% endif %}\n"
    )
    (root / "models" / "silver" / "tenants.sql").write_text("select id, name from {{ ref('stg_tenants') }}\n")
    (root / "macros" / "cents_to_amount.sql").write_text(
        "{% macro cents_to_amount(column) %}({{ column }} / 100){% endmacro %}\n"
    )
    package = root / "dbt_packages" / "safeguard"
    package.mkdir(parents=True)
    shutil.copy(REPO / "dbt_project.yml", package / "dbt_project.yml")
    shutil.copytree(REPO / "macros", package / "macros")
    return root


def safeguard_lint(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SQLFLUFF")}
    return subprocess.run(
        [sys.executable, "-c", "from dbt_safeguard.cli.main import main; raise SystemExit(main())", "lint", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=300,
    )


def _findings(result, root: Path):
    lines = [line for line in result.stdout.splitlines() if ": " in line]
    return sorted((os.path.relpath(line.split(":")[0], root), line.split(": ")[1].split()[0]) for line in lines)


def test_lint_in_a_project_without_sqlfluff_config_uses_its_model_and_macro_paths(user_project):
    assert not (user_project / ".sqlfluff").exists()
    result = safeguard_lint(user_project)
    assert "Traceback" not in result.stderr and "No dialect" not in result.stderr, result.stderr
    assert result.returncode == 1, result.stdout + result.stderr
    # Only the incremental branch casts with ::, the project's own macro and
    # the package's macros render, and the hooks in dbt_project.yml lint clean.
    assert _findings(result, user_project) == [("models/silver/contracts.sql", "SG01")]
    assert "incremental only" in result.stdout
    assert "4 files" in result.stderr  # 2 models, 1 macro, dbt_project.yml


def test_lint_from_a_subfolder_finds_the_project_above(user_project):
    result = safeguard_lint(user_project / "models" / "silver")
    assert result.returncode == 1, result.stdout + result.stderr
    assert _findings(result, user_project) == [("models/silver/contracts.sql", "SG01")]


def test_lint_with_the_documented_sqlfluff_template(user_project):
    (user_project / ".sqlfluff").write_text(SQLFLUFF_TEMPLATE)
    result = safeguard_lint(user_project)
    assert result.returncode == 1, result.stdout + result.stderr
    assert _findings(result, user_project) == [("models/silver/contracts.sql", "SG01")]


def test_lint_outside_any_dbt_project_says_what_to_pass(tmp_path):
    result = safeguard_lint(tmp_path)
    assert result.returncode == 1
    assert "no dbt_project.yml" in result.stderr and "Traceback" not in result.stderr
