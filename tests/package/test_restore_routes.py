"""The routes around a restore (issue 16): a retried restore never restores a
second, older backup; a whole-set restore is undone in one statement; a
parent is never restored alone over children that would dangle; a restore
that gives up prints only its refusal; an extra table with generated
columns is verified by what a backup must equal; and backup times,
"latest" and retention follow the server's clock, not the client's.
"""
from __future__ import annotations

import datetime
import re
import shlex

import pytest

from safeguard_testing.built_warehouse import error_line, latest_backup, module_warehouse
from safeguard_testing.harness import Sql


warehouse = module_warehouse("rr")
HISTORY = "tenant_status_history"


def backups(wh, schema, table, kind="backup"):
    return wh.catalog("kind = %s and source_schema = %s and source_table = %s", (kind, schema, table))


def journal(wh):
    return wh.sql.rows(f"SELECT journal_id, operation, status, swap_statement FROM `{wh.catalog_schema}`.safeguard_journal"
                       " ORDER BY journal_id")


def crash_after_rename(wh, server, args):
    """The restore's RENAME commits, then the catalog write after it waits on
    a row lock held here and the operation dies on the lock timeout: the
    window a SIGKILL, a KILL <id> or a server crash just after the RENAME leaves."""
    holder, admin = Sql(server), Sql(server)
    previous = admin.scalar("SELECT @@global.innodb_lock_wait_timeout")
    admin.execute("SET GLOBAL innodb_lock_wait_timeout = 2")
    try:
        backup_id = wh.sql.scalar(f"SELECT MAX(backup_id) FROM `{wh.catalog_schema}`.safeguard_backups"
                                  " WHERE status = 'verified' AND kind = 'backup' AND source_table = %s", (HISTORY,))
        holder.execute("START TRANSACTION")
        # by primary key: a lock on this one row only, not on its neighbours
        holder.rows(f"SELECT * FROM `{wh.catalog_schema}`.safeguard_backups WHERE backup_id = %s FOR UPDATE",
                    (backup_id,))
        return wh.operation("restore_backup", args)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        admin.execute(f"SET GLOBAL innodb_lock_wait_timeout = {int(previous)}")
        admin.close()


def test_retried_restore_after_a_crash_reports_the_first_restore_and_never_an_older_backup(warehouse, server):
    schema = warehouse.schema("silver")
    assert warehouse.run("--select", HISTORY).success  # two backups: a retry could reach the older one
    newest, older = backups(warehouse, schema, HISTORY)[-1], backups(warehouse, schema, HISTORY)[-2]
    expected = warehouse.sql.table_rows(newest["backup_schema"], newest["backup_table"])
    older_rows = warehouse.sql.table_rows(older["backup_schema"], older["backup_table"])
    warehouse.sql.execute(f"DELETE FROM `{schema}`.`{HISTORY}` LIMIT 3")  # the damage
    args = f"{{table: {schema}.{HISTORY}}}"

    crashed = crash_after_rename(warehouse, server, args)

    assert not crashed.success
    assert "RESTORE " not in crashed.log and "VERIFY" not in crashed.log  # it gave up: only its refusal
    assert warehouse.sql.table_rows(schema, HISTORY) == expected  # the RENAME had happened
    assert [row[2] for row in journal(warehouse)][-1] == "planned"

    retried = warehouse.operation("restore_backup", args)  # the same command again
    again = warehouse.operation("restore_backup", args)  # and once more, the catalog long reconciled

    for outcome in (retried, again):
        assert outcome.success, outcome.log
        assert "was already restored since its last run" in outcome.log
        assert "nothing was changed" in outcome.log and "--ts" in outcome.log
    assert "HAD happened" in retried.log  # says whether the RENAME happened and what to run next
    assert warehouse.sql.table_rows(schema, HISTORY) == expected
    assert warehouse.catalog("backup_table = %s", (older["backup_table"],))[0]["status"] == "verified"
    assert warehouse.sql.table_exists(older["backup_schema"], older["backup_table"])
    assert len(backups(warehouse, schema, HISTORY, "replaced")) == 1 + len(
        [r for r in warehouse.first_run_catalog if r["kind"] == "replaced" and r["source_table"] == HISTORY])
    restore_id = journal(warehouse)[-1][0]
    assert journal(warehouse)[-1][2] == "applied" and f"restore_backup {restore_id}" in again.log

    # Going further back names the backup.
    further = warehouse.operation("restore_backup", f"{{table: {schema}.{HISTORY}, ts: '{older['backup_ts']}'}}")
    assert further.success, further.log
    assert warehouse.sql.table_rows(schema, HISTORY) == older_rows
    assert warehouse.catalog("backup_table = %s", (older["backup_table"],))[0]["status"] == "restored"
    assert warehouse.run("--select", HISTORY).success  # leave it healthy


def test_whole_set_restore_is_undone_in_one_statement(warehouse):
    run = warehouse.run()
    assert run.success, run.log
    before = {f"{s}.{t}": warehouse.sql.table_rows(s, t) for s, t in warehouse.protected()}
    newest_set = warehouse.catalog("kind = 'backup' and status = 'verified'")[-1]["backup_ts"]
    for schema, table in warehouse.protected():
        warehouse.sql.execute(f"DELETE FROM `{schema}`.`{table}` LIMIT 2")
    damaged = {f"{s}.{t}": warehouse.sql.table_rows(s, t) for s, t in warehouse.protected()}
    restored = warehouse.operation("restore_backup", f"{{ts: '{newest_set}'}}")
    assert restored.success, restored.log
    assert {f"{s}.{t}": warehouse.sql.table_rows(s, t) for s, t in warehouse.protected()} == before
    replaced_ts = warehouse.catalog("kind = 'replaced'")[-1]["backup_ts"]
    # the SUMMARY names the undo, as a command a shell passes on with its ts quoted
    undo = re.search(r"undo it in one statement with: (dbt run-operation \S+ --args \"[^\"]+\")", restored.log)
    assert undo and shlex.split(undo.group(1))[-1] == f"{{ts: '{replaced_ts}'}}", restored.log
    swaps_before = len(journal(warehouse))

    undone = warehouse.operation("restore_backup", f"{{ts: '{replaced_ts}'}}")

    assert undone.success, undone.log
    assert {f"{s}.{t}": warehouse.sql.table_rows(s, t) for s, t in warehouse.protected()} == damaged
    new_swaps = journal(warehouse)[swaps_before:]
    assert len(new_swaps) == 1, new_swaps  # one RENAME for the whole set
    (_, _, status, statement) = new_swaps[0]
    assert status == "applied"
    for schema, table in warehouse.protected():
        assert f"`{schema}`.`{table}`" in statement
    replaced = warehouse.catalog("kind = 'replaced' and backup_ts = %s", (replaced_ts,))
    assert len(replaced) == len(warehouse.protected()) and {r["status"] for r in replaced} == {"restored"}
    assert warehouse.run().success  # leave it healthy


def parent_and_child(sql, schema):
    sql.execute(f"DROP TABLE IF EXISTS `{schema}`.rr_lines, `{schema}`.rr_orders")
    sql.execute(f"CREATE TABLE `{schema}`.rr_orders (id INT PRIMARY KEY, note VARCHAR(40)) ENGINE = InnoDB")
    sql.execute(f"CREATE TABLE `{schema}`.rr_lines (line_id INT PRIMARY KEY, order_id INT NULL,"
                f" CONSTRAINT fk_rr_lines_order FOREIGN KEY (order_id) REFERENCES `{schema}`.rr_orders (id))"
                " ENGINE = InnoDB")
    sql.execute(f"INSERT INTO `{schema}`.rr_orders VALUES (1, 'a'), (2, 'b')")
    sql.execute(f"INSERT INTO `{schema}`.rr_lines VALUES (10, 1), (20, 2), (30, NULL)")


@pytest.mark.parametrize("children_backed_up", [False, True], ids=["parent-only", "both-in-the-set"])
def test_parent_restored_alone_refuses_naming_the_child_and_the_dangling_rows(warehouse, children_backed_up):
    schema = warehouse.schema("silver")
    parent_and_child(warehouse.sql, schema)
    extra_tables = [f"{schema}.rr_orders"] + ([f"{schema}.rr_lines"] if children_backed_up else [])
    extra = "--vars={safeguard_extra_tables: [" + ", ".join(f"'{t}'" for t in extra_tables) + "]}"
    assert warehouse.run("--select", "stg_tenants", extra).success
    backup = latest_backup(warehouse, schema, "rr_orders")
    warehouse.sql.execute(f"INSERT INTO `{schema}`.rr_orders VALUES (3, 'new'), (4, 'new')")
    warehouse.sql.execute(f"INSERT INTO `{schema}`.rr_lines VALUES (40, 3), (41, 3), (42, 4)")
    before = {t: warehouse.sql.table_rows(schema, t) for t in ("rr_orders", "rr_lines")}
    catalog_before = warehouse.catalog()

    refused = warehouse.dbt("run-operation", "restore_backup", "--args", f"{{table: {schema}.rr_orders}}", extra)

    assert not refused.success
    line = error_line(refused, "would leave orphans")
    assert f"3 row(s) of {schema}.rr_lines" in line and "fk_rr_lines_order" in line and "nothing was changed" in line
    if children_backed_up:
        assert f"{{ts: '{backup['backup_ts']}'}}" in line
    else:
        assert "has no backup in the set" in line
    assert "RESTORE " not in refused.log
    assert {t: warehouse.sql.table_rows(schema, t) for t in ("rr_orders", "rr_lines")} == before
    assert warehouse.catalog() == catalog_before
    if children_backed_up:  # the whole-set restore it names keeps them consistent
        together = warehouse.dbt("run-operation", "restore_backup", "--args", f"{{ts: '{backup['backup_ts']}'}}", extra)
        assert together.success, together.log
        assert warehouse.sql.rows(f"SELECT line_id, order_id FROM `{schema}`.rr_lines ORDER BY line_id") == [
            (10, 1), (20, 2), (30, None)]
        assert warehouse.sql.rows(f"SELECT id FROM `{schema}`.rr_orders ORDER BY id") == [(1,), (2,)]
    warehouse.sql.execute(f"DROP TABLE `{schema}`.rr_lines")
    warehouse.sql.execute(f"DROP TABLE `{schema}`.rr_orders")


def test_restore_that_gives_up_behind_a_reader_prints_only_its_refusal(warehouse, server):
    schema = warehouse.schema("gold")
    latest = latest_backup(warehouse, schema, "moveouts")
    before, catalog_before = warehouse.sql.table_rows(schema, "moveouts"), warehouse.catalog()
    reader = Sql(server)
    try:
        reader.execute("START TRANSACTION")
        reader.rows(f"SELECT COUNT(*) FROM `{schema}`.moveouts")  # holds a metadata lock: the RENAME waits
        outcome = warehouse.dbt(
            "run-operation", "restore_backup", "--args", f"{{table: {schema}.moveouts, ts: '{latest['backup_ts']}'}}",
            "--vars", "{safeguard_lock_wait_seconds: 1, safeguard_lock_wait_total_seconds: 2}")
    finally:
        reader.execute("ROLLBACK")
        reader.close()
    assert not outcome.success
    safeguard_lines = [line for line in outcome.log.splitlines() if "[safeguard]" in line]
    assert not [line for line in safeguard_lines if "RESTORE " in line or "VERIFY" in line], safeguard_lines
    assert warehouse.sql.table_rows(schema, "moveouts") == before
    # the same rows and statuses (a kept table read for the first time records its fingerprint)
    assert [(r["backup_table"], r["status"]) for r in warehouse.catalog()] == \
        [(r["backup_table"], r["status"]) for r in catalog_before]


def test_an_extra_table_with_stored_and_virtual_generated_columns_is_verified_and_restored(warehouse):
    """The fingerprint covers what a backup must equal: the non-generated
    columns (CHECKSUM TABLE of such a table is not stable on MariaDB at ~1M
    rows: the 1M-row case is in tests/test_benchmarks.py)."""
    schema = warehouse.schema("silver")
    table = "rr_generated"
    warehouse.sql.execute(f"DROP TABLE IF EXISTS `{schema}`.`{table}`")
    warehouse.sql.execute(
        f"CREATE TABLE `{schema}`.`{table}` (id INT PRIMARY KEY, note VARCHAR(100), amount DECIMAL(10,2) NULL,"
        " note_up VARCHAR(100) AS (UPPER(note)) STORED, twice DECIMAL(12,2) AS (amount * 2) VIRTUAL)")
    warehouse.sql.execute(
        f"INSERT INTO `{schema}`.`{table}` (id, note, amount) SELECT seq, CONCAT('n', seq), IF(seq % 7 = 0, NULL, seq / 3)"
        " FROM (SELECT a.n + 10 * b.n + 100 * c.n + 1000 * d.n AS seq FROM"
        " (SELECT 0 n UNION SELECT 1 UNION SELECT 2 UNION SELECT 3 UNION SELECT 4 UNION SELECT 5 UNION SELECT 6"
        "  UNION SELECT 7 UNION SELECT 8 UNION SELECT 9) a,"
        " (SELECT 0 n UNION SELECT 1 UNION SELECT 2 UNION SELECT 3 UNION SELECT 4 UNION SELECT 5 UNION SELECT 6"
        "  UNION SELECT 7 UNION SELECT 8 UNION SELECT 9) b,"
        " (SELECT 0 n UNION SELECT 1 UNION SELECT 2 UNION SELECT 3 UNION SELECT 4 UNION SELECT 5 UNION SELECT 6"
        "  UNION SELECT 7 UNION SELECT 8 UNION SELECT 9) c,"
        " (SELECT 0 n UNION SELECT 1 UNION SELECT 2 UNION SELECT 3 UNION SELECT 4 UNION SELECT 5 UNION SELECT 6"
        "  UNION SELECT 7 UNION SELECT 8 UNION SELECT 9) d) AS s")
    extra = f"--vars={{safeguard_extra_tables: ['{schema}.{table}']}}"
    expected = warehouse.sql.table_rows(schema, table)

    run = warehouse.run("--select", "stg_tenants", extra)

    assert run.success, run.log
    backup = latest_backup(warehouse, schema, table)
    assert backup["fingerprint_method"] == "rowhash1" and backup["row_count"] == 10_000
    assert backup["checksum"] == warehouse.sql.fingerprint(schema, table)
    assert warehouse.sql.table_rows(backup["backup_schema"], backup["backup_table"]) == expected
    warehouse.sql.execute(f"UPDATE `{schema}`.`{table}` SET note = 'damaged' WHERE id < 50")
    restored = warehouse.dbt("run-operation", "restore_backup", "--args", f"{{table: {schema}.{table}}}", extra)
    assert restored.success, restored.log
    assert warehouse.sql.table_rows(schema, table) == expected
    warehouse.sql.execute(f"DROP TABLE `{schema}`.`{table}`")


def test_extra_table_without_a_verified_backup_fails_the_run_before_any_model(warehouse):
    """An AUTO_INCREMENT row with id 0 (stored under NO_AUTO_VALUE_ON_ZERO) is
    copied as a new id (1): the backup is not the table. No model builds an extra
    table, so the run itself must stop: every model refuses, nothing is built,
    and a change made anyway (an on-run-end hook here) is named by finish_run."""
    schema = warehouse.schema("silver")
    table = "rr_autoinc"
    warehouse.sql.execute(f"DROP TABLE IF EXISTS `{schema}`.`{table}`")
    warehouse.sql.execute(f"CREATE TABLE `{schema}`.`{table}` (id INT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(20))")
    warehouse.sql.execute("SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_AUTO_VALUE_ON_ZERO')")
    warehouse.sql.execute(f"INSERT INTO `{schema}`.`{table}` VALUES (0, 'zero'), (5, 'five'), (6, 'six')")
    extra = f"--vars={{safeguard_extra_tables: ['{schema}.{table}']}}"
    before = warehouse.snapshot()
    project = warehouse.project / "dbt_project.yml"
    original = project.read_text()
    hook = f"  - \"{{% if flags.WHICH == 'run' %}}delete from `{schema}`.`{table}` where id = 6{{% endif %}}\"\n"
    assert "on-run-end:\n" in original
    project.write_text(original.replace("on-run-end:\n", "on-run-end:\n" + hook, 1))
    try:
        run = warehouse.run(extra)
    finally:
        project.write_text(original)

    assert not run.success
    assert "is not verified; no lease taken" in run.log
    assert warehouse.snapshot() == before  # no model built
    (row,) = warehouse.catalog("source_table = %s", (table,))
    assert row["status"] == "failed"
    changed = [line for line in run.log.splitlines() if "changed, no backup to roll back to" in line]
    assert len(changed) == 1 and f"{schema}.{table}" in changed[0]
    warehouse.sql.execute(f"DROP TABLE `{schema}`.`{table}`")


class _ShiftedClock(datetime.datetime):
    """dbt's clock, shifted: dbt sets run_started_at from dbt.tracking's
    `datetime.now(tz=pytz.utc)` when an invocation starts (dbt 1.7,
    dbt/tracking.py), and these tests run dbt in-process, so replacing that
    name shifts exactly the client clock dbt and the macros see. (faketime
    would shift it too, but is not installed everywhere CI runs.)"""
    shift = datetime.timedelta(0)

    @classmethod
    def now(cls, tz=None):
        return datetime.datetime.now(tz) + cls.shift


CLOCK_MACRO = ("{% macro rr_clock() %}{{ log('RR_CLIENT_CLOCK ' ~ run_started_at.strftime('%Y%m%d_%H%M%S'), info=True) }}"
               "{% endmacro %}\n")


@pytest.mark.parametrize("days", [-2, 2], ids=["client-2-days-behind", "client-2-days-ahead"])
def test_a_client_clock_days_off_changes_no_backup_time_latest_or_retention(warehouse, monkeypatch, days):
    import dbt.tracking

    schema, table = warehouse.schema("gold"), "moveouts"
    (warehouse.project / "macros").mkdir(exist_ok=True)
    (warehouse.project / "macros" / "rr_clock.sql").write_text(CLOCK_MACRO)
    monkeypatch.setattr(dbt.tracking, "datetime", _ShiftedClock)
    monkeypatch.setattr(_ShiftedClock, "shift", datetime.timedelta(days=days))
    server_now = datetime.datetime.strptime(
        warehouse.sql.scalar("SELECT DATE_FORMAT(UTC_TIMESTAMP(), '%Y%m%d_%H%i%s')"), "%Y%m%d_%H%M%S")
    clock = warehouse.operation("rr_clock")
    client = datetime.datetime.strptime(clock.log.split("RR_CLIENT_CLOCK ")[1][:15], "%Y%m%d_%H%M%S")
    assert abs((client - server_now) - datetime.timedelta(days=days)) < datetime.timedelta(minutes=5)  # truly shifted

    run = warehouse.run("--select", table)  # with the on-run-start prune (retention_days 3)

    assert run.success, run.log
    newest = latest_backup(warehouse, schema, table)
    taken = datetime.datetime.strptime(newest["backup_ts"], "%Y%m%d_%H%M%S")
    assert abs(taken - server_now) < datetime.timedelta(minutes=5), newest["backup_ts"]
    newest_rows = warehouse.sql.table_rows(newest["backup_schema"], newest["backup_table"])
    shifted_prune = warehouse.operation("prune_backups", "{retention_days: 1, keep_last: 0}")
    monkeypatch.setattr(_ShiftedClock, "shift", datetime.timedelta(0))
    true_prune = warehouse.operation("prune_backups", "{retention_days: 1, keep_last: 0}")
    for prune in (shifted_prune, true_prune):
        assert prune.success, prune.log
    assert warehouse.catalog("backup_table = %s", (newest["backup_table"],))[0]["status"] == "verified"
    assert warehouse.sql.table_exists(newest["backup_schema"], newest["backup_table"])

    monkeypatch.setattr(_ShiftedClock, "shift", datetime.timedelta(days=days))
    warehouse.sql.execute(f"DELETE FROM `{schema}`.`{table}` LIMIT 3")
    restored = warehouse.operation("restore_backup", f"{{table: {schema}.{table}}}")  # "latest"
    assert restored.success, restored.log
    assert warehouse.sql.table_rows(schema, table) == newest_rows
    replaced = backups(warehouse, schema, table, "replaced")[-1]
    assert abs(datetime.datetime.strptime(replaced["backup_ts"], "%Y%m%d_%H%M%S") - server_now) < datetime.timedelta(minutes=5)
    monkeypatch.setattr(_ShiftedClock, "shift", datetime.timedelta(0))
    assert warehouse.run("--select", table).success  # leave it healthy


def test_a_catalog_row_of_an_older_version_is_verified_the_way_it_was_made(warehouse):
    """Rows written before fingerprint_method existed hold CHECKSUM TABLE
    (the column is NULL): a restore compares them the same way."""
    schema, table = warehouse.schema("gold"), "new_contracts"
    assert warehouse.run("--select", table).success
    latest = latest_backup(warehouse, schema, table)
    rows = warehouse.sql.table_rows(latest["backup_schema"], latest["backup_table"])
    count = warehouse.sql.scalar(f"SELECT COUNT(*) FROM `{latest['backup_schema']}`.`{latest['backup_table']}`")
    old_checksum = warehouse.sql.checksum(latest["backup_schema"], latest["backup_table"])
    catalog = f"`{warehouse.catalog_schema}`.safeguard_backups"
    args = f"{{table: {schema}.{table}, ts: '{latest['backup_ts']}'}}"

    warehouse.sql.execute(f"UPDATE {catalog} SET row_count = %s, checksum = %s, fingerprint_method = NULL"
                          " WHERE backup_table = %s", (count, old_checksum + 1, latest["backup_table"]))
    refused = warehouse.operation("restore_backup", args)  # compared the old way: it does not match
    assert not refused.success and "no longer matches its catalog row" in refused.log
    warehouse.sql.execute(f"UPDATE {catalog} SET checksum = %s WHERE backup_table = %s",
                          (old_checksum, latest["backup_table"]))
    restored = warehouse.operation("restore_backup", args)

    assert restored.success, restored.log
    assert warehouse.sql.table_rows(schema, table) == rows
    assert warehouse.catalog("backup_table = %s", (latest["backup_table"],))[0]["fingerprint_method"] is None
    assert warehouse.run("--select", table).success  # leave it healthy
