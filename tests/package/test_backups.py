"""Backups and the automatic rollback, proven on the reference project
against a real server: what a run backs up, that a failing model changes
nothing, and that a half-updated table is rolled back.

The tests share one warehouse per adapter type; each leaves it healthy (day 2
loaded, every protected table as the last good run left it).
"""
from __future__ import annotations

import dataclasses
import datetime

from dbt_safeguard.dbt_invoker import DbtInvoker

from safeguard_testing.built_warehouse import module_warehouse
from safeguard_testing.reference_warehouse import BROKEN_SQL, FAILING_POST_HOOK


warehouse = module_warehouse("bk")


def test_first_run_of_incremental_takes_no_backup_and_later_runs_do(warehouse):
    assert warehouse.first_run_catalog == []
    backups = warehouse.catalog("kind = 'backup'")
    backed_up = {(row["source_schema"], row["source_table"]) for row in backups}
    assert backed_up == set(warehouse.protected())
    assert {row["status"] for row in backups} == {"verified"}
    # Each backup holds exactly the table as it was before day 2's run.
    for row in backups:
        name = f"{row['source_schema']}.{row['source_table']}"
        checksum, rows = warehouse.before_day2[name]
        assert warehouse.sql.checksum(row["backup_schema"], row["backup_table"]) == checksum
        assert warehouse.sql.matches_catalog(row)
        assert warehouse.sql.table_rows(row["backup_schema"], row["backup_table"]) == rows
        # A table model's kept table is fingerprinted only when a restore or
        # rollback needs it: until then its row count is not recorded.
        assert row["row_count"] in (len(rows), None)
        assert row["backup_table"] == f"{row['source_table']}_backup_{row['backup_ts']}"


def test_backups_add_no_column_to_the_data(warehouse):
    for row in warehouse.catalog("kind = 'backup'"):
        source_columns = warehouse.sql.rows(
            "SELECT column_name, column_type FROM information_schema.columns"
            " WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position",
            (row["source_schema"], row["source_table"]),
        )
        backup_columns = warehouse.sql.rows(
            "SELECT column_name, column_type FROM information_schema.columns"
            " WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position",
            (row["backup_schema"], row["backup_table"]),
        )
        assert backup_columns == source_columns


def test_syntax_error_in_protected_model_leaves_every_protected_table_identical(warehouse):
    before = warehouse.snapshot()
    with warehouse.edit_model("silver/tenant_status_history.sql", BROKEN_SQL, "NULL::date"):
        outcome = warehouse.run()
    assert not outcome.success
    assert warehouse.snapshot() == before


def test_six_failing_runs_in_a_row_lose_no_data(warehouse):
    before = warehouse.snapshot()
    backups_before = len(warehouse.catalog("status = 'verified' and kind = 'backup'"))
    for attempt in range(6):
        with warehouse.edit_model("silver/tenant_status_history.sql", BROKEN_SQL, f"NULL::date /* try {attempt} */"):
            outcome = warehouse.run()
        assert not outcome.success
        assert warehouse.snapshot() == before, f"data changed after failing run {attempt + 1}"
    # every failing run still took its own verified backups first
    assert len(warehouse.catalog("status = 'verified' and kind = 'backup'")) >= backups_before + 6


def test_failed_post_hook_rolls_back_the_half_updated_history(warehouse):
    """The incremental insert commits, then a post-hook fails: finish_run restores the table."""
    before = warehouse.snapshot()
    warehouse.change_tenant_statuses(3)
    try:
        with warehouse.prepend_to_model("silver/tenant_status_history.sql", FAILING_POST_HOOK):
            outcome = warehouse.run("--select", "tenant_status_history")
        assert not outcome.success
        assert "ROLLBACK" in outcome.log, outcome.log
        assert warehouse.snapshot() == before
        replaced = warehouse.catalog("kind = 'replaced' and source_table = 'tenant_status_history'")
        assert replaced, "the half-updated table is kept for inspection"
        half_updated = replaced[-1]
        assert half_updated["row_count"] == len(before[f"{warehouse.schema('silver')}.tenant_status_history"][1]) + 3
    finally:
        warehouse.load_day(2)


def test_rollback_failed_false_leaves_a_failed_model_as_it_is(warehouse):
    before = warehouse.snapshot()
    warehouse.change_tenant_statuses(2)
    history = f"{warehouse.schema('silver')}.tenant_status_history"
    try:
        with warehouse.prepend_to_model("silver/tenant_status_history.sql", FAILING_POST_HOOK):
            outcome = warehouse.run("--select", "tenant_status_history", "--vars={safeguard_rollback_failed: false}")
        assert not outcome.success
        assert "ROLLBACK" not in outcome.log
        assert len(warehouse.snapshot()[history][1]) == len(before[history][1]) + 2
    finally:
        warehouse.load_day(2)
        latest = warehouse.catalog("kind = 'backup' and source_table = 'tenant_status_history'")[-1]
        assert warehouse.operation("restore_backup", f"{{table: {history}, ts: '{latest['backup_ts']}'}}").success
    assert warehouse.snapshot()[history] == before[history]


def test_failed_backup_blocks_the_protected_model(warehouse, tmp_path):
    """A user who may build silver and gold but not write the backup schema."""
    user = f"sg_limited_{warehouse.prefix[:-1]}"
    warehouse.sql.execute(f"CREATE USER IF NOT EXISTS '{user}'@'%' IDENTIFIED BY 'limited-pw'")
    for name in ("staging", "silver", "gold", "analytics"):
        warehouse.sql.execute(f"GRANT ALL ON `{warehouse.schema(name)}`.* TO '{user}'@'%'")
    before = warehouse.snapshot()
    limited = DbtInvoker(
        warehouse.project,
        dataclasses.replace(warehouse.settings, user=user, password="limited-pw"),
        extra_env={"SAFEGUARD_SCHEMA_PREFIX": warehouse.prefix},
    )
    backup_schema = warehouse.schema("backups_locked")
    try:
        for fail_fast in ([], ["--fail-fast"]):
            outcome = limited.invoke("run", *fail_fast, f"--vars={{safeguard_backup_schema: {backup_schema}}}")
            assert not outcome.success
            if not fail_fast:
                assert "refusing to build" in outcome.log
            assert warehouse.snapshot() == before
            statuses = [outcome.status_of(table) for _, table in warehouse.protected()]
            assert "success" not in statuses, statuses
        assert not warehouse.sql.rows("SELECT 1 FROM information_schema.schemata WHERE schema_name = %s", (backup_schema,))
    finally:
        warehouse.sql.execute(f"DROP USER '{user}'@'%'")
    # dbt 1.7 crashes before on-run-end when --fail-fast meets a failed
    # on-run-start; the failed backup must not leave a lease behind.
    assert warehouse.run().success


def test_table_name_near_64_characters_is_backed_up_and_restored(warehouse):
    schema = warehouse.schema("silver")
    table = "tenant_contract_renewal_notice_history_by_apartment_and_room_x"
    assert len(table) == 62
    warehouse.sql.execute(f"CREATE TABLE `{schema}`.`{table}` (id INT PRIMARY KEY, note VARCHAR(20))")
    warehouse.sql.execute(f"INSERT INTO `{schema}`.`{table}` VALUES (1, 'kept'), (2, 'kept too')")
    extra = f"--vars={{safeguard_extra_tables: ['{schema}.{table}']}}"

    outcome = warehouse.run("--select", "stg_tenants", extra)

    assert outcome.success, outcome.log
    backup = warehouse.catalog("source_table = %s", (table,))[-1]
    assert backup["status"] == "verified"
    assert len(backup["backup_table"]) <= 64
    assert backup["backup_table"].endswith("_backup_" + backup["backup_ts"])
    warehouse.sql.execute(f"DELETE FROM `{schema}`.`{table}`")
    restored = warehouse.operation("restore_backup", f"{{table: {schema}.{table}}}")
    assert restored.success, restored.log
    assert warehouse.sql.rows(f"SELECT id, note FROM `{schema}`.`{table}` ORDER BY id") == [(1, "kept"), (2, "kept too")]


def test_backup_names_never_collide_with_existing_tables(warehouse):
    """Names carry seconds only; a name already taken (a user's table, or a
    backup from another invocation in the same second) moves the whole set to
    the next free second instead of failing or touching the existing table."""
    schema = warehouse.schema("silver")
    table = "operator_notes"
    warehouse.sql.execute(f"CREATE TABLE `{schema}`.`{table}` (id INT PRIMARY KEY)")
    warehouse.sql.execute(f"INSERT INTO `{schema}`.`{table}` VALUES (1)")
    now = datetime.datetime.utcnow()
    taken = [(now + datetime.timedelta(seconds=s)).strftime("%Y%m%d_%H%M%S") for s in range(-2, 20)]
    for ts in taken:
        warehouse.sql.execute(f"CREATE TABLE `{schema}`.`{table}_backup_{ts}` (id INT PRIMARY KEY)")

    outcome = warehouse.run("--select", "stg_tenants", f"--vars={{safeguard_extra_tables: ['{schema}.{table}']}}")

    assert outcome.success, outcome.log
    backup = warehouse.catalog("source_table = %s", (table,))[-1]
    assert backup["status"] == "verified"
    assert backup["backup_ts"] > taken[-1]
    for ts in taken:
        assert warehouse.sql.rows(f"SELECT COUNT(*) FROM `{schema}`.`{table}_backup_{ts}`") == [(0,)]


def test_backup_schema_setting_puts_backups_in_one_schema_and_restores_from_there(warehouse):
    backups = warehouse.schema("backups")
    outcome = warehouse.run(f"--vars={{safeguard_backup_schema: {backups}}}")
    assert outcome.success, outcome.log
    invocation = warehouse.catalog("backup_schema = %s", (backups,))
    assert len(invocation) == len(warehouse.protected())
    history = next(row for row in invocation if row["source_table"] == "tenant_status_history")
    assert history["backup_table"] == f"{warehouse.schema('silver')}__tenant_status_history_backup_{history['backup_ts']}"
    schema = warehouse.schema("silver")
    expected = warehouse.sql.table_rows(backups, history["backup_table"])
    warehouse.sql.execute(f"DELETE FROM `{schema}`.tenant_status_history")
    restored = warehouse.operation("restore_backup", f"{{table: {schema}.tenant_status_history, ts: '{history['backup_ts']}'}}")
    assert restored.success, restored.log
    assert warehouse.sql.table_rows(schema, "tenant_status_history") == expected
