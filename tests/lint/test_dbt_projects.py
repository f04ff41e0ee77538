"""Real dbt project shapes lint clean, every dbt block tag renders, and a
snapshot's SQL is checked like a model's.

tests/lint/dbt_projects/rentals is written here in the shapes public MySQL
dbt projects use (snapshots of both strategies, grouped CTEs grouped again,
window functions, LATERAL and JSON_TABLE, recursive CTEs, a Jinja-heavy
incremental, dbt_utils-style macros, a custom materialization, a generic
test, a docs block, model versions, config() set in YAML). It must have no
finding at all: any finding there is a false alarm.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from dbt_safeguard.lint.project_linter import ProjectLinter

RENTALS = Path(__file__).parent / "dbt_projects" / "rentals"


@pytest.fixture
def in_rentals(monkeypatch):
    monkeypatch.chdir(RENTALS)
    monkeypatch.delenv("SQLFLUFF_CONFIG", raising=False)
    return RENTALS


def test_public_project_shapes_lint_without_any_finding(in_rentals):
    linter = ProjectLinter()
    report = linter.lint(linter.default_paths())
    assert linter.grammar_unavailable is None  # CI has the grammar: it checked every rendering
    assert [f.format() for f in report.findings] == []
    linted = {os.path.relpath(p, RENTALS) for p in _sql_files(RENTALS)}
    assert {"snapshots/contracts_snapshot.sql", "snapshots/tenants_snapshot.sql", "macros/docs.sql"} <= linted
    assert report.files == len(linted) + 1  # and dbt_project.yml
    assert report.renderings >= report.files


def _sql_files(root: Path):
    for folder in ("models", "snapshots", "macros"):
        yield from (str(p) for p in (root / folder).rglob("*") if p.suffix in (".sql", ".yml"))


SNAPSHOTS = {
    "timestamp": "{{ config(unique_key='id', strategy='timestamp', updated_at='updated_at') }}",
    "check": "{{ config(unique_key='id', strategy='check', check_cols='all') }}",
}


@pytest.mark.parametrize("strategy", sorted(SNAPSHOTS))
def test_finding_inside_a_snapshot_is_reported_at_its_line(in_rentals, tmp_path, strategy):
    snapshot = tmp_path / "snapshots" / f"{strategy}_snapshot.sql"
    snapshot.parent.mkdir()
    snapshot.write_text(
        f"{{% snapshot {strategy}_snapshot %}}\n"
        f"{SNAPSHOTS[strategy]}\n"
        "select id, null::date as valid_to, updated_at\n"
        "from {{ source('crm', 'contracts') }}\n"
        "{%- endsnapshot %}\n"
    )
    findings, renderings = ProjectLinter().lint_file(str(snapshot))
    assert [(f.code, f.line, f.pos) for f in findings] == [("SG01", 3, 16)]
    assert renderings == 1


@pytest.mark.parametrize(
    "text",
    [
        "{% snapshot s %}\nselect id from t\n{% endsnapshot %}\n",
        "{%- snapshot s -%}\nselect id from t\n{%- endsnapshot -%}\n",
        "{% docs about_t %}\nMarkdown, with \"quotes\" and a stray ( bracket.\n{% enddocs %}\nselect 1 as a\n",
        "{% test not_negative(model, column_name) %}\nselect * from {{ model }} where {{ column_name }} < 0\n{% endtest %}\n",
        "{% materialization noop, default %}\n{{ return({'relations': []}) }}\n{% endmaterialization %}\n",
        "{% call statement('main', fetch_result=True) %}\nselect 1 as a\n{% endcall %}\n",
        "{% macro m(a) %}\nselect {{ a }} as a\n{% endmacro %}\n",
    ],
    ids=["snapshot", "snapshot_trimmed", "docs", "test", "materialization", "call", "macro"],
)
def test_every_dbt_block_tag_renders_without_a_templating_error(in_rentals, tmp_path, text):
    model = tmp_path / "block.sql"
    model.write_text(text)
    findings, _ = ProjectLinter().lint_file(str(model))
    assert [f.format() for f in findings] == []


def test_versioned_model_refs_render(in_rentals, tmp_path):
    model = tmp_path / "uses_versions.sql"
    model.write_text(
        "select a.tenant_id from {{ ref('stg_tenants', v=1) }} as a\n"
        "join {{ ref('stg_tenants', version=2) }} as b on b.tenant_id = a.tenant_id\n"
    )
    findings, _ = ProjectLinter().lint_file(str(model))
    assert [f.format() for f in findings] == []


def test_model_materialized_as_table_in_yaml_renders_only_its_full_build(tmp_path, monkeypatch):
    # dbt never renders the is_incremental() branch of a model that its
    # properties YAML makes a table: SQL there never runs and is not linted.
    project = tmp_path / "rentals"
    shutil.copytree(RENTALS, project)
    monkeypatch.chdir(project)
    model = project / "models" / "history" / "extra.sql"  # the folder makes it incremental
    model.write_text("select id from t\n{% if is_incremental() %}where x || y{% endif %}\n")
    linter = ProjectLinter()
    assert [f.code for f in linter.lint_file(str(model))[0]] == ["SG02"]
    (project / "models" / "history" / "_extra.yml").write_text(
        "version: 2\nmodels:\n  - name: extra\n    config:\n      materialized: table\n"
    )
    assert [f.format() for f in ProjectLinter().lint_file(str(model))[0]] == []
