"""restore_backup and list_backups on the reference project against a real
server: exact rows back, the whole set at once, dry runs, and every bad
argument refused with nothing changed.

The tests share one warehouse per adapter type; each leaves it healthy.
"""
from __future__ import annotations

import pytest

from safeguard_testing.built_warehouse import module_warehouse


warehouse = module_warehouse("rs")


def test_restore_brings_back_exactly_the_backed_up_rows(warehouse):
    table = "tenant_status_history"
    schema = warehouse.schema("silver")
    latest = warehouse.catalog(
        "kind = 'backup' and status = 'verified' and source_table = %s", (table,)
    )[-1]
    expected = warehouse.sql.table_rows(latest["backup_schema"], latest["backup_table"])
    warehouse.sql.execute(f"DELETE FROM `{schema}`.`{table}`")  # the corruption
    live_before_restore = warehouse.sql.checksum(schema, table)

    # --args is YAML: an unquoted 20260206_070000 arrives as an integer.
    outcome = warehouse.operation("restore_backup", f"{{table: {schema}.{table}, ts: {latest['backup_ts']}}}")

    assert outcome.success, outcome.log
    assert warehouse.sql.table_rows(schema, table) == expected
    assert warehouse.sql.matches_catalog(latest, schema, table)
    replaced = warehouse.catalog("kind = 'replaced' and source_table = %s", (table,))[-1]
    assert warehouse.sql.checksum(replaced["backup_schema"], replaced["backup_table"]) == live_before_restore
    assert warehouse.sql.matches_catalog(replaced)
    restored = warehouse.catalog("backup_table = %s", (latest["backup_table"],))[0]
    assert restored["status"] == "restored"


def test_dry_run_restore_prints_the_plan_and_changes_nothing(warehouse):
    before = warehouse.all_tables()
    catalog_before = warehouse.catalog()
    schema = warehouse.schema("gold")
    outcome = warehouse.operation("restore_backup", f"{{table: {schema}.moveouts, dry_run: true}}")
    assert outcome.success, outcome.log
    assert "PLAN" in outcome.log and "rename table" in outcome.log
    assert warehouse.all_tables() == before
    assert warehouse.catalog() == catalog_before


def test_whole_set_restore_brings_back_every_table_of_the_set(warehouse):
    run = warehouse.run()
    assert run.success, run.log
    newest_set = warehouse.catalog("kind = 'backup' and status = 'verified'")[-1]["backup_ts"]
    backup_set = warehouse.catalog("kind = 'backup' and backup_ts = %s", (newest_set,))
    assert len(backup_set) == len(warehouse.protected())
    expected = {
        f"{row['source_schema']}.{row['source_table']}": warehouse.sql.table_rows(row["backup_schema"], row["backup_table"])
        for row in backup_set
    }
    for schema, table in warehouse.protected()[:3]:
        warehouse.sql.execute(f"DELETE FROM `{schema}`.`{table}` LIMIT 5")

    outcome = warehouse.operation("restore_backup", f"{{ts: '{newest_set}'}}")

    assert outcome.success, outcome.log
    for schema, table in warehouse.protected():
        assert warehouse.sql.table_rows(schema, table) == expected[f"{schema}.{table}"]
    assert outcome.log.count("RESTORE ") == len(warehouse.protected())


BAD_RESTORE_ARGS = [
    ("{table: silver.no_such_table}", "no backup of"),
    ("{table: HISTORY, ts: 20200101_000000}", "available:"),
    # quoted: unquoted, dbt's YAML parser itself refuses it ("month must be in 1..12")
    ("{table: HISTORY, ts: '2026-13-45'}", "not a valid date"),
    ("{table: HISTORY, ts: '20260206_256000'}", "not a valid time"),
    ("{table: HISTORY, ts: '2026-02-06T07:00:00+09:00'}", "time zone other than UTC"),
    ("{table: HISTORY, ts: not-a-time}", "is not a timestamp"),
    ("{table: 'history`; DROP TABLE x; --'}", "must be a plain name"),
    ("{table: 'a.b.c'}", "must be schema.table"),
    ("{}", "name a table"),
    ("{table: HISTORY, dry_run: maybe}", "dry_run must be true or false"),
]


@pytest.mark.parametrize("args, message", BAD_RESTORE_ARGS, ids=[m for _, m in BAD_RESTORE_ARGS])
def test_bad_restore_arguments_change_nothing(warehouse, args, message):
    args = args.replace("HISTORY", warehouse.schema("silver") + ".tenant_status_history")
    before, catalog_before = warehouse.all_tables(), warehouse.catalog()
    outcome = warehouse.operation("restore_backup", args)
    assert not outcome.success
    assert message in outcome.log
    error_line = next(line for line in outcome.log.splitlines() if message in line)
    assert error_line.strip().startswith("safeguard")
    assert warehouse.all_tables() == before
    assert warehouse.catalog() == catalog_before


def test_unverified_backup_cannot_be_restored(warehouse):
    schema = warehouse.schema("gold")
    latest = warehouse.catalog("kind = 'backup' and status = 'verified' and source_table = 'moveouts'")[-1]
    warehouse.sql.execute(
        f"UPDATE `{warehouse.catalog_schema}`.safeguard_backups SET status = 'failed' WHERE backup_table = %s",
        (latest["backup_table"],),
    )
    before = warehouse.all_tables()
    try:
        outcome = warehouse.operation("restore_backup", f"{{table: {schema}.moveouts, ts: '{latest['backup_ts']}'}}")
        after = warehouse.all_tables()
    finally:
        warehouse.sql.execute(
            f"UPDATE `{warehouse.catalog_schema}`.safeguard_backups SET status = 'verified' WHERE backup_table = %s",
            (latest["backup_table"],),
        )
    assert not outcome.success
    assert "is not verified (status failed)" in outcome.log
    assert after == before


def test_restore_accepts_every_timestamp_form_a_user_types(warehouse):
    schema = warehouse.schema("gold")
    latest = warehouse.catalog("kind = 'backup' and status = 'verified' and source_table = 'new_contracts'")[-1]
    ts = latest["backup_ts"]  # YYYYMMDD_HHMMSS
    date, time = ts.split("_")
    iso = f"{date[:4]}-{date[4:6]}-{date[6:]} {time[:2]}:{time[2:4]}:{time[4:]}"
    forms = [
        ts,  # YAML reads this as the integer YYYYMMDDHHMMSS
        f"'{ts}'",
        date + time,
        iso,  # YAML reads this as a datetime
        f"'{iso}'",
        iso.replace(" ", "T") + "Z",
    ]
    for form in forms:
        outcome = warehouse.operation("restore_backup", f"{{table: {schema}.new_contracts, ts: {form}, dry_run: true}}")
        assert outcome.success, f"{form}: {outcome.log}"
        assert f"{latest['backup_table']} (" in outcome.log, form


def test_list_backups_shows_each_backup_of_a_table(warehouse):
    schema = warehouse.schema("gold")
    outcome = warehouse.operation("list_backups", f"{{table: {schema}.moveouts}}")
    assert outcome.success, outcome.log
    expected = warehouse.catalog("source_schema = %s and source_table = 'moveouts' and status <> 'dropped'", (schema,))
    listed = [line for line in outcome.log_lines if f"{schema}.moveouts_" in line]
    assert len(listed) == len(expected) > 0
    for row in expected:
        assert any(row["backup_table"] in line and row["status"] in line for line in listed)
