"""The streaming reader splits like the mysql client, whatever the chunk size."""
from __future__ import annotations

import gzip
import io

import pytest

from dbt_safeguard.dump_reader import (
    DumpError,
    DumpReader,
    Statement,
    classify,
    for_mysql8,
    references,
    strip_definer,
    unqualify,
)

SCRIPT = b"""/*M!999999\\- enable the sandbox mode */
-- MariaDB dump 10.19
/*!40101 SET NAMES utf8mb4 */;
# a hash comment with 'quote
CREATE TABLE `t;1` (a TEXT) /* comment ; ' */;
INSERT INTO `t;1` VALUES ('a;b'),('it''s'),('back\\\\'),('esc\\';'),("dq;\\"x"),('multi
line;
value'),(--1),(-1);
INSERT INTO `t;1` VALUES ('-- not a comment'), ('/* nor this */');
DELIMITER ;;
/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER trg BEFORE INSERT ON `t;1` FOR EACH ROW BEGIN SET NEW.a = ';'; END */;;
CREATE DEFINER=`root`@`%` PROCEDURE `p`()
BEGIN SELECT 1; SELECT 'x;;y'; END
;;
DELIMITER ;
/*!50001 CREATE ALGORITHM=UNDEFINED */
/*!50013 DEFINER=`root`@`localhost` SQL SECURITY DEFINER */
/*!50001 VIEW `v` AS select 1 AS `a` */;
-- Dump completed on 2026-01-01
"""

EXPECTED = [
    ("session", None),
    ("create_table", "t;1"),
    ("insert", "t;1"),
    ("insert", "t;1"),
    ("trigger", "trg"),
    ("routine", "p"),
    ("view", "v"),
]


@pytest.mark.parametrize("chunk_size", [1, 2, 3, 7, 64, 1 << 20])
def test_statements_are_the_same_whatever_the_chunk_size(chunk_size):
    reader = DumpReader(io.BytesIO(SCRIPT), chunk_size=chunk_size)
    statements = list(reader)
    assert [(s.kind, s.name) for s in statements] == EXPECTED
    for statement in statements:
        assert SCRIPT[statement.offset:].startswith(statement.text)
    assert statements[2].text.endswith(b"(--1),(-1)")
    assert b"x;;y" in statements[5].text
    assert reader.completed and reader.producer == "mariadb-dump"
    assert reader.offset == len(SCRIPT)


def test_a_dump_cut_inside_a_string_is_reported_with_its_statement_and_offset():
    cut = SCRIPT.index(b"multi") + 3
    with pytest.raises(DumpError) as failure:
        list(DumpReader(io.BytesIO(SCRIPT[:cut])))
    insert_offset = SCRIPT.index(b"INSERT INTO `t;1` VALUES ('a;b')")
    message = str(failure.value)
    assert f"statement 3 (INSERT `t;1`) at byte {insert_offset}" in message
    assert "never closes" in message and "truncated" in message


def test_a_truncated_gzip_stream_is_reported():
    packed = gzip.compress(SCRIPT * 50)
    with pytest.raises(DumpError, match="truncated or corrupt"):
        list(DumpReader(gzip.GzipFile(fileobj=io.BytesIO(packed[: len(packed) // 2]))))


def test_qualified_names_are_reported_for_the_loader_to_check():
    (statement,) = DumpReader(io.BytesIO(b"INSERT INTO `prod`.`t` VALUES (1);\n"))
    assert (statement.kind, statement.schema, statement.name) == ("insert", "prod", "t")
    assert unqualify(statement.text, "prod") == b"INSERT INTO `t` VALUES (1)"


def test_classify_sees_through_conditional_comments():
    assert classify(b"/*!40000 ALTER TABLE `t` DISABLE KEYS */") == ("alter_table", "t", None)
    assert classify(b"/*!50001 DROP VIEW IF EXISTS `v`*/") == ("drop_view", "v", None)
    assert classify(b"LOCK TABLES `t` WRITE") == ("lock", None, None)
    assert classify(b"USE `src`") == ("use", "src", None)


def test_mysqldump_server_state_statements_are_told_apart_from_session_ones():
    assert classify(b"SET @@GLOBAL.GTID_PURGED=/*!80000 '+'*/ 'abc:1-5'")[0] == "server_state"
    assert classify(b"SET @@SESSION.SQL_LOG_BIN= 0")[0] == "server_state"
    assert classify(b"/*!50503 SET NAMES utf8mb4 */")[0] == "session"
    assert classify(b"SET @MYSQLDUMP_TEMP_LOG_BIN = @@SESSION.SQL_LOG_BIN")[0] == "session"


def test_definer_is_stripped_from_objects():
    text = b"/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER x"
    assert b"DEFINER" not in strip_definer(text)


@pytest.mark.parametrize("mode, expected", [
    (b"'STRICT_TRANS_TABLES,NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION'", b"'STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION'"),
    (b"'NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION'", b"'NO_ENGINE_SUBSTITUTION'"),
    (b"'STRICT_TRANS_TABLES,NO_AUTO_CREATE_USER'", b"'STRICT_TRANS_TABLES'"),
    (b"'NO_AUTO_CREATE_USER'", b"''"),
])
def test_sql_mode_mysql8_removed_is_dropped_for_mysql8(mode, expected):
    statement = Statement(1, 0, b"/*!50003 SET sql_mode = " + mode + b" */", "session")
    assert for_mysql8(statement).text == b"/*!50003 SET sql_mode = " + expected + b" */"


def test_a_value_spanning_thousands_of_chunks_is_read_whole():
    value = (b"line; with ''quotes'' and \\\\ \n") * 40_000  # ~1.2 MB of raw newlines in one string
    data = b"INSERT INTO t VALUES ('" + value + b"');\nSELECT 1;\n"
    statements = list(DumpReader(io.BytesIO(data), chunk_size=256))
    assert [s.kind for s in statements] == ["insert", "query"]
    assert statements[0].text == data[: data.index(b";\nSELECT")]


@pytest.mark.parametrize("values, literal", [
    (b"(1,'a;b','it''s',NULL,-1.5e-3,0x1F,_binary 'x',X'0f',b'01',TRUE,DEFAULT),(2,\"dq\",'', 3)", True),
    (b"(1,'other.f()')", True),  # a name inside a string is data
    (b"(other.f())", False),
    (b"((SELECT MAX(id) FROM `other`.`t`))", False),
    (b"(1, NOW())", False),
    (b"(1, /*!50000 other.f() */ 2)", False),
])
@pytest.mark.parametrize("chunk_size", [3, 1 << 20])
def test_inserts_whose_values_hold_only_literals_are_told_apart(values, literal, chunk_size):
    data = b"INSERT INTO `t` VALUES " + values + b";\nINSERT INTO t (a, `b`) VALUES (1, 2);\n"
    first, second = DumpReader(io.BytesIO(data), chunk_size=chunk_size)
    assert (first.kind, first.literal, second.literal) == ("insert", literal, True)
    assert first.text == b"INSERT INTO `t` VALUES " + values


def test_foreign_key_parents_are_read_outside_strings():
    text = (b"CREATE TABLE `c` (`id` int, `pid` int COMMENT 'REFERENCES `fake`', "
            b"CONSTRAINT `fk` FOREIGN KEY (`pid`) REFERENCES `parent` (`id`), "
            b"FOREIGN KEY (id) REFERENCES other.p(id))")
    assert references(text) == [(None, "parent"), ("other", "p")]


# -- the plan's decisions that need no server (issue 18) ------------------------------------------------------

MYSQL8_DUMP = b"""-- MariaDB dump 10.19
--
-- Host: db    Database: shop
/*!50003 SET sql_mode = 'NO_AUTO_CREATE_USER,STRICT_TRANS_TABLES' */;
CREATE TABLE `orders` (
  `id` int(11) NOT NULL,
  `qty` int(11) NOT NULL,
  `twice` int(11) GENERATED ALWAYS AS (`qty` * 2) VIRTUAL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB;
INSERT INTO `orders` (`id`, `qty`) VALUES (1,2);
INSERT INTO `orders` VALUES (2,3,6);
"""


def mysql8_profile():
    from dbt_safeguard.dump_plan import ServerProfile

    return ServerProfile("8.0.36", True, frozenset(), "utf8mb4", "utf8mb4_0900_ai_ci",
                         _collations={"utf8mb4_0900_ai_ci": True})


def test_on_mysql8_the_plan_refuses_values_for_generated_columns_and_drops_removed_sql_modes():
    from dbt_safeguard.dump_plan import DumpPlan

    reader = DumpReader(io.BytesIO(MYSQL8_DUMP), name="d.sql")
    plan = DumpPlan(reader, "d.sql", "staging", mysql8_profile())
    statements = iter(reader)
    mode = next(statements)
    plan.admit(mode)
    assert b"NO_AUTO_CREATE_USER" not in mode.text
    plan.admit(next(statements))  # CREATE TABLE
    plan.admit(next(statements))  # mysqldump's form: the generated column left out
    with pytest.raises(DumpError, match=r"statement 4 \(INSERT `orders`\).*generated column\(s\) `twice`.*3105"):
        plan.admit(next(statements))  # mariadb-dump's form


def test_replication_coordinates_are_their_own_kind():
    assert classify(b"CHANGE MASTER TO MASTER_LOG_FILE='mysql-bin.000007', MASTER_LOG_POS=328").kind == "replication"
    assert classify(b"CHANGE REPLICATION SOURCE TO SOURCE_LOG_FILE='b.3', SOURCE_LOG_POS=157").kind == "replication"
