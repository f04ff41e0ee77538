"""The loader on dumps nobody here wrote (issue 8): no wedged nights, nothing run
outside staging, no silent truncation, raw install scripts load what the
`mariadb` client loads, bounded swaps. Each refusal checks that a decoy schema
and staging are unchanged."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from dbt_safeguard.cli.main import EXIT_FAILURE, main
from dbt_safeguard.connection import LockWaitBound
from dbt_safeguard.errors import FatalError
from dbt_safeguard.staging_loader import StagingLoader, load_lock_name
from safeguard_testing.dump_files import create_awkward_schema, create_sized_schema, load, mariadb_dump
from safeguard_testing.dump_shapes import (
    chinook_style_script,
    create_parent_child_schema,
    sakila_style_script,
    world_style_script,
)
from safeguard_testing.harness import default_sigint

pytestmark = pytest.mark.usefixtures("cleanup_schemas")


def cli(server, *args):
    return main([*map(str, args), "--host", server.host, "--port", str(server.port), "--user", server.user,
                 "--no-progress"])


def schema_state(sql, schema):
    """Checksum and row count of every table, plus the routines, triggers and events of `schema`."""
    tables = {t: (sql.checksum(schema, t), sql.scalar(f"SELECT COUNT(*) FROM `{schema}`.`{t}`"))
              for t in sql.tables(schema)
              if sql.scalar("SELECT table_type FROM information_schema.tables WHERE table_schema = %s "
                            "AND table_name = %s", (schema, t)) == "BASE TABLE"}
    code = sql.rows("SELECT routine_type, routine_name FROM information_schema.routines WHERE routine_schema = %s "
                    "UNION ALL SELECT 'TRIGGER', trigger_name FROM information_schema.triggers "
                    "WHERE trigger_schema = %s ORDER BY 1, 2", (schema, schema))
    return tables, code


@pytest.fixture
def decoy(sql, names):
    """A schema the dumps must never touch (names.other): a table, a procedure; returns its state reader."""
    other = names.other
    sql.execute(f"CREATE DATABASE `{other}`")
    sql.execute(f"CREATE TABLE `{other}`.`t` (id INT PRIMARY KEY, v VARCHAR(20)) ENGINE=InnoDB")
    sql.execute(f"INSERT INTO `{other}`.`t` VALUES (1, 'keep'), (2, 'me')")
    sql.execute(f"CREATE PROCEDURE `{other}`.`p`() UPDATE `{other}`.`t` SET v = 'changed'")
    users = lambda: sql.scalar("SELECT COUNT(*) FROM mysql.user")  # noqa: E731
    return lambda: (schema_state(sql, other), users())


@pytest.fixture
def staged(loaded, sql, names):
    """Staging loaded with day 1 of a two-table dump; returns (day-2 dump bytes, staging state reader)."""
    data, _ = loaded
    return data, lambda: schema_state(sql, names.target)


# -- 1. a table with a foreign key that leaves the dump ------------------------------------------------------

def test_a_dropped_child_table_does_not_wedge_later_nights(server, sql, names, tmp_path):
    create_parent_child_schema(sql, names.source)
    day1 = mariadb_dump(server, names.source, tmp_path / "day1.sql")
    day2 = mariadb_dump(server, names.source, tmp_path / "day2.sql", f"--ignore-table={names.source}.child")
    load(server, day1, names.target)

    first = load(server, day2, names.target)
    # yesterday's child left with its parent: nothing in staging points at staging_previous
    assert first.stale == ["child"] and sql.tables(names.target) == ["parent"]
    assert sql.scalar(f"SELECT COUNT(*) FROM `{names.target}_previous`.`child`") == 3
    second = load(server, day2, names.target)  # DROP DATABASE staging_previous with a parent/child pair in it

    assert second.swapped == ["parent"] and second.stale == []
    assert sql.checksum(names.target, "parent") == sql.checksum(names.source, "parent")
    assert sql.tables(names.target + "_previous") == ["parent"]


def test_a_foreign_key_to_a_table_the_dump_lacks_is_refused_by_load_and_dry_run(server, sql, names, tmp_path,
                                                                               decoy, capsys):
    create_parent_child_schema(sql, names.source)
    load(server, mariadb_dump(server, names.source, tmp_path / "day1.sql"), names.target)
    before, outside = schema_state(sql, names.target), decoy()
    orphan = mariadb_dump(server, names.source, tmp_path / "orphan.sql", f"--ignore-table={names.source}.parent")

    with pytest.raises(FatalError, match="table `child` has a foreign key to `parent`, which the dump does not create"):
        load(server, orphan, names.target)
    capsys.readouterr()
    assert cli(server, "load", orphan, "--schema", names.target, "--dry-run") == EXIT_FAILURE
    assert "has a foreign key to `parent`" in capsys.readouterr().err

    assert schema_state(sql, names.target) == before and decoy() == outside


def test_a_foreign_key_from_another_schema_into_staging_is_refused(server, sql, names, tmp_path, staged, decoy):
    data, state = staged
    sql.execute(f"CREATE TABLE `{names.other}`.`ref` (id INT PRIMARY KEY, "
                f"FOREIGN KEY (id) REFERENCES `{names.target}`.`alpha` (id)) ENGINE=InnoDB")
    before, outside = state(), decoy()
    (tmp_path / "day2.sql").write_bytes(data)

    with pytest.raises(FatalError, match=f"`{names.other}`.`ref` has foreign key .* the swap would re-point it"):
        load(server, tmp_path / "day2.sql", names.target)

    assert state() == before and decoy() == outside


# -- 2. statements that reach outside staging ----------------------------------------------------------------

HOSTILE = {
    "delete": "DELETE FROM {o}.t",
    "update": "UPDATE {o}.t SET v = 'x'",
    "truncate": "TRUNCATE TABLE {o}.t",
    "rename": "RENAME TABLE {o}.t TO {o}.t2",
    "call": "CALL {o}.p()",
    "select-into-outfile": "SELECT * FROM alpha INTO OUTFILE '/tmp/safeguard-leak.txt'",
    "grant": "GRANT ALL PRIVILEGES ON {o}.* TO 'intruder'@'%' IDENTIFIED BY 'x'",
    "create-user": "CREATE USER 'intruder'@'%'",
    "multi-table-drop": "DROP TABLE IF EXISTS alpha, {o}.t",
    "set-statement-for": "SET STATEMENT max_statement_time=1 FOR DELETE FROM {o}.t",
    "set-statement-for-insert": "SET STATEMENT max_statement_time=1 FOR INSERT INTO {o}.t VALUES (3, 'x')",
    "set-password": "SET PASSWORD = PASSWORD('x')",
    "view-body": "CREATE VIEW leak AS SELECT * FROM `{o}`.`t`",
    "trigger-body": "CREATE TRIGGER tr BEFORE INSERT ON beta FOR EACH ROW DELETE FROM {o}.t",
    "routine-body": "CREATE PROCEDURE pr() UPDATE `{o}`.t SET v = 'x'",
    "event-body": "CREATE EVENT ev ON SCHEDULE EVERY 1 SECOND DO DELETE FROM {o}.t",
    "insert-select": "INSERT INTO alpha SELECT id + 1000, v, v FROM {o}.t",
    "system-schema": "CREATE VIEW users AS SELECT user FROM mysql.user",
    "anonymous-block": "BEGIN NOT ATOMIC DELETE FROM {o}.t; END",
    "load-data": "LOAD DATA INFILE '/etc/passwd' INTO TABLE alpha",
}


@pytest.mark.parametrize("statement", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_statement_reaching_outside_staging_is_refused_by_load_and_dry_run(
        server, sql, names, tmp_path, staged, decoy, statement, capsys):
    data, state = staged
    before, outside = state(), decoy()
    text = statement.format(o=f"`{names.other}`" if "`" not in statement else names.other).encode()
    # after the first table's data: the load has already written to its shadow
    at = data.index(b"\n", data.index(b"UNLOCK TABLES")) + 1
    delimited = b"DELIMITER ;;\n" + text + b";;\nDELIMITER ;\n" if b"BEGIN" in text else text + b";\n"
    offset = at + (len(b"DELIMITER ;;\n") if b"BEGIN" in text else 0)
    (tmp_path / "hostile.sql").write_bytes(data[:at] + delimited + data[at:])

    with pytest.raises(FatalError) as refused:
        load(server, tmp_path / "hostile.sql", names.target)
    assert f"at byte {offset}" in str(refused.value) and "is unchanged" in str(refused.value)
    capsys.readouterr()
    assert cli(server, "load", tmp_path / "hostile.sql", "--schema", names.target, "--dry-run") == EXIT_FAILURE
    assert f"at byte {offset}" in capsys.readouterr().err

    assert state() == before and decoy() == outside
    assert not os.path.exists("/tmp/safeguard-leak.txt")
    assert not sql.rows("SHOW DATABASES LIKE %s", (names.target + "_loading",))


def test_names_of_the_dumped_database_are_unqualified_everywhere(server, sql, names, tmp_path):
    create_awkward_schema(sql, names.source)
    sql.execute(f"CREATE VIEW `{names.source}`.`qualified` AS SELECT COUNT(*) AS n FROM {names.source}.many")
    dump = mariadb_dump(server, names.source, tmp_path / "d.sql", "--routines", "--triggers", "--databases")

    load(server, dump, names.target)

    sql.execute(f"DELETE FROM `{names.source}`.`many`")  # the view must read staging, not the source
    assert sql.scalar(f"SELECT n FROM `{names.target}`.`qualified`") == 5000
    definition = sql.scalar("SELECT view_definition FROM information_schema.views WHERE table_schema = %s "
                            "AND table_name = 'qualified'", (names.target,))
    assert names.source not in definition


# -- 3. a refused second load ---------------------------------------------------------------------------------

def test_a_refused_second_load_leaves_the_running_loads_shadow_alone(server, sql, names, tmp_path, staged):
    data, state = staged
    (tmp_path / "day2.sql").write_bytes(data)
    holder = server.connect()  # the running load: holds the lock and is filling its shadow
    try:
        with holder.cursor() as cur:
            cur.execute("SELECT GET_LOCK(%s, 0)", (load_lock_name(names.target),))
            cur.execute(f"CREATE DATABASE `{names.target}_loading`")
            cur.execute(f"CREATE TABLE `{names.target}_loading`.`alpha` (id INT)")
        before = state()
        with pytest.raises(FatalError, match=r"another load into .* is running .*held by connection \d+"):
            load(server, tmp_path / "day2.sql", names.target)
        assert sql.tables(names.target + "_loading") == ["alpha"]
        assert state() == before
    finally:
        holder.close()


# -- 4. completeness of dumps without a header ----------------------------------------------------------------

def test_a_headerless_dump_cut_between_statements_is_refused(server, sql, names, tmp_path, decoy):
    create_sized_schema(sql, names.source, 200, tables=("alpha", "beta", "gamma"))
    load(server, mariadb_dump(server, names.source, tmp_path / "day1.sql"), names.target)
    state, outside = schema_state(sql, names.target), decoy()
    sql.execute(f"UPDATE `{names.source}`.`beta` SET name = 'new'")
    data = mariadb_dump(server, names.source, tmp_path / "full.sql", "--skip-comments").read_bytes()
    (tmp_path / "cut.sql").write_bytes(data[:data.index(b"INSERT INTO `beta`")])

    with pytest.raises(FatalError, match="completeness cannot be established.*--require-table"):
        load(server, tmp_path / "cut.sql", names.target)
    with pytest.raises(FatalError, match="lacks required tables gamma"):
        load(server, tmp_path / "cut.sql", names.target, required_tables=["alpha", "beta", "gamma"])
    assert cli(server, "load", tmp_path / "cut.sql", "--schema", names.target, "--dry-run") == EXIT_FAILURE

    assert schema_state(sql, names.target) == state and decoy() == outside


@pytest.mark.parametrize("option", ["--compact", "--skip-comments"])
def test_a_headerless_dump_loads_when_its_tables_are_required_and_reports_evidence(
        server, sql, names, tmp_path, option, capfd):
    create_sized_schema(sql, names.source, 200)
    dump = mariadb_dump(server, names.source, tmp_path / "d.sql", option)

    code = cli(server, "load", dump, "--schema", names.target, "--require-table", "alpha",
               "--require-table", "beta", "--log-format", "json")

    out = capfd.readouterr().out
    assert code == 0
    end = next(json.loads(line) for line in out.splitlines() if '"load_end"' in line)
    assert end["evidence"]["completeness"] == "required tables"
    assert end["evidence"]["tables"]["alpha"]["rows"] == 200 and end["evidence"]["tables"]["beta"]["inserts"] >= 1
    assert sql.checksum(names.target, "beta") == sql.checksum(names.source, "beta")
    result = load(server, dump, names.target, trust_incomplete=True)
    assert result.evidence["completeness"] == "trusted"


def test_chinook_style_script_loads_with_its_tables_required(server, sql, names, tmp_path):
    (tmp_path / "chinook.sql").write_bytes(chinook_style_script())

    result = load(server, tmp_path / "chinook.sql", names.target, required_tables=["Artist", "Album"])

    assert result.tables == {"Artist": 2, "Album": 3}
    assert sql.scalar("SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = %s "
                      "AND index_name = 'IFK_AlbumArtistId'", (names.target,)) == 1
    with pytest.raises(pymysql_error()):  # the foreign key is live in staging
        sql.execute(f"INSERT INTO `{names.target}`.`Album` (Title, ArtistId) VALUES ('x', 99)")


def pymysql_error():
    import pymysql

    return pymysql.err.IntegrityError


# -- 5. the trailer, then queries (world.sql) ----------------------------------------------------------------

def test_world_style_dump_with_queries_after_its_trailer_loads_and_skips_them(server, sql, names, tmp_path, caplog):
    (tmp_path / "world.sql").write_bytes(world_style_script(names.source))

    with caplog.at_level("INFO", logger="safeguard"):
        result = load(server, tmp_path / "world.sql", names.target)

    assert result.tables == {"city": 3, "country": 2} and result.evidence["completeness"] == "trailer"
    assert sum("SKIP" in r.getMessage() and "QUERY" in r.getMessage() for r in caplog.records) == 2
    # 9: the schema takes the dump's CREATE DATABASE charset
    assert sql.scalar("SELECT default_character_set_name FROM information_schema.schemata WHERE schema_name = %s",
                      (names.target,)) == "latin1"


def test_a_trailer_inside_a_string_does_not_make_a_cut_dump_complete(server, sql, names, tmp_path, staged):
    data, state = staged
    before = state()
    cut = data[:data.index(b"INSERT INTO `beta`")]  # a header, and no trailer: truncated
    (tmp_path / "cut.sql").write_bytes(cut + b"SELECT '-- Dump completed';\n")

    with pytest.raises(FatalError, match="Dump completed.*truncated"):
        load(server, tmp_path / "cut.sql", names.target)
    assert state() == before


# -- 6. raw install scripts -----------------------------------------------------------------------------------

def test_sakila_style_script_loads_what_the_mariadb_client_loads(server, sql, names, tmp_path):
    script = sakila_style_script(names.source)
    (tmp_path / "sakila.sql").write_bytes(script)
    client = [os.environ.get("MARIADB_CLIENT", "mariadb"), f"--host={server.host}", f"--port={server.port}",
              f"--user={server.user}"]
    subprocess.run(client, input=script, check=True)

    result = load(server, tmp_path / "sakila.sql", names.target,
                  required_tables=["language", "film", "film_text"])

    for table in ("language", "film", "film_text"):
        assert sql.table_rows(names.target, table) == sql.table_rows(names.source, table), table
    assert result.tables["film_text"] == 5 and result.evidence["triggers_live_during_load"]
    # the view and the function read staging, not the database the script names
    sql.execute(f"DELETE FROM `{names.source}`.`film`")
    assert sql.scalar(f"SELECT COUNT(*) FROM `{names.target}`.`film_list`") == 5
    assert sql.scalar(f"SELECT `{names.target}`.film_count()") == 5
    # the trigger is live in staging afterwards, as in the client's copy
    sql.execute(f"INSERT INTO `{names.target}`.`film` VALUES (6, 'NEW', 'n', 1)")
    assert sql.scalar(f"SELECT COUNT(*) FROM `{names.target}`.`film_text`") == 6


# -- 7. one clean line ----------------------------------------------------------------------------------------

def test_ctrl_c_prints_one_line_exits_130_and_leaves_staging_unchanged(server, sql, names, tmp_path):
    create_sized_schema(sql, names.source, 60000, tables=("alpha", "beta", "gamma"))
    dump = mariadb_dump(server, names.source, tmp_path / "big.sql")
    load(server, dump, names.target)
    sql.execute(f"UPDATE `{names.source}`.`gamma` SET name = 'changed'")
    dump = mariadb_dump(server, names.source, tmp_path / "big.sql")
    before = schema_state(sql, names.target)
    process = subprocess.Popen(
        [sys.executable, "-m", "dbt_safeguard.cli.main", "load", str(dump), "--schema", names.target,
         "--workers", "1", "--no-progress"],
        env={**os.environ, **server.as_env()}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        preexec_fn=default_sigint,
    )
    # Interrupt while a row statement into the shadow schema is in flight, so
    # the load is certainly before its swap. (InnoDB's table_rows, polled
    # before, is a statistic that may show rows only once the load is done.)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None and not sql.scalar(
            "SELECT COUNT(*) FROM information_schema.processlist "
            "WHERE (info LIKE 'INSERT%%' OR info LIKE 'LOAD DATA%%') AND (db = %s OR info LIKE %s)",
            (names.target + "_loading", f"%{names.target}_loading%")):
        time.sleep(0.02)
    assert process.poll() is None, "the load finished before it could be interrupted: use a bigger dump"
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)

    assert process.returncode == 130
    assert b"Traceback" not in err and b"interrupted while loading" in err
    assert schema_state(sql, names.target) == before
    assert not sql.rows("SHOW DATABASES LIKE %s", (names.target + "_loading",))


# -- 8. what today's dump no longer defines -------------------------------------------------------------------

def test_tables_the_dump_no_longer_has_move_to_previous_in_the_same_swap(server, sql, names, tmp_path, caplog):
    create_sized_schema(sql, names.source, 50, tables=("alpha", "beta"))
    with caplog.at_level("INFO", logger="safeguard"):
        load(server, mariadb_dump(server, names.source, tmp_path / "day1.sql"), names.target)
    assert "nothing moved to" in caplog.text and "0 replaced, 2 new" in caplog.text
    sql.execute(f"DROP TABLE `{names.source}`.`beta`")
    caplog.clear()

    with caplog.at_level("INFO", logger="safeguard"):
        result = load(server, mariadb_dump(server, names.source, tmp_path / "day2.sql"), names.target)

    assert result.stale == ["beta"] and sql.tables(names.target) == ["alpha"]
    assert sql.scalar(f"SELECT COUNT(*) FROM `{names.target}_previous`.`beta`") == 50
    assert "1 replaced, 0 new; 1 no longer in the dump moved out: beta" in caplog.text


def test_a_routine_the_dump_no_longer_defines_is_refused_with_a_list(server, sql, names, tmp_path, decoy):
    create_awkward_schema(sql, names.source)
    load(server, mariadb_dump(server, names.source, tmp_path / "day1.sql", "--routines"), names.target)
    sql.execute(f"DROP FUNCTION `{names.source}`.`plus_one`")
    day2 = mariadb_dump(server, names.source, tmp_path / "day2.sql", "--routines")
    before, outside = schema_state(sql, names.target), decoy()

    with pytest.raises(FatalError, match=rf"no longer defines.*FUNCTION `{names.target}`.`plus_one`"):
        load(server, day2, names.target)

    assert schema_state(sql, names.target) == before and decoy() == outside


# -- 9. the smaller items -------------------------------------------------------------------------------------

def test_routines_keep_the_dumped_schemas_charset(server, sql, names, tmp_path):
    sql.execute(f"CREATE DATABASE `{names.source}` CHARACTER SET latin1")
    sql.execute(f"CREATE TABLE `{names.source}`.`t` (id INT PRIMARY KEY)")
    sql.execute(f"CREATE FUNCTION `{names.source}`.`echo`(s VARCHAR(10)) RETURNS VARCHAR(10) DETERMINISTIC RETURN s")
    dump = mariadb_dump(server, names.source, tmp_path / "d.sql", "--routines", "--databases")

    load(server, dump, names.target)

    charset = ("SELECT character_set_name FROM information_schema.parameters WHERE specific_schema = %s "
               "AND specific_name = 'echo' AND parameter_name = 's'")
    assert sql.scalar(charset, (names.target,)) == sql.scalar(charset, (names.source,)) == "latin1"


def test_a_killed_loads_spill_directory_is_removed_by_the_next_load(server, sql, names, tmp_path):
    create_sized_schema(sql, names.source, 20)
    dump = mariadb_dump(server, names.source, tmp_path / "d.sql")
    loader = StagingLoader(server, names.target, spill_dir=str(tmp_path))
    stale = tmp_path / (loader._spill_prefix() + "killed")
    stale.mkdir()
    (stale / "segment-1").write_bytes(b"x" * 1000)
    other = tmp_path / (StagingLoader(server, names.other)._spill_prefix() + "running")
    other.mkdir()

    with open(dump, "rb") as stream:
        loader.load(stream, str(dump))

    assert not stale.exists() and other.exists()


def test_dry_run_lists_each_routine_once(server, sql, names, tmp_path, capsys):
    create_awkward_schema(sql, names.source)
    dump = mariadb_dump(server, names.source, tmp_path / "d.sql", "--routines", "--triggers")

    assert cli(server, "load", dump, "--schema", names.target, "--dry-run") == 0

    err = capsys.readouterr().err
    assert err.count("FUNCTION plus_one") == 1 and err.count("PROCEDURE count_awkward") == 1
    assert err.count("trigger awkward_bi") == 1


def test_a_file_that_is_not_a_dump_says_so(server, sql, names, tmp_path, staged):
    data, state = staged
    before = state()
    for content in (b"hello, this is not a dump\n", b"hello; world\n", bytes(range(256)) * 10):
        (tmp_path / "notes.sql").write_bytes(content)
        with pytest.raises(FatalError, match="not an SQL dump"):
            load(server, tmp_path / "notes.sql", names.target)
    assert state() == before


@pytest.mark.parametrize("schema", ["x;drop", "a b", "mysql", "information_schema", "Sys", "x`y", ""])
def test_target_schema_must_be_a_plain_name_and_not_a_system_schema(server, sql, tmp_path, schema, capsys):
    schemas = sql.rows("SHOW DATABASES")
    (tmp_path / "d.sql").write_bytes(b"CREATE TABLE t (id INT);\n")

    assert cli(server, "load", tmp_path / "d.sql", "--schema", schema, "--trust-incomplete") == EXIT_FAILURE

    err = capsys.readouterr().err
    assert "is not a plain name" in err or "is a system schema" in err
    assert sql.rows("SHOW DATABASES") == schemas


# -- issue 7 item 4: the swap's lock waits are bounded --------------------------------------------------------

def test_a_swap_behind_an_open_reader_gives_up_within_the_bound_naming_it(server, sql, names, tmp_path, staged):
    data, state = staged
    (tmp_path / "day2.sql").write_bytes(data)
    sql.execute(f"CREATE TRIGGER `{names.target}`.`beta_bi` BEFORE INSERT ON `{names.target}`.`beta` "
                "FOR EACH ROW SET NEW.note = 'x'")
    before = state()
    reader = server.connect()
    stalls = []
    stop = threading.Event()

    def second_reader():
        conn = server.connect()
        try:
            while not stop.is_set():
                started = time.monotonic()
                with conn.cursor() as cur:
                    cur.execute(f"SELECT COUNT(*) FROM `{names.target}`.`alpha`")
                stalls.append(time.monotonic() - started)
                time.sleep(0.05)
        finally:
            conn.close()

    try:
        with reader.cursor() as cur:  # a BI tool's open transaction
            cur.execute("START TRANSACTION")
            cur.execute(f"SELECT COUNT(*) FROM `{names.target}`.`alpha`")
            reader_id = reader.thread_id()
        polling = threading.Thread(target=second_reader)
        polling.start()
        started = time.monotonic()
        with pytest.raises(FatalError) as gave_up:
            load(server, tmp_path / "day2.sql", names.target, lock_wait=LockWaitBound(1, 5))
        waited = time.monotonic() - started
        stop.set()
        polling.join()
    finally:
        reader.close()

    message = str(gave_up.value)
    assert f"connection {reader_id} (" in message and "transaction open" in message
    assert "is unchanged" in message
    assert waited < 5 + 10  # the bound, plus loading the small dump
    assert stalls and max(stalls) < 1 + 0.8  # never stuck longer than one attempt
    assert state() == before  # tables and the trigger the swap had dropped are back
    # once the reader is gone the same load goes through
    assert load(server, tmp_path / "day2.sql", names.target).swapped == ["alpha", "beta"]


# docs/driver.md: "peak RSS stays under 300 MB whatever the dump size".
DOCUMENTED_PEAK_MB = 300


def test_peak_memory_stays_under_the_documented_bound(server, sql, names, tmp_path):
    create_sized_schema(sql, names.source, 150000)
    dump = mariadb_dump(server, names.source, tmp_path / "d.sql")  # about 50 MB, more than the 64 MB budget's share
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over fork and exec, so a
    # child of a large pytest process would report the parent's peak.
    script = ("import sys; from dbt_safeguard.cli.main import main; code = main(sys.argv[1:]); "
              "print(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM:'))); "
              "sys.exit(code)")
    done = subprocess.run(
        [sys.executable, "-c", script, "load", str(dump), "--schema", names.target, "--no-progress"],
        env={**os.environ, **server.as_env()}, capture_output=True, check=True,
    )
    peak_mb = int(done.stdout.split()[-1]) / 1024  # Linux reports kilobytes

    assert sql.checksum(names.target, "alpha") == sql.checksum(names.source, "alpha")
    assert peak_mb < DOCUMENTED_PEAK_MB, f"peak RSS {peak_mb:.0f} MB"
