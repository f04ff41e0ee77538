"""`safeguard restore`, `backups` and `prune` on a real server, under both adapter types.

restore and prune run the package's own macros through dbt (one
implementation: the catalog shows the macro's `replaced` and `dropped`
rows); backups reads the catalog without dbt.
"""
from __future__ import annotations

import pytest

from dbt_safeguard.cli.main import EXIT_FAILURE, EXIT_USAGE, main

from safeguard_testing import oltp_dump
from safeguard_testing.reference_warehouse import build_warehouse

pytestmark = pytest.mark.slow
HISTORY = "silver", "tenant_status_history"


@pytest.fixture(scope="module", params=["mysql", "mariadb"])
def warehouse(request, tmp_path_factory, server, schema_prefix):
    """The reference project after three nights: two verified backup sets."""
    folder = tmp_path_factory.mktemp(f"cli_dumps_{request.param}")
    dumps = {day: oltp_dump.write_dump(day, folder / f"day{day}.sql", server, size=60).path for day in (1, 2)}
    wh = build_warehouse(tmp_path_factory, server, schema_prefix + "cli", request.param, dumps)
    wh.load_day(1)
    assert wh.dbt("seed").success
    assert wh.run().success
    wh.load_day(2)
    assert wh.run().success
    wh.change_tenant_statuses(5)
    assert wh.run().success
    yield wh
    wh.sql.drop_schemas(wh.prefix)
    wh.sql.close()


@pytest.fixture
def safeguard(warehouse, monkeypatch, capsys):
    """Runs `safeguard ...` in-process in the warehouse's project: (exit code, stdout, stderr)."""
    monkeypatch.setenv("SAFEGUARD_SCHEMA_PREFIX", warehouse.prefix)
    monkeypatch.chdir(warehouse.project / "models")  # the project is found upward from here
    settings = warehouse.settings
    connection = ["--host", settings.host, "--port", str(settings.port), "--user", settings.user,
                  "--adapter-type", settings.adapter_type]

    def run(command: str, *args: str):
        capsys.readouterr()
        code = main([command, *args, *connection])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def history(warehouse):
    return warehouse.schema(HISTORY[0]), HISTORY[1]


def verified_backups(warehouse, schema, table):
    return warehouse.catalog("source_schema = %s AND source_table = %s AND kind = 'backup' AND status = 'verified'",
                             (schema, table))


def test_restore_puts_the_latest_backup_back_through_the_macro(warehouse, safeguard):
    schema, table = history(warehouse)
    latest = verified_backups(warehouse, schema, table)[-1]
    backup_rows = warehouse.sql.table_rows(latest["backup_schema"], latest["backup_table"])
    warehouse.sql.execute(f"DELETE FROM `{schema}`.`{table}` WHERE valid_to IS NULL")
    corrupted = warehouse.sql.table_rows(schema, table)

    before = warehouse.all_tables()
    code, out, err = safeguard("restore", f"{schema}.{table}", "--dry-run")
    assert code == 0, err
    assert "PLAN" in out and "rename table" in out and latest["backup_table"] in out
    assert warehouse.all_tables() == before  # a dry run changes nothing

    code, out, err = safeguard("restore", f"{schema}.{table}")
    assert code == 0, err
    assert f"RESTORE  1 of 1 {schema}.{table}" in out
    assert warehouse.sql.table_rows(schema, table) == backup_rows
    # the macro's own bookkeeping: the corrupted table is kept and catalogued, so it can be restored back
    (replaced,) = warehouse.catalog("source_schema = %s AND source_table = %s AND kind = 'replaced'", (schema, table))
    assert warehouse.sql.table_rows(replaced["backup_schema"], replaced["backup_table"]) == corrupted


def test_restore_of_an_unknown_backup_is_one_line_naming_what_exists_and_changes_nothing(warehouse, safeguard):
    schema, table = history(warehouse)
    before = warehouse.all_tables()
    code, out, err = safeguard("restore", f"{schema}.{table}", "--ts", "20250101_000000")
    assert code == EXIT_FAILURE
    (line,) = err.splitlines()
    assert line.startswith(f"safeguard: ERROR safeguard.restore_backup: no backup of {schema}.{table} at "
                           "20250101_000000; available: ")
    for backup in verified_backups(warehouse, schema, table):
        assert backup["backup_ts"] in line
    assert warehouse.all_tables() == before


def test_restore_refuses_a_table_name_that_is_not_plain_before_dbt_starts(warehouse, safeguard):
    before = warehouse.all_tables()
    code, out, err = safeguard("restore", "silver.x; drop table y")
    assert code == EXIT_USAGE
    assert err.startswith("safeguard: ERROR TABLE must be schema.table or table") and len(err.splitlines()) == 1
    assert warehouse.all_tables() == before


def test_backups_lists_the_catalog_newest_first_without_dbt(warehouse, safeguard):
    schema, table = history(warehouse)
    code, out, err = safeguard("backups", f"{schema}.{table}", "--catalog-schema", warehouse.catalog_schema)
    assert code == 0, err
    header, *lines = out.splitlines()
    assert header.split()[:3] == ["ts", "(UTC)", "kind"]
    expected = warehouse.catalog("source_schema = %s AND source_table = %s AND status <> 'dropped'", (schema, table))
    assert [line.split()[0] for line in lines] == sorted((row["backup_ts"] for row in expected), reverse=True)
    assert all(f"{schema}.{table}" in line for line in lines)
    assert f"{len(lines)} backup(s) of {schema}.{table}" in err


def test_backups_in_a_project_reads_the_projects_catalog_as_restore_does(warehouse, safeguard):
    """Another catalog on the server must not make `backups` disagree with restore and prune."""
    decoy = warehouse.prefix + "decoy_catalog"
    warehouse.sql.execute(f"CREATE DATABASE `{decoy}`")
    try:
        warehouse.sql.execute(f"CREATE TABLE `{decoy}`.safeguard_backups "
                              f"LIKE `{warehouse.catalog_schema}`.safeguard_backups")
        schema, table = history(warehouse)
        code, out, err = safeguard("backups", f"{schema}.{table}")
        assert code == 0, err
        expected = warehouse.catalog("source_schema = %s AND source_table = %s AND status <> 'dropped'",
                                     (schema, table))
        assert len(out.splitlines()) - 1 == len(expected) > 0
        assert f"in {warehouse.catalog_schema}.safeguard_backups" in err
    finally:
        warehouse.sql.execute(f"DROP DATABASE `{decoy}`")


def test_backups_of_a_table_without_any_names_the_tables_that_have_some(warehouse, safeguard):
    code, out, err = safeguard("backups", "silver.nope", "--catalog-schema", warehouse.catalog_schema)
    assert code == EXIT_FAILURE
    assert "no backup of silver.nope" in err and f"{warehouse.schema('gold')}.moveouts" in err


def test_prune_dry_run_drops_nothing_and_prune_keeps_the_newest(warehouse, safeguard):
    schema, table = "gold", "moveouts"
    schema = warehouse.schema(schema)
    assert len(verified_backups(warehouse, schema, table)) >= 2
    before = warehouse.all_tables()
    code, out, err = safeguard("prune", "--dry-run", "--retention-days", "0", "--keep-last", "1")
    assert code == 0, err
    assert "PLAN     drop" in out and "would drop" in out
    assert warehouse.all_tables() == before

    newest = verified_backups(warehouse, schema, table)[-1]
    code, out, err = safeguard("prune", "--retention-days", "0", "--keep-last", "1")
    assert code == 0, err
    (kept,) = verified_backups(warehouse, schema, table)
    assert kept["backup_table"] == newest["backup_table"]
    dropped = warehouse.catalog("source_schema = %s AND source_table = %s AND status = 'dropped'", (schema, table))
    assert dropped and not any(warehouse.sql.table_exists(row["backup_schema"], row["backup_table"])
                               for row in dropped)
