"""The loader's data path (row_loader): keys after the data and LOAD DATA LOCAL INFILE
give the tables the source has, byte for byte, on dumps written by mariadb-dump."""
from __future__ import annotations

import logging
import re

import pytest

from safeguard_testing.local_server import LocalServer
from dbt_safeguard.row_loader import TableWriter, defer_keys
from dbt_safeguard.staging_loader import StagingLoader
from safeguard_testing.dump_files import mariadb_dump

pytestmark = pytest.mark.usefixtures("cleanup_schemas")


def load(settings, dump, target, **options):
    with open(dump, "rb") as stream:
        return StagingLoader(settings, target, **options).load(stream, str(dump))


def load_data_statements(sql) -> int:
    """LOAD DATA statements the server has run since it started."""
    return int(sql.rows("SHOW GLOBAL STATUS LIKE 'Com_load'")[0][1])


def insert_statements(dump, table: str) -> int:
    return len(re.findall(rb"^INSERT INTO `" + table.encode() + rb"` VALUES", dump.read_bytes(), re.M))


def assert_same_tables(sql, source, target, tables):
    for table in tables:
        assert sql.checksum(target, table) == sql.checksum(source, table), table
        assert sql.table_rows(target, table) == sql.table_rows(source, table), table
        created = [sql.rows(f"SHOW CREATE TABLE `{schema}`.`{table}`")[0][1] for schema in (source, target)]
        assert created[0] == created[1], table


def create_foreign_key_schema(sql, schema):
    # mariadb-dump writes tables alphabetically: the children come before their parent.
    sql.execute(f"CREATE DATABASE `{schema}` CHARACTER SET utf8mb4")
    sql.execute(f"USE `{schema}`")
    sql.execute(
        "CREATE TABLE z_parent (id INT PRIMARY KEY, code VARCHAR(10) NOT NULL, name VARCHAR(50), "
        "UNIQUE KEY uq_code (code), KEY ix_name (name)) ENGINE=InnoDB"
    )
    sql.execute(
        "CREATE TABLE a_child (id INT AUTO_INCREMENT PRIMARY KEY, parent_id INT NOT NULL, "
        "parent_code VARCHAR(10), self_id INT NULL, amount DECIMAL(10,2), KEY ix_amount (amount), "
        "CONSTRAINT fk_parent FOREIGN KEY (parent_id) REFERENCES z_parent (id) ON DELETE CASCADE, "
        # references the parent's UNIQUE secondary key, which is also added after the data
        "CONSTRAINT fk_code FOREIGN KEY (parent_code) REFERENCES z_parent (code) ON UPDATE CASCADE, "
        "CONSTRAINT fk_self FOREIGN KEY (self_id) REFERENCES a_child (id)) ENGINE=InnoDB"
    )
    sql.execute(
        "CREATE TABLE b_grandchild (child_id INT NOT NULL, n INT NOT NULL, tag CHAR(3), PRIMARY KEY (child_id, n), "
        "KEY ix_tag (tag), CONSTRAINT fk_child FOREIGN KEY (child_id) REFERENCES a_child (id)) ENGINE=InnoDB"
    )
    sql.execute("INSERT INTO z_parent SELECT seq, CONCAT('c', seq), CONCAT('parent ', seq % 97) FROM seq_1_to_2000")
    sql.execute(
        "INSERT INTO a_child SELECT seq, 1 + seq % 2000, CONCAT('c', 1 + seq % 2000), IF(seq > 1, seq - 1, NULL), "
        "seq * 1.25 FROM seq_1_to_20000"
    )
    sql.execute("INSERT INTO b_grandchild SELECT 1 + seq % 20000, seq, LEFT(MD5(seq), 3) FROM seq_1_to_30000")


def test_foreign_key_and_secondary_index_tables_load_with_source_checksums_and_ddl(server, sql, names, tmp_path):
    create_foreign_key_schema(sql, names.source)
    dump = mariadb_dump(server, names.source, tmp_path / "fk.sql", "--net-buffer-length=65536")
    before = load_data_statements(sql)

    result = load(server, dump, names.target)

    tables = ("a_child", "b_grandchild", "z_parent")
    assert result.tables == {"a_child": 20000, "b_grandchild": 30000, "z_parent": 2000}
    assert_same_tables(sql, names.source, names.target, tables)
    constraints = "SELECT constraint_name, table_name, referenced_table_name, update_rule, delete_rule FROM " \
                  "information_schema.referential_constraints WHERE constraint_schema = %s ORDER BY 1"
    assert sql.rows(constraints, (names.target,)) == sql.rows(constraints, (names.source,))
    assert len(sql.rows(constraints, (names.target,))) == 4
    # every INSERT went as LOAD DATA: the data path under test really ran
    assert load_data_statements(sql) - before == sum(insert_statements(dump, t) for t in tables)


def test_dominant_table_through_spill_files_loads_identically(server, sql, names, tmp_path):
    sql.execute(f"CREATE DATABASE `{names.source}`")
    sql.execute(f"USE `{names.source}`")
    sql.execute("CREATE TABLE small (id INT PRIMARY KEY, name VARCHAR(20)) ENGINE=InnoDB")
    sql.execute("CREATE TABLE big (id INT PRIMARY KEY, owner INT NOT NULL, v VARCHAR(64), d DATE, "
                "KEY ix_d (d), CONSTRAINT fk_owner FOREIGN KEY (owner) REFERENCES small (id)) ENGINE=InnoDB")
    sql.execute("INSERT INTO small SELECT seq, CONCAT('s', seq) FROM seq_1_to_100")
    sql.execute("INSERT INTO big SELECT seq, 1 + seq % 100, MD5(seq), '2020-01-01' + INTERVAL seq % 3000 DAY "
                "FROM seq_1_to_200000")
    dump = mariadb_dump(server, names.source, tmp_path / "big.sql", "--net-buffer-length=16384")
    assert insert_statements(dump, "big") > 100
    before = load_data_statements(sql)

    # A memory budget far below the table's size: most of its statements wait in spill files.
    result = load(server, dump, names.target, memory_budget=256 << 10)

    assert result.tables == {"big": 200000, "small": 100}
    assert_same_tables(sql, names.source, names.target, ("big", "small"))
    assert load_data_statements(sql) - before == insert_statements(dump, "big") + insert_statements(dump, "small")


TEXT_ROWS = [
    (1, None, None, None, None, None, None, None, None, None, None, None),
    (2, "NULL", "NULL", "NULL", "a", "", 0.1, 1e300, "-12345678901234.123456", "2024-02-29 23:59:59.123456", 2024,
     "2038-01-18 03:14:07"),
    (3, "N", "", "", "b,c", "x,y", -0.0, 2.5e-300, "0.000001", "1000-01-01 00:00:00", 1901, "1970-01-02 00:00:01"),
    (4, "café ñ", "😀 ✓ 日本語", "),(),(", "a", "y", 3.4e38, -1.7976931348623157e308, "99999999999999.999999",
     "9999-12-31 23:59:59.999999", 2155, "2024-03-31 01:30:00"),
    (5, "l'apostrophe", "quote ' and \" and `", "back\\slash\\", "b,c", "x", 1.5, 1 / 3, "1", None, None, None),
    (6, "a,b", "line\nbreak\r\n", "tab\there\x1a\x00nul", "a", "", 7, 0.1 + 0.2, "-0.5", None, 1999,
     "2000-02-29 12:00:00"),
]


def create_text_schema(sql, schema):
    sql.execute(f"CREATE DATABASE `{schema}` CHARACTER SET utf8mb4")
    sql.execute(f"USE `{schema}`")
    sql.execute(
        "CREATE TABLE texts (id INT PRIMARY KEY, l1 VARCHAR(50) CHARACTER SET latin1, u8 VARCHAR(50), t TEXT, "
        "e ENUM('a','b,c'), s SET('x','y'), f FLOAT, dbl DOUBLE, dec_col DECIMAL(20,6), dt DATETIME(6), "
        # TIMESTAMP values are read in the session's time_zone (the dump sets '+00:00')
        "y YEAR, ts TIMESTAMP NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"
    )
    for row in TEXT_ROWS:
        sql.execute("INSERT INTO texts VALUES (" + ", ".join(["%s"] * len(row)) + ")", row)
    sql.execute("CREATE TABLE latin (id INT PRIMARY KEY, name VARCHAR(30), KEY (name)) DEFAULT CHARSET=latin1")
    sql.execute("INSERT INTO latin VALUES (1, 'Müller'), (2, 'Ødegård'), (3, 'Françoise'), (4, NULL), (5, 'NULL')")
    # Backslash-N is NULL to LOAD DATA and the two characters to the dump: such rows must go as INSERT.
    sql.execute("CREATE TABLE escapes (id INT PRIMARY KEY, v VARCHAR(20))")
    sql.execute("INSERT INTO escapes VALUES (1, %s), (2, %s), (3, %s), (4, NULL), (5, %s)",
                ("\\N", "\\%", "\\_", "N"))
    # Binary columns are written as 0x.. (--hex-blob) or escaped bytes: never LOAD DATA.
    sql.execute("CREATE TABLE bins (id INT PRIMARY KEY, b BLOB, vb VARBINARY(20), bits BIT(10), j JSON)")
    sql.execute("INSERT INTO bins VALUES (1, %s, %s, b'1010101010', '{\"a\": [1, \"x\"]}'), "
                "(2, NULL, '', NULL, NULL), (3, %s, 'NULL', b'0', '\"\\\\N\"')",
                (bytes(range(256)), b"\x00'\\,)(", b"),(\\N"))


@pytest.mark.parametrize("hex_blob", [False, True], ids=["escaped-binary", "hex-blob"])
def test_charsets_binary_data_and_nulls_load_byte_identical(server, sql, names, tmp_path, hex_blob):
    create_text_schema(sql, names.source)
    dump = mariadb_dump(server, names.source, tmp_path / "texts.sql", *(["--hex-blob"] if hex_blob else []))
    before = load_data_statements(sql)

    result = load(server, dump, names.target)

    tables = ("bins", "escapes", "latin", "texts")
    assert result.tables == {"bins": 3, "escapes": 5, "latin": 5, "texts": len(TEXT_ROWS)}
    assert_same_tables(sql, names.source, names.target, tables)
    assert sql.rows(f"SELECT id FROM `{names.target}`.texts WHERE l1 IS NULL") == [(1,)]
    assert sql.rows(f"SELECT id FROM `{names.target}`.escapes WHERE v IS NULL") == [(4,)]
    # texts and latin went as LOAD DATA; escapes and bins as the dump's INSERTs
    assert load_data_statements(sql) - before == 2


def test_huge_single_row_loads_identically(server, sql, names, tmp_path):
    sql.execute(f"CREATE DATABASE `{names.source}`")
    sql.execute(f"CREATE TABLE `{names.source}`.huge (id INT PRIMARY KEY, body LONGTEXT, note VARCHAR(10))")
    # 48 MB of text with quotes, backslashes and row separators in it: one INSERT of its own in the dump.
    sql.execute(f"INSERT INTO `{names.source}`.huge VALUES (1, REPEAT('x''y\\\\z),(\\n', 4800000), 'big'), "
                "(2, 'small', NULL)")
    dump = mariadb_dump(server, names.source, tmp_path / "huge.sql", "--max-allowed-packet=256M")
    assert dump.stat().st_size > 48_000_000
    before = load_data_statements(sql)

    result = load(server, dump, names.target)

    assert result.tables == {"huge": 2}
    assert_same_tables(sql, names.source, names.target, ("huge",))
    assert load_data_statements(sql) - before == insert_statements(dump, "huge")


def test_insert_that_load_data_would_read_differently_runs_as_insert(server, sql, names, tmp_path):
    sql.execute(f"CREATE DATABASE `{names.source}`")
    sql.execute(f"CREATE TABLE `{names.source}`.t (id INT PRIMARY KEY, v VARCHAR(20))")
    sql.execute(f"INSERT INTO `{names.source}`.t VALUES (1, 'a'), (2, 'b'), (3, 'c')")
    dump = mariadb_dump(server, names.source, tmp_path / "t.sql")
    # An expression among the values (hand-edited, header kept): LOAD DATA would
    # split it into extra fields, warn, and be rolled back for the INSERT itself.
    text = dump.read_bytes()
    assert b"(2,'b')" in text
    dump.write_bytes(text.replace(b"(2,'b')", b"(2,CONCAT('b','c'))"))

    result = load(server, dump, names.target)

    assert result.tables == {"t": 3}
    assert sql.rows(f"SELECT id, v FROM `{names.target}`.t ORDER BY id") == [(1, "a"), (2, "bc"), (3, "c")]


@pytest.fixture
def local_infile_off_server(tmp_path_factory):
    """A server of its own with local_infile=0, as MySQL 8 and Aurora have by default.

    SET GLOBAL stays on this throwaway server: never the session's, never one the tests were pointed at.
    """
    local = LocalServer(base_dir=str(tmp_path_factory.mktemp("infile-off")))
    settings = local.start()
    conn = settings.connect()
    try:
        with conn.cursor() as cur:
            cur.execute("SET GLOBAL local_infile = 0")
        yield settings
    finally:
        conn.close()
        local.stop()


def test_local_infile_off_loads_identically_through_inserts(local_infile_off_server, tmp_path, caplog):
    from safeguard_testing.harness import Sql

    sql = Sql(local_infile_off_server)
    try:
        create_foreign_key_schema(sql, "src")
        dump = mariadb_dump(local_infile_off_server, "src", tmp_path / "fk.sql")
        before = load_data_statements(sql)

        with caplog.at_level(logging.INFO, logger="safeguard"):
            result = load(local_infile_off_server, dump, "stg")

        assert result.tables == {"a_child": 20000, "b_grandchild": 30000, "z_parent": 2000}
        assert_same_tables(sql, "src", "stg", ("a_child", "b_grandchild", "z_parent"))
        assert load_data_statements(sql) == before
        assert "local_infile is OFF on the server" in caplog.text
    finally:
        sql.close()


def test_server_refusing_load_data_gets_the_insert_instead(server, sql, names, tmp_path):
    sql.execute(f"CREATE DATABASE `{names.target}`")
    sql.execute(f"CREATE TABLE `{names.target}`.t (id INT PRIMARY KEY, v VARCHAR(20))")
    # Opened without pymysql's local_infile flag: the server refuses LOAD DATA LOCAL (4166 on MariaDB).
    conn = server.connect(database=names.target)
    writer = TableWriter(conn, "t", load_data=True, scratch_path=str(tmp_path / "rows"))
    try:
        rows = writer.execute(b"INSERT INTO `t` VALUES (1,'a'),(2,NULL)", is_insert=True)
        more = writer.execute(b"INSERT INTO `t` VALUES (3,'c')", is_insert=True)
    finally:
        writer.close()
        conn.close()
    assert (rows, more) == (2, 1)
    assert writer.refused is not None and not writer.load_data and writer.loaded == 0
    assert sql.rows(f"SELECT * FROM `{names.target}`.t ORDER BY id") == [(1, "a"), (2, None), (3, "c")]


# --- which keys wait for the data (no server needed: text in, text out) ---------

TABLE = b"""CREATE TABLE `t` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `a` int(11) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `ix_a` (`a`),
  UNIQUE KEY `ux_a_id` (`a`,`id`),
  CONSTRAINT `fk_a` FOREIGN KEY (`a`) REFERENCES `p` (`id`) ON DELETE CASCADE,
  CONSTRAINT `ck_a` CHECK (`a` > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"""


def test_secondary_and_foreign_keys_are_split_off_for_after_the_data():
    text, deferred = defer_keys(TABLE, "t")
    assert deferred.keys_statement == b"ALTER TABLE `t` ADD KEY `ix_a` (`a`), ADD UNIQUE KEY `ux_a_id` (`a`,`id`)"
    assert deferred.foreign_keys_statement == (
        b"ALTER TABLE `t` ADD CONSTRAINT `fk_a` FOREIGN KEY (`a`) REFERENCES `p` (`id`) ON DELETE CASCADE"
    )
    # the CHECK constraint stays: it is not a key and costs no index build
    assert text == TABLE.replace(
        b"  PRIMARY KEY (`id`),\n  KEY `ix_a` (`a`),\n  UNIQUE KEY `ux_a_id` (`a`,`id`),\n"
        b"  CONSTRAINT `fk_a` FOREIGN KEY (`a`) REFERENCES `p` (`id`) ON DELETE CASCADE,\n",
        b"  PRIMARY KEY (`id`),\n",
    )


@pytest.mark.parametrize("change", [
    (b"  PRIMARY KEY (`id`),", b"  PRIMARY KEY (`a`,`id`),"),  # AUTO_INCREMENT then needs a key of its own
    (b"  PRIMARY KEY (`id`),\n", b""),  # no primary key: InnoDB would cluster on a hidden row id
    (b"ENGINE=InnoDB", b"ENGINE=MyISAM"),
])
def test_tables_whose_keys_must_stay_are_left_alone(change):
    table = TABLE.replace(*change)
    assert defer_keys(table, "t") == (table, None)
