"""Every exclusive metadata lock the package takes waits a bounded time, and
a gave-up names who blocked it. Real server, both adapter types, real
reader transactions on other connections."""
from __future__ import annotations

import re
import threading
import time

import pytest

from safeguard_testing.built_warehouse import all_data_tables, error_line, latest_backup, module_warehouse, warehouse_with_backups
from safeguard_testing.local_server import LocalServer
from safeguard_testing.harness import Sql

ATTEMPT = 1
TOTAL = 6
BOUNDS = f"--vars={{safeguard_lock_wait_seconds: {ATTEMPT}, safeguard_lock_wait_total_seconds: {TOTAL}}}"


warehouse = module_warehouse("lk")


class Poller:
    """A dashboard: a plain SELECT of the table on its own connection, in a
    loop, recording the longest any single query took."""

    def __init__(self, settings, relation: str):
        self.settings, self.relation = settings, relation
        self.longest = 0.0
        self.queries = 0
        self.errors = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        client = Sql(self.settings)
        try:
            while not self.stop.is_set():
                started = time.monotonic()
                try:
                    client.scalar(f"SELECT COUNT(*) FROM {self.relation}")
                except Exception as exc:  # noqa: BLE001 - any failure is a finding of the test
                    self.errors.append(repr(exc))
                self.longest = max(self.longest, time.monotonic() - started)
                self.queries += 1
                time.sleep(0.1)
        finally:
            client.close()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(timeout=30)


def open_reader(settings, relation: str):
    """An analyst's open transaction: START TRANSACTION; SELECT ... (left open)."""
    reader = Sql(settings)
    reader.execute("START TRANSACTION")
    reader.rows(f"SELECT COUNT(*) FROM {relation}")
    return reader


def gave_up_seconds(log: str) -> float:
    match = re.search(r"gave up after ([0-9.]+) s", log)
    assert match, log
    return float(match.group(1))


def test_restore_behind_an_open_reader_gives_up_within_the_bound_naming_the_reader(warehouse):
    schema, table = warehouse.schema("silver"), "int_contracts"
    relation = f"`{schema}`.`{table}`"
    latest = latest_backup(warehouse, schema, table)
    warehouse.sql.execute(f"DELETE FROM {relation} LIMIT 3")  # what the restore would repair
    tables_before, catalog_before = all_data_tables(warehouse), warehouse.catalog()

    reader = open_reader(warehouse.settings, relation)
    reader_id = reader.scalar("SELECT CONNECTION_ID()")
    try:
        with Poller(warehouse.settings, relation) as poller:
            time.sleep(0.5)
            outcome = warehouse.dbt("run-operation", "restore_backup", "--args",
                                    f"{{table: {schema}.{table}, ts: '{latest['backup_ts']}'}}", BOUNDS)
    finally:
        reader.execute("ROLLBACK")
        reader.close()

    assert not outcome.success
    error = error_line(outcome, "gave up after")
    assert error.strip().startswith("safeguard.restore_backup:"), error
    # within the configured total bound (one attempt of slack for the last one)
    assert TOTAL - 2 * ATTEMPT <= gave_up_seconds(error) <= TOTAL + ATTEMPT
    # the blocker is named: its id, user@host and how long its transaction is open
    assert f"connection {reader_id} (" in error
    assert f"{warehouse.settings.user}@" in error
    assert re.search(rf"connection {reader_id} \([^)]*transaction open \d+ s", error), error
    # a dashboard reading meanwhile never waited longer than one attempt
    assert poller.queries > 5 and not poller.errors, poller.errors
    assert poller.longest <= ATTEMPT + 0.75, poller.longest
    # and nothing changed: tables and catalog, except that the backup's
    # fingerprint, if it was kept at its swap and so not yet taken, is now
    # recorded (the verification before the RENAME takes it)
    catalog_table = f"{warehouse.catalog_schema}.safeguard_backups"
    assert without(all_data_tables(warehouse), catalog_table) == without(tables_before, catalog_table)
    assert [unprinted_as_before(row, old) for row, old in zip(warehouse.catalog(), catalog_before)] == catalog_before


FINGERPRINT = ("row_count", "checksum", "fingerprint_method")


def without(tables: dict, name: str) -> dict:
    return {table: checksum for table, checksum in tables.items() if table != name}


def unprinted_as_before(row: dict, before: dict) -> dict:
    """`row` with its fingerprint put back to none where it had none before."""
    if all(before[key] is None for key in FINGERPRINT[:2]):
        return {**row, **{key: before[key] for key in FINGERPRINT}}
    return row


def test_restore_waits_out_a_short_reader_with_retries_and_then_restores(warehouse):
    """Attempts repeat with backoff: a reader that commits within the total
    bound only delays the restore; it does not fail it."""
    schema, table = warehouse.schema("gold"), "new_contracts"
    relation = f"`{schema}`.`{table}`"
    latest = latest_backup(warehouse, schema, table)
    expected = warehouse.sql.table_rows(latest["backup_schema"], latest["backup_table"])
    warehouse.sql.execute(f"DELETE FROM {relation}")

    reader = open_reader(warehouse.settings, relation)
    timer = threading.Timer(4.0, lambda: reader.execute("COMMIT"))
    timer.start()
    try:
        with Poller(warehouse.settings, relation) as poller:
            outcome = warehouse.dbt("run-operation", "restore_backup", "--args",
                                    f"{{table: {schema}.{table}, ts: '{latest['backup_ts']}'}}",
                                    "--vars={safeguard_lock_wait_seconds: 1, safeguard_lock_wait_total_seconds: 30}")
    finally:
        timer.join()
        reader.close()

    assert outcome.success, outcome.log
    assert warehouse.sql.table_rows(schema, table) == expected
    assert poller.longest <= ATTEMPT + 0.75, poller.longest


def test_prune_drop_behind_an_open_reader_of_a_backup_gives_up_within_the_bound(warehouse):
    """Someone reads an old backup in an open transaction: prune's DROP of it
    gives up cleanly and names them, instead of hanging the run."""
    schema = warehouse.schema("gold")
    assert warehouse.run("--select", "moveouts").success  # at least two backups of moveouts
    oldest = warehouse.catalog(
        "kind = 'backup' and status = 'verified' and source_schema = %s and source_table = 'moveouts'", (schema,)
    )[0]
    relation = f"`{oldest['backup_schema']}`.`{oldest['backup_table']}`"
    reader = open_reader(warehouse.settings, relation)
    reader_id = reader.scalar("SELECT CONNECTION_ID()")
    try:
        outcome = warehouse.dbt("run-operation", "prune_backups", "--args", "{retention_days: 0, keep_last: 1}", BOUNDS)
    finally:
        reader.execute("ROLLBACK")
        reader.close()
    assert not outcome.success
    error = error_line(outcome, "gave up after")
    assert error.strip().startswith("safeguard.prune_backups:")
    assert f"connection {reader_id} (" in error
    assert gave_up_seconds(error) <= TOTAL + ATTEMPT
    assert warehouse.sql.table_exists(oldest["backup_schema"], oldest["backup_table"])
    row = warehouse.catalog("backup_table = %s", (oldest["backup_table"],))[0]
    assert row["status"] == "verified", "the catalog still tells the truth about the table it could not drop"


def test_a_busy_named_lock_names_its_holder_connection(warehouse):
    """GET_LOCK fails, then the holder releases before IS_USED_LOCK: never
    "held by connection None"."""
    name = f"safeguard:{warehouse.catalog_schema}"
    holder = Sql(warehouse.settings)
    try:
        assert holder.scalar("SELECT GET_LOCK(%s, 0)", (name,)) == 1
        holder_id = holder.scalar("SELECT CONNECTION_ID()")
        outcome = warehouse.operation("restore_backup", f"{{table: {warehouse.schema('gold')}.moveouts}}")
    finally:
        holder.close()
    assert not outcome.success
    assert "connection None" not in outcome.log
    assert f"held by connection {holder_id}" in outcome.log


@pytest.fixture(scope="module")
def server_with_metadata_locks(tmp_path_factory):
    """A second throwaway server that records metadata locks, as MySQL 8 does by default."""
    local = LocalServer(base_dir=str(tmp_path_factory.mktemp("ps_server")), server_options=(
        "--performance-schema=ON", "--performance-schema-instrument=wait/lock/metadata/sql/mdl=ON"))
    try:
        yield local.start()
    finally:
        local.stop()


@pytest.fixture(scope="module", params=["mysql", "mariadb"])
def warehouse_with_metadata_locks(request, tmp_path_factory, server_with_metadata_locks, day_dumps):
    wh = warehouse_with_backups("ps", request.param, tmp_path_factory, server_with_metadata_locks, "", day_dumps)
    yield wh
    wh.sql.close()


def test_with_performance_schema_the_exact_holder_is_named_and_no_one_else(warehouse_with_metadata_locks):
    warehouse = warehouse_with_metadata_locks
    schema, table = warehouse.schema("gold"), "moveouts"
    relation = f"`{schema}`.`{table}`"
    bystander = Sql(warehouse.settings)  # an open transaction on another table: not a blocker
    bystander.execute("START TRANSACTION")
    bystander.rows(f"SELECT COUNT(*) FROM `{schema}`.new_contracts")
    bystander_id = bystander.scalar("SELECT CONNECTION_ID()")
    reader = open_reader(warehouse.settings, relation)
    reader_id = reader.scalar("SELECT CONNECTION_ID()")
    try:
        outcome = warehouse.dbt("run-operation", "restore_backup", "--args", f"{{table: {schema}.{table}}}", BOUNDS)
    finally:
        for client in (reader, bystander):
            client.execute("ROLLBACK")
            client.close()
    assert not outcome.success
    error = error_line(outcome, "gave up after")
    assert f"held by connection {reader_id} (" in error
    assert f"connection {bystander_id}" not in error
    assert "performance_schema does not name the holder" not in error
