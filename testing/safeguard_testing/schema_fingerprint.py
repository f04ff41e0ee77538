"""A fingerprint of everything a load puts into a schema, to compare the
loader's load of a dump with the `mariadb` client's load of the same dump.

Rows are hashed over every column as SELECT reads it: the non-generated
columns as stored and the generated ones as the server computes them.
CHECKSUM TABLE is not used: on MariaDB it is not stable for tables with
STORED generated columns at scale."""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Dict, List

from dbt_safeguard.connection import ConnectionSettings

from .harness import Sql


def table_fingerprint(sql: Sql, schema: str, table: str) -> tuple:
    """(rows, sum and xor of a hash per row) over all columns, NULL told apart from any value."""
    columns = [row[0] for row in sql.rows(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = %s AND table_name = %s "
        "ORDER BY ordinal_position", (schema, table))]
    row = "CONCAT_WS(',', " + ", ".join(f"COALESCE(HEX(`{c}`), 'N')" for c in columns) + ")"
    return tuple(sql.rows(
        f"SELECT COUNT(*), COALESCE(SUM(CRC32({row})), 0), "
        f"COALESCE(BIT_XOR(CAST(CONV(LEFT(MD5({row}), 16), 16, 10) AS UNSIGNED)), 0) "
        f"FROM `{schema}`.`{table}`")[0])


def schema_fingerprint(sql: Sql, schema: str) -> Dict[str, object]:
    """Tables (rows and DDL), views, routines, triggers and the schema's charset, with `schema` written as `S`."""
    def named(text):
        return re.sub(rf"`?{re.escape(schema)}`?\.", "", text or "") if isinstance(text, str) else text

    tables = {}
    for table, kind in sql.rows("SELECT table_name, table_type FROM information_schema.tables "
                                "WHERE table_schema = %s ORDER BY 1", (schema,)):
        if kind == "BASE TABLE":
            create = sql.rows(f"SHOW CREATE TABLE `{schema}`.`{table}`")[0][1]
            tables[table] = (table_fingerprint(sql, schema, table), re.sub(r" AUTO_INCREMENT=\d+", "", create))
    return {
        "schema": sql.rows("SELECT default_character_set_name, default_collation_name FROM "
                           "information_schema.schemata WHERE schema_name = %s", (schema,)),
        "tables": tables,
        "views": [tuple(map(named, r)) for r in sql.rows(
            "SELECT table_name, view_definition, character_set_client, collation_connection "
            "FROM information_schema.views WHERE table_schema = %s ORDER BY 1", (schema,))],
        "routines": [tuple(map(named, r)) for r in sql.rows(
            "SELECT routine_type, routine_name, routine_definition, character_set_client, collation_connection, "
            "database_collation FROM information_schema.routines WHERE routine_schema = %s ORDER BY 1, 2",
            (schema,))],
        "parameters": sql.rows("SELECT specific_name, parameter_name, character_set_name, collation_name "
                               "FROM information_schema.parameters WHERE specific_schema = %s ORDER BY 1, 2",
                               (schema,)),
        "triggers": [tuple(map(named, r)) for r in sql.rows(
            "SELECT trigger_name, event_object_table, action_statement FROM information_schema.triggers "
            "WHERE trigger_schema = %s ORDER BY 1", (schema,))],
    }


def client_load(settings: ConnectionSettings, dump: Path, schema: str) -> None:
    """What a user does with the `mariadb` client: CREATE DATABASE (the server's default charset), then the dump."""
    client = [os.environ.get("MARIADB_CLIENT", "mariadb"), f"--host={settings.host}", f"--port={settings.port}",
              f"--user={settings.user}", *([f"--password={settings.password}"] if settings.password else [])]
    # A new session: CREATE DATABASE takes the session's character_set_server.
    subprocess.run([*client, "-e", f"CREATE DATABASE `{schema}`"], check=True)
    with open(dump, "rb") as stdin:
        subprocess.run([*client, schema], stdin=stdin, check=True)


def differences(left: Dict[str, object], right: Dict[str, object]) -> List[str]:
    """The keys (and tables) where two fingerprints differ, for an assertion message."""
    found = [k for k in left if k != "tables" and left[k] != right.get(k)]
    tables_l, tables_r = left["tables"], right["tables"]
    found += [f"table {t}" for t in sorted(set(tables_l) | set(tables_r)) if tables_l.get(t) != tables_r.get(t)]
    return found
