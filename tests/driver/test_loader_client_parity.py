"""The loader loads what the `mariadb` client loads (issue 18): generated
columns, dumps from servers with other collations, replication coordinates,
data-only dumps, a full spill directory, the target schema's charset. Each
case is a real mariadb-dump of a real schema (edited only where it stands
for another server's export), loaded by the client and by the loader, and
compared by a fingerprint of every table, its DDL, views, routines and
triggers."""
from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys

import pytest

from dbt_safeguard.cli.main import EXIT_FAILURE, main
from dbt_safeguard.errors import FatalError
from safeguard_testing.dump_files import load, mariadb_dump
from safeguard_testing.schema_fingerprint import client_load, differences, schema_fingerprint

pytestmark = pytest.mark.usefixtures("cleanup_schemas")


def cli(server, *args):
    return main([*map(str, args), "--host", server.host, "--port", str(server.port), "--user", server.user,
                 "--no-progress"])


@pytest.fixture
def client_schema(sql, names):
    """The schema the client's load goes into; dropped afterwards."""
    schema = names.other + "_client"
    yield schema
    sql.execute(f"DROP DATABASE IF EXISTS `{schema}`")


def assert_same_as_client(sql, loaded, client):
    mine, theirs = schema_fingerprint(sql, loaded), schema_fingerprint(sql, client)
    assert mine == theirs, f"the loader's load differs from the client's in {differences(mine, theirs)}"


def create_generated_schema(sql, schema, rows=3000):
    """VIRTUAL and STORED generated columns, with and without a primary key, a view and a routine over them."""
    sql.execute(f"CREATE DATABASE `{schema}`")
    sql.execute(f"USE `{schema}`")  # MariaDB's seq_1_to_N tables resolve in the current database
    sql.execute(f"CREATE TABLE `{schema}`.`orders` (id INT PRIMARY KEY, qty INT NOT NULL, price DECIMAL(10,2), "
                "note VARCHAR(40), total DECIMAL(12,2) AS (qty * price) STORED, "
                "label VARCHAR(60) AS (CONCAT(note, '#', id)) VIRTUAL, KEY k_total (total)) ENGINE=InnoDB")
    sql.execute(f"INSERT INTO `{schema}`.`orders` (id, qty, price, note) SELECT seq, seq % 7, (seq % 100) / 4, "
                f"IF(seq % 5 = 0, NULL, CONCAT('n', seq)) FROM seq_1_to_{rows}")
    sql.execute(f"CREATE TABLE `{schema}`.`loose` (a INT, b INT AS (a * 2) VIRTUAL, c INT AS (a + 1) STORED) "
                "ENGINE=InnoDB")
    sql.execute(f"INSERT INTO `{schema}`.`loose` (a) SELECT seq FROM seq_1_to_50")
    sql.execute(f"CREATE VIEW `{schema}`.`big_orders` AS SELECT id, total FROM `{schema}`.`orders` WHERE total > 50")
    sql.execute(f"CREATE FUNCTION `{schema}`.`order_total`(i INT) RETURNS DECIMAL(12,2) READS SQL DATA "
                "RETURN (SELECT total FROM orders WHERE id = i)")  # resolved in its own schema


# -- 1. generated columns ----------------------------------------------------------------------------------

@pytest.mark.parametrize("options", [(), ("--skip-extended-insert",), ("--complete-insert",),
                                     ("--no-autocommit", "--routines")], ids=lambda o: " ".join(o) or "default")
@pytest.mark.parametrize("local_infile", [True, False], ids=["load-data", "insert"])
def test_generated_columns_load_as_the_client_loads_them(server, sql, names, tmp_path, client_schema, options,
                                                         local_infile, caplog):
    create_generated_schema(sql, names.source)
    dump = mariadb_dump(server, names.source, tmp_path / "d.sql", "--routines", *options)
    client_load(server, dump, client_schema)

    with caplog.at_level("INFO", logger="safeguard"):
        result = load(server, dump, names.target, load_data=local_infile)

    assert result.tables == {"orders": 3000, "loose": 50}
    assert_same_as_client(sql, names.target, client_schema)
    assert not [r for r in caplog.records if r.levelname == "WARNING"]  # no recomputed value differed
    assert sql.tables(names.target) == ["big_orders", "loose", "orders"]  # the copies stayed in the shadow


def test_a_recomputed_value_that_differs_is_one_warning_and_the_load_goes_on(server, sql, names, tmp_path,
                                                                              client_schema, caplog):
    create_generated_schema(sql, names.source, rows=20)
    data = mariadb_dump(server, names.source, tmp_path / "d.sql").read_bytes()
    # Two rows whose dumped totals the server would not compute (a source on
    # another version, a stale STORED value): 3 * 0.75 = 2.25, 5 * 1.25 = 6.25.
    edited = data.replace(b"(3,3,0.75,'n3',2.25,", b"(3,3,0.75,'n3',9.99,").replace(
        b"(5,5,1.25,NULL,6.25,", b"(5,5,1.25,NULL,0.00,")
    assert edited.count(b"9.99") == 1 and edited != data
    (tmp_path / "edited.sql").write_bytes(edited)
    client_load(server, tmp_path / "edited.sql", client_schema)

    with caplog.at_level("INFO", logger="safeguard"):
        load(server, tmp_path / "edited.sql", names.target)

    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warnings == ["GENERATED table orders: 2 rows where the server's recomputed total, label differs from the "
                        "dumped value; the server's values are kept, as in the mariadb client's load"]
    assert_same_as_client(sql, names.target, client_schema)
    assert sql.scalar(f"SELECT total FROM `{names.target}`.`orders` WHERE id = 3") == sql.scalar(
        f"SELECT total FROM `{names.source}`.`orders` WHERE id = 3")


def test_a_real_warning_on_a_table_with_generated_columns_still_refuses(server, sql, names, tmp_path, staged_state):
    create_generated_schema(sql, names.source, rows=20)
    data = mariadb_dump(server, names.source, tmp_path / "d.sql").read_bytes()
    # A note longer than VARCHAR(40): the server would cut it (warning 1265), not a 1906.
    edited = data.replace(b"'n4'", b"'" + b"x" * 60 + b"'")
    (tmp_path / "edited.sql").write_bytes(edited)

    with pytest.raises(FatalError, match=r"INSERT `orders`.* failed: server error 1265.*changed value"):
        load(server, tmp_path / "edited.sql", names.target, load_data=False)


@pytest.fixture
def staged_state(sql, names):
    return lambda: schema_fingerprint(sql, names.target)


# -- 2. one clear line each ---------------------------------------------------------------------------------

def mysql8_collations(data: bytes) -> bytes:
    """A MySQL 8 export in the collation respect: utf8mb4_0900_ai_ci where MariaDB wrote utf8mb4_unicode_ci."""
    return data.replace(b"utf8mb4_unicode_ci", b"utf8mb4_0900_ai_ci")


def create_collated_schema(sql, schema):
    sql.execute(f"CREATE DATABASE `{schema}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    sql.execute(f"USE `{schema}`")  # MariaDB's seq_1_to_N tables resolve in the current database
    sql.execute(f"CREATE TABLE `{schema}`.`people` (id INT PRIMARY KEY, name VARCHAR(40) COLLATE utf8mb4_unicode_ci, "
                "city VARCHAR(40)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci")
    sql.execute(f"INSERT INTO `{schema}`.`people` VALUES (1, 'Zoë', 'Köln'), (2, 'Ann', NULL), (3, '日本', 'x')")
    sql.execute(f"CREATE FUNCTION `{schema}`.`greet`(s VARCHAR(20)) RETURNS VARCHAR(40) DETERMINISTIC "
                "RETURN CONCAT('hi ', s)")


def test_an_unknown_collation_is_named_with_its_statement_by_load_and_dry_run(server, sql, names, tmp_path,
                                                                               staged_state, capsys):
    create_collated_schema(sql, names.source)
    for options in (("--routines",), ("--routines", "--databases")):
        data = mariadb_dump(server, names.source, tmp_path / "d.sql", *options).read_bytes()
        (tmp_path / "mysql8.sql").write_bytes(mysql8_collations(data))
        before = staged_state()

        with pytest.raises(FatalError) as refused:
            load(server, tmp_path / "mysql8.sql", names.target)
        message = str(refused.value)
        assert "uses collation utf8mb4_0900_ai_ci, which this server" in message and "statement " in message
        assert "--collation-map utf8mb4_0900_ai_ci=utf8mb4_unicode_ci" in message and "11.4.5" in message
        assert "is unchanged" in message and staged_state() == before
        capsys.readouterr()
        assert cli(server, "load", tmp_path / "mysql8.sql", "--schema", names.target, "--dry-run") == EXIT_FAILURE
        assert message.split(";")[0] in capsys.readouterr().err


def test_collation_map_loads_a_mysql8_export_as_the_client_loads_the_mapped_dump(server, sql, names, tmp_path,
                                                                                  client_schema):
    create_collated_schema(sql, names.source)
    original = mariadb_dump(server, names.source, tmp_path / "d.sql", "--routines")
    (tmp_path / "mysql8.sql").write_bytes(mysql8_collations(original.read_bytes()))
    client_load(server, original, client_schema)

    assert cli(server, "load", tmp_path / "mysql8.sql", "--schema", names.target, "--collation-map",
               "utf8mb4_0900_ai_ci=utf8mb4_unicode_ci", "--dry-run") == 0
    assert cli(server, "load", tmp_path / "mysql8.sql", "--schema", names.target, "--collation-map",
               "utf8mb4_0900_ai_ci=utf8mb4_unicode_ci") == 0

    assert_same_as_client(sql, names.target, client_schema)


def test_a_collation_map_to_a_collation_the_server_lacks_is_refused(server, sql, names, tmp_path, capsys):
    create_collated_schema(sql, names.source)
    dump = mariadb_dump(server, names.source, tmp_path / "d.sql")

    assert cli(server, "load", dump, "--schema", names.target, "--collation-map", "a=utf8mb4_nope_ci") == EXIT_FAILURE
    assert cli(server, "load", dump, "--schema", names.target, "--collation-map", "no-equals") == EXIT_FAILURE

    err = capsys.readouterr().err
    assert "has no collation utf8mb4_nope_ci" in err and "is not FROM=TO" in err
    assert not sql.rows("SHOW DATABASES LIKE %s", (names.target,))


@pytest.mark.parametrize("coordinates", [
    b"CHANGE MASTER TO MASTER_LOG_FILE='mysql-bin.000007', MASTER_LOG_POS=328;",  # mariadb-dump --master-data=1
    b"CHANGE REPLICATION SOURCE TO SOURCE_LOG_FILE='binlog.000003', SOURCE_LOG_POS=157;",  # mysqldump --source-data=1
], ids=["master-data", "source-data"])
def test_replication_coordinates_are_skipped_and_logged(server, sql, names, tmp_path, client_schema, coordinates,
                                                        caplog):
    create_collated_schema(sql, names.source)
    dump = mariadb_dump(server, names.source, tmp_path / "d.sql", "--routines")
    client_load(server, dump, client_schema)
    data = dump.read_bytes()
    # where mysqldump writes them: after the header's SETs, before the first table
    at = data.index(b"\n--\n-- Table structure")
    (tmp_path / "coords.sql").write_bytes(data[:at] + b"\n" + coordinates + b"\n" + data[at:])

    with caplog.at_level("INFO", logger="safeguard"):
        load(server, tmp_path / "coords.sql", names.target)

    skips = [r.getMessage() for r in caplog.records if r.getMessage().startswith("SKIP")]
    assert len(skips) == 1 and "(REPLICATION)" in skips[0] and "replication state of the source server" in skips[0]
    assert_same_as_client(sql, names.target, client_schema)


def test_a_data_only_dump_says_the_dump_creates_no_tables(server, sql, names, tmp_path, staged_state, capsys):
    create_collated_schema(sql, names.source)
    load(server, mariadb_dump(server, names.source, tmp_path / "full.sql"), names.target)
    before = staged_state()
    dump = mariadb_dump(server, names.source, tmp_path / "data.sql", "--no-create-info")

    with pytest.raises(FatalError, match=r"the dump creates no tables: statement \d+ \(ALTER TABLE `people`\)"):
        load(server, dump, names.target)
    capsys.readouterr()
    assert cli(server, "load", dump, "--schema", names.target, "--dry-run") == EXIT_FAILURE
    assert "the dump creates no tables" in capsys.readouterr().err

    assert staged_state() == before


def test_a_full_spill_directory_is_one_line_naming_spill_dir(server, sql, names, tmp_path, staged_state):
    create_collated_schema(sql, names.source)
    sql.execute(f"INSERT INTO `{names.source}`.`people` SELECT seq + 10, REPEAT('n', 30), 'c' FROM seq_1_to_20000")
    dump = mariadb_dump(server, names.source, tmp_path / "d.sql")
    spill = tmp_path / "spill"
    spill.mkdir()

    def small_disk():
        # A file-size limit stands in for a small /tmp: writes past it fail with EFBIG.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 << 10, 64 << 10))

    done = subprocess.run(
        [sys.executable, "-m", "dbt_safeguard.cli.main", "load", str(dump), "--schema", names.target,
         "--no-progress", "--spill-dir", str(spill)],
        env={**os.environ, **server.as_env()}, capture_output=True, preexec_fn=small_disk,
    )

    err = done.stderr.decode()
    assert done.returncode == EXIT_FAILURE and "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.startswith("safeguard:")]
    assert len(lines) == 1 and f"the spill directory {spill}" in lines[0] and "--spill-dir" in lines[0]
    assert "is unchanged" in lines[0]
    assert not sql.rows("SHOW DATABASES LIKE %s", (names.target,)) and not list(spill.iterdir())


# -- 4. one-row INSERTs go in groups ----------------------------------------------------------------------------

@pytest.mark.parametrize("local_infile", [True, False], ids=["load-data", "insert"])
def test_one_row_inserts_load_as_the_client_loads_them(server, sql, names, tmp_path, client_schema, local_infile):
    create_collated_schema(sql, names.source)
    sql.execute(f"INSERT INTO `{names.source}`.`people` SELECT seq + 10, CONCAT('it''s ', seq), "
                f"IF(seq % 3 = 0, NULL, 'c;),(') FROM seq_1_to_30000")
    dump = mariadb_dump(server, names.source, tmp_path / "d.sql", "--skip-extended-insert", "--routines")
    client_load(server, dump, client_schema)

    result = load(server, dump, names.target, load_data=local_infile)

    assert result.tables == {"people": 30003} and result.evidence["tables"]["people"]["inserts"] == 30003
    assert_same_as_client(sql, names.target, client_schema)


# -- 3. the target schema's charset ----------------------------------------------------------------------------

@pytest.fixture
def latin1_server(sql):
    """The server's default charset set to latin1 (the default of many production servers), restored after."""
    before = sql.scalar("SELECT @@GLOBAL.character_set_server")
    sql.execute("SET GLOBAL character_set_server = latin1")
    yield
    sql.execute(f"SET GLOBAL character_set_server = {before}")


def test_without_create_database_the_target_takes_the_servers_charset_as_the_client(
        server, sql, names, tmp_path, client_schema, latin1_server):
    create_collated_schema(sql, names.source)
    dump = mariadb_dump(server, names.source, tmp_path / "d.sql", "--routines")
    client_load(server, dump, client_schema)

    load(server, dump, names.target)

    charset = "SELECT default_character_set_name FROM information_schema.schemata WHERE schema_name = %s"
    assert sql.scalar(charset, (names.target,)) == sql.scalar(charset, (client_schema,)) == "latin1"
    assert_same_as_client(sql, names.target, client_schema)  # the routine's parameter charset included
