"""One set of connection settings for the dbt profile, the loader and the tests.

Settings come from SAFEGUARD_DB_* environment variables and can be overridden
on the command line. The password is never part of a repr or a log line.
"""
from __future__ import annotations

import dataclasses
import hashlib
import os
import time
from typing import List, Mapping, Optional, Union

import pymysql

ENV_PREFIX = "SAFEGUARD_DB_"
ADAPTER_TYPES = ("mysql", "mariadb")


@dataclasses.dataclass(frozen=True)
class ConnectionSettings:
    host: str = "127.0.0.1"
    port: int = 3306
    user: str = "root"
    password: str = dataclasses.field(default="", repr=False)
    adapter_type: str = "mysql"

    @classmethod
    def from_env(cls, environ: Optional[Mapping[str, str]] = None, **overrides) -> "ConnectionSettings":
        """Read SAFEGUARD_DB_{HOST,PORT,USER,PASSWORD,TYPE}; non-None overrides win."""
        env = os.environ if environ is None else environ
        values = {
            "host": env.get(ENV_PREFIX + "HOST", cls.host),
            "port": env.get(ENV_PREFIX + "PORT", cls.port),
            "user": env.get(ENV_PREFIX + "USER", cls.user),
            "password": env.get(ENV_PREFIX + "PASSWORD", cls.password),
            "adapter_type": env.get(ENV_PREFIX + "TYPE", cls.adapter_type),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values).validated()

    def validated(self) -> "ConnectionSettings":
        from .errors import FatalError

        try:
            port = int(self.port)
        except (TypeError, ValueError):
            raise FatalError(f"{ENV_PREFIX}PORT must be a number, got {self.port!r}") from None
        if not 0 < port < 65536:
            raise FatalError(f"{ENV_PREFIX}PORT must be between 1 and 65535, got {port}")
        if self.adapter_type not in ADAPTER_TYPES:
            raise FatalError(
                f"{ENV_PREFIX}TYPE must be one of {', '.join(ADAPTER_TYPES)}, got {self.adapter_type!r}"
            )
        return dataclasses.replace(self, port=port)

    def as_env(self) -> dict:
        """The environment the dbt profile (dbt/profiles.yml) reads."""
        return {
            ENV_PREFIX + "HOST": self.host,
            ENV_PREFIX + "PORT": str(self.port),
            ENV_PREFIX + "USER": self.user,
            ENV_PREFIX + "PASSWORD": self.password,
            ENV_PREFIX + "TYPE": self.adapter_type,
        }

    def describe(self) -> str:
        """For logs: never includes the password."""
        return f"{self.user}@{self.host}:{self.port} ({self.adapter_type})"

    def connect(self, database: Optional[str] = None, autocommit: bool = True, **kwargs) -> pymysql.connections.Connection:
        return pymysql.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            # pymysql would encode a str password as Latin-1; servers compare UTF-8 bytes.
            password=self.password.encode("utf-8"),
            database=database,
            autocommit=autocommit,
            charset="utf8mb4",
            **kwargs,
        )


# -- helpers every server-side caller shares (the loader, the ETL) -------------

def quote(identifier: str) -> str:
    """A backquoted MySQL identifier (a backquote inside is doubled)."""
    return "`" + identifier.replace("`", "``") + "`"


def server_message(error: BaseException) -> str:
    """`server error 1451: Cannot delete ...` for a server error, else the error's type and text."""
    if isinstance(error, pymysql.err.MySQLError) and len(error.args) == 2:
        return f"server error {error.args[0]}: {error.args[1]}"
    return f"{type(error).__name__}: {error}"


def open_connection(settings: ConnectionSettings, database: Optional[str] = None, **kwargs):
    """settings.connect(), with "cannot connect" as one clean line (never the password)."""
    from .errors import FatalError

    try:
        return settings.connect(database=database, **kwargs)
    except pymysql.err.OperationalError as exc:
        raise FatalError(f"cannot connect to {settings.describe()}: {server_message(exc)}") from None


def named_lock(prefix: str, key: str) -> str:
    """A GET_LOCK name for `key` (GET_LOCK names are at most 64 characters)."""
    return prefix + hashlib.sha1(key.encode()).hexdigest()[:32]


def try_named_lock(conn, name: str) -> Optional[int]:
    """Takes the server-side lock `name` on `conn` without waiting.

    Returns None when taken, else the connection id holding it (None from
    IS_USED_LOCK too when the holder let go between the two calls: reported
    as 0, "just released"). The lock lives as long as the connection, so a
    killed client releases it.
    """
    with conn.cursor() as cur:
        cur.execute("SELECT GET_LOCK(%s, 0), IS_USED_LOCK(%s)", (name, name))
        acquired, holder = cur.fetchone()
    if acquired == 1:
        return None
    return holder or 0


# -- bounded metadata-lock waits ------------------------------------------------

LOCK_WAIT_TIMEOUT = 1205  # ER_LOCK_WAIT_TIMEOUT: also what a metadata-lock wait ends with


@dataclasses.dataclass(frozen=True)
class LockWaitBound:
    """How long one DDL statement may wait for its metadata locks.

    lock_wait_timeout defaults to a day (MariaDB) or a year (MySQL 8), and a
    RENAME waiting for an exclusive metadata lock makes every later query of
    its tables queue behind it. Each attempt therefore waits only
    `attempt_seconds` (readers are stuck at most that long), then steps
    aside for a growing pause, until `total_seconds` have passed.
    """

    attempt_seconds: int = 3
    total_seconds: float = 60.0

    def validated(self) -> "LockWaitBound":
        from .errors import FatalError

        if int(self.attempt_seconds) < 1 or self.total_seconds < self.attempt_seconds:
            raise FatalError(
                f"lock wait: each attempt must wait at least 1 second and the total bound at least one attempt, "
                f"got {self.attempt_seconds} s per attempt and {self.total_seconds} s in all"
            )
        return self


class LockWaitExceeded(RuntimeError):
    """The bound passed; `blockers` describes the connections that held the locks."""

    def __init__(self, statement, attempts: int, waited: float, blockers: List[str]):
        super().__init__(statement)
        self.statement = statement
        self.attempts = attempts
        self.waited = waited
        self.blockers = blockers

    def describe(self) -> str:
        who = "; ".join(self.blockers) or "none found (a lock held outside InnoDB transactions, e.g. LOCK TABLES)"
        return (f"gave up after {self.attempts} attempts in {self.waited:.0f} s waiting for metadata locks; "
                f"blocking connections: {who}")


def execute_bounded(conn, statement: Union[str, bytes], bound: LockWaitBound) -> None:
    """Runs a statement that takes exclusive metadata locks, within `bound`.

    Raises LockWaitExceeded (naming the blocking connections) when the bound
    passes; the statement then did nothing (a DDL statement that times out on
    its locks changes nothing).
    """
    with conn.cursor() as cur:
        cur.execute("SET SESSION lock_wait_timeout = %s", (int(bound.attempt_seconds),))
        started = time.monotonic()
        pause, attempts = 0.25, 0
        while True:
            attempts += 1
            try:
                cur.execute(statement)
                return
            except pymysql.err.OperationalError as exc:
                if exc.args[0] != LOCK_WAIT_TIMEOUT:
                    raise
            waited = time.monotonic() - started
            if waited + pause + bound.attempt_seconds > bound.total_seconds:
                raise LockWaitExceeded(statement, attempts, waited, blocking_connections(conn))
            time.sleep(pause)
            pause = min(pause * 2, 4.0)


def blocking_connections(conn) -> List[str]:
    """Who may hold metadata locks: other connections with an open transaction or a running statement.

    MySQL 8 lists metadata locks in performance_schema.metadata_locks (when
    the instrument is on); MariaDB has no such table without a plugin. An
    open InnoDB transaction (information_schema.innodb_trx, which lists
    read-only ones too) holds the metadata locks of every table it read.
    """
    with conn.cursor() as cur:
        cur.execute(
            "SELECT p.id, p.user, p.host, p.command, p.time, p.state, "
            "TIMESTAMPDIFF(SECOND, t.trx_started, NOW()) "
            "FROM information_schema.processlist p "
            "LEFT JOIN information_schema.innodb_trx t ON t.trx_mysql_thread_id = p.id "
            "WHERE p.id <> CONNECTION_ID() AND (t.trx_id IS NOT NULL OR "
            "(p.command = 'Query' AND COALESCE(p.state, '') NOT LIKE 'Waiting for%%metadata lock')) "
            "ORDER BY p.id"
        )
        rows = cur.fetchall()
    found = []
    for conn_id, user, host, command, seconds, state, trx_age in rows:
        if trx_age is not None:
            what = f"transaction open {trx_age} s"
        else:
            what = f"{command.lower()} running {seconds} s ({state or 'no state'})"
        found.append(f"connection {conn_id} ({user}@{host}, {what})")
    return found
