"""dbt_safeguard.glue_job turns Glue job arguments into `safeguard etl`; scripts/glue_daily_etl.py only calls it."""
from __future__ import annotations

import json
import subprocess
import sys
import types

import pytest

from dbt_safeguard import glue_job

from safeguard_testing.harness import REPO_ROOT


@pytest.fixture
def glue_script():
    return glue_job


GLUE_ARGV = [
    "glue_daily_etl.py", "--JOB_NAME", "tokyobeta-prod-daily-etl", "--job-bookmark-option", "job-bookmark-disable",
    "--dump_uri", "s3://dumps/daily/", "--project_dir", "s3://dumps/dbt/", "--drop_empty_tables", "true",
    "--require_tables", "tenants,rooms", "--db_host", "aurora.example", "--db_user", "etl",
]
EXPECTED = [
    "etl", "--dump-uri", "s3://dumps/daily/", "--project-dir", "s3://dumps/dbt/", "--log-format", "json",
    "--no-progress", "--host", "aurora.example", "--user", "etl", "--job-name", "tokyobeta-prod-daily-etl",
    "--drop-empty-tables", "--require-table", "tenants", "--require-table", "rooms",
]


def test_without_awsglue_argparse_reads_the_job_arguments(glue_script):
    assert glue_script.etl_argv(glue_script.job_arguments(GLUE_ARGV)) == EXPECTED


def test_inside_glue_getresolvedoptions_reads_them(glue_script, monkeypatch):
    asked = []

    def get_resolved_options(argv, names):
        asked.extend(names)
        return {name: argv[argv.index(f"--{name}") + 1] for name in names}

    awsglue = types.ModuleType("awsglue")
    awsglue.utils = types.ModuleType("awsglue.utils")
    awsglue.utils.getResolvedOptions = get_resolved_options
    monkeypatch.setitem(sys.modules, "awsglue", awsglue)
    monkeypatch.setitem(sys.modules, "awsglue.utils", awsglue.utils)

    assert glue_script.etl_argv(glue_script.job_arguments(GLUE_ARGV)) == EXPECTED
    assert "archive_uri" not in asked  # only the optional arguments Glue was given


def test_missing_required_argument_is_a_usage_error(glue_script):
    with pytest.raises(SystemExit) as exit_:
        glue_script.job_arguments(["glue_daily_etl.py", "--dump_uri", "s3://x/"])
    assert exit_.value.code == 2


def test_glue_script_runs_the_etl_and_reports_in_json(server, s3, tmp_path, capsys, glue_script):
    # an empty prefix: the ETL takes its lock, finds no dump, and fails cleanly
    code = glue_script.main([
        "glue_daily_etl.py", "--JOB_NAME", "glue-test", "--dump_uri", f"s3://{s3.bucket}/nothing/",
        "--project_dir", str(tmp_path), "--db_host", server.host, "--db_port", str(server.port),
        "--db_user", server.user, "--schema_prefix", "glue_test_",
    ])

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 1
    (summary,) = [line for line in lines if line.get("event") == "etl_summary"]
    assert summary["status"] == "failure" and "no dump" in summary["error"]
    assert summary["steps"]["download"]["status"] == "failure"
    (metric,) = [line for line in lines if "_aws" in line]
    assert (metric["Job"], metric["EtlFailure"]) == ("glue-test", 1)


def test_glue_script_is_a_shim_over_the_module(tmp_path):
    """The job's script_location runs dbt_safeguard.glue_job.main: a bad flag is a usage error (exit 2)."""
    script = REPO_ROOT / "scripts" / "glue_daily_etl.py"
    assert len([line for line in script.read_text().splitlines() if line and not line.startswith('"""')]) <= 3
    completed = subprocess.run(
        [sys.executable, str(script), "--dump_uri", "s3://x/", "--project_dir", str(tmp_path),
         "--drop_empty_tables", "maybe"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )
    assert completed.returncode == 2, completed.stderr
    assert "expected true or false, got 'maybe'" in completed.stderr


def test_the_history_page_and_the_loaders_options_reach_the_etl(glue_script):
    argv = ["glue_daily_etl.py", "--dump_uri", "s3://d/", "--project_dir", "s3://p/",
            "--history_uri", "s3://d/reports/", "--spill_dir", "/mnt/spill",
            "--collation_map", "utf8mb4_0900_ai_ci=utf8mb4_unicode_ci,utf8mb4_0900_bin=utf8mb4_bin"]
    etl_args = glue_script.etl_argv(glue_script.job_arguments(argv))
    from dbt_safeguard.cli.main import build_parser

    parsed = build_parser().parse_args(etl_args)
    assert parsed.history_uri == "s3://d/reports/" and parsed.spill_dir == "/mnt/spill"
    assert parsed.collation_map == ["utf8mb4_0900_ai_ci=utf8mb4_unicode_ci", "utf8mb4_0900_bin=utf8mb4_bin"]
