"""A decoy schema beside the warehouse, and a fingerprint of everything a
hostile input must leave alone."""
from __future__ import annotations

from typing import Dict

from faults.pipeline import Pipeline

DECOY_ROWS = 25


def create_decoy(pipeline: Pipeline) -> str:
    """`<prefix>decoy`: a table, a procedure that empties it, nothing the pipeline may touch."""
    decoy = pipeline.schema("decoy")
    sql = pipeline.sql
    sql.execute(f"CREATE DATABASE IF NOT EXISTS `{decoy}` CHARACTER SET utf8mb4")
    sql.execute(f"CREATE TABLE IF NOT EXISTS `{decoy}`.t (id int primary key, v varchar(40)) ENGINE=InnoDB")
    sql.execute(f"DELETE FROM `{decoy}`.t")
    sql.execute(f"INSERT INTO `{decoy}`.t VALUES " + ",".join(f"({i}, 'keep {i}')" for i in range(DECOY_ROWS)))
    sql.execute(f"DROP PROCEDURE IF EXISTS `{decoy}`.p")
    sql.execute(f"CREATE PROCEDURE `{decoy}`.p() DELETE FROM `{decoy}`.t")
    return decoy


def fingerprint(pipeline: Pipeline) -> Dict[str, object]:
    """Every table under the prefix (decoy included) with its checksum, the
    schemas, the routines, triggers, events and the server's accounts. The
    package's own bookkeeping (safeguard_* tables and routines of the catalog
    schema) is left out: a refusal may note itself there; the tests compare
    the catalog rows where that matters."""
    like = pipeline.prefix.replace("_", "\\_") + "%"
    sql = pipeline.sql
    tables = {f"{s}.{t}": sql.checksum(s, t) for s, t in sql.rows(
        "SELECT table_schema, table_name FROM information_schema.tables"
        " WHERE table_schema LIKE %s AND table_type = 'BASE TABLE'"
        " AND NOT (table_schema = %s AND table_name LIKE 'safeguard\\_%%') ORDER BY 1, 2",
        (like, pipeline.schema("analytics")))}
    return {
        "tables": tables,
        "schemas": sql.rows("SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE %s"
                            " ORDER BY 1", (like,)),
        "routines": sql.rows("SELECT routine_schema, routine_name FROM information_schema.routines"
                             " WHERE routine_schema LIKE %s AND routine_name NOT LIKE 'safeguard\\_%%'"
                             " ORDER BY 1, 2", (like,)),
        "triggers": sql.rows("SELECT trigger_schema, trigger_name FROM information_schema.triggers ORDER BY 1, 2"),
        "events": sql.rows("SELECT event_schema, event_name FROM information_schema.events ORDER BY 1, 2"),
        "users": sql.rows("SELECT user, host FROM mysql.user ORDER BY 1, 2"),
    }


def staging_checksums(pipeline: Pipeline) -> Dict[str, object]:
    staging = pipeline.schema("staging")
    return {t: pipeline.sql.checksum(staging, t) for t in pipeline.sql.tables(staging)}
