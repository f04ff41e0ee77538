"""Source schemas with every awkward case, and real mariadb-dump files of them."""
from __future__ import annotations

import gzip
import shutil
import subprocess
from pathlib import Path
from typing import Sequence

from dbt_safeguard.connection import ConnectionSettings
from dbt_safeguard.staging_loader import LoadResult, StagingLoader
from harness import Sql

AWKWARD_ROWS = [
    (1, "semi;colon; and 'single' \"double\" `back` quotes", b"\x00\xff'\"\\\n\r\x1a;", "😀 utf8mb4 ✓", "2024-01-01 00:00:00"),
    (2, "line one\nline two\r\nline three;\n-- not a comment\n/* nor this */ # nor this", b"", "", None),
    (3, "backslash \\ and \\' and '' and ;;", bytes(range(256)), "日本語テキスト", "1999-12-31 23:59:59"),
    (4, None, None, None, None),
    (5, "DELIMITER ;;\nEND ;;", b"*/;", "/*!40101 fake */", "2038-01-19 03:14:07"),
]


def mariadb_dump(settings: ConnectionSettings, schema: str, path: Path, *options: str) -> Path:
    """A dump written by the real mariadb-dump client."""
    binary = shutil.which("mariadb-dump") or shutil.which("mysqldump")
    command = [
        binary, f"--host={settings.host}", f"--port={settings.port}", f"--user={settings.user}",
        *([f"--password={settings.password}"] if settings.password else []),
        *options, schema,
    ]
    with open(path, "wb") as out:
        subprocess.run(command, stdout=out, check=True)
    return path


def load(settings: ConnectionSettings, dump: Path, target: str, **options) -> LoadResult:
    """StagingLoader(...).load of a .sql or .sql.gz file."""
    with open(dump, "rb") as stream:
        data = gzip.GzipFile(fileobj=stream) if str(dump).endswith(".gz") else stream
        return StagingLoader(settings, target, **options).load(data, str(dump))


def gzip_file(path: Path) -> Path:
    target = path.with_suffix(path.suffix + ".gz")
    with open(path, "rb") as src, gzip.open(target, "wb") as dst:
        shutil.copyfileobj(src, dst)
    return target


def create_awkward_schema(sql: Sql, schema: str) -> None:
    """Every awkward case the loader must carry: see tests/driver/test_staging_loader.py."""
    sql.execute(f"CREATE DATABASE `{schema}` CHARACTER SET utf8mb4")
    # MariaDB's seq_1_to_N tables and routine bodies resolve in the current database.
    sql.execute(f"USE `{schema}`")
    sql.execute(
        f"CREATE TABLE `{schema}`.`awkward` (id INT PRIMARY KEY, txt TEXT, bin BLOB, "
        "emoji VARCHAR(50) CHARACTER SET utf8mb4, ts TIMESTAMP NULL) ENGINE=InnoDB"
    )
    for row in AWKWARD_ROWS:
        sql.execute(f"INSERT INTO `{schema}`.`awkward` VALUES (%s, %s, %s, %s, %s)", row)
    sql.execute(f"CREATE TABLE `{schema}`.`empty_one` (id INT PRIMARY KEY) ENGINE=InnoDB")
    sql.execute(f"CREATE TABLE `{schema}`.`odd name; it is` (`col ``q``` INT, n BIGINT) ENGINE=InnoDB")
    sql.execute(f"INSERT INTO `{schema}`.`odd name; it is` VALUES (1, -5), (0, 0), (NULL, 9223372036854775807)")
    sql.execute(f"CREATE TABLE `{schema}`.`many` (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(40)) ENGINE=InnoDB")
    sql.execute(f"INSERT INTO `{schema}`.`many` (v) SELECT CONCAT('row ', seq, ';''x') FROM seq_1_to_5000")
    sql.execute(f"CREATE VIEW `{schema}`.`awkward_view` AS SELECT id, txt FROM `{schema}`.`awkward` WHERE id > 1")
    sql.execute(
        f"CREATE TRIGGER `{schema}`.`awkward_bi` BEFORE INSERT ON `{schema}`.`awkward` FOR EACH ROW "
        "BEGIN SET NEW.txt = CONCAT(NEW.txt, ';'); SET NEW.emoji = 'trig'; END"
    )
    sql.execute(
        f"CREATE PROCEDURE `{schema}`.`count_awkward`(OUT n INT) "
        f"BEGIN SELECT COUNT(*) INTO n FROM awkward; SELECT 'a;b'; END"
    )
    sql.execute(f"CREATE FUNCTION `{schema}`.`plus_one`(a INT) RETURNS INT DETERMINISTIC RETURN a + 1")


def create_sized_schema(sql: Sql, schema: str, rows: int, tables: Sequence[str] = ("alpha", "beta")) -> None:
    sql.execute(f"CREATE DATABASE `{schema}`")
    sql.execute(f"USE `{schema}`")
    for table in tables:
        sql.execute(
            f"CREATE TABLE `{schema}`.`{table}` (id INT PRIMARY KEY, name VARCHAR(100), note TEXT, KEY (name))"
        )
        sql.execute(
            f"INSERT INTO `{schema}`.`{table}` SELECT seq, CONCAT('name ', seq, ' o''neil;'), "
            f"REPEAT(MD5(seq), 4) FROM seq_1_to_{rows}"
        )


