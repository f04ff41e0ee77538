"""The runner renders every branch, labels branch-only findings, lints hooks,
and keeps parse errors fatal apart from a one-line waiver."""
from __future__ import annotations

import pytest

from dbt_safeguard.lint.branches import BRANCHES

from safeguard_testing.lint_helpers import at_repo_root, project_linter


@pytest.fixture(scope="module")
def linter():
    return project_linter()


def lint_model(linter, tmp_path, sql: str, name: str = "model.sql"):
    path = tmp_path / name
    path.write_text(sql)
    with at_repo_root():
        return linter.lint_file(str(path))


def test_finding_in_incremental_branch_only_is_labelled_with_it(linter, tmp_path):
    findings, _ = lint_model(
        linter,
        tmp_path,
        "{{ config(materialized='incremental') }}\n"
        "select id, updated_at from {{ ref('stg') }}\n"
        "{% if is_incremental() %}\n"
        "where updated_at > (select max(updated_at)::date from {{ this }})\n"
        "{% endif %}\n",
    )
    assert [(f.code, f.line, f.branches) for f in findings] == [("SG01", 4, ("incremental",))]
    assert "[incremental only]" in findings[0].format()


def test_finding_in_full_refresh_branch_only_is_labelled_with_it(linter, tmp_path):
    findings, _ = lint_model(
        linter,
        tmp_path,
        "select id from {{ ref('stg') }}\n"
        "{% if not is_incremental() %}\n"
        "where a || b\n"
        "{% endif %}\n",
    )
    assert [(f.code, f.line, f.branches) for f in findings] == [("SG02", 3, ("full_refresh", "first_run"))]


def test_flags_full_refresh_is_its_own_branch(linter, tmp_path):
    findings, _ = lint_model(
        linter,
        tmp_path,
        "select id from t\n{% if flags.FULL_REFRESH %}\nlimit all\n{% endif %}\n",
    )
    assert [(f.code, f.branches) for f in findings] == [("SG08", ("full_refresh",))]


def test_table_model_is_never_incremental(linter, tmp_path):
    findings, _ = lint_model(
        linter,
        tmp_path,
        "{{ config(materialized='table') }}\nselect id from t\n"
        "{% if is_incremental() %}where id::int > 0{% endif %}\n",
    )
    assert findings == []


def test_model_that_never_asks_for_the_branch_is_rendered_once(linter, tmp_path):
    findings, renderings = lint_model(linter, tmp_path, "select a || b from {{ ref('x') }}\n")
    assert renderings == 1
    assert [(f.code, f.branches) for f in findings] == [("SG02", ())]


def test_post_hook_sql_is_linted_at_its_line_in_the_model(linter, tmp_path):
    findings, _ = lint_model(
        linter,
        tmp_path,
        "{{ config(\n"
        "    materialized='incremental',\n"
        "    post_hook=\"delete from {{ this }} where id in (select id from {{ this }} where gone = 1)\"\n"
        ") }}\n"
        "select id, gone from t\n",
    )
    assert [(f.code, f.line, f.origin) for f in findings] == [("SG13", 3, "hook 1")]


def test_parse_error_fails_the_lint(linter, tmp_path):
    findings, _ = lint_model(linter, tmp_path, "select a from t\nwhere b = 1 foo bar\n")
    assert [(f.code, f.line) for f in findings] == [("PRS", 2)]


def test_one_line_parse_waiver_is_honoured(linter, tmp_path):
    findings, _ = lint_model(linter, tmp_path, "select a from t\nwhere b = 1 foo bar -- noqa: PRS\n")
    assert findings == []


def test_range_waiver_of_parse_errors_is_reported(linter, tmp_path):
    findings, _ = lint_model(linter, tmp_path, "-- noqa: disable=PRS\nselect a from t\nwhere b = 1 foo bar\n")
    assert [f.code for f in findings] == ["NOQA"]


def test_templating_error_fails_the_lint(linter, tmp_path):
    findings, _ = lint_model(linter, tmp_path, "select {{ 1 + }} from t\n")
    assert [f.code for f in findings] == ["TMP"]


def test_every_branch_is_rendered_by_default(linter):
    assert linter.branches == BRANCHES


def test_sql_a_macro_builds_in_a_set_block_is_linted(linter, tmp_path):
    findings, _ = lint_model(
        linter,
        tmp_path,
        "{% macro drop_audit_column(relation) %}\n"
        "    {%- set sql -%}\n"
        "        alter table {{ relation }}\n"
        "        drop column if exists backup_created_at\n"
        "    {%- endset -%}\n"
        "    {% do run_query(sql) %}\n"
        "{% endmacro %}\n",
        name="drop_audit_column.sql",
    )
    assert ("SG16", 4, "{% set sql %} block") in {(f.code, f.line, f.origin) for f in findings}


def test_macro_fragments_that_are_not_statements_are_left_alone(linter, tmp_path):
    findings, _ = lint_model(
        linter,
        tmp_path,
        "{% macro filtered(schema) %}\n"
        "    {%- set where -%} source_schema = {{ schema }} {%- endset -%}\n"
        "    {{ return(where) }}\n"
        "{% endmacro %}\n",
        name="filtered.sql",
    )
    assert findings == []


def test_hook_sql_in_dbt_project_yml_is_linted_at_its_line(linter, tmp_path):
    findings, _ = lint_model(
        linter,
        tmp_path,
        "name: demo\n"
        "on-run-end:\n"
        "  - \"{{ safeguard.finish_run(results) }}\"\n"
        "models:\n"
        "  demo:\n"
        "    gold:\n"
        "      +post-hook:\n"
        "        - \"delete from {{ this }} where id in (select id from {{ this }} where gone = 1)\"\n",
        name="dbt_project.yml",
    )
    assert [(f.code, f.line, f.origin) for f in findings] == [("SG13", 8, "+post-hook 2")]


def test_hook_that_calls_a_package_macro_renders_without_a_warehouse(linter, tmp_path):
    findings, _ = lint_model(
        linter,
        tmp_path,
        "on-run-start:\n  - \"{{ safeguard.create_backups() }}\"\n"
        "models:\n  demo:\n    +pre-hook: \"{{ safeguard.require_backup() }}\"\n",
        name="dbt_project.yml",
    )
    assert findings == []


@pytest.mark.parametrize("setting", [{"ignore": "parsing"}, {"ignore": "templating"}, {"warnings": "PRS"}])
def test_settings_that_would_hide_parse_errors_are_refused(tmp_path, setting):
    from sqlfluff.core import FluffConfig

    from dbt_safeguard.errors import FatalError
    from dbt_safeguard.lint.project_linter import ProjectLinter

    config = FluffConfig(
        configs={"core": {"dialect": "mysql", "templater": "safeguard_dbt", "rules": "safeguard", **setting}}
    )
    model = tmp_path / "model.sql"
    model.write_text("select a from t\nwhere b = 1 foo bar\n")
    with at_repo_root():
        with pytest.raises(FatalError, match="noqa: PRS"):
            ProjectLinter(config=config).lint_file(str(model))


def test_hook_sees_its_models_materialization_not_the_folders(tmp_path):
    """The folder says table, the model's config() says incremental: the
    post-hook's {% if is_incremental() %} branch is linted."""
    from sqlfluff.core import FluffConfig

    from dbt_safeguard.lint.project_linter import ProjectLinter

    (tmp_path / "dbt_project.yml").write_text(
        "name: demo\nmodels:\n  demo:\n    silver:\n      +materialized: table\n"
    )
    (tmp_path / "models" / "silver").mkdir(parents=True)
    model = tmp_path / "models" / "silver" / "history.sql"
    model.write_text(
        "{{ config(materialized='incremental', post_hook=\"{% if is_incremental() %}"
        "delete from {{ this }} where id in (select id from {{ this }} where gone = 1){% endif %}\") }}\n"
        "select id, gone from t\n"
    )
    config = FluffConfig(
        configs={
            "core": {"dialect": "mysql", "templater": "safeguard_dbt", "rules": "safeguard"},
            "templater": {"safeguard_dbt": {"project_dir": str(tmp_path)}},
        }
    )
    with at_repo_root():
        findings, _ = ProjectLinter(config=config).lint_file(str(model))
    assert [(f.code, f.line, f.origin, f.branches) for f in findings] == [("SG13", 1, "hook 1", ("incremental",))]


# sqlfluff 4.5's mysql dialect raises RuntimeError ("Grammar refers to the
# 'FORMATS' keyword which was not found in the mysql dialect") on this
# Snowflake grant: a statement known to trip sqlfluff.
SQLFLUFF_CRASHER = "GRANT USAGE ON ALL FILE FORMATS IN SCHEMA analytics.public TO ROLE loader"


def test_sqlfluff_internal_error_is_an_int_finding_on_its_file_and_the_run_goes_on(linter, tmp_path):
    import sys

    crashing = tmp_path / "grants.sql"
    crashing.write_text(SQLFLUFF_CRASHER + "\n")
    other = tmp_path / "model.sql"
    other.write_text("select null::date as valid_to from t\n")
    with at_repo_root():
        report = linter.lint([str(crashing), str(other)])
    by_file = {(f.path, f.code) for f in report.findings}
    assert (str(crashing), "INT") in by_file
    assert (str(other), "SG01") in by_file
    internal = next(f for f in report.findings if f.code == "INT")
    assert "RuntimeError" in internal.description and "FORMATS" in internal.description
    assert internal.line == 1
    # sqlfluff silenced tracebacks for the whole process before raising; not any more.
    assert getattr(sys, "tracebacklimit", None) != 0


def test_internal_error_in_a_hook_names_the_hook(linter, tmp_path):
    findings, _ = lint_model(
        linter,
        tmp_path,
        "{{ config(post_hook=\"" + SQLFLUFF_CRASHER + "\") }}\nselect 1 as ok\n",
    )
    assert [(f.code, f.line, f.origin) for f in findings] == [("INT", 1, "hook 1")]


def test_locking_read_after_limit_is_not_a_parse_error(linter, tmp_path):
    """sqlfluff 4.5 cannot parse `LIMIT n FOR UPDATE`; MySQL 8 runs it (manual 15.7.2.4)."""
    findings, _ = lint_model(
        linter,
        tmp_path,
        "select id from {{ ref('rooms') }} where id = 1 limit 1 for update;\n"
        "select id from {{ ref('rooms') }} order by id limit 10 for share skip locked;\n"
        "select id from {{ ref('rooms') }} limit 1 lock in share mode\n",
    )
    assert findings == []


def test_locking_read_with_a_mariadb_wait_is_still_caught(linter, tmp_path):
    findings, _ = lint_model(linter, tmp_path, "select id from t limit 1 for update wait 5\n")
    assert "SG16" in {f.code for f in findings}
