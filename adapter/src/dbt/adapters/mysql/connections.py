"""The `mysql` profile (credentials) and its pymysql connection manager.

pymysql rather than mysql-connector-python (dbt-mysql's driver): it is pure
Python (no C extension to match to each Python line), it is already the
driver of dbt-safeguard's toolkit, its licence is MIT (mysql-connector is
GPLv2 with the FOSS exception) and it bounds every wait on the server
with `connect_timeout`, `read_timeout` and `write_timeout`.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar, Dict, Iterator, Optional, Tuple, Union

import pymysql
from pymysql.constants import FIELD_TYPE

from dbt.adapters.contracts.connection import AdapterResponse, Connection, Credentials
from dbt.adapters.events.logging import AdapterLogger
from dbt.adapters.sql import SQLConnectionManager
from dbt_common.exceptions import DbtConfigError, DbtDatabaseError, DbtRuntimeError

logger = AdapterLogger("mysql")

# Result-set type codes as the portable names dbt compares in contracts and
# casts to in unit tests (the mysql__cast macro turns them into CAST targets).
# A result set does not say int from bigint reliably (MariaDB types the
# literal 1 as INT, MySQL as BIGINT), so the integer codes share one name.
_TYPE_NAMES = {
    FIELD_TYPE.TINY: "integer", FIELD_TYPE.SHORT: "integer", FIELD_TYPE.INT24: "integer",
    FIELD_TYPE.LONG: "integer", FIELD_TYPE.LONGLONG: "integer", FIELD_TYPE.YEAR: "integer",
    FIELD_TYPE.DECIMAL: "decimal", FIELD_TYPE.NEWDECIMAL: "decimal",
    FIELD_TYPE.FLOAT: "double", FIELD_TYPE.DOUBLE: "double",
    FIELD_TYPE.DATE: "date", FIELD_TYPE.NEWDATE: "date", FIELD_TYPE.TIME: "time",
    FIELD_TYPE.DATETIME: "datetime", FIELD_TYPE.TIMESTAMP: "datetime",
    FIELD_TYPE.JSON: "json", FIELD_TYPE.BIT: "bit", FIELD_TYPE.GEOMETRY: "geometry",
}


@dataclass
class MySQLCredentials(Credentials):
    # dbt-mysql's profile fields and aliases, so existing profiles keep working.
    database: Optional[str] = None  # type: ignore[assignment]
    schema: str = ""
    server: str = ""
    unix_socket: Optional[str] = None
    port: Optional[int] = None
    username: Optional[str] = None
    password: Optional[str] = None
    charset: Optional[str] = None
    collation: Optional[str] = None
    ssl_disabled: Optional[bool] = None
    # Bounds on every wait on the server, in seconds; a query that runs
    # longer than read_timeout fails (None: no bound, as with dbt-mysql).
    connect_timeout: int = 10
    read_timeout: Optional[int] = None
    write_timeout: Optional[int] = None
    retries: int = 1

    _ALIASES: ClassVar[Dict[str, str]] = {"UID": "username", "user": "username", "PWD": "password", "host": "server"}

    def __post_init__(self) -> None:
        if not self.schema:
            raise DbtConfigError(f"{self.type} profile: `schema` is required (the database dbt builds in)")
        # MySQL has no level above the schema: `database` may only repeat it.
        if self.database is not None and self.database != self.schema:
            raise DbtConfigError(
                f"{self.type} profile: database '{self.database}' differs from schema '{self.schema}'; "
                "on MySQL, omit `database` or give it the value of `schema`"
            )
        self.database = None

    @property
    def type(self) -> str:
        return "mysql"

    @property
    def unique_field(self) -> str:
        return self.schema

    def _connection_keys(self) -> Tuple[str, ...]:
        # What `dbt debug` prints: never the password.
        return ("server", "unix_socket", "port", "schema", "username", "charset", "connect_timeout", "read_timeout")

    def connect_kwargs(self) -> Dict[str, Any]:
        """pymysql.connect() arguments for this profile (no database: it may not exist yet)."""
        kwargs: Dict[str, Any] = {
            "user": self.username,
            "password": self.password or "",
            "connect_timeout": self.connect_timeout,
            "read_timeout": self.read_timeout,
            "write_timeout": self.write_timeout,
            "charset": self.charset or "utf8mb4",
            "autocommit": False,
        }
        if self.server:
            kwargs["host"] = self.server
        elif self.unix_socket:
            kwargs["unix_socket"] = self.unix_socket
        optional = {"port": self.port, "collation": self.collation, "ssl_disabled": self.ssl_disabled}
        kwargs.update({key: value for key, value in optional.items() if value is not None})
        return kwargs


class MySQLConnectionManager(SQLConnectionManager):
    TYPE = "mysql"

    @classmethod
    def open(cls, connection: Connection) -> Connection:
        if connection.state == "open":
            logger.debug("Connection is already open, skipping open.")
            return connection
        credentials: MySQLCredentials = connection.credentials
        kwargs = credentials.connect_kwargs()

        def connect() -> pymysql.connections.Connection:
            try:
                return pymysql.connect(**kwargs)
            except pymysql.err.OperationalError:
                # A user granted only its own database may not connect without
                # naming it (dbt-mysql retried the same way).
                return pymysql.connect(database=credentials.schema, **kwargs)

        return cls.retry_connection(
            connection,
            connect=connect,
            logger=logger,
            retry_limit=credentials.retries,
            retryable_exceptions=[pymysql.err.OperationalError],
        )

    def cancel(self, connection: Connection) -> None:
        # KILL QUERY from a second connection would need its own credentials
        # round; closing the socket makes the server abort the statement.
        if connection.handle is not None:
            connection.handle.close()

    @contextmanager
    def exception_handler(self, sql: str) -> Iterator[None]:
        try:
            yield
        except pymysql.err.Error as e:
            logger.debug("MySQL error: {}".format(e))
            try:
                self.rollback_if_open()
            except pymysql.err.Error:
                logger.debug("Failed to release connection!")
            # pymysql's message is the tuple (errno, text): keep both, readable.
            args = getattr(e, "args", ())
            message = f"{args[0]} ({args[1]})" if len(args) == 2 else str(e)
            raise DbtDatabaseError(message.strip()) from e
        except DbtRuntimeError:
            # Raised by dbt itself during the query (e.g. a signal): as is.
            self.rollback_if_open()
            raise

    @classmethod
    def get_response(cls, cursor: Any) -> AdapterResponse:
        # pymysql reports no status text: rows affected is what there is.
        rows = cursor.rowcount if cursor is not None and cursor.rowcount is not None else 0
        return AdapterResponse(_message=f"SUCCESS {rows}", rows_affected=rows, code="SUCCESS")

    @classmethod
    def data_type_code_to_name(cls, type_code: Union[int, str]) -> str:
        # Strings and blobs share codes in a result set; both read as text.
        return _TYPE_NAMES.get(int(type_code), "text")
