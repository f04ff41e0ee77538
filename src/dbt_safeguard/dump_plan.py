"""What a dump will do to the server, decided once for the load and for --dry-run.

A dump is data from another system. `DumpPlan.admit` sees every statement
before it may reach the server and either admits it (returning what to do
with it) or refuses the whole dump with a `DumpError` naming the statement
and its byte offset. The rules:

* Only a closed list of statement kinds is admitted (see dump_reader's
  classifier): table DDL, INSERT/REPLACE, views, triggers, routines, events,
  session SETs and transaction control. USE, CREATE/DROP DATABASE, LOCK
  TABLES and server-wide SETs are skipped (never sent); plain SELECT/SHOW
  queries are skipped too (a result set has no place in a load). Anything
  else (UPDATE, DELETE, TRUNCATE, RENAME, CALL, GRANT, CREATE USER, SET
  PASSWORD, SELECT ... INTO, PREPARE, LOAD DATA, ...) is refused.
* Every name a statement carries is checked: the head's name (every name of
  a multi-table DROP, a trigger's table, the statement after SET STATEMENT
  ... FOR) may be qualified only with the dumped database, and the body (a
  view's query, a routine's or trigger's or event's code, a foreign key's
  REFERENCES) may not name any other schema that exists on the server or a
  system schema. The dumped database's own name is removed, so the object
  lands in (and reads from) the target.
* Triggers are created after the data (mysqldump writes them after their
  table's rows, and they must not fire on them). When a table gets rows
  after one of its triggers was defined (a raw install script such as
  sakila's, which creates `ins_film` before the film rows), the triggers
  defined so far go live first, as the `mariadb` client would run them.

The loader and the dry run feed the same statements through the same
`admit`, so a dry run approves exactly what a load would.
"""
from __future__ import annotations

import dataclasses
import logging
import re
from typing import Dict, List, Optional, Sequence, Tuple

import pymysql

from .dump_reader import (
    INSERT_HEAD,
    DumpError,
    DumpReader,
    Statement,
    for_mysql8,
    qualifiers,
    references,
    snippet,
    unqualify,
    words,
)
from .errors import FatalError
from .row_loader import generated_columns

log = logging.getLogger("safeguard")

SYSTEM_SCHEMAS = frozenset({"mysql", "information_schema", "performance_schema", "sys"})

# What admit() tells the caller to do with a statement.
SKIP = "skip"  # never sent to the server
RUN = "run"
LIVE = "live"  # make the deferred triggers (and what they may call) live, then run it

_SKIPPED = ("use", "create_database", "drop_database", "lock", "server_state", "replication")
_OBJECTS = ("view", "drop_view", "trigger", "drop_trigger", "routine", "drop_routine", "event", "drop_event")

_CHARSET = re.compile(rb"CHARACTER\s+SET\s*=?\s*['`]?(\w+)|CHARSET\s*=?\s*['`]?(\w+)", re.I)
_COLLATION = re.compile(rb"COLLATE\s*=?\s*['`]?(\w+)", re.I)
# Every place a dump names a collation: COLLATE clauses (tables, columns,
# CREATE DATABASE, SET NAMES) and the collation variables a routine's
# dump sets around it (`SET collation_connection = utf8mb4_0900_ai_ci`).
_COLLATION_NAMES = re.compile(
    rb"\bCOLLATE\s*=?\s*['\"`]?(\w+)|\bcollation_(?:connection|database|server)\s*=\s*['\"`]?(\w+)", re.I
)
_PLAIN_COLLATION = re.compile(r"[A-Za-z0-9_]{1,64}")
# MariaDB 11.4.5 added MySQL 8's utf8mb4_0900_* collations (as aliases of its UCA 14 ones).
COLLATION_HINT = "MariaDB 11.4.5 and later know MySQL 8's utf8mb4_0900_* collations"


@dataclasses.dataclass
class ServerProfile:
    """What the plan needs to know of the server, read once per load or dry run."""

    version: str
    mysql8: bool  # MySQL 8 / Aurora MySQL 3, not MariaDB
    schemas: frozenset  # lower-cased
    charset: str  # @@character_set_server: what CREATE DATABASE without CHARACTER SET gives
    collation: str
    conn: object = None  # for probing a collation the catalogue does not list (an alias)
    _collations: Dict[str, bool] = dataclasses.field(default_factory=dict)

    @classmethod
    def read(cls, conn) -> "ServerProfile":
        with conn.cursor() as cur:
            cur.execute("SELECT VERSION(), @@character_set_server, @@collation_server")
            version, charset, collation = cur.fetchone()
            cur.execute("SELECT schema_name FROM information_schema.schemata")
            schemas = frozenset(row[0].lower() for row in cur.fetchall())
            cur.execute("SELECT collation_name FROM information_schema.collations")
            known = {row[0].lower(): True for row in cur.fetchall()}
        mysql8 = "mariadb" not in version.lower() and int(version.split(".")[0]) >= 8
        return cls(version, mysql8, schemas, charset, collation, conn, known)

    def knows_collation(self, name: str) -> bool:
        key = name.lower()
        if key not in self._collations:
            self._collations[key] = self._probe(key)
        return self._collations[key]

    def _probe(self, name: str) -> bool:
        # An alias (MariaDB 11.4's utf8mb4_0900_ai_ci) may be missing from
        # information_schema.collations; the server's parser has the last word.
        if self.conn is None or not _PLAIN_COLLATION.fullmatch(name):
            return False
        charset = name.split("_", 1)[0]
        try:
            with self.conn.cursor() as cur:
                cur.execute(f"SELECT COLLATION(CONVERT('' USING {charset}) COLLATE {name})")
        except pymysql.err.MySQLError:
            return False
        return True

    def describe(self) -> str:
        return f"{'MySQL' if self.mysql8 else 'MariaDB'} {self.version}"


def parse_collation_map(pairs: Sequence[str], server: Optional[ServerProfile] = None) -> Dict[str, str]:
    """`--collation-map FROM=TO` options as {from: to}; FatalError naming a malformed or unknown pair."""
    mapping: Dict[str, str] = {}
    for pair in pairs:
        source, _, target = pair.partition("=")
        if not (_PLAIN_COLLATION.fullmatch(source) and _PLAIN_COLLATION.fullmatch(target)):
            raise FatalError(f"--collation-map {pair!r} is not FROM=TO with two collation names, e.g. "
                             "utf8mb4_0900_ai_ci=utf8mb4_unicode_ci")
        if server is not None and not server.knows_collation(target):
            raise FatalError(f"--collation-map {pair}: the server ({server.describe()}) has no collation "
                             f"{target}; see SHOW COLLATION LIKE '{target.split('_', 1)[0]}%'")
        mapping[source.lower()] = target
    return mapping


@dataclasses.dataclass
class TableEvidence:
    """What the dump carried for one table: checkable by a user in the plan and the summary."""

    inserts: int = 0  # INSERT statements
    bytes: int = 0  # their size
    rows: Optional[int] = None  # rows in the table after the load (None in a dry run)


class DumpPlan:
    """`plan.admit(statement)` for each statement in order, then `plan.check_complete()`."""

    def __init__(self, reader: DumpReader, name: str, target: str, server: ServerProfile,
                 collation_map: Optional[Dict[str, str]] = None):
        self.reader = reader
        self.name = name
        self.target = target
        self.server = server
        self.server_schemas = set(server.schemas) | SYSTEM_SCHEMAS
        self.collation_map = dict(collation_map or {})
        self._mapped = re.compile(
            rb"\b(" + b"|".join(re.escape(k.encode()) for k in self.collation_map) + rb")\b", re.I
        ) if self.collation_map else None
        self.database: Optional[str] = None  # the dumped database, once known
        self.charset: Optional[str] = None  # from its CREATE DATABASE
        self.collation: Optional[str] = None
        self.tables: Dict[str, TableEvidence] = {}  # ordered
        self.views: Dict[str, None] = {}
        self.triggers: Dict[str, str] = {}  # trigger -> its table
        self.routines: Dict[str, None] = {}  # "PROCEDURE p" / "FUNCTION f" ...
        self.events: Dict[str, None] = {}
        self.parents: Dict[str, Dict[str, None]] = {}  # table -> the tables its foreign keys reference
        self.generated: Dict[str, List[str]] = {}  # table -> its generated columns
        self.created_any = False  # a CREATE TABLE was seen (else a data-only dump)
        self._checked_head = b""  # the last literal INSERT head that passed _check_names unchanged
        self.skipped: List[str] = []  # queries that were not run
        self.went_live: List[int] = []  # statements before which deferred triggers went live
        self._deferred_trigger_tables: set = set()

    @property
    def live_triggers(self) -> bool:
        """Triggers fired during the load: the rows in a table may exceed what its INSERTs carried."""
        return bool(self.went_live)

    # -- one statement ---------------------------------------------------------

    def admit(self, statement: Statement) -> str:
        """SKIP, RUN or LIVE for `statement`, its text made to name the target; DumpError if refused."""
        kind = statement.kind
        if self.database is None:
            self.database = self.reader.database
        if self.server.mysql8:
            for_mysql8(statement)
        if not statement.literal:
            self._check_collations(statement)
        if kind in ("replication", "server_state"):
            if kind == "replication" or b"GTID_PURGED" in statement.text.upper():
                log.info("SKIP     %s: replication state of the source server, not run (%s)",
                         statement.describe(), snippet(statement.text))
            return SKIP
        if kind == "other":
            if statement.index == 1 and self.reader.producer is None:
                raise DumpError(f"{self.name}: not an SQL dump: it starts with {snippet(statement.text)}")
            raise self._refuse(
                statement, "is not a statement a dump holds; the loader runs only table DDL, INSERTs, views, "
                "triggers, routines, events and session SETs"
            )
        if kind in ("use", "create_database", "drop_database"):
            self._database_named(statement)
            return SKIP
        if kind in _SKIPPED:
            return SKIP
        # The reader saw no name outside strings in a literal INSERT's VALUES:
        # only its head needs checking (and scanning megabytes of rows twice
        # would halve the loader's speed).
        head = INSERT_HEAD.match(statement.text) if statement.literal else None
        self._check_names(statement, head)
        if kind == "query":
            if b"INTO" in words(statement.text):
                raise self._refuse(statement, "writes a query's result (SELECT ... INTO)")
            self.skipped.append(statement.describe())
            log.info("SKIP     %s: a query, not run (%s)", statement.describe(), snippet(statement.text))
            return SKIP
        return self._record(statement)

    def _record(self, statement: Statement) -> str:
        kind, name = statement.kind, statement.name
        if kind in ("insert", "alter_table", "index") and name not in self.tables:
            raise self._no_table(statement)
        if kind == "insert":
            evidence = self.tables[name]
            self._check_generated(statement)
            evidence.inserts += 1
            evidence.bytes += len(statement.text)
            if name in self._deferred_trigger_tables:
                self._deferred_trigger_tables.clear()
                self.went_live.append(statement.index)
                return LIVE
        elif kind == "create_table":
            self.created_any = True
            self.tables[name] = TableEvidence()
            self.generated[name] = generated_columns(statement.text)
            self.parents[name] = dict.fromkeys(parent for _, parent in references(statement.text))
        elif kind == "alter_table":
            self.parents.setdefault(name, {}).update(
                dict.fromkeys(parent for _, parent in references(statement.text)))
        elif kind == "drop_table":
            for _, table in ((None, name), *statement.others):
                self.tables.pop(table, None)
                self.parents.pop(table, None)
        elif kind == "view":
            self.views[name] = None
        elif kind == "drop_view":
            for _, view in ((None, name), *statement.others):
                self.views.pop(view, None)
        elif kind == "trigger":
            table = statement.on_table[1]
            self.triggers[name] = table
            self._deferred_trigger_tables.add(table)
        elif kind == "drop_trigger":
            self.triggers.pop(name, None)
        elif kind in ("routine", "drop_routine"):
            what = re.search(rb"\b(PROCEDURE|FUNCTION|PACKAGE\s+BODY|PACKAGE)\b", statement.text[:2048], re.I)
            key = f"{what.group(1).decode().upper() if what else 'ROUTINE'} {name}"
            if kind == "routine":
                self.routines[key] = None
            else:
                self.routines.pop(key, None)
        elif kind == "event":
            self.events[name] = None
        elif kind == "drop_event":
            self.events.pop(name, None)
        return RUN

    def _no_table(self, statement: Statement) -> DumpError:
        if not self.created_any:
            return DumpError(
                f"{self.name}: the dump creates no tables: {statement.describe()} writes to `{statement.name}` but "
                "no CREATE TABLE came before it (a data-only dump, mysqldump --no-create-info); the loader "
                "replaces whole tables, so dump them with their CREATE TABLE"
            )
        what = "inserts into" if statement.kind == "insert" else "changes"
        return DumpError(f"{self.name}: {statement.describe()} {what} a table the dump never created "
                         f"(it creates {', '.join(self.tables) or 'none now'})")

    def _check_generated(self, statement: Statement) -> None:
        """mariadb-dump writes the values of generated columns; MariaDB ignores
        them with warning 1906, MySQL 8 refuses them (error 3105), as it
        refuses them to the mysql client."""
        generated = self.generated.get(statement.name)
        if not generated or not self.server.mysql8:
            return
        head = INSERT_HEAD.match(statement.text)
        listed = head is not None and b"(" in head.group(0)
        named = [g for g in generated if not listed or f"`{g}`".encode() in head.group(0)]
        if named:
            raise self._refuse(
                statement, f"gives values to generated column(s) {', '.join(f'`{g}`' for g in named)} of "
                f"`{statement.name}`, which {self.server.describe()} refuses (error 3105, in the mysql client "
                "too); dump it with mysqldump, which leaves generated columns out of its INSERTs"
            )

    def _check_collations(self, statement: Statement) -> None:
        """Applies --collation-map, then refuses a collation the server does not know (its error 1273
        names neither the statement nor a way out)."""
        if self._mapped is not None:
            statement.text = self._mapped.sub(lambda m: self.collation_map[m.group(1).decode().lower()].encode(),
                                              statement.text)
        head = statement.text if statement.kind != "insert" else statement.text[:4096]
        for match in _COLLATION_NAMES.finditer(head):
            collation = (match.group(1) or match.group(2)).decode("ascii", "replace")
            if collation.lower() in ("default", "binary") or self.server.knows_collation(collation):
                continue
            raise DumpError(
                f"{self.name}: {statement.describe()} uses collation {collation}, which this server "
                f"({self.server.describe()}) does not know: {snippet(statement.text)}; load it with one it has "
                f"by adding --collation-map {collation}={_fallback(collation)} (repeatable), or load into a "
                f"server that has it ({COLLATION_HINT})"
            )

    def _database_named(self, statement: Statement) -> None:
        if self.database is None:
            self.database = statement.name
        elif statement.name != self.database:
            raise DumpError(
                f"{self.name}: {statement.describe()}: the dump holds several databases "
                f"({', '.join(sorted({self.database, statement.name}))}); load one database per dump"
            )
        if statement.kind == "create_database":
            head = statement.text[:1024]
            charset, collation = _CHARSET.search(head), _COLLATION.search(head)
            if charset:
                self.charset = (charset.group(1) or charset.group(2)).decode()
            if collation:
                self.collation = collation.group(1).decode()

    def _check_names(self, statement: Statement, head_only: Optional["re.Match"]) -> None:
        names = [(statement.schema, statement.name), *statement.others]
        if statement.on_table is not None:
            names.append(statement.on_table)
        for schema, _ in names:
            if schema is not None and schema != self.database:
                raise self._refuse(
                    statement, f"names database `{schema}`, which is not the dumped database; the loader only "
                    "writes into its target schema"
                )
        if head_only:
            head = body = head_only.group(0)
            if head == self._checked_head:  # the same head as the last INSERT: it passed unchanged
                statement.schema = None
                return
        else:
            body = statement.text
        found = set(qualifiers(body))
        for schema in sorted(found):
            if schema != self.database and schema.lower() in self.server_schemas:
                raise self._refuse(
                    statement, f"names schema `{schema}`, which is not the dumped database; a dump may only "
                    f"read and write its own database (loaded into `{self.target}`)"
                )
        if head_only and not (self.database is not None and self.database in found):
            self._checked_head = head
        if self.database is not None and self.database in found:
            if head_only:
                statement.text = unqualify(head, self.database) + statement.text[len(head):]
            else:
                statement.text = unqualify(statement.text, self.database)
        statement.schema = None
        statement.others = tuple((None, n) for _, n in statement.others)
        if statement.on_table is not None:
            statement.on_table = (None, statement.on_table[1])

    def _refuse(self, statement: Statement, why: str) -> DumpError:
        return DumpError(
            f"{self.name}: {statement.describe()} {why}: {snippet(statement.text)}; refused before it reached "
            "the server"
        )

    # -- the whole dump --------------------------------------------------------

    def check_complete(self, required_tables: Sequence[str] = (), trust_incomplete: bool = False) -> str:
        """How the dump's completeness is established ("trailer", "required tables", "trusted"); else DumpError."""
        reader = self.reader
        tables = list(self.tables)
        if reader.producer and not reader.completed:
            raise DumpError(
                f"{self.name}: the {reader.producer} header is there but the closing `-- Dump completed` line is "
                f"not (read {reader.offset} bytes): the dump is truncated"
            )
        if not tables:
            raise DumpError(f"{self.name}: the dump creates no tables")
        missing = [t for t in required_tables if t not in self.tables]
        if missing:
            raise DumpError(
                f"{self.name}: the dump lacks required tables {', '.join(missing)} (it has {', '.join(tables)})"
            )
        # A foreign key to a table the dump does not create would dangle after
        # the swap, or follow yesterday's table into the previous schema.
        for table, parents in self.parents.items():
            for parent in parents:
                if table in self.tables and parent not in self.tables:
                    raise DumpError(
                        f"{self.name}: table `{table}` has a foreign key to `{parent}`, which the dump does not "
                        f"create (tables: {', '.join(tables)})"
                    )
        if reader.completed:
            return "trailer"
        if trust_incomplete:
            return "trusted"
        if required_tables:
            return "required tables"
        raise DumpError(
            f"{self.name}: the dump's completeness cannot be established: it has no mysqldump/mariadb-dump header "
            f"and no `-- Dump completed` line (a --compact or --skip-comments dump, or a script), so a dump cut "
            f"between two statements would look whole; name the tables it must create with --require-table "
            f"(it has {', '.join(tables)}), or pass --trust-incomplete"
        )

    def evidence(self, completeness: str) -> Dict:
        """Per-table evidence for the plan and the JSON summary."""
        return {
            "completeness": completeness,
            "database": self.database,
            "triggers_live_during_load": self.live_triggers,
            "tables": {t: dataclasses.asdict(e) for t, e in self.tables.items()},
        }

    def describe_objects(self) -> List[Tuple[str, str]]:
        """(kind, name) of every object the dump defines, each once, in dump order."""
        return ([("view", v) for v in self.views] + [("trigger", t) for t in self.triggers]
                + [("routine", r) for r in self.routines] + [("event", e) for e in self.events])


def _fallback(collation: str) -> str:
    """A collation MariaDB and MySQL 8 both have, of the same charset, for the hint."""
    charset = collation.split("_", 1)[0].lower()
    return {"utf8mb4": "utf8mb4_unicode_ci", "utf8mb3": "utf8mb3_unicode_ci", "utf8": "utf8_unicode_ci",
            "latin1": "latin1_swedish_ci"}.get(charset, f"{charset}_general_ci")
