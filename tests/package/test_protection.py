"""The package's guarantees, proven on the reference project against a real server.

Tests in this module share one warehouse per adapter type and run in file
order: each leaves the warehouse healthy for the next.
"""
from __future__ import annotations

import dataclasses
import datetime
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dbt_safeguard.dbt_invoker import DbtInvoker

from safeguard_testing.harness import Sql
from safeguard_testing.reference_warehouse import BROKEN_SQL, FAILING_POST_HOOK, build_warehouse



@pytest.fixture(scope="module", params=["mysql", "mariadb"])
def warehouse(request, tmp_path_factory, server, schema_prefix, day_dumps):
    """Day 1 built (first run), then day 2 built with backups."""
    wh = build_warehouse(tmp_path_factory, server, schema_prefix, request.param, day_dumps)
    wh.load_day(1)
    assert wh.dbt("seed").success
    first = wh.run()
    assert first.success, first.log
    wh.first_run_catalog = wh.catalog()
    wh.before_day2 = wh.snapshot()
    wh.load_day(2)
    second = wh.run()
    assert second.success, second.log
    wh.day2_invocation = {row["invocation_id"] for row in wh.catalog()}
    yield wh
    wh.sql.close()


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
        assert warehouse.sql.checksum(row["backup_schema"], row["backup_table"]) == checksum == row["checksum"]
        assert warehouse.sql.table_rows(row["backup_schema"], row["backup_table"]) == rows
        assert row["row_count"] == len(rows)
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
    assert warehouse.sql.checksum(schema, table) == latest["checksum"]
    replaced = warehouse.catalog("kind = 'replaced' and source_table = %s", (table,))[-1]
    assert warehouse.sql.checksum(replaced["backup_schema"], replaced["backup_table"]) == live_before_restore
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
            "kind = 'backup' and status = 'verified' and source_schema = %s and source_table = %s",
            (source_schema, source_table),
        )
        assert len(kept) == 2
        for row in kept:
            assert warehouse.sql.table_exists(row["backup_schema"], row["backup_table"])
        for row in warehouse.catalog(
            "status = 'dropped' and source_schema = %s and source_table = %s", (source_schema, source_table)
        ):
            assert not warehouse.sql.table_exists(row["backup_schema"], row["backup_table"])
    assert warehouse.catalog("status = 'dropped'"), "older backups were pruned"


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


def test_concurrent_safeguard_operation_refuses_the_run(warehouse):
    """Another run holds the named lock (it is taking its backups): this run writes nothing."""
    before = warehouse.snapshot()
    holder = Sql(warehouse.settings)
    try:
        assert holder.scalar("SELECT GET_LOCK(%s, 0)", (f"safeguard:{warehouse.catalog_schema}",)) == 1
        outcome = warehouse.run()
        restore = warehouse.operation("restore_backup", f"{{table: {warehouse.schema('gold')}.moveouts}}")
    finally:
        holder.close()
    assert not outcome.success
    assert "another safeguard operation is running" in outcome.log
    assert "refusing to build" in outcome.log
    assert not restore.success
    assert warehouse.snapshot() == before


def test_run_in_progress_refuses_a_second_run_and_a_restore(warehouse):
    """A run's lease (taken by its on-run-start) makes every other run and restore stop."""
    before = warehouse.snapshot()
    warehouse.sql.execute(
        f"REPLACE INTO `{warehouse.catalog_schema}`.safeguard_run_lease VALUES"
        " ('run', '00000000-aaaa-bbbb-cccc-000000000001', 'run', UTC_TIMESTAMP())"
    )
    try:
        outcome = warehouse.run()
        restore = warehouse.operation("restore_backup", f"{{table: {warehouse.schema('gold')}.moveouts}}")
    finally:
        released = warehouse.operation("release_lease", "{invocation_id: 00000000-aaaa-bbbb-cccc-000000000001}")
    assert not outcome.success
    assert "00000000-aaaa-bbbb-cccc-000000000001" in outcome.log
    assert not restore.success and "is running" in restore.log
    assert released.success, released.log
    assert warehouse.snapshot() == before
    assert warehouse.run().success


def test_second_dbt_run_while_a_run_is_in_progress_writes_nothing(warehouse):
    """Two real dbt processes: the second starts while the first is building
    its models, and every one of its models refuses to build."""
    slow = "{{ config(pre_hook='select sleep(8)') }}\n"
    env = {**os.environ, **warehouse.settings.as_env(),
           "SAFEGUARD_SCHEMA_PREFIX": warehouse.prefix, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    dbt = str(Path(sys.executable).parent / "dbt")
    lease = f"SELECT invocation_id FROM `{warehouse.catalog_schema}`.safeguard_run_lease"
    known_backups = {row["backup_table"] for row in warehouse.catalog()}
    with warehouse.prepend_to_model("gold/tenant_status_transitions.sql", slow):
        first = subprocess.Popen(
            [dbt, "run", "--project-dir", str(warehouse.project), "--profiles-dir", str(warehouse.project)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        try:
            deadline = time.monotonic() + 60
            while not warehouse.sql.rows(lease) and first.poll() is None and time.monotonic() < deadline:
                time.sleep(0.2)
            first_invocation = warehouse.sql.scalar(lease)
            second = warehouse.run()
        finally:
            output, _ = first.communicate(timeout=180)
    assert first.returncode == 0, output
    assert first_invocation is not None
    assert not second.success
    assert f"invocation {first_invocation}" in second.log
    assert all(node.status != "success" for node in second.nodes)
    new_backups = [row for row in warehouse.catalog() if row["backup_table"] not in known_backups]
    assert new_backups and {row["invocation_id"] for row in new_backups} == {first_invocation}
    assert not warehouse.sql.rows(lease), "the first run gave its lease back"


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


def test_list_backups_shows_each_backup_of_a_table(warehouse):
    schema = warehouse.schema("gold")
    outcome = warehouse.operation("list_backups", f"{{table: {schema}.moveouts}}")
    assert outcome.success, outcome.log
    expected = warehouse.catalog("source_schema = %s and source_table = 'moveouts' and status <> 'dropped'", (schema,))
    listed = [line for line in outcome.log_lines if f"{schema}.moveouts_" in line]
    assert len(listed) == len(expected) > 0
    for row in expected:
        assert any(row["backup_table"] in line and row["status"] in line for line in listed)


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


def test_disabled_safeguard_takes_no_backup_and_guards_nothing(warehouse):
    catalog_before = warehouse.catalog()
    outcome = warehouse.run("--vars={safeguard_enabled: false}")
    assert outcome.success, outcome.log
    assert "[safeguard] OFF" in outcome.log
    assert warehouse.catalog() == catalog_before


def test_stale_lease_of_a_killed_run_is_taken_over_after_lease_hours(warehouse):
    warehouse.sql.execute(
        f"REPLACE INTO `{warehouse.catalog_schema}`.safeguard_run_lease VALUES"
        " ('run', '00000000-dead-dead-dead-000000000002', 'run', UTC_TIMESTAMP() - INTERVAL 7 HOUR)"
    )
    fresh_enough = warehouse.run("--vars={safeguard_lease_hours: 8}")
    assert not fresh_enough.success and "00000000-dead-dead-dead-000000000002" in fresh_enough.log
    taken_over = warehouse.run()  # default lease_hours: 6
    assert taken_over.success, taken_over.log
    assert not warehouse.sql.rows(f"SELECT 1 FROM `{warehouse.catalog_schema}`.safeguard_run_lease")


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


@pytest.mark.parametrize("bad_vars, message", [
    ("{safeguard_retention_days: -1}", "var safeguard_retention_days must be a whole number >= 0"),
    ("{safeguard_enabled: sometimes}", "var safeguard_enabled must be true or false"),
    ("{safeguard_extra_tables: ['no_schema_given']}", "entries must be schema.table"),
])
def test_bad_setting_is_one_clear_line_and_writes_nothing(warehouse, bad_vars, message):
    before, catalog_before = warehouse.all_tables(), warehouse.catalog()
    outcome = warehouse.run(f"--vars={bad_vars}")
    assert not outcome.success
    assert message in outcome.log
    assert warehouse.all_tables() == before
    assert warehouse.catalog() == catalog_before
