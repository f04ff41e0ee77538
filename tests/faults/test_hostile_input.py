"""Hostile input through the real pipeline: dumps that are broken or carry
statements that must not run, `--args` values built to escape quoting, and
hand-edited catalog rows. Nothing outside the target may change, in any case
(checksums of a decoy schema, and of everything else under the prefix)."""
from __future__ import annotations

import os

import pytest

from faults import dump_edits
from faults.hostile import create_decoy, fingerprint, staging_checksums

EVIL_OUTFILE = "/tmp/safeguard_faults_outfile.txt"


@pytest.fixture(scope="module")
def warehouse(lab):
    """Nights 1 and 2 built (backups exist), and a decoy schema beside them."""
    pipeline = lab.pipeline("mysql")
    for day in (1, 2):
        done = pipeline.night(day)
        assert done.returncode == 0, done.explain()
    pipeline.decoy = create_decoy(pipeline)
    yield pipeline
    lab.ensure_up()
    pipeline.reconnect()
    pipeline.sql.execute("DROP USER IF EXISTS 'evil'@'%'")
    pipeline.drop_everything()
    pipeline.close()


def assert_refused_one_line(done, what):
    assert done.returncode != 0, f"{what} was accepted"
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    return done.explain()


# -- dumps ---------------------------------------------------------------------

def evil_statements(decoy):
    """Each must be refused before anything changes (issue 8, item 2)."""
    return {
        "drop database": [f"DROP DATABASE `{decoy}`"],
        "delete": [f"DELETE FROM `{decoy}`.t"],
        "update": [f"UPDATE `{decoy}`.t SET v = 'pwned'"],
        "insert": [f"INSERT INTO `{decoy}`.t VALUES (999, 'pwned')"],
        "truncate": [f"TRUNCATE TABLE `{decoy}`.t"],
        "rename": [f"RENAME TABLE `{decoy}`.t TO `{decoy}`.t_gone"],
        "multi-table drop": [f"DROP TABLE IF EXISTS `apartments`, `{decoy}`.`t`"],
        "set statement for": [f"SET STATEMENT max_statement_time=1 FOR DELETE FROM `{decoy}`.t"],
        "call": [f"CALL `{decoy}`.p()"],
        "grant": ["CREATE USER 'evil'@'%' IDENTIFIED BY 'x'", "GRANT ALL ON *.* TO 'evil'@'%'"],
        "select into outfile": [f"SELECT * FROM `{decoy}`.t INTO OUTFILE '{EVIL_OUTFILE}'"],
        "trigger body": ["CREATE TABLE `zz_t` (id int)",
                         f"/*!50003 CREATE*/ /*!50003 TRIGGER `zz_trg` AFTER INSERT ON `zz_t` FOR EACH ROW"
                         f" DELETE FROM `{decoy}`.t */", "INSERT INTO `zz_t` VALUES (1)"],
        "event body": [f"CREATE EVENT `zz_ev` ON SCHEDULE AT CURRENT_TIMESTAMP DO DELETE FROM `{decoy}`.t"],
    }


EVIL_KINDS = list(evil_statements("decoy"))


@pytest.mark.faults
@pytest.mark.parametrize("kind", EVIL_KINDS)
def test_dump_statement_reaching_outside_staging_is_refused_and_changes_nothing(warehouse, kind):
    pipeline = warehouse
    dump = dump_edits.with_statements(pipeline.dumps[3], pipeline.root / f"evil_{kind.replace(' ', '_')}.sql.gz",
                                      evil_statements(pipeline.decoy)[kind])
    before, staging = fingerprint(pipeline), staging_checksums(pipeline)
    pipeline.put_dump(3, dump)
    done = pipeline.etl()
    message = assert_refused_one_line(done, f"a dump with {kind}")
    assert fingerprint(pipeline) == before, f"{kind}: something outside staging changed ({message})"
    assert staging_checksums(pipeline) == staging
    assert not os.path.exists(EVIL_OUTFILE)


BROKEN_DUMPS = {
    "truncated": dump_edits.truncated,
    "gzip-corrupt": dump_edits.gzip_corrupt,
    "utf-16 text": dump_edits.wrong_encoding,
}
BROKEN_KINDS = list(BROKEN_DUMPS)


@pytest.mark.parametrize("kind", BROKEN_KINDS)
def test_broken_dump_is_refused_and_changes_nothing(warehouse, kind):
    pipeline = warehouse
    dump = BROKEN_DUMPS[kind](pipeline.dumps[3], pipeline.root / f"broken_{kind}.sql.gz")
    before, staging = fingerprint(pipeline), staging_checksums(pipeline)
    pipeline.put_dump(3, dump)
    done = pipeline.etl()
    assert_refused_one_line(done, f"a {kind} dump")
    assert fingerprint(pipeline) == before
    assert staging_checksums(pipeline) == staging
    assert (pipeline.inbox / dump.name.replace("broken_", "")).exists() or list(pipeline.inbox.glob("*.sql*")), \
        "a refused dump must not be archived"


def test_dump_that_is_not_utf8_is_refused_not_silently_truncated(warehouse):
    """It says utf8mb4 and is not: the server would cut each name at the first bad byte."""
    pipeline = warehouse
    dump = dump_edits.latin1_strings(pipeline.dumps[3], pipeline.root / "latin1.sql.gz")
    before, staging = fingerprint(pipeline), staging_checksums(pipeline)
    pipeline.put_dump(3, dump)
    done = pipeline.etl()
    explained = assert_refused_one_line(done, "a dump with invalid UTF-8")
    assert "the server would store a changed value" in explained, explained
    assert fingerprint(pipeline) == before
    assert staging_checksums(pipeline) == staging


@pytest.mark.faults
def test_dump_with_a_huge_single_row_loads_it_whole(warehouse):
    pipeline = warehouse
    megabytes = 24
    dump = dump_edits.huge_row(pipeline.dumps[2], pipeline.root / "huge.sql.gz", megabytes)
    outside = {k: v for k, v in fingerprint(pipeline)["tables"].items() if k.startswith(pipeline.decoy)}
    pipeline.put_dump(2, dump)
    done = pipeline.etl()
    assert done.returncode == 0, done.explain()
    length = pipeline.sql.scalar(f"SELECT LENGTH(body) FROM `{pipeline.schema('staging')}`.zz_huge WHERE id = 1")
    assert length == len(b"ab'c") * (megabytes * 1024 * 1024 // 5)
    assert {k: v for k, v in fingerprint(pipeline)["tables"].items() if k.startswith(pipeline.decoy)} == outside
    pipeline.sql.execute(f"DROP TABLE `{pipeline.schema('staging')}`.zz_huge")


# -- --args --------------------------------------------------------------------

def hostile_args(prefix, decoy):
    history = f"{prefix}silver.tenant_status_history"
    return [
        ("restore_backup", f"{{table: \"{prefix}silver.t`; DROP DATABASE `{decoy}`; --\"}}"),
        ("restore_backup", f"{{table: \"{history}' OR '1'='1\"}}"),
        ("restore_backup", f"{{table: \"{history}; DELETE FROM {decoy}.t\"}}"),
        ("restore_backup", f"{{table: \"{history} /* c */\", ts: \"20260206_070000'; DROP TABLE {decoy}.t; --\"}}"),
        ("restore_backup", f"{{table: \"{prefix}silver.テナント履歴\"}}"),
        ("restore_backup", f"{{table: \"{prefix}silver.{'x' * 65}\"}}"),
        ("restore_backup", f"{{table: {history}, invocation_id: \"x' or '1'='1\"}}"),
        ("prune_backups", "{keep_last: \"1; DROP DATABASE x\"}"),
        ("prune_backups", "{retention_days: -1}"),
        ("release_lease", "{invocation_id: \"'; DELETE FROM safeguard_run_lease; --\"}"),
    ]


ARG_CASES = ["restore table with backtick and semicolon", "restore table with quote OR", "restore table with ; DELETE",
             "restore ts with comment and DROP", "restore unicode table", "restore 65-character table",
             "restore invocation_id with quote OR", "prune keep_last with ; DROP", "prune negative retention",
             "release_lease id with ; DELETE"]


@pytest.mark.parametrize("case", range(len(ARG_CASES)), ids=ARG_CASES)
def test_hostile_args_are_refused_with_one_line_and_change_nothing(warehouse, case):
    pipeline = warehouse
    macro, args = hostile_args(pipeline.prefix, pipeline.decoy)[case]
    before = fingerprint(pipeline)
    catalog = pipeline.catalog_rows()
    done = pipeline.operation(macro, args)
    assert done.returncode != 0, f"{macro} accepted {args}"
    errors = [line for line in done.error_lines() if "safeguard" in line]
    assert errors, f"{macro} {args}: no safeguard error line: {done.explain()}"
    assert fingerprint(pipeline) == before
    assert pipeline.catalog_rows() == catalog


# -- hand-edited catalog rows ---------------------------------------------------

def insert_row(pipeline, **values):
    row = dict(backup_ts="20991231_235959", invocation_id="00000000-0000-0000-0000-000000000000", kind="backup",
               row_count=0, checksum=0, status="verified", note="hand-edited")
    row.update(values)
    columns = list(row) + ["created_at", "updated_at"]
    pipeline.sql.execute(
        f"INSERT INTO `{pipeline.schema('analytics')}`.safeguard_backups ({', '.join(columns)})"
        f" VALUES ({', '.join(['%s'] * len(row))}, UTC_TIMESTAMP(), UTC_TIMESTAMP())", list(row.values()))


def delete_hand_edits(pipeline):
    pipeline.sql.execute(f"DELETE FROM `{pipeline.schema('analytics')}`.safeguard_backups WHERE note = 'hand-edited'")


@pytest.mark.faults
def test_restore_refuses_a_catalog_row_pointing_outside_the_protected_set(warehouse):
    pipeline = warehouse
    decoy = pipeline.decoy
    checksum = pipeline.sql.checksum(decoy, "t")
    insert_row(pipeline, source_schema=pipeline.schema("gold"), source_table="moveouts", backup_schema=decoy,
               backup_table="t", row_count=25, checksum=checksum)
    try:
        before = fingerprint(pipeline)
        done = pipeline.operation("restore_backup", f"{{table: {pipeline.schema('gold')}.moveouts}}")
        assert done.returncode != 0, "restore moved a decoy table into gold.moveouts"
        assert fingerprint(pipeline) == before
    finally:
        delete_hand_edits(pipeline)


@pytest.mark.faults
def test_prune_never_drops_a_table_the_catalog_row_does_not_own(warehouse):
    pipeline = warehouse
    decoy = pipeline.decoy
    insert_row(pipeline, backup_ts="20200101_000000", source_schema=pipeline.schema("gold"), source_table="moveouts",
               backup_schema=decoy, backup_table="t", status="pending")
    try:
        before = fingerprint(pipeline)["tables"]
        pipeline.operation("prune_backups", "{retention_days: 0, keep_last: 5}")
        assert pipeline.sql.table_exists(decoy, "t"), "prune dropped the decoy table"
        after = fingerprint(pipeline)["tables"]
        assert {k: v for k, v in after.items() if k.startswith(decoy)} == \
            {k: v for k, v in before.items() if k.startswith(decoy)}
    finally:
        delete_hand_edits(pipeline)


def test_restore_refuses_a_backup_whose_content_no_longer_matches_its_row(warehouse):
    """Somebody deleted a row of the backup by hand: a restore must notice
    before the swap, not after it."""
    pipeline = warehouse
    row = [r for r in pipeline.catalog_rows()
           if r["source_table"] == "tenant_status_history" and r["kind"] == "backup" and r["status"] == "verified"][-1]
    backup = f"`{row['backup_schema']}`.`{row['backup_table']}`"
    saved = pipeline.sql.rows(f"SELECT * FROM {backup} LIMIT 1")
    pipeline.sql.execute(f"DELETE FROM {backup} LIMIT 1")
    try:
        live = pipeline.states()
        done = pipeline.operation("restore_backup", f"{{table: {pipeline.schema('silver')}.tenant_status_history}}")
        assert done.returncode != 0, "a tampered backup was restored"
        assert pipeline.states() == live, "the live table was swapped for a tampered backup"
    finally:
        if pipeline.sql.table_exists(row["backup_schema"], row["backup_table"]):
            pipeline.sql.execute(f"INSERT IGNORE INTO {backup} VALUES ({', '.join(['%s'] * len(saved[0]))})",
                                 list(saved[0]))
