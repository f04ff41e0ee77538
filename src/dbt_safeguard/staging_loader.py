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
import errno
import glob
import logging
import os
import re
import shutil
import struct
import tempfile
import threading
import time
from typing import BinaryIO, Callable, Dict, List, Optional, Sequence, Tuple

import pymysql

from .connection import (
    ConnectionSettings,
    LockWaitBound,
    LockWaitExceeded,
    execute_bounded,
    named_lock,
    open_connection,
    quote,
    server_message,
    try_named_lock,
)
from .dump_plan import COLLATION_HINT, LIVE, SKIP, SYSTEM_SCHEMAS, DumpPlan, ServerProfile, parse_collation_map
from .dump_reader import (
    QUOTED_NAME,
    DumpError,
    DumpReader,
    Statement,
    strip_definer,
)
from .errors import FatalError, Interrupted
from .row_loader import DumpedValues, TableWriter, defer_keys, loadable_columns, local_infile_enabled

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
# The control connection drops whole schemas (a stale shadow, the previous
# copies): with foreign_key_checks on, DROP DATABASE fails with 1451 halfway
# (it is not atomic) when a table in it is a parent of another's foreign key.
CONTROL_SESSION = "SET SESSION foreign_key_checks = 0"
# The macros' plain-name rule (macros/naming/_identifiers.sql).
PLAIN_NAME = re.compile(r"[A-Za-z0-9_$]{1,64}")
SPILL_PREFIX = "safeguard-load-"
# One-row INSERTs of a table are merged up to this size (mariadb-dump's own
# extended INSERTs are about 1 MB: net_buffer_length).
MERGE_LIMIT = 1 << 20
# The plain head mysqldump writes, the only one merged: `INSERT INTO `t` [(cols)] VALUES (`.
MERGEABLE_INSERT = re.compile(rb"INSERT INTO " + QUOTED_NAME + rb" (?:\((?:" + QUOTED_NAME + rb", ?)*"
                              + QUOTED_NAME + rb"\) )?VALUES ?\(")
# The copies keeping dumped generated values, in the shadow schema only.
DUMPED_PREFIX = "_safeguard_dumped_"

_TABLE_DDL = ("create_table", "drop_table", "alter_table", "index")
_REPLAYED = ("view", "drop_view", "trigger", "drop_trigger", "routine", "drop_routine", "event", "drop_event")


def load_lock_name(target: str) -> str:
    """The server-side lock of loads into `target`."""
    return named_lock("safeguard_load_", target)


def check_schema_name(name: str, what: str = "schema") -> str:
    if not PLAIN_NAME.fullmatch(name or ""):
        raise FatalError(
            f"{what} {name!r} is not a plain name: use 1 to {MAX_IDENTIFIER} letters, digits, _ or $"
        )
    if name.lower() in SYSTEM_SCHEMAS:
        raise FatalError(f"{what} {name!r} is a system schema; the loader never writes into "
                         f"{', '.join(sorted(SYSTEM_SCHEMAS))}")
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
    stale: List[str] = dataclasses.field(default_factory=list)  # tables the dump no longer has (now in previous)
    evidence: Dict = dataclasses.field(default_factory=dict)  # DumpPlan.evidence(): completeness, per table

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


class LoadInterrupted(Interrupted):
    """Ctrl-C (SIGINT) during a load, after its clean-up: the message says what state the target is in."""


def _hint(error: BaseException) -> str:
    """What works, for the server errors a dump from another server version meets."""
    if isinstance(error, pymysql.err.MySQLError) and error.args and error.args[0] == 1273:
        return ("; map it to a collation the server has with --collation-map FROM=TO (repeatable), e.g. "
                f"--collation-map utf8mb4_0900_ai_ci=utf8mb4_unicode_ci; {COLLATION_HINT}")
    return ""


class _LoadFailed(Exception):
    def __init__(self, statement: Statement, error: BaseException):
        self.statement = statement
        self.error = error


class _Lane:
    """One table's INSERTs (and its later DDL), executed in order by one worker.

    Statements wait in memory while the lanes together hold less than the
    memory budget; beyond it they go to spill files on disk, so the parser can
    run ahead to the next table (and its worker start) without memory growing
    with the dump.
    """

    def __init__(self, table: str, session: List[Statement]):
        self.table = table
        # The dump's SETs so far (the state its INSERTs expect): the first
        # `session_end` of the parser's list, which only ever grows.
        self.session = session
        self.session_end = len(session)
        self.items: "collections.deque" = collections.deque()  # Statement or closed spill path
        self.closed = False
        self.spill: Optional[BinaryIO] = None
        self.spill_path: Optional[str] = None
        self.spilled = False
        self.rows = 0
        # One-row INSERTs (mysqldump --skip-extended-insert) are merged into
        # one statement per table until MERGE_LIMIT: one round trip and one
        # commit instead of one per row.
        self.tail: Optional[Statement] = None
        self.tail_head = b""
        self.tail_values: List[bytes] = []
        self.tail_size = 0


_RECORD = struct.Struct("<qqIB")  # index, offset, text length, kind
_KINDS = ("insert", "session", "transaction", "create_table", "drop_table", "alter_table", "index")


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
        self.generated: Dict[str, List[str]] = {}  # table -> its generated columns (warning 1906 accepted)
        self.dumped: Dict[str, DumpedValues] = {}  # table -> the copy keeping its dumped generated values
        self.uncomparable: set = set()  # tables whose copy missed an INSERT it could not rewrite
        self.load_data_refused: Optional[BaseException] = None
        self.spill_dir = spill_dir
        self.memory_budget = memory_budget
        self.memory = 0
        self.lanes: Dict[str, _Lane] = {}  # open lanes: the parser may still add to them
        self.finished: List[_Lane] = []
        self.pending: "collections.deque[_Lane]" = collections.deque()
        self.running: List[_Lane] = []
        self.failure: Optional[BaseException] = None
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
        lane = self.lanes.get(table)  # only this (the parsing) thread changes self.lanes
        if lane is None:
            with self.cond:
                lane = self.lanes[table] = _Lane(table, session)
                self.pending.append(lane)
                self.cond.notify_all()
        head = self._mergeable(statement)
        if head is not None and lane.tail is not None and head == lane.tail_head \
                and lane.tail_size + len(statement.text) <= MERGE_LIMIT:
            lane.tail_values.append(statement.text[len(head):])
            lane.tail_size += len(statement.text) - len(head) + 1
            return
        self._flush(lane)
        if head is not None:
            lane.tail, lane.tail_head, lane.tail_values = statement, head, [statement.text[len(head):]]
            lane.tail_size = len(statement.text)
            return
        self._enqueue(lane, statement)

    @staticmethod
    def _mergeable(statement: Statement) -> Optional[bytes]:
        """The head (`INSERT INTO `t` VALUES `) of an INSERT that can merge with the next, else None."""
        if statement.kind != "insert" or not statement.literal or len(statement.text) > MERGE_LIMIT // 4:
            return None
        head = MERGEABLE_INSERT.match(statement.text)
        if head is None or not statement.text.endswith(b")"):
            return None
        return statement.text[:head.end() - 1]

    def _flush(self, lane: _Lane) -> None:
        tail = lane.tail
        if tail is None:
            return
        if len(lane.tail_values) > 1:
            tail = Statement(tail.index, tail.offset, lane.tail_head + b",".join(lane.tail_values), tail.kind,
                             tail.name, literal=True)
        lane.tail, lane.tail_values = None, []
        self._enqueue(lane, tail)

    def _enqueue(self, lane: _Lane, statement: Statement) -> None:
        with self.cond:
            if not lane.spilled and self.memory + len(statement.text) <= self.memory_budget:
                lane.items.append(statement)
                self.memory += len(statement.text)
                self.cond.notify_all()
                return
            lane.spilled = True
        self._spill(lane, statement)

    def _spill(self, lane: _Lane, statement: Statement) -> None:
        try:
            if lane.spill is None:
                self.segments += 1
                lane.spill_path = os.path.join(self.spill_dir, f"segment-{self.segments}")
                lane.spill = open(lane.spill_path, "wb")
            lane.spill.write(
                _RECORD.pack(statement.index, statement.offset, len(statement.text), _KINDS.index(statement.kind))
            )
            lane.spill.write(statement.text)
        except OSError as exc:
            raise SpillFailed(self.spill_dir, exc) from None
        if lane.spill.tell() >= self.SPILL_SEGMENT:
            self._seal(lane)

    def _seal(self, lane: _Lane) -> None:
        if lane.spill is None:
            return
        try:
            lane.spill.close()
        except OSError as exc:  # the buffered end of the segment did not fit
            raise SpillFailed(self.spill_dir, exc) from None
        with self.cond:
            lane.items.append(lane.spill_path)
            self.cond.notify_all()
        lane.spill = lane.spill_path = None

    def finish(self, table: Optional[str]) -> None:
        """The parser has moved past `table`: its worker may finish it and take another."""
        lane = self.lanes.pop(table, None) if table is not None else None
        if lane is None:
            return
        self._flush(lane)
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
                try:
                    lane.spill.close()
                except OSError:
                    pass  # a full spill disk: the load is failing already, and the directory goes
        for thread in self.threads:
            thread.join(timeout=10)

    # -- worker side ---------------------------------------------------------------

    def _work(self, conn) -> None:
        scratch = os.path.join(self.spill_dir, f"rows-{threading.get_ident()}")
        # The dump's SETs this connection has run: a later lane runs only the
        # ones after them (mariadb-dump writes three SETs per table, so
        # replaying all of them for each of 300 tables is some 140,000 round trips).
        applied = 0
        while True:
            with self.cond:
                while not self.pending and not self.stopping:
                    self.cond.wait()
                if self.stopping:
                    return
                lane = self.pending.popleft()
                self.running.append(lane)
            writer = TableWriter(conn, lane.table, lane.table in self.load_data_tables, scratch,
                                 self.dumped.get(lane.table), self.generated.get(lane.table, ()))
            try:
                for statement in lane.session[applied:lane.session_end]:
                    self._execute(lane, writer, statement)
                applied = max(applied, lane.session_end)
                self._run_lane(lane, writer)
                # In case the dump turned autocommit off and never committed.
                writer.execute(b"COMMIT", is_insert=False)
            except BaseException as failed:  # noqa: BLE001 - handed to the parsing thread, which raises it
                # The load stops either way; a _LoadFailed becomes one clean
                # line there, any other exception keeps its traceback.
                with self.cond:
                    if self.failure is None:
                        self.failure = failed
            finally:
                writer.close()
                if lane.table in self.dumped and writer.dumped is None:
                    self.uncomparable.add(lane.table)
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
        except (pymysql.err.MySQLError, OSError) as exc:
            # The server's refusal, or the row file LOAD DATA reads (a full
            # spill disk): reported with the statement that failed. Anything
            # else is a bug and reaches the caller as itself (_work).
            raise _LoadFailed(statement, exc) from None
        if statement.kind == "insert":
            lane.rows += affected


class SpillFailed(FatalError):
    """The spill directory (TMPDIR or --spill-dir) cannot take more: full, or not writable."""

    def __init__(self, directory: str, error: OSError):
        self.directory = directory
        self.error = error
        full = error.errno in (errno.ENOSPC, errno.EDQUOT)
        why = "is full" if full else "cannot be written"
        super().__init__(
            f"the spill directory {directory} {why} ({error.strerror or error}): statements waiting for a worker "
            "and the rows LOAD DATA reads go there; point --spill-dir (or TMPDIR) at a disk with room, up to the "
            "size of the uncompressed dump"
        )


class _ShadowLoad:
    """One pass over the dump into the shadow schema: each admitted statement
    goes to its place (a table's lane, the DDL connection, the list of
    objects replayed after the data); returns (replay, rows per table)."""

    def __init__(self, loader: "StagingLoader", reader: DumpReader, dump: DumpPlan, ddl, pool: "_LanePool",
                 load_data: bool):
        self.loader = loader
        self.reader = reader
        self.dump = dump
        self.ddl = ddl
        self.pool = pool
        self.load_data = load_data
        self.rows: Dict[str, int] = {}
        self.session: List[Statement] = []  # the dump's SETs so far
        self.replay: List[Statement] = []  # SETs, views, triggers and routines, in dump order
        self.live_from = 0  # replay[:live_from] already runs in the shadow (triggers gone live)
        self.current: Optional[str] = None  # the table whose INSERTs came last
        self.deferred: Dict[str, Statement] = {}  # table -> ALTER TABLE adding its secondary keys
        self.constraints: Dict[str, Statement] = {}  # table -> ALTER TABLE adding its foreign keys, run last
        self.progress_at = 0.0

    def run(self) -> Tuple[List[Statement], Dict[str, int]]:
        on_progress = self.loader.on_progress
        for statement in self.reader:
            action = self.dump.admit(statement)
            kind = statement.kind
            if action == SKIP:
                self._skipped(statement)
            elif kind == "insert":
                self._insert(statement, action)
            elif kind in ("session", "transaction"):
                self._session(statement)
            elif kind in _TABLE_DDL:
                self._table_ddl(statement)
            elif kind in _REPLAYED:
                # Created in the shadow once all data is in (a trigger must
                # not fire on the dump's own rows), then again in the target.
                statement.text = strip_definer(statement.text)
                self.replay.append(statement)
            now = time.monotonic()
            if on_progress is not None and now - self.progress_at > 0.2:
                self.progress_at = now
                on_progress(self.reader.offset, self.current)
        self._after_data()
        if on_progress is not None:
            on_progress(self.reader.offset, None)
        return self.replay, self.rows

    def _finish(self, table: Optional[str]) -> None:
        # The parser is past `table`: its keys go last in its lane.
        if table in self.deferred:
            self.pool.submit(table, self.deferred.pop(table), self.session)
        self.pool.finish(table)

    def _collect(self) -> None:
        for lane in self.pool.drain():
            self.rows[lane.table] = self.rows.get(lane.table, 0) + lane.rows

    def _skipped(self, statement: Statement) -> None:
        # USE / CREATE DATABASE are redirected to the shadow schema;
        # LOCK TABLES would serialise the parallel loads.
        if statement.kind == "create_database" and self.dump.charset:
            # Routines take their parameters' charset from the schema's.
            self.loader._execute(self.ddl, f"ALTER DATABASE {quote(self.loader.plan.shadow)} "
                                           f"{self.loader._charset_clause(self.dump)}")

    def _insert(self, statement: Statement, action: str) -> None:
        if action == LIVE:
            # A raw script wrote rows after defining a trigger on their
            # table: run the triggers (and what they may call) now, as the
            # mariadb client would.
            self._finish(self.current)
            self._collect()
            self.current = None
            self.loader._replay_into(self.ddl, self.replay[self.live_from:])
            self.live_from = len(self.replay)
        if statement.name != self.current:
            self._finish(self.current)
            self.current = statement.name
        self.pool.submit(self.current, statement, self.session)

    def _session(self, statement: Statement) -> None:
        # `mysqldump --no-autocommit` wraps each table's INSERTs in
        # SET autocommit=0 ... COMMIT: both belong to that table's lane.
        self.loader._run(self.ddl, statement)
        if statement.kind == "session":
            self.session.append(statement)
            self.replay.append(statement)
        if self.current is not None:
            self.pool.submit(self.current, statement, self.session)

    def _table_ddl(self, statement: Statement) -> None:
        kind, pool = statement.kind, self.pool
        names = [statement.name, *(n for _, n in statement.others)]
        if statement.name != self.current or len(names) > 1:
            self._finish(self.current)
            self.current = None
        if kind == "create_table" and self.loader.defer_keys:
            self.loader._defer_keys(statement, self.deferred, self.constraints)
        elif kind == "drop_table":
            for table in names:
                self.deferred.pop(table, None)
                self.constraints.pop(table, None)
                pool.generated.pop(table, None)
                pool.dumped.pop(table, None)
        if kind == "create_table" and self.load_data and self.reader.producer and loadable_columns(statement.text):
            pool.load_data_tables.add(statement.name)
        elif kind in ("create_table", "drop_table"):
            for table in names:
                pool.load_data_tables.discard(table)
        if len(names) == 1 and pool.lane(statement.name) is not None:
            # e.g. ALTER TABLE t ENABLE KEYS: after t's INSERTs, on t's connection.
            pool.submit(statement.name, statement, self.session)
            return
        if any(pool.busy_with(table) for table in names):
            self._collect()  # DDL never overtakes the table's own INSERTs
        self.loader._run(self.ddl, statement)
        if kind == "create_table":
            self._plan_generated(statement)

    def _plan_generated(self, statement: Statement) -> None:
        """A table with generated columns: MariaDB recomputes their dumped
        values (warning 1906); a copy with plain columns keeps the dumped
        ones, so the rows where they differ can be counted after the data."""
        generated = self.dump.generated.get(statement.name)
        if not generated:
            return
        self.pool.generated[statement.name] = generated
        copy = DumpedValues.plan(statement.text, statement.name, f"{DUMPED_PREFIX}{statement.index}")
        if copy is None:
            log.info("GENERATED table %s: generated columns %s are recomputed by the server; without a primary "
                     "key the dumped values are not compared", statement.name, ", ".join(generated))
            return
        self.loader._run(self.ddl, Statement(statement.index, statement.offset, copy.create, "create_table",
                                             copy.name))
        self.pool.dumped[statement.name] = copy

    def _after_data(self) -> None:
        self._finish(self.current)
        self._collect()
        for alter in self.deferred.values():  # tables without INSERTs
            self.loader._run(self.ddl, alter)
        if self.constraints:
            # Every table has its rows and keys now; with foreign_key_checks=0
            # ADD FOREIGN KEY checks no row (a metadata change).
            self.loader._execute(self.ddl, "SET SESSION foreign_key_checks = 0")
            for alter in self.constraints.values():
                self.loader._run(self.ddl, alter)
        self._compare_generated()
        if self.pool.load_data_refused is not None:
            log.warning("ROWS     the server refused LOAD DATA LOCAL INFILE (%s); rows went as the dump's "
                        "INSERT statements", server_message(self.pool.load_data_refused))
        self.loader._replay_into(self.ddl, self.replay[self.live_from:])

    def _compare_generated(self) -> None:
        shadow = self.loader.plan.shadow
        for table, copy in self.pool.dumped.items():
            if table not in self.pool.uncomparable:
                differ = self.loader._rows(self.ddl, copy.differences(shadow))[0][0]
                if differ:
                    log.warning("GENERATED table %s: %d rows where the server's recomputed %s differs from the "
                                "dumped value; the server's values are kept, as in the mariadb client's load",
                                table, differ, ", ".join(copy.generated))
            self.loader._execute(self.ddl, f"DROP TABLE IF EXISTS {quote(shadow)}.{quote(copy.name)}")


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
        trust_incomplete: bool = False,
        lock_wait: LockWaitBound = LockWaitBound(),
        load_data: bool = True,
        collation_map: Sequence[str] = (),
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
        self.trust_incomplete = trust_incomplete
        self.lock_wait = lock_wait.validated()
        self.load_data = load_data
        self.collation_map = list(collation_map)
        parse_collation_map(self.collation_map)  # a malformed pair fails before any connection

    def _read_plan(self, control, reader: DumpReader, name: str) -> DumpPlan:
        """The plan of the dump, for the load and the dry run alike: the same server facts, the same map."""
        server = ServerProfile.read(control)
        # The shadow and previous schemas are the loader's own, whether they exist yet or not.
        server.schemas = server.schemas | {self.plan.shadow.lower(), self.plan.previous.lower()}
        return DumpPlan(reader, name, self.plan.target, server, parse_collation_map(self.collation_map, server))

    def _connect(self, database: Optional[str] = None, **kwargs):
        return open_connection(self.settings, database, max_allowed_packet=CLIENT_MAX_PACKET, **kwargs)

    def load(self, stream, name: str) -> LoadResult:
        started = time.monotonic()
        plan = self.plan
        control = self._connect()
        try:
            # Before anything else: a refused load must not touch the shadow
            # schema, which belongs to the load holding the lock.
            self._acquire_lock(control)
        except BaseException:
            control.close()
            raise
        step = "preparing the shadow schema"
        try:
            try:
                self._execute(control, CONTROL_SESSION)
                self._remove_stale_spill_dirs()
                reader = DumpReader(stream, name=name)
                dump = self._read_plan(control, reader, name)
                # A killed load's statements keep running server-side, holding their locks.
                execute_bounded(control, f"DROP DATABASE IF EXISTS {quote(plan.shadow)}", self.lock_wait)
                # The server's default charset, as the client's CREATE DATABASE
                # gets; the dump's own CREATE DATABASE ... CHARACTER SET alters it.
                self._execute(control, f"CREATE DATABASE {quote(plan.shadow)}")
                log.info("LOAD     %s into shadow schema %s", name, plan.shadow)
                step = "loading the shadow schema"
                replay, rows = self._load_shadow(reader, dump)
                step = "verifying the shadow schema"
                completeness = self._verify(control, dump, name, rows)
                step = f"the swap into `{plan.target}`"
                swapped, stale = self._swap(control, dump)
                step = "recreating views, triggers and routines"
                replayed = self._replay(replay, name)
                step = "dropping the shadow schema"
                self._execute(control, f"DROP DATABASE IF EXISTS {quote(plan.shadow)}")
                if not self.keep_previous:
                    self._execute(control, f"DROP DATABASE IF EXISTS {quote(plan.previous)}")
            except BaseException:
                self._drop_shadow_quietly(control)
                raise
        except DumpError as exc:
            raise FatalError(f"{exc}; `{plan.target}` is unchanged") from None
        except SpillFailed as exc:
            raise FatalError(f"{name}: {exc}; `{plan.target}` is unchanged") from None
        except _LoadFailed as failed:
            if isinstance(failed.error, OSError):  # the row file LOAD DATA reads, in the spill directory
                spill = SpillFailed(self.spill_dir or tempfile.gettempdir(), failed.error)
                raise FatalError(f"{name}: {spill}; `{plan.target}` is unchanged") from None
            raise FatalError(
                f"{name}: {failed.statement.describe()} failed: {server_message(failed.error)}"
                f"{_hint(failed.error)}; `{plan.target}` is unchanged"
            ) from None
        except LockWaitExceeded as exc:
            raise FatalError(
                f"{name}: {step}: {exc.describe()}; `{plan.target}` is unchanged; end those transactions or "
                "raise --lock-wait-total"
            ) from None
        except (pymysql.err.MySQLError, KeyboardInterrupt) as exc:
            done = step in ("recreating views, triggers and routines", "dropping the shadow schema")
            state = f"the tables are swapped into `{plan.target}`" if done else f"`{plan.target}` is unchanged"
            if isinstance(exc, KeyboardInterrupt):
                raise LoadInterrupted(f"{name}: interrupted while {step}; {state}") from None
            raise FatalError(f"{name}: {step} failed: {server_message(exc)}; {state}") from None
        finally:
            control.close()
        result = LoadResult(
            target=plan.target,
            tables={table: seen.rows or 0 for table, seen in dump.tables.items()},
            views=sorted(dump.views),
            replayed=replayed,
            bytes=reader.offset,
            duration=time.monotonic() - started,
            swapped=swapped,
            stale=stale,
            evidence=dump.evidence(completeness),
        )
        log.info(
            "LOADED   %d tables, %d rows, %d views into %s in %.1fs (complete: %s)",
            len(result.tables), result.rows, len(result.views), plan.target, result.duration, completeness,
        )
        return result

    # -- steps -----------------------------------------------------------------

    def _acquire_lock(self, control) -> None:
        lock = load_lock_name(self.plan.target)
        holder = try_named_lock(control, lock)
        if holder is not None:
            raise FatalError(
                f"another load into `{self.plan.target}` is running (lock {lock} is held by connection {holder}); "
                "nothing was changed, try again when it has finished"
            )

    def _spill_prefix(self) -> str:
        # One prefix per target: under the target's lock, every directory with
        # it belongs to a load that is no longer running.
        return SPILL_PREFIX + load_lock_name(self.plan.target)[len("safeguard_load_"):] + "-"

    def _remove_stale_spill_dirs(self) -> None:
        pattern = os.path.join(self.spill_dir or tempfile.gettempdir(), glob.escape(self._spill_prefix()) + "*")
        for path in glob.glob(pattern):
            log.info("DROP     stale spill directory %s (left by a killed load)", path)
            shutil.rmtree(path, ignore_errors=True)

    def _load_shadow(self, reader: DumpReader, dump: DumpPlan):
        ddl = self._connect(self.plan.shadow)
        # pymysql sends a LOAD DATA LOCAL file only on a connection opened with local_infile.
        inserters = [self._connect(self.plan.shadow, local_infile=True) for _ in range(self.workers)]
        spill_dir = None
        pool = None
        try:
            for conn in (ddl, *inserters):
                self._execute(conn, LOAD_SESSION)
            load_data = self.load_data and local_infile_enabled(ddl)
            if self.load_data and not load_data:
                log.info("ROWS     local_infile is OFF on the server: rows go as the dump's INSERT statements "
                         "(same tables, slower)")
            spill_dir = self._spill_directory()
            pool = _LanePool(inserters, spill_dir.name, self.memory_budget)
            return _ShadowLoad(self, reader, dump, ddl, pool, load_data).run()
        finally:
            if pool is not None:
                pool.close()
            for conn in (ddl, *inserters):
                conn.close()
            if spill_dir is not None:
                spill_dir.cleanup()

    def _spill_directory(self) -> tempfile.TemporaryDirectory:
        try:
            return tempfile.TemporaryDirectory(prefix=self._spill_prefix(), dir=self.spill_dir)
        except OSError as exc:
            raise SpillFailed(self.spill_dir or tempfile.gettempdir(), exc) from None

    @staticmethod
    def _charset_clause(dump: DumpPlan) -> str:
        """The dump's CREATE DATABASE charset and collation; empty without one: the server's default, as the
        `mariadb` client's CREATE DATABASE gets."""
        # Both come from \w+ matches of the dump's CREATE DATABASE.
        clause = f"CHARACTER SET {dump.charset}" if dump.charset else ""
        return clause + (f" COLLATE {dump.collation}" if dump.collation else "")

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
        """Creates views, triggers and routines in the shadow (which validates them).

        Events are left for the target: a scheduled event created in the
        shadow could change its tables between the verification and the swap.
        """
        if any(s.kind != "session" for s in replay):
            for statement in replay:
                if statement.kind not in ("event", "drop_event"):
                    self._run(conn, statement)

    def _run(self, conn, statement: Statement) -> None:
        try:
            with conn.cursor() as cur:
                cur.execute(statement.text)
        except pymysql.err.MySQLError as exc:
            raise _LoadFailed(statement, exc) from None

    def _verify(self, control, dump: DumpPlan, name: str, rows: Dict[str, int]) -> str:
        """The dump is complete and the shadow holds what it carried; returns how completeness was established."""
        completeness = dump.check_complete(self.required_tables, self.trust_incomplete)
        shadow = self.plan.shadow
        present = {
            row[0]: row[1]
            for row in self._rows(
                control,
                "SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = %s",
                (shadow,),
            )
        }
        for table, evidence in dump.tables.items():
            if present.get(table) != "BASE TABLE":
                raise DumpError(f"{name}: table `{table}` is missing after the load")
            count = self._rows(control, f"SELECT COUNT(*) FROM {quote(shadow)}.{quote(table)}")[0][0]
            carried = rows.get(table, 0)
            evidence.rows = count
            # Triggers that ran during the load (a raw script's order) add rows of their own.
            if count != carried and not (dump.live_triggers and count > carried):
                raise DumpError(f"{name}: table `{table}` holds {count} rows but the dump carried {carried}")
        # The plan refused foreign keys to tables the dump does not create by
        # reading their REFERENCES; the shadow's own catalogue has the last word.
        for table, constraint, schema, parent in self._rows(
            control,
            "SELECT DISTINCT table_name, constraint_name, referenced_table_schema, referenced_table_name "
            "FROM information_schema.key_column_usage "
            "WHERE table_schema = %s AND referenced_table_name IS NOT NULL ORDER BY table_name, constraint_name",
            (shadow,),
        ):
            if schema != shadow or parent not in dump.tables:
                raise DumpError(
                    f"{name}: table `{table}` has foreign key `{constraint}` to `{parent}`, which the dump does not "
                    f"create (tables: {', '.join(dump.tables)})"
                )
        return completeness

    def _swap_plan(self, control, dump: DumpPlan):
        """(the statements of the swap, the target tables they replace, the stale tables they move out,
        the statements that recreate what the swap drops from the target before its RENAME)."""
        plan = self.plan
        tables, views = list(dump.tables), list(dump.views)
        charset = self._charset_clause(dump)
        statements = [f"CREATE DATABASE IF NOT EXISTS {quote(plan.target)}" + (f" {charset}" if charset else "")]
        current = self._rows(
            control,
            "SELECT default_character_set_name, default_collation_name FROM information_schema.schemata "
            "WHERE schema_name = %s",
            (plan.target,),
        )
        if dump.charset and current and current[0][0].lower() != dump.charset.lower():
            statements.append(f"ALTER DATABASE {quote(plan.target)} {charset}")
        statements += [
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
        # Tables of yesterday's dump that today's does not define must not stay
        # live with yesterday's data: they move to the previous schema in the
        # same RENAME (a child whose parent is gone follows it there).
        stale = sorted(t for t, kind in existing.items() if kind == "BASE TABLE" and t not in dump.tables)
        self._refuse_stale_code(control, dump)
        self._refuse_outside_references(control)
        moving = tables + stale
        restore: List[Tuple[str, bytes]] = []
        # A table with triggers cannot be renamed into another schema: drop the
        # triggers the dump replaces (it recreates its own after the swap).
        for schema in (plan.shadow, plan.target):
            for (trigger,) in self._rows(
                control,
                "SELECT trigger_name FROM information_schema.triggers "
                "WHERE trigger_schema = %s AND event_object_table IN (" + ",".join(["%s"] * len(moving)) + ")",
                (schema, *moving),
            ):
                if schema == plan.target:
                    restore.append(self._show_create(control, "TRIGGER", trigger))
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
                restore.append(self._show_create(control, "VIEW", table))
                statements.append(f"DROP VIEW {quote(plan.target)}.{quote(table)}")
        moves += [f"{quote(plan.target)}.{quote(t)} TO {quote(plan.previous)}.{quote(t)}" for t in stale]
        moves += [f"{quote(plan.shadow)}.{quote(t)} TO {quote(plan.target)}.{quote(t)}" for t in tables]
        # One RENAME TABLE statement with every move: atomic on MySQL and MariaDB.
        statements.append("RENAME TABLE " + ", ".join(moves))
        return statements, replaced, stale, restore

    def _refuse_stale_code(self, control, dump: DumpPlan) -> None:
        """Routines and events cannot move by RENAME: ones the dump no longer defines are refused, listed."""
        target = self.plan.target
        defined = set(dump.routines)
        stale = [
            f"{kind} {quote(target)}.{quote(routine)}"
            for kind, routine in self._rows(
                control,
                "SELECT routine_type, routine_name FROM information_schema.routines WHERE routine_schema = %s "
                "ORDER BY routine_type, routine_name",
                (target,),
            )
            if f"{kind} {routine}" not in defined
        ]
        stale += [
            f"EVENT {quote(target)}.{quote(event)}"
            for (event,) in self._rows(
                control, "SELECT event_name FROM information_schema.events WHERE event_schema = %s ORDER BY 1",
                (target,),
            )
            if event not in dump.events
        ]
        if stale:
            raise DumpError(
                f"{dump.name}: `{target}` holds routines or events that the dump no longer defines, and they would "
                f"stay live with yesterday's logic: {', '.join(stale)}; drop them (DROP {stale[0]}) or keep them "
                "in the dump"
            )

    def _refuse_outside_references(self, control) -> None:
        """A foreign key from another schema into the target would follow its parent to the previous schema."""
        plan = self.plan
        found = self._rows(
            control,
            "SELECT constraint_schema, table_name, constraint_name, referenced_table_name "
            "FROM information_schema.referential_constraints "
            "WHERE unique_constraint_schema = %s AND constraint_schema NOT IN (%s, %s, %s) ORDER BY 1, 2, 3",
            (plan.target, plan.target, plan.shadow, plan.previous),
        )
        if found:
            schema, table, constraint, parent = found[0]
            raise FatalError(
                f"`{schema}`.`{table}` has foreign key `{constraint}` to `{plan.target}`.`{parent}`: the swap would "
                f"re-point it to `{plan.previous}`; drop that key (it is one of {len(found)}); "
                f"`{plan.target}` is unchanged"
            )

    def _show_create(self, control, kind: str, name: str) -> Tuple[str, bytes]:
        """(sql_mode, statement) that recreates a trigger or view of the target."""
        row = self._rows(control, f"SHOW CREATE {kind} {quote(self.plan.target)}.{quote(name)}")[0]
        if kind == "VIEW":
            return "", strip_definer(row[1].encode())
        return row[1], strip_definer(row[2].encode())

    def _swap(self, control, dump: DumpPlan) -> Tuple[List[str], List[str]]:
        plan = self.plan
        statements, replaced, stale, restore = self._swap_plan(control, dump)
        for statement in statements:
            log.debug("SQL      %s", statement)
            try:
                execute_bounded(control, statement, self.lock_wait)
            except LockWaitExceeded:
                self._restore_dropped(restore)
                raise
        new = len(dump.tables) - len(replaced)
        detail = f"{len(replaced)} replaced, {new} new"
        if stale:
            detail += f"; {len(stale)} no longer in the dump moved out: {', '.join(stale)}"
        where = f"previous copies in {plan.previous}" if replaced or stale else f"nothing moved to {plan.previous}"
        log.info("SWAP     %d tables into %s: %s (%s)", len(dump.tables), plan.target, detail, where)
        return replaced, stale

    def _restore_dropped(self, restore: List[Tuple[str, bytes]]) -> None:
        """The swap gave up: recreate the target's triggers and views dropped before its RENAME."""
        if not restore:
            return
        conn = self._connect(self.plan.target)
        lost = []
        try:
            for sql_mode, text in restore:
                try:
                    if sql_mode:
                        self._rows(conn, "SET SESSION sql_mode = %s", (sql_mode,))
                    execute_bounded(conn, text.decode("utf-8", "replace"), self.lock_wait)
                except pymysql.err.MySQLError as exc:
                    if exc.args[0] not in (1050, 1359):  # 1050/1359: still there, it was never dropped
                        lost.append(f"{text[:80]!r}: {server_message(exc)}")
                except LockWaitExceeded as exc:
                    lost.append(f"{text[:80]!r}: {exc.describe()}")
        finally:
            conn.close()
        if lost:
            raise FatalError(
                f"the swap into `{self.plan.target}` gave up on its locks and its tables are unchanged, but "
                f"recreating what it had dropped failed: {'; '.join(lost)}"
            )

    def dry_run(self, stream, name: str) -> List[str]:
        """Reads the whole dump through the load's own checks and prints what a load would do; changes nothing."""
        reader = DumpReader(stream, name=name)
        control = self._connect()
        try:
            dump = self._read_plan(control, reader, name)
            live = []
            for statement in reader:
                if dump.admit(statement) == LIVE:
                    live.append(statement.describe())
            completeness = dump.check_complete(self.required_tables, self.trust_incomplete)
            statements = self._swap_plan(control, dump)[0]
        except DumpError as exc:
            raise FatalError(f"{exc}; dry run, nothing was changed") from None
        finally:
            control.close()
        log.info("PLAN     %s: %d statements, %d bytes, complete (%s)", name, reader.statements, reader.offset,
                 completeness)
        for table, evidence in dump.tables.items():
            log.info("PLAN     table %-30s %6d INSERT statements, %12d bytes", table, evidence.inserts,
                     evidence.bytes)
        for kind, item in dump.describe_objects():
            log.info("PLAN     %-7s %s", kind, item)
        for where in live:
            log.info("PLAN     triggers go live before %s (the script writes rows after defining them)", where)
        for statement in statements:
            log.info("PLAN     after loading %s: %s", self.plan.shadow, statement)
        return statements

    def _replay(self, replay: List[Statement], name: str) -> int:
        objects = [s for s in replay if s.kind != "session"]
        if not objects:
            return 0
        conn = self._connect(self.plan.target)
        statement = None
        try:
            # A trigger or view of a table a reader holds waits for its
            # metadata lock, and new readers queue behind it: bounded too.
            for statement in replay:
                execute_bounded(conn, statement.text, self.lock_wait)
        except pymysql.err.MySQLError as exc:
            raise FatalError(
                f"{name}: tables are swapped into `{self.plan.target}` but recreating "
                f"{statement.describe()} there failed: {server_message(exc)}"
            ) from None
        except LockWaitExceeded as exc:
            raise FatalError(
                f"{name}: tables are swapped into `{self.plan.target}` but recreating {statement.describe()} "
                f"there {exc.describe()}"
            ) from None
        finally:
            conn.close()
        return len(objects)

    # -- plumbing --------------------------------------------------------------

    def _drop_shadow_quietly(self, control) -> None:
        try:
            self._execute(control, CONTROL_SESSION)
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
