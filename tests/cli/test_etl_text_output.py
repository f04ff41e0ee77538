"""`safeguard etl` in text mode: one line per model by default, dbt's full detail on failure or with -v."""
from __future__ import annotations

import re
import shutil

import pytest

from dbt_safeguard.cli.main import EXIT_FAILURE, main

from safeguard_testing import oltp_dump
from safeguard_testing.harness import copy_reference_project

pytestmark = pytest.mark.slow
BANNER = "This version of dbt is deprecated"
MODELS = 12  # dbt/models: 5 staging views, 2 silver, 5 gold


@pytest.fixture(scope="module")
def etl(server, schema_prefix, tmp_path_factory):
    root = tmp_path_factory.mktemp("etl_text")
    project = copy_reference_project(root)
    dumps = {day: oltp_dump.write_dump(day, root / f"day{day}.sql.gz", server, size=60).path for day in (1, 2, 3)}
    inbox = root / "inbox"
    inbox.mkdir()
    prefix = f"{schema_prefix}etltext_"

    def run(day: int, *extra: str):
        shutil.copy(dumps[day], inbox / dumps[day].name)
        return main(["etl", "--dump-uri", str(inbox), "--project-dir", str(project), "--schema-prefix", prefix,
                     "--host", server.host, "--port", str(server.port), "--user", server.user, "--no-metrics",
                     *extra])

    run.project = project
    run.prefix = prefix
    return run


def test_default_text_view_is_one_line_per_model_and_the_banner_once(etl, capsys):
    code = etl(1)
    err = capsys.readouterr().err
    assert code == 0, err
    node_lines = [line for line in err.splitlines() if re.search(r"\] dbt +run +success ", line)]
    assert len(node_lines) == MODELS
    assert err.count(BANNER) <= 1  # dbt says it on seed, run and test
    assert " START sql " not in err and "Finished running" not in err  # dbt's own progress lines stay out
    assert "\x1b[" not in err  # dbt runs with --no-use-colors: no escape codes in a log
    assert re.search(r"\] dbt +test +\d+ of \d+ tests passed", err)


def test_verbose_text_view_has_every_dbt_line(etl, capsys):
    code = etl(2, "-v")
    err = capsys.readouterr().err
    assert code == 0, err
    assert " START sql " in err and "Finished running" in err


def test_failure_shows_the_full_detail_and_the_cause(etl, capsys):
    model = etl.project / "models" / "silver" / "tenant_status_history.sql"
    original = model.read_text()
    # A failure only running it shows (error 1242): preflight lets it through to dbt run.
    model.write_text("{{ config(pre_hook='select (select 1 union all select 2) as two_rows') }}\n" + original)
    try:
        code = etl(3)
    finally:
        model.write_text(original)
    err = capsys.readouterr().err
    assert code == EXIT_FAILURE
    history = f"{etl.prefix}silver.tenant_status_history"
    assert re.search(rf"\] dbt +run +error +{re.escape(history)}: Database Error .*1242", err)
    assert "DETAIL   dbt run failed; its other lines follow" in err and " START sql " in err
    (error,) = [line for line in err.splitlines() if line.startswith("safeguard: ERROR")]
    assert "dbt run failed: tenant_status_history" in error and "1242" in error and "not archived" in error
    assert err.index(error) < err.index("SUMMARY  failure")
