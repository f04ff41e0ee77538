"""`safeguard etl` end to end on the reference project: day 1, day 2, a failure, a second ETL."""
from __future__ import annotations

import gzip
import json
import logging
import os
import shutil
import subprocess
import sys
import time
import uuid

import pytest

from dbt_safeguard.cli.main import main
from dbt_safeguard.dbt_invoker import DbtInvoker
from dbt_safeguard.etl import lock_name

from safeguard_testing import oltp_day, oltp_dump
from safeguard_testing.harness import Sql, copy_reference_project
from safeguard_testing.reference_warehouse import PROTECTED

SIZE = 80
FAILS_AT_RUNTIME = "{{ config(pre_hook='select (select 1 union all select 2) as two_rows') }}\n"
# Case 5 of issue 15 (the seed incident's orphan comma): only the full-refresh branch breaks.
ORPHAN_COMMA = ("    cross join snapshot_day\n)\n\n{%- if is_incremental() %},",
                "    cross join snapshot_day\n),\n\n{%- if is_incremental() %}")
pytestmark = pytest.mark.slow


def load_with_client(server, dump, schema):
    """`mariadb schema < dump`: the reference the loader's result is compared with."""
    etl_sql = Sql(server)
    try:
        etl_sql.execute(f"CREATE DATABASE `{schema}` CHARACTER SET utf8mb4")
    finally:
        etl_sql.close()
    client = shutil.which("mariadb") or shutil.which("mysql")
    with gzip.open(dump, "rb") as stream:
        subprocess.run([client, "--no-defaults", "--protocol=tcp", f"--host={server.host}", f"--port={server.port}",
                        f"--user={server.user}", "--default-character-set=utf8mb4", schema],
                       input=stream.read(), env={**os.environ, "MYSQL_PWD": server.password}, check=True)


class Etl:
    """The reference project, dumps of days 1-3 and one schema prefix for this module."""

    def __init__(self, server, root, prefix):
        self.server, self.root, self.prefix = server, root, prefix
        self.project = copy_reference_project(root)
        self.inbox = root / "inbox"
        self.inbox.mkdir()
        self.dumps = {}
        self.sql = Sql(server)

    def dump(self, day: int):
        path = self.root / f"day{day}.sql.gz"
        if day not in self.dumps:
            oltp_dump.write_dump(day, path, self.server, size=SIZE)
            self.dumps[day] = path
        return path

    def args(self, *extra, dump_uri=None, project_dir=None):
        return [
            "etl", "--dump-uri", dump_uri or str(self.inbox), "--project-dir", project_dir or str(self.project),
            "--schema-prefix", self.prefix, "--host", self.server.host, "--port", str(self.server.port),
            "--user", self.server.user, "--log-format", "json", "--job-name", "test-etl", *extra,
        ]

    def protected(self):
        return [(self.prefix + schema, table) for schema, table in PROTECTED]

    def snapshot(self):
        return {
            f"{s}.{t}": (self.sql.checksum(s, t), self.sql.table_rows(s, t))
            for s, t in self.protected() if self.sql.table_exists(s, t)
        }


@pytest.fixture(scope="module")
def etl(server, schema_prefix, tmp_path_factory):
    prefix = f"{schema_prefix}etl{uuid.uuid4().hex[:4]}_"
    env = Etl(server, tmp_path_factory.mktemp("etl"), prefix)
    assert DbtInvoker(env.project, server, extra_env={"SAFEGUARD_SCHEMA_PREFIX": prefix}).invoke("deps").success
    yield env
    env.sql.drop_schemas(prefix)
    env.sql.close()


def run_etl(args, capsys):
    """Exit code, the JSON log events and the job's EMF lines of one `safeguard etl`."""
    code, events, metrics, _tables = run_etl_with_tables(args, capsys)
    return code, events, metrics


def run_etl_with_tables(args, capsys):
    """run_etl, and the per-table EMF lines (dimension Table) by table."""
    code = main(args)
    captured = capsys.readouterr()
    lines = [json.loads(line) for line in captured.out.splitlines()]  # every line is one JSON object
    events = [line for line in lines if "_aws" not in line]
    metrics = [line for line in lines if "_aws" in line and "Table" not in line]
    tables = {line["Table"]: line for line in lines if "_aws" in line and "Table" in line}
    logging.getLogger("safeguard").handlers.clear()
    return code, events, metrics, tables


def run_etl_with_history(etl, capsys, edit):
    """One `safeguard etl` with silver/tenant_status_history.sql changed by `edit` (its text -> new text)."""
    model = etl.project / "models" / "silver" / "tenant_status_history.sql"
    original = model.read_text()
    changed = edit(original)
    assert changed != original, "the edit changed nothing"
    model.write_text(changed)
    try:
        return run_etl(etl.args(), capsys)
    finally:
        model.write_text(original)


def summary_of(events):
    (summary,) = [e for e in events if e["event"] == "etl_summary"]
    return summary


def test_day_one_then_day_two_load_back_up_and_archive(etl, server, capsys, s3):
    shutil.copy(etl.dump(1), etl.inbox / "day1.sql.gz")
    page = etl.root / "reports" / "history.html"

    code, events, metrics, tables = run_etl_with_tables(etl.args("--history-uri", str(page)), capsys)

    summary = summary_of(events)
    assert code == 0, summary["error"]
    assert summary["status"] == "success"
    assert {name: step["status"] for name, step in summary["steps"].items()} == {
        "download": "success", "deps": "skipped", "lease": "success", "load": "success", "drop_empty_tables": "skipped",
        "preflight": "success", "seed": "success", "run": "success", "test": "success", "archive": "success",
    }
    assert summary["rows_loaded"] == sum(summary["tables_loaded"].values()) > 0
    assert summary["dbt"]["run"]["success"] and summary["dbt"]["test"]["success"]
    assert not (etl.inbox / "day1.sql.gz").exists()
    assert (etl.inbox / "archive" / "day1.sql.gz").exists()
    # the staging tables hold exactly what the mariadb client loads from the same dump
    reference = etl.prefix + "client_day1"
    load_with_client(server, etl.dump(1), reference)
    for table in oltp_day.TABLES:
        assert etl.sql.checksum(etl.prefix + "staging", table) == etl.sql.checksum(reference, table)
    (metric,) = metrics
    assert (metric["EtlSuccess"], metric["EtlFailure"], metric["Job"]) == (1, 0, "test-etl")
    assert metric["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "DbtSafeguard"
    # One EMF line per protected table: its rows and its outcome, tonight a first build.
    assert set(tables) == {f"{schema}.{table}" for schema, table in etl.protected()}
    for name, line in tables.items():
        schema, table = name.split(".")
        assert line["TableRows"] == etl.sql.scalar(f"SELECT COUNT(*) FROM `{schema}`.`{table}`"), name
        assert (line["Published"], line["AuditRefused"], line["RolledBack"], line["Job"]) == (1, 0, 0, "test-etl")
    # The history page the night wrote shows every protected table.
    text = page.read_text()
    assert all(f"{schema}.{table}" in text for schema, table in etl.protected())

    # Day 2 arrives in S3, and the dbt project is fetched from S3 too.
    s3.client.upload_file(str(etl.dump(2)), s3.bucket, "oltp/day2.sql.gz")
    for path in etl.project.rglob("*"):
        if path.is_file() and "dbt_packages" not in path.parts and "target" not in path.parts:
            s3.client.upload_file(str(path), s3.bucket, "project/" + str(path.relative_to(etl.project)))
    code, events, metrics = run_etl(
        etl.args("--history-uri", f"s3://{s3.bucket}/reports/",
                 dump_uri=f"s3://{s3.bucket}/oltp/", project_dir=f"s3://{s3.bucket}/project/"), capsys
    )

    summary = summary_of(events)
    assert code == 0, summary["error"]
    assert summary["dump"] == f"s3://{s3.bucket}/oltp/day2.sql.gz"
    assert s3.keys("oltp/") == ["oltp/archive/day2.sql.gz"]
    written = s3.client.get_object(Bucket=s3.bucket, Key="reports/safeguard-history.html")["Body"].read().decode()
    assert all(f"{schema}.{table}" in written for schema, table in etl.protected())
    assert written.count(">published</span>") >= 2 * len(etl.protected())  # two published nights each
    backups = summary["backups"]
    assert {(b["source_schema"], b["source_table"]) for b in backups} == set(etl.protected())
    assert all(b["status"] == "verified" for b in backups)
    assert metrics[0]["BackupsTaken"] == len(backups) and metrics[0]["RowsLoaded"] == summary["rows_loaded"]
    assert etl.sql.checksum(etl.prefix + "staging", "tenants") != etl.sql.checksum(reference, "tenants")


def test_failing_model_stops_the_run_keeps_protected_tables_and_the_dump(etl, capsys):
    # The module's earlier test built days 1 and 2; without them this test
    # would prove nothing, so their absence is a failure, not a skip.
    assert etl.sql.table_exists(etl.prefix + "silver", "tenant_status_history"), "needs the day 1 / day 2 run above"
    shutil.copy(etl.dump(3), etl.inbox / "day3.sql.gz")
    before = etl.snapshot()
    # A failure only running it shows (a scalar subquery of two rows, error
    # 1242): preflight, which resolves names without running, lets it through.
    code, events, metrics = run_etl_with_history(etl, capsys, lambda text: FAILS_AT_RUNTIME + text)

    summary = summary_of(events)
    assert code == 1 and summary["status"] == "failure"
    assert "tenant_status_history" in summary["error"] and "not archived" in summary["error"]
    assert summary["steps"]["run"]["status"] == "failure" and "test" not in summary["steps"]
    assert "archive" not in summary["steps"]
    assert (etl.inbox / "day3.sql.gz").exists()
    after = etl.snapshot()
    history = f"{etl.prefix}silver.tenant_status_history"
    assert after[history] == before[history]
    assert summary["dbt"]["run"]["nodes"].get("error") == 1
    (metric,) = metrics
    assert (metric["EtlSuccess"], metric["EtlFailure"]) == (0, 1)


def tables_outside(sql, prefix, schema):
    """Every table under the prefix but in `schema` and the load's `<schema>_previous`, with its checksum."""
    rows = sql.rows("SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema LIKE %s"
                    " AND table_schema NOT IN (%s, %s) AND table_type = 'BASE TABLE'",
                    (prefix.replace("_", "\\_") + "%", schema, schema + "_previous"))
    return {f"{s}.{t}": sql.checksum(s, t) for s, t in sorted(rows)}


def test_preflight_failure_stops_before_dbt_seed_with_only_staging_loaded(etl, server, capsys):
    assert etl.sql.table_exists(etl.prefix + "silver", "tenant_status_history"), "needs the day 1 / day 2 run above"
    shutil.copy(etl.dump(3), etl.inbox / "day3.sql.gz")
    staging = etl.prefix + "staging"
    etl.sql.execute(f"UPDATE `{staging}`.tenants SET full_name = 'changed since the dump'")
    others = tables_outside(etl.sql, etl.prefix, staging)
    code, events, metrics = run_etl_with_history(etl, capsys, lambda text: text.replace(*ORPHAN_COMMA))

    summary = summary_of(events)
    assert code == 1 and summary["status"] == "failure"
    steps = {name: step["status"] for name, step in summary["steps"].items()}
    assert steps["load"] == "success" and steps["preflight"] == "failure"
    assert "seed" not in steps and "run" not in steps and "archive" not in steps
    (error,) = [e["message"] for e in events if e["event"] == "error"]
    assert error.startswith("preflight: ") and "tenant_status_history full-refresh branch" in error
    assert "1064" in error and "stopped before dbt seed" in error and summary["error"] == error
    # staging holds the dump (as the mariadb client loads it), and nothing else changed
    reference = etl.prefix + "client_day3"
    load_with_client(server, etl.dump(3), reference)
    for table in oltp_day.TABLES:
        assert etl.sql.checksum(staging, table) == etl.sql.checksum(reference, table)
    etl.sql.execute(f"DROP DATABASE `{reference}`")
    assert tables_outside(etl.sql, etl.prefix, staging) == others
    assert (etl.inbox / "day3.sql.gz").exists()
    (metric,) = metrics
    assert (metric["EtlSuccess"], metric["EtlFailure"]) == (0, 1)


def test_second_etl_is_refused_at_once_and_touches_nothing(etl, server, capsys):
    shutil.copy(etl.dump(3), etl.inbox / "day3.sql.gz")
    first = subprocess.Popen(
        [sys.executable, "-m", "dbt_safeguard.cli.main", *etl.args("--no-metrics")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while etl.sql.scalar("SELECT IS_USED_LOCK(%s)", (lock_name(etl.prefix + "staging"),)) is None:
            assert first.poll() is None and time.monotonic() < deadline, "the first ETL never took its lock"
            time.sleep(0.05)
        started = time.monotonic()
        code, events, metrics = run_etl(etl.args(), capsys)
        refused_in = time.monotonic() - started
    finally:
        first.wait(timeout=300)

    assert code == 1 and refused_in < 5
    # the cause in one clean line, then the summary; not a single step started
    assert [e["event"] for e in events] == ["error", "etl_summary"]
    assert "another safeguard ETL" in events[0]["message"] and "changed nothing" in events[0]["message"]
    assert summary_of(events)["status"] == "failure" and summary_of(events)["steps"] == {}
    # a refused night is a failed night: the alarm on EtlFailure fires
    (metric,) = metrics
    assert metric["EtlFailure"] == 1 and metric["EtlSuccess"] == 0
    assert first.returncode == 0  # the first run carried on and finished
    assert (etl.inbox / "archive" / "day3.sql.gz").exists()
