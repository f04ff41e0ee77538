"""Loads a SQL dump into a schema so that the schema never ends half-loaded.

Plan:
1. Load everything into a shadow schema `<target>_loading`, INSERTs spread
   over several connections (InnoDB takes concurrent inserts into one table;
   table DDL and session SETs are barriers that run once every INSERT before
   them is done).
2. Verify: the dump was complete, every table it defines exists, and each
   holds exactly the rows the dump's INSERTs carried.
3. Swap with ONE `RENAME TABLE target.t TO previous.t, shadow.t TO target.t,
   ...` statement: MySQL and MariaDB apply a multi-table RENAME atomically.
   The replaced tables stay in `<target>_previous` until the next load.
4. Recreate the dump's views, triggers and routines in the target. A view,
   trigger or routine cannot move between schemas by RENAME, so they are
   first created in the shadow (which validates them) and replayed after the
   swap. Other objects in the target (dbt's stg_* views) are left alone and
   keep working: views resolve table names when queried.

Anything that fails before step 3, including a killed process, leaves the
target exactly as it was; the next load drops the stale shadow.
"""
from __future__ import annotations

import collections
import dataclasses
import hashlib
import logging
import os
import struct
import tempfile
import threading
import time
from typing import BinaryIO, Callable, Dict, List, Optional, Sequence, Tuple

import pymysql

from .connection import ConnectionSettings
from .dump_reader import (
    DumpError,
    DumpReader,
    Statement,
    for_mysql8,
    strip_definer,
    unqualify,
)
from .errors import FatalError
from .row_loader import TableWriter, defer_keys, loadable_columns, local_infile_enabled

log = logging.getLogger("safeguard")

MAX_IDENTIFIER = 64
SHADOW_SUFFIX = "_loading"
PREVIOUS_SUFFIX = "_previous"
# Parallel connections, one table each. More than the server has cores was
# measured slower (3 workers on a 2-core server: 13 s against 6-11 s for 2,
# on a 100 MB dump); raise it with --workers for a bigger server.
DEFAULT_WORKERS = 2
# Statements held in memory for tables whose worker has not caught up; the
# rest waits in spill files, so memory stays flat whatever the dump size.
DEFAULT_MEMORY_BUDGET = 64 << 20
# pymysql refuses to send statements above its own limit (16 MB by default);
# the server's max_allowed_packet is the real bound.
CLIENT_MAX_PACKET = 1 << 30
# Session settings for bulk loading; valid on MySQL 8 and MariaDB 10.11.
LOAD_SESSION = "SET SESSION unique_checks = 0, foreign_key_checks = 0"

_SKIPPED = ("use", "create_database", "drop_database", "lock", "server_state")
_TABLE_DDL = ("create_table", "drop_table", "alter_table")
_REPLAYED = ("view", "drop_view", "trigger", "routine")


def open_connection(settings: ConnectionSettings, database: Optional[str] = None, **kwargs):
    """settings.connect(), with "cannot connect" as one clean line (never the password)."""
    try:
        return settings.connect(database=database, **kwargs)
    except pymysql.err.OperationalError as exc:
        raise FatalError(f"cannot connect to {settings.describe()}: {_server_message(exc)}") from None


def load_lock_name(target: str) -> str:
    """The server-side lock of loads into `target` (GET_LOCK names: at most 64 characters)."""
    return "safeguard_load_" + hashlib.sha1(target.encode()).hexdigest()[:32]


def quote(identifier: str) -> str:
    return "`" + identifier.replace("`", "``") + "`"


def check_schema_name(name: str, what: str = "schema") -> str:
    if not name or len(name) > MAX_IDENTIFIER or name != name.strip():
        raise FatalError(
            f"{what} name {name!r} is not valid: it must be 1 to {MAX_IDENTIFIER} characters without "
            "leading or trailing spaces"
        )
    return name


@dataclasses.dataclass
class LoadPlan:
    target: str
    shadow: str
    previous: str

    @classmethod
    def for_target(cls, target: str) -> "LoadPlan":
        check_schema_name(target, "target schema")
        shadow, previous = target + SHADOW_SUFFIX, target + PREVIOUS_SUFFIX
        for name in (shadow, previous):
            if len(name) > MAX_IDENTIFIER:
                raise FatalError(
                    f"target schema {target!r} is too long: the loader needs `{name}` next to it and MySQL "
                    f"names are at most {MAX_IDENTIFIER} characters"
                )
        return cls(target, shadow, previous)


@dataclasses.dataclass
class LoadResult:
    target: str
    tables: Dict[str, int]  # table -> rows loaded
    views: List[str]
    replayed: int  # views, triggers and routines recreated in the target
    bytes: int
    duration: float
    swapped: List[str]  # tables that replaced an existing table (now in previous)

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


class _LoadFailed(Exception):
    def __init__(self, statement: Statement, error: BaseException):
        self.statement = statement
        self.error = error


def _server_message(error: BaseException) -> str:
    if isinstance(error, pymysql.err.MySQLError) and len(error.args) == 2:
        return f"server error {error.args[0]}: {error.args[1]}"
    return f"{type(error).__name__}: {error}"


class _Lane:
    """One table's INSERTs (and its later DDL), executed in order by one worker.

    Statements wait in memory while the lanes together hold less than the
    memory budget; beyond it they go to spill files on disk, so the parser can
    run ahead to the next table (and its worker start) without memory growing
    with the dump.
    """

    def __init__(self, table: str, session: List[Statement]):
        self.table = table
        self.session = list(session)  # the dump's SETs so far: the state its INSERTs expect
        self.items: "collections.deque" = collections.deque()  # Statement or closed spill path
        self.closed = False
        self.spill: Optional[BinaryIO] = None
        self.spill_path: Optional[str] = None
        self.spilled = False
        self.rows = 0


_RECORD = struct.Struct("<qqIB")  # index, offset, text length, kind
_KINDS = ("insert", "session", "transaction", "create_table", "drop_table", "alter_table")


class _LanePool:
    """Loads tables in parallel: each worker has its own connection and takes
    whole lanes, so two tables are never interleaved on one connection and
    InnoDB builds separate B-trees side by side (concurrent inserts into ONE
    table contend on its last page: measured no faster with 2 connections,
    slower with 3 or 4)."""

    SPILL_SEGMENT = 16 << 20

    def __init__(self, connections: Sequence, spill_dir: str, memory_budget: int):
        self.connections = list(connections)
        # Tables whose INSERTs may go as LOAD DATA LOCAL INFILE (row_loader).
        self.load_data_tables: set = set()
        self.load_data_refused: Optional[BaseException] = None
        self.spill_dir = spill_dir
        self.memory_budget = memory_budget
        self.memory = 0
        self.lanes: Dict[str, _Lane] = {}  # open lanes: the parser may still add to them
        self.finished: List[_Lane] = []
        self.pending: "collections.deque[_Lane]" = collections.deque()
        self.running: List[_Lane] = []
        self.failure: Optional[_LoadFailed] = None
        self.cond = threading.Condition()
        self.stopping = False
        self.segments = 0
        self.threads = [
            threading.Thread(target=self._work, args=(conn,), name=f"safeguard-load-{i}", daemon=True)
            for i, conn in enumerate(self.connections)
        ]
        for thread in self.threads:
            thread.start()

    # -- producer side (the parsing thread) -------------------------------------

    def lane(self, table: str) -> Optional[_Lane]:
        return self.lanes.get(table)

    def submit(self, table: str, statement: Statement, session: List[Statement]) -> None:
        self.raise_failure()
        with self.cond:
            lane = self.lanes.get(table)
            if lane is None:
                lane = self.lanes[table] = _Lane(table, session)
                self.pending.append(lane)
                self.cond.notify_all()
            if not lane.spilled and self.memory + len(statement.text) <= self.memory_budget:
                lane.items.append(statement)
                self.memory += len(statement.text)
                self.cond.notify_all()
                return
            lane.spilled = True
        self._spill(lane, statement)

    def _spill(self, lane: _Lane, statement: Statement) -> None:
        if lane.spill is None:
            self.segments += 1
            lane.spill_path = os.path.join(self.spill_dir, f"segment-{self.segments}")
            lane.spill = open(lane.spill_path, "wb")
        lane.spill.write(
            _RECORD.pack(statement.index, statement.offset, len(statement.text), _KINDS.index(statement.kind))
        )
        lane.spill.write(statement.text)
        if lane.spill.tell() >= self.SPILL_SEGMENT:
            self._seal(lane)

    def _seal(self, lane: _Lane) -> None:
        if lane.spill is None:
            return
        lane.spill.close()
        with self.cond:
            lane.items.append(lane.spill_path)
            self.cond.notify_all()
        lane.spill = lane.spill_path = None

    def finish(self, table: Optional[str]) -> None:
        """The parser has moved past `table`: its worker may finish it and take another."""
        lane = self.lanes.pop(table, None) if table is not None else None
        if lane is None:
            return
        self._seal(lane)
        with self.cond:
            lane.closed = True
            self.finished.append(lane)
            self.cond.notify_all()

    def drain(self) -> List[_Lane]:
        """Wait until every lane is done: the barrier before other statements."""
        for table in list(self.lanes):
            self.finish(table)
        with self.cond:
            while self.failure is None and (self.pending or self.running):
                self.cond.wait(0.5)
            done, self.finished = self.finished, []
        self.raise_failure()
        return done

    def busy_with(self, table: str) -> bool:
        """Whether INSERTs into `table` may still be queued or running."""
        with self.cond:
            return any(lane.table == table for lane in (*self.pending, *self.running))

    def raise_failure(self) -> None:
        if self.failure is not None:
            raise self.failure

    def close(self) -> None:
        with self.cond:
            self.stopping = True
            self.cond.notify_all()
        for lane in self.lanes.values():
            if lane.spill is not None:
                lane.spill.close()
        for thread in self.threads:
            thread.join(timeout=10)

    # -- worker side ---------------------------------------------------------------

    def _work(self, conn) -> None:
        scratch = os.path.join(self.spill_dir, f"rows-{threading.get_ident()}")
        while True:
            with self.cond:
                while not self.pending and not self.stopping:
                    self.cond.wait()
                if self.stopping:
                    return
                lane = self.pending.popleft()
                self.running.append(lane)
            writer = TableWriter(conn, lane.table, lane.table in self.load_data_tables, scratch)
            try:
                for statement in lane.session:
                    self._execute(lane, writer, statement)
                self._run_lane(lane, writer)
                # In case the dump turned autocommit off and never committed.
                writer.execute(b"COMMIT", is_insert=False)
            except _LoadFailed as failed:
                with self.cond:
                    if self.failure is None:
                        self.failure = failed
            finally:
                writer.close()
                if writer.refused is not None:
                    self.load_data_tables.clear()
                    self.load_data_refused = writer.refused
                with self.cond:
                    self.running.remove(lane)
                    self.cond.notify_all()

    def _next(self, lane: _Lane):
        with self.cond:
            while not lane.items or self.failure is not None:
                if lane.closed or self.failure is not None or self.stopping:
                    return None
                self.cond.wait()
            item = lane.items.popleft()
            if isinstance(item, Statement):
                self.memory -= len(item.text)
            return item

    def _run_lane(self, lane: _Lane, writer: TableWriter) -> None:
        while True:
            item = self._next(lane)
            if item is None:
                return
            if isinstance(item, Statement):
                self._execute(lane, writer, item)
                continue
            try:
                with open(item, "rb") as spill:
                    while True:
                        header = spill.read(_RECORD.size)
                        if not header:
                            break
                        index, offset, length, kind = _RECORD.unpack(header)
                        text = spill.read(length)
                        self._execute(lane, writer, Statement(index, offset, text, _KINDS[kind], lane.table))
                        if self.failure is not None:
                            return
            finally:
                os.unlink(item)

    def _execute(self, lane: _Lane, writer: TableWriter, statement: Statement) -> None:
        try:
            affected = writer.execute(statement.text, is_insert=statement.kind == "insert")
        except Exception as exc:  # noqa: BLE001 - reported with the statement that failed
            raise _LoadFailed(statement, exc) from None
        if statement.kind == "insert":
            lane.rows += affected


class StagingLoader:
    """`StagingLoader(settings, "staging").load(stream, name)` -> LoadResult."""

    def __init__(
        self,
        settings: ConnectionSettings,
        target: str,
        workers: int = DEFAULT_WORKERS,
        required_tables: Sequence[str] = (),
        keep_previous: bool = True,
        on_progress: Optional[Callable[[int, Optional[str]], None]] = None,
        memory_budget: int = DEFAULT_MEMORY_BUDGET,
        spill_dir: Optional[str] = None,
        defer_keys: bool = True,
        load_data: bool = True,
    ):
        if workers < 1:
            raise FatalError(f"workers must be at least 1, got {workers}")
        self.settings = settings
        self.plan = LoadPlan.for_target(target)
        self.workers = workers
        self.required_tables = list(required_tables)
        self.keep_previous = keep_previous
        self.on_progress = on_progress
        self.memory_budget = memory_budget
        self.spill_dir = spill_dir
        self.defer_keys = defer_keys
        self.load_data = load_data
        self.mysql8 = False

    def _connect(self, database: Optional[str] = None, **kwargs):
        return open_connection(self.settings, database, max_allowed_packet=CLIENT_MAX_PACKET, **kwargs)

    def load(self, stream, name: str) -> LoadResult:
        started = time.monotonic()
        plan = self.plan
        control = self._connect()
        try:
            self._acquire_lock(control)
            version = self._rows(control, "SELECT VERSION()")[0][0]
            self.mysql8 = "mariadb" not in version.lower() and int(version.split(".")[0]) >= 8
            self._execute(control, f"DROP DATABASE IF EXISTS {quote(plan.shadow)}")
            self._execute(control, f"CREATE DATABASE {quote(plan.shadow)} CHARACTER SET utf8mb4")
            log.info("LOAD     %s into shadow schema %s", name, plan.shadow)
            reader = DumpReader(stream, name=name)
            tables, views, replay, rows = self._load_shadow(reader, name)
            self._verify(control, reader, name, tables, rows)
            swapped = self._swap(control, tables, views)
            replayed = self._replay(replay, name)
            self._execute(control, f"DROP DATABASE IF EXISTS {quote(plan.shadow)}")
            if not self.keep_previous:
                self._execute(control, f"DROP DATABASE IF EXISTS {quote(plan.previous)}")
        except BaseException:
            self._drop_shadow_quietly(control)
            raise
        finally:
            control.close()
        result = LoadResult(
            target=plan.target,
            tables={table: rows.get(table, 0) for table in tables},
            views=sorted(views),
            replayed=replayed,
            bytes=reader.offset,
            duration=time.monotonic() - started,
            swapped=swapped,
        )
        log.info(
            "LOADED   %d tables, %d rows, %d views into %s in %.1fs",
            len(result.tables), result.rows, len(result.views), plan.target, result.duration,
        )
        return result

    # -- steps -----------------------------------------------------------------

    def _acquire_lock(self, control) -> None:
        # The lock lives as long as the connection, so a killed loader releases it.
        lock = load_lock_name(self.plan.target)
        with control.cursor() as cur:
            cur.execute("SELECT GET_LOCK(%s, 0)", (lock,))
            if cur.fetchone()[0] != 1:
                raise FatalError(
                    f"another load into `{self.plan.target}` is running (lock {lock} is held); "
                    "nothing was changed, try again when it has finished"
                )

    def _load_shadow(self, reader: DumpReader, name: str):
        plan = self.plan
        ddl = self._connect(plan.shadow)
        # pymysql sends a LOAD DATA LOCAL file only on a connection opened with local_infile.
        inserters = [self._connect(plan.shadow, local_infile=True) for _ in range(self.workers)]
        for conn in (ddl, *inserters):
            self._execute(conn, LOAD_SESSION)
        load_data = self.load_data and local_infile_enabled(ddl)
        if self.load_data and not load_data:
            log.info("ROWS     local_infile is OFF on the server: rows go as the dump's INSERT statements "
                     "(same tables, slower)")
        spill_dir = tempfile.TemporaryDirectory(prefix="safeguard-load-", dir=self.spill_dir)
        pool = _LanePool(inserters, spill_dir.name, self.memory_budget)
        tables: Dict[str, None] = {}  # ordered set
        views: Dict[str, None] = {}
        rows: Dict[str, int] = {}
        session: List[Statement] = []  # the dump's SETs so far
        replay: List[Statement] = []  # SETs, views, triggers and routines, in dump order
        databases = set()
        current: Optional[str] = None  # the table whose INSERTs came last
        deferred: Dict[str, Statement] = {}  # table -> ALTER TABLE adding its secondary keys
        constraints: Dict[str, Statement] = {}  # table -> ALTER TABLE adding its foreign keys, run last
        progress_at = 0.0

        def finish(table: Optional[str]) -> None:
            # The parser is past `table`: its keys go last in its lane.
            if table in deferred:
                pool.submit(table, deferred.pop(table), session)
            pool.finish(table)

        def collect(lanes: List[_Lane]) -> None:
            for lane in lanes:
                rows[lane.table] = rows.get(lane.table, 0) + lane.rows

        try:
            for statement in reader:
                if self.mysql8:
                    for_mysql8(statement)
                kind = statement.kind
                if statement.schema is not None:
                    self._unqualify(statement, reader, databases, name)
                if kind == "insert":
                    if statement.name not in tables:
                        raise DumpError(
                            f"{name}: {statement.describe()} inserts into a table the dump never created"
                        )
                    if statement.name != current:
                        finish(current)
                        current = statement.name
                    pool.submit(current, statement, session)
                elif kind in _SKIPPED:
                    # USE / CREATE DATABASE are redirected to the shadow schema;
                    # LOCK TABLES would serialise the parallel loads.
                    if kind in ("use", "create_database"):
                        databases.add(statement.name)
                        if len(databases) > 1:
                            raise DumpError(
                                f"{name}: {statement.describe()}: the dump holds several databases "
                                f"({', '.join(sorted(databases))}); load one database per dump"
                            )
                elif kind in ("session", "transaction"):
                    # `mysqldump --no-autocommit` wraps each table's INSERTs in
                    # SET autocommit=0 ... COMMIT: both belong to that table's lane.
                    self._run(ddl, statement)
                    if kind == "session":
                        session.append(statement)
                        replay.append(statement)
                    if current is not None:
                        pool.submit(current, statement, session)
                elif kind in _TABLE_DDL:
                    if statement.name != current:
                        finish(current)
                        current = None
                    if kind == "create_table" and self.defer_keys:
                        self._defer_keys(statement, deferred, constraints)
                    elif kind == "drop_table":
                        deferred.pop(statement.name, None)
                        constraints.pop(statement.name, None)
                    if kind == "create_table" and load_data and reader.producer and loadable_columns(statement.text):
                        pool.load_data_tables.add(statement.name)
                    elif kind in ("create_table", "drop_table"):
                        pool.load_data_tables.discard(statement.name)
                    if pool.lane(statement.name) is not None:
                        # e.g. ALTER TABLE t ENABLE KEYS: after t's INSERTs, on t's connection.
                        pool.submit(statement.name, statement, session)
                    else:
                        if pool.busy_with(statement.name):
                            collect(pool.drain())  # DDL never overtakes the table's own INSERTs
                        self._run(ddl, statement)
                    if kind == "create_table":
                        tables[statement.name] = None
                    elif kind == "drop_table":
                        tables.pop(statement.name, None)
                elif kind in _REPLAYED:
                    # Created in the shadow once all data is in (a trigger must
                    # not fire on the dump's own rows), then again in the target.
                    statement.text = strip_definer(statement.text)
                    replay.append(statement)
                    if kind == "view":
                        views[statement.name] = None
                    elif kind == "drop_view":
                        views.pop(statement.name, None)
                else:
                    log.warning("RUN      unrecognised %s", statement.describe())
                    finish(current)
                    collect(pool.drain())
                    current = None
                    self._run(ddl, statement)
                now = time.monotonic()
                if self.on_progress is not None and now - progress_at > 0.2:
                    progress_at = now
                    self.on_progress(reader.offset, current)
            finish(current)
            collect(pool.drain())
            for alter in deferred.values():  # tables without INSERTs
                self._run(ddl, alter)
            if constraints:
                # Every table has its rows and keys now; with foreign_key_checks=0
                # ADD FOREIGN KEY checks no row (a metadata change).
                self._execute(ddl, "SET SESSION foreign_key_checks = 0")
                for alter in constraints.values():
                    self._run(ddl, alter)
            if pool.load_data_refused is not None:
                log.warning("ROWS     the server refused LOAD DATA LOCAL INFILE (%s); rows went as the dump's "
                            "INSERT statements", _server_message(pool.load_data_refused))
            self._replay_into(ddl, replay)
        except _LoadFailed as failed:
            raise FatalError(
                f"{name}: {failed.statement.describe()} failed: {_server_message(failed.error)}; "
                f"`{plan.target}` is unchanged"
            ) from None
        except DumpError as exc:
            raise FatalError(f"{exc}; `{plan.target}` is unchanged") from None
        finally:
            pool.close()
            for conn in (ddl, *inserters):
                conn.close()
            spill_dir.cleanup()
        if self.on_progress is not None:
            self.on_progress(reader.offset, None)
        return list(tables), list(views), replay, rows

    @staticmethod
    def _unqualify(statement: Statement, reader: DumpReader, databases, name: str) -> None:
        # mysqldump keeps a trigger's original text, which may say `src`.`t`:
        # the dumped database means the target; any other database is refused.
        if statement.schema not in ({reader.database} | databases) - {None}:
            raise DumpError(
                f"{name}: {statement.describe()} names database `{statement.schema}`, which is not the "
                "dumped database; the loader only writes into its target schema"
            )
        statement.text = unqualify(statement.text, statement.schema)
        statement.schema = None

    @staticmethod
    def _defer_keys(statement: Statement, deferred: Dict[str, Statement], constraints: Dict[str, Statement]) -> None:
        text, keys = defer_keys(statement.text, statement.name)
        if keys is None:
            return
        statement.text = text
        for alter, into in ((keys.keys_statement, deferred), (keys.foreign_keys_statement, constraints)):
            if alter is not None:
                into[statement.name] = Statement(statement.index, statement.offset, alter, "alter_table",
                                                 statement.name)

    def _replay_into(self, conn, replay: List[Statement]) -> None:
        if any(s.kind != "session" for s in replay):
            for statement in replay:
                self._run(conn, statement)

    def _run(self, conn, statement: Statement) -> None:
        try:
            with conn.cursor() as cur:
                cur.execute(statement.text)
        except pymysql.err.MySQLError as exc:
            raise _LoadFailed(statement, exc) from None

    def _verify(self, control, reader: DumpReader, name: str, tables: List[str], rows: Dict[str, int]) -> None:
        target = self.plan.target
        if reader.producer and not reader.completed:
            raise FatalError(
                f"{name}: the {reader.producer} header is there but the closing `-- Dump completed` line is "
                f"not (read {reader.offset} bytes): the dump is truncated; `{target}` is unchanged"
            )
        if not tables:
            raise FatalError(f"{name}: the dump creates no tables; `{target}` is unchanged")
        missing = [t for t in self.required_tables if t not in tables]
        if missing:
            raise FatalError(
                f"{name}: the dump lacks required tables {', '.join(missing)} (it has {', '.join(tables)}); "
                f"`{target}` is unchanged"
            )
        present = {
            row[0]: row[1]
            for row in self._rows(
                control,
                "SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = %s",
                (self.plan.shadow,),
            )
        }
        for table in tables:
            if present.get(table) != "BASE TABLE":
                raise FatalError(f"{name}: table `{table}` is missing after the load; `{target}` is unchanged")
            count = self._rows(control, f"SELECT COUNT(*) FROM {quote(self.plan.shadow)}.{quote(table)}")[0][0]
            if count != rows.get(table, 0):
                raise FatalError(
                    f"{name}: table `{table}` holds {count} rows but the dump carried {rows.get(table, 0)}; "
                    f"`{target}` is unchanged"
                )

    def _swap_plan(self, control, tables: List[str], views: List[str]) -> Tuple[List[str], List[str]]:
        """The statements of the swap, and the target tables they replace."""
        plan = self.plan
        statements = [
            f"CREATE DATABASE IF NOT EXISTS {quote(plan.target)} CHARACTER SET utf8mb4",
            f"DROP DATABASE IF EXISTS {quote(plan.previous)}",
            f"CREATE DATABASE {quote(plan.previous)} CHARACTER SET utf8mb4",
        ]
        existing = {
            row[0]: row[1]
            for row in self._rows(
                control,
                "SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = %s",
                (plan.target,),
            )
        }
        # A table with triggers cannot be renamed into another schema: drop the
        # triggers the dump replaces (it recreates its own after the swap).
        for schema in (plan.shadow, plan.target):
            for (trigger,) in self._rows(
                control,
                "SELECT trigger_name FROM information_schema.triggers "
                "WHERE trigger_schema = %s AND event_object_table IN (" + ",".join(["%s"] * len(tables)) + ")",
                (schema, *tables),
            ):
                statements.append(f"DROP TRIGGER {quote(schema)}.{quote(trigger)}")
        moves, replaced = [], []
        for table in sorted(set(tables) | set(views)):
            kind = existing.get(table)
            if kind == "BASE TABLE":
                moves.append(f"{quote(plan.target)}.{quote(table)} TO {quote(plan.previous)}.{quote(table)}")
                replaced.append(table)
            elif kind == "VIEW" and table in tables:
                # A view cannot be renamed into another schema either; the dump
                # replaces it with a table of the same name.
                statements.append(f"DROP VIEW {quote(plan.target)}.{quote(table)}")
        moves += [f"{quote(plan.shadow)}.{quote(t)} TO {quote(plan.target)}.{quote(t)}" for t in tables]
        # One RENAME TABLE statement with every move: atomic on MySQL and MariaDB.
        statements.append("RENAME TABLE " + ", ".join(moves))
        return statements, replaced

    def _swap(self, control, tables: List[str], views: List[str]) -> List[str]:
        statements, replaced = self._swap_plan(control, tables, views)
        for statement in statements:
            log.debug("SQL      %s", statement)
            self._execute(control, statement)
        log.info("SWAP     %d tables into %s (previous copies in %s)", len(tables), self.plan.target,
                 self.plan.previous)
        return replaced

    def dry_run(self, stream, name: str) -> List[str]:
        """Reads the whole dump and prints what a load would do; changes nothing."""
        reader = DumpReader(stream, name=name)
        tables: Dict[str, List[int]] = {}  # table -> [INSERT statements, bytes]
        views: Dict[str, None] = {}
        objects: List[str] = []
        for statement in reader:
            if statement.kind == "create_table":
                tables[statement.name] = [0, 0]
            elif statement.kind == "drop_table":
                tables.pop(statement.name, None)
            elif statement.kind == "insert" and statement.name in tables:
                tables[statement.name][0] += 1
                tables[statement.name][1] += len(statement.text)
            elif statement.kind == "view":
                views[statement.name] = None
            elif statement.kind == "drop_view":
                views.pop(statement.name, None)
            elif statement.kind in ("trigger", "routine") and statement.text.lstrip()[:6].upper() != b"DROP ":
                objects.append(f"{statement.kind} {statement.name}")
        complete = "complete" if not reader.producer or reader.completed else "TRUNCATED (no `-- Dump completed`)"
        log.info("PLAN     %s: %d statements, %d bytes, %s", name, reader.statements, reader.offset, complete)
        for table, (count, size) in tables.items():
            log.info("PLAN     table %-30s %6d INSERT statements, %12d bytes", table, count, size)
        for view in views:
            log.info("PLAN     view  %s", view)
        for item in objects:
            log.info("PLAN     %s", item)
        control = self._connect()
        try:
            statements, _ = self._swap_plan(control, list(tables), list(views)) if tables else ([], [])
        finally:
            control.close()
        for statement in statements:
            log.info("PLAN     after loading %s: %s", self.plan.shadow, statement)
        return statements

    def _replay(self, replay: List[Statement], name: str) -> int:
        objects = [s for s in replay if s.kind != "session"]
        if not objects:
            return 0
        conn = self._connect(self.plan.target)
        try:
            self._replay_into(conn, replay)
        except _LoadFailed as failed:
            raise FatalError(
                f"{name}: tables are swapped into `{self.plan.target}` but recreating "
                f"{failed.statement.describe()} there failed: {_server_message(failed.error)}"
            ) from None
        finally:
            conn.close()
        return len(objects)

    # -- plumbing --------------------------------------------------------------

    def _drop_shadow_quietly(self, control) -> None:
        try:
            self._execute(control, f"DROP DATABASE IF EXISTS {quote(self.plan.shadow)}")
        except pymysql.err.MySQLError as exc:
            log.warning("KEEP     shadow schema %s could not be dropped: %s", self.plan.shadow, exc)

    @staticmethod
    def _execute(conn, statement: str) -> None:
        with conn.cursor() as cur:
            cur.execute(statement)

    @staticmethod
    def _rows(conn, statement: str, params: Sequence = ()):
        with conn.cursor() as cur:
            cur.execute(statement, params)
            return cur.fetchall()


def load_source(source, settings: ConnectionSettings, target: str, show_progress: bool = True,
                dry_run: bool = False, **options) -> Optional[LoadResult]:
    """Streams a DumpSource (local or S3, plain or gzip) into `target`."""
    from .progress import ProgressBar

    with source.open() as dump:
        if dry_run:
            StagingLoader(settings, target, **options).dry_run(dump.stream, source.uri)
            return None
        bar = ProgressBar(source.size, lambda: dump.raw_position)
        if not show_progress:
            bar.enabled = False
        loader = StagingLoader(settings, target, on_progress=bar, **options)
        try:
            return loader.load(dump.stream, source.uri)
        finally:
            bar.finish()
