"""The server side of preflight: it checks statements without running them.

* A hook is sent as `PREPARE`: MySQL 8 and MariaDB parse it and, for
  SELECT, INSERT ... SELECT, REPLACE, UPDATE and DELETE, open its tables and
  resolve its columns, and execute nothing. DDL and other statements are
  only parsed at PREPARE (their names are resolved when they run), and a
  few cannot be prepared at all (error 1295): the caller says so.
* A model's SELECT is sent as `SELECT * FROM (<sql>) AS p LIMIT 0`: the same
  name resolution, plus the column names of its result (which PREPARE does
  not return over SQL), and no row is read: the optimizer stops at the
  zero limit (EXPLAIN: "Zero limit").
* A relation this run creates, or whose columns it changes, before a model
  reads it is stood in for by a TEMPORARY table of the same name, built
  from its compiled SQL with LIMIT 0 (or a seed's CSV header): visible to
  this session only, it hides the real table or view for name resolution
  and disappears with the connection. Nothing else is ever created.

Every wait is bounded: lock_wait_timeout caps a wait for a metadata lock
(another session's DDL) at LOCK_WAIT_SECONDS.
"""
from __future__ import annotations

import dataclasses
import re
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

import pymysql

from ..connection import ConnectionSettings, open_connection, quote, server_message
from ..errors import FatalError

LOCK_WAIT_SECONDS = 30
# Statements whose names PREPARE resolves (checked on MariaDB 10.11; MySQL 8 alike).
RESOLVED_AT_PREPARE = ("select", "with", "insert", "replace", "update", "delete")
ER_UNSUPPORTED_PS = 1295  # "This command is not supported in the prepared statement protocol yet"
ER_CANT_REOPEN_TABLE = 1137  # MySQL 8 opens a TEMPORARY table once per statement
_LEADING_COMMENTS = re.compile(r"^(\s+|--[^\n]*(\n|$)|#[^\n]*(\n|$)|/\*.*?\*/)*", re.S)


class StatementError(Exception):
    """The server refused a statement: `code` and `message` are its own."""

    def __init__(self, code: int, message: str):
        super().__init__(f"server error {code}: {message}")
        self.code = code
        self.message = message


@dataclasses.dataclass
class Relation:
    kind: str  # BASE TABLE, VIEW
    columns: List[str]


def first_keyword(sql: str) -> str:
    """The statement's first word in lower case, after comments: '' for an empty statement."""
    rest = _LEADING_COMMENTS.sub("", sql, count=1)
    match = re.match(r"[A-Za-z]+", rest)
    return match.group(0).lower() if match else ""


def statement_text(sql: str) -> str:
    """The statement as the server gets it: no surrounding blanks, no closing `;`."""
    return sql.strip().rstrip(";").rstrip()


class ServerCheck:
    """One connection, its relations catalogue, and the three kinds of request."""

    def __init__(self, settings: ConnectionSettings):
        self.settings = settings
        self.conn = open_connection(settings)
        self.round_trips = 0
        self.shadows: Set[Tuple[str, str]] = set()
        self._run(f"SET SESSION lock_wait_timeout = {LOCK_WAIT_SECONDS}")

    def close(self) -> None:
        # The temporary stand-ins go with the connection.
        self.conn.close()

    # -- what is on the server ----------------------------------------------

    def relations(self, names: Iterable[Tuple[str, str]]) -> Tuple[Dict[Tuple[str, str], Relation], Set[str]]:
        """The existing relations among `names` with their columns, and the schemas that exist."""
        wanted = sorted(set(names))
        schemas = sorted({schema for schema, _ in wanted})
        found: Dict[Tuple[str, str], Relation] = {}
        if not wanted:
            return found, set()
        marks = ", ".join(["%s"] * len(schemas))
        rows = self._rows(
            "SELECT t.table_schema, t.table_name, t.table_type, c.column_name FROM information_schema.tables AS t"
            " JOIN information_schema.columns AS c ON c.table_schema = t.table_schema AND c.table_name = t.table_name"
            f" WHERE t.table_schema IN ({marks}) ORDER BY t.table_schema, t.table_name, c.ordinal_position",
            schemas,
        )
        for schema, table, kind, column in rows:
            if (schema, table) in wanted:
                found.setdefault((schema, table), Relation(kind, [])).columns.append(column)
        existing = {row[0] for row in self._rows(
            f"SELECT schema_name FROM information_schema.schemata WHERE schema_name IN ({marks})", schemas)}
        return found, existing

    # -- the checks ---------------------------------------------------------

    def probe(self, sql: str) -> List[str]:
        """Resolves a SELECT's names and returns its column names; reads no row."""
        # On the first line, so the server's "at line N" is the line of the compiled SQL.
        cursor = self._run(f"SELECT * FROM ({statement_text(sql)}\n) AS safeguard_preflight LIMIT 0")
        return [column[0] for column in cursor.description or ()]

    def prepare(self, sql: str) -> None:
        """PREPARE: parse (and for DML resolve names), execute nothing."""
        self._run("PREPARE safeguard_preflight FROM %s", (statement_text(sql),))

    # -- stand-ins ----------------------------------------------------------

    def shadow_select(self, schema: str, table: str, sql: str) -> None:
        """A TEMPORARY table named schema.table with the columns `sql` returns, and no rows."""
        self._run(f"CREATE TEMPORARY TABLE {quote(schema)}.{quote(table)} AS SELECT * FROM ("
                  f"{statement_text(sql)}\n) AS safeguard_preflight LIMIT 0")
        self.shadows.add((schema, table))

    def shadow_columns(self, schema: str, table: str, columns: Sequence[Tuple[str, str]]) -> None:
        """A TEMPORARY table named schema.table with these (name, type) columns, for a seed."""
        body = ", ".join(f"{quote(name)} {kind}" for name, kind in columns)
        self._run(f"CREATE TEMPORARY TABLE {quote(schema)}.{quote(table)} ({body})")
        self.shadows.add((schema, table))

    def drop_shadow(self, schema: str, table: str) -> None:
        # TEMPORARY: this can only ever drop the stand-in, never the real table.
        self._run(f"DROP TEMPORARY TABLE {quote(schema)}.{quote(table)}")
        self.shadows.discard((schema, table))

    # -- plumbing -----------------------------------------------------------

    def _run(self, statement: str, params: Optional[Sequence] = None):
        cursor = self.conn.cursor()
        self.round_trips += 1
        try:
            cursor.execute(statement, params)
            cursor.fetchall()
        except pymysql.err.MySQLError as exc:
            code = exc.args[0] if exc.args and isinstance(exc.args[0], int) else 0
            if code == 0 or code >= 2000:
                # Client-side: the connection, not the statement.
                raise FatalError(f"preflight: lost the connection to {self.settings.describe()}: "
                                 f"{server_message(exc)}; nothing was written") from None
            raise StatementError(code, exc.args[1] if len(exc.args) > 1 else str(exc)) from None
        return cursor

    def _rows(self, statement: str, params: Sequence) -> List[Tuple]:
        with self.conn.cursor() as cursor:
            self.round_trips += 1
            try:
                cursor.execute(statement, params)
            except pymysql.err.MySQLError as exc:
                raise FatalError(f"preflight: cannot read information_schema on {self.settings.describe()}: "
                                 f"{server_message(exc)}") from None
            return list(cursor.fetchall())
