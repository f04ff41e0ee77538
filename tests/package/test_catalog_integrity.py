"""The catalog cannot lie: a crash between a swap and its catalog writes is
reconciled, `verified` always means "exists and matches", half-made backups
free their space, and rows the package did not write are refused."""
from __future__ import annotations

import pymysql
import pytest

from safeguard_testing.built_warehouse import all_data_tables, error_line, forge_catalog_row, latest_backup, module_warehouse
from safeguard_testing.harness import Sql


warehouse = module_warehouse("ci")


def assert_verified_means_exists_and_matches(wh) -> None:
    for row in wh.catalog("status = 'verified'"):
        assert wh.sql.table_exists(row["backup_schema"], row["backup_table"]), row
        assert wh.sql.matches_catalog(row), row


def journal_rows(wh):
    return wh.sql.rows(f"SELECT operation, status FROM `{wh.catalog_schema}`.safeguard_journal"
                       " WHERE status = 'planned'")


def test_crash_between_rename_and_catalog_write_is_reconciled_by_the_next_operation(warehouse, server):
    schema, table = warehouse.schema("gold"), "moveouts"
    latest = latest_backup(warehouse, schema, table)
    # A kept table's fingerprint is recorded when a restore first needs it,
    # before its RENAME (a catalog write the row lock below would hold up):
    # record it now, as an earlier restore or rollback would have.
    if latest["checksum"] is None:
        warehouse.sql.execute(
            f"UPDATE `{warehouse.catalog_schema}`.safeguard_backups SET row_count = %s, checksum = %s,"
            " fingerprint_method = 'rowhash1' WHERE backup_table = %s",
            (warehouse.sql.scalar(f"SELECT COUNT(*) FROM `{latest['backup_schema']}`.`{latest['backup_table']}`"),
             warehouse.sql.fingerprint(latest["backup_schema"], latest["backup_table"]), latest["backup_table"]))
    expected = warehouse.sql.table_rows(latest["backup_schema"], latest["backup_table"])
    warehouse.sql.execute(f"DELETE FROM `{schema}`.`{table}` LIMIT 4")  # the corruption to undo
    corrupted = warehouse.sql.checksum(schema, table)
    args = f"{{table: {schema}.{table}, ts: '{latest['backup_ts']}'}}"

    # The crash: the RENAME commits, then the catalog write after it cannot
    # get its row (held here) and the operation dies on the lock timeout.
    holder = Sql(server)
    admin = Sql(server)
    previous = admin.scalar("SELECT @@global.innodb_lock_wait_timeout")
    admin.execute("SET GLOBAL innodb_lock_wait_timeout = 2")
    try:
        holder.execute("START TRANSACTION")
        # by primary key: a lock on this one row only, not on its neighbours
        backup_id = warehouse.sql.scalar(
            f"SELECT backup_id FROM `{warehouse.catalog_schema}`.safeguard_backups WHERE backup_table = %s",
            (latest["backup_table"],))
        holder.rows(f"SELECT * FROM `{warehouse.catalog_schema}`.safeguard_backups WHERE backup_id = %s FOR UPDATE",
                    (backup_id,))
        crashed = warehouse.operation("restore_backup", args)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        admin.execute(f"SET GLOBAL innodb_lock_wait_timeout = {int(previous)}")
        admin.close()
    assert not crashed.success
    # The window was hit: the table is restored, the catalog does not know yet.
    assert warehouse.sql.table_rows(schema, table) == expected
    assert warehouse.catalog("backup_table = %s", (latest["backup_table"],))[0]["status"] == "verified"
    assert not warehouse.sql.table_exists(latest["backup_schema"], latest["backup_table"])
    assert journal_rows(warehouse) == [("restore_backup", "planned")]

    listed = warehouse.operation("list_backups", f"{{table: {schema}.{table}}}")

    assert listed.success, listed.log
    assert "RECONCILE" in listed.log
    assert journal_rows(warehouse) == []
    assert warehouse.catalog("backup_table = %s", (latest["backup_table"],))[0]["status"] == "restored"
    # the displaced table is recorded, exists, and is the corrupted table
    displaced = warehouse.catalog("kind = 'replaced' and source_schema = %s and source_table = %s", (schema, table))[-1]
    assert displaced["status"] == "verified"
    assert warehouse.sql.checksum(displaced["backup_schema"], displaced["backup_table"]) == corrupted
    assert warehouse.sql.matches_catalog(displaced)
    assert_verified_means_exists_and_matches(warehouse)

    # A retried restore tells the truth and changes nothing.
    before = all_data_tables(warehouse)
    retried = warehouse.operation("restore_backup", args)
    assert retried.success, retried.log
    assert "was already restored" in retried.log
    assert all_data_tables(warehouse) == before


def test_swap_that_gave_up_before_its_rename_leaves_no_planned_rows(warehouse):
    """The other side of the window: the RENAME never happened (it gave up
    waiting), so nothing of its plan may remain in the catalog."""
    schema, table = warehouse.schema("gold"), "new_contracts"
    latest = latest_backup(warehouse, schema, table)
    catalog_before = warehouse.catalog()
    reader = Sql(warehouse.settings)
    try:
        reader.execute("START TRANSACTION")
        reader.rows(f"SELECT COUNT(*) FROM `{schema}`.`{table}`")
        outcome = warehouse.dbt(
            "run-operation", "restore_backup", "--args", f"{{table: {schema}.{table}, ts: '{latest['backup_ts']}'}}",
            "--vars={safeguard_lock_wait_seconds: 1, safeguard_lock_wait_total_seconds: 2}",
        )
    finally:
        reader.execute("ROLLBACK")
        reader.close()
    assert not outcome.success and "gave up after" in outcome.log
    # the same rows and statuses: a kept table read for the first time records its fingerprint, nothing else
    assert [(r["backup_table"], r["status"]) for r in warehouse.catalog()] == \
        [(r["backup_table"], r["status"]) for r in catalog_before]
    assert journal_rows(warehouse) == []


def test_vanished_backup_is_marked_missing_and_not_counted_toward_keep_last(warehouse):
    schema, table = warehouse.schema("gold"), "daily_activity_summary"
    for _ in range(2):
        assert warehouse.run("--select", table).success
    newest = latest_backup(warehouse, schema, table)
    warehouse.sql.execute(f"DROP TABLE `{newest['backup_schema']}`.`{newest['backup_table']}`")  # by hand

    outcome = warehouse.operation("prune_backups", "{retention_days: 0, keep_last: 2}")

    assert outcome.success, outcome.log
    assert warehouse.catalog("backup_table = %s", (newest["backup_table"],))[0]["status"] in ("missing", "dropped")
    kept = warehouse.catalog(
        "kind = 'backup' and status = 'verified' and source_schema = %s and source_table = %s", (schema, table)
    )
    assert len(kept) == 2, "two real backups are kept, not one real and one vanished"
    assert_verified_means_exists_and_matches(warehouse)


def test_restore_refuses_a_hand_edited_row_that_points_at_another_table(warehouse):
    """`finance.invoices` forged as a backup of gold.moveouts: restore refuses,
    and neither table changes."""
    finance = warehouse.schema("finance")
    gold = warehouse.schema("gold")
    warehouse.sql.execute(f"CREATE DATABASE IF NOT EXISTS `{finance}`")
    warehouse.sql.execute(f"CREATE TABLE IF NOT EXISTS `{finance}`.invoices (id INT PRIMARY KEY, amount INT)")
    warehouse.sql.execute(f"REPLACE INTO `{finance}`.invoices VALUES (1, 100), (2, 250)")
    forge_catalog_row(warehouse, "00000000-f0f0-f0f0-f0f0-000000000001", "29990101_000000", gold, "moveouts",
                      finance, "invoices", 2, warehouse.sql.checksum(finance, "invoices"))
    before, catalog_before = all_data_tables(warehouse), warehouse.catalog()
    try:
        outcome = warehouse.operation("restore_backup", f"{{table: {gold}.moveouts, ts: '29990101_000000'}}")
        after, catalog_after = all_data_tables(warehouse), warehouse.catalog()
    finally:
        warehouse.sql.execute(
            f"DELETE FROM `{warehouse.catalog_schema}`.safeguard_backups WHERE invocation_id = '00000000-f0f0-f0f0-f0f0-000000000001'"
        )
    assert not outcome.success
    line = error_line(outcome, "did not write")
    assert line.strip().startswith("safeguard.restore_backup:") and f"{finance}.invoices" in line
    assert after == before and catalog_after == catalog_before
    assert warehouse.sql.rows(f"SELECT id, amount FROM `{finance}`.invoices ORDER BY id") == [(1, 100), (2, 250)]


MEMORY_TABLE_ROWS = 90_000


def fill_memory_table(sql: Sql, schema: str, table: str) -> None:
    """A MEMORY table of about 25 MB, made with a 64 MB heap limit: a copy
    made under the server's default limit (16 MB) fails part-way with error
    1114 "table is full", exactly as a copy fails on a full disk."""
    sql.execute("SET SESSION max_heap_table_size = 67108864")
    sql.execute(f"DROP TABLE IF EXISTS `{schema}`.`{table}`")
    sql.execute(f"CREATE TABLE `{schema}`.`{table}` (id INT PRIMARY KEY, pad CHAR(250) CHARACTER SET latin1) ENGINE = MEMORY")
    digits = "(SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4" \
             " UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)"
    sql.execute(
        f"INSERT INTO `{schema}`.`{table}` SELECT a.d + 10 * b.d + 100 * c.d + 1000 * e.d + 10000 * f.d, REPEAT('x', 250)"
        f" FROM {digits} a, {digits} b, {digits} c, {digits} e, {digits} f"
        f" WHERE a.d + 10 * b.d + 100 * c.d + 1000 * e.d + 10000 * f.d < {MEMORY_TABLE_ROWS}"
    )


def test_backup_that_fails_part_way_is_dropped_at_once_and_the_next_night_succeeds(warehouse, server):
    """A copy that fails part way (a MEMORY table full at max_heap_table_size:
    the server's 1114, what a full disk gives) is dropped in the same run, its
    row says why, and nothing is built; the night after space is back succeeds."""
    schema, table = warehouse.schema("silver"), "sg_meter_readings"
    fill_memory_table(warehouse.sql, schema, table)
    extra = f"--vars={{safeguard_extra_tables: ['{schema}.{table}']}}"
    before = warehouse.snapshot()
    admin = Sql(server)
    default_heap = admin.scalar("SELECT @@global.max_heap_table_size")
    try:
        for night in (1, 2):
            outcome = warehouse.run("--select", "stg_tenants", extra)
            assert not outcome.success
            attempts = warehouse.catalog("source_table = %s", (table,))
            assert len(attempts) == night
            failed = attempts[-1]
            # dropped at once, the server's error in its row and in the run's line
            assert failed["status"] == "dropped"
            assert not warehouse.sql.table_exists(failed["backup_schema"], failed["backup_table"])
            note = warehouse.sql.scalar(f"SELECT note FROM `{warehouse.catalog_schema}`.safeguard_backups"
                                        " WHERE backup_table = %s", (failed["backup_table"],))
            assert note.startswith("the copy failed: ") and "1114" in note, note
            assert f"{schema}.{table} (the copy failed: " in outcome.log and "1114" in outcome.log, outcome.log
            assert warehouse.snapshot() == before

        admin.execute("SET GLOBAL max_heap_table_size = 67108864")  # space exists again
        third = warehouse.run("--select", "stg_tenants", extra)
    finally:
        admin.execute(f"SET GLOBAL max_heap_table_size = {int(default_heap)}")
        admin.close()
    assert third.success, third.log
    rows = warehouse.catalog("source_table = %s", (table,))
    assert [row["status"] for row in rows] == ["dropped", "dropped", "verified"]
    good = rows[-1]
    assert warehouse.sql.checksum(good["backup_schema"], good["backup_table"]) == warehouse.sql.checksum(schema, table)
    warehouse.sql.execute(f"DROP TABLE `{schema}`.`{table}`")


def parent_and_child(sql, schema, parent, child, constraint, rules):
    """A parent (id, note) with ids 1 and 2, and a child (line_id, parent_id)
    with lines 10 -> 1 and 20 -> 2 under foreign key `constraint`."""
    sql.execute(f"DROP TABLE IF EXISTS `{schema}`.`{child}`, `{schema}`.`{parent}`")
    sql.execute(f"CREATE TABLE `{schema}`.`{parent}` (id INT PRIMARY KEY, note VARCHAR(40)) ENGINE = InnoDB")
    sql.execute(
        f"CREATE TABLE `{schema}`.`{child}` (line_id INT PRIMARY KEY, parent_id INT NOT NULL,"
        f" CONSTRAINT `{constraint}` FOREIGN KEY (parent_id) REFERENCES `{schema}`.`{parent}` (id) {rules})"
        " ENGINE = InnoDB"
    )
    sql.execute(f"INSERT INTO `{schema}`.`{parent}` VALUES (1, 'aiko'), (2, 'ben')")
    sql.execute(f"INSERT INTO `{schema}`.`{child}` VALUES (10, 1), (20, 2)")


def test_children_reference_the_restored_parent_and_a_new_child_row_inserts(warehouse):
    """InnoDB moves a parent's incoming foreign keys with a RENAME: after the
    restore the child must reference the restored parent, not the displaced one."""
    schema = warehouse.schema("silver")
    parent_and_child(warehouse.sql, schema, "sg_leases", "sg_lease_lines", "fk_sg_lines_lease", "ON DELETE CASCADE")
    extra = f"--vars={{safeguard_extra_tables: ['{schema}.sg_leases']}}"
    assert warehouse.run("--select", "stg_tenants", extra).success
    warehouse.sql.execute(f"INSERT INTO `{schema}`.sg_leases VALUES (3, 'only in the displaced table')")

    restored = warehouse.dbt("run-operation", "restore_backup", "--args", f"{{table: {schema}.sg_leases}}", extra)

    assert restored.success, restored.log
    referenced = warehouse.sql.rows(
        "SELECT referenced_table_name, delete_rule FROM information_schema.referential_constraints"
        " WHERE constraint_schema = %s AND constraint_name = 'fk_sg_lines_lease'", (schema,)
    )
    assert referenced == [("sg_leases", "CASCADE")]
    warehouse.sql.execute(f"INSERT INTO `{schema}`.sg_leases VALUES (4, 'new after the restore')")
    warehouse.sql.execute(f"INSERT INTO `{schema}`.sg_lease_lines VALUES (40, 4)")  # a new child row inserts
    with pytest.raises(pymysql.err.IntegrityError, match="1452"):
        warehouse.sql.execute(f"INSERT INTO `{schema}`.sg_lease_lines VALUES (30, 3)")
    assert warehouse.sql.rows(f"SELECT line_id, parent_id FROM `{schema}`.sg_lease_lines ORDER BY line_id") == [
        (10, 1), (20, 2), (40, 4)]
    warehouse.sql.execute(f"DROP TABLE `{schema}`.sg_lease_lines")


def same_rules(rows):
    return [tuple("RESTRICT" if value == "NO ACTION" else value for value in row) for row in rows]


def test_restored_child_gets_its_own_recorded_foreign_keys_back(warehouse):
    """A backup copy is made with CREATE TABLE ... LIKE, which leaves foreign
    keys out; the catalog records them. After a restore of the child, its
    constraint is back on the live table (the displaced table gave the name
    up: FK names are unique per schema) and still enforced."""
    schema = warehouse.schema("silver")
    parent_and_child(warehouse.sql, schema, "sg_orders", "sg_order_lines", "fk_sg_order_lines_order",
                     "ON UPDATE CASCADE ON DELETE RESTRICT")
    constraint = (
        "SELECT table_name, referenced_table_name, update_rule, delete_rule"
        " FROM information_schema.referential_constraints"
        " WHERE constraint_schema = %s AND constraint_name = 'fk_sg_order_lines_order'"
    )
    original = warehouse.sql.rows(constraint, (schema,))
    extra = f"--vars={{safeguard_extra_tables: ['{schema}.sg_order_lines']}}"
    assert warehouse.run("--select", "stg_tenants", extra).success
    backup = latest_backup(warehouse, schema, "sg_order_lines")
    recorded = warehouse.sql.scalar(
        f"SELECT foreign_keys FROM `{warehouse.catalog_schema}`.safeguard_backups"
        " WHERE backup_schema = %s AND backup_table = %s", (backup["backup_schema"], backup["backup_table"]))
    assert "fk_sg_order_lines_order" in (recorded or ""), recorded
    assert not warehouse.sql.rows(  # the copy itself has no foreign key: CREATE TABLE ... LIKE left it out
        "SELECT 1 FROM information_schema.referential_constraints WHERE constraint_schema = %s AND table_name = %s",
        (backup["backup_schema"], backup["backup_table"]))
    warehouse.sql.execute(f"DELETE FROM `{schema}`.sg_order_lines WHERE line_id = 20")  # the damage

    restored = warehouse.dbt("run-operation", "restore_backup", "--args", f"{{table: {schema}.sg_order_lines}}", extra)

    assert restored.success, restored.log
    # InnoDB treats NO ACTION as RESTRICT, and ADD FOREIGN KEY under
    # foreign_key_checks = 0 stores a RESTRICT as NO ACTION (as the server
    # reports it); every other part of the definition must be the same.
    assert same_rules(warehouse.sql.rows(constraint, (schema,))) == same_rules(original), recorded
    assert warehouse.sql.rows(f"SELECT line_id, parent_id FROM `{schema}`.sg_order_lines ORDER BY line_id") == [
        (10, 1), (20, 2)]
    with pytest.raises(pymysql.err.IntegrityError, match="1452"):  # still enforced: no line without its order
        warehouse.sql.execute(f"INSERT INTO `{schema}`.sg_order_lines VALUES (30, 3)")
    warehouse.sql.execute(f"DROP TABLE `{schema}`.sg_order_lines")


def test_table_models_kept_table_is_verified_after_a_crash_at_its_swap(warehouse):
    """The table materialization writes the old table's row before its
    RENAME and verifies it after. A crash in between: if the kept table is
    there it is the pre-run table and becomes verified with its own
    fingerprint; if the RENAME never happened the row goes. It is never
    dropped as if it were a half-made copy."""
    schema = warehouse.schema("gold")
    dead = "00000000-dead-f0f0-f0f0-00000000000a"
    kept, never = "moveouts_backup_20250101_000000", "moveouts_backup_20250101_000001"
    warehouse.sql.execute(f"CREATE TABLE `{schema}`.`{kept}` AS SELECT * FROM `{schema}`.moveouts")
    for table in (kept, never):
        warehouse.sql.execute(
            f"INSERT INTO `{warehouse.catalog_schema}`.safeguard_backups"
            " (backup_ts, invocation_id, kind, source_schema, source_table, backup_schema, backup_table,"
            "  status, created_at, updated_at, note)"
            " VALUES (%s, %s, 'backup', %s, 'moveouts', %s, %s, 'pending', UTC_TIMESTAMP(), UTC_TIMESTAMP(),"
            " 'kept at the swap of the table model')",
            (table[-15:], dead, schema, schema, table),
        )

    listed = warehouse.operation("list_backups")

    assert listed.success, listed.log
    (row,) = warehouse.catalog("backup_table = %s", (kept,))
    assert row["status"] == "verified"
    # verified, and fingerprinted only when a restore or rollback needs it
    assert row["checksum"] is None and row["row_count"] is None
    assert warehouse.sql.table_exists(schema, kept)
    assert warehouse.catalog("backup_table = %s", (never,)) == []
    assert_verified_means_exists_and_matches(warehouse)



def test_restore_by_ts_names_the_backup_when_a_replaced_table_shares_its_second(warehouse):
    """A run can start in the very second a restore moved a live table aside:
    `restore_backup --args '{table: ..., ts: ...}'` then still names the backup."""
    schema, table = warehouse.schema("silver"), "tenant_status_history"
    outcome = warehouse.run("--select", table)
    assert outcome.success, outcome.log
    backup = latest_backup(warehouse, schema, table)
    warehouse.sql.execute(
        f"INSERT INTO `{warehouse.catalog_schema}`.safeguard_backups"
        " (backup_ts, invocation_id, kind, source_schema, source_table, backup_schema, backup_table,"
        "  status, created_at, updated_at)"
        " VALUES (%s, 'test-replaced', 'replaced', %s, %s, %s, %s, 'missing', UTC_TIMESTAMP(), UTC_TIMESTAMP())",
        (backup["backup_ts"], schema, table, schema, f"{table}_replaced_{backup['backup_ts']}"),
    )
    restored = warehouse.operation("restore_backup", f"{{table: {schema}.{table}, ts: '{backup['backup_ts']}'}}")
    assert restored.success, restored.log
    assert warehouse.sql.matches_catalog(backup, schema, table)
