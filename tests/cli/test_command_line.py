"""What the `safeguard` command says: its version, usage errors (exit 2) and where a failure's cause goes."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from dbt_safeguard import __version__
from dbt_safeguard.cli.main import EXIT_FAILURE, EXIT_USAGE, main
from dbt_safeguard.etl import lock_name


def safeguard_binary() -> str:
    return str(Path(sys.executable).parent / "safeguard")


def test_version_names_the_tool_and_its_version():
    completed = subprocess.run([safeguard_binary(), "--version"], capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0
    assert completed.stdout.strip() == f"safeguard (dbt-safeguard) {__version__}"


def test_help_describes_the_tool_and_every_command():
    completed = subprocess.run([safeguard_binary(), "--help"], capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0
    for command in ("load", "etl", "backups", "restore", "prune", "lint"):
        assert f"\n    {command} " in completed.stdout
    assert "dispatches" not in completed.stdout  # the tool, not its implementation


@pytest.mark.parametrize("argv, message", [
    (["load", "d.sql", "--port", "99999"], "argument --port: must be a whole number from 1 to 65535, got '99999'"),
    (["etl", "--dump-uri", "x", "--project-dir", "y", "--port", "http"], "argument --port: must be a whole number"),
    (["load", "d.sql", "--workers", "0"], "argument --workers: must be a whole number of at least 1, got '0'"),
    (["etl", "--dump-uri", "x", "--project-dir", "y", "--workers", "0"], "argument --workers: must be"),
    (["prune", "--keep-last", "-1"], "argument --keep-last: must be a whole number of at least 0"),
])
def test_bad_options_are_usage_errors_about_the_option(argv, message, capsys, monkeypatch):
    monkeypatch.setenv("SAFEGUARD_DB_PORT", "3306")
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    err = capsys.readouterr().err
    assert exit_.value.code == EXIT_USAGE
    assert message in err and "SAFEGUARD_DB_PORT" not in err


def test_restore_outside_a_dbt_project_is_a_usage_error(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["restore", "silver.t"]) == EXIT_USAGE
    assert capsys.readouterr().err.startswith("safeguard: ERROR no dbt_project.yml in ")


def test_restore_in_the_package_checkout_points_at_the_project(capsys, monkeypatch):
    from safeguard_testing.harness import REPO_ROOT

    monkeypatch.chdir(REPO_ROOT / "macros")
    assert main(["restore", "silver.t"]) == EXIT_USAGE
    assert "is the safeguard package itself" in capsys.readouterr().err


def test_etl_checks_its_arguments_before_it_takes_the_lock(server, sql, schema_prefix, tmp_path, capsys):
    staging = f"{schema_prefix}argcheck_staging"
    # Another ETL holds the lock: a bad argument must still be reported as such, at once.
    sql.execute("SELECT GET_LOCK(%s, 0)", (lock_name(staging),))
    try:
        code = main(["etl", "--dump-uri", str(tmp_path), "--project-dir", str(tmp_path / "missing"),
                     "--staging-schema", staging, "--host", server.host, "--port", str(server.port),
                     "--user", server.user])
    finally:
        sql.execute("SELECT RELEASE_LOCK(%s)", (lock_name(staging),))
    out, err = capsys.readouterr()
    assert code == EXIT_USAGE
    assert err == f"safeguard: ERROR --project-dir {tmp_path / 'missing'}: no such directory " \
                  "(give the dbt project, a directory or an s3:// prefix)\n"
    assert "another safeguard ETL" not in err and out == ""  # no summary, no metrics: nothing ran


def test_etl_prints_the_cause_before_the_summary_and_the_metrics(server, schema_prefix, tmp_path, capsys):
    inbox = tmp_path / "inbox"
    inbox.mkdir()  # no dump in it: the download step fails
    code = main(["etl", "--dump-uri", str(inbox), "--project-dir", str(tmp_path), "--log-format", "json",
                 "--schema-prefix", f"{schema_prefix}cause_", "--host", server.host, "--port", str(server.port),
                 "--user", server.user])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == EXIT_FAILURE
    kinds = ["metrics" if "_aws" in line else line["event"] for line in lines]
    assert kinds.count("error") == 1  # printed once, not again by the CLI
    assert kinds.index("error") < kinds.index("etl_summary") < kinds.index("metrics")
    assert "no dump" in lines[kinds.index("error")]["message"]


def test_the_log_handler_writes_to_the_current_stderr_not_a_closed_one(monkeypatch):
    """A test (or an embedding program) replaces and closes sys.stderr: later lines must still arrive."""
    import io
    import logging

    from dbt_safeguard.run_events import configure_logging

    first = io.StringIO()
    monkeypatch.setattr(sys, "stderr", first)
    configure_logging("text")
    first.close()
    second = io.StringIO()
    monkeypatch.setattr(sys, "stderr", second)
    logging.getLogger("safeguard").info("after the swap", extra={"event": "test"})
    assert "after the swap" in second.getvalue()
    assert "Logging error" not in second.getvalue()
