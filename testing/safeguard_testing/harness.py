"""Shared test plumbing: the test server, SQL helpers and the reference project."""
from __future__ import annotations

import os
import signal
import uuid
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from dbt_safeguard.connection import ConnectionSettings
from .project_files import copy_project

# testing/safeguard_testing/harness.py: bootstrap.sh installs this package
# editable, so the checkout is two folders up.
REPO_ROOT = Path(__file__).resolve().parents[2]
REFERENCE_PROJECT = REPO_ROOT / "dbt"

# Point the tests at an existing server with SAFEGUARD_TEST_DB_HOST (and
# _PORT, _USER, _PASSWORD). They then work only in schemas named with a
# random prefix, which they create and drop themselves.
EXTERNAL_SERVER_ENV = "SAFEGUARD_TEST_DB_HOST"


def external_server_settings() -> Optional[ConnectionSettings]:
    if not os.environ.get(EXTERNAL_SERVER_ENV):
        return None
    return ConnectionSettings.from_env(
        {
            "SAFEGUARD_DB_HOST": os.environ[EXTERNAL_SERVER_ENV],
            "SAFEGUARD_DB_PORT": os.environ.get("SAFEGUARD_TEST_DB_PORT", "3306"),
            "SAFEGUARD_DB_USER": os.environ.get("SAFEGUARD_TEST_DB_USER", "root"),
            "SAFEGUARD_DB_PASSWORD": os.environ.get("SAFEGUARD_TEST_DB_PASSWORD", ""),
        }
    )


def new_schema_prefix() -> str:
    return f"sgt{uuid.uuid4().hex[:6]}_"


class Sql:
    """A tiny autocommit client for assertions: rows, checksums, existence."""

    def __init__(self, settings: ConnectionSettings):
        self.settings = settings
        self.conn = settings.connect()

    def close(self) -> None:
        self.conn.close()

    def execute(self, statement: str, params: Optional[Sequence] = None) -> int:
        with self.conn.cursor() as cur:
            return cur.execute(statement, params)

    def rows(self, statement: str, params: Optional[Sequence] = None) -> List[Tuple]:
        with self.conn.cursor() as cur:
            cur.execute(statement, params)
            return list(cur.fetchall())

    def scalar(self, statement: str, params: Optional[Sequence] = None):
        rows = self.rows(statement, params)
        return rows[0][0] if rows else None

    def tables(self, schema: str) -> List[str]:
        return [
            row[0]
            for row in self.rows(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s ORDER BY table_name",
                (schema,),
            )
        ]

    def table_exists(self, schema: str, table: str) -> bool:
        return table in self.tables(schema)

    def checksum(self, schema: str, table: str) -> Optional[int]:
        row = self.rows(f"CHECKSUM TABLE `{schema}`.`{table}`")[0]
        return None if row[1] is None else int(row[1])

    def fingerprint(self, schema: str, table: str, method: Optional[str] = "rowhash1") -> Optional[int]:
        """The checksum the package's catalog records for a table (macros/catalog/_fingerprint.sql):
        `rowhash1`, or CHECKSUM TABLE for rows of older versions (method None or checksum_table).
        Written out here from the docs, so a test catches the macro drifting from them."""
        if method in (None, "checksum_table"):
            return self.checksum(schema, table)
        columns = [name for (name,) in self.rows(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = %s AND table_name = %s"
            " AND COALESCE(generation_expression, '') = '' ORDER BY ordinal_position", (schema, table))]
        parts = ", ".join(
            f"IFNULL(CONCAT(OCTET_LENGTH(`{c}`), ':', CAST(`{c}` AS BINARY)), '-')" for c in columns)
        total = self.scalar(
            f"SELECT COALESCE(SUM(CRC32(CONCAT_WS(0x1f, {parts}))), 0) MOD 18446744073709551616"
            f" FROM `{schema}`.`{table}`")
        return int(total)

    def matches_catalog(self, row: dict, schema: Optional[str] = None, table: Optional[str] = None) -> bool:
        """Does the table (default: the row's backup table) hold what catalog row `row` recorded,
        by the row's own method? A kept table not yet fingerprinted (checksum NULL) matches on existence."""
        schema, table = schema or row["backup_schema"], table or row["backup_table"]
        if row.get("checksum") is None and row.get("row_count") is None:
            return self.table_exists(schema, table)
        count = self.scalar(f"SELECT COUNT(*) FROM `{schema}`.`{table}`")
        return (count, self.fingerprint(schema, table, row.get("fingerprint_method"))) == (row["row_count"], row["checksum"])

    def table_rows(self, schema: str, table: str) -> List[Tuple]:
        """Every row, in a stable order: what "byte-identical" is checked against."""
        return sorted(self.rows(f"SELECT * FROM `{schema}`.`{table}`"), key=repr)

    def snapshot(self, tables: Sequence[Tuple[str, str]]) -> Dict[str, Tuple[Optional[int], int]]:
        """checksum and row count of each existing (schema, table)."""
        result = {}
        for schema, table in tables:
            if self.table_exists(schema, table):
                count = self.scalar(f"SELECT COUNT(*) FROM `{schema}`.`{table}`")
                result[f"{schema}.{table}"] = (self.checksum(schema, table), count)
        return result

    def drop_schemas(self, prefix: str) -> None:
        for (schema,) in self.rows(
            "SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE %s",
            (prefix.replace("_", "\\_") + "%",),
        ):
            self.execute(f"DROP DATABASE `{schema}`")


def copy_reference_project(destination: Path) -> Path:
    """A private copy of dbt/ that still installs the package from this repository."""
    return copy_project(REFERENCE_PROJECT, destination / "dbt", REPO_ROOT)


def default_sigint() -> None:
    """Popen's preexec_fn for a Ctrl-C test: a shell's background job (`cmd &`)
    starts with SIGINT ignored, its children inherit that, and Python then
    never raises KeyboardInterrupt. The child gets the terminal's default."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
