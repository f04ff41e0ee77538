"""Ways to hit a precise point of the pipeline, and the faults to inject there.

A point is found on the server, not by sleeping: `wait_for_statement` polls
information_schema.processlist until the statement of interest is running,
and `RowLock` / `MetadataLock` hold the next statement back so that the
window between two statements stays open until the fault is injected.
"""
from __future__ import annotations

import dataclasses
import os
import re
import signal
import subprocess
import threading
import time
from typing import List, Optional, Sequence, Tuple

import pymysql

from dbt_safeguard.connection import ConnectionSettings

POLL_SECONDS = 0.005


class PointNotReached(AssertionError):
    """The pipeline never reached the point of interest within the bound."""


@dataclasses.dataclass
class Statement:
    id: int
    user: str
    db: Optional[str]
    state: Optional[str]
    info: str
    seconds: float


def running_statements(conn, pattern: str, exclude_ids: Sequence[int] = ()) -> List[Statement]:
    """Statements whose text matches `pattern` (a Python regex, case-insensitive).

    SHOW FULL PROCESSLIST, not information_schema.processlist: polling the
    latter every few milliseconds crashed MariaDB 10.11.19 (signal 11 in
    ha_maria::drop_table freeing the I_S temporary table), while dbt and the
    package ran their own processlist queries."""
    with conn.cursor() as cur:
        cur.execute("SHOW FULL PROCESSLIST")
        rows = cur.fetchall()
        own = conn.thread_id()
    regex = re.compile(pattern, re.IGNORECASE | re.DOTALL)
    # Id, User, Host, db, Command, Time, State, Info[, Progress]
    return [Statement(int(r[0]), r[1], r[3], r[6], r[7], float(r[5] or 0)) for r in rows
            if r[7] and int(r[0]) != own and regex.search(r[7]) and int(r[0]) not in exclude_ids]


def wait_for_statement(settings: ConnectionSettings, pattern: str, timeout: float = 120.0,
                       process: Optional[subprocess.Popen] = None) -> Statement:
    """The first statement matching `pattern` seen in the processlist (polled
    every few milliseconds; hold the statement back with a lock when it is
    too quick to be seen)."""
    conn = settings.connect()
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            try:
                found = running_statements(conn, pattern)
            except pymysql.err.OperationalError as exc:
                raise PointNotReached(f"the server went away while waiting for /{pattern}/: {exc}"
                                      " (see fault-server-error.log in the pytest basetemp)") from exc
            if found:
                return found[0]
            if process is not None and process.poll() is not None:
                raise PointNotReached(f"the process ended (exit {process.returncode}) before /{pattern}/ ran")
            time.sleep(POLL_SECONDS)
    finally:
        conn.close()
    raise PointNotReached(f"no statement matching /{pattern}/ within {timeout:.0f}s")


def wait_until_gone(settings: ConnectionSettings, connection_ids: Sequence[int], timeout: float = 120.0) -> float:
    """Seconds until none of `connection_ids` exists any more (their statements
    run on after a client is SIGKILLed)."""
    started = time.monotonic()
    if not connection_ids:
        return 0.0
    conn = settings.connect()
    try:
        while time.monotonic() - started < timeout:
            with conn.cursor() as cur:
                cur.execute(
                    "SELECT COUNT(*) FROM information_schema.processlist WHERE id IN ("
                    + ", ".join(str(int(i)) for i in connection_ids) + ")"
                )
                if cur.fetchone()[0] == 0:
                    return time.monotonic() - started
            time.sleep(0.05)
    finally:
        conn.close()
    raise AssertionError(f"connections {list(connection_ids)} still exist after {timeout:.0f}s")


def kill_connection(settings: ConnectionSettings, connection_id: int) -> None:
    """`KILL <id>` server-side: safeguard's session loses its connection."""
    conn = settings.connect()
    try:
        with conn.cursor() as cur:
            try:
                cur.execute(f"KILL {int(connection_id)}")
            except pymysql.err.OperationalError as exc:
                if exc.args[0] != 1094:  # 1094: unknown thread id, it has ended already
                    raise
    finally:
        conn.close()


def sigkill_group(process: subprocess.Popen) -> None:
    """SIGKILL the driver and everything it started (its own process group)."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    process.wait(timeout=30)


class RowLock:
    """Holds `SELECT … FOR UPDATE` on rows in an open transaction: any
    statement that needs those rows (a copy, an UPDATE of a catalog row)
    waits until `release()`. Plain readers are not blocked (consistent reads)."""

    def __init__(self, settings: ConnectionSettings, select_for_update: str, params: Sequence = ()):
        self.conn = settings.connect(autocommit=False)
        with self.conn.cursor() as cur:
            cur.execute("SET SESSION innodb_lock_wait_timeout = 5")
            cur.execute(select_for_update, params)
            self.rows = cur.fetchall()

    def release(self) -> None:
        if self.conn is not None:
            try:
                self.conn.rollback()
                self.conn.close()
            except pymysql.err.MySQLError:
                pass  # the server was killed under us
            self.conn = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.release()


class MetadataLock(RowLock):
    """An analyst's open transaction: `START TRANSACTION; SELECT … FROM t`
    left open holds a shared metadata lock on t until it ends."""

    def __init__(self, settings: ConnectionSettings, tables: Sequence[Tuple[str, str]]):
        self.conn = settings.connect(autocommit=False)
        with self.conn.cursor() as cur:
            cur.execute("START TRANSACTION")
            for schema, table in tables:
                cur.execute(f"SELECT COUNT(*) FROM `{schema}`.`{table}`")
            self.rows = cur.fetchall()
        self.connection_id = self.conn.thread_id()


class UserReader:
    """A dashboard: polls protected tables in a tight loop during a fault and
    records the longest time one read waited, and each read that failed.

    A read that fails because the server is down is counted apart: the fault
    itself made the server unavailable."""

    def __init__(self, settings: ConnectionSettings, tables: Sequence[str], statement_bound: float = 90.0):
        self.settings = settings
        self.tables = list(tables)
        self.statement_bound = statement_bound
        self.longest_wait = 0.0
        self.longest_table: Optional[str] = None
        self.errors: List[str] = []
        self.missing: List[str] = []  # 1146: table doesn't exist
        self.server_down_seconds = 0.0
        self.reads = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self.statement_bound + 30)

    def _connect(self):
        conn = self.settings.connect(connect_timeout=5, read_timeout=int(self.statement_bound))
        with conn.cursor() as cur:
            # A bound for the reader itself: a read never waits longer than this.
            cur.execute(f"SET SESSION lock_wait_timeout = {int(self.statement_bound)}")
        return conn

    def _loop(self) -> None:
        conn = None
        index = 0
        while not self._stop.is_set():
            table = self.tables[index % len(self.tables)]
            index += 1
            started = time.monotonic()
            try:
                if conn is None:
                    conn = self._connect()
                with conn.cursor() as cur:
                    cur.execute(f"SELECT COUNT(*) FROM {table}")
                    cur.fetchall()
                self.reads += 1
            except pymysql.err.OperationalError as exc:
                code = exc.args[0] if exc.args else None
                if code in (2003, 2006, 2013, 2055):  # the server went away: down, not blocked
                    self.server_down_seconds += time.monotonic() - started
                    conn = None
                    time.sleep(0.05)
                    continue
                self.errors.append(f"{table}: {exc.args}")
            except pymysql.err.ProgrammingError as exc:
                if exc.args and exc.args[0] == 1146:
                    self.missing.append(table)
                else:
                    self.errors.append(f"{table}: {exc.args}")
            except pymysql.err.MySQLError as exc:
                self.errors.append(f"{table}: {exc.args}")
            waited = time.monotonic() - started
            if waited > self.longest_wait:
                self.longest_wait, self.longest_table = waited, table
            time.sleep(0.002)
        if conn is not None:
            try:
                conn.close()
            except pymysql.err.MySQLError:
                pass
