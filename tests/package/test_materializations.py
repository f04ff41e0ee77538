"""safeguard's own materializations on the reference project, real server:
zero-copy table backups, atomic swaps, faithful copies, retry, full refresh.

Each adapter type gets one warehouse, built on day 1; tests run in order and
leave it healthy for the next.
"""
from __future__ import annotations

import json
import threading
import time

import pymysql
import pytest

from safeguard_testing.harness import Sql
from safeguard_testing.built_warehouse import first_night_warehouse
from safeguard_testing.reference_warehouse import BROKEN_SQL

NO_SUCH_TABLE = 1146


warehouse = first_night_warehouse("mat")


def _backups_of(warehouse, outcome, table):
    return warehouse.catalog(
        "kind = 'backup' and invocation_id = %s and source_table = %s", (outcome.invocation_id, table)
    )


def test_zero_copy_backup_of_a_table_model_is_the_pre_run_table_and_restores_byte_identical(warehouse):
    gold = warehouse.schema("gold")
    # A row no rebuild could produce: only the very pre-run table holds it.
    warehouse.sql.execute(
        f"INSERT INTO `{gold}`.new_contracts SELECT * FROM `{gold}`.new_contracts ORDER BY 1 LIMIT 1"
    )
    before_rows = warehouse.sql.table_rows(gold, "new_contracts")
    before_checksum = warehouse.sql.checksum(gold, "new_contracts")
    warehouse.load_day(2)

    outcome = warehouse.run()

    assert outcome.success, outcome.log
    assert "kept at the swap" in outcome.log
    [backup] = _backups_of(warehouse, outcome, "new_contracts")
    assert backup["status"] == "verified"
    assert backup["backup_table"] == f"new_contracts_backup_{backup['backup_ts']}"
    assert warehouse.sql.table_rows(gold, backup["backup_table"]) == before_rows
    assert warehouse.sql.checksum(gold, backup["backup_table"]) == before_checksum
    # O(1) backup: the kept table is fingerprinted only when a restore or rollback needs it
    assert backup["checksum"] is None and backup["row_count"] is None
    assert warehouse.sql.table_rows(gold, "new_contracts") != before_rows

    restored = warehouse.operation("restore_backup", f"{{table: {gold}.new_contracts}}")

    assert restored.success, restored.log
    assert warehouse.sql.table_rows(gold, "new_contracts") == before_rows
    assert warehouse.sql.checksum(gold, "new_contracts") == before_checksum
    # leave the warehouse as a run builds it
    assert warehouse.run().success


def _poll(settings, tables, stop, errors, reads):
    conn = settings.connect()
    try:
        with conn.cursor() as cur:
            while not stop.is_set():
                for table in tables:
                    try:
                        cur.execute(f"SELECT COUNT(*) FROM {table}")
                        cur.fetchall()
                        reads[table] = reads.get(table, 0) + 1
                    except pymysql.err.MySQLError as error:
                        errors.append((table, error.args[0]))
    finally:
        conn.close()


def test_a_reader_never_sees_a_protected_or_unprotected_table_model_missing(warehouse):
    gold = warehouse.schema("gold")
    protected, unprotected = f"`{gold}`.new_contracts", f"`{gold}`.tenant_status_transitions"
    stop, errors, reads = threading.Event(), [], {}
    reader = threading.Thread(target=_poll, args=(warehouse.settings, [protected, unprotected], stop, errors, reads))
    reader.start()
    try:
        outcomes = [warehouse.run("--select", "new_contracts", "tenant_status_transitions") for _ in range(3)]
    finally:
        stop.set()
        reader.join(timeout=30)
    assert all(outcome.success for outcome in outcomes), [o.log for o in outcomes if not o.success]
    assert [e for e in errors if e[1] == NO_SUCH_TABLE] == []
    assert errors == []
    assert reads.get(protected, 0) > 10 and reads.get(unprotected, 0) > 10


def test_table_with_a_generated_column_is_backed_up_and_restored(warehouse):
    schema = warehouse.schema("silver")
    table = "rent_with_tax"
    warehouse.sql.execute(
        f"CREATE TABLE `{schema}`.`{table}` (id INT PRIMARY KEY, rent INT NOT NULL,"
        " with_tax INT AS (rent * 110 DIV 100) STORED, label VARCHAR(20) AS (CONCAT('r', id)) VIRTUAL)"
    )
    warehouse.sql.execute(f"INSERT INTO `{schema}`.`{table}` (id, rent) VALUES (1, 1000), (2, 2500)")
    expected = warehouse.sql.table_rows(schema, table)

    outcome = warehouse.run("--select", "stg_tenants", f"--vars={{safeguard_extra_tables: ['{schema}.{table}']}}")

    assert outcome.success, outcome.log
    [backup] = _backups_of(warehouse, outcome, table)
    assert backup["status"] == "verified"
    assert warehouse.sql.table_rows(schema, backup["backup_table"]) == expected
    warehouse.sql.execute(f"DELETE FROM `{schema}`.`{table}`")
    restored = warehouse.operation("restore_backup", f"{{table: {schema}.{table}}}")
    assert restored.success, restored.log
    assert warehouse.sql.table_rows(schema, table) == expected


def test_backup_of_a_child_table_records_its_foreign_keys(warehouse):
    schema = warehouse.schema("silver")
    warehouse.sql.execute(f"CREATE TABLE `{schema}`.fk_parent (id INT PRIMARY KEY) ENGINE=InnoDB")
    warehouse.sql.execute(
        f"CREATE TABLE `{schema}`.fk_child (id INT PRIMARY KEY, parent_id INT NOT NULL,"
        f" CONSTRAINT fk_child_parent FOREIGN KEY (parent_id) REFERENCES `{schema}`.fk_parent (id)"
        " ON DELETE CASCADE) ENGINE=InnoDB"
    )
    warehouse.sql.execute(f"INSERT INTO `{schema}`.fk_parent VALUES (1), (2)")
    warehouse.sql.execute(f"INSERT INTO `{schema}`.fk_child VALUES (10, 1), (20, 2)")
    extra = f"--vars={{safeguard_extra_tables: ['{schema}.fk_parent', '{schema}.fk_child']}}"

    outcome = warehouse.run("--select", "stg_tenants", extra)

    assert outcome.success, outcome.log
    [child] = _backups_of(warehouse, outcome, "fk_child")
    [parent] = _backups_of(warehouse, outcome, "fk_parent")
    assert child["status"] == parent["status"] == "verified"
    recorded = warehouse.sql.scalar(
        f"SELECT foreign_keys FROM `{warehouse.catalog_schema}`.safeguard_backups WHERE backup_table = %s",
        (child["backup_table"],),
    )
    assert json.loads(recorded) == [{
        "name": "fk_child_parent", "columns": ["parent_id"], "ref_schema": schema, "ref_table": "fk_parent",
        "ref_columns": ["id"], "on_update": "RESTRICT", "on_delete": "CASCADE",
    }]
    assert warehouse.sql.scalar(
        f"SELECT foreign_keys FROM `{warehouse.catalog_schema}`.safeguard_backups WHERE backup_table = %s",
        (parent["backup_table"],),
    ) is None


def test_table_model_referenced_by_a_foreign_key_refuses_and_changes_nothing(warehouse):
    gold = warehouse.schema("gold")
    warehouse.sql.execute(
        f"CREATE TABLE `{gold}`.contract_notes (contract_id BIGINT, note VARCHAR(20))"
    )
    key = warehouse.sql.rows(
        "SELECT column_name, column_type FROM information_schema.columns WHERE table_schema = %s"
        " AND table_name = 'new_contracts' ORDER BY ordinal_position LIMIT 1", (gold,)
    )[0]
    try:
        warehouse.sql.execute(f"ALTER TABLE `{gold}`.new_contracts ADD UNIQUE KEY uq_first (`{key[0]}`)")
        warehouse.sql.execute(f"ALTER TABLE `{gold}`.contract_notes MODIFY contract_id {key[1]}")
        warehouse.sql.execute(
            f"ALTER TABLE `{gold}`.contract_notes ADD CONSTRAINT fk_notes FOREIGN KEY (contract_id)"
            f" REFERENCES `{gold}`.new_contracts (`{key[0]}`)"
        )
        before = warehouse.all_tables()
        outcome = warehouse.run("--select", "new_contracts")
        after = warehouse.all_tables()
    finally:
        warehouse.sql.execute(f"DROP TABLE `{gold}`.contract_notes")
    assert not outcome.success
    assert f"{gold}.contract_notes reference it by foreign key" in outcome.log
    assert after == before
    assert warehouse.run("--select", "new_contracts").success


def test_dbt_retry_rebuilds_a_failed_protected_model_with_a_backup(warehouse):
    silver = warehouse.schema("silver")
    before = warehouse.sql.table_rows(silver, "tenant_status_history")
    warehouse.change_tenant_statuses(2)
    try:
        with warehouse.edit_model("silver/tenant_status_history.sql", BROKEN_SQL, "NULL::date"):
            failed = warehouse.dbt("run", "--select", "tenant_status_history")
        assert not failed.success
        assert warehouse.sql.table_rows(silver, "tenant_status_history") == before

        retried = warehouse.dbt("retry")

        assert retried.success, retried.log
        assert retried.status_of("tenant_status_history") == "success"
        [backup] = _backups_of(warehouse, retried, "tenant_status_history")
        assert backup["status"] == "verified"
        assert warehouse.sql.table_rows(silver, backup["backup_table"]) == before
        assert len(warehouse.sql.table_rows(silver, "tenant_status_history")) == len(before) + 2
    finally:
        warehouse.load_day(2)


def test_full_refresh_of_a_protected_incremental_is_refused_unless_allowed(warehouse):
    gold = warehouse.schema("gold")
    # A state no rebuild gives back: a full refresh would bring the row back.
    warehouse.sql.execute(f"DELETE FROM `{gold}`.moveout_notices LIMIT 1")
    before = warehouse.sql.table_rows(gold, "moveout_notices")

    refused = warehouse.run("--select", "moveout_notices", "--full-refresh")

    assert not refused.success
    assert "--full-refresh would rebuild this protected incremental" in refused.log
    assert warehouse.sql.table_rows(gold, "moveout_notices") == before

    allowed = warehouse.run("--select", "moveout_notices", "--full-refresh", "--vars={safeguard_allow_full_refresh: true}")

    assert allowed.success, allowed.log
    [backup] = _backups_of(warehouse, allowed, "moveout_notices")
    assert backup["status"] == "verified"
    assert warehouse.sql.table_rows(gold, backup["backup_table"]) == before
    assert warehouse.sql.table_rows(gold, "moveout_notices") != before
    assert warehouse.sql.scalar(
        f"SELECT pinned FROM `{warehouse.catalog_schema}`.safeguard_backups WHERE backup_table = %s",
        (backup["backup_table"],),
    ) == 1


def test_release_pin_frees_a_pinned_backup_and_a_wrong_ts_changes_nothing(warehouse):
    gold = warehouse.schema("gold")
    [pinned] = warehouse.sql.rows(
        f"SELECT backup_table, backup_ts FROM `{warehouse.catalog_schema}`.safeguard_backups"
        " WHERE pinned = 1 AND source_schema = %s AND source_table = 'moveout_notices'", (gold,)
    )
    wrong = warehouse.operation("release_pin", f"{{table: {gold}.moveout_notices, ts: '20200101_000000'}}")
    assert not wrong.success and "no pinned backup(s)" in wrong.log and pinned[1] in wrong.log

    released = warehouse.operation("release_pin", f"{{table: {gold}.moveout_notices, ts: '{pinned[1]}'}}")

    assert released.success, released.log
    assert warehouse.sql.scalar(
        f"SELECT pinned FROM `{warehouse.catalog_schema}`.safeguard_backups WHERE backup_table = %s", (pinned[0],)
    ) == 0


def test_protected_incremental_turned_into_a_view_is_backed_up_before_dbt_drops_it(warehouse):
    gold = warehouse.schema("gold")
    before = warehouse.sql.table_rows(gold, "moveout_notices")
    assert before
    with warehouse.edit_model("gold/moveout_notices.sql", "materialized='incremental'", "materialized='view'"):
        # The view holds fewer rows than the history it replaces: the audit
        # refuses it (tests/package/test_audit.py) unless this run allows it.
        outcome = warehouse.run("--select", "moveout_notices", "--vars", "{safeguard_allow: [moveout_notices]}")
        assert outcome.success, outcome.log
    assert "holds no data" not in outcome.log
    [backup] = _backups_of(warehouse, outcome, "moveout_notices")
    assert backup["status"] == "verified"
    assert warehouse.sql.table_rows(gold, backup["backup_table"]) == before
    # the history comes back (restore_backup does not replace a view: drop it first)
    warehouse.sql.execute(f"DROP VIEW `{gold}`.moveout_notices")
    restored = warehouse.operation("restore_backup", f"{{table: {gold}.moveout_notices}}")
    assert restored.success, restored.log
    assert warehouse.sql.table_rows(gold, "moveout_notices") == before


def test_table_model_failing_after_its_swap_gets_its_kept_table_back(warehouse):
    gold = warehouse.schema("gold")
    failing = "{{ config(post_hook={'sql': 'select * from no_such_table_for_safeguard', 'transaction': false}) }}\n"
    warehouse.sql.execute(f"DELETE FROM `{gold}`.new_contracts LIMIT 3")  # a rebuild would differ
    before = warehouse.sql.table_rows(gold, "new_contracts")
    with warehouse.prepend_to_model("gold/new_contracts.sql", failing):
        outcome = warehouse.run("--select", "new_contracts")
    assert not outcome.success
    assert "ROLLBACK" in outcome.log, outcome.log
    assert warehouse.sql.table_rows(gold, "new_contracts") == before
    assert warehouse.run("--select", "new_contracts").success


def test_protected_table_that_create_backups_did_not_plan_is_copied_by_its_materialization(warehouse):
    """What `dbt retry` needs when dbt gives it no selected_resources: no
    backup of the table was planned in this run (here a later on-run-start
    hook forgets the one create_backups took), and the materialization
    backs it up itself before it writes."""
    from safeguard_testing.reference_warehouse import ModelEdit

    gold = warehouse.schema("gold")
    before = warehouse.sql.table_rows(gold, "moveout_notices")
    forget = (
        f"  - \"delete from `{warehouse.catalog_schema}`.safeguard_backups where invocation_id = '{{{{ invocation_id }}}}'\"\n"
        '  - "commit"\n'
    )
    start = '  - "{{ safeguard.prune_backups() }}"\n'
    with ModelEdit(warehouse.project / "dbt_project.yml", start, start + forget):
        outcome = warehouse.run("--select", "moveout_notices")
    assert outcome.success, outcome.log
    assert "in incremental materialization" in outcome.log
    [backup] = _backups_of(warehouse, outcome, "moveout_notices")
    assert backup["status"] == "verified"
    assert warehouse.sql.table_rows(gold, backup["backup_table"]) == before


def test_swap_behind_an_open_reader_transaction_gives_up_within_the_lock_wait_and_changes_nothing(warehouse):
    gold = warehouse.schema("gold")
    warehouse.sql.execute(f"DELETE FROM `{gold}`.new_contracts LIMIT 2")  # a rebuild would differ
    before = warehouse.sql.table_rows(gold, "new_contracts")
    reader = Sql(warehouse.settings)
    try:
        reader_id = reader.scalar("SELECT CONNECTION_ID()")
        reader.execute("START TRANSACTION")
        reader.rows(f"SELECT COUNT(*) FROM `{gold}`.new_contracts")  # holds a shared metadata lock
        started = time.monotonic()
        outcome = warehouse.run("--select", "new_contracts",
                                "--vars={safeguard_lock_wait_seconds: 1, safeguard_lock_wait_total_seconds: 3}")
        elapsed = time.monotonic() - started
        after = warehouse.sql.table_rows(gold, "new_contracts")
    finally:
        reader.execute("ROLLBACK")
        reader.close()
    assert not outcome.success
    assert "gave up after" in outcome.log and f"connection {reader_id}" in outcome.log
    assert after == before
    assert elapsed < 30, elapsed  # 3 s of attempts plus dbt's own start-up
    assert warehouse.run("--select", "new_contracts").success
