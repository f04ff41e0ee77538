"""One run at a time, and the run settings: the named lock, the run lease
(a second dbt process, a stale lease), safeguard_enabled and bad settings.

The tests share one warehouse per adapter type; each leaves it healthy.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from safeguard_testing.built_warehouse import module_warehouse
from safeguard_testing.harness import Sql


warehouse = module_warehouse("rn")


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
        f"REPLACE INTO `{warehouse.catalog_schema}`.safeguard_run_lease (lease_name, invocation_id, command, acquired_at) VALUES"
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


def test_disabled_safeguard_takes_no_backup_and_guards_nothing(warehouse):
    catalog_before = warehouse.catalog()
    outcome = warehouse.run("--vars={safeguard_enabled: false}")
    assert outcome.success, outcome.log
    assert "[safeguard] OFF" in outcome.log
    assert warehouse.catalog() == catalog_before


def test_stale_lease_of_a_killed_run_is_taken_over_after_lease_hours(warehouse):
    warehouse.sql.execute(
        f"REPLACE INTO `{warehouse.catalog_schema}`.safeguard_run_lease (lease_name, invocation_id, command, acquired_at) VALUES"
        " ('run', '00000000-dead-dead-dead-000000000002', 'run', UTC_TIMESTAMP() - INTERVAL 7 HOUR)"
    )
    fresh_enough = warehouse.run("--vars={safeguard_lease_hours: 8}")
    assert not fresh_enough.success and "00000000-dead-dead-dead-000000000002" in fresh_enough.log
    taken_over = warehouse.run()  # default lease_hours: 6
    assert taken_over.success, taken_over.log
    assert not warehouse.sql.rows(f"SELECT 1 FROM `{warehouse.catalog_schema}`.safeguard_run_lease")


@pytest.mark.parametrize("alive_by", ["its ETL lock", "its heartbeat"])
def test_live_run_keeps_its_lease_past_lease_hours(warehouse, alive_by):
    """A lease older than lease_hours whose run may still be alive (its ETL
    holds its lock, or, for a plain dbt run, its heartbeat is younger than
    safeguard_heartbeat_grace_seconds) is not taken over."""
    owner = "00000000-a11e-a11e-a11e-000000000003"
    lock = f"safeguard-etl-test-{warehouse.prefix}"
    live = Sql(warehouse.settings)  # the live run's connection
    lease_table = f"`{warehouse.catalog_schema}`.safeguard_run_lease"
    before = warehouse.snapshot()
    try:
        if alive_by == "its ETL lock":
            assert live.scalar("SELECT GET_LOCK(%s, 0)", (lock,)) == 1
            recorded = (owner, 999999999, lock, live.scalar("SELECT CONNECTION_ID()"))
        else:
            recorded = (owner, live.scalar("SELECT CONNECTION_ID()"), None, None)
        warehouse.sql.execute(
            f"INSERT INTO `{warehouse.catalog_schema}`.safeguard_connections"
            " (invocation_id, connection_id, etl_lock, etl_connection_id, recorded_at)"
            " VALUES (%s, %s, %s, %s, UTC_TIMESTAMP() - INTERVAL 7 HOUR)", recorded)
        warehouse.sql.execute(
            f"REPLACE INTO {lease_table} (lease_name, invocation_id, command, acquired_at, heartbeat_at) VALUES"
            " ('run', %s, 'run', UTC_TIMESTAMP() - INTERVAL 7 HOUR,"
            f" {'UTC_TIMESTAMP(6)' if alive_by == 'its heartbeat' else 'NULL'})", (owner,))
        outcome = warehouse.run()  # default lease_hours: 6
        assert not outcome.success, "a run took over the lease of a live run"
        assert owner in outcome.log and "is running" in outcome.log
        assert warehouse.snapshot() == before
        assert warehouse.sql.scalar(f"SELECT invocation_id FROM {lease_table}") == owner
    finally:
        live.close()
    # once the run is dead (lock released; heartbeat past the grace, no statement running), it is taken over
    warehouse.sql.execute(f"UPDATE {lease_table} SET heartbeat_at = UTC_TIMESTAMP(6) - INTERVAL 1 HOUR")
    taken_over = warehouse.run()
    warehouse.sql.execute(f"DELETE FROM `{warehouse.catalog_schema}`.safeguard_connections WHERE invocation_id = %s",
                          (owner,))
    assert taken_over.success, taken_over.log
    assert not warehouse.sql.rows(f"SELECT 1 FROM {lease_table}")


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
