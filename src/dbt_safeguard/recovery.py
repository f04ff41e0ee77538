"""Recovery from a shell: the package's macros through dbt, and the backup catalog.

`safeguard restore` and `safeguard prune` are fronts over the dbt package's
`restore_backup` and `prune_backups` macros: they run `dbt run-operation` in
the user's project (through DbtInvoker, in-process, so dbt reuses its partial
parse in target/), which keeps one implementation of a restore, its plan,
its locks and its checks. `safeguard backups` only reads: it selects from
the catalog table directly, without starting dbt.
"""
from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import pymysql

from .dbt_invoker import DbtInvoker, DbtOutcome, message_text
from .connection import ConnectionSettings, open_connection, quote
from .errors import FatalError, UsageError

CATALOG_TABLE = "safeguard_backups"
# The package's rule for names it accepts (macros/naming): plain, at most 64.
_PLAIN_NAME = re.compile(r"^[A-Za-z0-9_$]{1,64}$")


# -- the macros through dbt -------------------------------------------------------


@dataclasses.dataclass
class Operation:
    """One `dbt run-operation` of a package macro, with the lines it logged."""

    macro: str
    arguments: Dict
    outcome: DbtOutcome
    lines: List[str]  # the macro's own log lines ([safeguard] ..., list output)


def run_operation(
    invoker: DbtInvoker,
    macro: str,
    arguments: Dict,
    on_line: Optional[Callable[[str], None]] = None,
    dbt_args: Sequence[str] = (),
    verbose: bool = False,
) -> Operation:
    """`dbt run-operation <macro> --args <arguments>`; FatalError with the macro's own message on failure."""
    lines: List[str] = []

    def collect(event) -> None:
        # Macro log() calls arrive as JinjaLogInfo; dbt's own start-up lines
        # (versions, adapters, "Found 16 models") are other events.
        line = message_text(event.info.msg)
        if event.info.name == "JinjaLogInfo":
            lines.append(line)
        if on_line is not None and line and (verbose or event.info.name == "JinjaLogInfo"):
            on_line(line)

    # JSON is YAML: every value keeps its type (an unquoted 20260206_070000
    # would reach the macro as an integer).
    args_yaml = json.dumps({key: value for key, value in arguments.items() if value is not None})
    # dbt's console output off: its lines come through the callback.
    outcome = invoker.invoke("run-operation", macro, "--args", args_yaml, "--log-level", "none", *dbt_args,
                             on_log=collect)
    if not outcome.success:
        error = FatalError(operation_error(macro, outcome))
        error.invocation_id = outcome.invocation_id  # what the catalog and journal record it under
        raise error
    return Operation(macro, arguments, outcome, lines)


def operation_error(macro: str, outcome: DbtOutcome) -> str:
    """The one line that says why: the macro's `safeguard...:` message when there is one.

    dbt prints it under "Encountered an error while running operation:
    Compilation Error in macro ...", on lines of their own.
    """
    text = "\n".join([*outcome.log_lines, outcome.error or ""])
    for line in text.splitlines():
        line = line.strip()
        if line.startswith(("safeguard.", "safeguard:")):
            return line
    for line in text.splitlines():
        line = line.strip()
        if line and ("rror" in line or "not found" in line.lower()):
            return f"dbt run-operation {macro} failed: {line}"
    return f"dbt run-operation {macro} failed (see dbt's output with -v)"


# -- the catalog, read directly ------------------------------------------------------

CATALOG_COLUMNS = ("backup_ts", "kind", "status", "source_schema", "source_table", "backup_schema",
                   "backup_table", "row_count", "invocation_id")


def parse_table(name: str) -> Tuple[Optional[str], str]:
    """`schema.table` or `table`, each part a plain name (the package's rule)."""
    parts = name.split(".")
    if len(parts) > 2 or not all(_PLAIN_NAME.match(part) for part in parts):
        raise UsageError(
            f"TABLE must be schema.table or table, each a plain name (letters, digits, _ or $, "
            f"at most 64 characters), got {name!r}"
        )
    return (parts[0], parts[1]) if len(parts) == 2 else (None, parts[0])


def find_catalog_schema(settings: ConnectionSettings, given: Optional[str] = None) -> str:
    """`given`, or the one schema on the server that holds a safeguard_backups table."""
    conn = open_connection(settings)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT table_schema FROM information_schema.tables WHERE table_name = %s "
                        "ORDER BY table_schema", (CATALOG_TABLE,))
            schemas = [row[0] for row in cur.fetchall()]
    except pymysql.err.MySQLError as exc:
        raise FatalError(f"cannot read information_schema on {settings.describe()}: {exc.args[-1]}") from None
    finally:
        conn.close()
    if given is not None:
        if given not in schemas:
            found = ", ".join(schemas) or "none"
            raise FatalError(f"no {CATALOG_TABLE} table in schema {given}; schemas with one: {found}")
        return given
    if not schemas:
        raise FatalError(f"no backup catalog ({CATALOG_TABLE}) on {settings.describe()}: no backups have been "
                         "taken yet")
    if len(schemas) > 1:
        raise UsageError(f"{len(schemas)} schemas hold a backup catalog ({', '.join(schemas)}); "
                         "choose one with --catalog-schema")
    return schemas[0]


def catalog_rows(settings: ConnectionSettings, catalog: str, table: Optional[str] = None,
                 include_dropped: bool = False) -> List[Dict]:
    """Catalog rows, newest first, like the package's list_backups macro."""
    wanted = parse_table(table) if table is not None else None
    conn = open_connection(settings)
    try:
        with conn.cursor() as cur:
            cur.execute(f"SELECT {', '.join(CATALOG_COLUMNS)} FROM {quote(catalog)}.{quote(CATALOG_TABLE)} "
                        "ORDER BY backup_id DESC")  # the server's insert order: no client clock skews it
            rows = [dict(zip(CATALOG_COLUMNS, row)) for row in cur.fetchall()]
    except pymysql.err.MySQLError as exc:
        raise FatalError(f"cannot read {catalog}.{CATALOG_TABLE}: {exc.args[-1]}") from None
    finally:
        conn.close()
    if not include_dropped:
        rows = [row for row in rows if row["status"] != "dropped"]
    if wanted is None:
        return rows
    schema, name = wanted
    matching = [row for row in rows if row["source_table"] == name and schema in (None, row["source_schema"])]
    if not matching:
        tables = sorted({f"{row['source_schema']}.{row['source_table']}" for row in rows})
        raise FatalError(f"no backup of {table} in {catalog}.{CATALOG_TABLE}; tables with backups: "
                         f"{', '.join(tables) or 'none'}")
    return matching


def format_rows(rows: Sequence[Dict]) -> List[str]:
    """The catalog as an aligned table, the columns of list_backups."""
    header = ("ts (UTC)", "kind", "status", "table", "backup", "rows", "invocation")
    cells = [
        (str(row["backup_ts"]), row["kind"], row["status"], f"{row['source_schema']}.{row['source_table']}",
         f"{row['backup_schema']}.{row['backup_table']}", "" if row["row_count"] is None else str(row["row_count"]),
         row["invocation_id"] or "")
        for row in rows
    ]
    widths = [max(len(line[i]) for line in [header, *cells]) for i in range(len(header))]

    def line(values) -> str:
        padded = [value.rjust(widths[i]) if i == 5 else value.ljust(widths[i]) for i, value in enumerate(values)]
        return "  ".join(padded).rstrip()

    return [line(header), *(line(values) for values in cells)]


# -- after a restore that did not finish ------------------------------------------------

JOURNAL_TABLE = "safeguard_journal"


def cut_off_restore(settings: ConnectionSettings, invocation_id: Optional[str], table: str,
                    catalog_schema: Optional[str] = None) -> str:
    """What a restore that failed with a database error (its connection
    killed, the server gone) left, from its swap journal row: whether its
    RENAME happened and what to run next. Read-only; a retry of the same
    command completes or reports that restore (the package's restore_backup)."""
    again = f"safeguard restore {table}"
    try:
        catalog = find_catalog_schema(settings, catalog_schema)
        conn = open_connection(settings)
    except (FatalError, UsageError) as exc:
        return f"could not read the catalog ({exc}); run `{again}` again: it reports whether the RENAME happened"
    try:
        with conn.cursor() as cur:
            cur.execute(f"SELECT journal_id, status, probe_schema, probe_table FROM {quote(catalog)}.{quote(JOURNAL_TABLE)}"
                        " WHERE invocation_id = %s ORDER BY journal_id DESC LIMIT 1", (invocation_id or "",))
            found = cur.fetchone()
            applied = None
            if found is not None and found[1] == "planned":
                cur.execute("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = %s AND table_name = %s",
                            (found[2], found[3]))
                applied = cur.fetchone()[0] > 0
    except pymysql.err.MySQLError as exc:
        return f"could not read {catalog}.{JOURNAL_TABLE} ({exc.args[-1]}); run `{again}` again: it reports whether the RENAME happened"
    finally:
        conn.close()
    if found is None:
        return f"it stopped before its RENAME: nothing was changed; run `{again}` again"
    journal_id, status = found[0], found[1]
    if status == "applied":
        return f"restore {journal_id} is complete (its RENAME happened and the catalog records it); nothing more to run"
    if status != "planned":
        return f"restore {journal_id} did not happen: nothing was changed; run `{again}` again"
    if applied:
        return (f"its RENAME HAD happened: {table} is restored (restore {journal_id}), but the catalog does not record it "
                f"yet; run `{again}` once: it completes the catalog and reports that restore, restoring nothing else")
    return f"its RENAME had NOT happened (restore {journal_id}): nothing was changed; run `{again}` again"
