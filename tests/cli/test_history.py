"""`safeguard history`: what each night did to each protected table, from the catalog.

A small project lives through seven nights on the session's server: two
ordinary ones, one refused by the audit, one failed and rolled back, one
killed and recovered, one allowed through (its pre-run table pinned), and a
restore. The terminal lines, the JSON events and the page are checked
against the catalog's own rows; the page is rendered in headless Chromium.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from dbt_safeguard.cli.main import EXIT_FAILURE, main

from safeguard_testing.browser import render
from safeguard_testing.small_project import SmallProject

pytestmark = pytest.mark.slow
PROTECT = "meta={'safeguard': {'protect': true}}"
GRACE = 3  # seconds of silence after which a killed plain run counts as dead
# Work the server goes on with after its client is gone; about 5 minutes
# at most, so a test that fails before it KILLs it cannot hold a core for long.
BUSY = "select benchmark(1000000000, md5('safeguard-history'))"


def fill(project: SmallProject, first: int, last: int) -> None:
    project.sql.execute(f"INSERT INTO `{project.source}`.`events` SELECT seq, seq % 7 FROM `{project.source}`.seq_{first}_to_{last}")


def set_vars(project: SmallProject, **values) -> None:
    path = project.root / "dbt_project.yml"
    config = yaml.safe_load(path.read_text())
    config.setdefault("vars", {}).update(values)
    path.write_text(yaml.safe_dump(config, sort_keys=False))


def kill_during_late_model(project: SmallProject) -> str:
    """A plain `dbt run` SIGKILLed while a model after the protected ones runs; returns its invocation."""
    project.write_model("zz_late", "select count(*) as n from {{ ref('orders') }} cross join {{ ref('history') }}",
                        f"materialized='table', pre_hook=\"{BUSY}\"")
    dbt = str(Path(sys.executable).parent / "dbt")
    env = {**os.environ, **project.settings.as_env(), "SAFEGUARD_SCHEMA_PREFIX": project.prefix,
           "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    process = subprocess.Popen([dbt, "run", "--project-dir", str(project.root), "--profiles-dir", str(project.root)],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    busy = []
    while not busy:
        assert process.poll() is None and time.monotonic() < deadline, "the run never reached its late model"
        time.sleep(0.2)
        busy = project.sql.rows("SELECT id FROM information_schema.processlist WHERE info LIKE %s "
                                "AND id <> CONNECTION_ID()", ("%safeguard-history%",))
    invocation = project.sql.scalar(f"SELECT invocation_id FROM `{project.catalog_schema}`.safeguard_run_lease")
    process.send_signal(signal.SIGKILL)
    process.wait()
    # The server goes on with a killed client's statement; once it ends (here
    # at once), the run is provably dead after its heartbeat's grace.
    project.sql.execute(f"KILL QUERY {int(busy[0][0])}")
    (project.root / "models" / "zz_late.sql").unlink()
    return invocation


@pytest.fixture(scope="module")
def nights(tmp_path_factory, server, schema_prefix):
    """The project after its seven nights, and what each night's invocation was."""
    project = SmallProject(tmp_path_factory.mktemp("history") / "project", server, f"{schema_prefix}hist_")
    set_vars(project, safeguard_heartbeat_grace_seconds=GRACE)
    project.sql.execute(f"CREATE TABLE `{project.source}`.`events` (id INT PRIMARY KEY, tenant INT NOT NULL)")
    source = f"`{project.source}`.`events`"
    project.write_model("orders", f"select id, tenant from {source}", f"materialized='table', {PROTECT}")
    project.write_model("history", f"select id, tenant from {source}"
                        "{% if is_incremental() %} where id > (select max(id) from {{ this }}){% endif %}",
                        f"materialized='incremental', unique_key='id', {PROTECT}")
    ids = {}
    fill(project, 1, 100)
    ids["first"] = project.run()
    fill(project, 101, 110)
    ids["ordinary"] = project.run()
    project.sql.execute(f"DELETE FROM {source} WHERE id > 5")  # a partial export: orders would shrink
    ids["refused"] = project.run()
    fill(project, 6, 120)
    project.write_model("orders", f"select id, tenant from {source}",
                        f"materialized='table', {PROTECT}, post_hook='select * from no_such_table'")
    ids["rolled_back"] = project.run()
    project.write_model("orders", f"select id, tenant from {source}", f"materialized='table', {PROTECT}")
    fill(project, 121, 130)
    killed = kill_during_late_model(project)
    time.sleep(GRACE + 1)
    ids["recover"] = project.dbt("run-operation", "safeguard.recover_run")
    project.sql.execute(f"DELETE FROM {source} WHERE id > 10")
    ids["allowed"] = project.run("--vars", "{safeguard_allow: [orders]}")
    outcomes = {name: outcome.success for name, outcome in ids.items()}
    assert outcomes == {"first": True, "ordinary": True, "refused": False, "rolled_back": False,
                        "recover": True, "allowed": True}, {k: v.log[-2000:] for k, v in ids.items() if not v.success}
    invocations = {name: outcome.invocation_id for name, outcome in ids.items()}
    invocations["killed"] = killed
    yield project, invocations
    project.sql.drop_schemas(project.prefix)
    project.close()


@pytest.fixture
def safeguard(nights, capsys, monkeypatch):
    project, _ = nights
    settings = project.settings
    monkeypatch.setenv("SAFEGUARD_SCHEMA_PREFIX", project.prefix)
    connection = ["--host", settings.host, "--port", str(settings.port), "--user", settings.user,
                  "--adapter-type", settings.adapter_type, "--project-dir", str(project.root)]

    def run(*args: str):
        capsys.readouterr()
        code = main(["history", *args, *connection])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def lines_of(out: str, table: str):
    """The run lines of one table's block, by invocation prefix."""
    block = out.split(table + "\n", 1)[1].split("\n\n", 1)[0]
    return {line.split()[2]: line for line in block.splitlines() if re.match(r"\s+\d{4}-\d\d-\d\d ", line)}


def test_history_tells_each_night_of_each_protected_table(nights, safeguard):
    project, ids = nights
    code, out, err = safeguard()
    assert code == 0, err
    orders = lines_of(out, f"{project.gold}.orders")
    line = lambda name: orders[ids[name][:8]]  # noqa: E731
    assert " published " in line("ordinary") and "100 → 110" in line("ordinary")
    assert " REFUSED " in line("refused") and "110 → 5" in line("refused")
    assert "−95.45 %" in line("refused") and "limit −" in line("refused")
    assert " FAILED, ROLLED BACK " in line("rolled_back") and "finish_run put back backup" in line("rolled_back")
    assert " KILLED, RECOVERED " in line("killed")
    assert " PUBLISHED (ALLOWED) " in line("allowed") and "(pinned)" in line("allowed")
    assert "allowed by" in line("allowed")
    history = lines_of(out, f"{project.gold}.history")
    assert " KILLED, RECOVERED " in history[ids["killed"][:8]]
    assert f"{project.gold}.orders\n" in out and re.search(r"\n  rows  [▁▂▃▄▅▆▇█ ]+  ", out)
    assert "SUMMARY" in err


def test_a_restore_is_a_night_of_its_own(nights, safeguard, capsys, monkeypatch):
    project, ids = nights
    monkeypatch.chdir(project.root)
    monkeypatch.setenv("SAFEGUARD_SCHEMA_PREFIX", project.prefix)
    settings = project.settings
    before = project.count("orders")
    code = main(["restore", f"{project.gold}.orders", "--host", settings.host, "--port", str(settings.port),
                 "--user", settings.user, "--adapter-type", settings.adapter_type])
    assert code == 0, capsys.readouterr()
    restored = project.count("orders")
    code, out, err = safeguard(f"{project.gold}.orders")
    assert code == 0, err
    last = out.split("\n  rows")[0].splitlines()[-1]
    assert " RESTORED " in last and " restore " in last and f"{before:,} → {restored:,}" in last


def test_nights_keeps_only_the_recent_runs_by_the_servers_clock(nights, safeguard):
    project, ids = nights
    catalog = f"`{project.catalog_schema}`"
    for table in ("safeguard_audits", "safeguard_backups"):
        project.sql.execute(f"UPDATE {catalog}.{table} SET created_at = created_at - INTERVAL 10 DAY "
                            "WHERE invocation_id = %s", (ids["first"],))
    code, out, err = safeguard("--nights", "5")
    assert code == 0, err
    assert ids["first"][:8] not in out and ids["ordinary"][:8] in out
    code, out, err = safeguard("--nights", "30")
    assert ids["first"][:8] in out


def test_json_has_one_event_per_run_with_its_numbers(nights, safeguard):
    project, ids = nights
    code, out, err = safeguard(f"{project.gold}.orders", "--log-format", "json")
    assert code == 0, err
    events = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    runs = {e["invocation_id"]: e for e in events if e.get("event") == "history"}
    refused = runs[ids["refused"]]
    assert refused["outcome"] == "refused" and (refused["rows_before"], refused["rows_after"]) == (110, 5)
    assert refused["table"] == f"{project.gold}.orders"
    assert runs[ids["allowed"]]["pinned"] is True


def test_an_unknown_table_names_the_protected_ones(nights, safeguard):
    project, _ = nights
    code, out, err = safeguard("gold.nope")
    assert code == EXIT_FAILURE
    assert "no history of gold.nope" in err and f"{project.gold}.orders" in err


def test_the_page_shows_the_numbers_and_renders_offline_without_errors(nights, safeguard, tmp_path):
    project, ids = nights
    page = tmp_path / "history.html"
    code, out, err = safeguard("--html", str(page))
    assert code == 0, err
    text = page.read_text()
    assert "<script" not in text and "http://" not in text and "https://" not in text
    orders_section = text.split(f"{project.gold}.orders", 2)[2]
    assert orders_section.count('class="badge refused"') >= 1 and "110</td>" in orders_section
    assert f"safeguard restore {project.gold}.orders --ts " in orders_section
    assert '<path transform="translate(' in orders_section  # a marker on the refused night
    report = render(page, tmp_path / "history.png")
    assert report.console == [], report.console
    assert report.requests == [], report.requests
    assert report.screenshot.stat().st_size > 10_000


# The release before the audit and the run history: its catalog has no
# safeguard_audits table and fewer columns.
PREVIOUS_VERSION = "66ebf80"


def test_a_catalog_of_the_previous_version_is_migrated_in_place(tmp_path, server, schema_prefix, capsys):
    from safeguard_testing.harness import REPO_ROOT

    old = tmp_path / "previous"
    old.mkdir()
    archive = subprocess.run(["git", "-C", str(REPO_ROOT), "archive", PREVIOUS_VERSION, "dbt_project.yml", "macros"],
                             capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
    project = SmallProject(tmp_path / "project", server, f"{schema_prefix}migr_")
    try:
        packages = project.root / "packages.yml"
        current = packages.read_text()
        packages.write_text(f"packages:\n  - local: {old}\n")
        assert project.dbt("deps").success
        project.sql.execute(f"CREATE TABLE `{project.source}`.`events` (id INT PRIMARY KEY, tenant INT NOT NULL)")
        fill(project, 1, 50)
        project.write_model("orders", f"select id, tenant from `{project.source}`.`events`",
                            f"materialized='table', {PROTECT}")
        first, second = project.run(), project.run()
        assert first.success and second.success, second.log[-2000:]
        assert not project.sql.table_exists(project.catalog_schema, "safeguard_audits")
        old_rows = project.catalog("invocation_id = %s", (second.invocation_id,))
        assert old_rows, "the previous version backed up orders"

        packages.write_text(current)
        for folder in ("dbt_packages", "target"):  # `dbt clean`, as an upgrade does
            shutil.rmtree(project.root / folder, ignore_errors=True)
        assert project.dbt("deps").success
        fill(project, 51, 60)
        third = project.run()
        assert third.success, third.log[-2000:]
        assert project.sql.table_exists(project.catalog_schema, "safeguard_audits")
        assert project.catalog("invocation_id = %s", (second.invocation_id,)) == old_rows  # kept as they were

        settings = project.settings
        capsys.readouterr()
        code = main(["history", f"{project.gold}.orders", "--catalog-schema", project.catalog_schema,
                     "--host", settings.host, "--port", str(settings.port), "--user", settings.user])
        out, err = capsys.readouterr()
        assert code == 0, err
        lines = lines_of(out, f"{project.gold}.orders")
        assert " backed up " in lines[second.invocation_id[:8]] and "50 → ?" in lines[second.invocation_id[:8]]
        assert " published " in lines[third.invocation_id[:8]] and "50 → 60" in lines[third.invocation_id[:8]]
    finally:
        project.sql.drop_schemas(project.prefix)
        project.close()
