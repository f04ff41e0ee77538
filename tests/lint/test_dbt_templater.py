"""The emulated dbt context follows dbt where the lint depends on it."""
from __future__ import annotations

from dbt_safeguard.lint.dbt_context import _folder_materialization

PROJECT = {
    "name": "demo",
    "model-paths": ["models"],
    "models": {
        "demo": {
            "+materialized": "view",
            "silver": {"+materialized": "table", "history": {"+materialized": "incremental"}},
        }
    },
}


def test_folder_materialization_is_the_most_specific_setting(tmp_path):
    project_dir = str(tmp_path)
    assert _folder_materialization(PROJECT, project_dir, f"{tmp_path}/models/staging/stg.sql") == "view"
    assert _folder_materialization(PROJECT, project_dir, f"{tmp_path}/models/silver/facts.sql") == "table"
    assert _folder_materialization(PROJECT, project_dir, f"{tmp_path}/models/silver/history.sql") == "incremental"


def test_files_outside_the_model_paths_have_no_folder_materialization(tmp_path):
    assert _folder_materialization(PROJECT, str(tmp_path), f"{tmp_path}/tests/check.sql") is None
    assert _folder_materialization(PROJECT, str(tmp_path), "/elsewhere/model.sql") is None


def test_yaml_config_gives_the_materialization_and_a_version_its_own(tmp_path):
    from dbt_safeguard.lint.dbt_context import _yaml_materialization

    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "_models.yml").write_text(
        "version: 2\nmodels:\n"
        "  - name: facts\n    config:\n      materialized: table\n"
        "  - name: dim\n    config:\n      materialized: incremental\n"
        "    versions:\n      - v: 1\n        config:\n          materialized: view\n      - v: 2\n"
    )
    project = {"name": "demo", "model-paths": ["models"]}
    assert _yaml_materialization(project, str(tmp_path), f"{tmp_path}/models/facts.sql") == "table"
    assert _yaml_materialization(project, str(tmp_path), f"{tmp_path}/models/dim_v1.sql") == "view"
    assert _yaml_materialization(project, str(tmp_path), f"{tmp_path}/models/dim_v2.sql") == "incremental"
    assert _yaml_materialization(project, str(tmp_path), f"{tmp_path}/models/other.sql") is None
