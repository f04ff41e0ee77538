"""Prune drops only what the package made, keeps what it must, and caps
the copies per table however often runs happen."""
from __future__ import annotations

import time

import pytest

from safeguard_testing.built_warehouse import all_data_tables, error_line, forge_catalog_row, module_warehouse

FORGED = "00000000-f0f0-f0f0-f0f0-00000000000f"


warehouse = module_warehouse("pr")


def backups_of(wh, schema, table, status="verified"):
    return wh.catalog(
        "kind = 'backup' and status = %s and source_schema = %s and source_table = %s", (status, schema, table)
    )


def test_frequent_runs_keep_at_most_max_backups_per_table(warehouse):
    schema, table = warehouse.schema("gold"), "moveouts"
    cap = "--vars={safeguard_max_backups_per_table: 2, safeguard_keep_last: 1}"
    for _ in range(4):  # hourly runs, all within retention_days
        outcome = warehouse.run("--select", table, cap)
        assert outcome.success, outcome.log
    kept = [row for row in warehouse.catalog("source_schema = %s and source_table = %s", (schema, table))
            if row["status"] not in ("dropped", "restored")]
    assert len(kept) <= 2, kept
    for row in kept:
        assert warehouse.sql.table_exists(row["backup_schema"], row["backup_table"])
    dropped = warehouse.catalog("status = 'dropped' and source_schema = %s and source_table = %s", (schema, table))
    assert dropped, "the copies past the cap were dropped although they are within retention"
    for row in dropped:
        assert not warehouse.sql.table_exists(row["backup_schema"], row["backup_table"])
    assert "over max_backups_per_table 2" in outcome.log


def test_pinned_backup_survives_every_prune(warehouse):
    schema, table = warehouse.schema("gold"), "new_contracts"
    assert warehouse.run("--select", table).success
    oldest = backups_of(warehouse, schema, table)[0]
    warehouse.sql.execute(
        f"UPDATE `{warehouse.catalog_schema}`.safeguard_backups SET pinned = 1 WHERE backup_table = %s",
        (oldest["backup_table"],),
    )
    outcome = warehouse.operation("prune_backups", "{retention_days: 0, keep_last: 0}")
    assert outcome.success, outcome.log
    assert warehouse.catalog("backup_table = %s", (oldest["backup_table"],))[0]["status"] == "verified"
    assert warehouse.sql.table_exists(oldest["backup_schema"], oldest["backup_table"])
    assert f"{oldest['backup_table']} (pinned)" in outcome.log


@pytest.mark.parametrize("backup_schema, backup_table", [
    ("finance", "ledger"),  # a user table, not a backup name
    ("gold", "moveouts"),  # the live table itself
    ("finance", "moveouts_backup_20200101_000000"),  # a backup name in a schema it never backs up to
], ids=["user-table", "live-table", "foreign-schema"])
def test_prune_refuses_hand_edited_rows_pointing_outside_the_protected_set(warehouse, backup_schema, backup_table):
    """The stray row and every row of its table are left alone and named, the
    operation fails (so the alarm fires), and every other table is still pruned."""
    assert warehouse.run().success  # every table has a backup to prune...
    # ...once the server's clock is past the second of the run's last swap:
    # retention_days 0 prunes what is older than now, and a gold table kept
    # at its swap late in the run may carry the very second the prune starts in
    time.sleep(1.1)
    finance = warehouse.schema("finance")
    warehouse.sql.execute(f"CREATE DATABASE IF NOT EXISTS `{finance}`")
    warehouse.sql.execute(f"CREATE TABLE IF NOT EXISTS `{finance}`.`{backup_table}` (id INT PRIMARY KEY)")
    warehouse.sql.execute(f"REPLACE INTO `{finance}`.`{backup_table}` VALUES (1), (2), (3)")
    forge_catalog_row(warehouse, FORGED, "20200101_000000", warehouse.schema("gold"), "moveouts",
                      warehouse.schema(backup_schema), backup_table, 3, 0)
    before, catalog_before = all_data_tables(warehouse), warehouse.catalog()
    try:
        dry = warehouse.operation("prune_backups", "{retention_days: 0, keep_last: 0, dry_run: true}")
        outcome = warehouse.operation("prune_backups", "{retention_days: 0, keep_last: 0}")
        hooked = warehouse.run("--select", "moveouts")  # the on-run-start prune refuses too, without failing the run
        after, catalog_after = all_data_tables(warehouse), warehouse.catalog("invocation_id <> %s", (hooked.invocation_id,))
    finally:
        warehouse.sql.execute(f"DELETE FROM `{warehouse.catalog_schema}`.safeguard_backups WHERE invocation_id = %s", (FORGED,))
    for refused in (dry, outcome):
        assert not refused.success
        line = error_line(refused, "did not write")
        assert line.strip().startswith("safeguard.prune_backups:")
        assert f"{warehouse.schema(backup_schema)}.{backup_table}" in line
        assert "stray catalog row(s)" in line
    assert hooked.success, hooked.log
    hook_line = next(line for line in hooked.log.splitlines() if "stray catalog row(s)" in line)
    assert "ERROR" in hook_line and f"{warehouse.schema(backup_schema)}.{backup_table}" in hook_line
    assert warehouse.sql.rows(f"SELECT id FROM `{finance}`.`{backup_table}` ORDER BY id") == [(1,), (2,), (3,)]
    # nothing of the stray row's table (gold.moveouts) was dropped...
    moveouts = f"{warehouse.schema('gold')}.moveouts_"
    assert {name for name in before if name.startswith(moveouts)} <= set(after)
    assert [row for row in catalog_after if row["status"] == "dropped" and row["source_table"] == "moveouts"] == \
        [row for row in catalog_before if row["status"] == "dropped" and row["source_table"] == "moveouts"]
    # ...and every other table was pruned (the dry run dropped nothing)
    newly_dropped = [row for row in catalog_after if row["status"] == "dropped" and row not in catalog_before]
    assert {row["source_table"] for row in newly_dropped} == \
        {table for _, table in warehouse.protected() if table != "moveouts"}
    for row in newly_dropped:
        assert not warehouse.sql.table_exists(row["backup_schema"], row["backup_table"])


@pytest.mark.parametrize("args, message", [
    ("{retention_days: -1}", "the retention_days argument must be a whole number >= 0"),
    ("{keep_last: many}", "the keep_last argument must be a whole number >= 0"),
    ("{dry_run: maybe}", "dry_run must be true or false"),
])
def test_bad_prune_arguments_name_the_macro_and_change_nothing(warehouse, args, message):
    before, catalog_before = all_data_tables(warehouse), warehouse.catalog()
    outcome = warehouse.operation("prune_backups", args)
    assert not outcome.success
    assert error_line(outcome, message).startswith("safeguard.prune_backups:")
    assert all_data_tables(warehouse) == before and warehouse.catalog() == catalog_before


def test_prune_keeps_keep_last_and_never_touches_user_tables(warehouse):
    for _ in range(2):  # at least three backup sets, whatever ran before
        assert warehouse.run().success
    schema = warehouse.schema("gold")
    # A user's own table that merely matches the backup name pattern.
    lookalike = "moveouts_backup_20200101_000000"
    warehouse.sql.execute(f"CREATE TABLE `{schema}`.`{lookalike}` (id INT PRIMARY KEY)")
    warehouse.sql.execute(f"INSERT INTO `{schema}`.`{lookalike}` VALUES (1), (2)")

    before = warehouse.all_tables()
    dry = warehouse.operation("prune_backups", "{retention_days: 0, keep_last: 2, dry_run: true}")
    assert dry.success, dry.log
    assert "would drop" in dry.log and warehouse.all_tables() == before

    outcome = warehouse.operation("prune_backups", "{retention_days: 0, keep_last: 2}")

    assert outcome.success, outcome.log
    assert warehouse.sql.rows(f"SELECT id FROM `{schema}`.`{lookalike}` ORDER BY id") == [(1,), (2,)]
    for source_schema, source_table in warehouse.protected():
        kept = warehouse.catalog(
            "kind = 'backup' and status = 'verified' and pinned = 0 and source_schema = %s and source_table = %s",
            (source_schema, source_table),
        )
        assert len(kept) == 2  # a pinned backup (an earlier test's) is kept besides, and not counted
        for row in kept:
            assert warehouse.sql.table_exists(row["backup_schema"], row["backup_table"])
        for row in warehouse.catalog(
            "status = 'dropped' and source_schema = %s and source_table = %s", (source_schema, source_table)
        ):
            assert not warehouse.sql.table_exists(row["backup_schema"], row["backup_table"])
    assert warehouse.catalog("status = 'dropped'"), "older backups were pruned"
