"""A simulated day as the Glue job receives it: a real mariadb-dump file.

    write_dump(2, "day2.sql.gz", settings)    # mariadb-dump output, gzipped

To load one, use the real loader (`dbt_safeguard.staging_loader.load_source`)
or the `mariadb` client.
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import gzip as gzip_module
import logging
import os
import secrets
import subprocess
import tempfile
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence, Union

from pymysql.converters import escape_string

from dbt_safeguard.connection import ConnectionSettings
from dbt_safeguard.errors import FatalError

from .local_server import find_binary
from .oltp_day import _DDL, COLUMNS, TABLES, Rows, create_table_statements, date_of_day, generate_day
from .oltp_simulation import DEFAULT_SEED, DEFAULT_SIZE

log = logging.getLogger("safeguard")

DUMP_DATABASE_NAME = "tenant_oltp"


def populate_schema(schema: str, rows: Rows, settings: ConnectionSettings, batch_rows: int = 2000) -> None:
    """Create the five tables in the existing, empty `schema` and insert `rows`."""
    conn = settings.connect(database=schema, autocommit=False)
    try:
        with conn.cursor() as cur:
            # Bulk load of known-good rows: skip the per-row checks. The
            # literals below use backslash escapes, so make sure they work.
            cur.execute("SET SESSION unique_checks = 0, foreign_key_checks = 0, "
                        "sql_mode = REPLACE(@@sql_mode, 'NO_BACKSLASH_ESCAPES', '')")
            for statement in create_table_statements():
                cur.execute(statement)
            for table in TABLES:
                columns = ", ".join(f"`{name}`" for name in COLUMNS[table])
                table_rows = rows[table]
                for start in range(0, len(table_rows), batch_rows):
                    values = _row_literals(table, table_rows[start:start + batch_rows])
                    cur.execute(f"INSERT INTO `{table}` ({columns}) VALUES " + ",".join(values))
                conn.commit()
    finally:
        conn.close()


def _row_literals(table: str, rows: List[tuple]) -> List[str]:
    """Each row as an SQL `(v1,v2,...)` literal, converted a column at a time.

    Formatting whole columns with one comprehension each (strings through
    pymysql's `escape_string`, which needs backslash escapes on) is several
    times faster than the driver's per-value conversion, which dominates
    large days.
    """
    if not rows:
        return []
    literals = []
    for (_, definition), values in zip(_DDL[table], zip(*rows)):
        kind = definition.split("(")[0].split()[0]
        if kind in ("varchar", "char", "text"):
            literals.append(["NULL" if v is None else "'" + escape_string(v) + "'" for v in values])
        elif kind in ("date", "datetime"):
            literals.append(["NULL" if v is None else f"'{v}'" for v in values])
        else:
            literals.append(["NULL" if v is None else str(v) for v in values])
    return ["(" + ",".join(row) + ")" for row in zip(*literals)]


@dataclasses.dataclass(frozen=True)
class DumpSummary:
    path: Path
    day: int
    as_of: dt.date
    row_counts: Dict[str, int]
    size_bytes: int


def write_dump(
    day: int,
    path: Union[str, os.PathLike],
    settings: ConnectionSettings,
    size: int = DEFAULT_SIZE,
    seed: int = DEFAULT_SEED,
    gzip: Optional[bool] = None,
    databases_flag: bool = False,
    database_name: str = DUMP_DATABASE_NAME,
    emptied: Sequence[str] = (),
) -> DumpSummary:
    """Write day `day`'s OLTP database as a mariadb-dump file at `path`.

    The rows go through a scratch schema on `settings`' server, dropped
    afterwards. `gzip` defaults to whether `path` ends in `.gz`. With
    `databases_flag` the dump carries `CREATE DATABASE` and `USE` statements
    for `database_name`, as `mysqldump --databases` writes them. The same
    arguments give a byte-identical file. `emptied`: tables the dump creates
    without their rows, as a partial OLTP export leaves them.
    """
    path = Path(path)
    if gzip is None:
        gzip = path.name.endswith(".gz")
    rows = generate_day(day, size=size, seed=seed)
    for table in emptied:
        rows[table] = []
    scratch = f"tenant_oltp_scratch_{secrets.token_hex(4)}"
    log.info("writing day %s (%s) of the OLTP database to %s through %s on %s",
             day, date_of_day(day), path, scratch, settings.describe())
    admin = settings.connect()
    try:
        with admin.cursor() as cur:
            cur.execute(f"CREATE DATABASE `{scratch}` CHARACTER SET utf8mb4")
        try:
            populate_schema(scratch, rows, settings)
            _dump_schema(scratch, path, settings, gzip, databases_flag, database_name)
        finally:
            with admin.cursor() as cur:
                cur.execute(f"DROP DATABASE IF EXISTS `{scratch}`")
    finally:
        admin.close()
    return DumpSummary(path, day, date_of_day(day), {table: len(rows[table]) for table in TABLES},
                       path.stat().st_size)


@contextlib.contextmanager
def _client_options(settings: ConnectionSettings) -> Iterator[str]:
    """An option file for the MariaDB client programs: keeps the password off argv."""
    handle, name = tempfile.mkstemp(prefix="safeguard-client-", suffix=".cnf")  # created 0600
    try:
        with os.fdopen(handle, "w") as options:
            options.write(f"[client]\nhost={settings.host}\nport={settings.port}\nuser={settings.user}\n"
                          f"password={settings.password}\nprotocol=tcp\ndefault-character-set=utf8mb4\n")
        yield name
    finally:
        os.unlink(name)


def _dump_schema(schema: str, path: Path, settings: ConnectionSettings, gzip: bool, databases_flag: bool,
                 database_name: str) -> None:
    scratch_name, stable_name = schema.encode(), database_name.encode()
    with _client_options(settings) as options:
        command = [
            find_binary(("mariadb-dump", "mysqldump"), "the MariaDB client"), f"--defaults-extra-file={options}",
            "--single-transaction", "--routines", "--triggers", "--hex-blob", "--skip-dump-date",
            *(["--databases"] if databases_flag else []), schema,
        ]
        # mtime=0 and no file name in the gzip header keep the file reproducible.
        with open(path, "wb") as raw, (
            gzip_module.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6)
            if gzip else contextlib.nullcontext(raw)
        ) as out, tempfile.TemporaryFile() as errors:
            dump = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors)
            for line in dump.stdout:
                # The scratch schema's random name appears only in header
                # comments and the --databases statements; data lines never
                # start with these prefixes.
                if line.startswith((b"--", b"CREATE DATABASE", b"USE ")):
                    line = line.replace(scratch_name, stable_name)
                out.write(line)
            if dump.wait() != 0:
                errors.seek(0)
                raise FatalError(f"oltp_dump: mariadb-dump of {schema} failed: "
                                 f"{errors.read().decode(errors='replace').strip()}")
