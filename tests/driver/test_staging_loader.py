"""`safeguard load`: staging is replaced whole, or not at all."""
from __future__ import annotations

import gzip
import os
import signal
import subprocess
import sys
import time

import pytest

from dbt_safeguard.cli.main import main
from dbt_safeguard.errors import FatalError
from dbt_safeguard.staging_loader import load_lock_name

from safeguard_testing.dump_files import (
    create_awkward_schema,
    create_sized_schema,
    gzip_file,
    load,
    mariadb_dump,
)

pytestmark = pytest.mark.usefixtures("cleanup_schemas")


def table_checksums(sql, schema):
    return {t: sql.checksum(schema, t) for t in sql.tables(schema) if t != "awkward_view"}


@pytest.mark.parametrize("databases", [False, True], ids=["plain", "with-databases"])
@pytest.mark.parametrize("compressed", [False, True], ids=["sql", "sql.gz"])
def test_awkward_dump_loads_with_identical_checksums(server, sql, names, tmp_path, databases, compressed):
    create_awkward_schema(sql, names.source)
    dump = mariadb_dump(server, names.source, tmp_path / "awkward.sql", "--routines", "--triggers",
                        *(["--databases"] if databases else []))
    if compressed:
        dump = gzip_file(dump)

    result = load(server, dump, names.target)

    source = table_checksums(sql, names.source)
    assert table_checksums(sql, names.target) == source
    assert set(result.tables) == set(source)
    assert result.tables["many"] == 5000 and result.tables["empty_one"] == 0
    assert sql.table_rows(names.target, "awkward") == sql.table_rows(names.source, "awkward")
    # views, triggers and routines are recreated in the target, and point at it
    assert sql.rows(f"SELECT id FROM `{names.target}`.`awkward_view` ORDER BY id") == [(2,), (3,), (4,), (5,)]
    assert sql.scalar(
        "SELECT COUNT(*) FROM information_schema.triggers WHERE trigger_schema = %s AND event_object_table = 'awkward'",
        (names.target,),
    ) == 1
    assert sql.scalar(f"SELECT `{names.target}`.plus_one(41)") == 42
    # the source database was never touched by the dump's USE / CREATE DATABASE
    assert table_checksums(sql, names.source) == source
    assert not sql.rows("SHOW DATABASES LIKE %s", (names.target + "_loading",))


def test_one_row_per_insert_without_autocommit_loads_identically(server, sql, names, tmp_path):
    create_sized_schema(sql, names.source, 500)
    dump = mariadb_dump(server, names.source, tmp_path / "rows.sql", "--no-autocommit", "--skip-extended-insert")

    result = load(server, dump, names.target)

    assert result.tables == {"alpha": 500, "beta": 500}
    for table in ("alpha", "beta"):
        assert sql.checksum(names.target, table) == sql.checksum(names.source, table)


def test_reload_swaps_tables_and_keeps_dbt_views_working(server, sql, names, tmp_path):
    create_sized_schema(sql, names.source, 100)
    day1 = mariadb_dump(server, names.source, tmp_path / "day1.sql")
    load(server, day1, names.target)
    # dbt's stg_* views live in staging next to the loaded tables
    sql.execute(f"CREATE VIEW `{names.target}`.`stg_alpha` AS SELECT id, name FROM `{names.target}`.`alpha`")
    sql.execute(f"INSERT INTO `{names.source}`.`alpha` SELECT seq, 'new', 'n' FROM seq_101_to_150")
    day2 = mariadb_dump(server, names.source, tmp_path / "day2.sql")

    result = load(server, day2, names.target)

    assert sql.scalar(f"SELECT COUNT(*) FROM `{names.target}`.`stg_alpha`") == 150
    assert result.swapped == ["alpha", "beta"]
    assert sql.scalar(f"SELECT COUNT(*) FROM `{names.target}_previous`.`alpha`") == 100
    assert sql.checksum(names.target, "alpha") == sql.checksum(names.source, "alpha")
    # the secondary key, added after the data, is back as the dump defined it
    show = "SHOW CREATE TABLE `{}`.`alpha`"
    assert sql.rows(show.format(names.target))[0][1] == sql.rows(show.format(names.source))[0][1]


def test_truncated_dump_leaves_staging_unchanged(server, sql, names, tmp_path, loaded):
    data, snapshot = loaded
    cut = data.index(b"INSERT INTO `beta`") + 5000
    (tmp_path / "cut.sql").write_bytes(data[:cut])

    with pytest.raises(FatalError) as failure:
        load(server, tmp_path / "cut.sql", names.target)

    assert "truncated" in str(failure.value) and "INSERT `beta`" in str(failure.value)
    assert sql.snapshot([(names.target, t) for t in ("alpha", "beta")]) == snapshot
    assert not sql.rows("SHOW DATABASES LIKE %s", (names.target + "_loading",))


def test_a_bug_in_a_load_worker_stops_the_load_and_is_not_dressed_as_a_server_error(
        server, sql, names, tmp_path, loaded, monkeypatch):
    """Only the server's refusals (and the row file's OSError) become a clean
    'statement failed' line; any other exception in a worker thread is a bug:
    the load stops with that exception itself, and staging is unchanged."""
    from dbt_safeguard import row_loader

    def broken(self, text, is_insert):
        raise TypeError("a bug in the row writer")

    data, snapshot = loaded
    (tmp_path / "day2.sql").write_bytes(data)
    monkeypatch.setattr(row_loader.TableWriter, "execute", broken)
    with pytest.raises(TypeError, match="a bug in the row writer"):
        load(server, tmp_path / "day2.sql", names.target)
    assert sql.snapshot([(names.target, t) for t in ("alpha", "beta")]) == snapshot
    assert not sql.rows("SHOW DATABASES LIKE %s", (names.target + "_loading",))


def test_dump_cut_between_statements_is_refused_for_its_missing_trailer(server, sql, names, tmp_path, loaded):
    data, snapshot = loaded
    cut = data.index(b"\n", data.index(b"UNLOCK TABLES")) + 1  # after alpha, before beta
    (tmp_path / "cut.sql").write_bytes(data[:cut])

    with pytest.raises(FatalError, match="Dump completed.*truncated"):
        load(server, tmp_path / "cut.sql", names.target)

    assert sql.snapshot([(names.target, t) for t in ("alpha", "beta")]) == snapshot


def test_truncated_gzip_leaves_staging_unchanged(server, sql, names, tmp_path, loaded):
    data, snapshot = loaded
    packed = gzip.compress(data)
    (tmp_path / "cut.sql.gz").write_bytes(packed[: len(packed) * 2 // 3])

    with pytest.raises(FatalError, match="truncated or corrupt"):
        load(server, tmp_path / "cut.sql.gz", names.target)

    assert sql.snapshot([(names.target, t) for t in ("alpha", "beta")]) == snapshot


def test_corrupt_dump_names_statement_table_and_offset(server, sql, names, tmp_path, loaded):
    data, snapshot = loaded
    statement = data.index(b"INSERT INTO `beta`")
    values = data.index(b"VALUES", statement) + len(b"VALUES")
    broken = data[:values] + b" garbage" + data[values:]
    (tmp_path / "corrupt.sql").write_bytes(broken)

    with pytest.raises(FatalError) as failure:
        load(server, tmp_path / "corrupt.sql", names.target)

    message = str(failure.value)
    assert f"(INSERT `beta`) at byte {statement} failed: server error 1064" in message
    assert f"`{names.target}` is unchanged" in message
    assert sql.snapshot([(names.target, t) for t in ("alpha", "beta")]) == snapshot


def test_wrong_dump_is_refused(server, sql, names, tmp_path, loaded):
    data, snapshot = loaded
    (tmp_path / "notes.sql").write_bytes(b"hello, this is not a dump\n")
    with pytest.raises(FatalError):
        load(server, tmp_path / "notes.sql", names.target)
    (tmp_path / "other.sql").write_bytes(data)
    with pytest.raises(FatalError, match="lacks required tables tenants"):
        load(server, tmp_path / "other.sql", names.target, required_tables=["alpha", "tenants"])
    assert sql.snapshot([(names.target, t) for t in ("alpha", "beta")]) == snapshot


def test_second_load_into_the_same_schema_is_refused(server, sql, names, tmp_path, loaded):
    data, snapshot = loaded
    (tmp_path / "day2.sql").write_bytes(data)
    holder = server.connect()  # holds the lock, as a running load would
    try:
        with holder.cursor() as cur:
            cur.execute("SELECT GET_LOCK(%s, 0)", (load_lock_name(names.target),))
        with pytest.raises(FatalError, match="another load into .* is running"):
            load(server, tmp_path / "day2.sql", names.target)
    finally:
        holder.close()
    assert sql.snapshot([(names.target, t) for t in ("alpha", "beta")]) == snapshot


def test_sigkill_mid_load_leaves_staging_unchanged_and_next_load_recovers(server, sql, names, tmp_path):
    create_sized_schema(sql, names.source, 60000, tables=("alpha", "beta", "gamma"))
    dump = mariadb_dump(server, names.source, tmp_path / "big.sql")
    load(server, dump, names.target)
    sql.execute(f"UPDATE `{names.source}`.`gamma` SET name = 'changed'")
    dump = mariadb_dump(server, names.source, tmp_path / "big.sql")
    tables = [(names.target, t) for t in ("alpha", "beta", "gamma")]
    snapshot = sql.snapshot(tables)
    env = {**os.environ, **server.as_env()}
    process = subprocess.Popen(
        [sys.executable, "-m", "dbt_safeguard.cli.main", "load", str(dump), "--schema", names.target,
         "--workers", "1"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    shadow = names.target + "_loading"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        loaded_rows = sql.scalar(
            "SELECT COALESCE(SUM(table_rows), 0) FROM information_schema.tables WHERE table_schema = %s", (shadow,)
        )
        if loaded_rows and loaded_rows > 1000:
            break
        time.sleep(0.05)
    assert process.poll() is None, "the load finished before it could be killed: use a bigger dump"
    process.send_signal(signal.SIGKILL)
    process.wait()

    assert sql.snapshot(tables) == snapshot
    assert sql.rows(f"SELECT DISTINCT name FROM `{names.target}`.`gamma` LIMIT 2") != [("changed",)]
    # the killed load's shadow is stale; the next load drops it and succeeds
    assert main(["load", str(dump), "--schema", names.target, "--host", server.host,
                 "--port", str(server.port), "--user", server.user, "--no-progress"]) == 0
    assert sql.checksum(names.target, "gamma") == sql.checksum(names.source, "gamma")


def test_hand_written_dump_keeps_statement_order_per_table(server, sql, names, tmp_path):
    (tmp_path / "hand.sql").write_bytes(
        b"CREATE TABLE a (id INT PRIMARY KEY, v INT);\n"
        b"INSERT INTO a VALUES (1, 1), (2, 2);\n"
        b"CREATE TABLE b (id INT PRIMARY KEY);\n"
        b"INSERT INTO b VALUES (1);\n"
        b"ALTER TABLE a ADD COLUMN w INT DEFAULT 7;\n"  # a's INSERTs above must be in first
        b"INSERT INTO a VALUES (3, 3, 3);\n"
        b"DELIMITER //\n"
        b"CREATE FUNCTION twice(x INT) RETURNS INT DETERMINISTIC BEGIN RETURN x * 2; END //\n"
        b"DELIMITER ;\n"
    )

    result = load(server, tmp_path / "hand.sql", names.target, required_tables=["a", "b"])

    assert result.tables == {"a": 3, "b": 1}
    assert sql.rows(f"SELECT id, v, w FROM `{names.target}`.a ORDER BY id") == [(1, 1, 7), (2, 2, 7), (3, 3, 3)]
    assert sql.scalar(f"SELECT `{names.target}`.twice(21)") == 42


def test_dry_run_prints_the_plan_and_changes_nothing(server, sql, names, tmp_path, loaded, capsys):
    data, snapshot = loaded
    (tmp_path / "day2.sql").write_bytes(data)

    code = main(["load", str(tmp_path / "day2.sql"), "--schema", names.target, "--dry-run", "--host", server.host,
                 "--port", str(server.port), "--user", server.user])

    err = capsys.readouterr().err
    assert code == 0
    assert "PLAN     table alpha" in err and "complete" in err
    assert (f"RENAME TABLE `{names.target}`.`alpha` TO `{names.target}_previous`.`alpha`, "
            f"`{names.target}`.`beta` TO `{names.target}_previous`.`beta`, "
            f"`{names.target}_loading`.`alpha` TO `{names.target}`.`alpha`") in err
    assert sql.snapshot([(names.target, t) for t in ("alpha", "beta")]) == snapshot
    assert not sql.rows("SHOW DATABASES LIKE %s", (names.target + "_loading",))


def test_dump_of_several_databases_is_refused(server, sql, names, tmp_path, loaded):
    data, snapshot = loaded
    create_sized_schema(sql, names.other, 10)
    dump = mariadb_dump(server, names.source, tmp_path / "two.sql", "--databases", names.other)

    with pytest.raises(FatalError, match="the dump holds several databases"):
        load(server, dump, names.target)

    assert sql.snapshot([(names.target, t) for t in ("alpha", "beta")]) == snapshot
